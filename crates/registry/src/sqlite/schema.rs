//! Versioned schema migrations of the embedded database, tracked in `PRAGMA user_version`.
//!
//! Each entry of [`MIGRATIONS`] moves the schema one version up; they are applied in order,
//! each in its own `BEGIN IMMEDIATE` transaction that re-reads the version first, so two
//! processes opening a fresh database at once apply every migration exactly once. Never
//! edit a released migration: append a new one.

use rusqlite::{Connection, TransactionBehavior};

use super::sql_error;
use crate::{Error, Result};

/// The migrations, oldest first; the schema version is the number applied.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: tracking (experiments, runs, params, metrics, tags, artifacts) and the registry
    // (registered models, versions, version tags, aliases and their history).
    r"
    CREATE TABLE experiments (
        experiment_id INTEGER PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE,
        created_ms    INTEGER NOT NULL
    );
    CREATE TABLE runs (
        run_id        TEXT PRIMARY KEY,
        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
        run_name      TEXT NOT NULL,
        status        TEXT NOT NULL,
        start_ms      INTEGER NOT NULL,
        end_ms        INTEGER
    );
    CREATE INDEX runs_by_experiment ON runs (experiment_id, start_ms);
    CREATE TABLE params (
        run_id TEXT NOT NULL REFERENCES runs (run_id),
        key    TEXT NOT NULL,
        value  TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    );
    CREATE TABLE metrics (
        metric_id    INTEGER PRIMARY KEY,
        run_id       TEXT NOT NULL REFERENCES runs (run_id),
        key          TEXT NOT NULL,
        value        REAL NOT NULL,
        step         INTEGER NOT NULL,
        timestamp_ms INTEGER NOT NULL
    );
    CREATE INDEX metrics_by_run ON metrics (run_id, key);
    CREATE TABLE tags (
        run_id TEXT NOT NULL REFERENCES runs (run_id),
        key    TEXT NOT NULL,
        value  TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    );
    CREATE TABLE artifacts (
        run_id     TEXT NOT NULL REFERENCES runs (run_id),
        path       TEXT NOT NULL,
        sha256     TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        PRIMARY KEY (run_id, path)
    );
    CREATE TABLE registered_models (
        name       TEXT PRIMARY KEY,
        created_ms INTEGER NOT NULL
    );
    CREATE TABLE registered_model_tags (
        name  TEXT NOT NULL REFERENCES registered_models (name),
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (name, key)
    );
    CREATE TABLE model_versions (
        name          TEXT NOT NULL REFERENCES registered_models (name),
        version       INTEGER NOT NULL,
        run_id        TEXT NOT NULL REFERENCES runs (run_id),
        artifact_path TEXT NOT NULL,
        created_ms    INTEGER NOT NULL,
        PRIMARY KEY (name, version),
        FOREIGN KEY (run_id, artifact_path) REFERENCES artifacts (run_id, path)
    );
    CREATE TABLE model_version_tags (
        name    TEXT NOT NULL,
        version INTEGER NOT NULL,
        key     TEXT NOT NULL,
        value   TEXT NOT NULL,
        PRIMARY KEY (name, version, key),
        FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
    );
    CREATE TABLE aliases (
        name    TEXT NOT NULL,
        alias   TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (name, alias),
        FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
    );
    CREATE TABLE alias_history (
        change_id    INTEGER PRIMARY KEY AUTOINCREMENT,
        name         TEXT NOT NULL REFERENCES registered_models (name),
        alias        TEXT NOT NULL,
        from_version INTEGER,
        to_version   INTEGER,
        changed_ms   INTEGER NOT NULL
    );
    CREATE INDEX alias_history_by_alias ON alias_history (name, alias, change_id);
    ",
];

/// The schema version this build writes.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

fn user_version(conn: &Connection) -> Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| sql_error("reading the schema version", e))
}

/// Applies the pending migrations; refuses a database written by a newer build.
/// Returns the schema version afterwards.
pub(crate) fn migrate(conn: &mut Connection, describe: &str) -> Result<i64> {
    let refuse_newer = |found: i64| {
        Error::Invalid(format!(
            "{describe} has schema version {found}, newer than this build reads ({}); upgrade reelcast",
            latest_version()
        ))
    };
    let found = user_version(conn)?;
    if found > latest_version() {
        return Err(refuse_newer(found));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let target = index as i64 + 1;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_error("starting a schema migration", e))?;
        let current = user_version(&tx)?;
        if current > latest_version() {
            return Err(refuse_newer(current));
        }
        if current >= target {
            continue;
        }
        tx.execute_batch(sql)
            .map_err(|e| sql_error(&format!("applying schema migration {target}"), e))?;
        tx.pragma_update(None, "user_version", target)
            .map_err(|e| sql_error("recording the schema version", e))?;
        tx.commit()
            .map_err(|e| sql_error(&format!("committing schema migration {target}"), e))?;
        tracing::info!(db = describe, version = target, "schema migration applied");
    }
    user_version(conn)
}
