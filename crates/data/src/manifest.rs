//! `manifest.json`: what a processed dataset is, where it came from and how it was made.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::options::IngestOptions;
use crate::report::{BadRowReason, FileReport, StepCounts};

/// Version of the manifest layout; bump when a field changes meaning.
pub const MANIFEST_SCHEMA_VERSION: u32 = 1;

/// A dataset's content version: `ds-` + the first 16 hex digits of the SHA-256 of its CSV
/// bytes, or, when the dataset has people files, of the CSV's and each people file's
/// SHA-256 in hex joined by newlines. Equal bytes give equal versions, whether written or
/// computed in memory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DatasetVersion(String);

/// A string that is not `ds-` + 16 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dataset version {0:?} is not \"ds-\" followed by 16 hex digits")]
pub struct InvalidDatasetVersion(pub String);

impl DatasetVersion {
    const PREFIX: &'static str = "ds-";
    const HEX_DIGITS: usize = 16;

    /// The version for a CSV whose SHA-256 is `sha256_hex` (64 hex digits).
    pub(crate) fn from_sha256(sha256_hex: &str) -> Self {
        let digits = sha256_hex.get(..Self::HEX_DIGITS).unwrap_or(sha256_hex);
        Self(format!("{}{digits}", Self::PREFIX))
    }

    /// The version of a CSV with people files beside it (see the type's documentation);
    /// equal to [`DatasetVersion::from_sha256`] of the CSV when there are none.
    pub(crate) fn combined(csv_sha256: &str, people: &[crate::people::ProcessedFile]) -> Self {
        if people.is_empty() {
            return Self::from_sha256(csv_sha256);
        }
        let mut text = csv_sha256.to_owned();
        for file in people {
            text.push('\n');
            text.push_str(&file.sha256);
        }
        Self::from_sha256(&crate::hash::sha256_hex(text.as_bytes()))
    }

    /// Checks the `ds-` + 16 hex digits shape.
    ///
    /// # Errors
    /// [`InvalidDatasetVersion`] naming the value.
    pub fn parse(raw: &str) -> Result<Self, InvalidDatasetVersion> {
        let ok = raw.strip_prefix(Self::PREFIX).is_some_and(|d| {
            d.len() == Self::HEX_DIGITS
                && d.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        });
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidDatasetVersion(raw.to_owned()))
        }
    }

    /// The version as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for DatasetVersion {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DatasetVersion {
    type Error = InvalidDatasetVersion;
    fn try_from(s: String) -> Result<Self, InvalidDatasetVersion> {
        Self::parse(&s)
    }
}

impl From<DatasetVersion> for String {
    fn from(v: DatasetVersion) -> String {
        v.0
    }
}

impl fmt::Display for DatasetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The contents of `manifest.json`, written next to `movies_with_ratings.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetManifest {
    /// [`MANIFEST_SCHEMA_VERSION`] at write time.
    pub schema_version: u32,
    /// Content hash of the CSV bytes.
    pub dataset_version: DatasetVersion,
    /// Full SHA-256 of the CSV bytes.
    pub csv_sha256: String,
    /// Data rows in the CSV.
    pub rows: u64,
    /// The raw inputs: title.basics then title.ratings, with their SHA-256.
    pub inputs: Vec<FileReport>,
    /// Rows after each ingest step.
    pub counts: StepCounts,
    /// Bad raw rows by reason.
    pub bad_rows: BTreeMap<BadRowReason, u64>,
    /// The ingest options used.
    pub options: IngestOptions,
    /// When the dataset was written (RFC 3339, UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The raw people files and what they held, when the ingest had them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<crate::people::PeopleReport>,
    /// The filtered people files written beside the CSV, with their SHA-256 (part of the
    /// dataset version).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people_files: Vec<crate::people::ProcessedFile>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_prefix_plus_sixteen_hex_digits() {
        let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let v = DatasetVersion::from_sha256(sha);
        assert_eq!(v.as_str(), "ds-9f86d081884c7d65");
        assert_eq!(DatasetVersion::parse(v.as_str()).unwrap(), v);
    }

    #[test]
    fn rejects_malformed_versions() {
        for raw in [
            "9f86d081884c7d65",
            "ds-9f86",
            "ds-9F86D081884C7D65",
            "ds-9f86d081884c7d6z",
        ] {
            let err = DatasetVersion::parse(raw).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("dataset version {raw:?} is not \"ds-\" followed by 16 hex digits")
            );
        }
    }
}
