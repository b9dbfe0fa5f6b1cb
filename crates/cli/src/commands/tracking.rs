//! Shared by `train`, `runs` and `models`: opening the tracking backend, the run record
//! (logged to the backend, or saved as `pending-run.json` while it is unreachable),
//! registration, and table printing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use reelcast_registry::{
    open, Backend, Error as RegistryError, Metric, ModelVersion, OpenOptions, CHAMPION,
};
use serde::{Deserialize, Serialize};

use crate::args::TrackingArgs;
use crate::settings::Settings;

/// File name of a run saved locally while the backend was unreachable.
pub(crate) const PENDING_RUN_FILE: &str = "pending-run.json";
/// Artifact path of the bundle inside a run.
pub(crate) const BUNDLE_ARTIFACT: &str = "model/model.bundle";

/// `--tracking-uri`, else `[tracking] uri` (which `REELCAST_TRACKING_URI` overrides).
pub(crate) fn tracking_uri(a: &TrackingArgs, settings: &Settings) -> String {
    a.tracking_uri
        .clone()
        .unwrap_or_else(|| settings.tracking.uri.clone())
}

/// The backend options from `[tracking]`.
pub(crate) fn open_options(settings: &Settings) -> OpenOptions {
    let t = &settings.tracking;
    OpenOptions {
        artifact_root: (!t.artifact_root.is_empty()).then(|| PathBuf::from(&t.artifact_root)),
        timeout: Duration::from_secs_f64(t.timeout_seconds),
        retries: t.retries,
    }
}

/// Opens the backend `uri` names, keeping the registry's error (callers decide whether
/// "unavailable" is fatal).
pub(crate) fn open_raw(uri: &str, settings: &Settings) -> Result<Box<dyn Backend>, RegistryError> {
    open(uri, &open_options(settings))
}

/// Opens the backend for the `runs` and `models` commands.
pub(crate) fn open_backend(a: &TrackingArgs, settings: &Settings) -> Result<Box<dyn Backend>> {
    let uri = tracking_uri(a, settings);
    open_raw(&uri, settings).with_context(|| format!("opening the tracking backend {uri}"))
}

/// Whether an error means "the backend could not be reached" (as opposed to a refusal).
pub(crate) fn is_unreachable(e: &RegistryError) -> bool {
    matches!(e, RegistryError::Unavailable(_))
}

/// Turns "model not found" into a message that lists the known models.
pub(crate) fn explain_model_error(
    backend: &dyn Backend,
    name: &str,
    e: RegistryError,
) -> anyhow::Error {
    if !matches!(e, RegistryError::NotFound(_)) {
        return anyhow::Error::new(e);
    }
    let known = backend
        .list_models()
        .map(|ms| ms.into_iter().map(|m| m.name).collect::<Vec<_>>())
        .unwrap_or_default();
    if backend.get_model(name).is_ok() {
        return anyhow::Error::new(e).context(format!(
            "see `reelcast models show {name}` for its versions"
        ));
    }
    if known.is_empty() {
        anyhow::anyhow!(
            "registered model {name:?} not found: no model is registered yet; train one with `reelcast train --register`"
        )
    } else {
        anyhow::anyhow!(
            "registered model {name:?} not found; known models: {}",
            known.join(", ")
        )
    }
}

/// A file logged as an artifact: its artifact path and its file, relative to the run's
/// output directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ArtifactFile {
    pub path: String,
    pub file: PathBuf,
}

/// What `--register` asked for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RegisterRequest {
    pub model_name: String,
    pub alias: Option<String>,
    pub promote_if_better: bool,
    /// Version tags (bundle_sha256, test_rmse, dataset_version, model_kind, seed, ...).
    pub version_tags: BTreeMap<String, String>,
}

/// Everything a training run logs; saved as `pending-run.json` when the backend is down.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RunRecord {
    pub tracking_uri: String,
    pub experiment: String,
    pub run_name: String,
    pub params: BTreeMap<String, String>,
    pub metrics: Vec<Metric>,
    pub tags: BTreeMap<String, String>,
    pub artifacts: Vec<ArtifactFile>,
    pub register: Option<RegisterRequest>,
    /// Why it could not be logged, when saved locally.
    pub error: Option<String>,
}

impl RunRecord {
    /// Logs params, metrics, tags and artifacts (files under `dir`) to `run_id`.
    pub(crate) fn log(
        &self,
        backend: &dyn Backend,
        run_id: &str,
        dir: &Path,
    ) -> Result<(), RegistryError> {
        backend.log_batch(run_id, &self.params, &self.metrics, &self.tags)?;
        for artifact in &self.artifacts {
            let file = dir.join(&artifact.file);
            let bytes = std::fs::read(&file).map_err(|source| RegistryError::Io {
                context: format!("reading {}", file.display()),
                source,
            })?;
            backend.log_artifact(run_id, &artifact.path, &bytes)?;
        }
        Ok(())
    }

    /// Saves the record as `dir/pending-run.json` (temporary file + rename).
    pub(crate) fn save_pending(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(PENDING_RUN_FILE);
        write_atomic(&path, serde_json::to_string_pretty(self)?.as_bytes())?;
        Ok(path)
    }

    /// Reads `dir/pending-run.json`.
    pub(crate) fn load_pending(dir: &Path) -> Result<Self> {
        let path = dir.join(PENDING_RUN_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "reading {} (it is written by `reelcast train` when the tracking backend is unreachable)",
                path.display()
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }
}

/// A registration's result.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Registered {
    pub version: ModelVersion,
    /// The alias `--alias` set, if any.
    pub alias: Option<String>,
    /// True when the version became champion because the model had none.
    pub first_champion: bool,
}

impl Registered {
    /// Prints what was registered, one fact a line.
    pub(crate) fn print(&self) {
        let v = &self.version;
        println!("registered {} version {}", v.name, v.version);
        if let Some(alias) = &self.alias {
            println!("alias   @{alias} -> version {}", v.version);
        }
        if self.first_champion {
            println!(
                "champion: version {} is the first champion of {} (it had none)",
                v.version, v.name
            );
        }
    }
}

/// Registers the run's bundle as a new version, sets `--alias`, and makes it champion
/// when the model has none (a registry without a champion cannot serve).
pub(crate) fn register(
    backend: &dyn Backend,
    request: &RegisterRequest,
    run_id: &str,
) -> Result<Registered, RegistryError> {
    let name = &request.model_name;
    let version =
        backend.create_model_version(name, run_id, BUNDLE_ARTIFACT, &request.version_tags)?;
    if let Some(alias) = &request.alias {
        backend.set_alias(name, alias, version.version)?;
    }
    let first_champion = backend.get_alias(name, CHAMPION)?.is_none();
    if first_champion {
        backend.set_alias(name, CHAMPION, version.version)?;
    }
    let version = backend.get_model_version(name, version.version)?;
    Ok(Registered {
        version,
        alias: request.alias.clone(),
        first_champion,
    })
}

/// Writes `bytes` to `path` atomically (temporary file in the same directory + rename).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM:SS` UTC.
pub(crate) fn format_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Prints rows as a left-aligned table under `headers`, columns two spaces apart.
pub(crate) fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let parts: Vec<String> = cells
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_unix_milliseconds_as_utc() {
        assert_eq!(format_ms(0), "1970-01-01 00:00:00");
        assert_eq!(format_ms(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(format_ms(1_795_000_000_123), "2026-11-18 11:06:40");
    }
}
