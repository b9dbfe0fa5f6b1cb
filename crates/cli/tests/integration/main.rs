//! End-to-end tests of the `reelcast` binary: each test runs the built binary in its own
//! temporary directory on real data only (the embedded sample, the IMDb excerpt and its
//! broken copies in `crates/data/tests/fixtures/`) and checks exit codes, stdout, stderr
//! and the files written.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns may panic"
)]

mod config;
mod data_fetch;
mod data_ingest;
mod data_validate;
mod evaluate;
mod first_hour;
mod hardening;
mod hardening_args;
mod healthcheck;
mod helpers;
mod mlflow;
mod predict;
mod registry;
mod sentiment;
mod serve;
mod train;
