//! Reads shared by the embedded backend's operations: runs, versions, models, aliases.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};

use super::{artifacts, sql_error, version_i64};
use crate::{DatasetInput, Error, ModelVersion, RegisteredModel, Result, Run, RunStatus};

pub(super) fn parse_status(raw: &str) -> Result<RunStatus> {
    match raw {
        "RUNNING" => Ok(RunStatus::Running),
        "FINISHED" => Ok(RunStatus::Finished),
        "FAILED" => Ok(RunStatus::Failed),
        "KILLED" => Ok(RunStatus::Killed),
        other => Err(Error::Corrupt(format!("unknown run status {other:?}"))),
    }
}

pub(super) fn run_exists(conn: &Connection, run_id: &str) -> Result<()> {
    artifacts::check_run_id(run_id)?;
    let found = conn
        .query_row("SELECT 1 FROM runs WHERE run_id = ?1", [run_id], |_| Ok(()))
        .optional()
        .map_err(|e| sql_error("looking up a run", e))?;
    found.ok_or_else(|| Error::NotFound(format!("run {run_id}")))
}

pub(super) fn read_run(conn: &Connection, run_id: &str) -> Result<Run> {
    artifacts::check_run_id(run_id)?;
    let ctx = |e| sql_error(&format!("reading run {run_id}"), e);
    let row = conn
        .query_row(
            "SELECT e.name, r.run_name, r.status, r.start_ms, r.end_ms
             FROM runs r JOIN experiments e USING (experiment_id) WHERE r.run_id = ?1",
            [run_id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            },
        )
        .optional()
        .map_err(ctx)?
        .ok_or_else(|| Error::NotFound(format!("run {run_id}")))?;
    let pairs = |sql: &str| -> Result<BTreeMap<String, String>> {
        let mut stmt = conn.prepare_cached(sql).map_err(ctx)?;
        let rows = stmt
            .query_map([run_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(ctx)?;
        rows.collect::<rusqlite::Result<_>>().map_err(ctx)
    };
    let params = pairs("SELECT key, value FROM params WHERE run_id = ?1")?;
    let tags = pairs("SELECT key, value FROM tags WHERE run_id = ?1")?;
    // Ordered so that the last row per key is the latest value (highest step, then the
    // latest timestamp, then the last logged).
    let mut stmt = conn
        .prepare_cached(
            "SELECT key, value FROM metrics WHERE run_id = ?1
             ORDER BY key, step, timestamp_ms, metric_id",
        )
        .map_err(ctx)?;
    let rows = stmt
        .query_map([run_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(ctx)?;
    let metrics = rows
        .collect::<rusqlite::Result<BTreeMap<String, f64>>>()
        .map_err(ctx)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, digest, source_type, source, schema, profile, context
             FROM run_inputs WHERE run_id = ?1 ORDER BY input_id",
        )
        .map_err(ctx)?;
    let inputs = stmt
        .query_map([run_id], |r| {
            Ok(DatasetInput {
                name: r.get(0)?,
                digest: r.get(1)?,
                source_type: r.get(2)?,
                source: r.get(3)?,
                schema: r.get(4)?,
                profile: r.get(5)?,
                context: r.get(6)?,
            })
        })
        .map_err(ctx)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(ctx)?;
    Ok(Run {
        inputs,
        run_id: run_id.to_owned(),
        experiment: row.0,
        run_name: row.1,
        status: parse_status(&row.2)?,
        start_time_ms: row.3,
        end_time_ms: row.4,
        params,
        metrics,
        tags,
    })
}

pub(super) fn read_version(conn: &Connection, name: &str, version: u64) -> Result<ModelVersion> {
    let v = version_i64(version)?;
    let ctx = |e| sql_error(&format!("reading version {version} of {name}"), e);
    let (run_id, artifact_path, created_ms, description) = conn
        .query_row(
            "SELECT run_id, artifact_path, created_ms, description FROM model_versions
             WHERE name = ?1 AND version = ?2",
            params![name, v],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(ctx)?
        .ok_or_else(|| Error::NotFound(format!("version {version} of model {name:?}")))?;
    let mut stmt = conn
        .prepare_cached("SELECT alias FROM aliases WHERE name = ?1 AND version = ?2 ORDER BY alias")
        .map_err(ctx)?;
    let aliases = stmt
        .query_map(params![name, v], |r| r.get(0))
        .map_err(ctx)?
        .collect::<rusqlite::Result<Vec<String>>>()
        .map_err(ctx)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT key, value FROM model_version_tags WHERE name = ?1 AND version = ?2",
        )
        .map_err(ctx)?;
    let tags = stmt
        .query_map(params![name, v], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(ctx)?
        .collect::<rusqlite::Result<BTreeMap<String, String>>>()
        .map_err(ctx)?;
    Ok(ModelVersion {
        name: name.to_owned(),
        version,
        run_id,
        artifact_path,
        created_ms,
        aliases,
        tags,
        description,
    })
}

pub(super) fn read_model(conn: &Connection, name: &str) -> Result<RegisteredModel> {
    let ctx = |e| sql_error(&format!("reading model {name}"), e);
    let (created_ms, description): (i64, String) = conn
        .query_row(
            "SELECT created_ms, description FROM registered_models WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(ctx)?
        .ok_or_else(|| Error::NotFound(format!("registered model {name:?}")))?;
    let mut stmt = conn
        .prepare_cached("SELECT alias, version FROM aliases WHERE name = ?1")
        .map_err(ctx)?;
    let aliases = stmt
        .query_map([name], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
        .map_err(ctx)?
        .collect::<rusqlite::Result<BTreeMap<String, u64>>>()
        .map_err(ctx)?;
    let latest_version: Option<i64> = conn
        .query_row(
            "SELECT MAX(version) FROM model_versions WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .map_err(ctx)?;
    let mut stmt = conn
        .prepare_cached("SELECT key, value FROM registered_model_tags WHERE name = ?1")
        .map_err(ctx)?;
    let tags = stmt
        .query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(ctx)?
        .collect::<rusqlite::Result<BTreeMap<String, String>>>()
        .map_err(ctx)?;
    Ok(RegisteredModel {
        name: name.to_owned(),
        created_ms,
        aliases,
        latest_version: latest_version.map(|v| v as u64),
        tags,
        description,
    })
}

pub(super) fn current_alias(conn: &Connection, name: &str, alias: &str) -> Result<Option<u64>> {
    conn.query_row(
        "SELECT version FROM aliases WHERE name = ?1 AND alias = ?2",
        params![name, alias],
        |r| r.get::<_, i64>(0),
    )
    .optional()
    .map(|v| v.map(|v| v as u64))
    .map_err(|e| sql_error(&format!("reading alias @{alias} of {name}"), e))
}
