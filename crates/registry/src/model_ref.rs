//! `models:/NAME@ALIAS` and `models:/NAME/VERSION` references, resolving them, and
//! fetching a version's bundle bytes with their checksum verified.

use crate::mlmodel::{MlModel, MLMODEL_FILE};
use crate::{Backend, Error, ModelVersion, Result};

/// The version tag holding the lower-case hex SHA-256 of the bundle file's bytes.
pub const BUNDLE_SHA256_TAG: &str = "bundle_sha256";

/// Lower-case hex SHA-256 of `bytes`: the form of the `bundle_sha256` tag.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A reference to a registered model version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModelRef {
    /// `models:/NAME@ALIAS`: whatever version the alias points at (it may move).
    Alias {
        /// Registered model name.
        name: String,
        /// Alias, e.g. `champion`.
        alias: String,
    },
    /// `models:/NAME/VERSION`: one fixed version.
    Version {
        /// Registered model name.
        name: String,
        /// Version number, from 1.
        version: u64,
    },
}

impl ModelRef {
    /// The registered model name.
    pub fn name(&self) -> &str {
        match self {
            ModelRef::Alias { name, .. } | ModelRef::Version { name, .. } => name,
        }
    }
}

impl std::fmt::Display for ModelRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelRef::Alias { name, alias } => write!(f, "models:/{name}@{alias}"),
            ModelRef::Version { name, version } => write!(f, "models:/{name}/{version}"),
        }
    }
}

/// Parses `models:/NAME@ALIAS` or `models:/NAME/VERSION`; `None` for anything else
/// (e.g. a bundle path), so callers can fall back to treating the text as a file.
///
/// ```
/// use reelcast_registry::{parse_model_uri, ModelRef};
/// assert_eq!(
///     parse_model_uri("models:/movie_rating_gbt@champion"),
///     Some(ModelRef::Alias { name: "movie_rating_gbt".into(), alias: "champion".into() })
/// );
/// assert_eq!(
///     parse_model_uri("models:/movie_rating_gbt/3"),
///     Some(ModelRef::Version { name: "movie_rating_gbt".into(), version: 3 })
/// );
/// assert_eq!(parse_model_uri("artifacts/model.bundle"), None);
/// ```
pub fn parse_model_uri(s: &str) -> Option<ModelRef> {
    let rest = s.strip_prefix("models:/")?;
    let valid = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    if let Some((name, alias)) = rest.split_once('@') {
        return (valid(name) && valid(alias)).then(|| ModelRef::Alias {
            name: name.to_owned(),
            alias: alias.to_owned(),
        });
    }
    let (name, version) = rest.split_once('/')?;
    let version: u64 = version.parse().ok().filter(|v| *v >= 1)?;
    valid(name).then(|| ModelRef::Version {
        name: name.to_owned(),
        version,
    })
}

/// The version a reference names now. An alias that is not set is
/// [`Error::NotFound`] (`alias @champion of model "x" not found`).
pub fn resolve(backend: &dyn Backend, model: &ModelRef) -> Result<ModelVersion> {
    match model {
        ModelRef::Alias { name, alias } => backend
            .get_alias(name, alias)?
            .ok_or_else(|| Error::NotFound(format!("alias @{alias} of model {name:?}"))),
        ModelRef::Version { name, version } => backend.get_model_version(name, *version),
    }
}

/// Downloads the bundle of `version` and verifies it; returns the bundle file's bytes.
///
/// Two layouts are read:
/// - an MLflow model folder (`artifact_path` is a folder holding `MLmodel`): the bundle
///   is the file its `reelcast` flavor names, checked against the flavor's
///   `bundle_sha256` and, when the version has one, the `bundle_sha256` tag; a version
///   registered by a plain MLflow client (no tag) is thus verified by `MLmodel` alone;
/// - a single bundle file (versions registered without a model folder): checked against
///   the `bundle_sha256` tag, which it must have.
///
/// A mismatch, a version that cannot be verified, or a folder that is not a reelcast
/// model is [`Error::Corrupt`].
pub fn fetch_bundle(backend: &dyn Backend, version: &ModelVersion) -> Result<Vec<u8>> {
    let label = format!(
        "models:/{}/{} ({} of run {})",
        version.name, version.version, version.artifact_path, version.run_id
    );
    let tag = version.tags.get(BUNDLE_SHA256_TAG);
    let mlmodel_path = format!("{}/{MLMODEL_FILE}", version.artifact_path);
    // A file has no MLmodel under it: only a folder answers this.
    let mlmodel = match backend.download_artifact(&version.run_id, &mlmodel_path) {
        Ok(bytes) => Some(bytes),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let Some(mlmodel) = mlmodel else {
        let expected = tag.ok_or_else(|| {
            Error::Corrupt(format!(
                "{label} has no {BUNDLE_SHA256_TAG} tag and is not a model folder with an \
                 {MLMODEL_FILE}, so its bundle cannot be verified"
            ))
        })?;
        let bytes = backend.download_artifact(&version.run_id, &version.artifact_path)?;
        check_sha(&label, &bytes, expected, "the registered")?;
        return Ok(bytes);
    };
    let text = String::from_utf8(mlmodel)
        .map_err(|e| Error::Corrupt(format!("{label}: {MLMODEL_FILE} is not UTF-8: {e}")))?;
    let mlmodel = MlModel::from_yaml(&text).map_err(|e| Error::Corrupt(format!("{label}: {e}")))?;
    let flavor = mlmodel
        .reelcast()
        .map_err(|e| Error::Corrupt(format!("{label}: {e}")))?;
    let bundle_path = format!("{}/{}", version.artifact_path, flavor.bundle_file);
    let bytes = backend.download_artifact(&version.run_id, &bundle_path)?;
    let label = format!(
        "models:/{}/{} ({bundle_path} of run {})",
        version.name, version.version, version.run_id
    );
    check_sha(
        &label,
        &bytes,
        &flavor.bundle_sha256,
        &format!("{MLMODEL_FILE}'s"),
    )?;
    if let Some(expected) = tag {
        check_sha(&label, &bytes, expected, "the registered")?;
    }
    Ok(bytes)
}

/// Refuses `bytes` whose SHA-256 is not `expected`, naming where `expected` came from.
fn check_sha(label: &str, bytes: &[u8], expected: &str, whose: &str) -> Result<()> {
    let actual = sha256_hex(bytes);
    if actual.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(Error::Corrupt(format!(
            "{label}: bundle sha256 {actual} differs from {whose} {expected}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_malformed_model_uris() {
        for (label, uri) in [
            ("no scheme", "movie_rating_gbt@champion"),
            ("empty name", "models:/@champion"),
            ("empty alias", "models:/m@"),
            ("version zero", "models:/m/0"),
            ("version text", "models:/m/latest"),
            ("nested", "models:/m/1/2"),
            ("bare name", "models:/m"),
        ] {
            assert_eq!(parse_model_uri(uri), None, "{label}: {uri}");
        }
    }

    #[test]
    fn display_round_trips() {
        for uri in ["models:/m@champion", "models:/m/12"] {
            assert_eq!(parse_model_uri(uri).unwrap().to_string(), uri);
        }
    }
}
