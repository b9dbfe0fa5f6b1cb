//! Registered models, versions, aliases and their history.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use super::alias_history;
use super::http::backoff;
use super::logged_model;
use super::tracking::{get_wire_run, list_artifacts_of_dir, run_what};
use super::wire::{
    self, ModelVersionEnvelope, ModelVersionPage, RegisteredModelEnvelope, RegisteredModelPage,
    WireModelVersion, WireRegisteredModel,
};
use super::{check_artifact_path, now_ms, MlflowBackend};
use crate::{AliasChange, Error, ModelVersion, RegisteredModel, Result};

/// Page size of the registry searches (MLflow allows up to 1000 registered models).
const PAGE: usize = 1000;
/// How long a new version may stay `PENDING_REGISTRATION`.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

fn model_what(name: &str) -> String {
    format!("model {name:?}")
}

fn version_what(name: &str, version: u64) -> String {
    format!("version {version} of model {name:?}")
}

/// `registered-models/get`.
fn get_wire_model(mlflow: &MlflowBackend, name: &str) -> Result<WireRegisteredModel> {
    let found: RegisteredModelEnvelope = mlflow.http.rest(
        Method::GET,
        "registered-models/get",
        &[("name", name)],
        None,
        &model_what(name),
    )?;
    Ok(found.registered_model)
}

/// `model-versions/get`.
fn get_wire_version(mlflow: &MlflowBackend, name: &str, version: u64) -> Result<WireModelVersion> {
    let found: ModelVersionEnvelope = mlflow.http.rest(
        Method::GET,
        "model-versions/get",
        &[("name", name), ("version", &version.to_string())],
        None,
        &version_what(name, version),
    )?;
    Ok(found.model_version)
}

/// Creates the registered model unless it exists.
fn ensure_model(mlflow: &MlflowBackend, name: &str) -> Result<()> {
    match get_wire_model(mlflow, name) {
        Ok(_) => return Ok(()),
        Err(Error::NotFound(_)) => {}
        Err(e) => return Err(e),
    }
    match mlflow.http.call::<Value>(
        Method::POST,
        "registered-models/create",
        &[],
        Some(json!({ "name": name })),
    )? {
        Ok(_) => Ok(()),
        Err(api) if api.already_exists() => Ok(()),
        Err(api) => Err(api.into_error(&model_what(name))),
    }
}

pub(super) fn create_model_version(
    mlflow: &MlflowBackend,
    name: &str,
    run_id: &str,
    artifact_path: &str,
    tags: &BTreeMap<String, String>,
    description: &str,
) -> Result<ModelVersion> {
    check_artifact_path(artifact_path)?;
    let run = get_wire_run(mlflow, run_id)?;
    let root = wire::proxy_root(&run.info.artifact_uri)?;
    // A version must point at something: check the artifact (a file or a folder) is there.
    let (dir, file) = match artifact_path.rsplit_once('/') {
        Some((dir, file)) => (format!("{root}/{dir}"), file),
        None => (root, artifact_path),
    };
    let is_folder = match list_artifacts_of_dir(mlflow, &dir)?
        .into_iter()
        .find(|(entry, _)| entry == file)
    {
        Some((_, is_dir)) => is_dir,
        None => {
            return Err(Error::NotFound(format!(
                "artifact {artifact_path:?} of run {run_id:?}"
            )))
        }
    };
    ensure_model(mlflow, name)?;
    // MLflow 3: the folder also becomes a logged model linked to the version.
    let model_id = if is_folder {
        logged_model::log_folder(mlflow, &run, artifact_path)
    } else {
        None
    };
    let source = format!(
        "{}/{artifact_path}",
        run.info.artifact_uri.trim_end_matches('/')
    );
    let mut body = json!({
        "name": name,
        "source": source,
        "run_id": run_id,
        "tags": wire::key_values(tags),
        "description": description,
    });
    if let Some(model_id) = model_id {
        body["model_id"] = json!(model_id);
    }
    let created: ModelVersionEnvelope = mlflow.http.rest(
        Method::POST,
        "model-versions/create",
        &[],
        Some(body),
        &run_what(run_id),
    )?;
    let version = created.model_version.version;
    match complete_version(mlflow, created.model_version, tags) {
        Ok(()) => get_model_version(mlflow, name, version),
        Err(e) => {
            tracing::warn!(name, version, error = %e, "deleting the incomplete model version");
            if let Err(cleanup) = delete_version(mlflow, name, version) {
                return Err(Error::Other(format!(
                    "{e}; and version {version} of model {name:?} could not be deleted, delete \
                     it by hand: {cleanup}"
                )));
            }
            Err(e)
        }
    }
}

/// Waits for `READY` and makes sure every tag is set (servers that ignore tags on
/// `model-versions/create` get them through `model-versions/set-tag`).
fn complete_version(
    mlflow: &MlflowBackend,
    created: WireModelVersion,
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    let name = created.name.clone();
    let version = created.version;
    let started = Instant::now();
    let mut current = created;
    let mut attempt = 0;
    while current.status == "PENDING_REGISTRATION" {
        if started.elapsed() > READY_TIMEOUT {
            return Err(Error::Unavailable(format!(
                "version {version} of model {name:?} was still PENDING_REGISTRATION after {} s",
                READY_TIMEOUT.as_secs()
            )));
        }
        mlflow
            .http
            .pause(backoff(attempt).min(Duration::from_secs(2)));
        attempt += 1;
        current = get_wire_version(mlflow, &name, version)?;
    }
    if current.status == "FAILED_REGISTRATION" {
        return Err(Error::Other(format!(
            "MLflow failed to register version {version} of model {name:?}: {}",
            current.status_message
        )));
    }
    let present = wire::to_map(current.tags);
    for (key, value) in tags {
        if present.get(key) != Some(value) {
            let _: Value = mlflow.http.rest(
                Method::POST,
                "model-versions/set-tag",
                &[],
                Some(json!({
                    "name": name,
                    "version": version.to_string(),
                    "key": key,
                    "value": value,
                })),
                &version_what(&name, version),
            )?;
        }
    }
    Ok(())
}

pub(super) fn set_model_description(
    mlflow: &MlflowBackend,
    name: &str,
    description: &str,
) -> Result<()> {
    let _: Value = mlflow.http.rest(
        Method::PATCH,
        "registered-models/update",
        &[],
        Some(json!({ "name": name, "description": description })),
        &model_what(name),
    )?;
    Ok(())
}

fn delete_version(mlflow: &MlflowBackend, name: &str, version: u64) -> Result<()> {
    let _: Value = mlflow.http.rest(
        Method::DELETE,
        "model-versions/delete",
        &[],
        Some(json!({ "name": name, "version": version.to_string() })),
        &version_what(name, version),
    )?;
    Ok(())
}

pub(super) fn get_model_version(
    mlflow: &MlflowBackend,
    name: &str,
    version: u64,
) -> Result<ModelVersion> {
    let model = get_wire_model(mlflow, name)?;
    let found = get_wire_version(mlflow, name, version)?;
    Ok(found.into_version(&model.alias_map()))
}

pub(super) fn list_models(mlflow: &MlflowBackend) -> Result<Vec<RegisteredModel>> {
    let found = search_all::<RegisteredModelPage>(
        mlflow,
        "registered-models/search",
        None,
        "registered models",
    )?;
    let mut models: Vec<RegisteredModel> = found
        .into_iter()
        .map(|m| m.into_model(alias_history::TAG_PREFIX))
        .collect();
    models.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(models)
}

pub(super) fn get_model(mlflow: &MlflowBackend, name: &str) -> Result<RegisteredModel> {
    Ok(get_wire_model(mlflow, name)?.into_model(alias_history::TAG_PREFIX))
}

pub(super) fn list_versions(mlflow: &MlflowBackend, name: &str) -> Result<Vec<ModelVersion>> {
    if name.contains('\'') {
        return Err(Error::Invalid(format!(
            "model name {name:?} contains a single quote, which MLflow's search filter cannot hold"
        )));
    }
    // Also the NotFound for an unknown model (the search answers nothing), and the
    // aliases (the search's versions leave them out).
    let aliases = get_wire_model(mlflow, name)?.alias_map();
    let found = search_all::<ModelVersionPage>(
        mlflow,
        "model-versions/search",
        Some(&format!("name='{name}'")),
        &model_what(name),
    )?;
    let mut versions: Vec<ModelVersion> = found
        .into_iter()
        .map(|v| v.into_version(&aliases))
        .collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
    Ok(versions)
}

/// The artifact paths of `run_id` that model versions (of any model) point at.
pub(super) fn artifact_paths_of_run(mlflow: &MlflowBackend, run_id: &str) -> Result<Vec<String>> {
    if !run_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::NotFound(format!("run {run_id:?}")));
    }
    let found = search_all::<ModelVersionPage>(
        mlflow,
        "model-versions/search",
        Some(&format!("run_id='{run_id}'")),
        &format!("model versions of run {run_id:?}"),
    )?;
    Ok(found
        .into_iter()
        .map(|v| v.into_version(&BTreeMap::new()).artifact_path)
        .collect())
}

/// Every item of the GET search at `path` (narrowed by `filter` when given), page by page
/// until MLflow answers no `next_page_token`; `what` names the items in errors.
fn search_all<P: wire::SearchPage>(
    mlflow: &MlflowBackend,
    path: &str,
    filter: Option<&str>,
    what: &str,
) -> Result<Vec<P::Item>> {
    let size = PAGE.to_string();
    let mut items = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let mut query = vec![("max_results", size.as_str())];
        if let Some(filter) = filter {
            query.push(("filter", filter));
        }
        if let Some(token) = &page_token {
            query.push(("page_token", token.as_str()));
        }
        let page: P = mlflow.http.rest(Method::GET, path, &query, None, what)?;
        let (found, next) = page.into_parts();
        items.extend(found);
        page_token = next.filter(|t| !t.is_empty());
        if page_token.is_none() {
            return Ok(items);
        }
    }
}

/// Appends a move of `alias` to its history tag.
fn record_change(
    mlflow: &MlflowBackend,
    model: &WireRegisteredModel,
    alias: &str,
    from_version: Option<u64>,
    to_version: Option<u64>,
) -> Result<()> {
    let key = alias_history::tag_key(alias);
    let previous = model
        .tags
        .iter()
        .find(|t| t.key == key)
        .map(|t| t.value.as_str());
    let change = AliasChange {
        alias: alias.to_owned(),
        from_version,
        to_version,
        changed_ms: now_ms(),
    };
    let value = alias_history::append(alias, previous, &change)?;
    let _: Value = mlflow.http.rest(
        Method::POST,
        "registered-models/set-tag",
        &[],
        Some(json!({ "name": model.name, "key": key, "value": value })),
        &model_what(&model.name),
    )?;
    Ok(())
}

pub(super) fn set_alias(
    mlflow: &MlflowBackend,
    name: &str,
    alias: &str,
    version: u64,
) -> Result<()> {
    let model = get_wire_model(mlflow, name)?;
    get_wire_version(mlflow, name, version)?;
    let from = model.alias_map().get(alias).copied();
    if from == Some(version) {
        return Ok(());
    }
    let _: Value = mlflow.http.rest(
        Method::POST,
        "registered-models/alias",
        &[],
        Some(json!({ "name": name, "alias": alias, "version": version.to_string() })),
        &version_what(name, version),
    )?;
    record_change(mlflow, &model, alias, from, Some(version))
}

pub(super) fn get_alias(
    mlflow: &MlflowBackend,
    name: &str,
    alias: &str,
) -> Result<Option<ModelVersion>> {
    let model = get_wire_model(mlflow, name)?;
    let aliases = model.alias_map();
    if !aliases.contains_key(alias) {
        return Ok(None);
    }
    let found: ModelVersionEnvelope = mlflow.http.rest(
        Method::GET,
        "registered-models/alias",
        &[("name", name), ("alias", alias)],
        None,
        &format!("alias @{alias} of model {name:?}"),
    )?;
    Ok(Some(found.model_version.into_version(&aliases)))
}

pub(super) fn delete_alias(mlflow: &MlflowBackend, name: &str, alias: &str) -> Result<()> {
    let model = get_wire_model(mlflow, name)?;
    let from = model
        .alias_map()
        .get(alias)
        .copied()
        .ok_or_else(|| Error::NotFound(format!("alias @{alias} of model {name:?}")))?;
    let _: Value = mlflow.http.rest(
        Method::DELETE,
        "registered-models/alias",
        &[],
        Some(json!({ "name": name, "alias": alias })),
        &format!("alias @{alias} of model {name:?}"),
    )?;
    record_change(mlflow, &model, alias, Some(from), None)
}

pub(super) fn alias_history(
    mlflow: &MlflowBackend,
    name: &str,
    alias: &str,
) -> Result<Vec<AliasChange>> {
    let model = get_wire_model(mlflow, name)?;
    let key = alias_history::tag_key(alias);
    let value = model
        .tags
        .iter()
        .find(|t| t.key == key)
        .map(|t| t.value.as_str());
    alias_history::decode(alias, value)
}
