//! What to build: the versioned, serializable feature specification.

use serde::{Deserialize, Serialize};

use crate::CrewSpec;

/// Version of the feature definitions. Bump when any feature's meaning changes, so a
/// bundle fitted under an older definition is never fed vectors built under a newer one.
/// Version 2 adds the crew features.
pub const FEATURE_SPEC_VERSION: u32 = 2;

/// Which group of features to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureSet {
    /// The original system's three raw columns (startYear, runtimeMinutes, numVotes) with
    /// median imputation: kept as the baseline to beat.
    Original,
    /// Everything: imputed year and runtime with missing flags, log votes, votes per year,
    /// adult flag, genre multi-hot and count, title length and word count, title type.
    #[default]
    Full,
}

/// The feature specification: a version, a feature set and the crew features' settings.
/// Fitted by [`FeatureSpec::fit`] or, with ratings, [`FeatureSpec::fit_rated`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Definition version, [`FEATURE_SPEC_VERSION`] for new specs.
    pub version: u32,
    /// Which features to build. Default: [`FeatureSet::Full`].
    pub set: FeatureSet,
    /// Crew features, built when the training rows name people (`None`: never). Default:
    /// [`CrewSpec::default`].
    #[serde(default)]
    pub crew: Option<CrewSpec>,
}

/// [`FeatureSpec`] as bundles of format 1 and 2 stored it (no crew settings).
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct LegacyFeatureSpec {
    version: u32,
    set: FeatureSet,
}

impl From<LegacyFeatureSpec> for FeatureSpec {
    fn from(old: LegacyFeatureSpec) -> Self {
        Self {
            version: old.version,
            set: old.set,
            crew: None,
        }
    }
}

impl Default for FeatureSpec {
    fn default() -> Self {
        Self {
            version: FEATURE_SPEC_VERSION,
            set: FeatureSet::Full,
            crew: Some(CrewSpec::default()),
        }
    }
}

impl FeatureSpec {
    /// The original system's configuration (raw year, runtime, votes).
    pub fn original() -> Self {
        Self {
            version: FEATURE_SPEC_VERSION,
            set: FeatureSet::Original,
            crew: None,
        }
    }

    /// The full set without crew features: the basics-only model.
    pub fn basics_only() -> Self {
        Self {
            crew: None,
            ..Self::default()
        }
    }
}
