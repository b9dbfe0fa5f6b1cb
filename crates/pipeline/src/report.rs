//! The training report: `report.json` plus three SVG plots.
//!
//! - `predicted_vs_actual.svg`: test-split scatter with the identity line; beyond
//!   [`MAX_SCATTER_POINTS`] rows, a density grid instead (one shaded square per occupied
//!   cell), so that the file stays small however large the test split (a point per row
//!   would make 6.3 MB at 65k rows);
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
/// Test rows up to which `predicted_vs_actual.svg` draws one point per row.
const MAX_SCATTER_POINTS: usize = 2_000;
/// Cells per axis of the density grid drawn beyond [`MAX_SCATTER_POINTS`] rows.
const DENSITY_CELLS: usize = 60;

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
    let m = &report.metrics.test;
    let caption = format!(
        "Predicted vs actual (test n={}, RMSE {:.3}, R² {:.3})",
        m.n, m.rmse, m.r2
    );
    draw_scatter(path, &caption, &report.test_actual, &report.test_predicted)
}

/// The occupied cells of a `DENSITY_CELLS` x `DENSITY_CELLS` grid over the 1..10 x 1..10
/// plot area, as (actual cell, predicted cell, rows in it); values outside the area go to
/// the nearest edge cell.
fn density(actual: &[f32], predicted: &[f64]) -> Vec<(usize, usize, u32)> {
    let cell = |v: f64| (((v - 1.0) / 9.0 * DENSITY_CELLS as f64) as usize).min(DENSITY_CELLS - 1);
    let mut counts = vec![0u32; DENSITY_CELLS * DENSITY_CELLS];
    for (a, p) in actual.iter().zip(predicted) {
        let (x, y) = (cell(f64::from(*a).max(1.0)), cell(p.max(1.0)));
        counts[y * DENSITY_CELLS + x] += 1;
    }
    counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, c)| (i % DENSITY_CELLS, i / DENSITY_CELLS, *c))
        .collect()
}

/// Draws `predicted` against `actual` with the identity line: a point per row up to
/// [`MAX_SCATTER_POINTS`] rows, else the [`density`] grid, each cell shaded by the log of
/// its count (darker: more titles).
fn draw_scatter(path: &Path, caption: &str, actual: &[f32], predicted: &[f64]) -> PlotResult {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let binned = actual.len() > MAX_SCATTER_POINTS;
    let caption = if binned {
        format!("{caption}; binned, darker = more")
    } else {
        caption.to_owned()
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(1f64..10f64, 1f64..10f64)?;
    chart
        .configure_mesh()
        .x_desc("actual rating")
        .y_desc("predicted rating")
        .draw()?;
    if binned {
        let cells = density(actual, predicted);
        let max = cells.iter().map(|c| c.2).max().unwrap_or(1);
        let size = 9.0 / DENSITY_CELLS as f64;
        let shade = |count: u32| 0.15 + 0.85 * f64::from(count).ln_1p() / f64::from(max).ln_1p();
        chart.draw_series(cells.into_iter().map(|(x, y, count)| {
            let (x0, y0) = (1.0 + x as f64 * size, 1.0 + y as f64 * size);
            Rectangle::new(
                [(x0, y0), (x0 + size, y0 + size)],
                BLUE.mix(shade(count)).filled(),
            )
        }))?;
    } else {
        chart.draw_series(
            actual
                .iter()
                .zip(predicted)
                .map(|(a, p)| Circle::new((f64::from(*a), *p), 2, BLUE.mix(0.35).filled())),
        )?;
    }
    chart.draw_series(LineSeries::new(
        [(1.0, 1.0), (10.0, 10.0)],
        BLACK.stroke_width(1),
    ))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` (actual, predicted) pairs spread over the rating scale, deterministic.
    fn pairs(n: usize) -> (Vec<f32>, Vec<f64>) {
        let actual: Vec<f32> = (0..n).map(|i| 1.0 + (i % 91) as f32 / 10.0).collect();
        let predicted = actual
            .iter()
            .enumerate()
            .map(|(i, a)| {
                (f64::from(*a) + ((i * 7919) % 200) as f64 / 100.0 - 1.0).clamp(1.0, 10.0)
            })
            .collect();
        (actual, predicted)
    }

    #[test]
    fn a_large_test_split_is_binned_into_a_small_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scatter.svg");
        let (actual, predicted) = pairs(65_000);

        draw_scatter(&path, "t", &actual, &predicted).unwrap();

        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.len() < 400_000, "{} bytes", svg.len());
        assert!(!svg.contains("<circle"));
        let cells = svg.matches("<rect").count();
        assert!(
            cells > 100 && cells <= DENSITY_CELLS * DENSITY_CELLS + 10,
            "{cells}"
        );
        assert!(svg.contains("binned"));
    }

    #[test]
    fn a_small_test_split_gets_a_point_per_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scatter.svg");
        let (actual, predicted) = pairs(MAX_SCATTER_POINTS);

        draw_scatter(&path, "t", &actual, &predicted).unwrap();

        let svg = std::fs::read_to_string(&path).unwrap();
        assert_eq!(svg.matches("<circle").count(), MAX_SCATTER_POINTS);
    }

    #[test]
    fn density_counts_every_row_once_and_clamps_to_the_plot_area() {
        let actual = [1.0, 1.0, 10.0, 5.5, 0.0];
        let predicted = [1.0, 1.01, 10.0, 5.5, 12.0];
        let cells = density(&actual, &predicted);
        assert_eq!(cells.iter().map(|c| c.2).sum::<u32>(), 5);
        assert!(cells.contains(&(0, 0, 2)));
        assert!(cells.contains(&(DENSITY_CELLS - 1, DENSITY_CELLS - 1, 1)));
        assert!(cells.contains(&(0, DENSITY_CELLS - 1, 1)));
    }
}
