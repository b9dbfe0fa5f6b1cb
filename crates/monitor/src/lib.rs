//! reelcast's monitoring domain, with no HTTP framework in it: what the server keeps
//! about the traffic it serves and how it reports it. The server's handlers extract a
//! request, call one function here and map the answer (or [`Error`]) to a response.
//!
//! - [`drift`]: the recent-traffic window of feature rows ([`DriftWindow`]) and the PSI
//!   check against the bundle's reference profile;
//! - [`feedback`]: `POST /feedback` items checked, and the window of (predicted, actual)
//!   pairs behind the live RMSE and MAE ([`FeedbackWindow`]);
//! - [`stats`]: the in-memory aggregates behind `/status` and
//!   `/monitoring/predictions/stats` ([`Stats`]);
//! - [`metrics`]: every Prometheus metric name, and the per-state recorder ([`Metrics`]);
//! - [`alertmanager`]: the Alertmanager client and the health probe of the monitoring
//!   services;
//! - [`dto`]: the wire types these answer with (serde + OpenAPI schemas).
//!
//! Graph: `pipeline -> monitor -> server`.
//!
//! ```
//! use reelcast_monitor::{FeedbackWindow, Stats};
//!
//! let window = FeedbackWindow::new(2);
//! let live = window.extend(&[(7.0, 8.0), (6.0, 8.0)]);
//! assert_eq!((live.pairs, live.mae), (2, Some(1.5)));
//!
//! let stats = Stats::new();
//! stats.record_predictions("movie", 1, &[7.25]);
//! assert_eq!(stats.snapshot().prediction_stats().total_predictions, 1);
//! ```

#![forbid(unsafe_code)]

pub mod alertmanager;
pub mod drift;
pub mod dto;
mod error;
pub mod feedback;
pub mod metrics;
pub mod stats;

pub use drift::{DriftReport, DriftWindow};
pub use error::{Error, Result};
pub use feedback::{FeedbackWindow, LiveErrors};
pub use metrics::Metrics;
pub use stats::Stats;
