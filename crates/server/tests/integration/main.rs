//! Contract tests of the HTTP API, in process through `tower::ServiceExt::oneshot`, on a
//! real model trained once per test binary on the embedded sample.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns may panic"
)]

mod alerts;
mod batch;
mod drift;
mod errors;
mod feedback;
mod hardening;
mod health;
mod helpers;
mod monitoring;
mod openapi;
mod predict;
mod reload;
mod sources;
mod text;
mod ui;
