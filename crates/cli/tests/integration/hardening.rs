//! Hardening end to end: a failing run never shows the password of its
//! tracking URI; a `train --register` killed with SIGKILL is collected and the registry
//! keeps working; a registry file that is not SQLite, or is corrupt, fails at once and is
//! left as it was; `serve` with a corrupt bundle and no model says none is served.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tiny_http::{Header, Response, Server};

use crate::helpers::{sha256, Run, Sandbox};

const MODEL: &str = "movie_rating_gbt";
/// The user of the credentialed tracking URIs.
const USER: &str = "someuser";
/// No retries and a short timeout: a failing backend fails at once.
const FAIL_FAST: [(&str, &str); 2] = [
    ("REELCAST__TRACKING__RETRIES", "0"),
    ("REELCAST__TRACKING__TIMEOUT_SECONDS", "5"),
];

/// A password no other text contains: the test's process id and the time.
fn unique_secret() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("pw{}x{nanos}Q", std::process::id())
}

/// Standard base64 with padding (RFC 4648), for the `Authorization: Basic` value.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The forms the password could leak in: itself, and the `Authorization: Basic` value
/// that carries it (`user:password` in base64).
fn secret_forms(secret: &str) -> [String; 2] {
    [
        secret.to_owned(),
        base64(format!("{USER}:{secret}").as_bytes()),
    ]
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Asserts that no form of `secret` is in any run's stdout or stderr, nor in any file the
/// runs left under `dir`; returns how many files were read.
#[track_caller]
fn assert_secret_absent(secret: &str, runs: &[&Run], dir: &Path) -> usize {
    for form in secret_forms(secret) {
        for run in runs {
            for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert!(
                    !text.contains(&form),
                    "`{}` shows {form:?} on {stream}:\n{text}",
                    run.command
                );
            }
        }
    }
    let files = files_under(dir);
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for form in secret_forms(secret) {
            assert!(
                !contains(&bytes, &form),
                "{} holds {form:?}",
                file.display()
            );
        }
    }
    files.len()
}

/// Asserts `file` is readable and writable by its owner only.
#[track_caller]
fn assert_private(file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is {mode:o}", file.display());
    }
}

/// A fake MLflow server on 127.0.0.1 answering every request with `status` and an MLflow
/// error body, and keeping the `Authorization` header of each request. Dropping it stops
/// its thread.
struct FailingServer {
    port: u16,
    authorizations: Arc<Mutex<Vec<Option<String>>>>,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl FailingServer {
    fn start(status: u16) -> Self {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("binding 127.0.0.1:0"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let authorizations = Arc::new(Mutex::new(Vec::new()));
        let (srv, seen) = (Arc::clone(&server), Arc::clone(&authorizations));
        let code = if status == 500 {
            "INTERNAL_ERROR"
        } else {
            "UNAUTHENTICATED"
        };
        let body = format!(r#"{{"error_code":"{code}","message":"the fake server fails"}}"#);
        // `incoming_requests` ends when `unblock` is called in `drop`.
        let thread = std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                let authorization = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.as_str().to_owned());
                seen.lock().expect("log lock").push(authorization);
                let json =
                    Header::from_bytes("Content-Type", "application/json").expect("a valid header");
                let response = Response::from_string(body.clone())
                    .with_status_code(status)
                    .with_header(json);
                let _ = request.respond(response);
            }
        });
        Self {
            port,
            authorizations,
            server,
            thread: Some(thread),
        }
    }

    fn authorizations(&self) -> Vec<Option<String>> {
        self.authorizations.lock().expect("log lock").clone()
    }
}

impl Drop for FailingServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            thread.join().expect("server thread ends cleanly");
        }
    }
}

/// `RUST_LOG=trace` (the most verbose logs) with the fail-fast tracking settings.
fn trace_env() -> Vec<(&'static str, &'static str)> {
    let mut env = vec![("RUST_LOG", "trace")];
    env.extend(FAIL_FAST);
    env
}

/// `train --register` to `uri`, once with `--json` and text logs, once with text output
/// and JSON logs; out directories `{out}-json` and `{out}-text`.
fn train_both_ways(sandbox: &Sandbox, uri: &str, out: &str) -> (Run, Run) {
    let env = trace_env();
    let (json_out, text_out) = (format!("{out}-json"), format!("{out}-text"));
    let json = sandbox.run_with_env(
        [
            "train",
            "--trees",
            "3",
            "--register",
            "--json",
            "--out",
            &json_out,
            "--tracking-uri",
            uri,
        ],
        &env,
    );
    let text = sandbox.run_with_env(
        [
            "--log-format",
            "json",
            "train",
            "--trees",
            "3",
            "--register",
            "--out",
            &text_out,
            "--tracking-uri",
            uri,
        ],
        &env,
    );
    (json, text)
}

/// The registry and listing commands a user would try next against `uri`; all fail.
fn registry_commands(sandbox: &Sandbox, uri: &str, pending_dir: &str) -> Vec<Run> {
    let env = trace_env();
    [
        vec!["runs", "push", pending_dir, "--json"],
        vec!["runs", "list", "--json"],
        vec!["runs", "gc", "--json"],
        vec!["models", "list", "--json"],
        vec!["models", "show", MODEL, "--json"],
    ]
    .into_iter()
    .map(|mut args| {
        args.extend(["--tracking-uri", uri]);
        sandbox.run_with_env(&args, &env)
    })
    .collect()
}

/// Asserts a `train --register` that could not reach the backend: exit 1, the run saved
/// as a private pending-run.json without credentials, the URI shown redacted.
#[track_caller]
fn assert_saved_offline(sandbox: &Sandbox, run: &Run, out: &str, shown_uri: &str) {
    assert_eq!(
        run.code, 1,
        "`{}`: an unregistered run is a failed gate\nstderr:\n{}",
        run.command, run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("error: tracking backend {shown_uri} unreachable"))
            && run.stderr.contains("was not registered"),
        "`{}`:\n{}",
        run.command,
        run.stderr
    );
    let pending = sandbox.join(&format!("{out}/pending-run.json"));
    assert_private(&pending);
    let record: Value = serde_json::from_slice(&std::fs::read(&pending).unwrap()).unwrap();
    assert_eq!(record["credentials_removed"], true, "{record:#}");
    assert!(record["register"].is_object(), "{record:#}");
    assert!(sandbox.join(&format!("{out}/model.bundle")).is_file());
}

#[test]
fn a_run_that_cannot_connect_shows_and_stores_no_password() {
    let sandbox = Sandbox::new();
    let secret = unique_secret();
    // A port that was just free: nothing listens there, so connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri = format!("http://{USER}:{secret}@127.0.0.1:{port}");
    let shown = format!("http://REDACTED@127.0.0.1:{port}");

    let (json, text) = train_both_ways(&sandbox, &uri, "refused");
    let others = registry_commands(&sandbox, &uri, "refused-json");

    assert_saved_offline(&sandbox, &json, "refused-json", &shown);
    assert_saved_offline(&sandbox, &text, "refused-text", &shown);
    let out = json.stdout_json();
    assert_eq!(out["tracking"]["uri"], shown.as_str(), "{out:#}");
    assert!(out["tracking"]["pending_run"].is_string(), "{out:#}");
    assert!(
        text.stderr.starts_with('{') && text.stderr.contains("\"level\":\"TRACE\""),
        "JSON logs at trace level:\n{}",
        text.stderr
    );
    for run in &others {
        assert_eq!(run.code, 2, "`{}`:\n{}", run.command, run.stderr);
        assert!(
            run.stderr.contains("Connection refused"),
            "`{}`:\n{}",
            run.command,
            run.stderr
        );
    }
    let all: Vec<&Run> = [&json, &text].into_iter().chain(&others).collect();
    let files = assert_secret_absent(&secret, &all, sandbox.path());
    assert!(
        files >= 10,
        "two bundles, reports and pending runs: {files}"
    );
}

#[test]
fn a_run_the_server_fails_shows_and_stores_no_password_but_sends_it() {
    let sandbox = Sandbox::new();
    let secret = unique_secret();
    let basic = format!("Basic {}", base64(format!("{USER}:{secret}").as_bytes()));

    // 500: the server is down as far as tracking goes; the run is saved offline.
    let broken = FailingServer::start(500);
    let uri = format!("http://{USER}:{secret}@127.0.0.1:{}", broken.port);
    let shown = format!("http://REDACTED@127.0.0.1:{}", broken.port);
    let (json, text) = train_both_ways(&sandbox, &uri, "http500");
    let others = registry_commands(&sandbox, &uri, "http500-json");
    // 401: the server refuses the credentials; nothing is trained.
    let refusing = FailingServer::start(401);
    let refused_uri = format!("http://{USER}:{secret}@127.0.0.1:{}", refusing.port);
    let (refused_json, refused_text) = train_both_ways(&sandbox, &refused_uri, "http401");

    assert_saved_offline(&sandbox, &json, "http500-json", &shown);
    assert_saved_offline(&sandbox, &text, "http500-text", &shown);
    assert!(
        json.stderr.contains("HTTP 500"),
        "the server's answer is named:\n{}",
        json.stderr
    );
    for run in &others {
        assert_eq!(run.code, 2, "`{}`:\n{}", run.command, run.stderr);
        assert!(
            run.stderr.contains("HTTP 500"),
            "`{}`:\n{}",
            run.command,
            run.stderr
        );
    }
    for run in [&refused_json, &refused_text] {
        assert_eq!(run.code, 2, "`{}`:\n{}", run.command, run.stderr);
        assert!(
            // `error: …` after text logs, a JSON error object after JSON logs.
            run.stderr.contains(&format!(
                "creating a run in http://REDACTED@127.0.0.1:{}",
                refusing.port
            )) && run.stderr.contains("refused the credentials (HTTP 401)"),
            "`{}`:\n{}",
            run.command,
            run.stderr
        );
    }
    assert!(
        !sandbox.join("http401-json").exists(),
        "refused before training"
    );
    // The credentials are used: every request carried them, as basic auth.
    for server in [&broken, &refusing] {
        let seen = server.authorizations();
        assert!(seen.len() >= 2, "requests seen: {seen:?}");
        assert!(
            seen.iter().all(|a| a.as_deref() == Some(basic.as_str())),
            "expected {basic:?} on every request: {seen:?}"
        );
    }
    let all: Vec<&Run> = [&json, &text, &refused_json, &refused_text]
        .into_iter()
        .chain(&others)
        .collect();
    let files = assert_secret_absent(&secret, &all, sandbox.path());
    assert!(
        files >= 10,
        "two bundles, reports and pending runs: {files}"
    );
}

/// A child process killed (SIGKILL) and reaped when dropped, so a failing test leaves
/// nothing running.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `reelcast train --register` with the most trees `--trees` takes (about a minute of
/// training), started in the sandbox; returns once its run is RUNNING in the registry,
/// with the run.
fn start_long_training(sandbox: &Sandbox, out: &str) -> (KillOnDrop, Value) {
    let child = Command::new(env!("CARGO_BIN_EXE_reelcast"))
        .current_dir(sandbox.path())
        .env_remove("RUST_LOG")
        .env_remove("APP_ENV")
        .env_remove("REELCAST_TRACKING_URI")
        .args(["--log-level", "warn", "train", "--register", "--out", out])
        .args(["--trees", "10000"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting reelcast train");
    let mut child = KillOnDrop(child);
    let pid = child.0.id().to_string();
    let started = Instant::now();
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            panic!("the long training ended by itself ({status}) before it was seen RUNNING");
        }
        let list = sandbox.run(["runs", "list", "--json"]);
        // The registry may not exist yet the first time round.
        if list.code == 0 {
            let runs = list.stdout_json();
            let mine =
                runs.as_array().unwrap().iter().find(|r| {
                    r["tags"]["reelcast.pid"] == pid.as_str() && r["status"] == "RUNNING"
                });
            if let Some(run) = mine {
                return (child, run.clone());
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "pid {pid}'s run not RUNNING after 120 s:\n{}{}",
            list.stdout,
            list.stderr
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// SIGKILLs the child and waits for it; asserts it died of the signal.
#[track_caller]
fn kill_9(mut child: KillOnDrop) {
    // `Child::kill` sends SIGKILL on unix.
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "{status}");
    }
}

/// `runs show ID --json`'s run.
fn show_run(sandbox: &Sandbox, id: &str) -> Value {
    sandbox.run(["runs", "show", id, "--json"]).json()["run"].clone()
}

// Liveness is read from /proc, so stale runs are only told apart on Linux.
#[cfg(target_os = "linux")]
#[test]
fn a_train_killed_with_sigkill_is_collected_and_the_registry_keeps_working() {
    let sandbox = Sandbox::new();
    let first = sandbox.train("v1", &["--register"]);
    assert_eq!(first["registered"]["version"], 1);

    // Killed while training: collected by `runs gc`.
    let (child, run) = start_long_training(&sandbox, "doomed");
    let gone = run["run_id"].as_str().unwrap().to_owned();
    kill_9(child);
    // What a kill in the middle of an artifact upload leaves in the run's folder: a
    // temporary file not yet renamed into place (the training above was killed before
    // uploading, so it left no folder of its own).
    let partial = sandbox.write(
        &format!("reelcast-artifacts/{gone}/model/.model.bundle.4242.tmp"),
        b"RCBUNDLE half-written",
    );
    let listed = sandbox.run(["runs", "list", "--json"]).json();
    let table = sandbox.run(["runs", "list"]).success();
    let gc = sandbox.run(["runs", "gc", "--json"]).json();
    let killed = show_run(&sandbox, &gone);
    let gc_again = sandbox.run(["runs", "gc", "--json"]).json();

    let stale = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["run_id"] == gone.as_str())
        .unwrap_or_else(|| panic!("{gone} not listed: {listed:#}"));
    assert_eq!(stale["status"], "RUNNING", "{stale:#}");
    assert_eq!(stale["stale"], true, "{stale:#}");
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with(&gone) && l.contains("RUNNING (stale")),
        "{}",
        table.stdout
    );
    assert_eq!(gc["killed"][0]["run_id"], gone.as_str(), "{gc:#}");
    assert_eq!(gc["killed"].as_array().unwrap().len(), 1, "{gc:#}");
    assert_eq!(killed["status"], "KILLED", "{killed:#}");
    assert!(killed["end_time_ms"].as_i64().is_some(), "{killed:#}");
    assert!(
        killed["tags"]["reelcast.failure_reason"]
            .as_str()
            .is_some_and(|r| r.contains("marked KILLED")),
        "{killed:#}"
    );
    assert!(!partial.exists());
    assert!(
        !sandbox.join(&format!("reelcast-artifacts/{gone}")).exists(),
        "the killed run's artifact folder is removed"
    );
    assert!(
        sandbox
            .join(&format!(
                "reelcast-artifacts/{}",
                first["tracking"]["run_id"].as_str().unwrap()
            ))
            .is_dir(),
        "the registered run's artifacts are kept"
    );
    assert_eq!(gc_again["killed"], serde_json::json!([]), "{gc_again:#}");

    // Killed again: collected by the next `train`, which then registers normally.
    let (child, run) = start_long_training(&sandbox, "doomed2");
    let gone2 = run["run_id"].as_str().unwrap().to_owned();
    kill_9(child);
    let next = sandbox.train("v2", &["--register"]);
    let versions = sandbox.run(["models", "show", MODEL, "--json"]).json()["versions"].clone();

    let collected = &next["tracking"]["killed_stale_runs"];
    assert_eq!(collected[0]["run_id"], gone2.as_str(), "{next:#}");
    assert_eq!(show_run(&sandbox, &gone2)["status"], "KILLED");
    assert_eq!(next["registered"]["version"], 2, "{next:#}");
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 2, "{versions:#?}");
    for v in versions {
        let run_id = v["run_id"].as_str().unwrap();
        assert!(run_id != gone && run_id != gone2, "{v:#}");
        assert_eq!(show_run(&sandbox, run_id)["status"], "FINISHED", "{v:#}");
    }
    assert_eq!(
        versions
            .iter()
            .find(|v| v["version"] == 2)
            .map(|v| &v["run_id"]),
        Some(&next["tracking"]["run_id"])
    );
}

/// Asserts exit 2 and returns the message of the `error: ` line that ends stderr (log
/// lines may come before it).
#[track_caller]
fn last_error(run: &Run) -> String {
    assert_eq!(
        run.code, 2,
        "`{}` should fail with exit 2\nstdout:\n{}\nstderr:\n{}",
        run.command, run.stdout, run.stderr
    );
    let last = run.stderr.trim_end().lines().last().unwrap_or_default();
    last.strip_prefix("error: ")
        .unwrap_or_else(|| panic!("stderr does not end with `error: ...`:\n{}", run.stderr))
        .to_owned()
}

/// Deterministic bytes that are not a valid SQLite page (xorshift).
fn garbage(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn a_registry_file_that_is_not_sqlite_or_is_corrupt_fails_at_once_unchanged() {
    let sandbox = Sandbox::new();
    sandbox.train("real", &["--register"]);
    let real = std::fs::read(sandbox.join("reelcast.db")).unwrap();
    assert!(real.starts_with(b"SQLite format 3\0") && real.len() > 4096);
    // The header (the first 100 bytes) of a real registry, every page after it garbage.
    let corrupt = [&real[..100], &garbage(real.len() - 100)[..]].concat();
    let foreign = b"these are notes, not a registry\n".repeat(64);
    let cases = [
        ("not SQLite", "foreign", foreign, "is not a SQLite database"),
        (
            "corrupt",
            "corrupt",
            corrupt,
            "database disk image is malformed",
        ),
    ];

    for (label, dir, bytes, cause) in cases {
        let db = sandbox.write(&format!("{dir}/reelcast.db"), &bytes);
        let uri = format!("sqlite:///{dir}/reelcast.db");
        let out = format!("{dir}-out");
        for args in [
            vec!["runs", "list", "--json"],
            vec!["models", "list", "--json"],
            vec![
                "train",
                "--trees",
                "3",
                "--register",
                "--json",
                "--out",
                &out,
            ],
        ] {
            let mut args = args;
            args.extend(["--tracking-uri", &uri]);
            let started = Instant::now();
            let run = sandbox.run_with_env(&args, &[("RUST_LOG", "reelcast_registry=debug")]);
            let elapsed = started.elapsed();

            let message = last_error(&run);
            assert!(
                message.contains(&format!("{dir}/reelcast.db")) && message.contains(cause),
                "{label}, `{}`: the path and {cause:?}:\n{message}",
                run.command
            );
            // An error while enabling WAL fails the command at once: it is not retried, so
            // a broken registry file does not make every command wait before failing.
            assert!(
                !run.stderr.contains("retrying"),
                "{label}, `{}`:\n{}",
                run.command,
                run.stderr
            );
            assert!(
                elapsed < Duration::from_secs(3),
                "{label}, `{}` took {elapsed:?}",
                run.command
            );
            assert_eq!(
                sha256(&std::fs::read(&db).unwrap()),
                sha256(&bytes),
                "{label}, `{}` changed the registry file",
                run.command
            );
            for sidecar in ["reelcast.db-wal", "reelcast.db-journal"] {
                assert!(
                    !sandbox.join(&format!("{dir}/{sidecar}")).exists(),
                    "{label}, `{}` left {sidecar}, which the next open would apply",
                    run.command
                );
            }
        }
        assert!(
            !sandbox.join(&out).exists(),
            "{label}: train failed before training"
        );
    }
}

/// `runs list --tracking-uri sqlite:////tmp/x/empty.csv` turned an existing 0-byte file
/// into a SQLite database: the commands that only read open a file only when it is a
/// registry, and leave any other file as it was.
#[test]
fn read_only_commands_leave_an_empty_or_foreign_file_unchanged() {
    let sandbox = Sandbox::new();
    let cases: [(&str, &str, &[u8], &str); 2] = [
        (
            "empty",
            "x/empty.csv",
            b"",
            "is empty, not a reelcast registry",
        ),
        (
            "CSV",
            "x/titles.csv",
            b"tconst,rating\ntt0000001,5.7\n",
            "is not a SQLite database",
        ),
    ];

    for (label, name, bytes, cause) in cases {
        let file = sandbox.write(name, bytes);
        let uri = format!("sqlite:///{}", file.display());
        for args in [
            vec!["runs", "list"],
            vec!["runs", "show", "6cfa"],
            vec!["runs", "compare", "6cfa", "0123"],
            vec!["models", "list", "--json"],
            vec!["models", "show", MODEL],
        ] {
            let run = sandbox.run([&args[..], &["--tracking-uri", &uri]].concat());

            let message = last_error(&run);
            assert!(
                message.contains(&file.display().to_string()) && message.contains(cause),
                "{label}, `{}`:\n{message}",
                run.command
            );
            assert_eq!(
                std::fs::read(&file).unwrap(),
                bytes,
                "{label}, `{}` changed the file",
                run.command
            );
        }
    }
    let mut left: Vec<String> = std::fs::read_dir(sandbox.join("x"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["empty.csv", "titles.csv"], "no sidecar files");
    assert!(!sandbox.join("x/empty-artifacts").exists());
}

#[test]
fn serve_with_a_corrupt_bundle_and_no_model_says_none_is_served() {
    let sandbox = Sandbox::new();
    sandbox.train("a", &[]);
    let bundle = std::fs::read(sandbox.join("a/model.bundle")).unwrap();
    sandbox.write("corrupt.bundle", &bundle[..1000]);

    let run = sandbox.run(["serve", "--port", "0", "--model", "corrupt.bundle"]);

    assert!(
        run.stderr
            .contains("model reload failed; no model is served yet"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("still serving the previous model"),
        "there is no previous model:\n{}",
        run.stderr
    );
    let message = last_error(&run);
    assert!(
        message.contains("corrupt.bundle") && message.contains("truncated"),
        "{message}"
    );
}
