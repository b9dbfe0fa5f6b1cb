//! Logging set-up for the binary: text or JSON to stderr, `RUST_LOG` wins.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Log output format.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per event.
    Json,
}

/// Installs the global subscriber. Results go to stdout; logs always go to stderr.
pub(crate) fn init(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Prints the error that ends the command, as stderr's last line: `error: MESSAGE` in
/// text mode; in JSON mode one object shaped like the log lines (level `ERROR`,
/// `fields.message` the message with its cause chain, `fields.exit_code`), so that a log
/// shipper can parse every line. Never filtered: `RUST_LOG=off` silences the logs, not
/// this.
pub(crate) fn report_error(format: LogFormat, message: &str, exit_code: u8) {
    match format {
        LogFormat::Text => eprintln!("error: {message}"),
        LogFormat::Json => {
            // Its own subscriber, without the log filter, configured as in `init`.
            let unfiltered = tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_target(false)
                .json()
                .finish();
            tracing::subscriber::with_default(unfiltered, || {
                tracing::error!(exit_code, "{message}");
            });
        }
    }
}
