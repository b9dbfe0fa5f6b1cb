//! The model sources `reelcast serve` follows: a bundle file, reloaded when its content
//! changes, and a registry reference, reloaded when its alias points at another version.

use std::path::PathBuf;
use std::sync::Mutex;

use reelcast_pipeline::ModelBundle;
use reelcast_registry::{fetch_bundle, format_utc_ms, resolve, Backend, ModelRef};

use crate::dto::RegisteredVersion;
use crate::state::{LoadedModel, ModelSource, SourceError};

/// A bundle file: reloaded when its content changes.
#[derive(Debug)]
pub struct FileSource {
    path: PathBuf,
    /// Size and modification time of the file when it was last loaded: while they stay
    /// the same, a poll does not read and decode the bundle again.
    loaded_stamp: Mutex<Option<(u64, std::time::SystemTime)>>,
}

impl FileSource {
    /// The bundle file at `path`, not loaded yet.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            loaded_stamp: Mutex::new(None),
        }
    }

    fn stamp(&self) -> Option<(u64, std::time::SystemTime)> {
        let meta = std::fs::metadata(&self.path).ok()?;
        Some((meta.len(), meta.modified().ok()?))
    }
}

impl ModelSource for FileSource {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    /// Every failure is a [`SourceError::Load`]: the file is the whole source.
    fn poll(&self, current: Option<&LoadedModel>) -> Result<Option<LoadedModel>, SourceError> {
        let stamp = self.stamp();
        let mut loaded = self
            .loaded_stamp
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if current.is_some() && stamp.is_some() && *loaded == stamp {
            return Ok(None);
        }
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            SourceError::Load(format!("{what} {}: {e}", self.path.display()))
        };
        let bundle = ModelBundle::load(&self.path).map_err(|e| failed("loading the model", &e))?;
        let model = LoadedModel::new(bundle)
            .map_err(|e| failed("fingerprinting", &e))?
            .from_source(&self.describe());
        *loaded = stamp;
        let same = current.is_some_and(|c| c.fingerprint == model.fingerprint);
        Ok((!same).then_some(model))
    }
}

/// A registry reference: reloaded when the alias points at another version.
#[derive(Debug)]
pub struct RegistrySource {
    backend: Box<dyn Backend>,
    model: ModelRef,
}

impl RegistrySource {
    /// `model` (an alias or a version) in the registry `backend`.
    pub fn new(backend: Box<dyn Backend>, model: ModelRef) -> Self {
        Self { backend, model }
    }
}

impl ModelSource for RegistrySource {
    fn describe(&self) -> String {
        self.model.to_string()
    }

    /// A failed alias resolution is a registry error; a version that fails to fetch or
    /// decode is a load failure.
    fn poll(&self, current: Option<&LoadedModel>) -> Result<Option<LoadedModel>, SourceError> {
        let uri = self.describe();
        let version = resolve(self.backend.as_ref(), &self.model).map_err(|e| {
            SourceError::Registry(format!(
                "resolving {uri} in {}: {e}",
                self.backend.describe()
            ))
        })?;
        let same = current
            .is_some_and(|c| c.name == version.name && c.version == version.version.to_string());
        if same {
            return Ok(None);
        }
        let load = |what: &str, e: &dyn std::fmt::Display| {
            SourceError::Load(format!("{what} {uri} (version {}): {e}", version.version))
        };
        let bytes =
            fetch_bundle(self.backend.as_ref(), &version).map_err(|e| load("fetching", &e))?;
        let label = PathBuf::from(format!("{}/{}", version.name, version.version));
        let bundle = ModelBundle::from_bytes(&bytes, &label).map_err(|e| load("reading", &e))?;
        let alias = match &self.model {
            ModelRef::Alias { alias, .. } => Some(alias.as_str()),
            ModelRef::Version { .. } => None,
        };
        let model = LoadedModel::new(bundle)
            .map_err(|e| load("fingerprinting", &e))?
            .registered(&version.name, version.version, alias, &uri);
        Ok(Some(model))
    }

    fn versions(&self) -> Result<Option<Vec<RegisteredVersion>>, String> {
        let name = self.model.name();
        let mut versions = self.backend.list_versions(name).map_err(|e| {
            format!(
                "listing the versions of {name} in {}: {e}",
                self.backend.describe()
            )
        })?;
        versions.sort_by_key(|v| std::cmp::Reverse(v.version));
        let tag = |v: &reelcast_registry::ModelVersion, key: &str| v.tags.get(key).cloned();
        let listed = versions.iter().map(|v| RegisteredVersion {
            version: v.version,
            created_at: format_utc_ms(v.created_ms),
            test_rmse: tag(v, "test_rmse").and_then(|r| r.parse().ok()),
            dataset_version: tag(v, "dataset_version"),
            aliases: v.aliases.clone(),
            run_id: v.run_id.clone(),
        });
        Ok(Some(listed.collect()))
    }
}
