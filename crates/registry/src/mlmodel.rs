//! MLflow's `MLmodel` file: the YAML description at the top of an MLflow model folder,
//! read and written here so that a reelcast model version is an MLflow model.
//!
//! A version's source is the folder `model/` of its run, holding `MLmodel`, the bundle
//! (`model.bundle`) and `feature_spec.json`. `MLmodel` names the bundle and its SHA-256 in
//! a `reelcast` flavor, and carries MLflow's usual fields: the column-based signature
//! (inputs and outputs as JSON strings, as MLflow's `ModelSignature.to_dict` writes them),
//! `model_size_bytes`, `utc_time_created`, `artifact_path` and `run_id`:
//!
//! ```yaml
//! artifact_path: model
//! flavors:
//!   reelcast:
//!     bundle_file: model.bundle
//!     bundle_format_version: 3
//!     bundle_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//!     reelcast_version: 0.1.0
//! model_size_bytes: 48213
//! run_id: 0123456789abcdef0123456789abcdef
//! signature:
//!   inputs: '[{"name":"title","required":false,"type":"string"}]'
//!   outputs: '[{"name":"predicted_rating","required":true,"type":"double"}]'
//! utc_time_created: '2026-12-06 06:40:03.123456'
//! ```
//!
//! Reading is lenient, as a file written by MLflow's own client may hold more: unknown
//! fields and other flavors are kept or ignored, never refused.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The file name of the description inside an MLflow model folder.
pub const MLMODEL_FILE: &str = "MLmodel";
/// The flavor name under which reelcast describes its bundle.
pub const REELCAST_FLAVOR: &str = "reelcast";

/// An `MLmodel` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlModel {
    /// The folder's path inside the run's artifacts, e.g. `model`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_path: Option<String>,
    /// The flavors: reelcast's, and any other a client wrote.
    pub flavors: Flavors,
    /// Total size of the model's files but `MLmodel`, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_size_bytes: Option<u64>,
    /// The run the folder belongs to (32 hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Input and output columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
    /// When the folder was made, UTC, as MLflow writes it (`2026-12-06 06:40:03.123456`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_time_created: Option<String>,
}

/// The `flavors` mapping: reelcast's own, and the others kept as they were.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Flavors {
    /// How to load the folder with reelcast.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reelcast: Option<ReelcastFlavor>,
    /// Other flavors (e.g. `python_function`), unread.
    #[serde(flatten)]
    pub other: BTreeMap<String, yaml_serde::Value>,
}

/// The `reelcast` flavor: which file of the folder is the bundle, and its checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReelcastFlavor {
    /// The bundle's file name inside the folder, e.g. `model.bundle`.
    pub bundle_file: String,
    /// The bundle's format version (its header's).
    pub bundle_format_version: u32,
    /// Lower-case hex SHA-256 of the bundle file: what a version without a
    /// `bundle_sha256` tag is verified against.
    pub bundle_sha256: String,
    /// The reelcast version that wrote the bundle.
    pub reelcast_version: String,
}

/// MLflow's column-based model signature: `inputs` and `outputs` are JSON arrays of
/// column specs, stored as strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// Input columns, a JSON array string.
    pub inputs: String,
    /// Output columns, a JSON array string.
    pub outputs: String,
}

/// One column's type in a signature (MLflow's `DataType` names, and `array`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnType {
    /// `string`.
    String,
    /// `long` (64-bit integer).
    Long,
    /// `double`.
    Double,
    /// `boolean`.
    Boolean,
    /// `array` of the inner type.
    Array(Box<ColumnType>),
}

impl ColumnType {
    fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            ColumnType::String => json!({"type": "string"}),
            ColumnType::Long => json!({"type": "long"}),
            ColumnType::Double => json!({"type": "double"}),
            ColumnType::Boolean => json!({"type": "boolean"}),
            ColumnType::Array(items) => json!({"type": "array", "items": items.to_json()}),
        }
    }
}

/// One column of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name, e.g. `startYear`.
    pub name: String,
    /// Type.
    pub kind: ColumnType,
    /// Whether every row must have it.
    pub required: bool,
}

impl Column {
    /// A column.
    pub fn new(name: &str, kind: ColumnType, required: bool) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            required,
        }
    }

    fn to_json(&self) -> serde_json::Value {
        let mut spec = self.kind.to_json();
        spec["name"] = self.name.clone().into();
        spec["required"] = self.required.into();
        spec
    }
}

/// `columns` as MLflow's column-spec JSON array (`[{"type": "long", "name": "startYear",
/// "required": true}, …]`): a signature's inputs or outputs, or a dataset's schema inside
/// `{"mlflow_colspec": …}`.
pub fn column_specs_json(columns: &[Column]) -> serde_json::Value {
    serde_json::Value::Array(columns.iter().map(Column::to_json).collect())
}

impl Signature {
    /// The signature of `inputs` -> `outputs`, in MLflow's column-based JSON.
    pub fn from_columns(inputs: &[Column], outputs: &[Column]) -> Self {
        Self {
            inputs: column_specs_json(inputs).to_string(),
            outputs: column_specs_json(outputs).to_string(),
        }
    }

    /// The input column names, in order; an error when `inputs` is not a JSON array of
    /// column specs.
    pub fn input_names(&self) -> Result<Vec<String>> {
        column_names("inputs", &self.inputs)
    }

    /// The output column names, in order.
    pub fn output_names(&self) -> Result<Vec<String>> {
        column_names("outputs", &self.outputs)
    }
}

fn column_names(field: &str, json: &str) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Spec {
        #[serde(default)]
        name: Option<String>,
        #[serde(rename = "type")]
        _kind: serde_json::Value,
    }
    let specs: Vec<Spec> = serde_json::from_str(json).map_err(|e| {
        Error::Corrupt(format!(
            "MLmodel signature {field} is not a JSON array of column specs: {e}"
        ))
    })?;
    Ok(specs.into_iter().filter_map(|s| s.name).collect())
}

impl MlModel {
    /// Reads an `MLmodel` file's text.
    ///
    /// # Errors
    /// [`Error::Corrupt`] when it is not YAML or lacks `flavors`.
    pub fn from_yaml(text: &str) -> Result<Self> {
        yaml_serde::from_str(text)
            .map_err(|e| Error::Corrupt(format!("{MLMODEL_FILE} is not a readable MLmodel: {e}")))
    }

    /// The file's text (YAML, keys in MLflow's order: alphabetical).
    pub fn to_yaml(&self) -> Result<String> {
        yaml_serde::to_string(self)
            .map_err(|e| Error::Other(format!("encoding {MLMODEL_FILE}: {e}")))
    }

    /// The `reelcast` flavor, checked: the bundle file is a plain file name of the folder
    /// and the checksum is 64 hex digits.
    ///
    /// # Errors
    /// [`Error::Corrupt`] naming what is missing or wrong, e.g. for a folder logged by
    /// another library (no `reelcast` flavor).
    pub fn reelcast(&self) -> Result<&ReelcastFlavor> {
        let flavor = self.flavors.reelcast.as_ref().ok_or_else(|| {
            let others: Vec<&str> = self.flavors.other.keys().map(String::as_str).collect();
            Error::Corrupt(format!(
                "{MLMODEL_FILE} has no {REELCAST_FLAVOR} flavor (it has {others:?}), so the folder is not a reelcast model"
            ))
        })?;
        let file = &flavor.bundle_file;
        if file.is_empty() || file.contains(['/', '\\']) || file == "." || file == ".." {
            return Err(Error::Corrupt(format!(
                "{MLMODEL_FILE}: bundle_file {file:?} is not a file name inside the model folder"
            )));
        }
        let sha = &flavor.bundle_sha256;
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Corrupt(format!(
                "{MLMODEL_FILE}: bundle_sha256 {sha:?} is not 64 hex digits"
            )));
        }
        Ok(flavor)
    }
}

/// Now, UTC, in MLflow's `utc_time_created` form (`2026-12-06 06:40:03.123456`).
pub fn utc_time_created_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]"
    );
    now.format(&format).unwrap_or_else(|_| now.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn sample() -> MlModel {
        MlModel {
            artifact_path: Some("model".into()),
            flavors: Flavors {
                reelcast: Some(ReelcastFlavor {
                    bundle_file: "model.bundle".into(),
                    bundle_format_version: 3,
                    bundle_sha256: SHA.into(),
                    reelcast_version: "0.1.0".into(),
                }),
                other: BTreeMap::new(),
            },
            model_size_bytes: Some(48_213),
            run_id: Some("0123456789abcdef0123456789abcdef".into()),
            signature: Some(Signature::from_columns(
                &[
                    Column::new("title", ColumnType::String, false),
                    Column::new("startYear", ColumnType::Long, true),
                    Column::new(
                        "genres",
                        ColumnType::Array(Box::new(ColumnType::String)),
                        false,
                    ),
                ],
                &[Column::new("predicted_rating", ColumnType::Double, true)],
            )),
            utc_time_created: Some("2026-12-06 06:40:03.123456".into()),
        }
    }

    #[test]
    fn writes_and_reads_back_an_mlmodel() {
        let model = sample();
        let text = model.to_yaml().unwrap();
        assert!(text.contains("flavors:\n  reelcast:\n"), "{text}");
        assert!(text.contains("bundle_file: model.bundle"), "{text}");
        assert!(text.contains("model_size_bytes: 48213"), "{text}");
        assert_eq!(MlModel::from_yaml(&text).unwrap(), model);
    }

    #[test]
    fn writes_the_signature_as_mlflow_column_spec_json_strings() {
        let signature = sample().signature.unwrap();
        let inputs: serde_json::Value = serde_json::from_str(&signature.inputs).unwrap();
        assert_eq!(
            inputs,
            serde_json::json!([
                {"type": "string", "name": "title", "required": false},
                {"type": "long", "name": "startYear", "required": true},
                {"type": "array", "items": {"type": "string"}, "name": "genres", "required": false},
            ])
        );
        assert_eq!(
            signature.input_names().unwrap(),
            ["title", "startYear", "genres"]
        );
        assert_eq!(signature.output_names().unwrap(), ["predicted_rating"]);
    }

    #[test]
    fn reads_an_mlmodel_as_mlflow_writes_it_with_other_flavors_and_fields() {
        // The layout of MLflow's `yaml.safe_dump`, with fields reelcast does not write.
        let text = format!(
            "artifact_path: model\nflavors:\n  python_function:\n    loader_module: x\n    env:\n      conda: conda.yaml\n  reelcast:\n    bundle_file: model.bundle\n    bundle_format_version: 3\n    bundle_sha256: {SHA}\n    reelcast_version: 0.1.0\nmlflow_version: 3.5.1\nmodel_uuid: 5f3c\nrun_id: abc\nsignature:\n  inputs: '[{{\"type\": \"string\", \"name\": \"title\", \"required\": false}}]'\n  outputs: '[{{\"type\": \"double\", \"required\": true}}]'\n  params: null\nutc_time_created: '2026-12-06 06:40:03.123456'\n"
        );
        let model = MlModel::from_yaml(&text).unwrap();
        assert_eq!(model.reelcast().unwrap().bundle_sha256, SHA);
        assert!(model.flavors.other.contains_key("python_function"));
        let signature = model.signature.unwrap();
        assert_eq!(signature.input_names().unwrap(), ["title"]);
        assert!(signature.output_names().unwrap().is_empty());
    }

    #[test]
    fn refuses_a_folder_without_the_reelcast_flavor_naming_the_flavors_it_has() {
        let model =
            MlModel::from_yaml("flavors:\n  sklearn:\n    pickled_model: model.pkl\n").unwrap();
        let err = model.reelcast().unwrap_err();
        assert!(matches!(err, Error::Corrupt(_)), "{err:?}");
        assert!(
            err.to_string().contains("no reelcast flavor") && err.to_string().contains("sklearn"),
            "{err}"
        );
    }

    #[test]
    fn refuses_bundle_files_outside_the_folder_and_bad_checksums() {
        for (label, file, sha) in [
            ("parent", "../x.bundle", SHA),
            ("nested", "a/model.bundle", SHA),
            ("empty", "", SHA),
            ("short sha", "model.bundle", "abc"),
            ("not hex", "model.bundle", &"z".repeat(64)),
        ] {
            let mut model = sample();
            let flavor = model.flavors.reelcast.as_mut().unwrap();
            flavor.bundle_file = file.into();
            flavor.bundle_sha256 = sha.into();
            let err = model.reelcast().unwrap_err();
            assert!(matches!(err, Error::Corrupt(_)), "{label}: {err:?}");
        }
    }

    #[test]
    fn refuses_text_that_is_not_an_mlmodel() {
        for (label, text) in [
            ("not yaml", "flavors: [unclosed"),
            ("no flavors", "run_id: abc\n"),
        ] {
            let err = MlModel::from_yaml(text).unwrap_err();
            assert!(matches!(err, Error::Corrupt(_)), "{label}: {err:?}");
            assert!(err.to_string().contains("MLmodel"), "{label}: {err}");
        }
    }

    #[test]
    fn time_created_has_mlflows_form() {
        let now = utc_time_created_now();
        assert_eq!(now.len(), "2026-12-06 06:40:03.123456".len(), "{now}");
        assert_eq!(&now[10..11], " ", "{now}");
    }
}
