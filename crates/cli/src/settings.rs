//! The settings tree: embedded `config/default.toml`, then `config/{APP_ENV}.toml`, then
//! `--config FILE`, then `REELCAST__SECTION__KEY` environment variables; command-line
//! flags override the result. Loaded and checked once, at start-up.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use figment::providers::{Env, Format, Toml};
use figment::Figment;
use reelcast_data::IngestOptions;
use serde::Deserialize;

/// The compiled-in defaults: the configuration reference.
const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

/// Every setting reelcast reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Settings {
    pub data: DataSettings,
    pub ingest: IngestOptions,
    pub train: TrainSettings,
    pub server: reelcast_server::ServerSettings,
    pub sentiment: SentimentSettings,
    pub tracking: TrackingSettings,
}

/// The review-sentiment model `serve` scores text with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SentimentSettings {
    /// Model file written by `reelcast sentiment train --out`; empty for the model
    /// shipped in the binary.
    pub model: PathBuf,
}

/// Experiment tracking and model registry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrackingSettings {
    /// `sqlite:///path` (embedded) or `http(s)://` (MLflow).
    pub uri: String,
    /// Embedded artifact directory; empty for beside the database.
    pub artifact_root: String,
    /// Experiment name.
    pub experiment: String,
    /// Registered model name; empty for `movie_rating_<kind>`.
    pub model_name: String,
    /// MLflow request timeout, in seconds.
    pub timeout_seconds: f64,
    /// MLflow retries on 5xx and connection errors.
    pub retries: u32,
}

/// Where data lives and comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DataSettings {
    pub raw_dir: PathBuf,
    pub processed_dir: PathBuf,
    pub base_url: String,
}

/// Training defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrainSettings {
    pub model: String,
    pub seed: u64,
    pub test_fraction: f64,
    pub out_dir: PathBuf,
}

impl Settings {
    /// Loads every layer and checks the values.
    pub(crate) fn load(config_file: Option<&Path>) -> Result<Self> {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Ok(env) = std::env::var("APP_ENV") {
            let profile = PathBuf::from(format!("config/{env}.toml"));
            if !profile.is_file() {
                bail!(
                    "APP_ENV={env} but {} does not exist; create it or unset APP_ENV",
                    profile.display()
                );
            }
            figment = figment.merge(Toml::file(profile));
        }
        if let Some(file) = config_file {
            if !file.is_file() {
                bail!("--config {}: no such file", file.display());
            }
            figment = figment.merge(Toml::file(file));
        }
        let settings: Settings = figment
            .merge(Env::prefixed("REELCAST__").split("__"))
            .merge(
                Env::raw()
                    .only(&["REELCAST_TRACKING_URI"])
                    .map(|_| "tracking.uri".into()),
            )
            .extract()
            .context("reading configuration (config/default.toml lists every key)")?;
        settings.check()?;
        Ok(settings)
    }

    /// Checks values that serde cannot.
    fn check(&self) -> Result<()> {
        self.ingest.check().context("[ingest] settings")?;
        if reelcast_pipeline::ModelKind::parse(&self.train.model).is_none() {
            bail!(
                "[train] model {:?} is not \"rf\" or \"gbt\"",
                self.train.model
            );
        }
        if !(self.train.test_fraction > 0.0 && self.train.test_fraction < 1.0) {
            bail!(
                "[train] test_fraction {} is not strictly between 0 and 1",
                self.train.test_fraction
            );
        }
        let server = &self.server;
        if server.body_limit_bytes == 0 {
            bail!("[server] body_limit_bytes is 0; use a positive size, e.g. 1048576 (1 MiB)");
        }
        if !(server.request_timeout_seconds.is_finite() && server.request_timeout_seconds > 0.0) {
            bail!(
                "[server] request_timeout_seconds {} is not a positive number of seconds",
                server.request_timeout_seconds
            );
        }
        if server.max_batch_size == 0 {
            bail!("[server] max_batch_size is 0; use a positive count, e.g. 1000");
        }
        let (low, high) = (server.drift_psi_low, server.drift_psi_high);
        if !(low.is_finite() && high.is_finite() && 0.0 < low && low < high) {
            bail!(
                "[server] drift_psi_low {low} and drift_psi_high {high} must be finite with 0 < low < high, e.g. 0.1 and 0.25"
            );
        }
        if !(server.drift_refresh_seconds.is_finite() && server.drift_refresh_seconds > 0.0) {
            bail!(
                "[server] drift_refresh_seconds {} is not a positive number of seconds, e.g. 60",
                server.drift_refresh_seconds
            );
        }
        if !(server.drift_window_seconds.is_finite() && server.drift_window_seconds >= 0.0) {
            bail!(
                "[server] drift_window_seconds {} is not a number of seconds ≥ 0 (0 keeps rows until evicted), e.g. 900",
                server.drift_window_seconds
            );
        }
        if server.feedback_window == 0 {
            bail!("[server] feedback_window is 0; use a positive count, e.g. 500");
        }
        if !(server.model_poll_seconds.is_finite() && server.model_poll_seconds >= 0.0) {
            bail!(
                "[server] model_poll_seconds {} is not a number of seconds ≥ 0 (0 disables polling)",
                server.model_poll_seconds
            );
        }
        for (key, value) in [
            (
                "header_read_timeout_seconds",
                server.header_read_timeout_seconds,
            ),
            ("idle_timeout_seconds", server.idle_timeout_seconds),
            (
                "body_drain_timeout_seconds",
                server.body_drain_timeout_seconds,
            ),
        ] {
            if !(value.is_finite() && value > 0.0) {
                bail!("[server] {key} {value} is not a positive number of seconds, e.g. 10");
            }
        }
        if server.max_connections == 0 {
            bail!("[server] max_connections is 0; use a positive count, e.g. 1000");
        }
        for (key, url) in [
            ("alertmanager_url", &server.alertmanager_url),
            ("prometheus_url", &server.prometheus_url),
        ] {
            if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
                bail!(
                    "[server] {key} {url:?} is not an http(s) URL, e.g. \"http://127.0.0.1:9093\""
                );
            }
        }
        let tracking = &self.tracking;
        if !(tracking.uri.starts_with("sqlite://")
            || tracking.uri.starts_with("http://")
            || tracking.uri.starts_with("https://"))
        {
            bail!(
                "[tracking] uri {:?} is not sqlite:///PATH or http(s)://HOST:PORT, e.g. \"sqlite:///./reelcast.db\" or \"http://127.0.0.1:5000\"",
                tracking.uri
            );
        }
        if !(tracking.timeout_seconds.is_finite() && tracking.timeout_seconds > 0.0) {
            bail!(
                "[tracking] timeout_seconds {} is not a positive number of seconds",
                tracking.timeout_seconds
            );
        }
        for origin in &server.cors_allowed_origins {
            let valid = origin == "*"
                || ((origin.starts_with("http://") || origin.starts_with("https://"))
                    && !origin.ends_with('/')
                    && origin.is_ascii()
                    && !origin.contains(char::is_whitespace));
            if !valid {
                bail!(
                    "[server] cors_allowed_origins: {origin:?} is not an origin; use \"*\" or e.g. \"https://example.org\" (scheme and host, no path)"
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_load_and_match_the_original_system() {
        let s: Settings = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        s.check().unwrap();
        assert_eq!(s.ingest, IngestOptions::default());
        assert_eq!(s.train.model, "gbt");
        assert_eq!(s.train.seed, 42);
        assert_eq!(s.data.base_url, "https://datasets.imdbws.com/");
        assert_eq!(s.server, reelcast_server::ServerSettings::default());
        assert_eq!(s.sentiment.model, PathBuf::new(), "the shipped model");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = Figment::from(Toml::string(DEFAULT_TOML))
            .merge(Toml::string("[ingest]\nmin_vote = 10\n"))
            .extract::<Settings>()
            .unwrap_err();
        assert!(err.to_string().contains("min_vote"), "{err}");
    }

    #[test]
    fn later_layers_override_earlier_ones() {
        let s: Settings = Figment::from(Toml::string(DEFAULT_TOML))
            .merge(Toml::string(
                "[ingest]\nmin_votes = 10\ntitle_types = [\"movie\", \"tvMovie\"]\n",
            ))
            .extract()
            .unwrap();
        assert_eq!(s.ingest.min_votes, 10);
        assert_eq!(s.ingest.title_types.len(), 2);
        assert_eq!(s.ingest.min_year, 1900);
    }

    #[test]
    fn bad_server_values_are_named() {
        let s: Settings = Figment::from(Toml::string(DEFAULT_TOML))
            .merge(Toml::string("[server]\nrequest_timeout_seconds = -1\n"))
            .extract()
            .unwrap();
        let err = s.check().unwrap_err().to_string();
        assert!(err.contains("request_timeout_seconds -1"), "{err}");

        let s: Settings = Figment::from(Toml::string(DEFAULT_TOML))
            .merge(Toml::string("[server]\ndrift_psi_low = 0.3\n"))
            .extract()
            .unwrap();
        let err = s.check().unwrap_err().to_string();
        assert!(err.contains("drift_psi_low 0.3"), "{err}");
    }

    #[test]
    fn bad_connection_limits_are_named() {
        for (toml, expected) in [
            (
                "header_read_timeout_seconds = 0",
                "header_read_timeout_seconds 0",
            ),
            ("idle_timeout_seconds = -1", "idle_timeout_seconds -1"),
            (
                "body_drain_timeout_seconds = inf",
                "body_drain_timeout_seconds inf",
            ),
            ("max_connections = 0", "max_connections is 0"),
        ] {
            let s: Settings = Figment::from(Toml::string(DEFAULT_TOML))
                .merge(Toml::string(&format!("[server]\n{toml}\n")))
                .extract()
                .unwrap();
            let err = s.check().unwrap_err().to_string();
            assert!(err.contains(expected), "{toml}: {err}");
        }
    }

    #[test]
    fn cors_origins_must_be_star_or_scheme_and_host() {
        let with = |origins: &str| -> Settings {
            Figment::from(Toml::string(DEFAULT_TOML))
                .merge(Toml::string(&format!(
                    "[server]\ncors_allowed_origins = {origins}\n"
                )))
                .extract()
                .unwrap()
        };

        let good = with(r#"["https://example.org", "http://localhost:3000"]"#);
        let bad = with(r#"["example.org/"]"#);

        assert!(good.check().is_ok());
        let err = bad.check().unwrap_err().to_string();
        assert!(err.contains("cors_allowed_origins"), "{err}");
    }

    #[test]
    fn bad_values_are_named() {
        let s: Settings = Figment::from(Toml::string(DEFAULT_TOML))
            .merge(Toml::string("[train]\ntest_fraction = 1.5\n"))
            .extract()
            .unwrap();
        assert!(s
            .check()
            .unwrap_err()
            .to_string()
            .contains("test_fraction 1.5"));
    }
}
