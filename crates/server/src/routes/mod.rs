//! One module per resource, each exposing its handlers to [`crate::openapi::router`].

pub(crate) mod admin;
pub(crate) mod feedback;
pub(crate) mod health;
pub(crate) mod model;
pub(crate) mod monitoring;
pub(crate) mod predict;
pub(crate) mod ui;
