//! The embedded backend: SQLite in WAL mode, artifacts in a local directory.
