//! The embedded backend's tracking operations: runs, params, metrics, tags, artifacts.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};

use super::read::{read_run, run_exists};
use super::{artifacts, new_run_id, now_ms, sql_error, status_name, SqliteBackend};
use crate::names::check_name;
use crate::{DatasetInput, Error, Metric, Result, Run, RunStatus};

pub(super) fn create_run(
    b: &SqliteBackend,
    experiment: &str,
    run_name: &str,
    tags: &BTreeMap<String, String>,
    start_time_ms: i64,
) -> Result<Run> {
    check_name("experiment", experiment)?;
    let run_id = new_run_id();
    let now = now_ms();
    b.write("creating a run", |tx| {
        let ctx = |e| sql_error(&format!("creating a run in {experiment}"), e);
        tx.execute(
            "INSERT INTO experiments (name, created_ms) VALUES (?1, ?2)
             ON CONFLICT (name) DO NOTHING",
            params![experiment, now],
        )
        .map_err(ctx)?;
        let experiment_id: i64 = tx
            .query_row(
                "SELECT experiment_id FROM experiments WHERE name = ?1",
                [experiment],
                |r| r.get(0),
            )
            .map_err(ctx)?;
        tx.execute(
            "INSERT INTO runs (run_id, experiment_id, run_name, status, start_ms)
             VALUES (?1, ?2, ?3, 'RUNNING', ?4)",
            params![run_id, experiment_id, run_name, start_time_ms],
        )
        .map_err(ctx)?;
        for (key, value) in tags {
            tx.execute(
                "INSERT INTO tags (run_id, key, value) VALUES (?1, ?2, ?3)",
                params![run_id, key, value],
            )
            .map_err(ctx)?;
        }
        Ok(())
    })?;
    Ok(Run {
        inputs: Vec::new(),
        run_id,
        experiment: experiment.to_owned(),
        run_name: run_name.to_owned(),
        status: RunStatus::Running,
        start_time_ms,
        end_time_ms: None,
        params: BTreeMap::new(),
        metrics: BTreeMap::new(),
        tags: tags.clone(),
    })
}

pub(super) fn log_batch(
    b: &SqliteBackend,
    run_id: &str,
    params: &BTreeMap<String, String>,
    metrics: &[Metric],
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    b.write("logging to a run", |tx| {
        run_exists(tx, run_id)?;
        let ctx = |e| sql_error(&format!("logging to run {run_id}"), e);
        for (key, value) in params {
            // Params are immutable, as in MLflow: the same value again is fine, a
            // different one is refused.
            let old: Option<String> = tx
                .query_row(
                    "SELECT value FROM params WHERE run_id = ?1 AND key = ?2",
                    params![run_id, key],
                    |r| r.get(0),
                )
                .optional()
                .map_err(ctx)?;
            match old {
                Some(old) if &old == value => {}
                Some(old) => {
                    return Err(Error::Invalid(format!(
                        "param {key:?} of run {run_id} is already {old:?}; params cannot change (got {value:?})"
                    )))
                }
                None => {
                    tx.execute(
                        "INSERT INTO params (run_id, key, value) VALUES (?1, ?2, ?3)",
                        params![run_id, key, value],
                    )
                    .map_err(ctx)?;
                }
            }
        }
        for m in metrics {
            tx.execute(
                "INSERT INTO metrics (run_id, key, value, step, timestamp_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![run_id, m.key, m.value, m.step, m.timestamp_ms],
            )
            .map_err(ctx)?;
        }
        for (key, value) in tags {
            tx.execute(
                "INSERT INTO tags (run_id, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
                params![run_id, key, value],
            )
            .map_err(ctx)?;
        }
        Ok(())
    })
}

pub(super) fn log_inputs(b: &SqliteBackend, run_id: &str, inputs: &[DatasetInput]) -> Result<()> {
    b.write("logging run inputs", |tx| {
        run_exists(tx, run_id)?;
        let ctx = |e| sql_error(&format!("logging the inputs of run {run_id}"), e);
        for input in inputs {
            tx.execute(
                "INSERT INTO run_inputs
                 (run_id, name, digest, source_type, source, schema, profile, context)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (run_id, name, digest, context) DO NOTHING",
                params![
                    run_id,
                    input.name,
                    input.digest,
                    input.source_type,
                    input.source,
                    input.schema,
                    input.profile,
                    input.context
                ],
            )
            .map_err(ctx)?;
        }
        Ok(())
    })
}

pub(super) fn log_artifact(
    b: &SqliteBackend,
    run_id: &str,
    path: &str,
    bytes: &[u8],
) -> Result<()> {
    let path = artifacts::check_path(path)?;
    b.read(|conn| {
        run_exists(conn, run_id)?;
        // A registered artifact is never replaced: a crash between the new file and
        // its row would leave a version whose checksum no longer matches.
        let registered: Option<(String, i64)> = conn
            .query_row(
                "SELECT name, version FROM model_versions
                 WHERE run_id = ?1 AND (artifact_path = ?2
                     OR substr(?2, 1, length(artifact_path) + 1) = artifact_path || '/')
                 LIMIT 1",
                params![run_id, path],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| sql_error(&format!("checking artifact {path} of run {run_id}"), e))?;
        match registered {
            Some((name, version)) => Err(Error::Invalid(format!(
                "artifact {path} of run {run_id} is registered as version {version} of {name:?} and cannot be replaced"
            ))),
            None => Ok(()),
        }
    })?;
    // The file goes first, its row second: a row always has a complete file.
    let file = artifacts::file_path(&b.artifact_root, run_id, path);
    artifacts::write_atomic(&file, bytes)?;
    let sha = artifacts::sha256_hex(bytes);
    b.write("recording an artifact", |tx| {
        tx.execute(
            "INSERT INTO artifacts (run_id, path, sha256, size_bytes) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (run_id, path) DO UPDATE
             SET sha256 = excluded.sha256, size_bytes = excluded.size_bytes",
            params![run_id, path, sha, bytes.len() as i64],
        )
        .map_err(|e| sql_error(&format!("recording artifact {path} of run {run_id}"), e))?;
        Ok(())
    })
}

pub(super) fn download_artifact(b: &SqliteBackend, run_id: &str, path: &str) -> Result<Vec<u8>> {
    let path = artifacts::check_path(path)?;
    let expected: String = b.read(|conn| {
        run_exists(conn, run_id)?;
        conn.query_row(
            "SELECT sha256 FROM artifacts WHERE run_id = ?1 AND path = ?2",
            params![run_id, path],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| sql_error(&format!("looking up artifact {path} of run {run_id}"), e))?
        .ok_or_else(|| Error::NotFound(format!("artifact {path} of run {run_id}")))
    })?;
    let file = artifacts::file_path(&b.artifact_root, run_id, path);
    let bytes = std::fs::read(&file).map_err(|e| {
        Error::Corrupt(format!(
            "artifact file {} is recorded but unreadable: {e}",
            file.display()
        ))
    })?;
    let actual = artifacts::sha256_hex(&bytes);
    if actual != expected {
        return Err(Error::Corrupt(format!(
            "artifact file {} has sha256 {actual}, expected {expected}",
            file.display()
        )));
    }
    Ok(bytes)
}

pub(super) fn list_artifacts(b: &SqliteBackend, run_id: &str) -> Result<Vec<String>> {
    b.read(|conn| {
        run_exists(conn, run_id)?;
        let ctx = |e| sql_error(&format!("listing artifacts of run {run_id}"), e);
        let mut stmt = conn
            .prepare_cached("SELECT path FROM artifacts WHERE run_id = ?1 ORDER BY path")
            .map_err(ctx)?;
        let rows = stmt.query_map([run_id], |r| r.get(0)).map_err(ctx)?;
        rows.collect::<rusqlite::Result<Vec<String>>>().map_err(ctx)
    })
}

pub(super) fn end_run(
    b: &SqliteBackend,
    run_id: &str,
    status: RunStatus,
    end_time_ms: i64,
) -> Result<()> {
    b.write("ending a run", |tx| {
        run_exists(tx, run_id)?;
        tx.execute(
            "UPDATE runs SET status = ?2, end_ms = ?3 WHERE run_id = ?1",
            params![run_id, status_name(status), end_time_ms],
        )
        .map_err(|e| sql_error(&format!("ending run {run_id}"), e))?;
        Ok(())
    })
}

pub(super) fn get_run(b: &SqliteBackend, run_id: &str) -> Result<Run> {
    b.read(|conn| read_run(conn, run_id))
}

pub(super) fn list_runs(b: &SqliteBackend, experiment: &str, limit: usize) -> Result<Vec<Run>> {
    b.read(|conn| {
        let ctx = |e| sql_error(&format!("listing runs of {experiment}"), e);
        let id: i64 = conn
            .query_row(
                "SELECT experiment_id FROM experiments WHERE name = ?1",
                [experiment],
                |r| r.get(0),
            )
            .optional()
            .map_err(ctx)?
            .ok_or_else(|| Error::NotFound(format!("experiment {experiment:?}")))?;
        read_newest_runs(
            conn,
            "SELECT run_id FROM runs WHERE experiment_id = ?1
             ORDER BY start_ms DESC, rowid DESC LIMIT ?2",
            params![id, sql_limit(limit)],
            &format!("listing runs of {experiment}"),
        )
    })
}

pub(super) fn list_all_runs(b: &SqliteBackend, limit: usize) -> Result<Vec<Run>> {
    b.read(|conn| {
        read_newest_runs(
            conn,
            "SELECT run_id FROM runs ORDER BY start_ms DESC, rowid DESC LIMIT ?1",
            params![sql_limit(limit)],
            "listing the runs of every experiment",
        )
    })
}

/// A `LIMIT` value: `limit`, or no limit when it does not fit.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The runs whose ids `sql` selects, in its order.
fn read_newest_runs(
    conn: &rusqlite::Connection,
    sql: &str,
    args: impl rusqlite::Params,
    what: &str,
) -> Result<Vec<Run>> {
    let ctx = |e| sql_error(what, e);
    let mut stmt = conn.prepare_cached(sql).map_err(ctx)?;
    let ids = stmt
        .query_map(args, |r| r.get::<_, String>(0))
        .map_err(ctx)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(ctx)?;
    ids.iter().map(|run_id| read_run(conn, run_id)).collect()
}

pub(super) fn remove_unreferenced_artifacts(
    b: &SqliteBackend,
    run_id: &str,
) -> Result<Vec<String>> {
    // Rows go first, files second: a row always has a complete file.
    let (removed, kept) = b.write("removing unreferenced artifacts", |tx| {
        run_exists(tx, run_id)?;
        let ctx = |e| {
            sql_error(
                &format!("removing unreferenced artifacts of run {run_id}"),
                e,
            )
        };
        let select = |sql: &str| -> Result<Vec<String>> {
            let mut stmt = tx.prepare(sql).map_err(ctx)?;
            let rows = stmt.query_map([run_id], |r| r.get(0)).map_err(ctx)?;
            rows.collect::<rusqlite::Result<Vec<String>>>().map_err(ctx)
        };
        let unreferenced = select(
            "SELECT a.path FROM artifacts a WHERE a.run_id = ?1 AND NOT EXISTS (
                 SELECT 1 FROM model_versions v
                 WHERE v.run_id = a.run_id AND (v.artifact_path = a.path
                     OR substr(a.path, 1, length(v.artifact_path) + 1) = v.artifact_path || '/'))
             ORDER BY a.path",
        )?;
        for path in &unreferenced {
            tx.execute(
                "DELETE FROM artifacts WHERE run_id = ?1 AND path = ?2",
                params![run_id, path],
            )
            .map_err(ctx)?;
        }
        let kept = select("SELECT path FROM artifacts WHERE run_id = ?1")?;
        Ok((unreferenced, kept))
    })?;
    let run_dir = b.artifact_root.join(run_id);
    let kept: std::collections::BTreeSet<std::path::PathBuf> = kept
        .iter()
        .map(|p| artifacts::file_path(&b.artifact_root, run_id, p))
        .collect();
    let files = artifacts::remove_files_except(&run_dir, &kept)?;
    // Files whose rows an interrupted earlier call already deleted count as removed too.
    let mut removed: std::collections::BTreeSet<String> = removed.into_iter().collect();
    removed.extend(files.iter().filter_map(|file| {
        let relative = file.strip_prefix(&run_dir).ok()?;
        let parts: Vec<_> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect();
        Some(parts.join("/"))
    }));
    Ok(removed.into_iter().collect())
}
