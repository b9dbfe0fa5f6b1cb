//! Layered configuration: embedded defaults, `--config FILE`, `APP_ENV` profiles,
//! `REELCAST__SECTION__KEY` variables, then flags.

use crate::helpers::Sandbox;

#[test]
fn a_config_file_changes_training_defaults() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "custom.toml",
        "[train]\nseed = 7\nmodel = \"rf\"\nout_dir = \"models\"\n",
    );

    let out = sandbox
        .run([
            "--config",
            "custom.toml",
            "train",
            "--json",
            "--trees",
            "10",
        ])
        .json();

    assert_eq!(out["seed"], 7);
    assert_eq!(out["model_kind"], "random_forest");
    assert!(sandbox.join("models/model.bundle").is_file());
    // evaluate finds the bundle through the same setting.
    let eval = sandbox
        .run(["--config", "custom.toml", "evaluate", "--json"])
        .json();
    assert_eq!(eval["n"], 6091);
}

#[test]
fn environment_variables_override_the_file_and_flags_override_both() {
    let sandbox = Sandbox::new();
    sandbox.write("custom.toml", "[ingest]\nmin_votes = 100\n");
    let env = [("REELCAST__INGEST__MIN_VOTES", "4000000000")];

    let message = sandbox
        .run_with_env(["--config", "custom.toml", "train", "--trees", "5"], &env)
        .error();
    assert!(message.contains("after votes filter 0"), "{message}");

    let out = sandbox
        .run_with_env(
            [
                "--config",
                "custom.toml",
                "train",
                "--json",
                "--trees",
                "5",
                "--min-votes",
                "50",
            ],
            &env,
        )
        .json();
    assert_eq!(
        out["n_train"].as_u64().unwrap() + out["n_test"].as_u64().unwrap(),
        6091
    );
}

#[test]
fn an_unknown_key_is_an_error_naming_it() {
    let sandbox = Sandbox::new();
    sandbox.write("typo.toml", "[ingest]\nmin_vote = 10\n");

    let message = sandbox.run(["--config", "typo.toml", "train"]).error();

    assert!(message.starts_with("reading configuration"), "{message}");
    assert!(message.contains("min_vote"), "{message}");
}

#[test]
fn an_app_env_profile_is_layered_and_a_missing_one_is_named() {
    let sandbox = Sandbox::new();
    sandbox.write("config/ci.toml", "[train]\ntest_fraction = 0.25\n");

    let out = sandbox
        .run_with_env(["train", "--json", "--trees", "5"], &[("APP_ENV", "ci")])
        .json();
    assert_eq!(
        out["n_test"], 1528,
        "the films whose tconst hashes under 0.25"
    );

    let message = sandbox
        .run_with_env(["train"], &[("APP_ENV", "staging")])
        .error();
    assert_eq!(
        message,
        "APP_ENV=staging but config/staging.toml does not exist; create it or unset APP_ENV"
    );
}

#[test]
fn an_invalid_value_is_named_with_its_rule() {
    let sandbox = Sandbox::new();
    let message = sandbox
        .run_with_env(["train"], &[("REELCAST__TRAIN__MODEL", "svm")])
        .error();
    assert_eq!(message, "[train] model \"svm\" is not \"rf\" or \"gbt\"");
}
