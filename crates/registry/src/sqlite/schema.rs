//! Versioned schema migrations of the embedded database, tracked in `PRAGMA user_version`.
//!
//! Each entry of [`MIGRATIONS`] moves the schema one version up; they are applied in order,
//! each in its own `BEGIN IMMEDIATE` transaction that re-reads the version first, so two
//! processes opening a fresh database at once apply every migration exactly once. Never
//! edit a released migration: append a new one.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

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
    // 2: a version may point at a folder (an MLflow model folder), so its
    // artifact path no longer references one artifact row (SQLite cannot drop a
    // constraint: the table is rebuilt, with foreign keys off, see `migrate`);
    // descriptions of registered models and versions; the datasets a run used.
    r"
    CREATE TABLE model_versions_new (
        name          TEXT NOT NULL REFERENCES registered_models (name),
        version       INTEGER NOT NULL,
        run_id        TEXT NOT NULL REFERENCES runs (run_id),
        artifact_path TEXT NOT NULL,
        created_ms    INTEGER NOT NULL,
        description   TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (name, version)
    );
    INSERT INTO model_versions_new (name, version, run_id, artifact_path, created_ms)
        SELECT name, version, run_id, artifact_path, created_ms FROM model_versions;
    DROP TABLE model_versions;
    ALTER TABLE model_versions_new RENAME TO model_versions;
    CREATE INDEX model_versions_by_run ON model_versions (run_id);
    ALTER TABLE registered_models ADD COLUMN description TEXT NOT NULL DEFAULT '';
    CREATE TABLE run_inputs (
        input_id    INTEGER PRIMARY KEY,
        run_id      TEXT NOT NULL REFERENCES runs (run_id),
        name        TEXT NOT NULL,
        digest      TEXT NOT NULL,
        source_type TEXT NOT NULL,
        source      TEXT NOT NULL,
        schema      TEXT NOT NULL,
        profile     TEXT NOT NULL,
        context     TEXT NOT NULL,
        UNIQUE (run_id, name, digest, context)
    );
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
///
/// Foreign keys are off while migrations run (SQLite's way to rebuild a table others
/// reference; the setting is this connection's only), and each migration checks them
/// with `PRAGMA foreign_key_check` before it commits.
pub(crate) fn migrate(conn: &mut Connection, describe: &str) -> Result<i64> {
    conn.pragma_update(None, "foreign_keys", false)
        .map_err(|e| sql_error("disabling foreign keys for migrations", e))?;
    let migrated = apply(conn, describe);
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(|e| sql_error("enabling foreign keys", e))?;
    migrated
}

fn apply(conn: &mut Connection, describe: &str) -> Result<i64> {
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
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .map_err(|e| sql_error(&format!("checking schema migration {target}"), e))?;
        if let Some(table) = broken {
            return Err(Error::Corrupt(format!(
                "{describe}: schema migration {target} leaves rows of table {table} without the rows they reference"
            )));
        }
        tx.pragma_update(None, "user_version", target)
            .map_err(|e| sql_error("recording the schema version", e))?;
        tx.commit()
            .map_err(|e| sql_error(&format!("committing schema migration {target}"), e))?;
        tracing::info!(db = describe, version = target, "schema migration applied");
    }
    user_version(conn)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::sqlite::SqliteBackend;
    use crate::{fetch_bundle, sha256_hex, Backend};

    #[test]
    fn a_schema_1_database_keeps_its_versions_and_then_takes_folder_versions() {
        let dir = tempfile::tempdir().unwrap();
        let (db, artifacts) = (dir.path().join("r.db"), dir.path().join("a"));
        let run_id = "0123456789abcdef0123456789abcdef";
        let bundle = b"RCBUNDLE old single-file layout".to_vec();
        let sha = sha256_hex(&bundle);
        {
            let conn = Connection::open(&db).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute_batch(&format!(
                "INSERT INTO experiments VALUES (1, 'e', 0);
                 INSERT INTO runs VALUES ('{run_id}', 1, 'r', 'FINISHED', 0, 1);
                 INSERT INTO artifacts VALUES ('{run_id}', 'model/model.bundle', '{sha}', {len});
                 INSERT INTO registered_models VALUES ('m', 0);
                 INSERT INTO model_versions VALUES ('m', 1, '{run_id}', 'model/model.bundle', 5);
                 INSERT INTO model_version_tags VALUES ('m', 1, 'bundle_sha256', '{sha}');
                 INSERT INTO aliases VALUES ('m', 'champion', 1);",
                len = bundle.len()
            ))
            .unwrap();
            let file = artifacts.join(run_id).join("model");
            std::fs::create_dir_all(&file).unwrap();
            std::fs::write(file.join("model.bundle"), &bundle).unwrap();
        }

        let backend = SqliteBackend::open(&db, &artifacts).unwrap();

        let old = backend.get_alias("m", "champion").unwrap().unwrap();
        assert_eq!((old.version, old.created_ms), (1, 5));
        assert_eq!(old.artifact_path, "model/model.bundle");
        assert_eq!(old.description, "");
        assert_eq!(fetch_bundle(&backend, &old).unwrap(), bundle);
        backend
            .log_artifact(run_id, "model/MLmodel", b"flavors: {}\n")
            .unwrap();
        let folder = backend
            .create_model_version("m", run_id, "model", &BTreeMap::new())
            .unwrap();
        assert_eq!(folder.version, 2);
        let conn = backend.lock();
        assert_eq!(user_version(&conn).unwrap(), latest_version());
        let broken: Option<String> = conn
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .unwrap();
        assert_eq!(broken, None);
        let enforced: bool = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(enforced, "foreign keys are on again after migrating");
    }
}
