//! The model sources `reelcast serve` follows, in process: a bundle file on disk and a
//! registry alias in a temporary SQLite registry.

use std::path::Path;

use reelcast_data::IngestOptions;
use reelcast_pipeline::track::{train_tracked, RegisterOptions, TrackOptions, TrainRequest};
use reelcast_pipeline::{
    load_dataset, train, DataSource, ModelBundle, ModelKind, ModelParams, TrainOptions,
};
use reelcast_registry::{open, Backend, ModelRef, OpenOptions};
use reelcast_server::{FileSource, ModelSource, RegistrySource, SourceError};

use crate::helpers::bundle;

fn sqlite_uri(dir: &Path) -> String {
    format!("sqlite:///{}", dir.join("reelcast.db").display())
}

fn backend(uri: &str) -> Box<dyn Backend> {
    open(uri, &OpenOptions::default()).unwrap()
}

/// Trains a `trees`-round boosted model on the embedded sample and registers it as a new
/// version of `movie_rating_gbt` (champion when it is the first).
fn register(dir: &Path, uri: &str, trees: usize) -> u64 {
    let request = TrainRequest {
        source: DataSource::Embedded,
        ingest: Default::default(),
        train: TrainOptions {
            params: ModelParams::for_kind(ModelKind::GradientBoosting).with_trees(trees),
            ..Default::default()
        },
        out_dir: dir.join(format!("artifacts-{trees}")),
    };
    let tracking = TrackOptions {
        register: Some(RegisterOptions::new("movie_rating_gbt")),
        ..TrackOptions::new(uri)
    };
    let trained = train_tracked(&request, &tracking).unwrap();
    trained.registered.unwrap().version.version
}

/// A 3-round boosted model: a model other than [`bundle`].
fn other_bundle() -> ModelBundle {
    let data = load_dataset(&DataSource::Embedded, &IngestOptions::default()).unwrap();
    let options = TrainOptions {
        params: ModelParams::for_kind(ModelKind::GradientBoosting).with_trees(3),
        ..TrainOptions::default()
    };
    train(&data.movies, &data.version, &options).unwrap().0
}

#[test]
fn a_file_source_loads_again_only_when_the_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bundle");
    bundle().save(&path).unwrap();
    let source = FileSource::new(&path);

    let first = source.poll(None).unwrap().expect("a first load");
    let unchanged = source.poll(Some(&first)).unwrap();
    std::fs::write(&path, b"").unwrap();
    let empty = source.poll(Some(&first)).unwrap_err();
    bundle().save(&path).unwrap();
    let same_model = source.poll(Some(&first)).unwrap();
    other_bundle().save(&path).unwrap();
    let swapped = source.poll(Some(&first)).unwrap();
    std::fs::remove_file(&path).unwrap();
    let gone = source.poll(Some(&first)).unwrap_err();

    assert_eq!(first.source, path.display().to_string());
    assert!(unchanged.is_none(), "same size and time: not read again");
    assert!(
        matches!(&empty, SourceError::Load(m) if m.contains(&path.display().to_string())),
        "{empty:?}"
    );
    assert!(same_model.is_none(), "the same model is not swapped in");
    let swapped = swapped.expect("another model is swapped in");
    assert_ne!(swapped.fingerprint, first.fingerprint);
    assert!(
        matches!(&gone, SourceError::Load(m) if m.contains("loading the model")),
        "{gone:?}"
    );
}

#[test]
fn a_registry_source_follows_its_alias_and_lists_the_versions() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sqlite_uri(dir.path());
    let v1 = register(dir.path(), &uri, 3);
    let v2 = register(dir.path(), &uri, 5);
    let champion = ModelRef::Alias {
        name: "movie_rating_gbt".into(),
        alias: "champion".into(),
    };
    let source = RegistrySource::new(backend(&uri), champion);

    let first = source.poll(None).unwrap().expect("the champion loads");
    let unchanged = source.poll(Some(&first)).unwrap();
    backend(&uri)
        .set_alias("movie_rating_gbt", "champion", v2)
        .unwrap();
    let moved = source
        .poll(Some(&first))
        .unwrap()
        .expect("the new champion");
    let versions = source.versions().unwrap().unwrap();
    let missing = RegistrySource::new(
        backend(&uri),
        ModelRef::Alias {
            name: "movie_rating_nothing".into(),
            alias: "champion".into(),
        },
    )
    .poll(None)
    .unwrap_err();

    assert_eq!((v1, v2), (1, 2));
    assert_eq!(first.version, "1");
    assert_eq!(first.source, "models:/movie_rating_gbt@champion");
    assert!(unchanged.is_none(), "the alias still names version 1");
    assert_eq!(moved.version, "2");
    assert_ne!(moved.fingerprint, first.fingerprint);
    let listed: Vec<u64> = versions.iter().map(|v| v.version).collect();
    assert_eq!(listed, [2, 1], "newest first");
    assert_eq!(versions[0].aliases, ["champion"]);
    let created = &versions[0].created_at;
    assert!(
        created.len() == 19 && created.as_bytes()[10] == b' ',
        "YYYY-MM-DD HH:MM:SS: {created}"
    );
    assert!(versions[0].test_rmse.is_some_and(|r| r > 0.0));
    assert!(
        matches!(&missing, SourceError::Registry(m) if m.contains("movie_rating_nothing")),
        "{missing:?}"
    );
}
