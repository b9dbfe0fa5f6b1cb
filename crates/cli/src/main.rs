//! `reelcast`: the one binary. Parses arguments, sets up logging, dispatches to a command.
//!
//! Exit codes: 0 ok, 1 a gate was not met (e.g. validation over its bad-row threshold),
//! 2 error.

mod args;
mod commands;
mod progress;
mod settings;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, DataCommand, ModelsCommand, RunsCommand, SentimentCommand};
use crate::settings::Settings;

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
    let cli = Cli::parse();
    telemetry::init(cli.log_format, &cli.log_level);
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
            print!("{}", reelcast_server::openapi_json());
            Ok(Outcome::Ok)
        }
    });
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::GateFailed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
