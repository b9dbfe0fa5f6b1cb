//! The embedded backend end to end: every trait operation, schema migrations, concurrent
//! registrations from threads and processes, a registering process killed with SIGKILL,
//! corrupt artifacts, model-folder versions, descriptions and run inputs, and the helpers
//! (`open`, `resolve`, `fetch_bundle`, `rollback`).
//!
//! Child processes are this test binary itself, re-run on one `#[ignore]`d test
//! (`helpers::child_registers_versions`) with its instructions in the environment.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns may panic"
)]

mod backend_ops;
mod concurrency;
mod helpers;
mod integrity;
mod model_folder;
mod registry_helpers;
