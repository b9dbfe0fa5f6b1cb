//! The MLflow backend: a small client of MLflow's REST API 2.0.
