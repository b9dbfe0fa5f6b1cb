//! Schema migrations and corrupt data.

use std::collections::BTreeMap;

use reelcast_registry::sqlite::SqliteBackend;
use reelcast_registry::{fetch_bundle, Backend, Error};

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
