//! `reelcast train`: metrics, artifacts, determinism, model families, CV, search and the
//! errors a user can hit.

use serde_json::Value;

use crate::helpers::{
    num, sample_arg, Sandbox, EXCERPT_BASICS, EXCERPT_RATINGS, SAMPLE_FILES, SAMPLE_MOVIES,
};

#[test]
fn train_json_on_the_embedded_sample_beats_the_baseline_and_writes_bundle_and_report() {
    let sandbox = Sandbox::new();

    let out = sandbox.run(["train", "--json", "--trees", "20"]).json();

    for key in [
        "rmse",
        "mae",
        "r2",
        "n_train",
        "n_test",
        "model_path",
        "dataset_version",
    ] {
        assert!(!out[key].is_null(), "{key} missing from {out:#}");
    }
    let (rmse, mae, r2) = (num(&out, "rmse"), num(&out, "mae"), num(&out, "r2"));
    let baseline = num(&out["baseline"], "rmse");
    assert!(
        rmse > 0.0 && rmse < baseline,
        "rmse {rmse} vs baseline {baseline}"
    );
    assert!(
        mae > 0.0 && mae < rmse,
        "mae {mae} should be below rmse {rmse}"
    );
    assert!(r2 > 0.0 && r2 < 1.0, "r2 {r2}");
    let (n_train, n_test) = (
        out["n_train"].as_u64().unwrap(),
        out["n_test"].as_u64().unwrap(),
    );
    assert_eq!(n_train + n_test, SAMPLE_MOVIES);
    assert_eq!(n_test, 1229, "the films whose tconst hashes under 0.2");
    assert_eq!(out["baseline"]["n"], 1229);
    assert_eq!(out["model_kind"], "gradient_boosting", "the default family");
    assert_eq!(out["model_name"], "movie_rating_gbt");
    assert_eq!(out["seed"], 42);
    assert_eq!(out["params"]["n_trees"], 20);
    let version = out["dataset_version"].as_str().unwrap();
    assert!(
        version.starts_with("ds-") && version.len() == 19,
        "dataset version {version}"
    );

    let model_path = out["model_path"].as_str().unwrap();
    assert_eq!(
        model_path, "artifacts/model.bundle",
        "default --out is artifacts"
    );
    let bundle = std::fs::read(sandbox.join(model_path)).unwrap();
    assert!(bundle.starts_with(b"RCBUNDLE"));
    let report: Value =
        serde_json::from_str(&sandbox.read("artifacts/report/report.json")).unwrap();
    assert_eq!(report["metadata"]["dataset_version"], version);
    assert_eq!(report["metadata"]["metrics"]["test"]["rmse"], out["rmse"]);
    for svg in [
        "predicted_vs_actual.svg",
        "residuals.svg",
        "feature_importance.svg",
    ] {
        let text = sandbox.read(&format!("artifacts/report/{svg}"));
        assert!(
            text.starts_with("<svg"),
            "{svg} starts with {:?}",
            &text[..20.min(text.len())]
        );
    }
}

#[test]
fn train_text_output_names_model_source_and_both_metric_rows() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(["train", "--trees", "20"]).success();

    assert!(
        run.stdout.starts_with(
            "trained movie_rating_gbt on 4862 titles from the embedded sample (dataset ds-"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("tested on 1229"), "{}", run.stdout);
    assert!(
        run.stdout.contains("features basics + crew ("),
        "{}",
        run.stdout
    );
    for line in ["model ", "baseline ", "below the mean-predictor baseline"] {
        assert!(
            run.stdout.contains(line),
            "{line:?} missing:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains("bundle  artifacts/model.bundle"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("report  artifacts/report"),
        "{}",
        run.stdout
    );
}

#[test]
fn same_seed_twice_gives_identical_metrics_and_identical_predictions() {
    let sandbox = Sandbox::new();

    let a = sandbox.train("a", &["--seed", "7"]);
    let b = sandbox.train("b", &["--seed", "7"]);

    for key in [
        "rmse",
        "mae",
        "r2",
        "n_train",
        "n_test",
        "baseline",
        "dataset_version",
    ] {
        assert_eq!(a[key], b[key], "{key} differs between two runs with seed 7");
    }
    let predict = |bundle: &str| {
        sandbox
            .run([
                "predict",
                "--model",
                bundle,
                "--json",
                "--title",
                "Heat",
                "--start-year",
                "1995",
                "--runtime-minutes",
                "170",
                "--num-votes",
                "700000",
                "--genres",
                "Action,Crime,Drama",
            ])
            .json()
    };
    let (pa, pb) = (predict("a/model.bundle"), predict("b/model.bundle"));
    assert_eq!(pa, pb, "same seed, same predictions");
    assert!(
        pa["interval"]["lower"].as_f64().unwrap() < pa["interval"]["upper"].as_f64().unwrap(),
        "the default boosted model has a band: {pa:#}"
    );
    // Scoring all 6091 movies with both bundles compares every tree, not just one path.
    let ea = sandbox
        .run(["evaluate", "--model", "a/model.bundle", "--json"])
        .json();
    let eb = sandbox
        .run(["evaluate", "--model", "b/model.bundle", "--json"])
        .json();
    assert_eq!(ea["rmse"], eb["rmse"]);
}

#[test]
fn a_different_seed_gives_a_different_split_and_model() {
    let sandbox = Sandbox::new();

    let a = sandbox.train("a", &["--seed", "1"]);
    let b = sandbox.train("b", &["--seed", "2"]);

    // Same sizes (round(n * 0.2) held out), different rows: the mean-predictor baseline
    // depends only on which rows are held out, so it differs exactly when the split does.
    assert_eq!(a["n_test"], b["n_test"]);
    assert_ne!(
        a["baseline"]["rmse"], b["baseline"]["rmse"],
        "split unchanged"
    );
    assert_ne!(a["rmse"], b["rmse"]);
    assert_eq!((a["seed"].as_u64(), b["seed"].as_u64()), (Some(1), Some(2)));
}

#[test]
fn gbt_model_trains_and_beats_the_baseline() {
    let sandbox = Sandbox::new();

    let out = sandbox.train("artifacts", &["--model", "gbt"]);

    assert_eq!(out["model_kind"], "gradient_boosting");
    assert_eq!(out["model_name"], "movie_rating_gbt");
    assert_eq!(out["params"]["n_trees"], 20);
    assert!(num(&out, "rmse") < num(&out["baseline"], "rmse"), "{out:#}");
    assert!(sandbox.join("artifacts/model.bundle").is_file());
}

#[test]
fn cv_three_reports_three_folds_covering_the_training_split() {
    let sandbox = Sandbox::new();

    let out = sandbox.train("artifacts", &["--cv", "3"]);

    let folds = out["cv"]["folds"].as_array().expect("cv folds in the JSON");
    assert_eq!(folds.len(), 3);
    let rows: u64 = folds.iter().map(|f| f["n"].as_u64().unwrap()).sum();
    assert_eq!(
        rows,
        out["n_train"].as_u64().unwrap(),
        "folds partition the training rows"
    );
    let mean = folds.iter().map(|f| num(f, "rmse")).sum::<f64>() / 3.0;
    assert!((num(&out["cv"], "rmse_mean") - mean).abs() < 1e-12);
    assert!(num(&out["cv"], "rmse_std") > 0.0);
    assert!(out["search"].is_null());
}

#[test]
fn cv_with_one_fold_is_rejected_naming_the_option_and_rule() {
    let sandbox = Sandbox::new();

    let message = sandbox.run(["train", "--cv", "1", "--trees", "5"]).error();

    assert_eq!(
        message,
        "training on the embedded sample: --cv: 1 folds over 4862 training rows: need k >= 2 and at least 10 rows per fold"
    );
}

#[test]
fn search_scores_every_grid_candidate_and_trains_the_best() {
    let sandbox = Sandbox::new();

    // Boosting's grid (12 candidates) is the faster of the two.
    let out = sandbox.train("artifacts", &["--model", "gbt", "--search"]);

    let candidates = out["search"]
        .as_array()
        .expect("search candidates in the JSON");
    assert_eq!(
        candidates.len(),
        12,
        "2 learning rates x 3 leaf counts x 2 L2 strengths"
    );
    for c in candidates {
        assert_eq!(
            c["cv"]["folds"].as_array().unwrap().len(),
            3,
            "3 folds unless --cv"
        );
    }
    let best = candidates
        .iter()
        .min_by(|a, b| num(&a["cv"], "rmse_mean").total_cmp(&num(&b["cv"], "rmse_mean")))
        .unwrap();
    assert_eq!(
        out["params"], best["params"]["gradient_boosting"],
        "the final model uses the best candidate"
    );
    assert!(num(&out, "rmse") < num(&out["baseline"], "rmse"));
}

#[test]
fn search_keeps_the_trees_override() {
    let sandbox = Sandbox::new();

    let out = sandbox.train("artifacts", &["--model", "gbt", "--search"]);

    assert_eq!(
        out["params"]["n_trees"], 20,
        "the final model keeps --trees 20"
    );
    for c in out["search"].as_array().unwrap() {
        assert_eq!(c["params"]["gradient_boosting"]["n_trees"], 20);
    }
}

#[test]
fn test_fraction_outside_zero_one_is_rejected_naming_the_option() {
    let sandbox = Sandbox::new();

    let message = sandbox
        .run(["train", "--test-fraction", "1.5", "--trees", "5"])
        .error();

    assert_eq!(
        message,
        "--test-fraction: 1.5 is not strictly between 0 and 1 (e.g. 0.2 holds out 20%)"
    );
    assert!(
        !sandbox.join("artifacts").exists(),
        "nothing written on failure"
    );
}

#[test]
fn training_on_the_four_movie_excerpt_fails_because_the_test_split_is_too_small() {
    let sandbox = Sandbox::new();

    let message = sandbox
        .run([
            "train",
            "--basics",
            EXCERPT_BASICS,
            "--ratings",
            EXCERPT_RATINGS,
        ])
        .error();

    assert!(message.starts_with("training on "), "{message}");
    assert!(
        message.ends_with(
            ": test split too small to score: 4 rows with 0 held out; need at least 10 held-out and 20 training rows (use more data or a larger --test-fraction)"
        ),
        "{message}"
    );
    assert!(!sandbox.join("artifacts").exists());
}

#[test]
fn filters_that_leave_nothing_fail_with_an_empty_dataset_message() {
    let sandbox = Sandbox::new();

    let message = sandbox.run(["train", "--min-votes", "4000000000"]).error();

    assert_eq!(
        message,
        "loading the embedded sample: no movies left after filters (basics rows 6208, after type filter 6173, ratings rows 6197, after join 6163, after votes filter 0, after year filter 0); check --title-types, --min-votes and --min-year"
    );
    assert!(!sandbox.join("artifacts").exists());
}

#[test]
fn missing_raw_files_are_named_and_fetch_is_suggested() {
    let sandbox = Sandbox::new();

    let message = sandbox
        .run([
            "train",
            "--basics",
            "missing.tsv.gz",
            "--ratings",
            "missing.tsv.gz",
        ])
        .error();

    assert_eq!(
        message,
        "loading missing.tsv.gz + missing.tsv.gz: missing.tsv.gz not found; download IMDb's files with `reelcast data fetch`, or omit --basics/--ratings to use the embedded sample"
    );
}

#[test]
fn a_data_directory_without_data_suggests_fetch_or_ingest() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.join("empty")).unwrap();

    let message = sandbox.run(["train", "--data", "empty"]).error();

    assert!(
        message.contains(
            "empty holds neither movies_with_ratings.csv nor title.basics.tsv[.gz] and title.ratings.tsv[.gz]; run `reelcast data fetch --dir empty` or `reelcast data ingest --out empty`"
        ),
        "{message}"
    );
}

#[test]
fn unknown_title_type_is_rejected_with_the_imdb_spelling_hint() {
    let sandbox = Sandbox::new();

    let message = sandbox
        .run(["train", "--title-types", "movie,film"])
        .error();

    assert_eq!(
        message,
        "--title-types: titleType \"film\" is not one of IMDb's title types; use IMDb's spelling, e.g. movie,tvMovie"
    );
}

#[test]
fn truncated_gzip_input_fails_training_naming_the_file() {
    let sandbox = Sandbox::new();
    let basics = crate::helpers::bad("truncated-gzip", "title.basics.tsv.gz");

    let message = sandbox
        .run(["train", "--basics", &basics, "--ratings", EXCERPT_RATINGS])
        .error();

    assert!(
        message.contains(&format!(
            "{basics} is truncated or corrupt; re-download it with `reelcast data fetch`: incomplete deflate stream"
        )),
        "{message}"
    );
}

#[test]
fn people_flags_train_the_crew_model_and_basics_and_ratings_alone_the_basics_only_one() {
    let sandbox = Sandbox::new();
    let [basics, ratings, crew, principals, names] = SAMPLE_FILES.map(sample_arg);

    let with_people = sandbox.train(
        "crew",
        &[
            "--basics",
            &basics,
            "--ratings",
            &ratings,
            "--crew",
            &crew,
            "--principals",
            &principals,
            "--names",
            &names,
        ],
    );
    let basics_only = sandbox.train("basics", &["--basics", &basics, "--ratings", &ratings]);
    let embedded = sandbox.train("embedded", &[]);

    assert_eq!(
        with_people["feature_groups"],
        serde_json::json!(["basics", "crew"])
    );
    assert!(
        num(&with_people, "people_count") > 1000.0,
        "{with_people:#}"
    );
    assert_eq!(with_people["dataset_version"], embedded["dataset_version"]);
    assert_eq!(
        with_people["rmse"], embedded["rmse"],
        "same files, same model"
    );
    assert_eq!(basics_only["feature_groups"], serde_json::json!(["basics"]));
    assert_eq!(basics_only["people_count"], 0);
    assert!(
        num(&with_people, "rmse") < num(&basics_only, "rmse"),
        "crew features help: {} vs {}",
        with_people["rmse"],
        basics_only["rmse"]
    );
}

#[test]
fn min_person_films_keeps_only_people_with_that_many_training_films() {
    let sandbox = Sandbox::new();

    let everyone = sandbox.train("all", &[]);
    let regulars = sandbox.train("regulars", &["--min-person-films", "3"]);
    let original = sandbox
        .run(["train", "--features", "original", "--min-person-films", "3"])
        .error();
    let zero = sandbox.run(["train", "--min-person-films", "0"]).error();

    let (all, kept) = (
        num(&everyone, "people_count"),
        num(&regulars, "people_count"),
    );
    assert!(
        kept > 0.0 && kept < all / 2.0,
        "most people of the sample have one or two films: {kept} of {all} kept"
    );
    assert_ne!(
        everyone["rmse"], regulars["rmse"],
        "the crew columns change"
    );
    let run_id = regulars["tracking"]["run_id"].as_str().unwrap();
    let run = sandbox.run(["runs", "show", run_id, "--json"]).json();
    assert_eq!(run["run"]["params"]["crew_min_person_films"], "3");
    assert_eq!(run["run"]["params"]["crew_top_cast"], "4");
    assert!(
        original.contains("--min-person-films") && original.contains("--features full"),
        "{original}"
    );
    assert!(zero.contains("from 1"), "{zero}");
}

#[test]
fn imdb_dir_trains_on_every_file_present() {
    let sandbox = Sandbox::new();
    sandbox.copy_sample("imdb", &SAMPLE_FILES);

    let from_dir = sandbox.train("a", &["--imdb-dir", "imdb"]);
    let run = sandbox
        .run(["train", "--trees", "20", "--out", "b", "--imdb-dir", "imdb"])
        .success();

    assert_eq!(
        from_dir["feature_groups"],
        serde_json::json!(["basics", "crew"])
    );
    assert!(
        run.stdout.contains("title.ratings.tsv.gz + people files"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_imdb_dir_is_named_and_fetch_is_suggested() {
    let sandbox = Sandbox::new();

    let message = sandbox.run(["train", "--imdb-dir", "nope"]).error();

    assert_eq!(
        message,
        "--imdb-dir: nope is not a directory; download IMDb's files into it with `reelcast data fetch --dir nope`"
    );
}

/// Films a `train --json` result was trained and tested on.
fn films(trained: &Value) -> f64 {
    num(trained, "n_train") + num(trained, "n_test")
}

#[test]
fn stricter_filters_on_a_processed_directory_train_on_the_films_of_the_raw_files() {
    let sandbox = Sandbox::new();
    sandbox
        .run(["data", "ingest", "--out", "processed"])
        .success();
    sandbox.copy_sample("imdb", &SAMPLE_FILES);
    let cases: [&[&str]; 2] = [
        &["--min-votes", "100000"],
        &["--min-year", "2010", "--drop-null-years"],
    ];

    for filters in cases {
        let label = filters.join(" ");
        let mut processed = vec!["--data", "processed"];
        processed.extend_from_slice(filters);
        let mut raw = vec!["--imdb-dir", "imdb"];
        raw.extend_from_slice(filters);

        let from_processed = sandbox.train("a", &processed);
        let from_raw = sandbox.train("b", &raw);

        assert!(
            films(&from_raw) < SAMPLE_MOVIES as f64,
            "{label}: the filter drops films"
        );
        assert_eq!(films(&from_processed), films(&from_raw), "{label}");
        assert_eq!(
            from_processed["dataset_version"], from_raw["dataset_version"],
            "{label}"
        );
    }
}

#[test]
fn a_processed_directory_keeps_its_own_filters_unless_config_asks_for_stricter_ones() {
    let sandbox = Sandbox::new();
    let manifest = sandbox
        .run([
            "data",
            "ingest",
            "--min-votes",
            "1000",
            "--out",
            "processed",
            "--json",
        ])
        .json();
    let train = |env: &[(&str, &str)]| {
        sandbox
            .run_with_env(
                [
                    "train",
                    "--json",
                    "--trees",
                    "20",
                    "--out",
                    "a",
                    "--data",
                    "processed",
                ],
                env,
            )
            .json()
    };

    let no_flag = train(&[]);
    let env_default = train(&[("REELCAST__INGEST__MIN_VOTES", "50")]);
    let env_stricter = train(&[("REELCAST__INGEST__MIN_VOTES", "100000")]);

    assert_eq!(no_flag["dataset_version"], manifest["dataset_version"]);
    assert_eq!(films(&no_flag), num(&manifest, "rows"));
    assert_eq!(
        env_default["dataset_version"], manifest["dataset_version"],
        "a setting at its default takes the directory's"
    );
    assert!(
        films(&env_stricter) < films(&no_flag),
        "REELCAST__INGEST__MIN_VOTES=100000 narrows: {} films",
        films(&env_stricter)
    );
}

#[test]
fn a_filter_looser_than_a_processed_directorys_is_refused_naming_flag_values_and_fix() {
    let sandbox = Sandbox::new();
    sandbox
        .run([
            "data",
            "ingest",
            "--min-votes",
            "1000",
            "--out",
            "processed",
        ])
        .success();

    let flag = sandbox
        .run(["train", "--data", "processed", "--min-votes", "50"])
        .error();
    let env = sandbox
        .run_with_env(
            ["train", "--data", "processed"],
            &[("REELCAST__INGEST__MIN_VOTES", "500")],
        )
        .error();

    assert_eq!(
        flag,
        "loading processed: --min-votes 50 is looser than the 1000 this processed dataset was ingested with, so the titles it would add are not in it; re-ingest the raw files with `reelcast data ingest --min-votes 50`, or read them directly with --imdb-dir"
    );
    assert!(
        env.starts_with("loading processed: --min-votes 500 is looser than the 1000 "),
        "{env}"
    );
    assert!(!sandbox.join("artifacts").exists(), "nothing trained");
}

#[test]
fn data_over_the_bad_row_limit_fails_the_gate_with_exit_1_like_data_ingest() {
    let sandbox = Sandbox::new();
    let basics = crate::helpers::bad("bad-year", "title.basics.tsv");

    let run = sandbox.run(["train", "--basics", &basics, "--ratings", EXCERPT_RATINGS]);

    assert_eq!(run.code, 1, "a failed gate exits 1: {}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        format!("error: loading {basics} + {EXCERPT_RATINGS}: title.basics.tsv: 1 of 75 rows are bad (0.0133), above max_bad_row_ratio 0.01; run `reelcast data validate` with the same inputs to see them by reason and line, or raise --max-bad-row-ratio")
    );
    assert!(!sandbox.join("artifacts").exists(), "nothing trained");
}
