//! The training report: `report.json` plus three SVG plots.
//!
//! - `predicted_vs_actual.svg`: test-split scatter with the identity line;
//! - `residuals.svg`: histogram of test-split residuals (predicted - actual);
//! - `feature_importance.svg`: the 15 most important features.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use serde::Serialize;

use crate::bundle::{write_atomic, BundleMetadata};
use crate::train::TrainReport;
use crate::{Error, Result};

const SIZE: (u32, u32) = (720, 540);
const TOP_FEATURES: usize = 15;
const RESIDUAL_BINS: usize = 40;

#[derive(Serialize)]
struct ReportFile<'a> {
    metadata: &'a BundleMetadata,
    report: &'a TrainReport,
}

fn plot_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Plot {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes `report.json` and the plots into `dir`; returns the files written.
pub fn write_report(
    dir: &Path,
    metadata: &BundleMetadata,
    report: &TrainReport,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let json = dir.join("report.json");
    let body = serde_json::to_vec_pretty(&ReportFile { metadata, report }).map_err(|e| {
        Error::BundleEncode {
            message: e.to_string(),
        }
    })?;
    write_atomic(&json, &body)?;
    let scatter = dir.join("predicted_vs_actual.svg");
    plot_scatter(&scatter, report).map_err(|e| plot_error(&scatter, e))?;
    let residuals = dir.join("residuals.svg");
    plot_residuals(&residuals, report).map_err(|e| plot_error(&residuals, e))?;
    let importance = dir.join("feature_importance.svg");
    plot_importance(&importance, report).map_err(|e| plot_error(&importance, e))?;
    Ok(vec![json, scatter, residuals, importance])
}

type PlotResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn plot_scatter(path: &Path, report: &TrainReport) -> PlotResult {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let m = &report.metrics.test;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Predicted vs actual (test n={}, RMSE {:.3}, R² {:.3})",
                m.n, m.rmse, m.r2
            ),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(1f64..10f64, 1f64..10f64)?;
    chart
        .configure_mesh()
        .x_desc("actual rating")
        .y_desc("predicted rating")
        .draw()?;
    chart.draw_series(LineSeries::new(
        [(1.0, 1.0), (10.0, 10.0)],
        BLACK.stroke_width(1),
    ))?;
    chart.draw_series(
        report
            .test_actual
            .iter()
            .zip(&report.test_predicted)
            .map(|(a, p)| Circle::new((f64::from(*a), *p), 2, BLUE.mix(0.35).filled())),
    )?;
    root.present()?;
    Ok(())
}

fn plot_residuals(path: &Path, report: &TrainReport) -> PlotResult {
    let residuals: Vec<f64> = report
        .test_predicted
        .iter()
        .zip(&report.test_actual)
        .map(|(p, a)| p - f64::from(*a))
        .collect();
    let bound = residuals.iter().fold(0.5f64, |m, r| m.max(r.abs())).ceil();
    let width = 2.0 * bound / RESIDUAL_BINS as f64;
    let mut counts = [0u32; RESIDUAL_BINS];
    for r in &residuals {
        let bin = (((r + bound) / width) as usize).min(RESIDUAL_BINS - 1);
        counts[bin] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(1).max(1);
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Residuals on the test split (predicted - actual)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(-bound..bound, 0u32..max + max / 10 + 1)?;
    chart
        .configure_mesh()
        .x_desc("residual (rating points)")
        .y_desc("titles")
        .draw()?;
    chart.draw_series(counts.iter().enumerate().map(|(i, c)| {
        let x0 = -bound + i as f64 * width;
        Rectangle::new([(x0, 0), (x0 + width, *c)], BLUE.mix(0.6).filled())
    }))?;
    root.present()?;
    Ok(())
}

fn plot_importance(path: &Path, report: &TrainReport) -> PlotResult {
    let top: Vec<&(String, f64)> = report.importances.iter().take(TOP_FEATURES).collect();
    let n = top.len().max(1);
    let max = top.first().map_or(1.0, |t| t.1).max(1e-9);
    // Most important first, at the top: bar `i` sits in segment `n - 1 - i`.
    let label = |segment: usize| top.get(n - 1 - segment).map(|t| t.0.clone());
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Feature importance (top 15)", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(170)
        .build_cartesian_2d(0f64..max * 1.1, (0..n - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => label(*i).unwrap_or_default(),
            SegmentValue::Exact(_) | SegmentValue::Last => String::new(),
        })
        .x_desc("importance")
        .draw()?;
    chart.draw_series(
        Histogram::horizontal(&chart)
            .style(GREEN.mix(0.7).filled())
            .margin(4)
            .data(top.iter().enumerate().map(|(i, (_, v))| (n - 1 - i, *v))),
    )?;
    root.present()?;
    Ok(())
}
