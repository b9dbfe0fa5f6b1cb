//! The MLflow client against local fakes (tiny_http): retries, timeouts, error mapping,
//! batching, credentials and the all-or-nothing version registration. The real server is
//! exercised by `tests/mlflow.rs` (scripts/mlflow-it.sh).

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::auth::Auth;
use super::http::Transport;
use super::MlflowBackend;
use crate::{Backend, Error};

/// One request the fake received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    url: String,
    body: String,
    authorization: Option<String>,
}

/// A fake MLflow server answering through `handler(request, nth call of that path)`.
struct Fake {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    fn start(handler: impl Fn(&Seen, usize) -> (u16, String) + Send + 'static) -> Self {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let base = format!("http://{}", server.server_addr().to_ip().unwrap());
        let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let authorization = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.to_string());
                let entry = Seen {
                    method: request.method().to_string(),
                    url: request.url().to_owned(),
                    body,
                    authorization,
                };
                let path = entry.url.split('?').next().unwrap_or_default().to_owned();
                let nth = {
                    let mut log = log.lock().unwrap();
                    log.push(entry.clone());
                    log.iter()
                        .filter(|s| s.url.split('?').next() == Some(&path))
                        .count()
                };
                let (status, body) = handler(&entry, nth);
                let _ = request
                    .respond(tiny_http::Response::from_string(body).with_status_code(status));
            }
        });
        Self { base, seen }
    }

    /// A backend of this fake that retries without waiting (the delays are checked by
    /// `retries_503_answers_with_backoff_then_succeeds`).
    fn backend(&self, retries: u32, auth: Auth) -> MlflowBackend {
        let transport = Transport::new(&self.base, Duration::from_secs(5), retries, auth)
            .unwrap()
            .with_sleep(Arc::new(|_| {}));
        backend_with(transport)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn count(&self, path: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.url.starts_with(path))
            .count()
    }
}

fn backend(base: &str, timeout: Duration, retries: u32, auth: Auth) -> MlflowBackend {
    backend_with(Transport::new(base, timeout, retries, auth).unwrap())
}

/// A backend whose backoff delays are recorded in `delays` instead of waited.
fn backend_recording(
    base: &str,
    retries: u32,
    delays: &Arc<Mutex<Vec<Duration>>>,
) -> MlflowBackend {
    let delays = Arc::clone(delays);
    let transport = Transport::new(base, Duration::from_secs(5), retries, Auth::None)
        .unwrap()
        .with_sleep(Arc::new(move |d| delays.lock().unwrap().push(d)));
    backend_with(transport)
}

fn backend_with(http: Transport) -> MlflowBackend {
    MlflowBackend {
        http,
        experiment_names: Mutex::default(),
        artifact_roots: Mutex::default(),
    }
}

const RUN: &str = r#"{"run":{"info":{"run_id":"r1","experiment_id":"1","run_name":"n",
    "status":"RUNNING","start_time":1,"artifact_uri":"mlflow-artifacts:/1/r1/artifacts"},
    "data":{"params":[{"key":"p","value":"1"}]}}}"#;
const EXPERIMENT: &str = r#"{"experiment":{"experiment_id":"1","name":"e"}}"#;

fn ok(body: &str) -> (u16, String) {
    (200, body.to_owned())
}

#[test]
fn retries_503_answers_with_backoff_then_succeeds() {
    let fake = Fake::start(|req, nth| match req.url.split('?').next().unwrap() {
        "/api/2.0/mlflow/runs/get" if nth <= 2 => (503, "busy".into()),
        "/api/2.0/mlflow/runs/get" => ok(RUN),
        "/api/2.0/mlflow/experiments/get" => ok(EXPERIMENT),
        _ => (404, String::new()),
    });
    let delays = Arc::new(Mutex::new(Vec::new()));
    let mlflow = backend_recording(&fake.base, 3, &delays);

    let run = mlflow.get_run("r1").unwrap();

    assert_eq!(run.run_id, "r1");
    assert_eq!(run.experiment, "e");
    assert_eq!(fake.count("/api/2.0/mlflow/runs/get"), 3);
    assert_eq!(
        *delays.lock().unwrap(),
        [Duration::from_millis(200), Duration::from_millis(400)],
        "two retries back off 200 then 400 ms"
    );
}

#[test]
fn gives_up_after_the_retries_with_unavailable_naming_the_server() {
    let fake = Fake::start(|_, _| {
        (
            500,
            r#"{"error_code":"INTERNAL_ERROR","message":"db down"}"#.into(),
        )
    });
    let mlflow = fake.backend(2, Auth::None);

    let err = mlflow.get_run("r1").unwrap_err();

    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(&format!(
            "the MLflow server at {} did not answer",
            fake.base
        )),
        "{message}"
    );
    assert!(message.contains("3 attempts"), "{message}");
    assert!(message.contains("HTTP 500"), "{message}");
    assert!(message.contains("db down"), "{message}");
    assert_eq!(fake.count("/api/2.0/mlflow/runs/get"), 3);
}

#[test]
fn times_out_a_server_that_never_answers() {
    // Accepted by the kernel's backlog, never answered.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", silent.local_addr().unwrap());
    let mlflow = backend(&base, Duration::from_millis(300), 1, Auth::None);

    let started = Instant::now();
    let err = mlflow.get_run("r1").unwrap_err();
    let took = started.elapsed();

    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains(&base), "{err}");
    assert!(err.to_string().contains("2 attempts"), "{err}");
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(5),
        "2 × 300 ms timeouts + 200 ms backoff, took {took:?}"
    );
    drop(silent);
}

#[test]
fn reports_a_refused_connection_as_unavailable() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mlflow = backend(&base, Duration::from_secs(1), 0, Auth::None);

    let err = mlflow.list_models().unwrap_err();

    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("the MLflow server at {base} did not answer GET {base}/api/2.0/mlflow/registered-models/search")),
        "{err}"
    );
}

#[test]
fn maps_a_missing_run_to_not_found_and_a_bad_param_to_invalid() {
    let fake = Fake::start(|req, _| {
        match req.url.split('?').next().unwrap() {
        "/api/2.0/mlflow/runs/get" => (
            404,
            r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Run with id=x not found"}"#.into(),
        ),
        _ => (
            400,
            r#"{"error_code":"INVALID_PARAMETER_VALUE","message":"Changing param values is not allowed. Param with key='p' was already logged with value='1'"}"#.into(),
        ),
    }
    });
    let mlflow = fake.backend(3, Auth::None);

    let missing = mlflow.get_run("x").unwrap_err();
    let params = BTreeMap::from([("p".to_owned(), "2".to_owned())]);
    let invalid = mlflow
        .log_batch("r1", &params, &[], &BTreeMap::new())
        .unwrap_err();

    assert!(matches!(missing, Error::NotFound(_)), "{missing:?}");
    assert_eq!(missing.to_string(), r#"run "x" not found"#);
    assert!(matches!(invalid, Error::Invalid(_)), "{invalid:?}");
    assert!(
        invalid
            .to_string()
            .contains("Changing param values is not allowed"),
        "{invalid}"
    );
    assert_eq!(
        fake.count("/api/2.0/mlflow/runs/log-batch"),
        1,
        "4xx is not retried"
    );
}

#[test]
fn splits_large_batches_into_requests_within_mlflow_limits() {
    let fake = Fake::start(|_, _| ok("{}"));
    let mlflow = fake.backend(0, Auth::None);
    let params: BTreeMap<String, String> =
        (0..250).map(|i| (format!("p{i}"), "v".into())).collect();
    let metrics: Vec<crate::Metric> = (0..5)
        .map(|fold| crate::Metric {
            key: "cv_rmse".into(),
            value: 0.5 + f64::from(fold),
            step: i64::from(fold),
            timestamp_ms: 7,
        })
        .collect();

    mlflow
        .log_batch("r1", &params, &metrics, &BTreeMap::new())
        .unwrap();

    let bodies: Vec<serde_json::Value> = fake
        .seen()
        .iter()
        .map(|s| serde_json::from_str(&s.body).unwrap())
        .collect();
    assert_eq!(bodies.len(), 3);
    let counts: Vec<(usize, usize)> = bodies
        .iter()
        .map(|b| {
            (
                b["params"].as_array().unwrap().len(),
                b["metrics"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(counts, [(100, 5), (100, 0), (50, 0)]);
    assert_eq!(
        bodies[0]["metrics"][4],
        serde_json::json!({"key":"cv_rmse","value":4.5,"timestamp":7,"step":4})
    );
}

/// A run of experiment `exp` as `runs/search` lists it.
fn wire_run(id: &str, exp: &str, start: i64) -> serde_json::Value {
    serde_json::json!({"info": {
        "run_id": id, "experiment_id": exp, "run_name": id, "status": "FINISHED",
        "start_time": start, "artifact_uri": format!("mlflow-artifacts:/{exp}/{id}/artifacts"),
    }})
}

#[test]
fn lists_the_runs_of_every_active_experiment_in_one_search() {
    let fake = Fake::start(|req, _| {
        let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
        match req.url.as_str() {
            // Two pages of experiments.
            "/api/2.0/mlflow/experiments/search" if body["page_token"].is_null() => ok(
                r#"{"experiments":[{"experiment_id":"1","name":"imdb_movie_rating"}],"next_page_token":"p2"}"#,
            ),
            "/api/2.0/mlflow/experiments/search" => {
                ok(r#"{"experiments":[{"experiment_id":"7","name":"other"}]}"#)
            }
            "/api/2.0/mlflow/runs/search" => ok(&serde_json::json!({"runs": [
                wire_run("b2", "7", 20),
                wire_run("a1", "1", 10),
            ]})
            .to_string()),
            _ => (404, String::new()),
        }
    });
    let mlflow = fake.backend(0, Auth::None);

    let runs = mlflow.list_all_runs(50).unwrap();

    let listed: Vec<(&str, &str)> = runs
        .iter()
        .map(|r| (r.run_id.as_str(), r.experiment.as_str()))
        .collect();
    assert_eq!(listed, [("b2", "other"), ("a1", "imdb_movie_rating")]);
    let seen = fake.seen();
    let requests: Vec<(&str, serde_json::Value)> = seen
        .iter()
        .map(|s| {
            (
                s.url.as_str(),
                serde_json::from_str(&s.body).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        requests,
        [
            (
                "/api/2.0/mlflow/experiments/search",
                serde_json::json!({"max_results": 1000, "view_type": "ACTIVE_ONLY"})
            ),
            (
                "/api/2.0/mlflow/experiments/search",
                serde_json::json!({"max_results": 1000, "view_type": "ACTIVE_ONLY", "page_token": "p2"})
            ),
            (
                "/api/2.0/mlflow/runs/search",
                serde_json::json!({
                    "experiment_ids": ["1", "7"],
                    "order_by": ["attributes.start_time DESC"],
                    "max_results": 50,
                })
            ),
        ],
        "one search over both experiments; names from the experiment listing"
    );
    assert!(seen.iter().all(|s| s.method == "POST"), "{seen:?}");
}

#[test]
fn lists_no_runs_without_searching_when_there_is_no_experiment() {
    let fake = Fake::start(|_, _| ok("{}"));
    let mlflow = fake.backend(0, Auth::None);

    assert!(mlflow.list_all_runs(10).unwrap().is_empty());

    assert_eq!(fake.count("/api/2.0/mlflow/runs/search"), 0);
}

#[test]
fn sends_the_token_as_bearer_and_never_prints_it() {
    let fake = Fake::start(|_, _| ok(r#"{"registered_models":[]}"#));
    let mlflow = fake.backend(0, Auth::Bearer("t0ken".into()));

    assert!(mlflow.list_models().unwrap().is_empty());

    assert_eq!(
        fake.seen()[0].authorization.as_deref(),
        Some("Bearer t0ken")
    );
    let debug = format!("{mlflow:?}");
    assert!(!debug.contains("t0ken"), "{debug}");
}

#[test]
fn deletes_the_new_version_when_tagging_it_fails() {
    let fake = Fake::start(|req, _| match req.url.split('?').next().unwrap() {
        "/api/2.0/mlflow/runs/get" => ok(RUN),
        "/api/2.0/mlflow/experiments/get" => ok(EXPERIMENT),
        "/api/2.0/mlflow-artifacts/artifacts" => {
            ok(r#"{"files":[{"path":"model.bundle","is_dir":false}]}"#)
        }
        "/api/2.0/mlflow/registered-models/get" => ok(r#"{"registered_model":{"name":"m"}}"#),
        // A server that ignores tags on create, so reelcast sets them one by one.
        "/api/2.0/mlflow/model-versions/create" => ok(
            r#"{"model_version":{"name":"m","version":"4","status":"READY","run_id":"r1",
                "source":"mlflow-artifacts:/1/r1/artifacts/model/model.bundle"}}"#,
        ),
        "/api/2.0/mlflow/model-versions/set-tag" => (
            400,
            r#"{"error_code":"INVALID_PARAMETER_VALUE","message":"tag value too long"}"#.into(),
        ),
        "/api/2.0/mlflow/model-versions/delete" => ok("{}"),
        _ => (404, String::new()),
    });
    let mlflow = fake.backend(0, Auth::None);
    let tags = BTreeMap::from([("bundle_sha256".to_owned(), "ab".repeat(32))]);

    let err = mlflow
        .create_model_version("m", "r1", "model/model.bundle", &tags)
        .unwrap_err();

    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("tag value too long"), "{err}");
    let seen = fake.seen();
    let create = seen
        .iter()
        .find(|s| s.url.ends_with("model-versions/create"))
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&create.body).unwrap();
    assert_eq!(
        body["source"],
        "mlflow-artifacts:/1/r1/artifacts/model/model.bundle"
    );
    assert_eq!(body["run_id"], "r1");
    let delete = seen.last().unwrap();
    assert_eq!(delete.method, "DELETE");
    assert!(
        delete
            .url
            .ends_with("/api/2.0/mlflow/model-versions/delete"),
        "{delete:?}"
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&delete.body).unwrap(),
        serde_json::json!({"name":"m","version":"4"})
    );
}

#[test]
fn refuses_to_register_an_artifact_the_run_does_not_have() {
    let fake = Fake::start(|req, _| match req.url.split('?').next().unwrap() {
        "/api/2.0/mlflow/runs/get" => ok(RUN),
        "/api/2.0/mlflow-artifacts/artifacts" => ok("{}"),
        _ => (404, String::new()),
    });
    let mlflow = fake.backend(0, Auth::None);

    let err = mlflow
        .create_model_version("m", "r1", "model/model.bundle", &BTreeMap::new())
        .unwrap_err();

    assert_eq!(
        err.to_string(),
        r#"artifact "model/model.bundle" of run "r1" not found"#
    );
    assert_eq!(fake.count("/api/2.0/mlflow/model-versions/create"), 0);
}

#[test]
fn downloads_a_missing_artifact_as_not_found_without_asking_for_it() {
    let fake = Fake::start(|req, _| match req.url.split('?').next().unwrap() {
        "/api/2.0/mlflow/runs/get" => ok(RUN),
        "/api/2.0/mlflow-artifacts/artifacts" => ok(r#"{"files":[{"path":"other.json"}]}"#),
        _ => (500, "should not be asked".into()),
    });
    let mlflow = fake.backend(0, Auth::None);

    let err = mlflow
        .download_artifact("r1", "report/report.json")
        .unwrap_err();

    assert_eq!(
        err.to_string(),
        r#"artifact "report/report.json" of run "r1" not found"#
    );
    let listing = fake
        .seen()
        .into_iter()
        .find(|s| s.url.starts_with("/api/2.0/mlflow-artifacts/artifacts?"))
        .unwrap();
    assert_eq!(
        listing.url,
        "/api/2.0/mlflow-artifacts/artifacts?path=1%2Fr1%2Fartifacts%2Freport"
    );
}

#[test]
fn rejects_artifact_paths_that_leave_the_run() {
    let mlflow = backend("http://127.0.0.1:9", Duration::from_secs(1), 0, Auth::None);
    for path in ["", "/etc/passwd", "../x", "a//b", "a/./b", "a\\b"] {
        let err = mlflow.log_artifact("r1", path, b"x").unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{path:?}: {err:?}");
    }
}

#[test]
fn connects_without_a_network_call_and_describes_itself_without_credentials() {
    let mlflow =
        MlflowBackend::connect("http://user:pw@127.0.0.1:9/", Duration::from_secs(1), 3).unwrap();
    assert_eq!(mlflow.describe(), "http://127.0.0.1:9");
    assert!(!format!("{mlflow:?}").contains("pw"));
}

#[test]
fn lists_every_page_of_a_models_versions() {
    let fake = Fake::start(|req, _| match req.url.split('?').next().unwrap() {
        "/api/2.0/mlflow/registered-models/get" => ok(
            r#"{"registered_model":{"name":"m","aliases":[{"alias":"champion","version":"1"}]}}"#,
        ),
        "/api/2.0/mlflow/model-versions/search" if !req.url.contains("page_token") => ok(
            r#"{"model_versions":[{"name":"m","version":"1","source":"s1"}],"next_page_token":"p2"}"#,
        ),
        "/api/2.0/mlflow/model-versions/search" => {
            ok(r#"{"model_versions":[{"name":"m","version":"2","source":"s2"}]}"#)
        }
        _ => (404, String::new()),
    });
    let mlflow = fake.backend(0, Auth::None);

    let versions = mlflow.list_versions("m").unwrap();

    let listed: Vec<(u64, Vec<String>)> = versions
        .iter()
        .map(|v| (v.version, v.aliases.clone()))
        .collect();
    assert_eq!(
        listed,
        [(2, vec![]), (1, vec!["champion".to_owned()])],
        "both pages, newest first, with the model's aliases"
    );
    let searches: Vec<String> = fake
        .seen()
        .into_iter()
        .filter(|s| s.url.contains("model-versions/search"))
        .map(|s| s.url)
        .collect();
    assert_eq!(searches.len(), 2, "{searches:?}");
    assert!(
        searches[0].contains("filter=name%3D%27m%27"),
        "{searches:?}"
    );
    assert!(searches[1].contains("page_token=p2"), "{searches:?}");
}
