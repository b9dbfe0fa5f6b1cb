//! A temporary registry, fake bundles, and the child process that registers versions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use reelcast_registry::sqlite::SqliteBackend;
use reelcast_registry::{Backend, ModelVersion, BUNDLE_SHA256_TAG};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// The environment variable that turns [`child_registers_versions`] on:
/// `DB_PATH\nARTIFACT_ROOT\nMODEL\nCOUNT` (COUNT 0: forever).
const CHILD_ENV: &str = "REELCAST_REGISTRY_TEST_CHILD";

/// A registry in a fresh temporary directory.
pub struct TempRegistry {
    dir: TempDir,
}

impl TempRegistry {
    /// Creates the directory (the database is created on first open).
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("creating a temporary directory"),
        }
    }

    /// The database file.
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("reelcast.db")
    }

    /// The artifact directory.
    pub fn artifacts(&self) -> PathBuf {
        self.dir.path().join("reelcast-artifacts")
    }

    /// `sqlite:///<abs db path>`.
    pub fn uri(&self) -> String {
        format!("sqlite:///{}", self.db().display())
    }

    /// Opens a new connection to the registry.
    pub fn open(&self) -> SqliteBackend {
        SqliteBackend::open(&self.db(), &self.artifacts()).expect("opening the registry")
    }

    /// Spawns this test binary as a child that registers `count` versions of `model`
    /// (0: until killed).
    pub fn spawn_child(&self, model: &str, count: u32) -> Child {
        let instructions = format!(
            "{}\n{}\n{model}\n{count}",
            self.db().display(),
            self.artifacts().display()
        );
        Command::new(std::env::current_exe().expect("the test binary's path"))
            .args([
                "--exact",
                "helpers::child_registers_versions",
                "--ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD_ENV, instructions)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawning the child test process")
    }
}

/// Lower-case hex SHA-256.
pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Deterministic fake bundle bytes of `len` bytes, different per `seed`.
pub fn fake_bundle(seed: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    out.extend_from_slice(b"RCBUNDLE");
    let mut block = Sha256::digest(seed.to_le_bytes()).to_vec();
    while out.len() < len {
        out.extend_from_slice(&block);
        block = Sha256::digest(&block).to_vec();
    }
    out.truncate(len);
    out
}

/// What reelcast does per training: a run, its bundle artifact, then a version tagged
/// with the bundle's checksum.
pub fn register(backend: &dyn Backend, model: &str, seed: u64) -> ModelVersion {
    let run = backend
        .create_run(
            "imdb_movie_rating",
            &format!("run-{seed}"),
            &BTreeMap::new(),
        )
        .unwrap();
    let bundle = fake_bundle(seed, 64 * 1024);
    backend
        .log_artifact(&run.run_id, "model/model.bundle", &bundle)
        .unwrap();
    let tags = BTreeMap::from([(BUNDLE_SHA256_TAG.to_owned(), sha256(&bundle))]);
    backend
        .create_model_version(model, &run.run_id, "model/model.bundle", &tags)
        .unwrap()
}

/// Whether the database passes `PRAGMA integrity_check`.
pub fn assert_intact(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let report: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(report, "ok", "integrity_check of {}", db.display());
    let fk: Vec<String> = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(fk.is_empty(), "foreign key violations in tables {fk:?}");
}

/// The child process: registers versions as the parent's instructions say. Does nothing
/// when run normally.
#[test]
#[ignore = "run only as a child process by the concurrency and crash tests"]
fn child_registers_versions() {
    let Ok(instructions) = std::env::var(CHILD_ENV) else {
        return;
    };
    let lines: Vec<&str> = instructions.lines().collect();
    let [db, root, model, count] = lines[..] else {
        panic!("bad child instructions {instructions:?}");
    };
    let count: u32 = count.parse().unwrap();
    let backend = SqliteBackend::open(Path::new(db), Path::new(root)).unwrap();
    let seed_base = u64::from(std::process::id()) << 32;
    let mut i = 0u64;
    while count == 0 || i < u64::from(count) {
        let v = register(&backend, model, seed_base + i);
        if count == 0 {
            backend.set_alias(model, "champion", v.version).unwrap();
        }
        i += 1;
    }
}
