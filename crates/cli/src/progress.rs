//! Progress of long reads on stderr (IMDb's full files take a minute or more to ingest):
//! on a terminal a one-line spinner, which turns into a bar over the bytes of all the files
//! being read once their sizes are known, and a log line every [`LOG_EVERY`] otherwise.
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
            Some(bar) => {
                if let Some((read, total)) = overall(&reads) {
                    show_as_bar(bar);
                    bar.set_length(total);
                    bar.set_position(read);
                }
                bar.set_message(format!("{what}: reading {line}"));
            }
            None => tracing::info!("{what}: reading {line}"),
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

/// Bytes read and in all of `reads`, when every size is known and not zero: what the bar
/// shows.
fn overall(reads: &[ReadProgress]) -> Option<(u64, u64)> {
    let total = reads
        .iter()
        .map(|r| r.total)
        .sum::<Option<u64>>()
        .filter(|t| *t > 0)?;
    let read = reads.iter().map(|r| r.read).sum::<u64>().min(total);
    Some((read, total))
}

/// Gives the spinner a bar (once: the style is only set while it has none).
fn show_as_bar(bar: &ProgressBar) {
    if bar.length().is_some() {
        return;
    }
    let template = "{spinner} {elapsed:>4} [{bar:30}] {percent:>3}% {wide_msg}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
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
    fn the_bar_covers_all_reads_once_every_size_is_known() {
        let read = |read: u64, total: Option<u64>| ReadProgress {
            name: "f".into(),
            read,
            total,
        };

        assert_eq!(
            overall(&[read(10, Some(100)), read(30, Some(300))]),
            Some((40, 400))
        );
        assert_eq!(overall(&[read(10, Some(100)), read(30, None)]), None);
        assert_eq!(overall(&[read(0, Some(0))]), None);
        assert_eq!(overall(&[read(150, Some(100))]), Some((100, 100)));
    }

    #[test]
    fn returns_the_work_result_and_stops_promptly() {
        let started = std::time::Instant::now();

        let out = while_reading("test", || 7);

        assert_eq!(out, 7);
        assert!(started.elapsed() < LOG_EVERY, "{:?}", started.elapsed());
    }
}
