//! The recent-traffic window behind `POST /monitoring/data-drift/check`: a bounded ring
//! buffer of the feature rows of predicted movies (built by the served bundle's
//! `FittedFeatures`), and the PSI check against the bundle's reference profile.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use reelcast_features::ReferenceProfile;

/// Fewest rows a drift check accepts: PSI over decile bins is noise below this.
pub(crate) const MIN_DRIFT_ROWS: usize = 30;

/// Fewest window rows from which the background refresh sets the drift gauges. Alerts
/// read those gauges unattended, and on real films PSI over 30 rows still reaches 1 by
/// chance (0.14 over 100, 0.04 over 300), so the gauges wait for a steadier sample.
pub(crate) const MIN_REFRESH_ROWS: usize = 200;

#[derive(Debug, Default)]
struct Inner {
    /// Version of the model whose features built the rows.
    version: String,
    /// Columns per row (0 until the first rows of the version arrive).
    width: usize,
    /// The rows end to end, oldest first: one flat buffer, so that a push copies values
    /// instead of allocating a row (and freeing the evicted one) per predicted movie.
    values: VecDeque<f32>,
}

/// Feature rows of the last `capacity` predicted movies, for one model version; cheap to
/// clone. A capacity of 0 keeps nothing.
#[derive(Debug, Clone)]
pub(crate) struct DriftWindow {
    capacity: usize,
    inner: Arc<Mutex<Inner>>,
}

impl DriftWindow {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Arc::new(Mutex::new(Inner::default())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update leaves the deque consistent, so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Empties the window for a newly served model.
    pub(crate) fn reset(&self, version: &str) {
        let mut inner = self.lock();
        inner.version = version.to_owned();
        inner.width = 0;
        inner.values.clear();
    }

    /// How many of `n` new rows are worth building (the rest would be evicted at once).
    pub(crate) fn wanted(&self, n: usize) -> usize {
        n.min(self.capacity)
    }

    /// Appends the rows of a row-major `matrix` (`width` columns) built by model
    /// `version`, evicting the oldest; rows of a model no longer served are dropped.
    pub(crate) fn push(&self, version: &str, matrix: &[f32], width: usize) {
        if self.capacity == 0 || width == 0 || matrix.is_empty() {
            return;
        }
        let mut inner = self.lock();
        if inner.version != version {
            return;
        }
        if inner.width != width {
            // The version's first rows (one version always builds rows of one width).
            inner.width = width;
            inner.values.clear();
        }
        let limit = self.capacity.saturating_mul(width);
        let whole = matrix.len() - matrix.len() % width;
        let newest = &matrix[whole.saturating_sub(limit)..whole];
        let evicted = (inner.values.len() + newest.len()).saturating_sub(limit);
        inner.values.drain(..evicted);
        inner.values.extend(newest);
    }

    /// The window as one row-major matrix, if it holds rows of model `version`.
    pub(crate) fn matrix(&self, version: &str) -> Vec<f32> {
        let inner = self.lock();
        if inner.version != version {
            return Vec::new();
        }
        inner.values.iter().copied().collect()
    }
}

/// One drift check's result, before it becomes a DTO.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DriftReport {
    pub status: &'static str,
    pub max_psi: f64,
    pub scores: BTreeMap<String, f64>,
}

/// PSI of every feature of `matrix` against `reference`, and the status from the largest:
/// `high` at or above `high`, `low` at or above `low`, else `normal`.
pub(crate) fn check(
    reference: &ReferenceProfile,
    matrix: &[f32],
    low: f64,
    high: f64,
) -> DriftReport {
    let scores: BTreeMap<String, f64> = reference.psi(matrix).into_iter().collect();
    let max_psi = scores.values().copied().fold(0.0, f64::max);
    let status = if max_psi >= high {
        "high"
    } else if max_psi >= low {
        "low"
    } else {
        "normal"
    };
    DriftReport {
        status,
        max_psi,
        scores,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_the_newest_rows_of_the_served_model() {
        let w = DriftWindow::new(3);
        w.reset("a");
        w.push("a", &[1.0, 1.0, 2.0, 2.0], 2);
        w.push("a", &[3.0, 3.0, 4.0, 4.0], 2);
        w.push("old", &[9.0, 9.0], 2);
        assert_eq!(w.matrix("a"), [2.0, 2.0, 3.0, 3.0, 4.0, 4.0]);
        // More rows than fit at once: the newest three; a partial trailing row is ignored.
        w.push("a", &[5.0, 5.0, 6.0, 6.0, 7.0, 7.0, 8.0, 8.0, 0.5], 2);
        assert_eq!(w.matrix("a"), [6.0, 6.0, 7.0, 7.0, 8.0, 8.0]);
        w.push("a", &[9.0, 9.0], 2);
        assert_eq!(w.matrix("a"), [7.0, 7.0, 8.0, 8.0, 9.0, 9.0]);
        assert!(w.matrix("b").is_empty());
        w.reset("b");
        assert!(w.matrix("b").is_empty());
        assert_eq!(w.wanted(10), 3);
    }
}
