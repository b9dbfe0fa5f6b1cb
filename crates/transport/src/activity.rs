//! [`Activity`]: what one connection is doing, for its watchdog in
//! [`connection`](super::connection): whether a request is in the app or its body still
//! unread ([`Busy`]), since when it is idle, and since when a request head is arriving.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::Limits;

/// Sentinel of [`Activity::head_since_ms`]: no request head is being read.
const NO_HEAD: u64 = u64::MAX;

/// What a connection is doing, for its watchdog: updated by its socket ([`Watched`]),
/// its requests and their bodies ([`Busy`]).
#[derive(Debug)]
pub(super) struct Activity {
    start: Instant,
    /// Requests in the app, plus request bodies not yet read or drained.
    busy: AtomicUsize,
    /// Whether any byte arrived.
    pub(super) read_any: AtomicBool,
    /// Milliseconds from `start` to when the connection last became not busy.
    idle_since_ms: AtomicU64,
    /// Milliseconds from `start` to the first byte of the request head being read (0 for
    /// the first request: its head is due from the accept), or [`NO_HEAD`].
    head_since_ms: AtomicU64,
}

/// The watchdog's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Due {
    /// Nothing is overdue; check again at this instant.
    At(Instant),
    /// Idle for `idle_timeout`: close.
    Idle,
    /// A head took longer than `header_read_timeout`: answer 408 and close.
    Head,
}

impl Activity {
    pub(super) fn new() -> Self {
        Self {
            start: Instant::now(),
            busy: AtomicUsize::new(0),
            read_any: AtomicBool::new(false),
            idle_since_ms: AtomicU64::new(0),
            head_since_ms: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(NO_HEAD - 1)
    }

    /// A request reached the app (its head is complete).
    pub(super) fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::AcqRel);
        self.head_since_ms.store(NO_HEAD, Ordering::Release);
        Busy(Arc::clone(self))
    }

    /// Bytes arrived; when nothing is in flight they start a request head.
    pub(super) fn on_read(&self) {
        if !self.read_any.load(Ordering::Relaxed) {
            self.read_any.store(true, Ordering::Release);
        }
        if self.busy.load(Ordering::Acquire) == 0
            && self.head_since_ms.load(Ordering::Acquire) == NO_HEAD
        {
            self.head_since_ms.store(self.now_ms(), Ordering::Release);
        }
    }

    /// When the connection is next due for a check, or what is overdue.
    pub(super) fn due(&self, limits: &Limits) -> Due {
        if self.busy.load(Ordering::Acquire) > 0 {
            // A request runs (bounded by the request timeout); look again later.
            let every = limits.header_read_timeout.min(limits.idle_timeout);
            return Due::At(Instant::now() + every);
        }
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX / 4);
        let (since, limit, verdict) = match self.head_since_ms.load(Ordering::Acquire) {
            NO_HEAD => (
                self.idle_since_ms.load(Ordering::Acquire),
                ms(limits.idle_timeout),
                Due::Idle,
            ),
            // A connection that never sent a byte is closed without a word.
            head if !self.read_any.load(Ordering::Acquire) => {
                (head, ms(limits.header_read_timeout), Due::Idle)
            }
            head => (head, ms(limits.header_read_timeout), Due::Head),
        };
        let due_ms = since.saturating_add(limit);
        if self.now_ms() >= due_ms {
            verdict
        } else {
            // One more millisecond: the check must land after the deadline.
            Due::At(self.start + Duration::from_millis(due_ms + 1))
        }
    }
}

/// Keeps its connection busy (not idle, no head due) while alive.
#[derive(Debug)]
pub(super) struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        let activity = &self.0;
        activity
            .idle_since_ms
            .store(activity.now_ms(), Ordering::Release);
        activity.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Activity {
    /// A request body is still to be read.
    pub(super) fn begin_body(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::AcqRel);
        Busy(Arc::clone(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watchdog_times_idle_connections_and_heads_from_their_start() {
        let limits = Limits {
            header_read_timeout: Duration::from_millis(100),
            idle_timeout: Duration::from_secs(100),
            ..Limits::default()
        };
        let activity = Arc::new(Activity::new());
        // A new connection's first head is due from the accept.
        assert!(matches!(activity.due(&limits), Due::At(_)));
        activity.head_since_ms.store(0, Ordering::Release);
        let busy = activity.begin();
        assert_eq!(activity.head_since_ms.load(Ordering::Acquire), NO_HEAD);
        assert!(matches!(activity.due(&limits), Due::At(_)), "busy");
        drop(busy);
        // Idle since now, for 100 s: not due.
        assert!(matches!(activity.due(&limits), Due::At(_)), "idle");
        // A head that started 1 s ago is overdue, and so is a connection idle for 100 s.
        let old = Activity {
            start: Instant::now() - Duration::from_secs(200),
            ..Activity::new()
        };
        old.head_since_ms
            .store(old.now_ms() - 1000, Ordering::Release);
        assert_eq!(old.due(&limits), Due::Idle, "no byte yet: closed silently");
        old.read_any.store(true, Ordering::Release);
        assert_eq!(old.due(&limits), Due::Head);
        old.head_since_ms.store(NO_HEAD, Ordering::Release);
        old.idle_since_ms
            .store(old.now_ms() - 100_000, Ordering::Release);
        assert_eq!(old.due(&limits), Due::Idle);
        // Bytes while busy start no head.
        activity.head_since_ms.store(NO_HEAD, Ordering::Release);
        let busy = activity.begin();
        activity.on_read();
        assert_eq!(activity.head_since_ms.load(Ordering::Acquire), NO_HEAD);
        drop(busy);
        activity.on_read();
        assert_ne!(activity.head_since_ms.load(Ordering::Acquire), NO_HEAD);
    }
}
