//! Schema migrations and corrupt data.

use std::collections::BTreeMap;

use reelcast_registry::sqlite::SqliteBackend;
use reelcast_registry::{fetch_bundle, open_existing, Backend, Error, OpenOptions};

use crate::helpers::{assert_intact, register, TempRegistry};

#[test]
fn opening_twice_applies_migrations_once() {
    let reg = TempRegistry::new();

    let first = reg.open();
    register(&first, "m", 1);
    drop(first);
    let second = reg.open();

    assert_eq!(second.list_versions("m").unwrap().len(), 1, "data kept");
    let conn = rusqlite::Connection::open(reg.db()).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SqliteBackend::schema_version());
    assert_eq!(mode, "wal");
    assert_eq!(second.integrity_check().unwrap(), vec!["ok"]);
    assert_intact(&reg.db());
}

/// A mistyped tracking URI made a read-only command create a new registry, its
/// artifact folder and the directories on the way.
#[test]
fn opening_for_reading_refuses_a_missing_database_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nonexistent/dir/x.db");

    let err = SqliteBackend::open_existing(&db, &dir.path().join("artifacts")).unwrap_err();
    let by_uri = open_existing(
        &format!("sqlite:///{}", db.display()),
        &OpenOptions::default(),
    )
    .unwrap_err();

    for err in [err, by_uri] {
        assert!(matches!(err, Error::NotFound(_)), "{err}");
        assert_eq!(
            err.to_string(),
            format!("registry database {} not found", db.display())
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// `runs list` on an existing 0-byte file turned it into a SQLite database.
#[test]
fn opening_for_reading_refuses_files_that_are_not_registries_and_leaves_them_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = |name: &str, sql: &str| {
        let path = dir.path().join(name);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(sql).unwrap();
        drop(conn);
        (name.to_owned(), std::fs::read(&path).unwrap())
    };
    let cases = [
        (
            "empty",
            ("empty.csv".to_owned(), Vec::new()),
            "is empty, not a reelcast registry",
        ),
        (
            "text",
            ("notes.db".to_owned(), b"tconst,rating\ntt1,5\n".to_vec()),
            "is not a SQLite database (it starts with \"tconst,rating.tt\")",
        ),
        (
            "another application's database",
            sqlite(
                "app.db",
                "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x');",
            ),
            "is a SQLite database but not a reelcast registry",
        ),
        (
            "a schema version but no registry tables",
            sqlite(
                "versioned.db",
                "CREATE TABLE runs (id TEXT); PRAGMA user_version = 2;",
            ),
            "is a SQLite database but not a reelcast registry",
        ),
    ];

    for (label, (name, bytes), cause) in cases {
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes).unwrap();

        let err = SqliteBackend::open_existing(&path, &dir.path().join("artifacts")).unwrap_err();

        assert!(matches!(err, Error::Corrupt(_)), "{label}: {err}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("registry file {} {cause}", path.display()))
                && text.contains("--tracking-uri"),
            "{label}: {text}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{label}: file changed"
        );
    }
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["app.db", "empty.csv", "notes.db", "versioned.db"],
        "no sidecar files, no artifact folder"
    );
}

#[test]
fn opening_for_reading_reads_a_registry_and_creates_no_artifact_folder() {
    let reg = TempRegistry::new();
    register(&reg.open(), "m", 1);
    let elsewhere = reg.db().with_file_name("elsewhere");

    let reader = SqliteBackend::open_existing(&reg.db(), &elsewhere).unwrap();

    assert_eq!(reader.list_versions("m").unwrap().len(), 1);
    assert!(!elsewhere.exists());
    assert_intact(&reg.db());
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let reg = TempRegistry::new();
    drop(reg.open());
    rusqlite::Connection::open(reg.db())
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();

    let err = SqliteBackend::open(&reg.db(), &reg.artifacts()).unwrap_err();

    assert!(matches!(err, Error::Invalid(_)), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("schema version 999") && text.contains("upgrade reelcast"),
        "{text}"
    );
}

#[test]
fn a_flipped_byte_in_an_artifact_is_corrupt_and_names_the_file() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let v = register(&backend, "m", 1);
    let file = reg
        .artifacts()
        .join(&v.run_id)
        .join("model")
        .join("model.bundle");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();

    let download = backend
        .download_artifact(&v.run_id, "model/model.bundle")
        .unwrap_err();
    let fetch = fetch_bundle(&backend, &v).unwrap_err();

    for (label, err) in [("download", download), ("fetch", fetch)] {
        assert!(matches!(err, Error::Corrupt(_)), "{label}: {err}");
        assert!(
            err.to_string().contains(&file.display().to_string()),
            "{label}: {err}"
        );
    }
}

#[test]
fn a_deleted_artifact_file_is_corrupt() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let v = register(&backend, "m", 1);
    std::fs::remove_file(
        reg.artifacts()
            .join(&v.run_id)
            .join("model")
            .join("model.bundle"),
    )
    .unwrap();

    let err = fetch_bundle(&backend, &v).unwrap_err();

    assert!(matches!(err, Error::Corrupt(_)), "{err}");
}

#[test]
fn a_bundle_that_differs_from_its_registered_checksum_is_corrupt() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let run = backend.create_run("exp", "r", &BTreeMap::new()).unwrap();
    backend
        .log_artifact(&run.run_id, "model/model.bundle", b"bytes")
        .unwrap();
    let wrong = BTreeMap::from([("bundle_sha256".to_owned(), "00".repeat(32))]);
    let v = backend
        .create_model_version("m", &run.run_id, "model/model.bundle", &wrong)
        .unwrap();
    let untagged = backend
        .create_model_version("m", &run.run_id, "model/model.bundle", &BTreeMap::new())
        .unwrap();

    let mismatch = fetch_bundle(&backend, &v).unwrap_err().to_string();
    let no_tag = fetch_bundle(&backend, &untagged).unwrap_err().to_string();

    assert!(
        mismatch.contains("differs from the registered"),
        "{mismatch}"
    );
    assert!(no_tag.contains("has no bundle_sha256 tag"), "{no_tag}");
}
