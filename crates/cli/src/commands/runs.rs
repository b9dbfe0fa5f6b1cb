//! `reelcast runs list | show | compare | push | gc`.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use reelcast_pipeline::track::{
    collect_stale_runs, is_stale, push_pending, resolve_run_id, Error as TrackError,
};
use reelcast_registry::{
    open_existing, redact_uri, Backend, DatasetInput, Error as RegistryError, Run, RunStatus,
};
use serde_json::json;

use crate::args::{
    RunShowArgs, RunsCompareArgs, RunsGcArgs, RunsListArgs, RunsPushArgs, TrackingArgs,
};
use crate::commands::tracking::{self, print_registered, print_table, registered_json};
use crate::output::outln;
use crate::settings::Settings;
use crate::Outcome;

/// How many of the newest runs (of every experiment) a run-id prefix is matched against.
const PREFIX_SEARCH_LIMIT: usize = 10_000;

/// Opens the registry for the commands that only read (`runs list|show|compare`,
/// `models list|show`) and for `runs gc`, which has nothing to collect in a registry that
/// does not exist: an embedded registry must exist already, so a mistyped URI is an
/// error that says so, and creates nothing.
pub(crate) fn open_existing_backend(
    a: &TrackingArgs,
    settings: &Settings,
) -> Result<Box<dyn Backend>> {
    let uri = tracking::tracking_uri(a, settings);
    let opened = open_existing(&uri, &tracking::open_options(settings));
    let context = || format!("opening the tracking backend {}", redact_uri(&uri));
    match opened {
        Ok(backend) => Ok(backend),
        // Only an embedded registry whose file is missing is "not found" when opened.
        Err(e @ RegistryError::NotFound(_)) => Err(anyhow::anyhow!(
            "{e}: nothing has been tracked there yet; run `reelcast train --register` to create it, or check --tracking-uri / REELCAST_TRACKING_URI"
        )
        .context(context())),
        Err(e) => Err(anyhow::Error::new(e).context(context())),
    }
}

/// A run's status as shown: RUNNING runs whose process is gone are `RUNNING (stale)`.
fn shown_status(run: &Run) -> String {
    if is_stale(run) {
        "RUNNING (stale: process gone; `reelcast runs gc`)".into()
    } else {
        status(run.status).into()
    }
}

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

/// The run `id` names (a full id, or a unique prefix of one in any experiment).
fn get_run(backend: &dyn Backend, id: &str) -> Result<Run> {
    let hint = "list the runs with `reelcast runs list` (--experiment NAME for another experiment)";
    let id = resolve_run_id(backend, id, PREFIX_SEARCH_LIMIT).map_err(|e| {
        let not_found = matches!(
            e,
            TrackError::Registry {
                source: RegistryError::NotFound(_),
                ..
            }
        );
        if not_found {
            anyhow::anyhow!("{}; {hint}", e.chain())
        } else {
            anyhow::Error::new(e)
        }
    })?;
    backend.get_run(&id).map_err(|e| {
        if matches!(e, RegistryError::NotFound(_)) {
            anyhow::anyhow!("{e}; {hint}")
        } else {
            anyhow::Error::new(e)
        }
    })
}

/// `runs list`: newest first. An experiment without runs is not an error: it says so.
pub(crate) fn list(a: &RunsListArgs, settings: &Settings) -> Result<Outcome> {
    let backend = open_existing_backend(&a.tracking, settings)?;
    let experiment = a
        .experiment
        .clone()
        .unwrap_or_else(|| settings.tracking.experiment.clone());
    let runs = match backend.list_runs(&experiment, a.limit) {
        Ok(runs) => runs,
        Err(RegistryError::NotFound(_)) => Vec::new(),
        Err(e) => {
            return Err(anyhow::Error::new(e)
                .context(format!("listing the runs of experiment {experiment}")))
        }
    };
    if a.json {
        let runs: Vec<_> = runs
            .iter()
            .map(|r| {
                let mut value = json!(r);
                value["stale"] = json!(is_stale(r));
                value
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&runs)?)?;
        return Ok(Outcome::Ok);
    }
    if runs.is_empty() {
        let how = match &a.experiment {
            Some(name) => format!("`reelcast train --experiment {name}`"),
            None => "`reelcast train` (or list another experiment with --experiment NAME)".into(),
        };
        outln!(
            "no runs in experiment {experiment} of {} yet; track one with {how}",
            backend.describe()
        )?;
        return Ok(Outcome::Ok);
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.run_id.clone(),
                reelcast_registry::format_utc_ms(r.start_time_ms),
                shown_status(r),
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
    )?;
    Ok(Outcome::Ok)
}

/// `runs show ID`.
pub(crate) fn show(a: &RunShowArgs, settings: &Settings) -> Result<Outcome> {
    let backend = open_existing_backend(&a.tracking, settings)?;
    let run = get_run(backend.as_ref(), &a.id)?;
    let artifacts = backend.list_artifacts(&run.run_id)?;
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({"run": run, "artifacts": artifacts}))?
        )?;
        return Ok(Outcome::Ok);
    }
    outln!("run         {}", run.run_id)?;
    outln!("name        {}", run.run_name)?;
    outln!("experiment  {}", run.experiment)?;
    outln!("status      {}", shown_status(&run))?;
    outln!(
        "started     {} UTC",
        reelcast_registry::format_utc_ms(run.start_time_ms)
    )?;
    if let Some(end) = run.end_time_ms {
        outln!("ended       {} UTC", reelcast_registry::format_utc_ms(end))?;
    }
    for (title, map) in [("params", &run.params), ("tags", &run.tags)] {
        outln!("\n{title}")?;
        let rows: Vec<Vec<String>> = map
            .iter()
            .map(|(k, v)| vec![format!("  {k}"), v.clone()])
            .collect();
        print_table(&["  key", "value"], &rows)?;
    }
    outln!("\nmetrics")?;
    let rows: Vec<Vec<String>> = run
        .metrics
        .iter()
        .map(|(k, v)| vec![format!("  {k}"), format!("{v:.6}")])
        .collect();
    print_table(&["  key", "value"], &rows)?;
    if !run.inputs.is_empty() {
        outln!("\ninputs")?;
        let rows: Vec<Vec<String>> = run.inputs.iter().map(input_row).collect();
        print_table(&["  dataset", "digest", "context", "rows", "source"], &rows)?;
    }
    outln!("\nartifacts")?;
    for path in &artifacts {
        outln!("  {path}")?;
    }
    Ok(Outcome::Ok)
}

/// One dataset input of `runs show`: name, digest, context, row count (from the profile)
/// and source (its `uri`, else the source as logged).
fn input_row(input: &DatasetInput) -> Vec<String> {
    let field = |json: &str, key: &str| {
        serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .and_then(|v| {
                v.get(key)
                    .map(|f| f.as_str().map_or_else(|| f.to_string(), str::to_owned))
            })
    };
    vec![
        format!("  {}", input.name),
        input.digest.clone(),
        input.context.clone(),
        field(&input.profile, "num_rows").unwrap_or_else(|| "-".into()),
        format!(
            "{} {}",
            input.source_type,
            field(&input.source, "uri").unwrap_or_else(|| input.source.clone())
        ),
    ]
}

/// `runs compare A B`: every param and metric of either run, metrics with B - A; A and B
/// may be runs of different experiments.
pub(crate) fn compare(a: &RunsCompareArgs, settings: &Settings) -> Result<Outcome> {
    let backend = open_existing_backend(&a.tracking, settings)?;
    let (ra, rb) = (
        get_run(backend.as_ref(), &a.a)?,
        get_run(backend.as_ref(), &a.b)?,
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
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
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
    outln!("params")?;
    print_table(&["key", &ha, &hb, ""], &rows)?;
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
    outln!("\nmetrics")?;
    print_table(&["key", &ha, &hb, "b - a"], &rows)?;
    Ok(Outcome::Ok)
}

/// `runs push DIR`: logs the run saved in `DIR/pending-run.json` to the URI it was meant
/// for (or `--tracking-uri`), registering it when the original `train` asked to.
pub(crate) fn push(a: &RunsPushArgs, settings: &Settings) -> Result<Outcome> {
    let pushed = push_pending(
        &a.dir,
        a.tracking.tracking_uri.as_deref(),
        &tracking::open_options(settings),
    )?;
    let promote_note = pushed.registered.as_ref().filter(|_| pushed.promotion_not_evaluated).map(|r| {
        format!(
            "--promote-if-better was NOT re-evaluated on push (the comparison needs the training data); @champion did not move; compare with `reelcast models show {}` and promote by hand: `reelcast models promote {} {} --alias champion`",
            r.version.name, r.version.name, r.version.version
        )
    });
    if a.json {
        let out = json!({
            "run_id": pushed.run_id,
            "experiment": pushed.experiment,
            "uri": pushed.tracking_uri,
            "uri_from_record": pushed.uri_from_record,
            "registered": pushed.registered.as_ref().map(registered_json),
            "promotion_skipped": pushed.promotion_not_evaluated,
            "note": promote_note,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
    } else {
        let whence = if pushed.uri_from_record {
            "the URI saved with the run"
        } else {
            "--tracking-uri"
        };
        outln!(
            "pushed run {} to {} at {} ({whence})",
            pushed.run_id,
            pushed.experiment,
            pushed.tracking_uri
        )?;
        if let Some(r) = &pushed.registered {
            print_registered(r)?;
        }
    }
    if let Some(note) = promote_note {
        eprintln!("warning: {note}");
    }
    Ok(Outcome::Ok)
}

/// `runs gc`: ends as KILLED the RUNNING runs whose process is gone from this host.
pub(crate) fn gc(a: &RunsGcArgs, settings: &Settings) -> Result<Outcome> {
    let backend = open_existing_backend(&a.tracking, settings)?;
    let experiment = a
        .experiment
        .clone()
        .unwrap_or_else(|| settings.tracking.experiment.clone());
    let collected = collect_stale_runs(backend.as_ref(), &experiment, a.limit)?;
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({"killed": collected}))?
        )?;
        return Ok(Outcome::Ok);
    }
    if collected.is_empty() {
        outln!("no stale runs in {experiment} ({})", backend.describe())?;
    }
    for run in &collected {
        outln!(
            "killed  {} (process {} is gone); removed {} unregistered artifacts{}",
            run.run_id,
            run.pid,
            run.removed_artifacts.len(),
            if run.removed_artifacts.is_empty() {
                String::new()
            } else {
                format!(": {}", run.removed_artifacts.join(", "))
            }
        )?;
    }
    Ok(Outcome::Ok)
}
