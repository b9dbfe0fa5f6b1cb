//! Integration tests of the public API: both ensembles fitted on seeded synthetic data.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns may panic"
)]

mod boosting;
mod determinism;
mod forest;
mod helpers;
