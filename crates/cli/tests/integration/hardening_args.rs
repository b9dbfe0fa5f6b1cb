//! Flag values that are easy to mishandle: negative numbers, which clap can take for
//! unknown flags; sizes, which have upper bounds; and the final error of `--log-format
//! json`, which is one JSON object like the log lines.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::Sandbox;

#[test]
fn negative_numbers_get_the_flags_rule_not_unexpected_argument() {
    let sandbox = Sandbox::new();
    // (arguments, what the message must say: the flag and its rule)
    let cases: &[(&[&str], &str)] = &[
        (
            &["train", "--test-fraction", "-0.1"],
            "--test-fraction: -0.1 is not strictly between 0 and 1",
        ),
        (
            &["train", "--seed", "-1"],
            "'--seed <SEED>': a whole number from 0 to 2^64-1",
        ),
        (
            &["train", "--min-votes", "-1"],
            "'--min-votes <MIN_VOTES>': a whole number from 0 to 4294967295",
        ),
        (
            &["train", "--trees", "-5"],
            "'--trees <TREES>': a whole number from 1 to 10000",
        ),
        (
            &["train", "--cv", "-3"],
            "'--cv <K>': a whole number of folds from 2 to 100",
        ),
        (
            &["data", "ingest", "--min-year", "-1900"],
            "'--min-year <MIN_YEAR>': a year, a whole number from 0 to 65535",
        ),
        (
            &["data", "ingest", "--max-bad-row-ratio", "-0.5"],
            "--max-bad-row-ratio: -0.5 is not between 0 and 1",
        ),
        (
            &["serve", "--port", "-1"],
            "'--port <PORT>': a port from 0 to 65535 (0 picks a free one)",
        ),
        (
            &["models", "promote", "movie_rating_gbt", "-1"],
            "'<VERSION>': a version number, a whole number from 1 to 2^64-1",
        ),
        (
            &["runs", "list", "--limit", "-1"],
            "'--limit <LIMIT>': a whole number from 1 to 1000000",
        ),
        (
            &["healthcheck", "--timeout-seconds", "-1"],
            "'--timeout-seconds <TIMEOUT_SECONDS>': a number of seconds above 0 and at most 3600",
        ),
        (
            &["sentiment", "train", "--data", "r.csv", "--seed", "-1"],
            "'--seed <SEED>': a whole number from 0 to 2^64-1",
        ),
        (
            &["sentiment", "train", "--data", "r.csv", "--c", "-4"],
            "'--c <C>': a finite number above 0",
        ),
        (
            &["sentiment", "train", "--data", "r.csv", "--max-ngram", "-1"],
            "'--max-ngram <MAX_NGRAM>': a whole number from 1 to 3",
        ),
        (
            &[
                "sentiment",
                "train",
                "--data",
                "r.csv",
                "--log2-buckets",
                "-1",
            ],
            "'--log2-buckets <LOG2_BUCKETS>': a whole number from 12 to 24",
        ),
        (
            &["sentiment", "train", "--data", "r.csv", "--min-df", "-1"],
            "'--min-df <MIN_DF>': a whole number from 1 to 4294967295",
        ),
        (
            &[
                "sentiment",
                "evaluate",
                "--data",
                "r.csv",
                "--min-accuracy",
                "-0.1",
            ],
            "'--min-accuracy <MIN_ACCURACY>': a number from 0 to 1 (e.g. 0.9 for 90%)",
        ),
    ];

    for (args, wanted) in cases {
        let run = sandbox.run(*args);

        let message = run.error();
        assert!(
            message.contains(wanted),
            "case `{}`: wanted {wanted:?} in:\n{message}",
            run.command
        );
        assert!(
            !message.contains("unexpected argument"),
            "case `{}`:\n{message}",
            run.command
        );
    }
    assert!(
        !sandbox.join("artifacts").exists(),
        "nothing written on failure"
    );
}

#[test]
fn sizes_above_their_bound_are_refused_before_any_work() {
    let sandbox = Sandbox::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["train", "--trees", "100000000"],
            "invalid value '100000000' for '--trees <TREES>': a whole number from 1 to 10000",
        ),
        (
            &["train", "--trees", "10001"],
            "'--trees <TREES>': a whole number from 1 to 10000",
        ),
        (
            &["train", "--cv", "101"],
            "'--cv <K>': a whole number of folds from 2 to 100",
        ),
        (
            &["runs", "gc", "--limit", "1000001"],
            "'--limit <LIMIT>': a whole number from 1 to 1000000",
        ),
    ];

    for (args, wanted) in cases {
        // Refusal is immediate; without the bound `--trees 100000000` trains for minutes,
        // so the deadline turns such a regression into a failure instead of a hang.
        let (code, stderr) = run_with_deadline(&sandbox, args, Duration::from_secs(60));

        assert_eq!(code, 2, "case {args:?}:\n{stderr}");
        assert!(stderr.contains(wanted), "case {args:?}:\n{stderr}");
    }
    assert!(
        !sandbox.join("artifacts").exists(),
        "nothing written on failure"
    );
}

#[test]
fn a_failing_command_in_json_log_mode_ends_with_one_json_error_object() {
    let sandbox = Sandbox::new();

    let run = sandbox.run([
        "--log-format",
        "json",
        "train",
        "--trees",
        "5",
        "--test-fraction",
        "1.5",
    ]);

    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines = json_lines(&run.stderr);
    let last = lines.last().expect("at least the error line");
    assert_eq!(last["level"], "ERROR", "{last:#}");
    assert_eq!(
        last["fields"]["message"],
        "--test-fraction: 1.5 is not strictly between 0 and 1 (e.g. 0.2 holds out 20%)",
        "{last:#}"
    );
    assert!(last["timestamp"].is_string(), "{last:#}");
    assert_eq!(last["fields"]["exit_code"], 2, "{last:#}");
}

#[test]
fn the_json_error_object_carries_the_cause_chain_and_is_not_filtered_out() {
    let sandbox = Sandbox::new();

    // RUST_LOG=off silences every log line, but never the final error (as in text mode).
    let run = sandbox.run_with_env(
        [
            "--log-format",
            "json",
            "evaluate",
            "--model",
            "missing/model.bundle",
        ],
        &[("RUST_LOG", "off")],
    );

    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines = json_lines(&run.stderr);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    let message = lines[0]["fields"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("loading the model (train one with `reelcast train --out missing`): "),
        "{message}"
    );
    assert!(
        message.contains("missing/model.bundle"),
        "the cause is in the chain: {message}"
    );
    assert_eq!(lines[0]["level"], "ERROR");
}

#[test]
fn a_bad_flag_in_json_log_mode_is_one_json_error_object() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(["train", "--seed", "-1", "--log-format", "json"]);

    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines = json_lines(&run.stderr);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert_eq!(lines[0]["level"], "ERROR");
    assert_eq!(
        lines[0]["fields"]["message"],
        "invalid value '-1' for '--seed <SEED>': a whole number from 0 to 2^64-1"
    );
}

#[test]
fn a_failing_command_in_text_log_mode_still_ends_with_an_error_line() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(["--log-format", "text", "train", "--test-fraction", "1.5"]);

    assert_eq!(
        run.error(),
        "--test-fraction: 1.5 is not strictly between 0 and 1 (e.g. 0.2 holds out 20%)"
    );
}

/// Every stderr line parsed as JSON; panics naming the first line that is not.
#[track_caller]
fn json_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}\nstderr:\n{stderr}"))
        })
        .collect()
}

/// Runs `reelcast --log-level warn ARGS` in the sandbox, killing it after `deadline`;
/// returns the exit code (`-1` when killed) and stderr.
fn run_with_deadline(sandbox: &Sandbox, args: &[&str], deadline: Duration) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reelcast"))
        .current_dir(sandbox.path())
        .env_remove("RUST_LOG")
        .env_remove("APP_ENV")
        .args(["--log-level", "warn"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the reelcast binary");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code().unwrap_or(-1), stderr)
}
