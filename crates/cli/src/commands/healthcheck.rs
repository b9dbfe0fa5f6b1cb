//! `reelcast healthcheck`: for container HEALTHCHECKs; exit 0 when `GET {url}/health/ready`
//! answers 200, else 1 (not ready, refused, timed out). A `--url` or `--timeout-seconds`
//! that breaks its rule is refused by the argument parser (exit 2), before any request.

use std::time::Duration;

use anyhow::{Context, Result};

use crate::args::HealthcheckArgs;
use crate::output::outln;
use crate::Outcome;

pub(crate) fn run(a: &HealthcheckArgs) -> Result<Outcome> {
    let url = format!("{}/health/ready", a.url.trim_end_matches('/'));
    let client = reqwest::blocking::Client::builder()
        // In (0, 3600] (args::timeout_seconds), so a valid Duration.
        .timeout(Duration::from_secs_f64(a.timeout_seconds))
        .build()
        .context("building the HTTP client")?;
    match client.get(&url).send() {
        Ok(response) if response.status() == reqwest::StatusCode::OK => {
            outln!("ready: {url} answered 200")?;
            Ok(Outcome::Ok)
        }
        Ok(response) => {
            outln!("not ready: {url} answered {}", response.status())?;
            Ok(Outcome::GateFailed)
        }
        Err(e) => {
            outln!("not ready: {url}: {e}")?;
            Ok(Outcome::GateFailed)
        }
    }
}
