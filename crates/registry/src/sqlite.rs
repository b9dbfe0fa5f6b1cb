//! The embedded backend: SQLite in WAL mode, artifacts in a local directory.
//!
//! - One database file shared by any number of processes: WAL journal, a 10 s busy
//!   timeout, `synchronous=NORMAL`, foreign keys on. Writes that read-then-write (new
//!   experiments, version numbers, aliases) run in `BEGIN IMMEDIATE` transactions, so two
//!   concurrent registrations never get the same version number.
//! - Artifacts live in `<artifact_root>/<run_id>/<path>`, written to a temporary file,
//!   fsynced and renamed; their SHA-256 is recorded in the `artifacts` table only after the
//!   file is in place, and checked on every download ([`Error::Corrupt`] names the file).
//! - A version row references its artifact row (a foreign key) and is inserted with its
//!   tags in one transaction: a process killed at any moment leaves either a complete
//!   version whose artifact is on disk, or no version.
//! - The schema is versioned (`PRAGMA user_version`, see `schema.rs`); a database written
//!   by a newer build is refused.

mod artifacts;
mod read;
mod schema;

use read::{current_alias, read_model, read_run, read_version, run_exists};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::{
    AliasChange, Backend, Error, Metric, ModelVersion, RegisteredModel, Result, Run, RunStatus,
};

/// How long a statement waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The embedded backend. Cheap to share behind an `Arc`; one connection, serialised by a
/// mutex (SQLite serialises writers anyway).
#[derive(Debug)]
pub struct SqliteBackend {
    conn: Mutex<Connection>,
    db_path: PathBuf,
    artifact_root: PathBuf,
}

/// Maps a SQLite error to the crate's error, with what was being done.
pub(crate) fn sql_error(context: &str, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            Error::Unavailable(format!("{context}: database is busy ({e})"))
        }
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            Error::Corrupt(format!("{context}: {e}"))
        }
        _ => Error::Other(format!("{context}: {e}")),
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A new run id: 32 lower-case hex digits from SHA-256 of the time, process id, a
/// process-wide counter and the thread, so ids never repeat across processes or threads.
fn new_run_id() -> String {
    use sha2::Digest;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!(
        "{nanos}:{}:{}:{:?}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::thread::current().id()
    );
    hex::encode(&sha2::Sha256::digest(seed.as_bytes())[..16])
}

fn status_name(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "RUNNING",
        RunStatus::Finished => "FINISHED",
        RunStatus::Failed => "FAILED",
        RunStatus::Killed => "KILLED",
    }
}

fn version_i64(version: u64) -> Result<i64> {
    i64::try_from(version).map_err(|_| Error::Invalid(format!("version {version} is too large")))
}

impl SqliteBackend {
    /// Opens (creating when missing) the database at `db_path` and the artifact directory
    /// `artifact_root`, and applies pending schema migrations.
    ///
    /// Errors: [`Error::Invalid`] for a database written by a newer reelcast,
    /// [`Error::Io`] when the directories cannot be created.
    pub fn open(db_path: &Path, artifact_root: &Path) -> Result<Self> {
        if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                context: format!("creating {}", parent.display()),
                source,
            })?;
        }
        std::fs::create_dir_all(artifact_root).map_err(|source| Error::Io {
            context: format!("creating {}", artifact_root.display()),
            source,
        })?;
        let describe = format!("database {}", db_path.display());
        let mut conn =
            Connection::open(db_path).map_err(|e| sql_error(&format!("opening {describe}"), e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| sql_error("setting the busy timeout", e))?;
        set_wal(&conn, &describe)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| sql_error("setting synchronous=NORMAL", e))?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(|e| sql_error("enabling foreign keys", e))?;
        schema::migrate(&mut conn, &describe)?;
        Ok(Self {
            conn: Mutex::new(conn),
            db_path: db_path.to_path_buf(),
            artifact_root: artifact_root.to_path_buf(),
        })
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The artifact directory.
    pub fn artifact_root(&self) -> &Path {
        &self.artifact_root
    }

    /// The schema version this build writes (the number of migrations).
    pub fn schema_version() -> i64 {
        schema::latest_version()
    }

    /// Runs `PRAGMA integrity_check` and returns its report (`["ok"]` when intact).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| sql_error("checking integrity", e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| sql_error("checking integrity", e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| sql_error("checking integrity", e))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable (every write is a
        // transaction that rolls back on drop), so a poisoned lock is recovered.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write<T>(&self, what: &str, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_error(what, e))?;
        let value = f(&tx)?;
        tx.commit().map_err(|e| sql_error(what, e))?;
        Ok(value)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        // One read transaction, so a multi-query read sees one snapshot.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| sql_error("starting a read", e))?;
        let value = f(&tx)?;
        tx.commit().map_err(|e| sql_error("ending a read", e))?;
        Ok(value)
    }
}

/// Switches to WAL; retried because changing the journal mode can report "busy" without
/// waiting while another process creates the database.
fn set_wal(conn: &Connection, describe: &str) -> Result<()> {
    let mut attempt = 0;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => {
                return Err(Error::Other(format!(
                    "{describe}: journal mode is {mode}, WAL is needed (is it on a network file system?)"
                )))
            }
            Err(e) if attempt < 50 => {
                tracing::debug!(error = %e, "journal_mode=WAL busy, retrying");
                attempt += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(sql_error(&format!("{describe}: enabling WAL"), e)),
        }
    }
}

fn record_alias_change(
    tx: &Transaction<'_>,
    name: &str,
    alias: &str,
    from: Option<u64>,
    to: Option<u64>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO alias_history (name, alias, from_version, to_version, changed_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            name,
            alias,
            from.map(|v| v as i64),
            to.map(|v| v as i64),
            now_ms()
        ],
    )
    .map_err(|e| sql_error(&format!("recording the move of @{alias} of {name}"), e))?;
    Ok(())
}

fn check_name(kind: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{kind} {name:?} must be 1-256 characters of letters, digits, `_`, `-` or `.`"
        )))
    }
}

impl Backend for SqliteBackend {
    fn describe(&self) -> String {
        // `sqlite:///` + the path: `sqlite:///./x.db` relative, `sqlite:////abs/x.db` absolute.
        format!("sqlite:///{}", self.db_path.display())
    }

    fn create_run(
        &self,
        experiment: &str,
        run_name: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<Run> {
        check_name("experiment", experiment)?;
        let run_id = new_run_id();
        let now = now_ms();
        self.write("creating a run", |tx| {
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
                params![run_id, experiment_id, run_name, now],
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
            run_id,
            experiment: experiment.to_owned(),
            run_name: run_name.to_owned(),
            status: RunStatus::Running,
            start_time_ms: now,
            end_time_ms: None,
            params: BTreeMap::new(),
            metrics: BTreeMap::new(),
            tags: tags.clone(),
        })
    }

    fn log_batch(
        &self,
        run_id: &str,
        params: &BTreeMap<String, String>,
        metrics: &[Metric],
        tags: &BTreeMap<String, String>,
    ) -> Result<()> {
        self.write("logging to a run", |tx| {
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

    fn log_artifact(&self, run_id: &str, path: &str, bytes: &[u8]) -> Result<()> {
        let path = artifacts::check_path(path)?;
        self.read(|conn| {
            run_exists(conn, run_id)?;
            // A registered artifact is never replaced: a crash between the new file and
            // its row would leave a version whose checksum no longer matches.
            let registered: Option<(String, i64)> = conn
                .query_row(
                    "SELECT name, version FROM model_versions
                     WHERE run_id = ?1 AND artifact_path = ?2 LIMIT 1",
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
        let file = artifacts::file_path(&self.artifact_root, run_id, path);
        artifacts::write_atomic(&file, bytes)?;
        let sha = artifacts::sha256_hex(bytes);
        self.write("recording an artifact", |tx| {
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

    fn download_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>> {
        let path = artifacts::check_path(path)?;
        let expected: String = self.read(|conn| {
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
        let file = artifacts::file_path(&self.artifact_root, run_id, path);
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

    fn list_artifacts(&self, run_id: &str) -> Result<Vec<String>> {
        self.read(|conn| {
            run_exists(conn, run_id)?;
            let ctx = |e| sql_error(&format!("listing artifacts of run {run_id}"), e);
            let mut stmt = conn
                .prepare_cached("SELECT path FROM artifacts WHERE run_id = ?1 ORDER BY path")
                .map_err(ctx)?;
            let rows = stmt.query_map([run_id], |r| r.get(0)).map_err(ctx)?;
            rows.collect::<rusqlite::Result<Vec<String>>>().map_err(ctx)
        })
    }

    fn end_run(&self, run_id: &str, status: RunStatus) -> Result<()> {
        self.write("ending a run", |tx| {
            run_exists(tx, run_id)?;
            tx.execute(
                "UPDATE runs SET status = ?2, end_ms = ?3 WHERE run_id = ?1",
                params![run_id, status_name(status), now_ms()],
            )
            .map_err(|e| sql_error(&format!("ending run {run_id}"), e))?;
            Ok(())
        })
    }

    fn get_run(&self, run_id: &str) -> Result<Run> {
        self.read(|conn| read_run(conn, run_id))
    }

    fn list_runs(&self, experiment: &str, limit: usize) -> Result<Vec<Run>> {
        self.read(|conn| {
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
            let mut stmt = conn
                .prepare_cached(
                    "SELECT run_id FROM runs WHERE experiment_id = ?1
                     ORDER BY start_ms DESC, rowid DESC LIMIT ?2",
                )
                .map_err(ctx)?;
            let ids = stmt
                .query_map(params![id, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                    r.get::<_, String>(0)
                })
                .map_err(ctx)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(ctx)?;
            ids.iter().map(|run_id| read_run(conn, run_id)).collect()
        })
    }

    fn create_model_version(
        &self,
        name: &str,
        run_id: &str,
        artifact_path: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<ModelVersion> {
        check_name("model name", name)?;
        let artifact_path = artifacts::check_path(artifact_path)?;
        let version = self.write("registering a model version", |tx| {
            run_exists(tx, run_id)?;
            let ctx = |e| sql_error(&format!("registering a version of {name}"), e);
            let has_artifact = tx
                .query_row(
                    "SELECT 1 FROM artifacts WHERE run_id = ?1 AND path = ?2",
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
                "INSERT INTO model_versions (name, version, run_id, artifact_path, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, version, run_id, artifact_path, now],
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
        self.get_model_version(name, version)
    }

    fn get_model_version(&self, name: &str, version: u64) -> Result<ModelVersion> {
        self.read(|conn| {
            read_model(conn, name)?;
            read_version(conn, name, version)
        })
    }

    fn list_models(&self) -> Result<Vec<RegisteredModel>> {
        self.read(|conn| {
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

    fn get_model(&self, name: &str) -> Result<RegisteredModel> {
        self.read(|conn| read_model(conn, name))
    }

    fn list_versions(&self, name: &str) -> Result<Vec<ModelVersion>> {
        self.read(|conn| {
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

    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()> {
        check_name("alias", alias)?;
        self.write("setting an alias", |tx| {
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

    fn get_alias(&self, name: &str, alias: &str) -> Result<Option<ModelVersion>> {
        self.read(|conn| {
            read_model(conn, name)?;
            match current_alias(conn, name, alias)? {
                Some(v) => read_version(conn, name, v).map(Some),
                None => Ok(None),
            }
        })
    }

    fn delete_alias(&self, name: &str, alias: &str) -> Result<()> {
        self.write("deleting an alias", |tx| {
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

    fn alias_history(&self, name: &str, alias: &str) -> Result<Vec<AliasChange>> {
        self.read(|conn| {
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
}
