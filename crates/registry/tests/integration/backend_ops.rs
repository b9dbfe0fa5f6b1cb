//! Every `Backend` operation of the embedded backend, and its errors.

use std::collections::BTreeMap;

use reelcast_registry::{Backend, Error, Metric, RunStatus};

use crate::helpers::{fake_bundle, register, sha256, TempRegistry};

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn runs_keep_params_metrics_tags_and_status() {
    let reg = TempRegistry::new();
    let backend = reg.open();

    let run = backend
        .create_run("exp", "first", &tags(&[("model_kind", "gbt")]))
        .unwrap();
    let metric = |key: &str, value: f64, step: i64, timestamp_ms: i64| Metric {
        key: key.into(),
        value,
        step,
        timestamp_ms,
    };
    backend
        .log_batch(
            &run.run_id,
            &tags(&[("seed", "42"), ("n_trees", "300")]),
            &[
                metric("test_rmse", 0.8, 0, 1),
                metric("cv_rmse", 0.9, 0, 1),
                metric("cv_rmse", 0.7, 2, 1),
                metric("cv_rmse", 0.85, 1, 2),
            ],
            &tags(&[("git_sha", "abc")]),
        )
        .unwrap();
    backend.end_run(&run.run_id, RunStatus::Finished).unwrap();
    let got = backend.get_run(&run.run_id).unwrap();

    assert_eq!(run.run_id.len(), 32);
    assert!(run
        .run_id
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(got.experiment, "exp");
    assert_eq!(got.run_name, "first");
    assert_eq!(got.status, RunStatus::Finished);
    assert!(got.end_time_ms.is_some());
    assert_eq!(got.params, tags(&[("n_trees", "300"), ("seed", "42")]));
    assert_eq!(got.tags, tags(&[("git_sha", "abc"), ("model_kind", "gbt")]));
    assert_eq!(got.metrics["test_rmse"], 0.8);
    assert_eq!(got.metrics["cv_rmse"], 0.7, "the highest step wins");
}

#[test]
fn params_cannot_change_but_may_be_repeated() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let run = backend.create_run("exp", "r", &BTreeMap::new()).unwrap();
    let empty = BTreeMap::new();
    backend
        .log_batch(&run.run_id, &tags(&[("seed", "1")]), &[], &empty)
        .unwrap();

    let same = backend.log_batch(&run.run_id, &tags(&[("seed", "1")]), &[], &empty);
    let changed = backend.log_batch(&run.run_id, &tags(&[("seed", "2")]), &[], &empty);

    assert!(same.is_ok());
    let err = changed.unwrap_err().to_string();
    assert!(
        err.contains("seed") && err.contains("cannot change"),
        "{err}"
    );
}

#[test]
fn runs_are_listed_newest_first_up_to_the_limit() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let ids: Vec<String> = (0..3)
        .map(|i| {
            let run = backend
                .create_run("exp", &format!("r{i}"), &BTreeMap::new())
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(2));
            run.run_id
        })
        .collect();
    backend.create_run("other", "x", &BTreeMap::new()).unwrap();

    let listed = backend.list_runs("exp", 2).unwrap();

    assert_eq!(
        listed.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>(),
        vec![ids[2].as_str(), ids[1].as_str()]
    );
    let err = backend.list_runs("nope", 5).unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err}");
    assert!(err.to_string().contains("experiment \"nope\""), "{err}");
}

#[test]
fn runs_of_every_experiment_are_listed_newest_first_up_to_the_limit() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    assert!(
        backend.list_all_runs(5).unwrap().is_empty(),
        "no experiment"
    );
    let ids: Vec<(String, &str)> = ["exp", "other", "exp"]
        .into_iter()
        .map(|experiment| {
            let run = backend
                .create_run(experiment, "r", &BTreeMap::new())
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(2));
            (run.run_id, experiment)
        })
        .collect();

    let all = backend.list_all_runs(10).unwrap();
    let two = backend.list_all_runs(2).unwrap();

    let listed: Vec<(String, &str)> = all
        .iter()
        .map(|r| (r.run_id.clone(), r.experiment.as_str()))
        .collect();
    let newest_first: Vec<(String, &str)> = ids.iter().rev().cloned().collect();
    assert_eq!(listed, newest_first);
    assert_eq!(two.len(), 2);
    assert_eq!(two[1].run_id, ids[1].0);
}

#[test]
fn unknown_runs_are_not_found() {
    let reg = TempRegistry::new();
    let backend = reg.open();

    for (label, err) in [
        (
            "get",
            backend
                .get_run("0123456789abcdef0123456789abcdef")
                .unwrap_err(),
        ),
        ("malformed", backend.get_run("../etc").unwrap_err()),
        (
            "end",
            backend
                .end_run("0123456789abcdef0123456789abcdef", RunStatus::Failed)
                .unwrap_err(),
        ),
        (
            "artifact",
            backend
                .log_artifact("0123456789abcdef0123456789abcdef", "a", b"x")
                .unwrap_err(),
        ),
    ] {
        assert!(matches!(err, Error::NotFound(_)), "{label}: {err}");
    }
}

#[test]
fn artifacts_round_trip_and_are_listed_sorted() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let run = backend.create_run("exp", "r", &BTreeMap::new()).unwrap();
    let bundle = fake_bundle(1, 10_000);

    backend
        .log_artifact(&run.run_id, "model/model.bundle", &bundle)
        .unwrap();
    backend
        .log_artifact(&run.run_id, "feature_spec.json", b"{}")
        .unwrap();
    backend
        .log_artifact(&run.run_id, "report/report.json", b"{\"a\":1}")
        .unwrap();
    backend
        .log_artifact(&run.run_id, "feature_spec.json", b"{\"v\":2}")
        .unwrap();

    assert_eq!(
        backend.list_artifacts(&run.run_id).unwrap(),
        vec![
            "feature_spec.json",
            "model/model.bundle",
            "report/report.json"
        ]
    );
    assert_eq!(
        backend
            .download_artifact(&run.run_id, "model/model.bundle")
            .unwrap(),
        bundle
    );
    assert_eq!(
        backend
            .download_artifact(&run.run_id, "feature_spec.json")
            .unwrap(),
        b"{\"v\":2}",
        "a second write replaces the first"
    );
    assert!(reg
        .artifacts()
        .join(&run.run_id)
        .join("model")
        .join("model.bundle")
        .is_file());
    let missing = backend
        .download_artifact(&run.run_id, "nope.json")
        .unwrap_err();
    assert!(matches!(missing, Error::NotFound(_)), "{missing}");
}

#[test]
fn artifact_paths_that_escape_the_run_are_refused() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let run = backend.create_run("exp", "r", &BTreeMap::new()).unwrap();

    for path in ["../x", "/etc/passwd", "a/../../b", ""] {
        let err = backend.log_artifact(&run.run_id, path, b"x").unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{path:?}: {err}");
    }
    assert!(!reg.artifacts().join("x").exists());
}

#[test]
fn versions_number_from_one_and_keep_tags_and_source() {
    let reg = TempRegistry::new();
    let backend = reg.open();

    let v1 = register(&backend, "m", 1);
    let v2 = register(&backend, "m", 2);
    let other = register(&backend, "other", 3);

    assert_eq!((v1.version, v2.version, other.version), (1, 2, 1));
    let got = backend.get_model_version("m", 2).unwrap();
    assert_eq!(got, v2);
    assert_eq!(got.artifact_path, "model/model.bundle");
    assert_eq!(
        got.tags["bundle_sha256"],
        sha256(&fake_bundle(2, 64 * 1024))
    );
    assert_eq!(
        backend
            .list_versions("m")
            .unwrap()
            .iter()
            .map(|v| v.version)
            .collect::<Vec<_>>(),
        vec![2, 1],
        "newest first"
    );
    let models = backend.list_models().unwrap();
    assert_eq!(
        models.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["m", "other"]
    );
    assert_eq!(models[0].latest_version, Some(2));
    assert_eq!(backend.get_model("m").unwrap().latest_version, Some(2));
}

#[test]
fn registering_needs_a_logged_artifact_and_a_known_run() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let run = backend.create_run("exp", "r", &BTreeMap::new()).unwrap();

    let no_artifact = backend
        .create_model_version("m", &run.run_id, "model/model.bundle", &BTreeMap::new())
        .unwrap_err();
    let no_run = backend
        .create_model_version(
            "m",
            "0123456789abcdef0123456789abcdef",
            "model/model.bundle",
            &BTreeMap::new(),
        )
        .unwrap_err();

    assert!(
        no_artifact
            .to_string()
            .contains("has no artifact model/model.bundle"),
        "{no_artifact}"
    );
    assert!(matches!(no_run, Error::NotFound(_)), "{no_run}");
    assert!(
        matches!(backend.get_model("m").unwrap_err(), Error::NotFound(_)),
        "nothing half-made"
    );
}

#[test]
fn unknown_models_and_versions_are_not_found() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    register(&backend, "m", 1);

    for (label, err, text) in [
        (
            "model",
            backend.get_model("x").unwrap_err(),
            "registered model \"x\" not found",
        ),
        (
            "version",
            backend.get_model_version("m", 9).unwrap_err(),
            "version 9 of model \"m\" not found",
        ),
        (
            "versions",
            backend.list_versions("x").unwrap_err(),
            "registered model \"x\"",
        ),
        (
            "alias on unknown version",
            backend.set_alias("m", "champion", 9).unwrap_err(),
            "version 9",
        ),
        (
            "delete unset alias",
            backend.delete_alias("m", "champion").unwrap_err(),
            "alias @champion",
        ),
    ] {
        assert!(matches!(err, Error::NotFound(_)), "{label}: {err}");
        assert!(err.to_string().contains(text), "{label}: {err}");
    }
}

#[test]
fn aliases_move_and_their_history_is_kept() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    for seed in 1..=3 {
        register(&backend, "m", seed);
    }

    backend.set_alias("m", "champion", 1).unwrap();
    backend.set_alias("m", "champion", 2).unwrap();
    backend.set_alias("m", "champion", 2).unwrap();
    backend.set_alias("m", "challenger", 3).unwrap();
    backend.delete_alias("m", "challenger").unwrap();

    assert_eq!(
        backend.get_alias("m", "champion").unwrap().unwrap().version,
        2
    );
    assert_eq!(backend.get_alias("m", "challenger").unwrap(), None);
    assert_eq!(
        backend.get_model_version("m", 2).unwrap().aliases,
        vec!["champion"]
    );
    assert_eq!(
        backend.get_model("m").unwrap().aliases,
        BTreeMap::from([("champion".into(), 2)])
    );
    let moves = |alias| {
        backend
            .alias_history("m", alias)
            .unwrap()
            .iter()
            .map(|c| (c.from_version, c.to_version))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        moves("champion"),
        vec![(None, Some(1)), (Some(1), Some(2))],
        "no entry for a no-op"
    );
    assert_eq!(moves("challenger"), vec![(None, Some(3)), (Some(3), None)]);
}

#[test]
fn bad_names_are_refused() {
    let reg = TempRegistry::new();
    let backend = reg.open();

    let err = backend
        .create_run("bad name", "r", &BTreeMap::new())
        .unwrap_err();

    assert!(matches!(err, Error::Invalid(_)), "{err}");
}

#[test]
fn describe_names_the_database_uri() {
    let reg = TempRegistry::new();

    assert_eq!(reg.open().describe(), reg.uri());
}

#[test]
fn a_registered_artifact_cannot_be_replaced() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let v = register(&backend, "m", 1);

    let err = backend
        .log_artifact(&v.run_id, "model/model.bundle", b"other bytes")
        .unwrap_err();

    assert!(matches!(err, Error::Invalid(_)), "{err}");
    assert!(err.to_string().contains("registered as version 1"), "{err}");
    assert_eq!(
        backend
            .download_artifact(&v.run_id, "model/model.bundle")
            .unwrap(),
        fake_bundle(1, 64 * 1024)
    );
}
