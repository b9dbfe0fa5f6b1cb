//! Which process owns a RUNNING run, whether it still lives, and collecting the runs of
//! processes that are gone (killed, crashed): their unregistered, possibly partial
//! artifacts are removed, then they are ended as KILLED.
//!
//! A run records its host, process id and the process's start time (clock ticks since
//! boot, from `/proc/<pid>/stat`: a reused process id has another start time). Only runs
//! of this host are judged, and only where `/proc` exists (Linux); any doubt leaves the run
//! alone.

use std::collections::BTreeMap;

use reelcast_registry::{Backend, Error as RegistryError, Run, RunStatus};

use super::{Error, Result, FAILURE_REASON_TAG};

/// Run tag: the host that runs it.
pub const HOST_TAG: &str = "host";
/// Run tag: the process id that runs it.
pub const PID_TAG: &str = "reelcast.pid";
/// Run tag: the start time of that process, in clock ticks since boot.
pub const PROCESS_START_TAG: &str = "reelcast.process_start_ticks";

/// Whether the process that owns a RUNNING run is alive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Liveness {
    /// Its process runs on this host.
    Live,
    /// Its process is gone from this host (or its id now belongs to another process).
    Gone,
    /// Another host owns it; it is never judged from here.
    OtherHost(String),
    /// It does not say (older runs) or this platform cannot tell.
    Unknown,
}

/// This machine's host name (`/proc/sys/kernel/hostname`, else `HOSTNAME`/`COMPUTERNAME`).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// State letter and start time (ticks since boot) of process `pid`, from
/// `/proc/<pid>/stat`; None when there is no such process.
fn process_stat(pid: u32) -> Option<(char, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: fields are
    // counted from the last `)`; the state is field 3, the start time field 22.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    let start = fields.get(19)?.parse().ok()?;
    Some((state, start))
}

/// The tags that let a later `gc` tell whether this process still owns its run.
pub fn owner_tags() -> BTreeMap<String, String> {
    let pid = std::process::id();
    let mut tags = BTreeMap::from([
        (HOST_TAG.to_owned(), host_name()),
        (PID_TAG.to_owned(), pid.to_string()),
    ]);
    if let Some((_, start)) = process_stat(pid) {
        tags.insert(PROCESS_START_TAG.to_owned(), start.to_string());
    }
    tags
}

/// Judges the owner of `run` from its tags (see [`Liveness`]).
pub fn liveness(run: &Run) -> Liveness {
    let (Some(host), Some(pid)) = (run.tags.get(HOST_TAG), run.tags.get(PID_TAG)) else {
        return Liveness::Unknown;
    };
    if *host != host_name() {
        return Liveness::OtherHost(host.clone());
    }
    let Ok(pid) = pid.parse::<u32>() else {
        return Liveness::Unknown;
    };
    if !std::path::Path::new("/proc/self/stat").exists() {
        return Liveness::Unknown;
    }
    match process_stat(pid) {
        None => Liveness::Gone,
        // A zombie has ended; only its exit status is left for its parent.
        Some(('Z' | 'X', _)) => Liveness::Gone,
        Some((_, start)) => match run.tags.get(PROCESS_START_TAG) {
            Some(recorded) if *recorded != start.to_string() => Liveness::Gone,
            Some(_) | None => Liveness::Live,
        },
    }
}

/// Whether `run` is RUNNING but its process is gone: `runs list` marks it stale.
pub fn is_stale(run: &Run) -> bool {
    run.status == RunStatus::Running && liveness(run) == Liveness::Gone
}

/// A run [`collect_stale_runs`] ended as KILLED.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CollectedRun {
    /// The run.
    pub run_id: String,
    /// The process that owned it.
    pub pid: String,
    /// Unregistered artifacts removed.
    pub removed_artifacts: Vec<String>,
}

/// Ends as KILLED every RUNNING run among the newest `limit` of `experiment` whose process
/// is gone from this host (with a failure-reason tag), after removing its artifacts that no
/// version references. Runs of live processes, of other hosts, and runs that do not say
/// are left alone. An experiment that does not exist has nothing to collect.
///
/// The run is ended last, so a collection that fails or is killed part-way leaves the run
/// RUNNING and stale, and the next one finishes it (a run ended first would leave files no
/// later collection looks at).
pub fn collect_stale_runs(
    backend: &dyn Backend,
    experiment: &str,
    limit: usize,
) -> Result<Vec<CollectedRun>> {
    let runs = match backend.list_runs(experiment, limit) {
        Ok(runs) => runs,
        Err(RegistryError::NotFound(_)) => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::registry(
                format!("listing the runs of {experiment}"),
                e,
            ))
        }
    };
    let mut collected = Vec::new();
    for run in runs.iter().filter(|r| is_stale(r)) {
        let pid = run.tags.get(PID_TAG).cloned().unwrap_or_default();
        let removed_artifacts =
            backend
                .remove_unreferenced_artifacts(&run.run_id)
                .map_err(|e| {
                    Error::registry(
                        format!(
                            "removing the partial artifacts of stale run {} (it stays RUNNING: the next `reelcast runs gc` retries)",
                            run.run_id
                        ),
                        e,
                    )
                })?;
        let reason = format!(
            "process {pid} on {} ended without ending the run (killed or crashed); marked KILLED by reelcast",
            host_name()
        );
        let tags = BTreeMap::from([(FAILURE_REASON_TAG.to_owned(), reason)]);
        backend
            .log_batch(&run.run_id, &BTreeMap::new(), &[], &tags)
            .and_then(|()| backend.end_run(&run.run_id, RunStatus::Killed))
            .map_err(|e| {
                Error::registry(format!("ending stale run {} as KILLED", run.run_id), e)
            })?;
        tracing::info!(run_id = %run.run_id, pid, removed = removed_artifacts.len(), "stale run marked KILLED");
        collected.push(CollectedRun {
            run_id: run.run_id.clone(),
            pid,
            removed_artifacts,
        });
    }
    Ok(collected)
}

/// The full id of the run whose id starts with `prefix` among the newest `limit` runs of
/// every experiment (as git resolves abbreviated commits; run ids are unique across
/// experiments); a full 32-digit id is returned as it is.
///
/// Errors: [`Error::Invalid`] for a prefix that is not hex digits or matches several runs
/// (listing them with their experiments), [`Error::Registry`] with
/// [`RegistryError::NotFound`] when none matches.
pub fn resolve_run_id(backend: &dyn Backend, prefix: &str, limit: usize) -> Result<String> {
    if prefix.len() == 32 {
        return Ok(prefix.to_owned());
    }
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Invalid(format!(
            "run id {prefix:?} is not hex digits; give a run id or a unique prefix of one (see `reelcast runs list`)"
        )));
    }
    let needle = prefix.to_ascii_lowercase();
    let runs = backend
        .list_all_runs(limit)
        .map_err(|e| Error::registry(format!("looking up run {prefix} in every experiment"), e))?;
    let matches: Vec<&Run> = runs
        .iter()
        .filter(|r| r.run_id.starts_with(&needle))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.run_id.clone()),
        [] => Err(Error::registry(
            format!("looking up run {prefix} in every experiment"),
            RegistryError::NotFound(format!("run with id starting with {prefix:?}")),
        )),
        many => Err(Error::Invalid(format!(
            "run id prefix {prefix:?} is ambiguous: it matches {} runs ({}); give more digits",
            many.len(),
            many.iter()
                .map(|r| format!("{} in {}", r.run_id, r.experiment))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_with(tags: &[(&str, String)]) -> Run {
        Run {
            run_id: "0".repeat(32),
            experiment: "e".into(),
            run_name: "r".into(),
            status: RunStatus::Running,
            start_time_ms: 0,
            end_time_ms: None,
            params: BTreeMap::new(),
            metrics: BTreeMap::new(),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            inputs: Vec::new(),
        }
    }

    #[test]
    fn judges_the_owner_of_a_run_from_its_tags() {
        let me = owner_tags();
        let mine: Vec<(&str, String)> = me.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        assert_eq!(liveness(&run_with(&mine)), Liveness::Live, "this process");
        let mut reused = mine.clone();
        reused.retain(|(k, _)| *k != PROCESS_START_TAG);
        reused.push((PROCESS_START_TAG, "1".into()));
        assert_eq!(liveness(&run_with(&reused)), Liveness::Gone, "pid reused");
        let other = [
            (HOST_TAG, "another-host.example".to_owned()),
            (PID_TAG, "1".to_owned()),
        ];
        assert_eq!(
            liveness(&run_with(&other)),
            Liveness::OtherHost("another-host.example".into())
        );
        assert_eq!(liveness(&run_with(&[])), Liveness::Unknown, "no tags");
    }
}
