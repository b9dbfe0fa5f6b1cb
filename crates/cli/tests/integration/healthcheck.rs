//! `reelcast healthcheck`: flag values that are not a URL or a timeout are argument
//! errors (exit 2), told apart from a server that is not ready (exit 1). Probing a live
//! server is tested in `serve.rs`.

use crate::helpers::Sandbox;

#[test]
fn a_url_that_is_not_an_absolute_http_url_is_an_argument_error() {
    let sandbox = Sandbox::new();
    // (value, why the URL crate refuses it, when it does)
    let cases = [
        ("notaurl", " (relative URL without a base)"),
        ("127.0.0.1:8000", " (relative URL without a base)"),
        ("localhost:8000", ""),
        ("ftp://127.0.0.1:8000", ""),
        ("http://", " (empty host)"),
    ];

    for (value, why) in cases {
        let run = sandbox.run(["healthcheck", "--url", value]);

        let message = run.error();
        assert_eq!(
            message.lines().next().unwrap(),
            format!(
                "invalid value '{value}' for '--url <URL>': not an absolute http:// or https:// URL{why}; e.g. --url http://127.0.0.1:8000"
            ),
            "case {value}"
        );
        assert!(
            run.stdout.is_empty(),
            "case {value}: no request: {}",
            run.stdout
        );
    }
}

#[test]
fn a_timeout_that_is_not_a_positive_number_of_seconds_is_an_argument_error() {
    let sandbox = Sandbox::new();

    // `inf` and `1e30` panicked converting to a Duration (exit 101).
    for value in ["0", "-1", "NaN", "inf", "1e30", "3601"] {
        let run = sandbox.run(["healthcheck", "--timeout-seconds", value]);

        let message = run.error();
        assert_eq!(
            message.lines().next().unwrap(),
            format!(
                "invalid value '{value}' for '--timeout-seconds <TIMEOUT_SECONDS>': a number of seconds above 0 and at most 3600"
            ),
            "case {value}"
        );
    }
}

#[test]
fn a_valid_url_without_a_server_is_not_ready() {
    let sandbox = Sandbox::new();
    // Nothing listens on port 1; an upper-case scheme and a trailing slash are fine.
    let run = sandbox.run([
        "healthcheck",
        "--url",
        "HTTP://127.0.0.1:1/",
        "--timeout-seconds",
        "5",
    ]);

    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("not ready: http://127.0.0.1:1/health/ready: "),
        "{}",
        run.stdout
    );
}

#[test]
fn a_bad_url_in_json_log_mode_is_one_json_error_object() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(["--log-format", "json", "healthcheck", "--url", "notaurl"]);

    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert_eq!(lines[0]["level"], "ERROR");
    assert!(
        lines[0]["fields"]["message"].as_str().unwrap().starts_with(
            "invalid value 'notaurl' for '--url <URL>': not an absolute http:// or https:// URL"
        ),
        "{}",
        lines[0]
    );
}
