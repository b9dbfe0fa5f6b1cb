//! The model bundle: fitted features + fitted model + metadata, in one checked file.
//!
//! File layout (little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `RCBUNDLE` |
//! | 4 | format version ([`BUNDLE_FORMAT_VERSION`]) |
//! | 8 | payload length |
//! | 32 | sha256 of the payload |
//! | n | payload: postcard encoding of metadata, features and model |
//!
//! A truncated, corrupt or newer-format file is refused with an error that says which.
//! Format history: 1, the first; 2 adds the boosted model's quantile ensembles and the
//! test-split band calibration (`TrainMetrics::interval`); 3 (current) adds crew features
//! (the people table in `FittedFeatures`, crew settings in the feature spec) and the
//! held-out rule. Format-1 and -2 files still load (see `bundle_v1`) as
//! basics-only models; a format-1 boosted model has no band.
//! Saving writes a temporary file beside the target and renames it into place, so a
//! reader never sees a half-written bundle.

use std::path::Path;

use reelcast_core::MovieInput;
use reelcast_features::{FeatureSpec, FittedFeatures, Imputed, PeopleResolution, PersonSuggestion};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::bundle_v1::{ModelBundleV1, ModelBundleV2};
use crate::metrics::TrainMetrics;
use crate::model_kind::{Band, ModelKind, TrainedModel};
use crate::split::HeldOutRule;
use crate::{Error, Result};

/// Current bundle format version. Bump on any change to the payload's shape, and keep
/// reading the old one.
pub const BUNDLE_FORMAT_VERSION: u32 = 3;
/// First bytes of a bundle file.
pub const BUNDLE_MAGIC: &[u8; 8] = b"RCBUNDLE";
const HEADER_LEN: usize = 8 + 4 + 8 + 32;

/// Everything known about how a bundle was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleMetadata {
    /// Model name, e.g. `movie_rating_rf`.
    pub model_name: String,
    /// Model family.
    pub model_kind: ModelKind,
    /// Fitted hyperparameters, as JSON text.
    pub params_json: String,
    /// Seed used for the split and the model.
    pub seed: u64,
    /// Held-out share used for the test split.
    pub test_fraction: f64,
    /// Content hash of the training dataset (see `reelcast-data`).
    pub dataset_version: String,
    /// The feature spec that was fitted.
    pub feature_spec: FeatureSpec,
    /// Held-out, baseline and cross-validation metrics.
    pub metrics: TrainMetrics,
    /// Rows in the training split.
    pub n_train: usize,
    /// Rows in the test split.
    pub n_test: usize,
    /// Git commit of the reelcast build that trained it, when known.
    pub git_sha: Option<String>,
    /// reelcast version that trained it.
    pub reelcast_version: String,
    /// When training finished (RFC 3339, UTC).
    pub created_at: String,
    /// How the held-out rows were chosen (with `test_fraction` and `seed`).
    pub heldout_rule: HeldOutRule,
}

/// A self-contained, servable model: fitted features, fitted model and metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelBundle {
    /// How it was made.
    pub metadata: BundleMetadata,
    /// The fitted feature transformation (the only way rows become feature vectors).
    pub features: FittedFeatures,
    /// The fitted model.
    pub model: TrainedModel,
}

/// One prediction for one movie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Predicted rating, clipped to 1..=10.
    pub rating: f64,
    /// 10th-90th percentile band (clipped; see [`Band`]), absent only for a boosted model
    /// from a format-1 bundle.
    pub band: Option<Band>,
    /// Inputs that were missing and imputed from training statistics.
    pub imputed: Imputed,
    /// Each given director, writer and cast string with the nconst it resolved to (`None`:
    /// unknown, the prior was used); empty from [`ModelBundle::predict_row`].
    pub people: PeopleResolution,
}

fn clip(rating: f64) -> f64 {
    rating.clamp(1.0, 10.0)
}

fn clip_band(b: Band) -> Band {
    Band {
        lower: clip(b.lower),
        upper: clip(b.upper),
    }
}

impl ModelBundle {
    /// Predicts one movie.
    pub fn predict(&self, input: &MovieInput) -> Prediction {
        let mut row = Vec::with_capacity(self.features.width());
        let (imputed, people) = self.features.transform_with_people(input, &mut row);
        Prediction {
            people,
            ..self.predict_row(&row, imputed)
        }
    }

    /// Up to `limit` (at most 10) people whose name starts with `prefix` (case-insensitive),
    /// most training films first; empty for a model without crew features.
    pub fn suggest_people(&self, prefix: &str, limit: usize) -> Vec<PersonSuggestion> {
        self.features
            .crew()
            .map(|c| c.suggest(prefix, limit))
            .unwrap_or_default()
    }

    /// Feature groups the model uses: `["basics"]` or `["basics", "crew"]`.
    pub fn feature_groups(&self) -> Vec<&'static str> {
        self.features.groups()
    }

    /// People in the bundle's people table (0 without crew features).
    pub fn people_count(&self) -> usize {
        self.features.crew().map_or(0, |c| c.people().len())
    }

    /// Predicts one feature row already built by `self.features.transform` (which
    /// reported `imputed`), for callers that also need the row itself.
    pub fn predict_row(&self, row: &[f32], imputed: Imputed) -> Prediction {
        let (rating, band) = self.model.predict_with_band(row);
        Prediction {
            rating: clip(rating),
            band: band.map(clip_band),
            imputed,
            people: PeopleResolution::default(),
        }
    }

    /// Predicts many movies through the batch path (one feature matrix, parallel trees);
    /// ratings clipped to 1..=10, in input order.
    pub fn predict_batch(&self, inputs: &[MovieInput]) -> Vec<f64> {
        self.predict_matrix(&self.features.transform_batch(inputs))
    }

    /// Predicts a row-major matrix already built by `self.features`, for callers that
    /// also need the rows; ratings clipped to 1..=10.
    pub fn predict_matrix(&self, matrix: &[f32]) -> Vec<f64> {
        self.model
            .predict_batch(matrix)
            .into_iter()
            .map(clip)
            .collect()
    }

    /// [`ModelBundle::predict_matrix`] with each row's band (clipped), `None` when the
    /// model has no band.
    pub fn predict_matrix_with_bands(&self, matrix: &[f32]) -> (Vec<f64>, Option<Vec<Band>>) {
        let (ratings, bands) = rayon::join(
            || self.predict_matrix(matrix),
            || self.model.band_batch(matrix),
        );
        (
            ratings,
            bands.map(|b| b.into_iter().map(clip_band).collect()),
        )
    }

    /// Encodes the bundle into the checked file layout.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let payload = postcard::to_allocvec(self).map_err(|e| Error::BundleEncode {
            message: e.to_string(),
        })?;
        Ok(frame(BUNDLE_FORMAT_VERSION, &payload))
    }

    /// Decodes and checks a bundle file's bytes; `path` only names the file in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self> {
        let bad = |reason: String| Error::BundleInvalid {
            path: path.to_path_buf(),
            reason,
        };
        if bytes.len() < 8 || &bytes[..8] != BUNDLE_MAGIC {
            return Err(bad(
                "not a reelcast model bundle (missing RCBUNDLE header)".into()
            ));
        }
        if bytes.len() < HEADER_LEN {
            return Err(bad(format!(
                "truncated: {} bytes, header needs {HEADER_LEN}",
                bytes.len()
            )));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4-byte slice"));
        if version == 0 {
            return Err(bad("format version 0 does not exist".into()));
        }
        if version > BUNDLE_FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version} is newer than this build reads ({BUNDLE_FORMAT_VERSION}); upgrade reelcast"
            )));
        }
        let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8-byte slice"));
        let payload = &bytes[HEADER_LEN..];
        if (payload.len() as u64) < len {
            return Err(bad(format!(
                "truncated: payload has {} of {len} bytes",
                payload.len()
            )));
        }
        if (payload.len() as u64) > len {
            return Err(bad(format!(
                "{} unexpected bytes after the payload",
                payload.len() as u64 - len
            )));
        }
        if Sha256::digest(payload).as_slice() != &bytes[20..52] {
            return Err(bad("corrupt: payload checksum does not match".into()));
        }
        let decoded = match version {
            1 => postcard::from_bytes::<ModelBundleV1>(payload).map(ModelBundle::from),
            2 => postcard::from_bytes::<ModelBundleV2>(payload).map(ModelBundle::from),
            _ => postcard::from_bytes(payload),
        };
        decoded.map_err(|e| bad(format!("corrupt: cannot decode payload ({e})")))
    }

    /// Saves atomically: a temporary file in the same directory, fsynced, then renamed.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_bytes()?;
        write_atomic(path, &bytes)
    }

    /// Loads and checks a bundle file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes, path)
    }

    /// Bytes of the fitted model alone (no timestamps): equal for equal seed and data.
    pub fn model_bytes(&self) -> Result<Vec<u8>> {
        postcard::to_allocvec(&(&self.features, &self.model)).map_err(|e| Error::BundleEncode {
            message: e.to_string(),
        })
    }
}

/// The checked file layout around an encoded payload.
fn frame(version: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(BUNDLE_MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(payload));
    out.extend_from_slice(payload);
    out
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename
/// (see [`crate::atomic_file::write`]), with the mode the umask gives.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::atomic_file::write(path, bytes, None).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}
