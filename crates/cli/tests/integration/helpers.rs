//! Running the `reelcast` binary in a temporary directory, and the real-data fixtures.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// Movies in the embedded sample after the default filters.
pub const SAMPLE_MOVIES: u64 = 6091;

/// The real IMDb excerpt's basics file.
pub const EXCERPT_BASICS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/tests/fixtures/imdb-excerpt/title.basics.tsv"
);
/// The real IMDb excerpt's ratings file.
pub const EXCERPT_RATINGS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/tests/fixtures/imdb-excerpt/title.ratings.tsv"
);
/// The real IMDb excerpt's directory: all five files under IMDb's names (plain TSV).
pub const EXCERPT_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/tests/fixtures/imdb-excerpt"
);
/// `crates/data/tests/fixtures/bad`: the excerpt with one thing broken per folder.
const BAD_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/tests/fixtures/bad");
/// `data/sample`: the embedded sample's gzipped files.
const SAMPLE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample");

/// A file of a broken-fixture case, e.g. `bad("bad-year", "title.basics.tsv")`.
pub fn bad(case: &str, file: &str) -> String {
    format!("{BAD_FIXTURES}/{case}/{file}")
}

/// One of the embedded sample's raw files (`title.basics.tsv.gz`, `title.ratings.tsv.gz`).
pub fn sample_file(name: &str) -> PathBuf {
    Path::new(SAMPLE_DIR).join(name)
}

/// The embedded sample's five raw files, by IMDb's names.
pub const SAMPLE_FILES: [&str; 5] = [
    "title.basics.tsv.gz",
    "title.ratings.tsv.gz",
    "title.crew.tsv.gz",
    "title.principals.tsv.gz",
    "name.basics.tsv.gz",
];

/// A sample file's path as a `&str` argument.
pub fn sample_arg(name: &str) -> String {
    sample_file(name).to_string_lossy().into_owned()
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Lower-case hex SHA-256 of a file's bytes.
pub fn sha256_file(path: &Path) -> String {
    sha256(&std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display())))
}

/// How one run of the binary ended.
#[derive(Debug)]
pub struct Run {
    /// What the command line was, for assert messages.
    pub command: String,
    /// Exit code (`-1` when killed by a signal).
    pub code: i32,
    /// Everything printed to stdout.
    pub stdout: String,
    /// Everything printed to stderr.
    pub stderr: String,
}

impl Run {
    /// Asserts exit 0 and returns the run.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(
            self.code, 0,
            "`{}` failed\nstderr:\n{}",
            self.command, self.stderr
        );
        self
    }

    /// Asserts exit 0 and parses stdout as JSON.
    #[track_caller]
    pub fn json(self) -> Value {
        let run = self.success();
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("`{}` printed no JSON ({e}):\n{}", run.command, run.stdout))
    }

    /// Parses stdout as JSON whatever the exit code (gate failures still print reports).
    #[track_caller]
    pub fn stdout_json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`{}` printed no JSON ({e}):\n{}\nstderr:\n{}",
                self.command, self.stdout, self.stderr
            )
        })
    }

    /// Asserts exit 2 with one `error: ...` line on stderr and returns the message after
    /// `error: `.
    #[track_caller]
    pub fn error(&self) -> String {
        assert_eq!(
            self.code, 2,
            "`{}` should fail with exit 2\nstdout:\n{}\nstderr:\n{}",
            self.command, self.stdout, self.stderr
        );
        let message = self
            .stderr
            .strip_prefix("error: ")
            .unwrap_or_else(|| panic!("stderr does not start with `error: `:\n{}", self.stderr));
        message.trim_end().to_owned()
    }
}

/// A fresh temporary directory the binary runs in (its `current_dir`).
pub struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    /// Creates the directory.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("creating a temporary directory"),
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `name` inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `contents` to `name` inside the directory and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("creating a parent directory");
        }
        std::fs::write(&path, contents).expect("writing a test file");
        path
    }

    /// Copies the embedded sample's files named in `files` into the directory `dir`
    /// (created) and returns its path.
    pub fn copy_sample(&self, dir: &str, files: &[&str]) -> PathBuf {
        let target = self.join(dir);
        std::fs::create_dir_all(&target).expect("creating a directory");
        for name in files {
            std::fs::copy(sample_file(name), target.join(name)).expect("copying a sample file");
        }
        target
    }

    /// Reads `name` inside the directory as text.
    #[track_caller]
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.join(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"))
    }

    /// Runs `reelcast --log-level warn ARGS` here, with `RUST_LOG` unset.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run_with_env(args, &[])
    }

    /// Like [`Sandbox::run`], with extra environment variables.
    pub fn run_with_env<I, S>(&self, args: I, env: &[(&str, &str)]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let command = std::iter::once("reelcast".into())
            .chain(args.iter().map(|a| a.to_string_lossy().into_owned()))
            .collect::<Vec<String>>()
            .join(" ");
        let output = Command::new(env!("CARGO_BIN_EXE_reelcast"))
            .current_dir(self.path())
            .env_remove("RUST_LOG")
            .env_remove("APP_ENV")
            .envs(env.iter().copied())
            .args(["--log-level", "warn"])
            .args(&args)
            .output()
            .expect("starting the reelcast binary");
        Run {
            command,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// `train --json --trees 20 --out OUT EXTRA...` on the embedded sample (unless `extra`
    /// names data); returns the JSON it printed.
    #[track_caller]
    pub fn train(&self, out: &str, extra: &[&str]) -> Value {
        let mut args = vec!["train", "--json", "--trees", "20", "--out", out];
        args.extend_from_slice(extra);
        self.run(&args).json()
    }
}

/// A JSON number, or a panic naming the key.
#[track_caller]
pub fn num(value: &Value, key: &str) -> f64 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {value:#}"))
}

/// One HTTP/1.1 request to `addr` (`host:port`) over a fresh connection; returns the
/// status and the body.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}
