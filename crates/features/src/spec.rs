//! What to build: the versioned, serializable feature specification.

use serde::{Deserialize, Serialize};

/// Version of the feature definitions. Bump when any feature's meaning changes, so a
/// bundle fitted under an older definition is never fed vectors built under a newer one.
pub const FEATURE_SPEC_VERSION: u32 = 1;

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

/// The feature specification: a version and a feature set. Fitted by [`FeatureSpec::fit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Definition version, [`FEATURE_SPEC_VERSION`] for new specs.
    pub version: u32,
    /// Which features to build. Default: [`FeatureSet::Full`].
    pub set: FeatureSet,
}

impl Default for FeatureSpec {
    fn default() -> Self {
        Self {
            version: FEATURE_SPEC_VERSION,
            set: FeatureSet::Full,
        }
    }
}

impl FeatureSpec {
    /// The original system's configuration (raw year, runtime, votes).
    pub fn original() -> Self {
        Self {
            version: FEATURE_SPEC_VERSION,
            set: FeatureSet::Original,
        }
    }
}
