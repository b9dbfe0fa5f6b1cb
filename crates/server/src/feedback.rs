//! The sliding window behind `POST /feedback`: the last `capacity` (predicted, actual)
//! rating pairs, and the live RMSE and MAE over them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// Live error of the served model over the feedback window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LiveErrors {
    /// Pairs in the window.
    pub pairs: usize,
    /// RMSE over them (`None` when empty).
    pub rmse: Option<f64>,
    /// MAE over them (`None` when empty).
    pub mae: Option<f64>,
}

/// The last `capacity` (predicted, actual) pairs for the served model; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct FeedbackWindow {
    capacity: usize,
    pairs: Arc<Mutex<VecDeque<(f64, f64)>>>,
}

impl FeedbackWindow {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            pairs: Arc::new(Mutex::new(VecDeque::with_capacity(capacity.min(4096)))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<(f64, f64)>> {
        // Every update leaves the deque consistent, so a poisoned lock is still usable.
        self.pairs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Empties the window (a new model is served).
    pub(crate) fn reset(&self) {
        self.lock().clear();
    }

    /// Appends pairs, evicting the oldest, and returns the errors over the window after
    /// the append (computed under the same lock, so concurrent posts each see a
    /// consistent window).
    pub(crate) fn extend(&self, new: &[(f64, f64)]) -> LiveErrors {
        let mut pairs = self.lock();
        for &pair in new {
            if self.capacity == 0 {
                break;
            }
            if pairs.len() == self.capacity {
                pairs.pop_front();
            }
            pairs.push_back(pair);
        }
        summarize(&pairs)
    }

    /// The errors over the window now.
    pub(crate) fn summary(&self) -> LiveErrors {
        summarize(&self.lock())
    }
}

fn summarize(pairs: &VecDeque<(f64, f64)>) -> LiveErrors {
    let n = pairs.len();
    if n == 0 {
        return LiveErrors {
            pairs: 0,
            rmse: None,
            mae: None,
        };
    }
    let (sq, abs) = pairs.iter().fold((0.0, 0.0), |(sq, abs), (p, a)| {
        let e = p - a;
        (sq + e * e, abs + e.abs())
    });
    LiveErrors {
        pairs: n,
        rmse: Some((sq / n as f64).sqrt()),
        mae: Some(abs / n as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cover_only_the_last_capacity_pairs() {
        let w = FeedbackWindow::new(2);
        assert_eq!(w.summary().rmse, None);
        let e = w.extend(&[(9.0, 1.0)]);
        assert_eq!((e.pairs, e.rmse, e.mae), (1, Some(8.0), Some(8.0)));
        // (9,1) is evicted; errors 3 and 1: rmse sqrt(5), mae 2.
        let e = w.extend(&[(5.0, 2.0), (7.0, 8.0)]);
        assert_eq!(e.pairs, 2);
        assert!((e.rmse.unwrap() - 5f64.sqrt()).abs() < 1e-12);
        assert!((e.mae.unwrap() - 2.0).abs() < 1e-12);
        w.reset();
        assert_eq!(w.summary().pairs, 0);
    }
}
