//! Registering a run's bundle as a model version, and `--promote-if-better`.

use std::path::PathBuf;

use reelcast_registry::{
    check_alias, check_model_name, fetch_bundle, Backend, ModelVersion, CHAMPION,
};
use serde::Serialize;

use super::record::RegisterRequest;
use super::{Error, Result};
use crate::{comparison_rows, evaluate, LoadedDataset, ModelBundle};

/// A registration's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Registered {
    /// The new version, with its aliases.
    pub version: ModelVersion,
    /// The alias `--alias` set, if any.
    pub alias: Option<String>,
    /// True when the version became champion because the model had none.
    pub first_champion: bool,
}

/// Refuses a model name or alias the registry would refuse, with the registry's own
/// message, before anything is trained or logged (the registry checks them only when it
/// registers, after the run is logged).
pub(super) fn check_names(model_name: &str, alias: Option<&str>) -> Result<()> {
    let refused = |e| {
        Error::registry(
            "checking what to register (nothing was trained or logged)",
            e,
        )
    };
    check_model_name(model_name).map_err(refused)?;
    if let Some(alias) = alias {
        check_alias(alias).map_err(refused)?;
    }
    Ok(())
}

/// Registers the run's model folder (or, for a record without an `artifact_path`, its
/// bundle file) as a new version with its description (after every artifact of the run is
/// logged), describes the registered model when it has no description, sets the requested
/// alias, and makes the version champion when the model has none (a registry without a
/// champion cannot serve).
pub fn register(
    backend: &dyn Backend,
    request: &RegisterRequest,
    run_id: &str,
) -> Result<Registered> {
    let name = &request.model_name;
    let ctx = |what: &str| format!("{what} {name}");
    let version = backend
        .create_described_model_version(
            name,
            run_id,
            &request.artifact_path,
            &request.version_tags,
            &request.description,
        )
        .map_err(|e| Error::registry(ctx("registering a version of"), e))?;
    // A description someone gave the model (in MLflow's UI, say) is kept.
    let model = backend
        .get_model(name)
        .map_err(|e| Error::registry(ctx("reading"), e))?;
    if model.description.is_empty() && !request.model_description.is_empty() {
        backend
            .set_model_description(name, &request.model_description)
            .map_err(|e| Error::registry(ctx("describing"), e))?;
    }
    if let Some(alias) = &request.alias {
        backend
            .set_alias(name, alias, version.version)
            .map_err(|e| Error::registry(format!("setting @{alias} of {name}"), e))?;
    }
    let first_champion = backend
        .get_alias(name, CHAMPION)
        .map_err(|e| Error::registry(ctx("reading the champion of"), e))?
        .is_none();
    if first_champion {
        backend
            .set_alias(name, CHAMPION, version.version)
            .map_err(|e| Error::registry(ctx("setting the first champion of"), e))?;
    }
    let version = backend
        .get_model_version(name, version.version)
        .map_err(|e| Error::registry(ctx("reading back the new version of"), e))?;
    Ok(Registered {
        version,
        alias: request.alias.clone(),
        first_champion,
    })
}

/// The outcome of `--promote-if-better`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Promotion {
    /// Whether `champion` moved to the new version.
    pub promoted: bool,
    /// The new version.
    pub new_version: u64,
    /// Its RMSE on the compared rows.
    pub new_rmse: f64,
    /// The champion it was compared with.
    pub champion_version: Option<u64>,
    /// The champion's RMSE on the same rows.
    pub champion_rmse: Option<f64>,
    /// Rows compared on.
    pub rows: usize,
}

/// Two models' RMSE on the same rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// The champion's RMSE.
    pub champion_rmse: f64,
    /// The candidate's RMSE.
    pub candidate_rmse: f64,
    /// Rows scored.
    pub rows: usize,
}

/// Scores the champion and the candidate on the films of `dataset` that neither trained
/// on ([`comparison_rows`]: each bundle holds out films by a hash of their tconst), or
/// refuses when no such film is left.
pub fn compare_on_held_out(
    champion: &ModelBundle,
    candidate: &ModelBundle,
    dataset: &LoadedDataset,
) -> Result<Comparison> {
    let indices = comparison_rows(champion, candidate, &dataset.movies, &dataset.version)
        .map_err(|e| Error::pipeline("choosing the films neither model trained on", e))?;
    let rows: Vec<_> = indices.iter().map(|&i| dataset.movies[i].clone()).collect();
    let champion_rmse = evaluate(champion, &rows)
        .map_err(|e| Error::pipeline("scoring the champion", e))?
        .rmse;
    let candidate_rmse = evaluate(candidate, &rows)
        .map_err(|e| Error::pipeline("scoring the new model", e))?
        .rmse;
    Ok(Comparison {
        champion_rmse,
        candidate_rmse,
        rows: rows.len(),
    })
}

/// Compares the new version with the current champion ([`compare_on_held_out`]) and
/// moves `champion` to it when its RMSE is strictly lower.
pub fn promote_if_better(
    backend: &dyn Backend,
    new: &Registered,
    dataset: &LoadedDataset,
    bundle: &ModelBundle,
) -> Result<Promotion> {
    let name = &new.version.name;
    let champion = backend
        .get_alias(name, CHAMPION)
        .map_err(|e| Error::registry(format!("reading the champion of {name}"), e))?
        .ok_or_else(|| Error::Invalid(format!("{name} has no champion to compare with")))?;
    let label = PathBuf::from(format!("models:/{name}/{}", champion.version));
    let loading = format!("loading champion version {} of {name}", champion.version);
    let bytes = fetch_bundle(backend, &champion).map_err(|e| Error::registry(&loading, e))?;
    let champion_bundle =
        ModelBundle::from_bytes(&bytes, &label).map_err(|e| Error::pipeline(&loading, e))?;
    let c = compare_on_held_out(&champion_bundle, bundle, dataset)?;
    let promoted = c.candidate_rmse < c.champion_rmse && champion.version != new.version.version;
    if promoted {
        backend
            .set_alias(name, CHAMPION, new.version.version)
            .map_err(|e| {
                Error::registry(
                    format!("promoting version {} of {name}", new.version.version),
                    e,
                )
            })?;
    }
    Ok(Promotion {
        promoted,
        new_version: new.version.version,
        new_rmse: c.candidate_rmse,
        champion_version: Some(champion.version),
        champion_rmse: Some(c.champion_rmse),
        rows: c.rows,
    })
}
