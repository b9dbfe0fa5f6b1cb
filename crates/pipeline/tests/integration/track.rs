//! The tracked training use case in-process, on the embedded sample and a temporary SQLite
//! registry: runs, registration, promotion, the offline record and its push, `serve`'s
//! first start, stale-run collection and run-id prefixes; versions are MLflow model
//! folders, and records saved before them still push.

use std::collections::BTreeMap;
use std::path::Path;

use reelcast_pipeline::track::{
    collect_stale_runs, push_pending, register_default_if_missing, resolve_run_id, train_tracked,
    Error, RegisterOptions, TrackOptions, TrainRequest, BUNDLE_ARTIFACT, DATASET_NAME,
    FAILURE_REASON_TAG, HOST_TAG, MLMODEL_ARTIFACT, MODEL_DIR, MODEL_FEATURE_SPEC_ARTIFACT,
    PENDING_RUN_FILE, PID_TAG, PUSHED_RUN_FILE,
};
use reelcast_pipeline::{DataSource, ModelBundle, ModelParams, TrainOptions};
use reelcast_registry::mlmodel::MlModel;
use reelcast_registry::{
    fetch_bundle, open, sha256_hex, Backend, ModelRef, ModelVersion, OpenOptions, RunStatus,
    CHAMPION,
};

fn sqlite_uri(dir: &Path) -> String {
    format!("sqlite:///{}", dir.join("reelcast.db").display())
}

fn request(dir: &Path, trees: usize) -> TrainRequest {
    TrainRequest {
        source: DataSource::Embedded,
        ingest: Default::default(),
        train: TrainOptions {
            params: ModelParams::default().with_trees(trees),
            ..Default::default()
        },
        out_dir: dir.join("artifacts"),
    }
}

fn registering(uri: &str, promote_if_better: bool) -> TrackOptions {
    TrackOptions {
        register: Some(RegisterOptions {
            promote_if_better,
            ..RegisterOptions::new("movie_rating_gbt")
        }),
        ..TrackOptions::new(uri)
    }
}

fn backend(uri: &str) -> Box<dyn Backend> {
    open(uri, &OpenOptions::default()).unwrap()
}

/// The version is the run's model folder: MLmodel (naming the run and the bundle), the
/// bundle and the feature spec; it loads; it and its model are described.
fn assert_model_folder(b: &dyn Backend, version: &ModelVersion, run_id: &str) {
    assert_eq!(version.artifact_path, MODEL_DIR);
    let artifacts = b.list_artifacts(run_id).unwrap();
    for file in [
        MLMODEL_ARTIFACT,
        BUNDLE_ARTIFACT,
        MODEL_FEATURE_SPEC_ARTIFACT,
    ] {
        assert!(
            artifacts.contains(&file.to_owned()),
            "{file}: {artifacts:?}"
        );
    }
    let text = String::from_utf8(b.download_artifact(run_id, MLMODEL_ARTIFACT).unwrap()).unwrap();
    let mlmodel = MlModel::from_yaml(&text).unwrap();
    assert_eq!(mlmodel.run_id.as_deref(), Some(run_id), "{text}");
    let bundle = fetch_bundle(b, version).unwrap();
    assert_eq!(
        mlmodel.reelcast().unwrap().bundle_sha256,
        sha256_hex(&bundle)
    );
    ModelBundle::from_bytes(&bundle, Path::new("registered")).unwrap();
    let description = &version.description;
    assert!(
        description.contains(&version.tags["dataset_version"]) && description.contains("test RMSE"),
        "{description}"
    );
    assert!(
        b.get_model(&version.name)
            .unwrap()
            .description
            .contains("IMDb rating"),
        "the registered model is described"
    );
}

#[test]
fn a_tracked_training_logs_the_run_registers_the_first_champion_then_promotes_only_a_better_one() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sqlite_uri(dir.path());

    let first = train_tracked(&request(dir.path(), 3), &registering(&uri, true)).unwrap();

    let run_id = first.run_id.clone().unwrap();
    let registered = first.registered.clone().unwrap();
    assert!(registered.first_champion);
    assert!(first.promotion.is_none(), "nothing to compare with");
    let b = backend(&uri);
    let run = b.get_run(&run_id).unwrap();
    assert_eq!(run.status, RunStatus::Finished);
    assert!(run.run_name.starts_with("gbt-seed42-"), "{}", run.run_name);
    for tag in [
        "mlflow.user",
        "mlflow.source.name",
        "mlflow.source.type",
        HOST_TAG,
        PID_TAG,
        "dataset_version",
    ] {
        assert!(
            run.tags.contains_key(tag),
            "tag {tag} missing: {:?}",
            run.tags
        );
    }
    assert_eq!(run.tags[PID_TAG], std::process::id().to_string());
    let artifacts = b.list_artifacts(&run_id).unwrap();
    assert!(
        artifacts.contains(&"model/model.bundle".to_owned()),
        "{artifacts:?}"
    );
    assert!(
        artifacts.contains(&"feature_spec.json".to_owned()),
        "{artifacts:?}"
    );
    assert_model_folder(b.as_ref(), &registered.version, &run_id);
    let input = &run.inputs[0];
    assert_eq!(input.name, DATASET_NAME);
    assert_eq!(input.digest, run.tags["dataset_version"]);
    assert_eq!(input.context, "training");
    assert_eq!(
        input.profile,
        format!(r#"{{"num_rows":{}}}"#, first.dataset.movies.len())
    );

    // More trees on the same split: better on the held-out rows, so promoted.
    let second = train_tracked(&request(dir.path(), 60), &registering(&uri, true)).unwrap();
    let promotion = second.promotion.clone().unwrap();
    assert!(
        promotion.new_rmse < promotion.champion_rmse.unwrap(),
        "{promotion:?}"
    );
    assert!(promotion.promoted);
    assert_eq!(
        b.get_alias("movie_rating_gbt", CHAMPION)
            .unwrap()
            .unwrap()
            .version,
        2
    );
    assert_ne!(first.run_name, second.run_name, "run names are unique");

    // Back to few trees: worse, so champion stays.
    let third = train_tracked(&request(dir.path(), 3), &registering(&uri, true)).unwrap();
    let promotion = third.promotion.unwrap();
    assert!(!promotion.promoted, "{promotion:?}");
    assert_eq!(promotion.champion_version, Some(2));
    assert_eq!(
        b.get_alias("movie_rating_gbt", CHAMPION)
            .unwrap()
            .unwrap()
            .version,
        2
    );
}

#[test]
fn an_unreachable_backend_saves_a_private_record_without_the_password_and_push_replays_it() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback refuses connections; no retries keep the test fast.
    let mut offline = registering("http://ann:pw-7c1e9f@127.0.0.1:1", false);
    offline.open.retries = 0;

    let trained = train_tracked(&request(dir.path(), 3), &offline).unwrap();

    let pending = trained.pending.clone().unwrap();
    assert!(trained.run_id.is_none() && trained.registered.is_none());
    assert_eq!(trained.tracking_uri, "http://REDACTED@127.0.0.1:1");
    let text = std::fs::read_to_string(&pending.path).unwrap();
    assert!(!text.contains("pw-7c1e9f"), "{text}");
    assert!(!pending.reason.contains("pw-7c1e9f"), "{}", pending.reason);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&pending.path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
    let record: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(record["tracking_uri"], "http://127.0.0.1:1");
    assert_eq!(record["credentials_removed"], true);
    let (start, end) = (
        record["start_time_ms"].as_i64().unwrap(),
        record["end_time_ms"].as_i64().unwrap(),
    );

    // Without an override the push goes where the run was meant to go: still down.
    let out = dir.path().join("artifacts");
    let options = OpenOptions {
        retries: 0,
        ..OpenOptions::default()
    };
    let err = push_pending(&out, None, &options).unwrap_err();
    assert!(err.chain().contains("127.0.0.1:1"), "{}", err.chain());
    assert!(
        out.join(PENDING_RUN_FILE).is_file(),
        "kept for a later push"
    );

    let uri = sqlite_uri(dir.path());
    let pushed = push_pending(&out, Some(&uri), &options).unwrap();

    assert!(!pushed.uri_from_record);
    let registered = pushed.registered.unwrap();
    assert!(registered.first_champion);
    assert_model_folder(backend(&uri).as_ref(), &registered.version, &pushed.run_id);
    let run = backend(&uri).get_run(&pushed.run_id).unwrap();
    assert_eq!(run.inputs.len(), 1, "the dataset input is pushed too");
    assert_eq!(
        (run.start_time_ms, run.end_time_ms),
        (start, Some(end)),
        "real times kept"
    );
    assert_eq!(run.status, RunStatus::Finished);
    assert!(out.join(PUSHED_RUN_FILE).is_file() && !out.join(PENDING_RUN_FILE).exists());
}

#[test]
fn a_record_saved_before_model_folders_pushes_as_a_single_file_version_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let mut offline = registering("http://127.0.0.1:1", false);
    offline.open.retries = 0;
    let trained = train_tracked(&request(dir.path(), 3), &offline).unwrap();
    let path = trained.pending.unwrap().path;
    // A record written without model folders: no MLmodel, inputs or descriptions.
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let object = record.as_object_mut().unwrap();
    object.remove("mlmodel");
    object.remove("inputs");
    for key in ["artifact_path", "description", "model_description"] {
        record["register"].as_object_mut().unwrap().remove(key);
    }
    std::fs::write(&path, record.to_string()).unwrap();

    let uri = sqlite_uri(dir.path());
    let options = OpenOptions::default();
    let pushed = push_pending(path.parent().unwrap(), Some(&uri), &options).unwrap();

    let version = pushed.registered.unwrap().version;
    assert_eq!(version.artifact_path, BUNDLE_ARTIFACT);
    let b = backend(&uri);
    let bundle = fetch_bundle(b.as_ref(), &version).unwrap();
    ModelBundle::from_bytes(&bundle, Path::new("registered")).unwrap();
}

#[test]
fn a_model_folder_registered_without_reelcast_tags_loads_verified_by_its_mlmodel() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sqlite_uri(dir.path());
    let trained = train_tracked(&request(dir.path(), 3), &TrackOptions::new(&uri)).unwrap();
    let run_id = trained.run_id.unwrap();
    let b = backend(&uri);

    // As a plain MLflow client would register the folder: no tags, no description.
    let version = b
        .create_model_version("elsewhere", &run_id, MODEL_DIR, &BTreeMap::new())
        .unwrap();

    let bundle = fetch_bundle(b.as_ref(), &version).unwrap();
    let loaded = ModelBundle::from_bytes(&bundle, Path::new("registered")).unwrap();
    assert_eq!(
        loaded.model_bytes().unwrap(),
        trained.bundle.model_bytes().unwrap()
    );
}

#[test]
fn a_training_that_fails_ends_its_run_failed_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sqlite_uri(dir.path());
    let mut bad = request(dir.path(), 3);
    bad.source = DataSource::Directory(dir.path().join("no-such-dataset"));

    let err = train_tracked(&bad, &TrackOptions::new(&uri)).unwrap_err();

    let runs = backend(&uri).list_runs("imdb_movie_rating", 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, RunStatus::Failed);
    let reason = &runs[0].tags[FAILURE_REASON_TAG];
    assert!(reason.contains("no-such-dataset"), "{reason}");
    assert_eq!(*reason, err.chain());
}

#[test]
fn serve_first_start_trains_and_registers_once() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sqlite_uri(dir.path());
    let model = ModelRef::Alias {
        name: "movie_rating_gbt".into(),
        alias: CHAMPION.into(),
    };
    let tracking = TrackOptions::new(&uri);

    let first = register_default_if_missing(&model, &request(dir.path(), 3), &tracking).unwrap();
    let second = register_default_if_missing(&model, &request(dir.path(), 3), &tracking).unwrap();

    assert!(first.unwrap().registered.unwrap().first_champion);
    assert!(second.is_none(), "already registered");
    assert_eq!(
        backend(&uri)
            .list_versions("movie_rating_gbt")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn serve_first_start_keeps_its_bundle_in_the_registry_and_leaves_the_out_dir_alone() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sqlite_uri(dir.path());
    let model = ModelRef::Alias {
        name: "movie_rating_gbt".into(),
        alias: CHAMPION.into(),
    };
    let users = dir.path().join("artifacts");
    std::fs::create_dir_all(&users).unwrap();
    std::fs::write(users.join("model.bundle"), b"the user's own model").unwrap();

    let trained =
        register_default_if_missing(&model, &request(dir.path(), 3), &TrackOptions::new(&uri))
            .unwrap()
            .unwrap();

    let listed: Vec<_> = std::fs::read_dir(&users)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(listed, ["model.bundle"], "files written into the out dir");
    assert_eq!(
        std::fs::read(users.join("model.bundle")).unwrap(),
        b"the user's own model"
    );
    let staging = trained.model_path.parent().unwrap();
    assert!(
        !staging.exists(),
        "temporary directory {} left behind",
        staging.display()
    );
    let b = backend(&uri);
    let version = &trained.registered.unwrap().version;
    let run_id = trained.run_id.unwrap();
    assert_model_folder(b.as_ref(), version, &run_id);
    let bytes = fetch_bundle(b.as_ref(), version).unwrap();
    let served = ModelBundle::from_bytes(&bytes, Path::new("served")).unwrap();
    assert_eq!(served.metadata.model_name, "movie_rating_gbt");
}

#[test]
fn stale_runs_of_gone_processes_are_killed_and_live_or_foreign_ones_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sqlite_uri(dir.path());
    let b = backend(&uri);
    // A process that has ended and been reaped: its pid is gone.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    let host = reelcast_pipeline::track::host_name();
    let tags = |host: &str, pid: u32| {
        BTreeMap::from([
            (HOST_TAG.to_owned(), host.to_owned()),
            (PID_TAG.to_owned(), pid.to_string()),
        ])
    };
    let dead = b.create_run("exp", "dead", &tags(&host, dead_pid)).unwrap();
    b.log_artifact(&dead.run_id, "report/report.json", b"{}")
        .unwrap();
    let live = b
        .create_run("exp", "live", &reelcast_pipeline::track::owner_tags())
        .unwrap();
    let foreign = b
        .create_run("exp", "foreign", &tags("other.example", dead_pid))
        .unwrap();

    let collected = collect_stale_runs(b.as_ref(), "exp", 100).unwrap();

    assert_eq!(collected.len(), 1, "{collected:?}");
    assert_eq!(collected[0].run_id, dead.run_id);
    assert_eq!(collected[0].removed_artifacts, ["report/report.json"]);
    let dead = b.get_run(&dead.run_id).unwrap();
    assert_eq!(dead.status, RunStatus::Killed);
    assert!(dead.end_time_ms.is_some());
    assert!(dead.tags[FAILURE_REASON_TAG].contains(&dead_pid.to_string()));
    assert!(b.list_artifacts(&dead.run_id).unwrap().is_empty());
    assert_eq!(b.get_run(&live.run_id).unwrap().status, RunStatus::Running);
    assert_eq!(
        b.get_run(&foreign.run_id).unwrap().status,
        RunStatus::Running
    );
    assert!(collect_stale_runs(b.as_ref(), "no-such-experiment", 10)
        .unwrap()
        .is_empty());
}

/// A run-id prefix is looked up in every experiment, not only the default one, so a run of
/// another experiment is found by its unique prefix.
#[test]
fn run_ids_resolve_from_a_unique_prefix_in_any_experiment_and_ambiguity_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&sqlite_uri(dir.path()));
    let ids: Vec<(String, &str)> = (0..20)
        .map(|i| {
            let experiment = if i % 2 == 0 { "exp" } else { "other" };
            let run = b
                .create_run(experiment, &format!("r{i}"), &BTreeMap::new())
                .unwrap();
            (run.run_id, experiment)
        })
        .collect();
    let unique = |id: &str| -> String {
        (1..=32)
            .map(|n| id[..n].to_owned())
            .find(|p| {
                ids.iter()
                    .filter(|(i, _)| i.starts_with(p.as_str()))
                    .count()
                    == 1
            })
            .unwrap()
    };
    let (in_exp, in_other) = (&ids[0].0, &ids[1].0);

    assert_eq!(
        resolve_run_id(b.as_ref(), &unique(in_exp), 100).unwrap(),
        *in_exp
    );
    assert_eq!(
        resolve_run_id(b.as_ref(), &unique(in_other), 100).unwrap(),
        *in_other
    );
    assert_eq!(
        resolve_run_id(b.as_ref(), &unique(in_other).to_uppercase(), 100).unwrap(),
        *in_other
    );
    assert_eq!(resolve_run_id(b.as_ref(), in_exp, 100).unwrap(), *in_exp);
    // 20 random ids share a first hex digit somewhere (pigeonhole over 16 digits).
    let shared = ids
        .iter()
        .map(|(i, _)| &i[..1])
        .find(|p| ids.iter().filter(|(i, _)| i.starts_with(p)).count() > 1)
        .unwrap();
    let err = resolve_run_id(b.as_ref(), shared, 100).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("ambiguous"), "{message}");
    for (id, experiment) in ids.iter().filter(|(i, _)| i.starts_with(shared)) {
        assert!(
            message.contains(&format!("{id} in {experiment}")),
            "{id} of {experiment} listed with its experiment: {message}"
        );
    }
    let err = resolve_run_id(b.as_ref(), "xyz", 100).unwrap_err();
    assert!(err.to_string().contains("not hex digits"), "{err}");
    let none = (0..=u8::MAX)
        .map(|n| format!("{n:02x}"))
        .find(|p| ids.iter().all(|(i, _)| !i.starts_with(p.as_str())))
        .unwrap();
    let err = resolve_run_id(b.as_ref(), &none, 100).unwrap_err();
    assert!(
        err.chain()
            .contains(&format!("looking up run {none} in every experiment")),
        "{}",
        err.chain()
    );
}

/// A bad alias or model name is checked first: training with it fails before anything is
/// trained, logged or registered.
#[test]
fn a_model_name_or_alias_the_registry_refuses_fails_before_training_or_logging() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sqlite_uri(dir.path());
    let cases = [
        (
            "alias",
            "movie_rating_gbt",
            Some("bad alias!"),
            "alias \"bad alias!\"",
        ),
        (
            "model name",
            "bad name/x",
            None,
            "model name \"bad name/x\"",
        ),
    ];

    for (label, name, alias, named) in cases {
        let tracking = TrackOptions {
            register: Some(RegisterOptions {
                alias: alias.map(str::to_owned),
                ..RegisterOptions::new(name)
            }),
            ..TrackOptions::new(&uri)
        };

        let err = train_tracked(&request(dir.path(), 3), &tracking).unwrap_err();

        let message = err.chain();
        assert!(
            message.contains(&format!(
                "{named} must be 1-256 characters of letters, digits, `_`, `-` or `.`"
            )) && message.contains("nothing was trained or logged"),
            "{label}: {message}"
        );
        assert!(
            !matches!(err, Error::Registration { .. }),
            "{label}: {err:?}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{label}: no bundle, no registry"
        );
    }
}

/// A version is registered only once its run is FINISHED with all its artifacts,
/// so a kill during registration or promotion never leaves a version on a run that `runs
/// gc` then ends KILLED; a promotion that fails afterwards leaves the run FINISHED.
#[test]
fn a_version_is_registered_on_a_finished_run_and_a_failed_promotion_keeps_it_finished() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sqlite_uri(dir.path());
    let first = train_tracked(&request(dir.path(), 3), &registering(&uri, true)).unwrap();
    // The champion's bundle no longer matches its checksum: the comparison cannot load it.
    let champion_file = dir
        .path()
        .join("reelcast-artifacts")
        .join(first.run_id.unwrap())
        .join(BUNDLE_ARTIFACT);
    std::fs::write(&champion_file, b"not a bundle").unwrap();

    let err = train_tracked(&request(dir.path(), 5), &registering(&uri, true)).unwrap_err();

    let b = backend(&uri);
    let mut versions = b.list_versions("movie_rating_gbt").unwrap();
    versions.sort_by_key(|v| v.version);
    assert_eq!(versions.len(), 2, "{versions:?}");
    for v in &versions {
        let run = b.get_run(&v.run_id).unwrap();
        assert_eq!(
            run.status,
            RunStatus::Finished,
            "run of version {}",
            v.version
        );
        assert!(
            run.end_time_ms.unwrap() <= v.created_ms,
            "version {} was created before its run ended",
            v.version
        );
        assert!(b
            .list_artifacts(&v.run_id)
            .unwrap()
            .contains(&BUNDLE_ARTIFACT.to_owned()));
    }
    let Error::Registration { run_id, .. } = &err else {
        panic!("expected a registration error, got {err:?}")
    };
    assert_eq!(*run_id, versions[1].run_id);
    let message = err.chain();
    assert!(
        message.contains(&format!(
            "run {run_id} in {uri} is FINISHED and registered as version 2 of movie_rating_gbt, but --promote-if-better did not run to the end (champion unchanged): loading champion version 1"
        )) && message.contains("sha256"),
        "{message}"
    );
    assert!(!message.contains("FAILED"), "{message}");
    assert_eq!(
        b.get_alias("movie_rating_gbt", CHAMPION)
            .unwrap()
            .unwrap()
            .version,
        1
    );
}

/// `runs push` orders things as `train` does: the pushed run is FINISHED before
/// its version exists, and a registration that fails afterwards leaves it FINISHED.
#[test]
fn a_push_whose_registration_fails_leaves_its_run_finished_and_the_record_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut offline = registering("http://127.0.0.1:1", false);
    offline.open.retries = 0;
    let trained = train_tracked(&request(dir.path(), 3), &offline).unwrap();
    let pending = trained.pending.unwrap().path;
    // An alias the registry refuses: the version is created, then setting it fails.
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pending).unwrap()).unwrap();
    record["register"]["alias"] = "not an alias!".into();
    std::fs::write(&pending, serde_json::to_vec(&record).unwrap()).unwrap();
    let uri = sqlite_uri(dir.path());
    let out = dir.path().join("artifacts");

    let err = push_pending(&out, Some(&uri), &OpenOptions::default()).unwrap_err();

    let b = backend(&uri);
    let runs = b.list_runs("imdb_movie_rating", 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, RunStatus::Finished, "{:?}", runs[0].tags);
    assert!(b
        .list_artifacts(&runs[0].run_id)
        .unwrap()
        .contains(&BUNDLE_ARTIFACT.to_owned()));
    let versions = b.list_versions("movie_rating_gbt").unwrap();
    assert!(versions.iter().all(|v| v.run_id == runs[0].run_id));
    let message = err.chain();
    assert!(
        message.contains(&format!(
            "run {} in {uri} is FINISHED with its artifacts, but registering it as a version of movie_rating_gbt did not complete",
            runs[0].run_id
        )) && message.contains("not an alias!"),
        "{message}"
    );
    assert!(matches!(err, Error::Registration { .. }), "{err:?}");
    assert!(
        out.join(PENDING_RUN_FILE).is_file(),
        "kept for another push"
    );
}

/// A collection that fails part-way (here the run's artifact folder cannot be
/// listed; in the drill, an immutable file or a kill) leaves the run RUNNING and stale,
/// and the next one removes its files and only then ends it KILLED. The cause is named
/// once in the error.
#[test]
fn an_interrupted_stale_run_collection_is_finished_by_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sqlite_uri(dir.path());
    let b = backend(&uri);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    let tags = BTreeMap::from([
        (HOST_TAG.to_owned(), reelcast_pipeline::track::host_name()),
        (PID_TAG.to_owned(), dead_pid.to_string()),
    ]);
    let dead = b.create_run("exp", "dead", &tags).unwrap();
    for path in ["report/report.json", "feature_spec.json", BUNDLE_ARTIFACT] {
        b.log_artifact(&dead.run_id, path, b"{}").unwrap();
    }
    let folder = dir.path().join("reelcast-artifacts").join(&dead.run_id);
    let aside = dir.path().join("aside");
    std::fs::rename(&folder, &aside).unwrap();
    std::fs::write(&folder, b"in the way").unwrap();

    let err = collect_stale_runs(b.as_ref(), "exp", 100).unwrap_err();

    let message = err.chain();
    assert_eq!(message.matches("(os error").count(), 1, "{message}");
    assert!(message.contains("it stays RUNNING"), "{message}");
    let run = b.get_run(&dead.run_id).unwrap();
    assert_eq!(
        run.status,
        RunStatus::Running,
        "not ended before its files are gone"
    );
    assert!(reelcast_pipeline::track::is_stale(&run));

    std::fs::remove_file(&folder).unwrap();
    std::fs::rename(&aside, &folder).unwrap();
    let collected = collect_stale_runs(b.as_ref(), "exp", 100).unwrap();

    assert_eq!(collected.len(), 1, "{collected:?}");
    assert_eq!(
        collected[0].removed_artifacts,
        [
            "feature_spec.json",
            "model/model.bundle",
            "report/report.json"
        ]
    );
    assert!(!folder.exists(), "no file left behind");
    let run = b.get_run(&dead.run_id).unwrap();
    assert_eq!(run.status, RunStatus::Killed);
    assert!(run.end_time_ms.is_some());
    assert!(b.list_artifacts(&dead.run_id).unwrap().is_empty());
    assert!(collect_stale_runs(b.as_ref(), "exp", 100)
        .unwrap()
        .is_empty());
}
