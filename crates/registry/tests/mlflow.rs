//! The MLflow backend against a real MLflow tracking server, checked through MLflow's own
//! Python client (`scripts/mlflow_check.py`).
//!
//! Needs `REELCAST_TEST_MLFLOW_URI` (the server) and `REELCAST_TEST_MLFLOW_PYTHON` (a Python
//! with `mlflow` installed); `scripts/mlflow-it.sh` sets up both and runs these tests.
//! The tests that need the server are `#[ignore]`d: a plain `cargo test` lists them as
//! ignored, and scripts/mlflow-it.sh runs them with `--include-ignored`.

#![expect(clippy::unwrap_used, reason = "test code")]

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reelcast_registry::mlflow::MlflowBackend;
use reelcast_registry::mlmodel::{
    utc_time_created_now, Column, ColumnType, Flavors, MlModel, ReelcastFlavor, Signature,
};
use reelcast_registry::{
    fetch_bundle, AliasChange, Backend, DatasetInput, Error, Metric, RunStatus,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const CHECK_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/mlflow_check.py");

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

fn connect(uri: &str) -> MlflowBackend {
    MlflowBackend::connect(uri, Duration::from_secs(20), 3).unwrap()
}

/// A name no earlier run of these tests used on the same server.
fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}_{nanos}")
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Runs `scripts/mlflow_check.py SPEC` and returns its exit code and JSON report.
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

/// Bytes that use every byte value, so encoding mistakes show.
fn bundle_bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ ((i >> 8) as u8))
        .collect()
}

#[test]
#[ignore = "needs a running MLflow: see scripts/mlflow-it.sh"]
fn every_backend_method_works_against_a_real_mlflow_server_and_mlflow_agrees() {
    let uri = server();
    let mlflow = connect(&uri);
    let experiment = unique("reelcast_it");
    let model = unique("reelcast_it_model");
    assert_eq!(mlflow.describe(), uri.trim_end_matches('/'));

    // Runs: create (the experiment too), log a batch past MLflow's 100-param limit with
    // per-fold CV steps, artifacts, end.
    let run = mlflow
        .create_run(&experiment, "gbt-it", &strings(&[("git_sha", "0123abc")]))
        .unwrap();
    assert_eq!(run.experiment, experiment);
    assert_eq!(run.run_name, "gbt-it");
    assert_eq!(run.status, RunStatus::Running);
    assert_eq!(run.run_id.len(), 32, "{}", run.run_id);
    assert_eq!(run.tags["git_sha"], "0123abc");

    let mut params = strings(&[("max_depth", "6"), ("learning_rate", "0.1"), ("seed", "42")]);
    params.extend((0..150).map(|i| (format!("feature_{i:03}"), format!("on {i}"))));
    let cv = [0.81, 0.79, 0.84, 0.8, 0.78];
    let mut metrics: Vec<Metric> = cv
        .iter()
        .enumerate()
        .map(|(fold, value)| Metric {
            key: "cv_rmse".into(),
            value: *value,
            step: fold as i64,
            timestamp_ms: 1_764_000_000_000 + fold as i64,
        })
        .collect();
    metrics.push(Metric {
        key: "test_rmse".into(),
        value: 0.7712,
        step: 0,
        timestamp_ms: 1_764_000_000_100,
    });
    let run_tags = strings(&[
        ("dataset_version", "imdb-2026-11-01"),
        ("model_kind", "gbt"),
    ]);
    mlflow
        .log_batch(&run.run_id, &params, &metrics, &run_tags)
        .unwrap();

    let bundle = bundle_bytes(300_000, 7);
    let report = br#"{"test_rmse":0.7712,"note":"caf\u00e9"}"#.to_vec();
    let spec = br#"{"features":["startYear","runtimeMinutes"]}"#.to_vec();
    let plot = b"<svg/>".to_vec();
    let artifacts: [(&str, &[u8]); 4] = [
        ("model/model.bundle", &bundle),
        ("report/report.json", &report),
        ("feature_spec.json", &spec),
        ("plots/residuals plot.svg", &plot),
    ];
    for (path, bytes) in artifacts {
        mlflow.log_artifact(&run.run_id, path, bytes).unwrap();
    }
    let mut listed = mlflow.list_artifacts(&run.run_id).unwrap();
    listed.sort();
    assert_eq!(
        listed,
        [
            "feature_spec.json",
            "model/model.bundle",
            "plots/residuals plot.svg",
            "report/report.json"
        ]
    );
    for (path, bytes) in artifacts {
        let back = mlflow.download_artifact(&run.run_id, path).unwrap();
        assert!(
            back == bytes,
            "{path}: {} bytes back, {} sent",
            back.len(),
            bytes.len()
        );
    }
    let missing = mlflow
        .download_artifact(&run.run_id, "model/nothing.bin")
        .unwrap_err();
    assert!(matches!(missing, Error::NotFound(_)), "{missing:?}");

    mlflow.end_run(&run.run_id, RunStatus::Finished).unwrap();
    let ended = mlflow.get_run(&run.run_id).unwrap();
    assert_eq!(ended.status, RunStatus::Finished);
    assert!(ended.end_time_ms.unwrap() >= ended.start_time_ms);
    assert_eq!(ended.params, params);
    assert_eq!(ended.metrics["cv_rmse"], 0.78, "latest step wins");
    assert_eq!(ended.metrics["test_rmse"], 0.7712);
    assert_eq!(ended.tags["dataset_version"], "imdb-2026-11-01");
    assert_eq!(ended.tags["git_sha"], "0123abc");

    // A second, failed run: list_runs is newest first and honours the limit.
    std::thread::sleep(Duration::from_millis(20));
    let second = mlflow
        .create_run(&experiment, "gbt-it-2", &BTreeMap::new())
        .unwrap();
    let bundle2 = bundle_bytes(1000, 99);
    mlflow
        .log_artifact(&second.run_id, "model/model.bundle", &bundle2)
        .unwrap();
    mlflow.end_run(&second.run_id, RunStatus::Failed).unwrap();
    let runs = mlflow.list_runs(&experiment, 10).unwrap();
    let ids: Vec<&str> = runs.iter().map(|r| r.run_id.as_str()).collect();
    assert_eq!(ids, [second.run_id.as_str(), run.run_id.as_str()]);
    assert_eq!(runs[0].status, RunStatus::Failed);
    assert_eq!(mlflow.list_runs(&experiment, 1).unwrap().len(), 1);
    // A run of another experiment: list_all_runs finds runs of both, newest first.
    std::thread::sleep(Duration::from_millis(20));
    let elsewhere = unique("reelcast_it_other");
    let third = mlflow
        .create_run(&elsewhere, "gbt-it-3", &BTreeMap::new())
        .unwrap();
    let all = mlflow.list_all_runs(10_000).unwrap();
    let position = |id: &str| all.iter().position(|r| r.run_id == id);
    let (p3, p2, p1) = (
        position(&third.run_id).expect("the other experiment's run is listed"),
        position(&second.run_id).expect("the second run is listed"),
        position(&run.run_id).expect("the first run is listed"),
    );
    assert!(p3 < p2 && p2 < p1, "newest first: {p3} {p2} {p1}");
    assert_eq!(all[p3].experiment, elsewhere);
    assert_eq!(all[p1].experiment, experiment);
    assert_eq!(mlflow.list_all_runs(1).unwrap().len(), 1);
    mlflow.end_run(&third.run_id, RunStatus::Finished).unwrap();

    // Registry: two versions with tags.
    let version_tags = |sha: &str| {
        strings(&[
            ("bundle_sha256", sha),
            ("test_rmse", "0.7712"),
            ("dataset_version", "imdb-2026-11-01"),
            ("model_kind", "gbt"),
        ])
    };
    let v1 = mlflow
        .create_model_version(
            &model,
            &run.run_id,
            "model/model.bundle",
            &version_tags(&sha256(&bundle)),
        )
        .unwrap();
    assert_eq!((v1.name.as_str(), v1.version), (model.as_str(), 1));
    assert_eq!(v1.run_id, run.run_id);
    assert_eq!(v1.artifact_path, "model/model.bundle");
    assert_eq!(v1.tags, version_tags(&sha256(&bundle)));
    assert!(v1.aliases.is_empty());
    let v2 = mlflow
        .create_model_version(
            &model,
            &second.run_id,
            "model/model.bundle",
            &version_tags(&sha256(&bundle2)),
        )
        .unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(mlflow.get_model_version(&model, 1).unwrap(), v1);
    let versions: Vec<u64> = mlflow
        .list_versions(&model)
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, [2, 1]);
    let no_artifact = mlflow
        .create_model_version(&model, &run.run_id, "model/absent.bundle", &BTreeMap::new())
        .unwrap_err();
    assert!(matches!(no_artifact, Error::NotFound(_)), "{no_artifact:?}");
    assert_eq!(
        mlflow.list_versions(&model).unwrap().len(),
        2,
        "nothing half-registered"
    );

    // Aliases and their history.
    assert_eq!(mlflow.get_alias(&model, "champion").unwrap(), None);
    mlflow.set_alias(&model, "champion", 1).unwrap();
    assert_eq!(
        mlflow
            .get_alias(&model, "champion")
            .unwrap()
            .unwrap()
            .version,
        1
    );
    mlflow.set_alias(&model, "champion", 2).unwrap();
    mlflow.set_alias(&model, "challenger", 1).unwrap();
    mlflow.delete_alias(&model, "challenger").unwrap();
    assert_eq!(mlflow.get_alias(&model, "challenger").unwrap(), None);
    let gone = mlflow.delete_alias(&model, "challenger").unwrap_err();
    assert!(matches!(gone, Error::NotFound(_)), "{gone:?}");
    mlflow.set_alias(&model, "champion", 1).unwrap();
    let champion = mlflow.get_alias(&model, "champion").unwrap().unwrap();
    assert_eq!(champion.version, 1);
    assert_eq!(champion.aliases, ["champion"]);
    assert!(mlflow
        .get_model_version(&model, 2)
        .unwrap()
        .aliases
        .is_empty());
    let moves = |alias: &str| -> Vec<(Option<u64>, Option<u64>)> {
        mlflow
            .alias_history(&model, alias)
            .unwrap()
            .iter()
            .map(|c: &AliasChange| (c.from_version, c.to_version))
            .collect()
    };
    assert_eq!(
        moves("champion"),
        [(None, Some(1)), (Some(1), Some(2)), (Some(2), Some(1))]
    );
    assert_eq!(moves("challenger"), [(None, Some(1)), (Some(1), None)]);
    assert!(moves("staging").is_empty());

    let registered = mlflow.get_model(&model).unwrap();
    assert_eq!(registered.latest_version, Some(2));
    assert_eq!(
        registered.aliases,
        BTreeMap::from([("champion".to_owned(), 1)])
    );
    assert!(
        registered
            .tags
            .keys()
            .all(|k| !k.starts_with("reelcast.alias_history.")),
        "history tags are hidden: {:?}",
        registered.tags
    );
    let listed = mlflow.list_models().unwrap();
    assert!(listed.iter().any(|m| m == &registered), "{listed:?}");

    // MLflow's own client sees the same run, artifacts and alias.
    let mut expected_params: BTreeMap<String, String> = params.clone();
    expected_params.retain(|k, _| !k.starts_with("feature_1"));
    let expected_artifacts: BTreeMap<&str, String> =
        artifacts.iter().map(|(p, b)| (*p, sha256(b))).collect();
    let check = json!({
        "experiment": experiment,
        "run_id": run.run_id,
        "run_name": "gbt-it",
        "status": "FINISHED",
        "params": expected_params,
        "metrics": {"test_rmse": 0.7712, "cv_rmse": 0.78},
        "metric_history": {"cv_rmse": cv},
        "tags": {"git_sha": "0123abc", "dataset_version": "imdb-2026-11-01", "model_kind": "gbt"},
        "artifacts": expected_artifacts,
        "model": {
            "name": model,
            "alias": "champion",
            "version": 1,
            "artifact_path": "model/model.bundle",
            "tags": version_tags(&sha256(&bundle)),
            "sha256_tag": ["model/model.bundle", "bundle_sha256"],
        },
    });
    let (code, report, stderr) = mlflow_check(&uri, &check);
    println!("mlflow_check.py: {report}");
    assert_eq!(
        code, 0,
        "mlflow_check.py failed: {report}\nstderr:\n{stderr}"
    );
    assert_eq!(report["ok"], true);
    assert_eq!(report["run_id"], run.run_id.as_str());
    assert_eq!(report["version"], 1);
    assert_eq!(
        report["artifacts"]["model/model.bundle"],
        sha256(&bundle).as_str()
    );

    // And the check notices a wrong expectation (it is not vacuous).
    let wrong = json!({"run_id": run.run_id, "metrics": {"test_rmse": 0.5},
                       "model": {"name": model, "alias": "champion", "version": 2}});
    let (code, report, _) = mlflow_check(&uri, &wrong);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["failures"].as_array().unwrap().len(), 2, "{report}");
}

/// Logs a model folder (`model/`: the bundle, a feature spec and an MLmodel claiming
/// `claimed`, else the bundle's checksum) to a new run of `experiment`; returns the run id
/// and the bundle.
fn run_with_model_folder(
    mlflow: &MlflowBackend,
    experiment: &str,
    seed: u8,
    claimed: Option<&str>,
) -> (String, Vec<u8>) {
    let run = mlflow
        .create_run(experiment, "folder", &BTreeMap::new())
        .unwrap();
    let bundle = bundle_bytes(50_000, seed);
    let mlmodel = MlModel {
        artifact_path: Some("model".into()),
        flavors: Flavors {
            reelcast: Some(ReelcastFlavor {
                bundle_file: "model.bundle".into(),
                bundle_format_version: 3,
                bundle_sha256: claimed.map_or_else(|| sha256(&bundle), str::to_owned),
                reelcast_version: "0.1.0".into(),
            }),
            other: BTreeMap::new(),
        },
        model_size_bytes: Some(bundle.len() as u64 + 2),
        run_id: Some(run.run_id.clone()),
        signature: Some(Signature::from_columns(
            &[
                Column::new("startYear", ColumnType::Long, true),
                Column::new(
                    "genres",
                    ColumnType::Array(Box::new(ColumnType::String)),
                    false,
                ),
            ],
            &[Column::new("predicted_rating", ColumnType::Double, true)],
        )),
        utc_time_created: Some(utc_time_created_now()),
    };
    for (path, bytes) in [
        ("model/model.bundle", bundle.clone()),
        ("model/feature_spec.json", b"{}".to_vec()),
        ("model/MLmodel", mlmodel.to_yaml().unwrap().into_bytes()),
    ] {
        mlflow.log_artifact(&run.run_id, path, &bytes).unwrap();
    }
    (run.run_id, bundle)
}

#[test]
#[ignore = "needs a running MLflow: see scripts/mlflow-it.sh"]
fn model_folders_descriptions_and_inputs_work_against_a_real_mlflow_server() {
    let uri = server();
    let mlflow = connect(&uri);
    let experiment = unique("reelcast_it_folder");
    let model = unique("reelcast_it_folder_model");
    let (run_id, bundle) = run_with_model_folder(&mlflow, &experiment, 11, None);
    let input = DatasetInput {
        name: "imdb_movies".into(),
        digest: "imdb-2026-11-01".into(),
        source_type: "local".into(),
        source: r#"{"uri": "/data/imdb"}"#.into(),
        schema: r#"{"mlflow_colspec": [{"type": "string", "name": "tconst", "required": true}]}"#
            .into(),
        profile: r#"{"num_rows": 6208}"#.into(),
        context: "training".into(),
    };
    mlflow
        .log_inputs(&run_id, std::slice::from_ref(&input))
        .unwrap();
    mlflow.end_run(&run_id, RunStatus::Finished).unwrap();

    // Registered by reelcast: the folder, with its checksum tag and descriptions.
    let tags = strings(&[("bundle_sha256", &sha256(&bundle))]);
    let v1 = mlflow
        .create_described_model_version(&model, &run_id, "model", &tags, "gbt; test RMSE 0.77")
        .unwrap();
    mlflow
        .set_model_description(&model, "Predicts a movie's IMDb rating")
        .unwrap();
    mlflow.set_alias(&model, "champion", v1.version).unwrap();

    assert_eq!(v1.artifact_path, "model");
    assert_eq!(v1.description, "gbt; test RMSE 0.77");
    assert_eq!(
        mlflow.get_model(&model).unwrap().description,
        "Predicts a movie's IMDb rating"
    );
    assert_eq!(mlflow.get_run(&run_id).unwrap().inputs, [input]);
    assert_eq!(fetch_bundle(&mlflow, &v1).unwrap(), bundle);

    // MLflow's client downloads models:/…@champion as the folder, reads its MLmodel, sees
    // the dataset input, the descriptions and the logged model (MLflow 3) linked to the
    // version; then registers the folder as a plain client does, without reelcast's tags.
    let check = json!({
        "run_id": run_id,
        "inputs": [{"name": "imdb_movies", "digest": "imdb-2026-11-01", "context": "training",
                    "num_rows": 6208}],
        "model": {"name": model, "alias": "champion", "version": 1, "artifact_path": "model",
                  "description": "test RMSE 0.77", "model_description": "IMDb rating"},
        "model_folder": {"uri": format!("models:/{model}@champion"),
                         "files": ["model.bundle", "feature_spec.json"]},
        "logged_model": {"files": ["model.bundle", "feature_spec.json"]},
        "register": {"name": model, "uri": format!("runs:/{run_id}/model")},
    });
    let (code, report, stderr) = mlflow_check(&uri, &check);
    println!("mlflow_check.py: {report}");
    assert_eq!(
        code, 0,
        "mlflow_check.py failed: {report}\nstderr:\n{stderr}"
    );
    assert_eq!(
        report["model_folder"]["model.bundle"],
        sha256(&bundle).as_str()
    );
    assert_eq!(report["signature_inputs"], json!(["startYear", "genres"]));
    let plain = mlflow
        .get_model_version(&model, report["registered_version"].as_u64().unwrap())
        .unwrap();
    assert!(!plain.tags.contains_key("bundle_sha256"), "{plain:?}");
    assert_eq!(plain.artifact_path, "model");
    assert_eq!(
        fetch_bundle(&mlflow, &plain).unwrap(),
        bundle,
        "verified by MLmodel"
    );

    // A folder whose MLmodel does not match its bundle, registered the same way: refused.
    let (bad_run, _) = run_with_model_folder(&mlflow, &experiment, 12, Some(&"ab".repeat(32)));
    let check = json!({"run_id": bad_run,
                       "register": {"name": model, "uri": format!("runs:/{bad_run}/model")}});
    let (code, report, stderr) = mlflow_check(&uri, &check);
    assert_eq!(code, 0, "{report}\nstderr:\n{stderr}");
    let bad = mlflow
        .get_model_version(&model, report["registered_version"].as_u64().unwrap())
        .unwrap();
    let err = fetch_bundle(&mlflow, &bad).unwrap_err();
    assert!(matches!(err, Error::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains("differs from MLmodel's"), "{err}");
}

#[test]
#[ignore = "needs a running MLflow: see scripts/mlflow-it.sh"]
fn missing_objects_are_not_found_and_bad_requests_are_invalid() {
    let uri = server();
    let mlflow = connect(&uri);
    let experiment = unique("reelcast_it_errors");

    let cases: Vec<(&str, Error, &str)> = vec![
        (
            "run",
            mlflow
                .get_run("0123456789abcdef0123456789abcdef")
                .unwrap_err(),
            r#"run "0123456789abcdef0123456789abcdef" not found"#,
        ),
        (
            "model",
            mlflow.get_model("reelcast_it_no_such_model").unwrap_err(),
            r#"model "reelcast_it_no_such_model" not found"#,
        ),
        (
            "versions of a model",
            mlflow
                .list_versions("reelcast_it_no_such_model")
                .unwrap_err(),
            r#"model "reelcast_it_no_such_model" not found"#,
        ),
        (
            "experiment",
            mlflow.list_runs(&experiment, 5).unwrap_err(),
            "not found",
        ),
    ];
    for (label, err, message) in cases {
        assert!(matches!(err, Error::NotFound(_)), "{label}: {err:?}");
        assert!(err.to_string().contains(message), "{label}: {err}");
    }

    let run = mlflow
        .create_run(&experiment, "errors", &BTreeMap::new())
        .unwrap();
    let p = |v: &str| strings(&[("seed", v)]);
    mlflow
        .log_batch(&run.run_id, &p("1"), &[], &BTreeMap::new())
        .unwrap();
    let changed = mlflow
        .log_batch(&run.run_id, &p("2"), &[], &BTreeMap::new())
        .unwrap_err();
    assert!(matches!(changed, Error::Invalid(_)), "{changed:?}");
    assert!(changed.to_string().contains("seed"), "{changed}");

    let missing_version = mlflow
        .get_model_version("reelcast_it_no_such_model", 1)
        .unwrap_err();
    assert!(
        matches!(missing_version, Error::NotFound(_)),
        "{missing_version:?}"
    );
    mlflow.end_run(&run.run_id, RunStatus::Killed).unwrap();
    assert_eq!(
        mlflow.get_run(&run.run_id).unwrap().status,
        RunStatus::Killed
    );
}

#[test]
fn a_server_that_is_not_running_is_unavailable_naming_its_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = format!("http://127.0.0.1:{port}");
    let mlflow = MlflowBackend::connect(&down, Duration::from_secs(2), 1).unwrap();

    let err = mlflow.list_models().unwrap_err();

    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("the MLflow server at {down} did not answer")),
        "{err}"
    );
}
