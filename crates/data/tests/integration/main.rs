//! Integration tests of reelcast-data on real IMDb rows: the excerpt, the embedded sample
//! and broken copies of the excerpt (`tests/fixtures/bad/README.md`).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns may panic"
)]

mod bad_input;
mod excerpt;
mod fetch;
mod filters;
mod helpers;
mod narrow;
mod people;
mod processed;
mod sample;
mod validate;
