//! `reelcast serve`: binds, loads the model in the background (training and registering
//! the default one on first start), serves until SIGTERM or Ctrl-C, and follows the
//! registry alias it serves.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Context, Result};
use reelcast_pipeline::{model_name, ModelKind};
use reelcast_registry::{parse_model_uri, redact_uri, ModelRef};
use reelcast_sentiment::SentimentModel;
use reelcast_server::{serve, shutdown_signal, AppState, FileSource, ModelSource, RegistrySource};

use crate::args::ServeArgs;
use crate::commands::bind;
use crate::commands::sentiment::{how_to_fix, load_model};
use crate::commands::tracking::{open_raw, track_options, tracking_uri};
use crate::settings::Settings;
use crate::Outcome;

/// What `serve` was asked to serve.
enum Target {
    /// A bundle file.
    File(PathBuf),
    /// A registry reference; `default` when nothing was named (trained and registered on
    /// first start when missing).
    Registry { model: ModelRef, default: bool },
}

/// The English sentiment model to serve: `--sentiment-model`, else `[sentiment] model`,
/// else `None` for the model shipped in the binary. A file that does not load stops
/// `serve` before it binds.
fn sentiment_model(a: &ServeArgs, settings: &Settings) -> Result<Option<SentimentModel>> {
    let configured = &settings.sentiment.model;
    let (path, given_by) = match &a.sentiment_model {
        Some(path) => (path, "--sentiment-model"),
        None if !configured.as_os_str().is_empty() => (configured, "[sentiment] model"),
        None => return Ok(None),
    };
    let model = load_model(path).map_err(|e| {
        anyhow!(
            "{given_by}: {e:#}; {}, or leave {given_by} unset to serve the model shipped in the binary",
            how_to_fix(path, given_by)
        )
    })?;
    tracing::info!(
        path = %path.display(),
        weights = model.n_weights(),
        "scoring English text with the sentiment model {}",
        path.display()
    );
    Ok(Some(model))
}

fn target(a: &ServeArgs, settings: &Settings) -> Result<Target> {
    let named = a
        .model
        .clone()
        .or_else(|| Some(settings.server.model.clone()).filter(|m| !m.is_empty()));
    let Some(named) = named else {
        let kind = ModelKind::parse(&settings.train.model)
            .expect("settings checked the model name at load");
        let name = Some(settings.tracking.model_name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| model_name(kind));
        return Ok(Target::Registry {
            model: ModelRef::Alias {
                name,
                alias: "champion".into(),
            },
            default: true,
        });
    };
    if named.starts_with("models:/") {
        let model = parse_model_uri(&named).ok_or_else(|| {
            anyhow!("--model {named:?} is not models:/NAME@ALIAS or models:/NAME/VERSION (e.g. models:/movie_rating_gbt@champion)")
        })?;
        return Ok(Target::Registry {
            model,
            default: false,
        });
    }
    let path = PathBuf::from(&named);
    if !path.is_file() {
        anyhow::bail!(
            "--model {}: no such bundle file; train one with `reelcast train`, or serve the registry with --model models:/NAME@ALIAS",
            path.display()
        );
    }
    Ok(Target::File(path))
}

pub(crate) fn run(a: ServeArgs, settings: &Settings) -> Result<Outcome> {
    let mut server = settings.server.clone();
    server.host = a.host.clone().unwrap_or(server.host);
    server.port = a.port.unwrap_or(server.port);
    let target = target(&a, settings)?;
    let sentiment = sentiment_model(&a, settings)?;
    let uri = tracking_uri(&a.tracking, settings);
    let (source, first_start): (Arc<dyn ModelSource>, Option<ModelRef>) = match target {
        Target::File(path) => (Arc::new(FileSource::new(path)), None),
        Target::Registry { model, default } => {
            let backend = open_raw(&uri, settings)
                .with_context(|| format!("opening the model registry {}", redact_uri(&uri)))?;
            let first = default.then(|| model.clone());
            (Arc::new(RegistrySource::new(backend, model)), first)
        }
    };
    tracing::info!(source = %source.describe(), "serving {}", source.describe());

    // Scoring runs on the blocking pool and is CPU-bound: threads beyond twice the cores
    // add no throughput, only stacks and per-thread allocator memory (tokio allows 512).
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads((2 * cores).max(4))
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(async {
        let addr = format!("{}:{}", server.host, server.port);
        let listener = match tokio::net::TcpListener::bind(&addr).await {
            Ok(listener) => listener,
            Err(e) => {
                let context = bind::bind_failure(&server.host, server.port, &e);
                return Err(anyhow::Error::new(e).context(context));
            }
        };
        let local = listener.local_addr().context("reading the bound address")?;
        tracing::info!(address = %local, "listening on http://{local}");
        let mut state = AppState::new(server)
            .with_source(source)
            .with_git_sha(env!("REELCAST_GIT_SHA"));
        if let Some(model) = sentiment {
            state = state.with_sentiment_model(model);
        }
        let (failed_tx, failed_rx) = tokio::sync::oneshot::channel::<anyhow::Error>();
        let loader_state = state.clone();
        let train_settings = settings.clone();
        tokio::spawn(async move {
            if let Some(model) = first_start {
                let prepared = tokio::task::spawn_blocking(move || {
                    register_default_if_missing(&model, &uri, &train_settings)
                })
                .await
                .map_err(|e| anyhow!("training the default model stopped: {e}"))
                .and_then(|r| r);
                if let Err(e) = prepared {
                    let _ = failed_tx.send(e);
                    return;
                }
            }
            match loader_state.reload().await {
                Ok(_) => {
                    let version = loader_state.model().map(|m| m.version.clone());
                    tracing::info!(
                        version = version.as_deref().unwrap_or("?"),
                        "model loaded; ready"
                    );
                }
                Err(e) => {
                    let _ = failed_tx.send(anyhow!(e));
                }
            }
        });
        let failure = Arc::new(Mutex::new(None));
        let failure_slot = Arc::clone(&failure);
        let shutdown = async move {
            tokio::select! {
                () = shutdown_signal() => {},
                Ok(e) = failed_rx => {
                    if let Ok(mut slot) = failure_slot.lock() {
                        *slot = Some(e);
                    }
                }
            }
        };
        serve(listener, state, shutdown)
            .await
            .context("serving HTTP")?;
        let failed = failure.lock().ok().and_then(|mut f| f.take());
        failed.map_or(Ok(()), Err)
    });
    // A model still training when the signal came is not waited for.
    runtime.shutdown_background();
    result.map(|()| Outcome::Ok)
}

/// On a first start with nothing configured: when the registry has no `model` yet (its
/// champion alias is unset), trains the default model on the embedded sample, logs the
/// run and registers it as champion, as `reelcast train --register` would, except that
/// its bundle and report are kept only as the run's artifacts: `[train] out_dir`
/// (`artifacts/`, where `predict` and `evaluate` look by default) belongs to
/// `reelcast train` and is not written.
fn register_default_if_missing(model: &ModelRef, uri: &str, settings: &Settings) -> Result<()> {
    let args = first_start_train_args();
    let kind =
        ModelKind::parse(&settings.train.model).expect("settings checked the model name at load");
    let request = crate::commands::train::train_request(&args, settings, kind)?;
    let tracking = track_options(uri, None, settings);
    let trained = reelcast_pipeline::track::register_default_if_missing(model, &request, &tracking)
        .with_context(|| format!("training and registering the default model as {model}"))?;
    if let Some(t) = trained {
        if let (Some(run), Some(r)) = (&t.run_id, &t.registered) {
            let version = r.version.version;
            tracing::info!(
                run_id = %run,
                version,
                "registered the default model as {model} (version {version}): its bundle and report are artifacts of run {run} in {} (`reelcast runs show {run}`); {} was not written",
                t.tracking_uri,
                request.out_dir.display()
            );
        }
    }
    Ok(())
}

/// The arguments of a plain `reelcast train`: the configured defaults on the embedded
/// sample.
fn first_start_train_args() -> crate::args::TrainArgs {
    #[derive(clap::Parser)]
    struct Train {
        #[command(flatten)]
        args: crate::args::TrainArgs,
    }
    <Train as clap::Parser>::parse_from(["train"]).args
}
