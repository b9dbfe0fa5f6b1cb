//! `reelcast`: the one binary. Parses arguments, sets up logging, dispatches to a command.
//!
//! Exit codes: 0 ok, 1 a gate was not met (e.g. validation over its bad-row threshold),
//! 2 error.

mod args;
mod commands;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, DataCommand};

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
    let result = match cli.command {
        Command::Data { command } => match command {
            DataCommand::Fetch(a) => commands::data::fetch(a),
            DataCommand::Ingest(a) => commands::data::ingest(a),
            DataCommand::Validate(a) => commands::data::validate(a),
        },
        Command::Train(a) => commands::train::run(a),
        Command::Evaluate(a) => commands::evaluate::run(a),
        Command::Predict(a) => commands::predict::run(a),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::GateFailed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
