//! `serve`'s first start: train and register the default model when the registry has none.

use reelcast_registry::{open, redact_uri, resolve, Error as RegistryError, ModelRef};

use super::run::{train_tracked, TrackedTraining};
use super::{Error, RegisterOptions, Result, TrackOptions, TrainRequest};

/// When `model` does not resolve in the registry `tracking` names, trains `request` (the
/// configured defaults on the embedded sample, for `serve`), logs the run and registers it
/// as `model`'s name (its first version becomes champion), exactly as
/// `reelcast train --register` would. Returns None when the model is already there.
///
/// Errors: the registry's, training's, and [`Error::Invalid`] when the backend was
/// unreachable (the run was saved locally, but nothing can be served).
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
    tracing::info!(
        "{model} is not in the registry {shown} yet; training the default model on the embedded sample and registering it as champion (once: later starts load it)"
    );
    let tracking = TrackOptions {
        register: Some(RegisterOptions::new(model.name())),
        ..tracking.clone()
    };
    let trained = train_tracked(request, &tracking)?;
    if let Some(pending) = &trained.pending {
        return Err(Error::Invalid(format!(
            "the registry {shown} became unreachable while registering the default model ({}); the run is saved in {}",
            pending.reason,
            pending.path.display()
        )));
    }
    Ok(Some(trained))
}
