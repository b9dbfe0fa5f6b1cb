//! `models:/NAME@ALIAS` and `models:/NAME/VERSION` references, resolving them, and
//! fetching a version's bundle bytes with their checksum verified.

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

/// Downloads the bundle of `version` (its `artifact_path`) and checks the bytes against
/// its `bundle_sha256` tag: a mismatch, or a version without the tag, is
/// [`Error::Corrupt`]. Returns the bundle file's bytes.
pub fn fetch_bundle(backend: &dyn Backend, version: &ModelVersion) -> Result<Vec<u8>> {
    let label = format!(
        "models:/{}/{} ({} of run {})",
        version.name, version.version, version.artifact_path, version.run_id
    );
    let expected = version.tags.get(BUNDLE_SHA256_TAG).ok_or_else(|| {
        Error::Corrupt(format!(
            "{label} has no {BUNDLE_SHA256_TAG} tag, so its bundle cannot be verified"
        ))
    })?;
    let bytes = backend.download_artifact(&version.run_id, &version.artifact_path)?;
    let actual = sha256_hex(&bytes);
    if !actual.eq_ignore_ascii_case(expected) {
        return Err(Error::Corrupt(format!(
            "{label}: bundle sha256 {actual} differs from the registered {expected}"
        )));
    }
    Ok(bytes)
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
