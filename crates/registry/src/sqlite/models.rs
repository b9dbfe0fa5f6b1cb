//! The embedded backend's registry operations: registered models, versions, aliases.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};

use super::read::{current_alias, read_model, read_version, run_exists};
use super::{artifacts, now_ms, record_alias_change, sql_error, version_i64, SqliteBackend};
use crate::{
    check_alias, check_model_name, AliasChange, Error, ModelVersion, RegisteredModel, Result,
};

pub(super) fn create_model_version(
    b: &SqliteBackend,
    name: &str,
    run_id: &str,
    artifact_path: &str,
    tags: &BTreeMap<String, String>,
    description: &str,
) -> Result<ModelVersion> {
    check_model_name(name)?;
    let artifact_path = artifacts::check_path(artifact_path)?;
    let version = b.write("registering a model version", |tx| {
        run_exists(tx, run_id)?;
        let ctx = |e| sql_error(&format!("registering a version of {name}"), e);
        // The artifact file itself, or a folder: files under `artifact_path/`.
        let has_artifact = tx
            .query_row(
                "SELECT 1 FROM artifacts WHERE run_id = ?1
                 AND (path = ?2 OR substr(path, 1, length(?2) + 1) = ?2 || '/') LIMIT 1",
                params![run_id, artifact_path],
                |_| Ok(()),
            )
            .optional()
            .map_err(ctx)?
            .is_some();
        if !has_artifact {
            return Err(Error::Invalid(format!(
                "run {run_id} has no artifact {artifact_path}; log it before registering"
            )));
        }
        let now = now_ms();
        tx.execute(
            "INSERT INTO registered_models (name, created_ms) VALUES (?1, ?2)
             ON CONFLICT (name) DO NOTHING",
            params![name, now],
        )
        .map_err(ctx)?;
        // Inside BEGIN IMMEDIATE: no other writer runs between this read and the insert.
        let version: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .map_err(ctx)?;
        tx.execute(
            "INSERT INTO model_versions
             (name, version, run_id, artifact_path, created_ms, description)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![name, version, run_id, artifact_path, now, description],
        )
        .map_err(ctx)?;
        for (key, value) in tags {
            tx.execute(
                "INSERT INTO model_version_tags (name, version, key, value)
                 VALUES (?1, ?2, ?3, ?4)",
                params![name, version, key, value],
            )
            .map_err(ctx)?;
        }
        Ok(version as u64)
    })?;
    get_model_version(b, name, version)
}

pub(super) fn set_model_description(
    b: &SqliteBackend,
    name: &str,
    description: &str,
) -> Result<()> {
    b.write("describing a registered model", |tx| {
        read_model(tx, name)?;
        tx.execute(
            "UPDATE registered_models SET description = ?2 WHERE name = ?1",
            params![name, description],
        )
        .map_err(|e| sql_error(&format!("describing {name}"), e))?;
        Ok(())
    })
}

pub(super) fn get_model_version(
    b: &SqliteBackend,
    name: &str,
    version: u64,
) -> Result<ModelVersion> {
    b.read(|conn| {
        read_model(conn, name)?;
        read_version(conn, name, version)
    })
}

pub(super) fn list_models(b: &SqliteBackend) -> Result<Vec<RegisteredModel>> {
    b.read(|conn| {
        let ctx = |e| sql_error("listing registered models", e);
        let mut stmt = conn
            .prepare_cached("SELECT name FROM registered_models ORDER BY name")
            .map_err(ctx)?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(ctx)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(ctx)?;
        names.iter().map(|n| read_model(conn, n)).collect()
    })
}

pub(super) fn get_model(b: &SqliteBackend, name: &str) -> Result<RegisteredModel> {
    b.read(|conn| read_model(conn, name))
}

pub(super) fn list_versions(b: &SqliteBackend, name: &str) -> Result<Vec<ModelVersion>> {
    b.read(|conn| {
        read_model(conn, name)?;
        let ctx = |e| sql_error(&format!("listing versions of {name}"), e);
        let mut stmt = conn
            .prepare_cached(
                "SELECT version FROM model_versions WHERE name = ?1 ORDER BY version DESC",
            )
            .map_err(ctx)?;
        let versions = stmt
            .query_map([name], |r| r.get::<_, i64>(0))
            .map_err(ctx)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(ctx)?;
        versions
            .into_iter()
            .map(|v| read_version(conn, name, v as u64))
            .collect()
    })
}

pub(super) fn set_alias(b: &SqliteBackend, name: &str, alias: &str, version: u64) -> Result<()> {
    check_alias(alias)?;
    b.write("setting an alias", |tx| {
        read_model(tx, name)?;
        read_version(tx, name, version)?;
        let from = current_alias(tx, name, alias)?;
        if from == Some(version) {
            return Ok(());
        }
        tx.execute(
            "INSERT INTO aliases (name, alias, version) VALUES (?1, ?2, ?3)
             ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
            params![name, alias, version_i64(version)?],
        )
        .map_err(|e| sql_error(&format!("setting @{alias} of {name}"), e))?;
        record_alias_change(tx, name, alias, from, Some(version))
    })
}

pub(super) fn get_alias(
    b: &SqliteBackend,
    name: &str,
    alias: &str,
) -> Result<Option<ModelVersion>> {
    b.read(|conn| {
        read_model(conn, name)?;
        match current_alias(conn, name, alias)? {
            Some(v) => read_version(conn, name, v).map(Some),
            None => Ok(None),
        }
    })
}

pub(super) fn delete_alias(b: &SqliteBackend, name: &str, alias: &str) -> Result<()> {
    b.write("deleting an alias", |tx| {
        read_model(tx, name)?;
        let from = current_alias(tx, name, alias)?
            .ok_or_else(|| Error::NotFound(format!("alias @{alias} of model {name:?}")))?;
        tx.execute(
            "DELETE FROM aliases WHERE name = ?1 AND alias = ?2",
            params![name, alias],
        )
        .map_err(|e| sql_error(&format!("deleting @{alias} of {name}"), e))?;
        record_alias_change(tx, name, alias, Some(from), None)
    })
}

pub(super) fn alias_history(
    b: &SqliteBackend,
    name: &str,
    alias: &str,
) -> Result<Vec<AliasChange>> {
    b.read(|conn| {
        read_model(conn, name)?;
        let ctx = |e| sql_error(&format!("reading the history of @{alias} of {name}"), e);
        let mut stmt = conn
            .prepare_cached(
                "SELECT from_version, to_version, changed_ms FROM alias_history
                 WHERE name = ?1 AND alias = ?2 ORDER BY change_id",
            )
            .map_err(ctx)?;
        let rows = stmt
            .query_map(params![name, alias], |r| {
                Ok(AliasChange {
                    alias: alias.to_owned(),
                    from_version: r.get::<_, Option<i64>>(0)?.map(|v| v as u64),
                    to_version: r.get::<_, Option<i64>>(1)?.map(|v| v as u64),
                    changed_ms: r.get(2)?,
                })
            })
            .map_err(ctx)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(ctx)
    })
}
