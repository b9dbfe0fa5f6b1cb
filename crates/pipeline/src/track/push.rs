//! [`push_pending`]: logs a run saved while the backend was unreachable.

use std::collections::BTreeMap;
use std::path::Path;

use reelcast_registry::{open, redact_uri, OpenOptions, RunStatus};

use super::liveness::owner_tags;
use super::record::{RunRecord, PENDING_RUN_FILE, PUSHED_RUN_FILE};
use super::register::{register, Registered};
use super::run::fail_run;
use super::{Error, Result};

/// What [`push_pending`] did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Pushed {
    /// The new run.
    pub run_id: String,
    /// Its experiment.
    pub experiment: String,
    /// Where it was pushed (credentials redacted).
    pub tracking_uri: String,
    /// True when that is the URI saved in the record (no override given).
    pub uri_from_record: bool,
    /// The registered version, when the original `train` asked for one.
    pub registered: Option<Registered>,
    /// True when `--promote-if-better` was asked for but not evaluated: the comparison
    /// needs the training data, which the record does not hold.
    pub promotion_not_evaluated: bool,
}

/// Logs the run saved in `dir/pending-run.json` as a new run with its real start and end
/// times, to `uri` when given, else to the URI the run was meant for (credentials then
/// come from `MLFLOW_TRACKING_USERNAME`/`PASSWORD`/`TOKEN`: they are never saved), ends it
/// FINISHED, registers it when the original `train` asked to, then renames the file to
/// `pending-run.pushed.json` so a second push does not log it twice. A registration
/// failure is an [`Error::Registration`]; the run stays FINISHED and the file is kept.
pub fn push_pending(dir: &Path, uri: Option<&str>, options: &OpenOptions) -> Result<Pushed> {
    let record = RunRecord::load_pending(dir)?;
    let target = uri.unwrap_or(&record.tracking_uri);
    let shown = redact_uri(target);
    let backend = open(target, options)
        .map_err(|e| Error::registry(format!("opening the tracking backend {shown}"), e))?;
    let mut tags = BTreeMap::new();
    tags.extend(owner_tags());
    let start = if record.start_time_ms > 0 {
        record.start_time_ms
    } else {
        now_ms()
    };
    let run = backend
        .create_run_at(&record.experiment, &record.run_name, &tags, start)
        .map_err(|e| Error::registry(format!("creating a run in {shown}"), e))?;
    let end = if record.end_time_ms > 0 {
        record.end_time_ms
    } else {
        now_ms()
    };
    // As in `train`: the run ends FINISHED with all its artifacts before a version points
    // at it.
    let logged = (|| -> Result<()> {
        // The record's tags replace the pushing process's owner tags but for host and pid.
        let mut logged = record.clone();
        logged.tags.extend(tags.clone());
        logged.log(backend.as_ref(), &run.run_id, dir)?;
        backend
            .end_run_at(&run.run_id, RunStatus::Finished, end)
            .map_err(|e| Error::registry(format!("ending run {}", run.run_id), e))
    })();
    if let Err(e) = logged {
        fail_run(backend.as_ref(), &run.run_id, &e.chain());
        return Err(Error::Invalid(format!(
            "pushing {} as run {} (marked FAILED): {}",
            dir.join(PENDING_RUN_FILE).display(),
            run.run_id,
            e.chain()
        )));
    }
    let registered = record
        .register
        .as_ref()
        .map(|request| {
            register(backend.as_ref(), request, &run.run_id).map_err(|e| Error::Registration {
                run_id: run.run_id.clone(),
                context: format!(
                    "pushing {}: run {} in {shown} is FINISHED with its artifacts, but registering it as a version of {} did not complete (the record is kept: pushing it again logs a new run and registers that)",
                    dir.join(PENDING_RUN_FILE).display(),
                    run.run_id,
                    request.model_name
                ),
                source: Box::new(e),
            })
        })
        .transpose()?;
    let pushed = dir.join(PUSHED_RUN_FILE);
    std::fs::rename(dir.join(PENDING_RUN_FILE), &pushed).map_err(|e| {
        Error::io(
            format!("renaming the pushed record to {}", pushed.display()),
            e,
        )
    })?;
    let promotion_not_evaluated = record
        .register
        .as_ref()
        .is_some_and(|r| r.promote_if_better)
        && registered.as_ref().is_some_and(|r| !r.first_champion);
    Ok(Pushed {
        run_id: run.run_id,
        experiment: record.experiment,
        tracking_uri: shown,
        uri_from_record: uri.is_none(),
        registered,
        promotion_not_evaluated,
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
