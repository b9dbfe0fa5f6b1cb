use std::sync::OnceLock;

use reelcast_data::IngestOptions;
use reelcast_pipeline::{
    load_dataset, train, LoadedDataset, ModelBundle, ModelKind, ModelParams, TrainOptions,
    TrainReport,
};

/// The embedded sample, ingested once per test binary.
pub fn sample() -> &'static LoadedDataset {
    static SAMPLE: OnceLock<LoadedDataset> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        load_dataset(
            &reelcast_pipeline::DataSource::Embedded,
            &IngestOptions::default(),
        )
        .unwrap()
    })
}

/// Small, fast options for a family.
pub fn small(kind: ModelKind, seed: u64) -> TrainOptions {
    TrainOptions {
        params: ModelParams::for_kind(kind).with_trees(15),
        seed,
        ..TrainOptions::default()
    }
}

/// Trains on the sample.
pub fn trained(kind: ModelKind, seed: u64) -> (ModelBundle, TrainReport) {
    let data = sample();
    train(&data.movies, &data.version, &small(kind, seed)).unwrap()
}
