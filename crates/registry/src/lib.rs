//! Experiment tracking and a model registry behind one interface, [`Backend`], with two
//! implementations chosen by URI (like `MLFLOW_TRACKING_URI`):
//!
//! - `sqlite:///PATH`: [`sqlite`], embedded (SQLite in WAL mode, artifacts in a local
//!   directory);
//! - `http://…` / `https://…`: [`mlflow`], a client of an MLflow tracking server's REST
//!   API 2.0.
//!
//! The concepts are MLflow's: experiments hold runs (params, metrics with steps, tags,
//! artifacts); registered models hold versions that point at their source run; aliases
//! (`champion`, `challenger`) name versions.

mod backend;
pub mod mlflow;
pub mod sqlite;

pub use backend::{
    AliasChange, Backend, Error, Metric, ModelVersion, RegisteredModel, Result, Run, RunStatus,
};
