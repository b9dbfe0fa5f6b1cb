//! A new user's first hour: what a newcomer's first mistakes print. Each test
//! runs the binary as a user would and checks that the message names the problem and the
//! fix, not an internal error.

use crate::helpers::{Sandbox, EXCERPT_BASICS, EXCERPT_RATINGS};

/// The first line (the header) of a fixture file, with its line end.
fn header_of(path: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    format!("{}\n", text.lines().next().unwrap())
}

#[test]
fn an_empty_tsv_is_called_empty() {
    let sandbox = Sandbox::new();
    let basics = sandbox.write("title.basics.tsv", "");

    let message = sandbox
        .run([
            "data",
            "ingest",
            "--basics",
            basics.to_str().unwrap(),
            "--ratings",
            EXCERPT_RATINGS,
        ])
        .error();

    assert!(
        message.contains(
            ": title.basics.tsv is empty: IMDb's file starts with the header \"tconst\\ttitleType"
        ),
        "{message}"
    );
    assert!(!message.contains("header \"\""), "{message}");
}

#[test]
fn validate_on_header_only_files_says_why_it_failed() {
    let sandbox = Sandbox::new();
    let basics = sandbox.write("title.basics.tsv", header_of(EXCERPT_BASICS));
    let ratings = sandbox.write("title.ratings.tsv", header_of(EXCERPT_RATINGS));
    let args = [
        "data",
        "validate",
        "--basics",
        basics.to_str().unwrap(),
        "--ratings",
        ratings.to_str().unwrap(),
    ];

    let text = sandbox.run(args);
    let json = sandbox.run(args.into_iter().chain(["--json"]));

    assert_eq!(text.code, 1, "{}", text.stderr);
    assert!(
        text.stdout.starts_with(
            "validation FAILED: 0 rows\n  failed: no movies: title.basics.tsv and title.ratings.tsv have no data rows, only the header\n"
        ),
        "{}",
        text.stdout
    );
    assert_eq!(
        json.stdout_json()["failures"],
        serde_json::json!([
            "no movies: title.basics.tsv and title.ratings.tsv have no data rows, only the header"
        ])
    );
}

#[test]
fn a_base_url_that_is_not_a_url_is_named_as_such() {
    let sandbox = Sandbox::new();

    let message = sandbox
        .run(["data", "fetch", "--dir", "raw", "--base-url", "not-a-url"])
        .error();

    assert!(
        message.contains("base URL \"not-a-url\" is not an absolute http(s) URL (relative URL without a base); give one like https://datasets.imdbws.com/"),
        "{message}"
    );
    assert!(!message.contains("builder error"), "{message}");
    assert!(!sandbox.join("raw").exists());
}

#[test]
fn serve_on_a_host_that_is_no_address_says_so_not_port_in_use() {
    let sandbox = Sandbox::new();

    let message = sandbox
        .run(["serve", "--host", "999.1.1.1", "--port", "0"])
        .error();

    assert!(
        message.starts_with("binding 999.1.1.1:0 (--host 999.1.1.1 is neither an IP address nor a name that resolves; e.g. --host 127.0.0.1 or --host 0.0.0.0)"),
        "{message}"
    );
    assert!(!message.contains("in use"), "{message}");
}

#[test]
fn a_model_worse_than_the_mean_is_a_warning() {
    // 300 films whose ratings are noise unrelated to their year, runtime and votes: the
    // model fits the noise and scores worse on held-out films than the training mean.
    let sandbox = Sandbox::new();
    let mut basics = header_of(EXCERPT_BASICS);
    let mut ratings = header_of(EXCERPT_RATINGS);
    let mut state: u64 = 42;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    for i in 0..300 {
        let (year, runtime, votes) = (1950 + next(70), 60 + next(120), 50 + next(100_000));
        let rating = 1.0 + next(90) as f64 / 10.0;
        basics.push_str(&format!(
            "tt{:07}\tmovie\tFilm {i}\tFilm {i}\t0\t{year}\t\\N\t{runtime}\tDrama\n",
            9_000_000 + i
        ));
        ratings.push_str(&format!("tt{:07}\t{rating:.1}\t{votes}\n", 9_000_000 + i));
    }
    let basics = sandbox.write("title.basics.tsv", basics);
    let ratings = sandbox.write("title.ratings.tsv", ratings);

    let run = sandbox
        .run([
            "train",
            "--model",
            "rf",
            "--trees",
            "20",
            "--basics",
            basics.to_str().unwrap(),
            "--ratings",
            ratings.to_str().unwrap(),
        ])
        .success();

    assert!(
        run.stdout
            .contains("% ABOVE the mean-predictor baseline (worse than predicting the mean)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(
            "warning: the model is no better than predicting the mean rating: test RMSE "
        ),
        "{}",
        run.stderr
    );
}
