//! Telling a registry file from whatever else a tracking URI may point at (nothing, an
//! empty file, a file that is not SQLite, another application's database), reading only,
//! so a refused file is left as it was.

use std::path::Path;

use rusqlite::Connection;

use super::{describe, sql_error};
use crate::{Error, Result};

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What the file at a registry path starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Header {
    /// No file (or a missing directory on the way).
    Missing,
    /// An empty file: a new database to SQLite.
    Empty,
    /// The SQLite header.
    Sqlite,
    /// The file could not be opened (e.g. no permission): SQLite reports why.
    Unreadable,
}

/// Refuses at once a file that exists, is not empty and is not a SQLite database (SQLite
/// itself only notices on the first statement, and a busy retry would hide the cause),
/// naming the path and what the file starts with; otherwise says what is there.
pub(super) fn check_header(db_path: &Path) -> Result<Header> {
    use std::io::Read;
    let mut file = match std::fs::File::open(db_path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Header::Missing),
        Err(_) => return Ok(Header::Unreadable),
    };
    let mut head = Vec::with_capacity(SQLITE_HEADER.len());
    file.by_ref()
        .take(SQLITE_HEADER.len() as u64)
        .read_to_end(&mut head)
        .map_err(|source| Error::Io {
            context: format!("reading {}", db_path.display()),
            source,
        })?;
    if head.is_empty() {
        return Ok(Header::Empty);
    }
    if head == SQLITE_HEADER {
        return Ok(Header::Sqlite);
    }
    let shown: String = String::from_utf8_lossy(&head)
        .chars()
        .map(|c| if c.is_control() { '.' } else { c })
        .collect();
    Err(not_a_registry(
        db_path,
        &format!("is not a SQLite database (it starts with {shown:?})"),
    ))
}

/// The refusal of a file that is not a registry: the path, what it is, what to do.
pub(super) fn not_a_registry(db_path: &Path, what: &str) -> Error {
    Error::Corrupt(format!(
        "registry file {} {what}; point [tracking] uri / --tracking-uri at a reelcast registry, or move the file away to start a new one",
        db_path.display()
    ))
}

/// The tables every schema version has: a SQLite database without them is not a registry.
const REGISTRY_TABLES: [&str; 4] = ["experiments", "runs", "registered_models", "model_versions"];

/// Refuses a SQLite database that is not a registry (no schema version, or not the
/// registry's tables), reading only.
pub(super) fn check_registry_tables(conn: &Connection, db_path: &Path) -> Result<()> {
    let reading = |e| sql_error(&format!("reading {}", describe(db_path)), e);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(reading)?;
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?1, ?2, ?3, ?4)",
            REGISTRY_TABLES,
            |r| r.get(0),
        )
        .map_err(reading)?;
    if version < 1 || tables < REGISTRY_TABLES.len() as i64 {
        return Err(not_a_registry(
            db_path,
            "is a SQLite database but not a reelcast registry (it lacks the registry's tables)",
        ));
    }
    Ok(())
}
