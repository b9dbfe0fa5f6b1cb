//! Pipeline integration tests: train on the real embedded sample, round-trip bundles,
//! check determinism, train/serve feature equality and file prediction.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod bundle;
mod crew;
mod dataset;
mod evaluate;
mod helpers;
mod interval;
mod predict;
mod track;
mod train;
