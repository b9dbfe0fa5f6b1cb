//! `reelcast runs list | show | compare | push`.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use reelcast_registry::{Backend, Error as RegistryError, Run, RunStatus};
use serde_json::json;

use crate::args::{RunShowArgs, RunsCompareArgs, RunsListArgs, RunsPushArgs};
use crate::commands::tracking::{self, print_table, RunRecord, PENDING_RUN_FILE};
use crate::settings::Settings;
use crate::Outcome;

fn status(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Running => "RUNNING",
        RunStatus::Finished => "FINISHED",
        RunStatus::Failed => "FAILED",
        RunStatus::Killed => "KILLED",
    }
}

fn metric(run: &Run, key: &str) -> String {
    run.metrics
        .get(key)
        .map_or_else(|| "-".into(), |v| format!("{v:.4}"))
}

fn get_run(backend: &dyn Backend, id: &str, experiment: &str) -> Result<Run> {
    backend.get_run(id).map_err(|e| {
        if matches!(e, RegistryError::NotFound(_)) {
            anyhow::anyhow!(
                "{e}; list the runs with `reelcast runs list --experiment {experiment}`"
            )
        } else {
            anyhow::Error::new(e)
        }
    })
}

/// `runs list`: newest first.
pub(crate) fn list(a: &RunsListArgs, settings: &Settings) -> Result<Outcome> {
    let backend = tracking::open_backend(&a.tracking, settings)?;
    let experiment = a
        .experiment
        .clone()
        .unwrap_or_else(|| settings.tracking.experiment.clone());
    let runs = match backend.list_runs(&experiment, a.limit) {
        Ok(runs) => runs,
        Err(RegistryError::NotFound(_)) => anyhow::bail!(
            "experiment {experiment:?} has no runs in {}; train one with `reelcast train`",
            backend.describe()
        ),
        Err(e) => return Err(e.into()),
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&runs)?);
        return Ok(Outcome::Ok);
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.run_id.clone(),
                tracking::format_ms(r.start_time_ms),
                status(r.status).into(),
                r.tags.get("model_kind").cloned().unwrap_or_default(),
                metric(r, "test_rmse"),
                metric(r, "test_r2"),
                r.tags.get("dataset_version").cloned().unwrap_or_default(),
            ]
        })
        .collect();
    print_table(
        &[
            "run_id",
            "started (UTC)",
            "status",
            "model",
            "test_rmse",
            "test_r2",
            "dataset",
        ],
        &rows,
    );
    Ok(Outcome::Ok)
}

/// `runs show ID`.
pub(crate) fn show(a: &RunShowArgs, settings: &Settings) -> Result<Outcome> {
    let backend = tracking::open_backend(&a.tracking, settings)?;
    let run = get_run(backend.as_ref(), &a.id, &settings.tracking.experiment)?;
    let artifacts = backend.list_artifacts(&run.run_id)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"run": run, "artifacts": artifacts}))?
        );
        return Ok(Outcome::Ok);
    }
    println!("run         {}", run.run_id);
    println!("name        {}", run.run_name);
    println!("experiment  {}", run.experiment);
    println!("status      {}", status(run.status));
    println!("started     {} UTC", tracking::format_ms(run.start_time_ms));
    if let Some(end) = run.end_time_ms {
        println!("ended       {} UTC", tracking::format_ms(end));
    }
    for (title, map) in [("params", &run.params), ("tags", &run.tags)] {
        println!("\n{title}");
        let rows: Vec<Vec<String>> = map
            .iter()
            .map(|(k, v)| vec![format!("  {k}"), v.clone()])
            .collect();
        print_table(&["  key", "value"], &rows);
    }
    println!("\nmetrics");
    let rows: Vec<Vec<String>> = run
        .metrics
        .iter()
        .map(|(k, v)| vec![format!("  {k}"), format!("{v:.6}")])
        .collect();
    print_table(&["  key", "value"], &rows);
    println!("\nartifacts");
    for path in &artifacts {
        println!("  {path}");
    }
    Ok(Outcome::Ok)
}

/// `runs compare A B`: every param and metric of either run, metrics with B - A.
pub(crate) fn compare(a: &RunsCompareArgs, settings: &Settings) -> Result<Outcome> {
    let backend = tracking::open_backend(&a.tracking, settings)?;
    let experiment = &settings.tracking.experiment;
    let (ra, rb) = (
        get_run(backend.as_ref(), &a.a, experiment)?,
        get_run(backend.as_ref(), &a.b, experiment)?,
    );
    let param_keys: BTreeSet<&String> = ra.params.keys().chain(rb.params.keys()).collect();
    let metric_keys: BTreeSet<&String> = ra.metrics.keys().chain(rb.metrics.keys()).collect();
    if a.json {
        let params: BTreeMap<&String, _> = param_keys
            .iter()
            .map(|k| (*k, json!({"a": ra.params.get(*k), "b": rb.params.get(*k), "same": ra.params.get(*k) == rb.params.get(*k)})))
            .collect();
        let metrics: BTreeMap<&String, _> = metric_keys
            .iter()
            .map(|k| {
                let (x, y) = (ra.metrics.get(*k), rb.metrics.get(*k));
                let diff = x.zip(y).map(|(x, y)| y - x);
                (*k, json!({"a": x, "b": y, "diff": diff}))
            })
            .collect();
        let out = json!({"a": ra, "b": rb, "params": params, "metrics": metrics});
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(Outcome::Ok);
    }
    let short = |id: &str| id.chars().take(8).collect::<String>();
    let (ha, hb) = (short(&ra.run_id), short(&rb.run_id));
    let dash = || "-".to_owned();
    let rows: Vec<Vec<String>> = param_keys
        .iter()
        .map(|k| {
            let (x, y) = (ra.params.get(*k), rb.params.get(*k));
            vec![
                (*k).clone(),
                x.cloned().unwrap_or_else(dash),
                y.cloned().unwrap_or_else(dash),
                if x == y {
                    String::new()
                } else {
                    "differs".into()
                },
            ]
        })
        .collect();
    println!("params");
    print_table(&["key", &ha, &hb, ""], &rows);
    let rows: Vec<Vec<String>> = metric_keys
        .iter()
        .map(|k| {
            let (x, y) = (ra.metrics.get(*k), rb.metrics.get(*k));
            let fmt = |v: Option<&f64>| v.map_or_else(dash, |v| format!("{v:.4}"));
            let diff = x
                .zip(y)
                .map_or_else(dash, |(x, y)| format!("{:+.4}", y - x));
            vec![(*k).clone(), fmt(x), fmt(y), diff]
        })
        .collect();
    println!("\nmetrics");
    print_table(&["key", &ha, &hb, "b - a"], &rows);
    Ok(Outcome::Ok)
}

/// `runs push DIR`: logs the run saved in `DIR/pending-run.json` as a new run (and
/// registers it when the original `train` asked to), then renames the file to
/// `pending-run.pushed.json` so a second push does not log it twice.
pub(crate) fn push(a: &RunsPushArgs, settings: &Settings) -> Result<Outcome> {
    let record = RunRecord::load_pending(&a.dir)?;
    // The URI given now wins; else the one configured; the record names the one that failed.
    let uri = a
        .tracking
        .tracking_uri
        .clone()
        .unwrap_or_else(|| settings.tracking.uri.clone());
    let backend = tracking::open_raw(&uri, settings)
        .with_context(|| format!("opening the tracking backend {uri}"))?;
    let run = backend.create_run(&record.experiment, &record.run_name, &BTreeMap::new())?;
    let published = (|| -> Result<_> {
        record.log(backend.as_ref(), &run.run_id, &a.dir)?;
        let registered = match &record.register {
            Some(request) => Some(tracking::register(backend.as_ref(), request, &run.run_id)?),
            None => None,
        };
        Ok(registered)
    })();
    let registered = match published {
        Ok(r) => {
            backend.end_run(&run.run_id, RunStatus::Finished)?;
            r
        }
        Err(e) => {
            let _ = backend.end_run(&run.run_id, RunStatus::Failed);
            return Err(e.context(format!(
                "pushing {} as run {} (marked FAILED)",
                a.dir.join(PENDING_RUN_FILE).display(),
                run.run_id
            )));
        }
    };
    let pushed = a.dir.join("pending-run.pushed.json");
    std::fs::rename(a.dir.join(PENDING_RUN_FILE), &pushed)
        .with_context(|| format!("renaming the pushed record to {}", pushed.display()))?;
    let promote_skipped = record
        .register
        .as_ref()
        .is_some_and(|r| r.promote_if_better)
        && registered.as_ref().is_some_and(|r| !r.first_champion);
    if a.json {
        let out = json!({
            "run_id": run.run_id,
            "experiment": record.experiment,
            "uri": uri,
            "registered": registered.as_ref().map(|r| json!({
                "name": r.version.name,
                "version": r.version.version,
                "aliases": r.version.aliases,
                "first_champion": r.first_champion,
            })),
            "promotion_skipped": promote_skipped,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("pushed run {} to {} ({uri})", run.run_id, record.experiment);
        if let Some(r) = &registered {
            r.print();
        }
    }
    if promote_skipped {
        let r = registered.as_ref().expect("checked above");
        eprintln!(
            "warning: --promote-if-better is not re-evaluated on push; compare and promote by hand: `reelcast models promote {} {} --alias champion`",
            r.version.name, r.version.version
        );
    }
    Ok(Outcome::Ok)
}
