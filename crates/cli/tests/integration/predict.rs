//! `reelcast predict`: one movie from flags, CSV and JSON files, and how bad input is
//! reported.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{num, Sandbox, SAMPLE_MOVIES};

/// The flags for a well-known film, every input given but the title type and adult flag.
const SHAWSHANK: [&str; 10] = [
    "--title",
    "The Shawshank Redemption",
    "--start-year",
    "1994",
    "--runtime-minutes",
    "142",
    "--num-votes",
    "2500000",
    "--genres",
    "Drama",
];

/// A CSV of 6 movies: rows 0 and 3 are good; row 1 has a bad year, row 2 negative votes,
/// row 4 three bad fields, row 5 no runtime (a required field).
const MIXED_CSV: &str = "\
tconst,title,startYear,runtimeMinutes,numVotes,genres
tt0111161,The Shawshank Redemption,1994,142,2500000,Drama
tt0000001,Bad Year,19x5,100,1000,Comedy
tt0000002,Negative Votes,2001,90,-5,Drama
tt0068646,The Godfather,1972,175,1800000,\"Crime,Drama\"
tt0000003,All Bad,abcd,90,-5,Comdy
tt0000004,Unknown Runtime,2010,,12000,
";

fn predict_flags(sandbox: &Sandbox, model: &str, flags: &[&str]) -> Value {
    let mut args = vec!["predict", "--model", model, "--json"];
    args.extend_from_slice(flags);
    sandbox.run(&args).json()
}

#[track_caller]
fn assert_rating_in_band(p: &Value) {
    let rating = num(p, "predicted_rating");
    let (lower, upper) = (num(&p["interval"], "lower"), num(&p["interval"], "upper"));
    assert!((1.0..=10.0).contains(&rating), "{p:#}");
    assert!(
        1.0 <= lower && lower <= rating && rating <= upper && upper <= 10.0,
        "{p:#}"
    );
}

#[test]
fn predict_json_from_flags_gives_a_rating_band_and_the_imputed_inputs() {
    let sandbox = Sandbox::new();
    sandbox.train("rf", &["--model", "rf"]);

    let p = predict_flags(&sandbox, "rf/model.bundle", &SHAWSHANK);

    assert_eq!(p["title"], "The Shawshank Redemption");
    assert_eq!(p["model_name"], "movie_rating_rf");
    assert_rating_in_band(&p);
    // No people are given, so the crew features take the prior: still a high rating.
    assert!(
        num(&p, "predicted_rating") > 7.0,
        "a top film scores high: {p:#}"
    );
    assert_eq!(p["imputed"], serde_json::json!(["titleType", "isAdult"]));
}

#[test]
fn the_default_model_gives_a_band() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);

    let p = predict_flags(&sandbox, "artifacts/model.bundle", &SHAWSHANK);

    assert_rating_in_band(&p);
}

#[test]
fn missing_inputs_are_imputed_and_listed() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);

    let p = predict_flags(
        &sandbox,
        "artifacts/model.bundle",
        &[
            "--start-year",
            "1994",
            "--runtime-minutes",
            "142",
            "--num-votes",
            "900",
        ],
    );

    assert_eq!(
        p["imputed"],
        serde_json::json!(["title", "genres", "titleType", "isAdult"])
    );
    assert!(p["title"].is_null());
    let rating = num(&p, "predicted_rating");
    assert!((1.0..=10.0).contains(&rating), "{p:#}");
}

#[test]
fn a_boosted_model_gives_its_quantile_band() {
    let sandbox = Sandbox::new();
    sandbox.train("gbt", &["--model", "gbt"]);

    let p = predict_flags(&sandbox, "gbt/model.bundle", &SHAWSHANK);

    assert_eq!(p["model_name"], "movie_rating_gbt");
    assert_rating_in_band(&p);
    let width = num(&p["interval"], "upper") - num(&p["interval"], "lower");
    assert!(width > 0.1, "a real band has width: {p:#}");
}

#[test]
fn a_boosted_models_text_band_names_its_quantile_models() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &["--model", "gbt"]);

    let run = sandbox
        .run([
            "predict",
            "--start-year",
            "1994",
            "--runtime-minutes",
            "142",
            "--num-votes",
            "900",
        ])
        .success();

    let first = run.stdout.lines().next().unwrap();
    assert!(
        first.contains("/10 (10th-90th percentile ")
            && first.ends_with("from the quantile models)"),
        "{first}"
    );
    assert!(!first.contains("trees"), "{first}");
}

#[test]
fn predict_text_output_shows_rating_band_and_imputed_inputs() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &["--model", "rf"]);

    let run = sandbox
        .run([
            "predict",
            "--start-year",
            "1994",
            "--runtime-minutes",
            "142",
            "--num-votes",
            "900",
        ])
        .success();

    let mut lines = run.stdout.lines();
    let first = lines.next().unwrap();
    assert!(first.starts_with("predicted rating "), "{first}");
    assert!(first.contains("/10 (80% of trees between "), "{first}");
    assert_eq!(
        lines.next(),
        Some("imputed from training data: title, genres, titleType, isAdult")
    );
}

#[test]
fn a_bad_start_year_is_rejected_naming_the_flag() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);

    let message = sandbox
        .run([
            "predict",
            "--start-year",
            "19x5",
            "--runtime-minutes",
            "90",
            "--num-votes",
            "10",
        ])
        .error();

    assert_eq!(
        message,
        "--start-year: startYear \"19x5\" is not a whole number"
    );
}

#[test]
fn a_misspelt_genre_is_rejected_naming_the_genre_rule() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);

    let message = sandbox
        .run([
            "predict",
            "--start-year",
            "2000",
            "--runtime-minutes",
            "90",
            "--num-votes",
            "10",
            "--genres",
            "Drama,Comdy",
        ])
        .error();

    assert!(
        message
            .starts_with("--genres: genre \"Comdy\" is not one of IMDb's genres (Action, Adult, "),
        "{message}"
    );
    assert!(message.ends_with("War, Western)"), "{message}");
}

#[test]
fn every_bad_flag_is_reported_at_once() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);

    let message = sandbox
        .run([
            "predict",
            "--start-year",
            "19x5",
            "--num-votes=-3",
            "--is-adult",
            "2",
        ])
        .error();

    assert_eq!(
        message,
        "--start-year: startYear \"19x5\" is not a whole number; --runtime-minutes: runtimeMinutes is required: a whole number from 1 to 60000; --num-votes: numVotes -3 is not between 0 and 4294967295; --is-adult: isAdult \"2\" is not true, false, 0 or 1"
    );
}

#[test]
fn predict_without_a_trained_model_says_to_train_one() {
    let sandbox = Sandbox::new();

    let message = sandbox.run(["predict", "--start-year", "1994"]).error();

    assert_eq!(
        message,
        "loading the model (train one with `reelcast train --out artifacts`): artifacts/model.bundle: No such file or directory (os error 2)"
    );
}

#[test]
fn a_csv_batch_scores_good_rows_and_reports_every_rejected_row_with_its_field() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &["--model", "rf"]);
    sandbox.write("movies.csv", MIXED_CSV);

    let run = sandbox
        .run(["predict", "--input", "movies.csv", "--output", "out.csv"])
        .success();

    let out = sandbox.read("out.csv");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("row,id,predicted_rating,lower,upper,imputed,people")
    );
    let scored: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let scored_rows: BTreeSet<usize> = scored.iter().map(|r| r[0].parse().unwrap()).collect();
    let ids: Vec<&str> = scored.iter().map(|r| r[1]).collect();
    assert_eq!(ids, ["tt0111161", "tt0068646"]);
    for r in &scored {
        let rating: f64 = r[2].parse().unwrap();
        assert!((1.0..=10.0).contains(&rating), "{r:?}");
        assert!(
            !r[3].is_empty() && !r[4].is_empty(),
            "a forest fills the band: {r:?}"
        );
    }
    assert_eq!(scored[0][5], "titleType;isAdult");

    let rejected: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("row "))
        .collect();
    assert_eq!(rejected.len(), 4, "{}", run.stderr);
    assert_eq!(
        rejected[0],
        "row 1 (CSV line 3) rejected: startYear: startYear \"19x5\" is not a whole number"
    );
    assert_eq!(
        rejected[1],
        "row 2 (CSV line 4) rejected: numVotes: numVotes -5 is not between 0 and 4294967295"
    );
    assert!(
        rejected[2].starts_with(
            "row 4 (CSV line 6) rejected: startYear: startYear \"abcd\" is not a whole number; numVotes: numVotes -5 is not between 0 and 4294967295; genres: genre \"Comdy\""
        ),
        "{}",
        rejected[2]
    );
    assert_eq!(
        rejected[3],
        "row 5 (CSV line 7) rejected: runtimeMinutes: runtimeMinutes is required: a whole number from 1 to 60000"
    );
    let rejected_rows: BTreeSet<usize> = rejected
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(scored_rows.is_disjoint(&rejected_rows));
    let all: BTreeSet<usize> = scored_rows.union(&rejected_rows).copied().collect();
    assert_eq!(
        all,
        (0..6).collect(),
        "every input row is scored or rejected"
    );
    assert!(
        run.stderr
            .contains("2 rows scored, 4 rejected; written to out.csv"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_prediction_equals_the_same_movie_predicted_from_flags() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &["--model", "rf"]);
    sandbox.write("movies.csv", MIXED_CSV);

    let batch = sandbox.run(["predict", "--input", "movies.csv"]).json();
    let single = predict_flags(&sandbox, "artifacts/model.bundle", &SHAWSHANK);

    let first = &batch["predictions"][0];
    assert_eq!(first["id"], "tt0111161");
    assert_eq!(first["predicted_rating"], single["predicted_rating"]);
    assert_eq!(first["lower"], single["interval"]["lower"]);
    assert_eq!(first["upper"], single["interval"]["upper"]);
    assert_eq!(first["imputed"], single["imputed"]);
}

#[test]
fn json_input_works_as_an_array_and_as_a_movies_object() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    let movies = serde_json::json!([
        {"tconst": "tt0111161", "title": "The Shawshank Redemption", "startYear": 1994,
         "runtimeMinutes": 142, "numVotes": 2500000, "genres": ["Drama"], "isAdult": false},
        {"id": "bad", "startYear": "19x5", "runtimeMinutes": 90, "numVotes": 10},
        {"id": "sparse", "startYear": "2010", "runtimeMinutes": 95, "numVotes": 120,
         "genres": "Comedy,Romance"}
    ]);
    sandbox.write("array.json", movies.to_string());
    sandbox.write(
        "object.json",
        serde_json::json!({"movies": movies}).to_string(),
    );

    let from_array = sandbox.run(["predict", "--input", "array.json"]).json();
    let from_object = sandbox
        .run(["predict", "--input", "object.json", "--output", "out.json"])
        .success();

    let ids: Vec<&Value> = from_array["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(ids, ["tt0111161", "sparse"]);
    assert_eq!(
        from_array["rejected"],
        serde_json::json!([{"row": 1, "problems": [
            {"field": "startYear", "message": "startYear \"19x5\" is not a whole number"}
        ]}])
    );
    assert_eq!(
        from_array["predictions"][0]["imputed"],
        serde_json::json!(["titleType"])
    );
    let written: Value = serde_json::from_str(&sandbox.read("out.json")).unwrap();
    assert_eq!(
        written, from_array,
        "both JSON shapes give the same outcome"
    );
    assert!(
        from_object
            .stderr
            .contains("item 1 rejected: startYear: startYear \"19x5\" is not a whole number"),
        "{}",
        from_object.stderr
    );
}

#[test]
fn a_json_file_of_the_wrong_shape_is_an_error() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    sandbox.write("wrong.json", r#"{"films": []}"#);
    sandbox.write("broken.json", "[{");

    let wrong = sandbox.run(["predict", "--input", "wrong.json"]).error();
    let broken = sandbox.run(["predict", "--input", "broken.json"]).error();

    assert_eq!(
        wrong,
        "wrong.json: expected an array of movies or {\"movies\": [...]}"
    );
    assert!(
        broken.starts_with("broken.json: not valid JSON: "),
        "{broken}"
    );
}

#[test]
fn the_processed_dataset_is_accepted_as_prediction_input() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    sandbox
        .run(["data", "ingest", "--out", "processed"])
        .success();

    let out = sandbox
        .run([
            "predict",
            "--input",
            "processed/movies_with_ratings.csv",
            "--output",
            "out.json",
        ])
        .success();

    let outcome: Value = serde_json::from_str(&sandbox.read("out.json")).unwrap();
    let predictions = outcome["predictions"].as_array().unwrap();
    let rejected = outcome["rejected"].as_array().unwrap();
    assert_eq!((predictions.len() + rejected.len()) as u64, SAMPLE_MOVIES);
    // Only films without a runtime on IMDb are refused, naming the required field.
    assert!(predictions.len() > 5_500, "{}", predictions.len());
    for r in rejected {
        assert_eq!(r["problems"][0]["field"], "runtimeMinutes", "{r}");
        assert_eq!(r["problems"].as_array().unwrap().len(), 1, "{r}");
    }
    assert_eq!(
        predictions[0]["id"], "tt0012349",
        "tconst is echoed as the id"
    );
    assert!(
        predictions
            .iter()
            .all(|p| (1.0..=10.0).contains(&num(p, "predicted_rating"))),
        "every rating in 1..=10"
    );
    // The CSV carries primaryTitle, startYear, runtimeMinutes, numVotes, genres, titleType
    // and isAdult: nothing is imputed for a row that has them all.
    assert_eq!(predictions[0]["imputed"], serde_json::json!([]));
    let summary = format!(
        "{} rows scored, {} rejected; written to out.json",
        predictions.len(),
        rejected.len()
    );
    assert!(out.stderr.contains(&summary), "{}", out.stderr);
}

/// Flags for a film with people from the embedded sample's people table (whose person
/// ids are synthetic, see data/sample/README.md): Christopher Nolan is nm90006468,
/// Morgan Freeman nm90026207.
const WITH_PEOPLE: [&str; 12] = [
    "--start-year",
    "2010",
    "--runtime-minutes",
    "148",
    "--num-votes",
    "2000000",
    "--directors",
    "christopher nolan,Nobody Atall",
    "--writers",
    "Christopher Nolan",
    "--cast",
    "nm90026207",
];

#[test]
fn people_flags_resolve_by_name_or_id_and_the_answer_says_who_was_recognised() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);

    let p = predict_flags(&sandbox, "artifacts/model.bundle", &WITH_PEOPLE);
    let nobody = predict_flags(&sandbox, "artifacts/model.bundle", &WITH_PEOPLE[..6]);
    let text = sandbox
        .run(["predict"].iter().chain(&WITH_PEOPLE))
        .success();

    assert_eq!(
        p["people"],
        serde_json::json!({
            "christopher nolan": "nm90006468",
            "Christopher Nolan": "nm90006468",
            "Nobody Atall": null,
            "nm90026207": "nm90026207"
        })
    );
    assert!(nobody.get("people").is_none(), "{nobody:#}");
    assert_ne!(
        p["predicted_rating"], nobody["predicted_rating"],
        "the crew features count"
    );
    assert!(
        text.stdout.contains(
            "people: 3 of 4 recognised (Christopher Nolan = nm90006468, christopher nolan = nm90006468, nm90026207); unknown, so the prior is used: Nobody Atall"
        ),
        "{}",
        text.stdout
    );
}

#[test]
fn people_over_the_api_bounds_are_refused_naming_the_flag() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    let many = vec!["x"; 21].join(",");
    let long = "y".repeat(201);
    let base = &WITH_PEOPLE[..6];

    let too_many = sandbox
        .run(
            ["predict"]
                .iter()
                .chain(base)
                .chain(&["--directors", &many]),
        )
        .error();
    let too_long = sandbox
        .run(["predict"].iter().chain(base).chain(&["--cast", &long]))
        .error();
    let empty = sandbox
        .run(["predict"].iter().chain(base).chain(&["--writers", "a,,b"]))
        .error();

    assert_eq!(
        too_many,
        "--directors: directors has 21 people; the limit is 20"
    );
    assert_eq!(
        too_long,
        "--cast: cast[0] has 201 characters; the limit is 200"
    );
    assert_eq!(
        empty,
        "--writers: writers[1] is empty; send an IMDb person id or a name"
    );
}

#[test]
fn people_columns_of_csv_and_json_files_are_resolved_in_the_output() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    sandbox.write(
        "movies.csv",
        "tconst,startYear,runtimeMinutes,numVotes,directors,cast\n\
         tt1375666,2010,148,2000000,Christopher Nolan,\"Morgan Freeman,Nobody Atall\"\n\
         tt0000001,2001,90,1000,,\n",
    );
    sandbox.write(
        "movies.json",
        serde_json::json!([{"id": "a", "startYear": 2010, "runtimeMinutes": 148,
            "numVotes": 2000000, "directors": ["nm90006468"], "writers": ["Nobody Atall"]}])
        .to_string(),
    );

    sandbox
        .run(["predict", "--input", "movies.csv", "--output", "out.csv"])
        .success();
    let from_json = sandbox.run(["predict", "--input", "movies.json"]).json();

    let out = sandbox.read("out.csv");
    let mut rows = out.lines().skip(1);
    assert!(
        rows.next().unwrap().ends_with(
            r#","{""Christopher Nolan"":""nm90006468"",""Morgan Freeman"":""nm90026207"",""Nobody Atall"":null}""#
        ),
        "{out}"
    );
    assert!(
        rows.next().unwrap().ends_with(','),
        "no people, empty cell: {out}"
    );
    assert_eq!(
        from_json["predictions"][0]["people"],
        serde_json::json!({"nm90006468": "nm90006468", "Nobody Atall": null})
    );
}

#[test]
fn people_given_to_a_basics_only_model_are_flagged_as_unused() {
    let sandbox = Sandbox::new();
    let [basics, ratings, ..] = crate::helpers::SAMPLE_FILES.map(crate::helpers::sample_arg);
    sandbox.train("artifacts", &["--basics", &basics, "--ratings", &ratings]);

    let run = sandbox.run(["predict", "--json"].iter().chain(&WITH_PEOPLE));

    assert!(
        run.stderr.contains(
            "warning: movie_rating_gbt has no crew features, so --directors, --writers and --cast do not change its prediction"
        ),
        "{}",
        run.stderr
    );
    assert!(run.json().get("people").is_none());
}

/// The end of every error about a prediction file's columns.
const EXPECTED_COLUMNS: &str = "the columns startYear, runtimeMinutes, numVotes (required) and tconst or id, title or primaryTitle, genres, titleType, isAdult, directors, writers, cast (optional)";

#[test]
fn a_file_without_rows_or_required_columns_is_an_error_and_keeps_the_earlier_output() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    sandbox.write("movies.csv", MIXED_CSV);
    sandbox
        .run(["predict", "--input", "movies.csv", "--output", "keep.csv"])
        .success();
    let earlier = sandbox.read("keep.csv");
    let cases = [
        (
            "empty.csv",
            "",
            format!("empty.csv: the file is empty; expected a CSV header row and one movie per row, with {EXPECTED_COLUMNS}"),
        ),
        (
            "header.csv",
            "startYear,runtimeMinutes,numVotes\n",
            format!("header.csv: no movie rows after the CSV header; expected one movie per row, with {EXPECTED_COLUMNS}"),
        ),
        (
            "wrong.csv",
            "title,year,runtime,votes\nHeat,1995,170,700000\n",
            format!("wrong.csv: the CSV header (title,year,runtime,votes) lacks the required columns startYear, runtimeMinutes, numVotes; expected {EXPECTED_COLUMNS}"),
        ),
        (
            "empty.json",
            "[]",
            "empty.json: no movies in the file; expected an array of movies or {\"movies\": [...]} holding at least one, each with startYear, runtimeMinutes, numVotes".to_owned(),
        ),
    ];

    for (file, contents, expected) in cases {
        sandbox.write(file, contents);

        let message = sandbox
            .run(["predict", "--input", file, "--output", "keep.csv"])
            .error();

        assert_eq!(message, expected, "{file}");
        assert_eq!(
            sandbox.read("keep.csv"),
            earlier,
            "{file} left keep.csv alone"
        );
    }
}

#[test]
fn a_file_whose_every_row_is_rejected_lists_them_and_exits_1() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    sandbox.write(
        "bad.csv",
        "tconst,startYear,runtimeMinutes,numVotes\ntt1,19x5,90,10\ntt2,2001,,10\n",
    );

    let run = sandbox.run(["predict", "--input", "bad.csv", "--output", "out.json"]);

    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "row 0 (CSV line 2) rejected: startYear: startYear \"19x5\" is not a whole number\n\
             row 1 (CSV line 3) rejected: runtimeMinutes: runtimeMinutes is required"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "0 rows scored, 2 rejected; written to out.json\nno row of bad.csv could be scored: every row was rejected"
        ),
        "{}",
        run.stderr
    );
    let written: Value = serde_json::from_str(&sandbox.read("out.json")).unwrap();
    assert_eq!(written["predictions"], serde_json::json!([]));
    assert_eq!(written["rejected"].as_array().unwrap().len(), 2);
}

/// Runs `predict --input movies.csv --output OUTPUT` with no model trained: a refused
/// output is refused before the model is loaded or the input read.
#[cfg(unix)]
fn refused_output(sandbox: &Sandbox, output: &str) -> String {
    sandbox.write("movies.csv", MIXED_CSV);
    sandbox
        .run(["predict", "--input", "movies.csv", "--output", output])
        .error()
}

#[cfg(unix)]
#[test]
fn an_output_that_is_not_a_regular_file_is_refused_before_any_work_and_left_alone() {
    use std::os::unix::fs::FileTypeExt as _;
    let sandbox = Sandbox::new();
    let _socket = std::os::unix::net::UnixListener::bind(sandbox.join("socket.csv")).unwrap();
    std::fs::create_dir(sandbox.join("dir.csv")).unwrap();

    let socket = refused_output(&sandbox, "socket.csv");
    let dir = refused_output(&sandbox, "dir.csv");

    assert_eq!(
        socket,
        "--output socket.csv is a socket, not a regular file; --output writes a new file or replaces a regular one"
    );
    assert!(
        dir.starts_with("--output dir.csv is a directory, not a regular file"),
        "{dir}"
    );
    let kind = std::fs::symlink_metadata(sandbox.join("socket.csv"))
        .unwrap()
        .file_type();
    assert!(kind.is_socket(), "the socket is still a socket");
    assert!(sandbox.join("dir.csv").is_dir());
}

#[cfg(unix)]
#[test]
fn a_fifo_output_is_refused_and_left_alone() {
    use std::os::unix::fs::FileTypeExt as _;
    let sandbox = Sandbox::new();
    let made = std::process::Command::new("mkfifo")
        .arg(sandbox.join("fifo.csv"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: no mkfifo on this machine");
        return;
    }

    let message = refused_output(&sandbox, "fifo.csv");

    assert!(
        message.starts_with("--output fifo.csv is a FIFO, not a regular file"),
        "{message}"
    );
    let kind = std::fs::symlink_metadata(sandbox.join("fifo.csv"))
        .unwrap()
        .file_type();
    assert!(kind.is_fifo(), "the FIFO is still a FIFO");
}

#[cfg(unix)]
#[test]
fn an_output_that_is_the_input_is_refused_and_the_input_kept() {
    let sandbox = Sandbox::new();
    sandbox.write("movies.csv", MIXED_CSV);
    std::os::unix::fs::symlink("movies.csv", sandbox.join("link.csv")).unwrap();

    for output in ["movies.csv", "./movies.csv", "link.csv"] {
        let message = refused_output(&sandbox, output);

        assert_eq!(
            message,
            format!("--output {output} would overwrite the input; choose another --output")
        );
        assert_eq!(sandbox.read("movies.csv"), MIXED_CSV, "{output}");
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_output_writes_the_file_it_points_to_and_stays_a_link() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);
    sandbox.write("movies.csv", MIXED_CSV);
    sandbox.write("results/real.csv", "old results\n");
    std::os::unix::fs::symlink("results/real.csv", sandbox.join("link.csv")).unwrap();

    let run = sandbox
        .run(["predict", "--input", "movies.csv", "--output", "link.csv"])
        .success();

    let link = std::fs::symlink_metadata(sandbox.join("link.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert!(
        sandbox
            .read("results/real.csv")
            .starts_with("row,id,predicted_rating,lower,upper,imputed,people\n0,tt0111161,"),
        "the target holds the predictions"
    );
    assert!(
        run.stderr
            .contains("2 rows scored, 4 rejected; written to link.csv"),
        "{}",
        run.stderr
    );
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.join("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["real.csv"], "no temporary file is left");
}

#[test]
fn output_without_input_is_an_error_not_ignored() {
    let sandbox = Sandbox::new();
    sandbox.train("artifacts", &[]);

    let message = sandbox
        .run(
            ["predict", "--output", "single.json"]
                .iter()
                .chain(&SHAWSHANK),
        )
        .error();

    assert_eq!(
        message,
        "--output writes the predictions of an --input file; for one movie from flags, drop --output (add --json and redirect stdout to keep the answer)"
    );
    assert!(!sandbox.join("single.json").exists());
}
