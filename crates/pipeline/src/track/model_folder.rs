//! What makes a training run's model an MLflow model: the folder `model/`
//! (`MLmodel`, the bundle, `feature_spec.json`) that a version points at, the
//! descriptions of the registered model and its versions, and the training dataset as a
//! run input.

use std::path::Path;

use reelcast_core::MovieRecord;
use reelcast_registry::mlmodel::{
    column_specs_json, utc_time_created_now, Column, ColumnType, Flavors, MlModel, ReelcastFlavor,
    Signature,
};
use reelcast_registry::{sha256_hex, DatasetInput};

use crate::{DataSource, ModelKind, MovieRequest, BUNDLE_FORMAT_VERSION};

/// The model folder inside a run's artifacts: what a version's source is.
pub const MODEL_DIR: &str = "model";
/// The bundle's file name inside the model folder.
pub const BUNDLE_FILE: &str = "model.bundle";
/// `MLmodel` inside the run's artifacts.
pub const MLMODEL_ARTIFACT: &str = "model/MLmodel";
/// The feature spec inside the model folder.
pub const MODEL_FEATURE_SPEC_ARTIFACT: &str = "model/feature_spec.json";
/// The name a training run gives its dataset input.
pub const DATASET_NAME: &str = "imdb_movies";

/// The model's signature: the fields of a movie as `POST /predict/movie` takes them
/// ([`MovieRequest::FIELDS`]), and the predicted rating.
pub fn signature() -> Signature {
    let text = || ColumnType::String;
    let list = || ColumnType::Array(Box::new(ColumnType::String));
    let inputs = [
        Column::new("title", text(), false),
        Column::new("startYear", ColumnType::Long, true),
        Column::new("runtimeMinutes", ColumnType::Long, true),
        Column::new("numVotes", ColumnType::Long, true),
        Column::new("genres", list(), false),
        Column::new("titleType", text(), false),
        Column::new("isAdult", ColumnType::Boolean, false),
        Column::new("directors", list(), false),
        Column::new("writers", list(), false),
        Column::new("cast", list(), false),
    ];
    debug_assert_eq!(inputs.len(), MovieRequest::FIELDS.len());
    Signature::from_columns(
        &inputs,
        &[Column::new("predicted_rating", ColumnType::Double, true)],
    )
}

/// The `MLmodel` of a folder holding `bundle` and a feature spec of `spec_bytes` bytes;
/// the run id is filled in when the run is logged ([`super::RunRecord::log`]).
pub fn mlmodel(bundle: &[u8], spec_bytes: u64) -> MlModel {
    MlModel {
        artifact_path: Some(MODEL_DIR.to_owned()),
        flavors: Flavors {
            reelcast: Some(ReelcastFlavor {
                bundle_file: BUNDLE_FILE.to_owned(),
                bundle_format_version: BUNDLE_FORMAT_VERSION,
                bundle_sha256: sha256_hex(bundle),
                reelcast_version: env!("CARGO_PKG_VERSION").to_owned(),
            }),
            other: Default::default(),
        },
        model_size_bytes: Some(bundle.len() as u64 + spec_bytes),
        run_id: None,
        signature: Some(signature()),
        utc_time_created: Some(utc_time_created_now()),
    }
}

/// The registered model's description: what it predicts.
pub fn model_description(kind: ModelKind) -> String {
    format!(
        "Predicts a movie's average IMDb rating (1 to 10) from its year, runtime, votes, genres, title type and, when trained with people files, its directors, writers and cast. Trained and served by reelcast ({} model, bundle in the reelcast flavor of each version's MLmodel); each version's description names its dataset and test RMSE.",
        kind.short_name()
    )
}

/// What a version's description says: the data, the test RMSE and the run.
#[derive(Debug, Clone, Copy)]
pub struct VersionFacts<'a> {
    /// Model family.
    pub kind: ModelKind,
    /// The training dataset's version.
    pub dataset_version: &'a str,
    /// Rows trained on.
    pub n_train: usize,
    /// Held-out rows scored.
    pub n_test: usize,
    /// RMSE on the held-out rows.
    pub test_rmse: f64,
    /// The mean predictor's RMSE on the same rows.
    pub baseline_rmse: f64,
    /// The run's name.
    pub run_name: &'a str,
}

/// A version's description.
pub fn version_description(f: &VersionFacts<'_>) -> String {
    format!(
        "{} model predicting a movie's IMDb rating, trained on dataset {} ({} films); test RMSE {:.4} on {} held-out films (mean-predictor baseline {:.4}); run {}.",
        f.kind.short_name(),
        f.dataset_version,
        f.n_train,
        f.test_rmse,
        f.n_test,
        f.baseline_rmse,
        f.run_name
    )
}

/// The training data as MLflow's run input: name [`DATASET_NAME`], digest = the dataset
/// version, where it came from, its columns and its row count.
pub fn dataset_input(source: &DataSource, version: &str, movies: &[MovieRecord]) -> DatasetInput {
    let (source_type, uri) = match source {
        DataSource::Embedded => ("code", "reelcast:embedded-sample".to_owned()),
        DataSource::Directory(dir) => ("local", absolute(dir)),
        DataSource::Raw { basics, .. } | DataSource::RawWithPeople { basics, .. } => {
            ("local", absolute(basics.parent().unwrap_or(basics)))
        }
    };
    let long = || ColumnType::Long;
    let text = || ColumnType::String;
    let columns = [
        Column::new("tconst", text(), true),
        Column::new("titleType", text(), true),
        Column::new("primaryTitle", text(), true),
        Column::new("originalTitle", text(), false),
        Column::new("isAdult", long(), false),
        Column::new("startYear", long(), true),
        Column::new("endYear", long(), false),
        Column::new("runtimeMinutes", long(), false),
        Column::new("genres", text(), false),
        Column::new("averageRating", ColumnType::Double, true),
        Column::new("numVotes", long(), true),
    ];
    DatasetInput {
        name: DATASET_NAME.to_owned(),
        digest: version.to_owned(),
        source_type: source_type.to_owned(),
        source: serde_json::json!({ "uri": uri }).to_string(),
        schema: serde_json::json!({ "mlflow_colspec": column_specs_json(&columns) }).to_string(),
        profile: serde_json::json!({ "num_rows": movies.len() }).to_string(),
        context: "training".to_owned(),
    }
}

fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_names_every_field_the_api_takes() {
        let names = signature().input_names().unwrap();
        assert_eq!(names, MovieRequest::FIELDS);
        assert_eq!(signature().output_names().unwrap(), ["predicted_rating"]);
    }

    #[test]
    fn the_schema_names_every_column_of_the_processed_dataset() {
        let input = dataset_input(&DataSource::Embedded, "v1", &[]);
        let schema: serde_json::Value = serde_json::from_str(&input.schema).unwrap();
        let names: Vec<&str> = schema["mlflow_colspec"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, reelcast_data::CSV_COLUMNS);
        assert_eq!(input.profile, r#"{"num_rows":0}"#);
        assert_eq!(
            (input.digest.as_str(), input.source_type.as_str()),
            ("v1", "code")
        );
    }

    #[test]
    fn a_local_source_is_its_absolute_directory() {
        let input = dataset_input(
            &DataSource::Raw {
                basics: "data/raw/title.basics.tsv".into(),
                ratings: "data/raw/title.ratings.tsv".into(),
            },
            "v",
            &[],
        );
        let source: serde_json::Value = serde_json::from_str(&input.source).unwrap();
        let uri = source["uri"].as_str().unwrap();
        assert!(uri.starts_with('/') && uri.ends_with("data/raw"), "{uri}");
    }

    #[test]
    fn the_mlmodel_names_the_bundle_its_checksum_and_size() {
        let bundle = b"RCBUNDLE bytes";
        let m = mlmodel(bundle, 10);
        let flavor = m.reelcast().unwrap();
        assert_eq!(flavor.bundle_file, "model.bundle");
        assert_eq!(flavor.bundle_sha256, sha256_hex(bundle));
        assert_eq!(flavor.bundle_format_version, BUNDLE_FORMAT_VERSION);
        assert_eq!(m.model_size_bytes, Some(bundle.len() as u64 + 10));
        assert_eq!(m.artifact_path.as_deref(), Some("model"));
    }
}
