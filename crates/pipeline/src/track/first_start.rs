//! `serve`'s first start: train and register the default model when the registry has none.

use reelcast_registry::{open, redact_uri, resolve, Error as RegistryError, ModelRef};

use super::run::{train_tracked, TrackedTraining};
use super::{Error, RegisterOptions, Result, TrackOptions, TrainRequest};

/// When `model` does not resolve in the registry `tracking` names, trains `request` (the
/// configured defaults on the embedded sample, for `serve`), logs the run and registers it
/// as `model`'s name (its first version becomes champion), exactly as
/// `reelcast train --register` would. Returns None when the model is already there.
///
/// `request.out_dir` is not written: the bundle, report and feature spec are written to a
/// new temporary directory, logged as the run's artifacts (the registry keeps them) and
/// the directory is removed, so a first start never replaces the files of a user's
/// `reelcast train` (`artifacts/model.bundle`, which `predict` and `evaluate` read by
/// default). The returned training's `model_path` and `report_dir` name that removed
/// directory; the run's artifacts are the copies to use.
///
/// Errors: the registry's, training's, [`Error::Io`] when no temporary directory can be
/// made, and [`Error::Invalid`] when the backend was unreachable (the run was saved
/// locally, in a temporary directory that is then kept, but nothing can be served).
pub fn register_default_if_missing(
    model: &ModelRef,
    request: &TrainRequest,
    tracking: &TrackOptions,
) -> Result<Option<TrackedTraining>> {
    let shown = redact_uri(&tracking.tracking_uri);
    let backend = open(&tracking.tracking_uri, &tracking.open)
        .map_err(|e| Error::registry(format!("opening the model registry {shown}"), e))?;
    match resolve(backend.as_ref(), model) {
        Ok(_) => return Ok(None),
        Err(RegistryError::NotFound(_)) => {}
        Err(e) => return Err(Error::registry(format!("resolving {model} in {shown}"), e)),
    }
    drop(backend);
    let staging = tempfile::Builder::new()
        .prefix("reelcast-first-start-")
        .tempdir()
        .map_err(|e| {
            Error::io(
                "creating a temporary directory for the default model's bundle and report (set TMPDIR to a writable directory)",
                e,
            )
        })?;
    tracing::info!(
        staging = %staging.path().display(),
        "{model} is not in the registry {shown} yet; training the default model on the embedded sample and registering it as champion (once: later starts load it)"
    );
    let request = TrainRequest {
        out_dir: staging.path().to_owned(),
        ..request.clone()
    };
    let tracking = TrackOptions {
        register: Some(RegisterOptions::new(model.name())),
        ..tracking.clone()
    };
    let trained = train_tracked(&request, &tracking)?;
    if let Some(pending) = &trained.pending {
        // The saved run is pushed from its directory: keep it.
        let kept = staging.keep();
        return Err(Error::Invalid(format!(
            "the registry {shown} became unreachable while registering the default model ({}); the run is saved in {}, push it with `reelcast runs push {}`",
            pending.reason,
            pending.path.display(),
            kept.display()
        )));
    }
    let staged = staging.path().to_owned();
    if let Err(e) = staging.close() {
        tracing::warn!(dir = %staged.display(), error = %e, "could not remove the temporary directory of the default model's training");
    }
    Ok(Some(trained))
}
