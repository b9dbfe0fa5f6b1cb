//! Versions whose source is an MLflow model folder (`model/` with `MLmodel`),
//! descriptions and run inputs, in the embedded backend.

use std::collections::BTreeMap;

use reelcast_registry::mlmodel::{Flavors, MlModel, ReelcastFlavor};
use reelcast_registry::{fetch_bundle, Backend, DatasetInput, Error, BUNDLE_SHA256_TAG};

use crate::helpers::{fake_bundle, sha256, TempRegistry};

/// The `MLmodel` of a folder holding `bundle` as `model.bundle`, claiming `sha`.
fn mlmodel(run_id: &str, sha: &str) -> String {
    MlModel {
        artifact_path: Some("model".into()),
        flavors: Flavors {
            reelcast: Some(ReelcastFlavor {
                bundle_file: "model.bundle".into(),
                bundle_format_version: 3,
                bundle_sha256: sha.into(),
                reelcast_version: "0.1.0".into(),
            }),
            other: BTreeMap::new(),
        },
        model_size_bytes: Some(1),
        run_id: Some(run_id.into()),
        signature: None,
        utc_time_created: None,
    }
    .to_yaml()
    .unwrap()
}

/// A run with a model folder whose MLmodel claims `claimed` (None: the bundle's real
/// checksum); returns the run id and the bundle.
fn run_with_folder(backend: &dyn Backend, seed: u64, claimed: Option<&str>) -> (String, Vec<u8>) {
    let run = backend
        .create_run("imdb_movie_rating", "r", &BTreeMap::new())
        .unwrap();
    let bundle = fake_bundle(seed, 4096);
    let sha = claimed.map_or_else(|| sha256(&bundle), str::to_owned);
    backend
        .log_artifact(&run.run_id, "model/model.bundle", &bundle)
        .unwrap();
    backend
        .log_artifact(&run.run_id, "model/feature_spec.json", b"{}")
        .unwrap();
    backend
        .log_artifact(
            &run.run_id,
            "model/MLmodel",
            mlmodel(&run.run_id, &sha).as_bytes(),
        )
        .unwrap();
    (run.run_id, bundle)
}

fn sha_tag(bundle: &[u8]) -> BTreeMap<String, String> {
    BTreeMap::from([(BUNDLE_SHA256_TAG.to_owned(), sha256(bundle))])
}

#[test]
fn a_folder_version_loads_its_bundle_with_or_without_the_checksum_tag() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let (run_id, bundle) = run_with_folder(&backend, 1, None);

    let tagged = backend
        .create_model_version("m", &run_id, "model", &sha_tag(&bundle))
        .unwrap();
    // As a plain MLflow client registers it: no reelcast tag at all.
    let plain = backend
        .create_model_version("m", &run_id, "model", &BTreeMap::new())
        .unwrap();

    assert_eq!(tagged.artifact_path, "model");
    assert_eq!(fetch_bundle(&backend, &tagged).unwrap(), bundle);
    assert_eq!(fetch_bundle(&backend, &plain).unwrap(), bundle);
}

#[test]
fn a_folder_whose_mlmodel_checksum_differs_from_the_bundle_is_refused() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let (run_id, _) = run_with_folder(&backend, 2, Some(&"ab".repeat(32)));
    let plain = backend
        .create_model_version("m", &run_id, "model", &BTreeMap::new())
        .unwrap();

    let err = fetch_bundle(&backend, &plain).unwrap_err();

    assert!(matches!(err, Error::Corrupt(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("model/model.bundle")
            && message.contains("differs from MLmodel's")
            && message.contains(&"ab".repeat(32)),
        "{message}"
    );
}

#[test]
fn a_folder_whose_tag_differs_from_the_bundle_is_refused_even_when_mlmodel_agrees() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let (run_id, _) = run_with_folder(&backend, 3, None);
    let wrong = BTreeMap::from([(BUNDLE_SHA256_TAG.to_owned(), "00".repeat(32))]);
    let v = backend
        .create_model_version("m", &run_id, "model", &wrong)
        .unwrap();

    let err = fetch_bundle(&backend, &v).unwrap_err().to_string();

    assert!(err.contains("differs from the registered"), "{err}");
}

#[test]
fn a_folder_that_is_not_a_reelcast_model_is_refused_naming_its_flavors() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let run = backend.create_run("e", "r", &BTreeMap::new()).unwrap();
    backend
        .log_artifact(
            &run.run_id,
            "model/MLmodel",
            b"flavors:\n  sklearn:\n    pickled_model: model.pkl\n",
        )
        .unwrap();
    let v = backend
        .create_model_version("m", &run.run_id, "model", &BTreeMap::new())
        .unwrap();

    let err = fetch_bundle(&backend, &v).unwrap_err().to_string();

    assert!(
        err.contains("no reelcast flavor") && err.contains("sklearn"),
        "{err}"
    );
}

#[test]
fn a_single_file_version_still_loads_and_needs_its_tag() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let run = backend.create_run("e", "r", &BTreeMap::new()).unwrap();
    let bundle = fake_bundle(4, 1000);
    backend
        .log_artifact(&run.run_id, "model/model.bundle", &bundle)
        .unwrap();
    let tagged = backend
        .create_model_version("m", &run.run_id, "model/model.bundle", &sha_tag(&bundle))
        .unwrap();
    let untagged = backend
        .create_model_version("m", &run.run_id, "model/model.bundle", &BTreeMap::new())
        .unwrap();

    assert_eq!(fetch_bundle(&backend, &tagged).unwrap(), bundle);
    let err = fetch_bundle(&backend, &untagged).unwrap_err().to_string();
    assert!(err.contains("has no bundle_sha256 tag"), "{err}");
}

#[test]
fn registering_an_empty_or_missing_folder_is_refused() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let run = backend.create_run("e", "r", &BTreeMap::new()).unwrap();
    backend
        .log_artifact(&run.run_id, "modelx/MLmodel", b"flavors: {}\n")
        .unwrap();

    // `modelx/…` is not under `model/`.
    let err = backend
        .create_model_version("m", &run.run_id, "model", &BTreeMap::new())
        .unwrap_err();

    assert!(err.to_string().contains("has no artifact model"), "{err}");
}

#[test]
fn files_of_a_registered_folder_are_kept_and_never_replaced() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let (run_id, bundle) = run_with_folder(&backend, 5, None);
    backend
        .log_artifact(&run_id, "report/report.json", b"{}")
        .unwrap();
    backend
        .create_model_version("m", &run_id, "model", &sha_tag(&bundle))
        .unwrap();

    let replaced = backend
        .log_artifact(&run_id, "model/model.bundle", b"other")
        .unwrap_err();
    let removed = backend.remove_unreferenced_artifacts(&run_id).unwrap();

    assert!(
        replaced.to_string().contains("cannot be replaced"),
        "{replaced}"
    );
    assert_eq!(removed, ["report/report.json"]);
    assert_eq!(
        backend.list_artifacts(&run_id).unwrap(),
        [
            "model/MLmodel",
            "model/feature_spec.json",
            "model/model.bundle"
        ]
    );
}

#[test]
fn models_and_versions_keep_their_descriptions() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let (run_id, bundle) = run_with_folder(&backend, 6, None);

    let v = backend
        .create_described_model_version(
            "m",
            &run_id,
            "model",
            &sha_tag(&bundle),
            "IMDb rating; dataset abc; test RMSE 0.81",
        )
        .unwrap();
    let before = backend.get_model("m").unwrap().description;
    backend
        .set_model_description("m", "Predicts a movie's IMDb rating")
        .unwrap();

    assert_eq!(v.description, "IMDb rating; dataset abc; test RMSE 0.81");
    assert_eq!(
        backend.get_model_version("m", 1).unwrap().description,
        v.description
    );
    assert_eq!(before, "");
    assert_eq!(
        backend.list_models().unwrap()[0].description,
        "Predicts a movie's IMDb rating"
    );
    assert!(matches!(
        backend.set_model_description("nope", "x"),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn run_inputs_are_kept_once_in_the_order_logged() {
    let reg = TempRegistry::new();
    let backend = reg.open();
    let run = backend.create_run("e", "r", &BTreeMap::new()).unwrap();
    let input = |name: &str, digest: &str| DatasetInput {
        name: name.into(),
        digest: digest.into(),
        source_type: "local".into(),
        source: r#"{"uri": "/data"}"#.into(),
        schema: String::new(),
        profile: r#"{"num_rows": 12}"#.into(),
        context: "training".into(),
    };

    backend
        .log_inputs(&run.run_id, &[input("imdb", "v1"), input("extra", "v9")])
        .unwrap();
    backend
        .log_inputs(&run.run_id, &[input("imdb", "v1")])
        .unwrap();

    let inputs = backend.get_run(&run.run_id).unwrap().inputs;
    assert_eq!(inputs, [input("imdb", "v1"), input("extra", "v9")]);
    assert_eq!(
        backend.list_runs("e", 1).unwrap()[0].inputs.len(),
        2,
        "listed runs carry their inputs too"
    );
}
