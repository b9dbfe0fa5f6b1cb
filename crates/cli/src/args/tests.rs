use clap::Parser;

use super::*;

/// The error clap gives for `reelcast ARGS`, first line, without `error: `.
fn refusal(args: &[&str]) -> String {
    let e = Cli::try_parse_from(std::iter::once("reelcast").chain(args.iter().copied()))
        .expect_err("the arguments are refused");
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default();
    first.strip_prefix("error: ").unwrap_or(first).to_owned()
}

fn train_args(args: &[&str]) -> TrainArgs {
    let cli = Cli::try_parse_from(["reelcast", "train"].iter().chain(args))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let Command::Train(a) = cli.command else {
        panic!("{args:?} is not parsed as train")
    };
    a
}

#[test]
fn size_flags_accept_their_bounds_and_refuse_past_them() {
    assert_eq!(train_args(&["--trees", "10000"]).trees, Some(10_000));
    assert_eq!(train_args(&["--trees", "1"]).trees, Some(1));
    assert_eq!(train_args(&["--cv", "100"]).cv, Some(100));
    assert_eq!(
        refusal(&["train", "--trees", "10001"]),
        "invalid value '10001' for '--trees <TREES>': a whole number from 1 to 10000"
    );
    assert_eq!(
        refusal(&["train", "--trees", "0"]),
        "invalid value '0' for '--trees <TREES>': a whole number from 1 to 10000"
    );
    assert_eq!(
        refusal(&["train", "--cv", "101"]),
        "invalid value '101' for '--cv <K>': a whole number of folds from 2 to 100"
    );
    assert_eq!(
        refusal(&["runs", "list", "--limit", "0"]),
        "invalid value '0' for '--limit <LIMIT>': a whole number from 1 to 1000000"
    );
}

#[test]
fn folds_below_two_are_left_to_the_pipeline_which_names_the_rows() {
    assert_eq!(train_args(&["--cv", "1"]).cv, Some(1));
}

#[test]
fn negative_numbers_are_values_refused_by_the_flags_rule() {
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "seed",
            &["train", "--seed", "-1"],
            "invalid value '-1' for '--seed <SEED>': a whole number from 0 to 2^64-1",
        ),
        (
            "min votes",
            &["data", "ingest", "--min-votes", "-1"],
            "invalid value '-1' for '--min-votes <MIN_VOTES>': a whole number from 0 to 4294967295",
        ),
        (
            "port",
            &["serve", "--port", "-80"],
            "invalid value '-80' for '--port <PORT>': a port from 0 to 65535 (0 picks a free one)",
        ),
        (
            "version",
            &["models", "promote", "m", "-2"],
            "invalid value '-2' for '<VERSION>': a version number, a whole number from 1 to 2^64-1",
        ),
        (
            "min accuracy",
            &["sentiment", "evaluate", "--data", "r.csv", "--min-accuracy", "-0.5"],
            "invalid value '-0.5' for '--min-accuracy <MIN_ACCURACY>': a number from 0 to 1 (e.g. 0.9 for 90%)",
        ),
    ];
    for (label, args, wanted) in cases {
        assert_eq!(refusal(args), *wanted, "case {label}");
    }
}

#[test]
fn negative_fractions_reach_the_commands_range_check() {
    let a = train_args(&["--test-fraction", "-0.1"]);

    assert_eq!(a.test_fraction, Some(-0.1));
}

#[test]
fn a_negative_number_does_not_swallow_the_next_flag() {
    assert_eq!(
        refusal(&["train", "--seed", "--json"]),
        "a value is required for '--seed <SEED>' but none was supplied"
    );
}

#[test]
fn healthcheck_url_must_be_an_absolute_http_url() {
    let cases = [
        ("http://127.0.0.1:8000", Ok("http://127.0.0.1:8000/")),
        ("HTTPS://Example.COM/base/", Ok("https://example.com/base/")),
        (
            "notaurl",
            Err("not an absolute http:// or https:// URL (relative URL without a base); e.g. --url http://127.0.0.1:8000"),
        ),
        (
            "file:///tmp/x",
            Err("not an absolute http:// or https:// URL; e.g. --url http://127.0.0.1:8000"),
        ),
    ];
    for (input, wanted) in cases {
        assert_eq!(
            http_url(input),
            wanted.map(str::to_owned).map_err(str::to_owned),
            "case {input}"
        );
    }
}

#[test]
fn healthcheck_timeout_must_be_a_positive_number_of_seconds_up_to_an_hour() {
    for ok in ["0.001", "5", "3600"] {
        assert!(timeout_seconds(ok).is_ok(), "case {ok}");
    }
    for bad in ["0", "-1", "NaN", "inf", "1e30", "3600.5", "five"] {
        assert_eq!(
            timeout_seconds(bad),
            Err("a number of seconds above 0 and at most 3600".to_owned()),
            "case {bad}"
        );
    }
}

#[test]
fn the_log_format_of_a_refused_command_line_is_read_without_clap() {
    let cases: &[(&str, &[&str], bool)] = &[
        ("none", &["train", "--seed", "-1"], false),
        ("separate value", &["--log-format", "json", "train"], true),
        (
            "after the command",
            &["train", "--log-format", "json"],
            true,
        ),
        ("equals form", &["train", "--log-format=json"], true),
        (
            "last wins",
            &["--log-format=json", "--log-format", "text"],
            false,
        ),
        ("after --", &["train", "--", "--log-format", "json"], false),
        ("no value", &["train", "--log-format"], false),
    ];
    for (label, args, json) in cases {
        let format = requested_log_format(args.iter().map(OsString::from));

        assert_eq!(matches!(format, LogFormat::Json), *json, "case {label}");
    }
}
