//! The embedded backend: SQLite in WAL mode, artifacts in a local directory.
//!
//! - One database file shared by any number of processes: WAL journal, a 10 s busy
//!   timeout, `synchronous=NORMAL`, foreign keys on. Writes that read-then-write (new
//!   experiments, version numbers, aliases) run in `BEGIN IMMEDIATE` transactions, so two
//!   concurrent registrations never get the same version number.
//! - Artifacts live in `<artifact_root>/<run_id>/<path>`, written to a temporary file,
//!   fsynced and renamed; their SHA-256 is recorded in the `artifacts` table only after the
//!   file is in place, and checked on every download ([`Error::Corrupt`] names the file).
//! - A version points at an artifact file or folder (an MLflow model folder: the files
//!   under `path/`), checked to exist when it is inserted with its tags and description
//!   in one transaction: a process killed at any moment leaves either a complete version
//!   whose artifacts are on disk, or no version. Registered artifacts are never replaced.
//! - [`SqliteBackend::open_existing`], for commands that only read, opens only a file
//!   that is a registry already: it creates nothing and leaves any other file as it was.
//! - The schema is versioned (`PRAGMA user_version`, see `schema.rs`); a database written
//!   by a newer build is refused.

mod artifacts;
mod models;
mod read;
mod registry_file;
mod runs;
mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OpenFlags, Transaction, TransactionBehavior};

use registry_file::{check_header, check_registry_tables, not_a_registry, Header};

use crate::backend::now_ms;
use crate::{
    AliasChange, Backend, DatasetInput, Error, Metric, ModelVersion, RegisteredModel, Result, Run,
    RunStatus,
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
    /// `artifact_root`, and applies pending schema migrations. An empty file becomes a new
    /// registry.
    ///
    /// Errors: [`Error::Invalid`] for a database written by a newer reelcast,
    /// [`Error::Corrupt`] for a file that is not a SQLite database (left as it was),
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
        check_header(db_path)?;
        let conn = connect(db_path, OpenFlags::default())?;
        Self::set_up(conn, db_path, artifact_root)
    }

    /// Opens the registry at `db_path` for commands that only read: only when the file
    /// exists and is a reelcast registry. Nothing is created (not the database, its
    /// directory or `artifact_root`), and a file that is not a registry is left as it was.
    /// A registry of an older schema is migrated, as [`SqliteBackend::open`] does.
    ///
    /// Errors: [`Error::NotFound`] (`registry database PATH not found`) when the file does
    /// not exist; [`Error::Corrupt`] naming the path when it is empty, not a SQLite
    /// database, or a SQLite database without the registry's tables; otherwise those of
    /// [`SqliteBackend::open`].
    pub fn open_existing(db_path: &Path, artifact_root: &Path) -> Result<Self> {
        match check_header(db_path)? {
            Header::Missing => {
                return Err(Error::NotFound(format!(
                    "registry database {}",
                    db_path.display()
                )))
            }
            Header::Empty => {
                return Err(not_a_registry(db_path, "is empty, not a reelcast registry"))
            }
            Header::Sqlite | Header::Unreadable => {}
        }
        // Without SQLITE_OPEN_CREATE: a file removed since the check is not made again.
        let flags = OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE;
        let conn = connect(db_path, flags)?;
        check_registry_tables(&conn, db_path)?;
        Self::set_up(conn, db_path, artifact_root)
    }

    /// Configures a new connection (WAL, `synchronous=NORMAL`, foreign keys) and
    /// migrates the schema.
    fn set_up(mut conn: Connection, db_path: &Path, artifact_root: &Path) -> Result<Self> {
        let describe = describe(db_path);
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

/// How a database file is named in messages.
fn describe(db_path: &Path) -> String {
    format!("database {}", db_path.display())
}

/// A connection to `db_path` opened with `flags`, waiting [`BUSY_TIMEOUT`] for locks.
fn connect(db_path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(db_path, flags)
        .map_err(|e| sql_error(&format!("opening {}", describe(db_path)), e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| sql_error("setting the busy timeout", e))?;
    Ok(conn)
}

/// Whether a SQLite error is a lock held by another connection (worth retrying).
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Switches to WAL; retried while another process holds a lock, because changing the
/// journal mode can report "busy" without waiting while another process creates the
/// database. Any other error (a corrupt or foreign file) fails at once.
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
            Err(e) if attempt < 50 && is_busy(&e) => {
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

impl Backend for SqliteBackend {
    fn describe(&self) -> String {
        // `sqlite:///` + the path: `sqlite:///./x.db` relative, `sqlite:////abs/x.db` absolute.
        format!("sqlite:///{}", self.db_path.display())
    }

    fn create_run_at(
        &self,
        experiment: &str,
        run_name: &str,
        tags: &BTreeMap<String, String>,
        start_time_ms: i64,
    ) -> Result<Run> {
        runs::create_run(self, experiment, run_name, tags, start_time_ms)
    }

    fn log_batch(
        &self,
        run_id: &str,
        params: &BTreeMap<String, String>,
        metrics: &[Metric],
        tags: &BTreeMap<String, String>,
    ) -> Result<()> {
        runs::log_batch(self, run_id, params, metrics, tags)
    }

    fn log_inputs(&self, run_id: &str, inputs: &[DatasetInput]) -> Result<()> {
        runs::log_inputs(self, run_id, inputs)
    }

    fn log_artifact(&self, run_id: &str, path: &str, bytes: &[u8]) -> Result<()> {
        runs::log_artifact(self, run_id, path, bytes)
    }

    fn download_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>> {
        runs::download_artifact(self, run_id, path)
    }

    fn list_artifacts(&self, run_id: &str) -> Result<Vec<String>> {
        runs::list_artifacts(self, run_id)
    }

    fn remove_unreferenced_artifacts(&self, run_id: &str) -> Result<Vec<String>> {
        runs::remove_unreferenced_artifacts(self, run_id)
    }

    fn end_run_at(&self, run_id: &str, status: RunStatus, end_time_ms: i64) -> Result<()> {
        runs::end_run(self, run_id, status, end_time_ms)
    }

    fn get_run(&self, run_id: &str) -> Result<Run> {
        runs::get_run(self, run_id)
    }

    fn list_runs(&self, experiment: &str, limit: usize) -> Result<Vec<Run>> {
        runs::list_runs(self, experiment, limit)
    }

    fn list_all_runs(&self, limit: usize) -> Result<Vec<Run>> {
        runs::list_all_runs(self, limit)
    }

    fn create_described_model_version(
        &self,
        name: &str,
        run_id: &str,
        artifact_path: &str,
        tags: &BTreeMap<String, String>,
        description: &str,
    ) -> Result<ModelVersion> {
        models::create_model_version(self, name, run_id, artifact_path, tags, description)
    }

    fn set_model_description(&self, name: &str, description: &str) -> Result<()> {
        models::set_model_description(self, name, description)
    }

    fn get_model_version(&self, name: &str, version: u64) -> Result<ModelVersion> {
        models::get_model_version(self, name, version)
    }

    fn list_models(&self) -> Result<Vec<RegisteredModel>> {
        models::list_models(self)
    }

    fn get_model(&self, name: &str) -> Result<RegisteredModel> {
        models::get_model(self, name)
    }

    fn list_versions(&self, name: &str) -> Result<Vec<ModelVersion>> {
        models::list_versions(self, name)
    }

    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()> {
        models::set_alias(self, name, alias, version)
    }

    fn get_alias(&self, name: &str, alias: &str) -> Result<Option<ModelVersion>> {
        models::get_alias(self, name, alias)
    }

    fn delete_alias(&self, name: &str, alias: &str) -> Result<()> {
        models::delete_alias(self, name, alias)
    }

    fn alias_history(&self, name: &str, alias: &str) -> Result<Vec<AliasChange>> {
        models::alias_history(self, name, alias)
    }
}
