//! Shared by `train`, `runs`, `models` and `serve`: opening the tracking backend, the
//! tracking options of the `track` use case, printing registrations, and tables.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use reelcast_pipeline::track::{Registered, TrackOptions};
use reelcast_registry::{open, redact_uri, Backend, Error as RegistryError, OpenOptions};

use crate::args::TrackingArgs;
use crate::output::{outln, OutputError};
use crate::settings::Settings;

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
    open_raw(&uri, settings)
        .with_context(|| format!("opening the tracking backend {}", redact_uri(&uri)))
}

/// The `track` use case's options: `uri`, `[tracking]`'s backend options and `experiment`
/// (else `[tracking] experiment`); no registration.
pub(crate) fn track_options(
    uri: &str,
    experiment: Option<&str>,
    settings: &Settings,
) -> TrackOptions {
    TrackOptions {
        tracking_uri: uri.to_owned(),
        open: open_options(settings),
        experiment: experiment.map_or_else(|| settings.tracking.experiment.clone(), str::to_owned),
        register: None,
    }
}

/// Prints what was registered, one fact a line.
pub(crate) fn print_registered(r: &Registered) -> Result<(), OutputError> {
    let v = &r.version;
    outln!("registered {} version {}", v.name, v.version)?;
    if let Some(alias) = &r.alias {
        outln!("alias   @{alias} -> version {}", v.version)?;
    }
    if r.first_champion {
        outln!(
            "champion: version {} is the first champion of {} (it had none)",
            v.version,
            v.name
        )?;
    }
    Ok(())
}

/// A `registered` object of `--json` output.
pub(crate) fn registered_json(r: &Registered) -> serde_json::Value {
    serde_json::json!({
        "name": r.version.name,
        "version": r.version.version,
        "aliases": r.version.aliases,
        "first_champion": r.first_champion,
    })
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

/// Prints rows as a left-aligned table under `headers`, columns two spaces apart.
pub(crate) fn print_table(headers: &[&str], rows: &[Vec<String>]) -> Result<(), OutputError> {
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
        outln!("{}", parts.join("  ").trim_end())
    };
    line(&mut headers.iter().copied())?;
    for row in rows {
        line(&mut row.iter().map(String::as_str))?;
    }
    Ok(())
}
