//! `reelcast train --register …`, `reelcast runs …` and `reelcast models …` against an
//! embedded registry (`sqlite:///./reelcast.db` in the sandbox), and the path taken when
//! the tracking server is unreachable.

use serde_json::Value;

use crate::helpers::{num, sha256_file, Sandbox};

const MODEL: &str = "movie_rating_gbt";

/// `train --json --out OUT --trees N EXTRA...`; returns the JSON it printed.
fn train(sandbox: &Sandbox, out: &str, trees: &str, extra: &[&str]) -> Value {
    let mut args = vec!["train", "--json", "--trees", trees, "--out", out];
    args.extend_from_slice(extra);
    sandbox.run(&args).json()
}

/// Creates the sandbox's registry, empty, as a writing command that registered nothing
/// leaves it.
fn create_empty_registry(sandbox: &Sandbox) {
    reelcast_registry::open(
        &format!("sqlite:///{}", sandbox.join("reelcast.db").display()),
        &reelcast_registry::OpenOptions::default(),
    )
    .unwrap();
}

fn champion(sandbox: &Sandbox) -> u64 {
    let show = sandbox.run(["models", "show", MODEL, "--json"]).json();
    show["model"]["aliases"]["champion"]
        .as_u64()
        .unwrap_or_else(|| panic!("no champion in {show:#}"))
}

#[test]
fn train_register_twice_numbers_versions_and_makes_the_first_champion() {
    let sandbox = Sandbox::new();

    let first = train(&sandbox, "a", "5", &["--register"]);
    let second = train(&sandbox, "b", "5", &["--register", "--alias", "challenger"]);

    assert_eq!(first["registered"]["name"], MODEL);
    assert_eq!(first["registered"]["version"], 1);
    assert_eq!(first["registered"]["first_champion"], true);
    assert_eq!(
        first["registered"]["aliases"],
        serde_json::json!(["champion"])
    );
    assert_eq!(second["registered"]["version"], 2);
    assert_eq!(second["registered"]["first_champion"], false);
    assert_eq!(
        second["registered"]["aliases"],
        serde_json::json!(["challenger"])
    );
    assert!(sandbox.join("reelcast.db").is_file());
    assert!(sandbox.join("reelcast-artifacts").is_dir());
    let models = sandbox.run(["models", "list", "--json"]).json();
    assert_eq!(models[0]["name"], MODEL);
    assert_eq!(models[0]["latest_version"], 2);
    assert_eq!(models[0]["aliases"]["champion"], 1);
    assert_eq!(models[0]["aliases"]["challenger"], 2);
    let v2 = sandbox
        .run(["models", "show", &format!("{MODEL}/2"), "--json"])
        .json();
    assert_eq!(
        v2["tags"]["bundle_sha256"],
        sha256_file(&sandbox.join("b/model.bundle"))
    );
    assert_eq!(v2["tags"]["model_kind"], "gbt");
    assert_eq!(v2["tags"]["seed"], "42");
    assert_eq!(v2["tags"]["dataset_version"], second["dataset_version"]);
    assert_eq!(v2["run_id"], second["tracking"]["run_id"]);
    assert_eq!(v2["artifact_path"], "model", "the MLflow model folder");
    let description = v2["description"].as_str().unwrap();
    assert!(
        description.contains(second["dataset_version"].as_str().unwrap())
            && description.contains("test RMSE"),
        "{description}"
    );
    let shown = sandbox.run(["models", "show", MODEL]).success().stdout;
    assert!(
        shown.contains("about    Predicts a movie's average IMDb rating"),
        "{shown}"
    );
}

#[test]
fn first_registration_prints_that_it_became_champion() {
    let sandbox = Sandbox::new();

    let run = sandbox
        .run([
            "train",
            "--trees",
            "5",
            "--register",
            "--model-name",
            "demo",
        ])
        .success();

    assert!(
        run.stdout.contains("registered demo version 1"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("champion: version 1 is the first champion of demo"),
        "{}",
        run.stdout
    );
}

#[test]
fn promote_if_better_promotes_a_better_model_and_keeps_a_worse_one() {
    let sandbox = Sandbox::new();
    train(&sandbox, "weak", "1", &["--register"]);

    let better = sandbox
        .run([
            "train",
            "--trees",
            "30",
            "--out",
            "good",
            "--register",
            "--promote-if-better",
        ])
        .success();
    let worse = sandbox.run([
        "train",
        "--trees",
        "1",
        "--out",
        "weak2",
        "--register",
        "--promote-if-better",
        "--require-better",
    ]);
    let worse_json = sandbox.run([
        "train",
        "--json",
        "--trees",
        "1",
        "--out",
        "weak3",
        "--register",
        "--promote-if-better",
    ]);

    assert!(
        better.stdout.contains("promoted: version 2")
            && better.stdout.contains("beats champion version 1")
            && better.stdout.contains("@champion: 1 -> 2"),
        "{}",
        better.stdout
    );
    assert_eq!(
        worse.code, 1,
        "--require-better exits 1 when not better\n{}",
        worse.stderr
    );
    assert!(
        worse.stdout.contains("not promoted: version 3")
            && worse.stdout.contains("does not beat champion version 2"),
        "{}",
        worse.stdout
    );
    let promotion = &worse_json.json()["promotion"];
    assert_eq!(promotion["promoted"], false);
    assert_eq!(promotion["champion_version"], 2);
    assert_eq!(
        promotion["rows"], 1229,
        "the films both models hold out (a hash of the tconst)"
    );
    assert!(
        num(promotion, "new_rmse") > num(promotion, "champion_rmse"),
        "{promotion:#}"
    );
    assert_eq!(champion(&sandbox), 2);
}

#[test]
fn models_promote_and_rollback_walk_the_alias_history() {
    let sandbox = Sandbox::new();
    for (out, seed) in [("a", "1"), ("b", "2"), ("c", "3")] {
        train(&sandbox, out, "3", &["--register", "--seed", seed]);
    }

    let to2 = sandbox
        .run(["models", "promote", MODEL, "2", "--alias", "champion"])
        .success();
    let to3 = sandbox.run(["models", "promote", MODEL, "3"]).success();
    let back1 = sandbox.run(["models", "rollback", MODEL]).success();
    let back2 = sandbox.run(["models", "rollback", MODEL, "--json"]).json();
    let none_left = sandbox.run(["models", "rollback", MODEL]);

    assert_eq!(to2.stdout.trim(), format!("{MODEL} @champion: 1 -> 2"));
    assert_eq!(to3.stdout.trim(), format!("{MODEL} @champion: 2 -> 3"));
    assert_eq!(
        back1.stdout.trim(),
        format!("{MODEL} @champion: 3 -> 2 (rolled back)")
    );
    assert_eq!(
        (back2["from_version"].as_u64(), back2["to_version"].as_u64()),
        (Some(2), Some(1))
    );
    assert_ne!(none_left.code, 0);
    assert!(
        none_left.stderr.contains("no earlier champion"),
        "{}",
        none_left.stderr
    );
    assert!(
        none_left.stderr.contains("reelcast models promote"),
        "{}",
        none_left.stderr
    );
    assert_eq!(champion(&sandbox), 1);
    let show = sandbox.run(["models", "show", MODEL]).success();
    for header in ["version", "test_rmse", "aliases", "@champion"] {
        assert!(show.stdout.contains(header), "{header}:\n{}", show.stdout);
    }
}

#[test]
fn unknown_models_and_versions_are_explained() {
    let sandbox = Sandbox::new();
    // A missing registry is another error (nothing tracked there yet).
    create_empty_registry(&sandbox);
    let empty = sandbox.run(["models", "show", "nope"]);
    train(&sandbox, "a", "3", &["--register"]);

    let unknown = sandbox.run(["models", "show", "nope"]);
    let no_version = sandbox.run(["models", "promote", MODEL, "9"]);
    let rollback = sandbox.run(["models", "rollback", "nope"]);

    assert!(
        empty
            .stderr
            .contains("train one with `reelcast train --register`"),
        "{}",
        empty.stderr
    );
    assert!(
        unknown.stderr.contains("known models: movie_rating_gbt"),
        "{}",
        unknown.stderr
    );
    assert!(
        no_version
            .stderr
            .contains("has no version 9; its versions are 1"),
        "{}",
        no_version.stderr
    );
    assert!(
        rollback.stderr.contains("known models: movie_rating_gbt"),
        "{}",
        rollback.stderr
    );
    for run in [&empty, &unknown, &no_version, &rollback] {
        assert_ne!(run.code, 0, "{}", run.command);
    }
}

#[test]
fn runs_list_show_and_compare_print_json_for_machines() {
    let sandbox = Sandbox::new();
    let a = train(&sandbox, "a", "3", &["--seed", "1", "--cv", "3"]);
    let b = train(&sandbox, "b", "3", &["--seed", "2"]);
    let (id_a, id_b) = (
        a["tracking"]["run_id"].as_str().unwrap().to_owned(),
        b["tracking"]["run_id"].as_str().unwrap().to_owned(),
    );

    let list = sandbox.run(["runs", "list", "--json"]).json();
    let show = sandbox.run(["runs", "show", &id_a, "--json"]).json();
    let compare = sandbox
        .run(["runs", "compare", &id_a, &id_b, "--json"])
        .json();
    let table = sandbox.run(["runs", "list", "--limit", "1"]).success();

    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id_b.as_str(), id_a.as_str()], "newest first");
    assert_eq!(list[0]["status"], "FINISHED");
    assert_eq!(list[0]["metrics"]["test_rmse"], b["rmse"]);
    let run = &show["run"];
    assert_eq!(run["experiment"], "imdb_movie_rating");
    assert_eq!(run["params"]["seed"], "1");
    assert_eq!(run["params"]["n_trees"], "3");
    assert_eq!(run["params"]["feature_set"], "full");
    assert_eq!(run["tags"]["model_kind"], "gbt");
    assert_eq!(run["tags"]["dataset_version"], a["dataset_version"]);
    for key in ["git_sha", "host", "reelcast_version"] {
        assert!(run["tags"][key].is_string(), "{key} missing from {run:#}");
    }
    for key in [
        "test_rmse",
        "test_mae",
        "test_r2",
        "baseline_rmse",
        "fit_seconds",
        "cv_rmse",
    ] {
        assert!(
            run["metrics"][key].is_number(),
            "{key} missing from {run:#}"
        );
    }
    assert_eq!(
        show["artifacts"],
        serde_json::json!([
            "feature_spec.json",
            "model/MLmodel",
            "model/feature_spec.json",
            "model/model.bundle",
            "report/feature_importance.svg",
            "report/predicted_vs_actual.svg",
            "report/report.json",
            "report/residuals.svg",
        ])
    );
    let input = &run["inputs"][0];
    assert_eq!(input["name"], "imdb_movies", "{run:#}");
    assert_eq!(input["digest"], a["dataset_version"]);
    assert_eq!(input["context"], "training");
    let shown = sandbox.run(["runs", "show", &id_a]).success().stdout;
    let dataset = a["dataset_version"].as_str().unwrap();
    assert!(
        shown.contains("inputs")
            && shown
                .lines()
                .any(|l| l.contains("imdb_movies") && l.contains(dataset)),
        "{shown}"
    );
    assert_eq!(compare["params"]["seed"]["same"], false);
    assert_eq!(compare["params"]["n_trees"]["same"], true);
    let diff = num(&compare["metrics"]["test_rmse"], "diff");
    assert!(
        (diff - (num(&b, "rmse") - num(&a, "rmse"))).abs() < 1e-12,
        "{diff}"
    );
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "header + 1 run:\n{}", table.stdout);
    assert!(
        lines[0].starts_with("run_id") && lines[1].starts_with(&id_b),
        "{}",
        table.stdout
    );
}

#[test]
fn unknown_runs_suggest_listing_them() {
    let sandbox = Sandbox::new();
    train(&sandbox, "a", "3", &[]);

    let run = sandbox.run(["runs", "show", "0123456789abcdef0123456789abcdef"]);

    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("not found") && run.stderr.contains("reelcast runs list"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unreachable_tracking_server_keeps_the_bundle_and_saves_the_run_for_push() {
    let sandbox = Sandbox::new();
    let down = [
        ("REELCAST__TRACKING__RETRIES", "0"),
        ("REELCAST__TRACKING__TIMEOUT_SECONDS", "2"),
    ];
    let offline = [
        "train",
        "--trees",
        "3",
        "--tracking-uri",
        "http://127.0.0.1:1",
    ];

    let plain = sandbox.run_with_env([&offline[..], &["--out", "plain"]].concat(), &down);
    let registering = sandbox.run_with_env(
        [&offline[..], &["--out", "reg", "--register"]].concat(),
        &down,
    );
    // Without --tracking-uri the push goes where the run was meant to go: still down.
    let to_saved = sandbox.run_with_env(["runs", "push", "reg"], &down);
    let local = "sqlite:///./reelcast.db";
    let pushed = sandbox
        .run(["runs", "push", "reg", "--json", "--tracking-uri", local])
        .json();
    let again = sandbox.run(["runs", "push", "reg", "--tracking-uri", local]);

    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(
        plain
            .stderr
            .contains("warning: tracking backend http://127.0.0.1:1 unreachable"),
        "{}",
        plain.stderr
    );
    assert!(
        plain.stderr.contains("`reelcast runs push plain`"),
        "{}",
        plain.stderr
    );
    assert!(sandbox.join("plain/model.bundle").is_file());
    assert!(sandbox.join("plain/report/report.json").is_file());
    let record: Value = serde_json::from_str(&sandbox.read("plain/pending-run.json")).unwrap();
    assert_eq!(record["params"]["n_trees"], "3");
    assert!(record["register"].is_null());
    assert_eq!(registering.code, 1, "{}", registering.stderr);
    assert!(
        registering.stderr.contains("was not registered"),
        "{}",
        registering.stderr
    );
    assert!(
        registering.stderr.contains("`reelcast runs push reg`"),
        "{}",
        registering.stderr
    );
    assert_eq!(to_saved.code, 2, "{}", to_saved.stderr);
    assert!(
        to_saved.stderr.contains("http://127.0.0.1:1"),
        "{}",
        to_saved.stderr
    );
    assert_eq!(pushed["uri_from_record"], false);
    assert_eq!(pushed["registered"]["version"], 1);
    assert_eq!(pushed["registered"]["first_champion"], true);
    assert!(sandbox.join("reg/pending-run.pushed.json").is_file());
    assert!(!sandbox.join("reg/pending-run.json").exists());
    assert_ne!(again.code, 0, "a pushed run is not pushed twice");
    let v1 = sandbox
        .run(["models", "show", &format!("{MODEL}/1"), "--json"])
        .json();
    assert_eq!(
        v1["tags"]["bundle_sha256"],
        sha256_file(&sandbox.join("reg/model.bundle"))
    );
    let run = sandbox
        .run(["runs", "show", v1["run_id"].as_str().unwrap(), "--json"])
        .json();
    assert_eq!(run["run"]["status"], "FINISHED");
    // The report's four files, feature_spec.json, and the model folder's three.
    assert_eq!(run["artifacts"].as_array().unwrap().len(), 8);
    assert_eq!(run["run"]["inputs"].as_array().unwrap().len(), 1);
}

#[test]
fn metrics_textfile_records_success_and_rmse_or_failure() {
    let sandbox = Sandbox::new();

    let ok = train(
        &sandbox,
        "a",
        "3",
        &["--metrics-textfile", "prom/reelcast.prom"],
    );
    let ok_text = sandbox.read("prom/reelcast.prom");
    let failed = sandbox.run([
        "train",
        "--min-votes",
        "4000000000",
        "--metrics-textfile",
        "prom/reelcast.prom",
    ]);
    let failed_text = sandbox.read("prom/reelcast.prom");

    for line in [
        "# TYPE reelcast_training_last_run_timestamp_seconds gauge",
        "# HELP reelcast_training_last_run_success ",
        "reelcast_training_last_run_success{model=\"movie_rating_gbt\"} 1",
    ] {
        assert!(ok_text.contains(line), "{line:?} missing:\n{ok_text}");
    }
    let rmse: f64 = ok_text
        .lines()
        .find_map(|l| {
            l.strip_prefix("reelcast_training_last_run_rmse{model=\"movie_rating_gbt\"} ")
        })
        .unwrap_or_else(|| panic!("no rmse line:\n{ok_text}"))
        .parse()
        .unwrap();
    assert!(
        (rmse - num(&ok, "rmse")).abs() < 1e-9,
        "{rmse} vs {}",
        ok["rmse"]
    );
    assert_ne!(failed.code, 0);
    assert!(
        failed_text.contains("reelcast_training_last_run_success{model=\"movie_rating_gbt\"} 0"),
        "{failed_text}"
    );
    assert!(
        !failed_text.contains("reelcast_training_last_run_rmse{"),
        "{failed_text}"
    );
    assert!(!sandbox.join("prom").read_dir().unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".tmp")));
}

#[test]
fn a_failed_training_marks_its_run_failed() {
    let sandbox = Sandbox::new();

    sandbox.run(["train", "--min-votes", "4000000000"]);
    let list = sandbox.run(["runs", "list", "--json"]).json();

    assert_eq!(list[0]["status"], "FAILED", "{list:#}");
}

#[test]
fn alias_champion_with_promote_if_better_is_refused_before_training() {
    let sandbox = Sandbox::new();

    let message = sandbox
        .run([
            "train",
            "--register",
            "--promote-if-better",
            "--alias",
            "champion",
        ])
        .error();

    assert!(
        message.contains("--alias champion would promote"),
        "{message}"
    );
    assert!(!sandbox.join("artifacts").exists());
}

#[test]
fn register_flags_need_register() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(["train", "--promote-if-better"]);

    assert_eq!(run.code, 2, "a usage error\n{}", run.stderr);
    assert!(run.stderr.contains("--register"), "{}", run.stderr);
}

/// The files and directories directly in the sandbox, sorted.
fn sandbox_entries(sandbox: &Sandbox) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(sandbox.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A mistyped tracking URI made `models list` print "no registered models", exit 0 and
/// create the database, its artifact folder and any missing directories.
#[test]
fn read_only_commands_refuse_a_missing_registry_and_create_nothing() {
    let sandbox = Sandbox::new();
    let commands: [&[&str]; 7] = [
        &["models", "list"],
        &["models", "list", "--json"],
        &["models", "show", MODEL],
        &["runs", "list"],
        &["runs", "list", "--json"],
        &["runs", "show", "6cfa"],
        &["runs", "compare", "6cfa", "0123"],
    ];

    for (uri, path) in [
        ("sqlite:///./reelcst.db", "./reelcst.db"),
        ("sqlite:///nonexistent/dir/x.db", "nonexistent/dir/x.db"),
    ] {
        for args in commands {
            let flag = sandbox.run([args, &["--tracking-uri", uri]].concat());
            let env = sandbox.run_with_env(args, &[("REELCAST_TRACKING_URI", uri)]);

            for run in [flag, env] {
                let message = run.error();
                assert!(
                    message.contains(path)
                        && message.contains("nothing has been tracked there yet")
                        && message.contains("reelcast train --register")
                        && message.contains("--tracking-uri / REELCAST_TRACKING_URI"),
                    "`{}`:\n{message}",
                    run.command
                );
                assert!(run.stdout.is_empty(), "`{}`:\n{}", run.command, run.stdout);
            }
        }
    }
    assert_eq!(sandbox_entries(&sandbox), Vec::<String>::new());
}

/// `runs gc` on a mistyped tracking URI created the database and its artifact folder and
/// printed "no stale runs": a registry that does not exist has nothing to collect.
#[test]
fn runs_gc_refuses_a_missing_registry_and_creates_nothing() {
    let sandbox = Sandbox::new();

    let text = sandbox.run(["runs", "gc", "--tracking-uri", "sqlite:///./nope.db"]);
    let json = sandbox.run_with_env(
        ["runs", "gc", "--json"],
        &[("REELCAST_TRACKING_URI", "sqlite:///./nope.db")],
    );

    for run in [text, json] {
        let message = run.error();
        assert!(
            message.starts_with("opening the tracking backend sqlite:///./nope.db: ")
                && message.contains("nope.db")
                && message.contains("nothing has been tracked there yet")
                && message.contains("reelcast train --register"),
            "`{}`:\n{message}",
            run.command
        );
        assert!(run.stdout.is_empty(), "`{}`:\n{}", run.command, run.stdout);
    }
    assert_eq!(sandbox_entries(&sandbox), Vec::<String>::new());
}

/// The shortest prefix of `id`, at least 4 digits, that `other` does not start with.
fn unique_prefix(id: &str, other: &str) -> String {
    (4..=id.len())
        .map(|n| id[..n].to_owned())
        .find(|p| !other.starts_with(p.as_str()))
        .unwrap()
}

/// After `train --experiment other`, `runs show PREFIX` looked for the prefix in the
/// default experiment only ("not found in experiment imdb_movie_rating").
#[test]
fn run_id_prefixes_resolve_in_every_experiment() {
    let sandbox = Sandbox::new();
    let other = train(&sandbox, "o", "3", &["--experiment", "other"]);
    let default = train(&sandbox, "d", "3", &[]);
    let (id_other, id_default) = (
        other["tracking"]["run_id"].as_str().unwrap(),
        default["tracking"]["run_id"].as_str().unwrap(),
    );
    let (p_other, p_default) = (
        unique_prefix(id_other, id_default),
        unique_prefix(id_default, id_other),
    );

    let shown = sandbox.run(["runs", "show", &p_other, "--json"]).json();
    let text = sandbox.run(["runs", "show", &p_other]).success();
    let compared = sandbox
        .run(["runs", "compare", &p_other, &p_default, "--json"])
        .json();

    assert_eq!(shown["run"]["run_id"], id_other, "{shown:#}");
    assert_eq!(shown["run"]["experiment"], "other", "{shown:#}");
    assert!(text.stdout.contains("experiment  other"), "{}", text.stdout);
    assert_eq!(compared["a"]["run_id"], id_other, "{compared:#}");
    assert_eq!(compared["b"]["run_id"], id_default, "{compared:#}");
}

/// `train --register` checks `--alias` and `--model-name` first: a bad one fails the
/// command before anything is trained, logged or registered.
#[test]
fn a_bad_alias_or_model_name_is_refused_before_anything_is_trained_or_logged() {
    let sandbox = Sandbox::new();
    let cases = [
        (
            "alias",
            ["--alias", "bad alias!"],
            "alias \"bad alias!\" must be 1-256 characters of letters, digits, `_`, `-` or `.`",
        ),
        (
            "model name",
            ["--model-name", "bad name/x"],
            "model name \"bad name/x\" must be 1-256 characters of letters, digits, `_`, `-` or `.`",
        ),
    ];

    for (label, flags, expected) in cases {
        let run = sandbox.run(
            [
                &["train", "--trees", "3", "--register", "--out", "out"][..],
                &flags[..],
            ]
            .concat(),
        );

        let message = run.error();
        assert!(message.contains(expected), "{label}:\n{message}");
        assert!(!message.contains("did not complete"), "{label}:\n{message}");
        assert_eq!(
            sandbox_entries(&sandbox),
            Vec::<String>::new(),
            "{label}: nothing trained, no registry written"
        );
    }
}

/// `runs list` on an empty registry exited 2 while `models list` exited 0.
#[test]
fn runs_list_of_an_empty_registry_or_experiment_says_so_and_exits_0() {
    let sandbox = Sandbox::new();
    create_empty_registry(&sandbox);

    let empty = sandbox.run(["runs", "list"]).success();
    let empty_json = sandbox.run(["runs", "list", "--json"]).json();
    train(&sandbox, "o", "3", &["--experiment", "other"]);
    let default = sandbox.run(["runs", "list"]).success();
    let other = sandbox
        .run(["runs", "list", "--experiment", "other", "--json"])
        .json();

    for run in [&empty, &default] {
        assert!(
            run.stdout
                .contains("no runs in experiment imdb_movie_rating of sqlite:///./reelcast.db yet")
                && run.stdout.contains("`reelcast train`"),
            "`{}`:\n{}",
            run.command,
            run.stdout
        );
    }
    assert_eq!(empty_json, serde_json::json!([]));
    assert_eq!(other.as_array().unwrap().len(), 1, "{other:#}");
}
