//! `reelcast`: the one binary. Parses arguments, sets up logging, dispatches to a command.
//!
//! Exit codes: 0 ok, 1 a gate was not met (e.g. validation over its bad-row threshold),
//! 2 error. The error that ends a command is the last line on stderr: `error: ...`, or
//! with `--log-format json` one JSON object like the log lines (argument errors too).

#![forbid(unsafe_code)]
// Commands print through `output::outln!`, which returns write errors (see `output`).
#![deny(clippy::print_stdout)]

mod args;
mod commands;
mod output;
mod progress;
mod settings;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, DataCommand, ModelsCommand, RunsCommand, SentimentCommand};
use crate::settings::Settings;
use crate::telemetry::LogFormat;

/// mimalloc instead of glibc's malloc: it backs its heaps with transparent huge pages, and
/// with them the server's requests take less CPU, at the cost of a larger resident size
/// (docs/benchmarks.md, "HTTP serving", "Allocator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How a command ended, when it did not fail.
pub(crate) enum Outcome {
    /// Everything passed.
    Ok,
    /// The command ran, but a gate it checks was not met.
    GateFailed,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => refuse(e),
    };
    let log_format = cli.log_format;
    telemetry::init(log_format, &cli.log_level);
    let result = Settings::load(cli.config.as_deref()).and_then(|s| match cli.command {
        Command::Data { command } => match command {
            DataCommand::Fetch(a) => commands::data::fetch(a, &s),
            DataCommand::Ingest(a) => commands::data::ingest(a, &s),
            DataCommand::Validate(a) => commands::data::validate(a, &s),
        },
        Command::Train(a) => commands::train::run(a, &s),
        Command::Evaluate(a) => commands::evaluate::run(a, &s),
        Command::Predict(a) => commands::predict::run(a, &s),
        Command::Serve(a) => commands::serve::run(a, &s),
        Command::Healthcheck(a) => commands::healthcheck::run(&a),
        Command::Runs { command } => match command {
            RunsCommand::List(a) => commands::runs::list(&a, &s),
            RunsCommand::Show(a) => commands::runs::show(&a, &s),
            RunsCommand::Compare(a) => commands::runs::compare(&a, &s),
            RunsCommand::Push(a) => commands::runs::push(&a, &s),
            RunsCommand::Gc(a) => commands::runs::gc(&a, &s),
        },
        Command::Models { command } => match command {
            ModelsCommand::List(a) => commands::models::list(&a, &s),
            ModelsCommand::Show(a) => commands::models::show(&a, &s),
            ModelsCommand::Promote(a) => commands::models::promote(&a, &s),
            ModelsCommand::Rollback(a) => commands::models::rollback(&a, &s),
        },
        Command::Sentiment { command } => match command {
            SentimentCommand::Train(a) => commands::sentiment::train_model(a),
            SentimentCommand::Evaluate(a) => commands::sentiment::evaluate_model(a),
        },
        Command::Openapi => {
            output::out!("{}", reelcast_server::openapi_json())?;
            Ok(Outcome::Ok)
        }
    });
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::GateFailed) => ExitCode::from(1),
        Err(e) if output::is_closed_stdout(&e) => ExitCode::SUCCESS,
        Err(e) => {
            telemetry::report_error(log_format, &format!("{e:#}"), 2);
            ExitCode::from(2)
        }
    }
}

/// Ends on a command line clap refused (or on `--help`, `--version`): clap's own report
/// and exit code, except that with `--log-format json` an error is one JSON object, with
/// clap's first line (the error; its usage and tips are for a terminal), exit 2.
fn refuse(e: clap::Error) -> ! {
    let json = matches!(
        args::requested_log_format(std::env::args_os().skip(1)),
        LogFormat::Json
    );
    // A bare `reelcast` prints the help on stderr as an "error": it is for a person.
    let is_help = e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand;
    if json && e.use_stderr() && !is_help {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or_default();
        telemetry::report_error(
            LogFormat::Json,
            first.strip_prefix("error: ").unwrap_or(first),
            2,
        );
        std::process::exit(2);
    }
    e.exit()
}
