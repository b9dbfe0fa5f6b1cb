//! `reelcast serve`: binds, loads (or first trains) the model in the background, serves
//! until SIGTERM or Ctrl-C.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Context, Result};
use reelcast_pipeline::{
    load_dataset, train, DataSource, ModelBundle, ModelKind, ModelParams, TrainOptions,
};
use reelcast_server::{serve, shutdown_signal, AppState, LoadedModel};

use crate::args::ServeArgs;
use crate::settings::Settings;
use crate::Outcome;

pub(crate) fn run(a: ServeArgs, settings: &Settings) -> Result<Outcome> {
    let mut server = settings.server.clone();
    server.host = a.host.unwrap_or(server.host);
    server.port = a.port.unwrap_or(server.port);
    let explicit = a.model.is_some();
    let model_path = a
        .model
        .unwrap_or_else(|| settings.train.out_dir.join("model.bundle"));
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let result = runtime.block_on(async {
        let addr = format!("{}:{}", server.host, server.port);
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .with_context(|| format!("binding {addr} (in use? pick another with --port)"))?;
        let local = listener.local_addr().context("reading the bound address")?;
        tracing::info!(address = %local, "listening on http://{local}");
        let state = AppState::new(server);
        let (failed_tx, failed_rx) = tokio::sync::oneshot::channel::<anyhow::Error>();
        let loader_state = state.clone();
        let train_settings = settings.clone();
        tokio::spawn(async move {
            let loaded = tokio::task::spawn_blocking(move || {
                load_or_train(&model_path, explicit, &train_settings)
            })
            .await
            .map_err(|e| anyhow!("model loading stopped: {e}"))
            .and_then(|r| r);
            match loaded {
                Ok(model) => {
                    tracing::info!(version = %model.version, "model loaded; ready");
                    loader_state.set_model(model);
                }
                Err(e) => {
                    let _ = failed_tx.send(e);
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

/// Loads the bundle at `path`; when it is missing and was not named on the command line,
/// trains the default model on the embedded sample and saves it there first.
fn load_or_train(path: &Path, explicit: bool, settings: &Settings) -> Result<LoadedModel> {
    let bundle = if explicit || path.exists() {
        ModelBundle::load(path).with_context(|| format!("loading the model {}", path.display()))?
    } else {
        train_default(path.to_path_buf(), settings)?
    };
    LoadedModel::new(bundle).context("fingerprinting the model")
}

fn train_default(path: PathBuf, settings: &Settings) -> Result<ModelBundle> {
    let kind =
        ModelKind::parse(&settings.train.model).expect("settings checked the model name at load");
    tracing::info!(
        path = %path.display(),
        "no model at {}; training the default {kind} model on the embedded sample (once: later starts load it)",
        path.display()
    );
    let data = load_dataset(&DataSource::Embedded, &settings.ingest)
        .context("loading the embedded sample")?;
    let options = TrainOptions {
        params: ModelParams::for_kind(kind),
        seed: settings.train.seed,
        test_fraction: settings.train.test_fraction,
        git_sha: Some(env!("REELCAST_GIT_SHA").to_owned()).filter(|s| !s.is_empty()),
        ..TrainOptions::default()
    };
    let (bundle, report) =
        train(&data.movies, &data.version, &options).context("training the default model")?;
    bundle
        .save(&path)
        .with_context(|| format!("saving the model to {}", path.display()))?;
    tracing::info!(
        rmse = report.metrics.test.rmse,
        path = %path.display(),
        "trained and saved the default model"
    );
    Ok(bundle)
}
