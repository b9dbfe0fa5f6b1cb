//! Progress of long reads on stderr (issue 14: IMDb's full files take a minute or more to
//! ingest): a one-line spinner on a terminal, a log line every [`LOG_EVERY`] otherwise.
//! What is shown comes from [`reads_in_progress`]: the raw files being read and how far.

use std::io::IsTerminal;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use reelcast_data::{reads_in_progress, ReadProgress};

/// How often the terminal line is redrawn.
const DRAW_EVERY: Duration = Duration::from_millis(100);
/// How often a log line is written when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// Runs `work`, showing on stderr which raw files it is reading and how far it is;
/// `what` names the work in log lines (e.g. `ingest`).
pub(crate) fn while_reading<T>(what: &str, work: impl FnOnce() -> T) -> T {
    let terminal = std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        // Dropping the sender (after `work`) tells the reporter to stop at once.
        let (stop, stopped) = mpsc::channel::<()>();
        scope.spawn(move || report(what, terminal, &stopped));
        let out = work();
        drop(stop);
        out
    })
}

fn report(what: &str, terminal: bool, stopped: &mpsc::Receiver<()>) {
    let bar = terminal.then(|| {
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {wide_msg}") {
            bar.set_style(style);
        }
        bar.set_message(format!("{what}: starting"));
        bar
    });
    let every = if terminal { DRAW_EVERY } else { LOG_EVERY };
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
        if let Some(bar) = &bar {
            bar.tick();
        }
        let reads = reads_in_progress();
        if reads.is_empty() {
            continue;
        }
        let line = describe(&reads);
        match &bar {
            Some(bar) => bar.set_message(format!("{what}: reading {line}")),
            None => tracing::info!("{what}: reading {line}"),
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

/// `title.basics.tsv.gz 42% of 190.00 MiB, title.ratings.tsv.gz 7.00 MiB read`.
fn describe(reads: &[ReadProgress]) -> String {
    reads
        .iter()
        .map(|r| match (r.fraction(), r.total) {
            (Some(f), Some(total)) => {
                format!("{} {:.0}% of {}", r.name, f * 100.0, HumanBytes(total))
            }
            _ => format!("{} {} read", r.name, HumanBytes(r.read)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_each_read_with_its_share_or_its_bytes() {
        let reads = [
            ReadProgress {
                name: "title.basics.tsv.gz".into(),
                read: 42 << 20,
                total: Some(100 << 20),
            },
            ReadProgress {
                name: "title.ratings.tsv".into(),
                read: 7 << 20,
                total: None,
            },
        ];

        assert_eq!(
            describe(&reads),
            "title.basics.tsv.gz 42% of 100.00 MiB, title.ratings.tsv 7.00 MiB read"
        );
    }

    #[test]
    fn returns_the_work_result_and_stops_promptly() {
        let started = std::time::Instant::now();

        let out = while_reading("test", || 7);

        assert_eq!(out, 7);
        assert!(started.elapsed() < LOG_EVERY, "{:?}", started.elapsed());
    }
}
