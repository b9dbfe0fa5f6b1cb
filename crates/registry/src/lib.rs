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
//!
//! On top of the trait: [`open`] picks a backend from a URI ([`open_existing`] for
//! commands that only read: it creates nothing); [`parse_model_uri`] and
//! [`resolve`] turn `models:/NAME@ALIAS` / `models:/NAME/VERSION` into a version;
//! [`fetch_bundle`] downloads its bundle, from an MLflow model folder ([`mlmodel`]) or a
//! single file, and verifies its checksum; [`rollback`] moves `champion` back through its
//! alias history. The registry stores bundles as bytes and never decodes them (that is
//! `reelcast-pipeline`'s job).
//!
//! Graph: `registry -> {pipeline, server, cli}`. This crate uses no other workspace crate
//! (it stores bundles as bytes plus typed metadata); `pipeline` uses it for the tracked
//! training use case (`reelcast_pipeline::track`), `server` to follow a registry alias
//! (`reelcast_server::RegistrySource`), `cli` to pick and open a backend.
//!
//! ```
//! use std::collections::BTreeMap;
//! use reelcast_registry::{fetch_bundle, open, parse_model_uri, resolve, OpenOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let backend = open(
//!     &format!("sqlite:///{}", dir.path().join("reelcast.db").display()),
//!     &OpenOptions::default(),
//! )?;
//! let run = backend.create_run("imdb_movie_rating", "demo", &BTreeMap::new())?;
//! let bundle = b"RCBUNDLE...";
//! backend.log_artifact(&run.run_id, "model/model.bundle", bundle)?;
//! let tags = BTreeMap::from([(
//!     "bundle_sha256".to_owned(),
//!     "ad6d1c3f8cdd1a1a38a5d6fe6a42f3d18b50e1b6f7e3e1a8b5d1f0a87a51cd5d".to_owned(),
//! )]);
//! let v = backend.create_model_version("movie_rating_gbt", &run.run_id, "model/model.bundle", &tags)?;
//! backend.set_alias("movie_rating_gbt", "champion", v.version)?;
//!
//! let model = parse_model_uri("models:/movie_rating_gbt@champion").expect("a model URI");
//! let champion = resolve(backend.as_ref(), &model)?;
//! assert_eq!(champion.version, 1);
//! // The tag above is not the bundle's checksum, so fetching refuses it.
//! assert!(fetch_bundle(backend.as_ref(), &champion).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

mod backend;
pub mod mlflow;
pub mod mlmodel;
mod model_ref;
mod names;
mod open;
mod redact;
mod rollback;
pub mod sqlite;

pub use backend::{
    format_utc_ms, AliasChange, Backend, DatasetInput, Error, Metric, ModelVersion,
    RegisteredModel, Result, Run, RunStatus,
};
pub use model_ref::{
    fetch_bundle, parse_model_uri, resolve, sha256_hex, ModelRef, BUNDLE_SHA256_TAG,
};
pub use names::{check_alias, check_model_name};
pub use open::{default_artifact_root, open, open_existing, sqlite_path, OpenOptions};
pub use redact::{has_userinfo, redact_text, redact_uri, strip_userinfo, REDACTED};
pub use rollback::{champion_stack, rollback, rollback_target, CHAMPION};
