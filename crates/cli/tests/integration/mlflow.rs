//! `reelcast train --register --promote-if-better` and `reelcast serve --model
//! models:/movie_rating_gbt@champion` against a real MLflow tracking server; what was
//! logged and registered is checked through MLflow's own client
//! (`scripts/mlflow_check.py`), down to `mlflow.artifacts.download_artifacts` of the
//! champion giving its model folder (MLmodel and the bundle).
//!
//! Needs `REELCAST_TEST_MLFLOW_URI` and `REELCAST_TEST_MLFLOW_PYTHON` (scripts/mlflow-it.sh
//! sets both). It is `#[ignore]`d: a plain `cargo test` lists it as ignored, and
//! scripts/mlflow-it.sh runs it with `--include-ignored`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{http, sha256_file, Sandbox};

const CHECK_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/mlflow_check.py");
const MODEL: &str = "movie_rating_gbt";
const EXPERIMENT: &str = "imdb_movie_rating";

/// The server's URI. These tests are `#[ignore]`d, so they run only when asked for
/// (`--include-ignored`, as scripts/mlflow-it.sh does); asked for without a server, they
/// fail rather than pass without testing.
fn server() -> String {
    match std::env::var("REELCAST_TEST_MLFLOW_URI") {
        Ok(uri) if !uri.is_empty() => uri,
        _ => panic!(
            "REELCAST_TEST_MLFLOW_URI is not set: run these tests through scripts/mlflow-it.sh, which starts an MLflow server"
        ),
    }
}

/// Runs `scripts/mlflow_check.py SPEC`; returns the exit code, its JSON report and stderr.
fn mlflow_check(uri: &str, spec: &Value) -> (i32, Value, String) {
    let python = std::env::var("REELCAST_TEST_MLFLOW_PYTHON").unwrap_or_else(|_| {
        panic!(
            "set REELCAST_TEST_MLFLOW_PYTHON to a python with mlflow (scripts/mlflow-it.sh does)"
        )
    });
    let output = Command::new(&python)
        .arg(CHECK_SCRIPT)
        .arg(spec.to_string())
        .env("MLFLOW_TRACKING_URI", uri)
        .output()
        .unwrap_or_else(|e| panic!("running {python} {CHECK_SCRIPT}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<Value>(line).ok())
        .unwrap_or_else(|| {
            panic!("mlflow_check.py printed no JSON\nstdout:\n{stdout}\nstderr:\n{stderr}")
        });
    (output.status.code().unwrap_or(-1), report, stderr)
}

/// The `host:port` in a `listening on http://ADDR` log line.
fn listening_address(line: &str) -> Option<String> {
    let rest = &line[line.find("listening on http://")? + "listening on http://".len()..];
    let addr: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '[' | ']'))
        .collect();
    (!addr.is_empty()).then_some(addr)
}

#[test]
fn listening_address_is_read_from_text_and_json_log_lines() {
    for (label, line, expected) in [
        ("text", "2026-11-27T10:00:00Z  INFO listening on http://127.0.0.1:40123 address=127.0.0.1:40123", Some("127.0.0.1:40123")),
        ("json", r#"{"fields":{"message":"listening on http://127.0.0.1:5"}}"#, Some("127.0.0.1:5")),
        ("other", "starting", None),
    ] {
        assert_eq!(listening_address(line).as_deref(), expected, "{label}");
    }
}

#[test]
#[ignore = "needs a running MLflow: see scripts/mlflow-it.sh"]
fn mlflow_train_registers_the_champion_and_serve_predicts_with_it() {
    let uri = server();
    let sandbox = Sandbox::new();

    // Train, log the run, register, promote.
    let out = sandbox
        .run([
            "train",
            "--json",
            "--trees",
            "20",
            "--tracking-uri",
            &uri,
            "--register",
            "--promote-if-better",
        ])
        .json();
    println!(
        "train: {}",
        serde_json::to_string(&out["tracking"]).unwrap()
    );
    let run_id = out["tracking"]["run_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no tracking.run_id in {out:#}"))
        .to_owned();
    assert!(out["tracking"]["pending_run"].is_null(), "{out:#}");
    assert_eq!(out["tracking"]["experiment"], EXPERIMENT);
    let registered = &out["registered"];
    assert_eq!(registered["name"], MODEL, "{out:#}");
    let version = registered["version"].as_u64().unwrap();
    let is_champion = registered["first_champion"] == true || out["promotion"]["promoted"] == true;
    // On a fresh server (scripts/mlflow-it.sh) the first version becomes champion.
    let champion = is_champion.then_some(version);

    // What MLflow itself sees: the run, its artifacts (byte for byte with the local
    // files) and the champion alias.
    let model_path = sandbox.join(out["model_path"].as_str().unwrap());
    let report_dir = sandbox.join(out["report_dir"].as_str().unwrap());
    let feature_spec = model_path.parent().unwrap().join("feature_spec.json");
    let bundle_sha = sha256_file(&model_path);
    let spec = json!({
        "experiment": EXPERIMENT,
        "run_id": run_id,
        "status": "FINISHED",
        "metrics": {"test_rmse": out["rmse"], "baseline_rmse": null, "n_test": out["n_test"]},
        "artifacts": {
            "model/model.bundle": bundle_sha,
            "model/feature_spec.json": sha256_file(&feature_spec),
            "model/MLmodel": null,
            "report/report.json": sha256_file(&report_dir.join("report.json")),
            "feature_spec.json": sha256_file(&feature_spec),
        },
        "inputs": [{"name": "imdb_movies", "digest": out["dataset_version"], "context": "training"}],
        // What a user of MLflow's client gets for the champion: the model folder.
        "model_folder": {
            "uri": format!("models:/{MODEL}@champion"),
            "files": ["model.bundle", "feature_spec.json"],
        },
        // MLflow 3's Models tab: the folder is also a logged model, linked to the version.
        "logged_model": {"files": ["model.bundle", "feature_spec.json"]},
        "model": {
            "name": MODEL,
            "alias": "champion",
            "version": champion,
            "artifact_path": "model",
            "model_description": "IMDb rating",
            "tags": {
                "bundle_sha256": bundle_sha,
                "dataset_version": out["dataset_version"],
                "test_rmse": null,
                "model_kind": null,
            },
            "sha256_tag": ["model/model.bundle", "bundle_sha256"],
        },
    });
    let (code, report, stderr) = mlflow_check(&uri, &spec);
    println!("mlflow_check.py: {report}");
    assert_eq!(
        code, 0,
        "mlflow_check.py failed: {report}\nstderr:\n{stderr}"
    );
    let champion = report["version"].as_u64().unwrap();
    if Some(champion) == registered["version"].as_u64() {
        assert_eq!(report["model_folder"]["model.bundle"], bundle_sha.as_str());
    }
    assert!(
        report["signature_inputs"]
            .as_array()
            .is_some_and(|c| c.iter().any(|n| n == "startYear")),
        "{report}"
    );

    // Serve the champion from the registry.
    let mut child = Command::new(env!("CARGO_BIN_EXE_reelcast"))
        .current_dir(sandbox.path())
        .env_remove("RUST_LOG")
        .env_remove("APP_ENV")
        .env("REELCAST_TRACKING_URI", &uri)
        .args([
            "serve",
            "--port",
            "0",
            "--model",
            &format!("models:/{MODEL}@champion"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let started = Instant::now();
    let addr = loop {
        match lines.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let found = listening_address(&line);
                log.push(line);
                if let Some(addr) = found {
                    break addr;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait().unwrap();
                panic!(
                    "reelcast serve exited ({status}) before listening:\n{}",
                    log.join("\n")
                );
            }
        }
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!(
                "reelcast serve did not log `listening on` within 120 s:\n{}",
                log.join("\n")
            );
        }
    };
    while !matches!(http(&addr, "GET", "/health/ready", None), Ok((200, _))) {
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!(
                "reelcast serve at {addr} not ready within 120 s:\n{}",
                log.join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    let movie = r#"{"title":"Inception","startYear":2010,"runtimeMinutes":148,"numVotes":2400000,"genres":["Action","Sci-Fi"]}"#;
    let predicted = http(&addr, "POST", "/predict/movie", Some(movie));
    let info = http(&addr, "GET", "/model/info", None);
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let exited = child.wait().unwrap();
    let log = log.join("\n") + "\n" + &lines.try_iter().collect::<Vec<_>>().join("\n");

    let (status, body) = predicted.unwrap();
    assert_eq!(
        status, 200,
        "POST /predict/movie: {body}\nserver log:\n{log}"
    );
    let prediction: Value = serde_json::from_str(&body).unwrap();
    let rating = prediction["predicted_rating"]
        .as_f64()
        .unwrap_or_else(|| panic!("no predicted_rating in {body}"));
    assert!((1.0..=10.0).contains(&rating), "{body}");
    assert_eq!(prediction["model_name"], MODEL, "{body}");
    assert_eq!(prediction["model_version"], champion.to_string(), "{body}");

    let (status, body) = info.unwrap();
    assert_eq!(status, 200, "GET /model/info: {body}");
    let info: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(info["name"], MODEL, "{body}");
    assert_eq!(info["version"], champion.to_string(), "{body}");
    assert_eq!(info["alias"], "champion", "{body}");
    assert!(kill.success());
    assert!(
        exited.success(),
        "serve exited with {exited} after SIGTERM\n{log}"
    );
}
