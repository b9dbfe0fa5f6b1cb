use super::*;

#[test]
fn derives_the_proxy_path_from_a_run_artifact_uri() {
    let cases = [
        (
            "short",
            "mlflow-artifacts:/1/abc/artifacts",
            "1/abc/artifacts",
        ),
        (
            "with host",
            "mlflow-artifacts://h:5000/1/abc/artifacts",
            "1/abc/artifacts",
        ),
        (
            "final slash",
            "mlflow-artifacts:/1/abc/artifacts/",
            "1/abc/artifacts",
        ),
    ];
    for (label, uri, expected) in cases {
        assert_eq!(proxy_root(uri).unwrap(), expected, "{label}");
    }
}

#[test]
fn refuses_artifact_uris_the_proxy_does_not_serve() {
    let err = proxy_root("s3://bucket/1/abc/artifacts").unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("--no-serve-artifacts"), "{err}");
}

#[test]
fn finds_the_artifact_path_inside_a_version_source() {
    let cases = [
        (
            "proxy",
            "mlflow-artifacts:/1/r1/artifacts/model/model.bundle",
            "model/model.bundle",
        ),
        (
            "runs uri",
            "runs:/r1/model/model.bundle",
            "model/model.bundle",
        ),
        ("elsewhere", "s3://b/x", "s3://b/x"),
    ];
    for (label, source, expected) in cases {
        assert_eq!(artifact_path_of(source, "r1"), expected, "{label}");
    }
}

#[test]
fn reads_runs_with_omitted_fields_string_numbers_and_nan() {
    let run: RunEnvelope = serde_json::from_str(
        r#"{"run":{"info":{"run_uuid":"r1","run_id":"r1","experiment_id":"1","status":"FINISHED",
            "start_time":"5","end_time":9},
           "data":{"metrics":[{"key":"m","value":"NaN","timestamp":1,"step":"2"}],
                   "tags":[{"key":"mlflow.runName","value":"n"}]}}}"#,
    )
    .unwrap();
    let run = run.run.into_run("e".into()).unwrap();
    assert_eq!(run.run_id, "r1");
    assert_eq!(run.run_name, "n", "falls back to the mlflow.runName tag");
    assert_eq!(run.status, RunStatus::Finished);
    assert_eq!((run.start_time_ms, run.end_time_ms), (5, Some(9)));
    assert!(run.metrics["m"].is_nan());
    assert!(run.params.is_empty());
}

#[test]
fn writes_non_finite_metric_values_as_protobuf_json_strings() {
    let m = |value| Metric {
        key: "k".into(),
        value,
        step: 1,
        timestamp_ms: 2,
    };
    assert_eq!(metric_json(&m(f64::NAN))["value"], json!("NaN"));
    assert_eq!(
        metric_json(&m(f64::NEG_INFINITY))["value"],
        json!("-Infinity")
    );
    assert_eq!(
        metric_json(&m(0.5)),
        json!({"key":"k","value":0.5,"timestamp":2,"step":1})
    );
}

#[test]
fn gives_each_version_the_aliases_that_point_at_it() {
    let version: WireModelVersion = serde_json::from_str(
        r#"{"name":"m","version":"2","source":"mlflow-artifacts:/1/r/artifacts/a","run_id":"r"}"#,
    )
    .unwrap();
    let aliases = BTreeMap::from([
        ("champion".to_owned(), 2),
        ("challenger".to_owned(), 3),
        ("best".to_owned(), 2),
    ]);
    let version = version.into_version(&aliases);
    assert_eq!(version.aliases, ["best", "champion"]);
    assert_eq!(version.artifact_path, "a");
}
