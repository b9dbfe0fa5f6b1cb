//! Picking a backend from a tracking URI, like `MLFLOW_TRACKING_URI`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::sqlite::SqliteBackend;
use crate::{Backend, Error, Result};

/// How to open a backend; only the fields that apply to the chosen backend are used.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenOptions {
    /// Embedded backend: artifact directory. `None` puts it beside the database, named
    /// after it: `reelcast.db` -> `reelcast-artifacts/`.
    pub artifact_root: Option<PathBuf>,
    /// MLflow: timeout of each request. Default 10 s.
    pub timeout: Duration,
    /// MLflow: retries (with backoff) on connection errors and 5xx answers. Default 3.
    pub retries: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            artifact_root: None,
            timeout: Duration::from_secs(10),
            retries: 3,
        }
    }
}

/// The database path of a `sqlite:///PATH` URI, MLflow's convention: three slashes then
/// the path, so `sqlite:///./x.db` and `sqlite:///x.db` are relative to the working
/// directory and `sqlite:////abs/x.db` is absolute. `None` for other URIs.
pub fn sqlite_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("sqlite:///")?;
    (!rest.is_empty()).then(|| PathBuf::from(rest))
}

/// The default artifact directory of a database: beside it, `<stem>-artifacts`.
pub fn default_artifact_root(db_path: &Path) -> PathBuf {
    let stem = db_path
        .file_stem()
        .map_or_else(|| "reelcast".into(), |s| s.to_string_lossy().into_owned());
    db_path.with_file_name(format!("{stem}-artifacts"))
}

/// Opens the backend a tracking URI names:
///
/// - `sqlite:///PATH` -> [`SqliteBackend`] (created when missing, migrated);
/// - `http://…` / `https://…` -> [`crate::mlflow::MlflowBackend`].
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let uri = format!("sqlite:///{}", dir.path().join("reelcast.db").display());
/// let backend = reelcast_registry::open(&uri, &Default::default())?;
/// assert!(backend.list_models()?.is_empty());
/// assert!(dir.path().join("reelcast-artifacts").is_dir());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open(uri: &str, opts: &OpenOptions) -> Result<Box<dyn Backend>> {
    open_with(uri, opts, SqliteBackend::open)
}

/// Opens the backend a tracking URI names for commands that only read (listing and
/// showing runs and models): like [`open`], but an embedded registry is opened only when
/// its file exists and is a registry ([`SqliteBackend::open_existing`]); nothing is
/// created, and any other file is left as it was. An MLflow server is opened as by
/// [`open`].
///
/// Errors: [`Error::NotFound`] when the database file does not exist,
/// [`Error::Corrupt`] when it is not a registry, and those of [`open`].
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let uri = format!("sqlite:///{}", dir.path().join("typo.db").display());
/// let err = reelcast_registry::open_existing(&uri, &Default::default()).unwrap_err();
/// assert!(matches!(err, reelcast_registry::Error::NotFound(_)), "{err}");
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 0, "nothing created");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_existing(uri: &str, opts: &OpenOptions) -> Result<Box<dyn Backend>> {
    open_with(uri, opts, SqliteBackend::open_existing)
}

/// Opens `uri`, an embedded database with `open_sqlite(database, artifact root)`.
fn open_with(
    uri: &str,
    opts: &OpenOptions,
    open_sqlite: fn(&Path, &Path) -> Result<SqliteBackend>,
) -> Result<Box<dyn Backend>> {
    if let Some(db) = sqlite_path(uri) {
        let root = opts
            .artifact_root
            .clone()
            .unwrap_or_else(|| default_artifact_root(&db));
        return Ok(Box::new(open_sqlite(&db, &root)?));
    }
    if uri.starts_with("http://") || uri.starts_with("https://") {
        return Ok(Box::new(crate::mlflow::MlflowBackend::connect(
            uri,
            opts.timeout,
            opts.retries,
        )?));
    }
    Err(Error::Invalid(format!(
        "tracking URI {:?} is not sqlite:///PATH or http(s)://HOST:PORT, e.g. \"sqlite:///./reelcast.db\" or \"http://127.0.0.1:5000\"",
        crate::redact_uri(uri)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_uris_follow_mlflow_slash_convention() {
        for (label, uri, path) in [
            (
                "dot relative",
                "sqlite:///./reelcast.db",
                Some("./reelcast.db"),
            ),
            ("bare relative", "sqlite:///x/r.db", Some("x/r.db")),
            ("absolute", "sqlite:////tmp/r.db", Some("/tmp/r.db")),
            ("no path", "sqlite:///", None),
            ("two slashes", "sqlite://r.db", None),
            ("http", "http://127.0.0.1:5000", None),
        ] {
            assert_eq!(sqlite_path(uri), path.map(PathBuf::from), "{label}");
        }
    }

    #[test]
    fn artifact_root_defaults_to_beside_the_database() {
        assert_eq!(
            default_artifact_root(Path::new("./reelcast.db")),
            PathBuf::from("./reelcast-artifacts")
        );
        assert_eq!(
            default_artifact_root(Path::new("/srv/reg/prod.sqlite")),
            PathBuf::from("/srv/reg/prod-artifacts")
        );
    }

    #[test]
    fn unknown_schemes_are_refused_with_examples() {
        let err = open("postgres://x", &OpenOptions::default()).unwrap_err();
        assert!(err.to_string().contains("sqlite:///./reelcast.db"), "{err}");
        let err = open_existing("postgres://x", &OpenOptions::default()).unwrap_err();
        assert!(err.to_string().contains("sqlite:///./reelcast.db"), "{err}");
    }
}
