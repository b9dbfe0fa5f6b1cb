//! `reelcast models list | show | promote | rollback`.

use anyhow::{bail, Result};
use reelcast_registry::{Backend, ModelVersion};
use serde_json::json;

use crate::args::{ModelPromoteArgs, ModelRollbackArgs, ModelShowArgs, ModelsListArgs};
use crate::commands::runs::open_existing_backend;
use crate::commands::tracking::{self, explain_model_error, print_table};
use crate::output::outln;
use crate::settings::Settings;
use crate::Outcome;

fn aliases_text(aliases: impl IntoIterator<Item = String>) -> String {
    let v: Vec<String> = aliases.into_iter().map(|a| format!("@{a}")).collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(" ")
    }
}

fn version_error(
    backend: &dyn Backend,
    name: &str,
    version: u64,
    e: reelcast_registry::Error,
) -> anyhow::Error {
    match backend.list_versions(name) {
        Ok(versions) if matches!(e, reelcast_registry::Error::NotFound(_)) => {
            let known: Vec<String> = versions
                .iter()
                .rev()
                .map(|v| v.version.to_string())
                .collect();
            anyhow::anyhow!(
                "{name} has no version {version}; its versions are {}",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            )
        }
        _ => explain_model_error(backend, name, e),
    }
}

/// `models list`.
pub(crate) fn list(a: &ModelsListArgs, settings: &Settings) -> Result<Outcome> {
    let backend = open_existing_backend(&a.tracking, settings)?;
    let models = backend.list_models()?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&models)?)?;
        return Ok(Outcome::Ok);
    }
    if models.is_empty() {
        outln!(
            "no registered models in {}; register one with `reelcast train --register`",
            backend.describe()
        )?;
        return Ok(Outcome::Ok);
    }
    let rows: Vec<Vec<String>> = models
        .iter()
        .map(|m| {
            vec![
                m.name.clone(),
                m.latest_version
                    .map_or_else(|| "-".into(), |v| v.to_string()),
                if m.aliases.is_empty() {
                    "-".into()
                } else {
                    m.aliases
                        .iter()
                        .map(|(a, v)| format!("@{a}={v}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                },
                reelcast_registry::format_utc_ms(m.created_ms),
            ]
        })
        .collect();
    print_table(&["name", "latest", "aliases", "created (UTC)"], &rows)?;
    Ok(Outcome::Ok)
}

fn version_row(v: &ModelVersion) -> Vec<String> {
    vec![
        v.version.to_string(),
        reelcast_registry::format_utc_ms(v.created_ms),
        v.tags
            .get("test_rmse")
            .and_then(|r| r.parse::<f64>().ok())
            .map_or_else(|| "-".into(), |r| format!("{r:.4}")),
        v.tags.get("dataset_version").cloned().unwrap_or_default(),
        v.run_id.clone(),
        aliases_text(v.aliases.clone()),
    ]
}

/// `models show NAME` (every version) or `NAME/VERSION` (one version and its tags).
pub(crate) fn show(a: &ModelShowArgs, settings: &Settings) -> Result<Outcome> {
    let backend = open_existing_backend(&a.tracking, settings)?;
    let (name, version) = match a.model.rsplit_once('/') {
        Some((name, v)) => match v.parse::<u64>() {
            Ok(v) => (name, Some(v)),
            Err(_) => bail!(
                "{:?} is not NAME or NAME/VERSION (e.g. movie_rating_gbt/2)",
                a.model
            ),
        },
        None => (a.model.as_str(), None),
    };
    if let Some(version) = version {
        let v = backend
            .get_model_version(name, version)
            .map_err(|e| version_error(backend.as_ref(), name, version, e))?;
        if a.json {
            outln!("{}", serde_json::to_string_pretty(&v)?)?;
            return Ok(Outcome::Ok);
        }
        outln!("model     {}", v.name)?;
        outln!("version   {}", v.version)?;
        outln!(
            "created   {} UTC",
            reelcast_registry::format_utc_ms(v.created_ms)
        )?;
        outln!("run       {}", v.run_id)?;
        outln!("artifact  {}", v.artifact_path)?;
        outln!("aliases   {}", aliases_text(v.aliases.clone()))?;
        if !v.description.is_empty() {
            outln!("about     {}", v.description)?;
        }
        outln!("\ntags")?;
        let rows: Vec<Vec<String>> = v
            .tags
            .iter()
            .map(|(k, t)| vec![format!("  {k}"), t.clone()])
            .collect();
        print_table(&["  key", "value"], &rows)?;
        return Ok(Outcome::Ok);
    }
    let model = backend
        .get_model(name)
        .map_err(|e| explain_model_error(backend.as_ref(), name, e))?;
    let versions = backend.list_versions(name)?;
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({"model": model, "versions": versions}))?
        )?;
        return Ok(Outcome::Ok);
    }
    outln!("model    {}", model.name)?;
    outln!(
        "created  {} UTC",
        reelcast_registry::format_utc_ms(model.created_ms)
    )?;
    if !model.description.is_empty() {
        outln!("about    {}", model.description)?;
    }
    outln!()?;
    let rows: Vec<Vec<String>> = versions.iter().map(version_row).collect();
    print_table(
        &[
            "version",
            "created (UTC)",
            "test_rmse",
            "dataset",
            "run_id",
            "aliases",
        ],
        &rows,
    )?;
    Ok(Outcome::Ok)
}

/// `models promote NAME VERSION --alias A`: prints `old -> new`.
pub(crate) fn promote(a: &ModelPromoteArgs, settings: &Settings) -> Result<Outcome> {
    let backend = tracking::open_backend(&a.tracking, settings)?;
    backend
        .get_model_version(&a.name, a.version)
        .map_err(|e| version_error(backend.as_ref(), &a.name, a.version, e))?;
    let old = backend.get_alias(&a.name, &a.alias)?.map(|v| v.version);
    backend.set_alias(&a.name, &a.alias, a.version)?;
    let old_text = old.map_or_else(|| "(none)".into(), |v| v.to_string());
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "name": a.name, "alias": a.alias, "from_version": old, "to_version": a.version,
            }))?
        )?;
    } else if old == Some(a.version) {
        outln!(
            "{} @{} already points at version {}",
            a.name,
            a.alias,
            a.version
        )?;
    } else {
        outln!("{} @{}: {old_text} -> {}", a.name, a.alias, a.version)?;
    }
    Ok(Outcome::Ok)
}

/// `models rollback NAME`: moves champion back, prints what moved.
pub(crate) fn rollback(a: &ModelRollbackArgs, settings: &Settings) -> Result<Outcome> {
    let backend = tracking::open_backend(&a.tracking, settings)?;
    backend
        .get_model(&a.name)
        .map_err(|e| explain_model_error(backend.as_ref(), &a.name, e))?;
    let (from, to) = reelcast_registry::rollback(backend.as_ref(), &a.name)?;
    let from_text = from.map_or_else(|| "(none)".into(), |v| v.to_string());
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "name": a.name, "alias": reelcast_registry::CHAMPION, "from_version": from, "to_version": to,
            }))?
        )?;
    } else {
        outln!(
            "{} @{}: {from_text} -> {to} (rolled back)",
            a.name,
            reelcast_registry::CHAMPION
        )?;
    }
    Ok(Outcome::Ok)
}
