//! The value parsers of the command line's numbers and URLs. Each error is the rule;
//! clap adds the flag and the value: "invalid value '-1' for '--seed <SEED>': a whole
//! number from 0 to 2^64-1".

/// Most trees `--trees` accepts. Well above any sensible use (the families' defaults
/// and the search grid use a few hundred; a thousand Random Forest trees already make a
/// 30 MB bundle), low enough that a typo such as 100000000 is refused at once instead of
/// training for hours and filling memory.
const MAX_TREES: usize = 10_000;
/// Most folds `--cv` accepts: 5 or 10 is usual, and each fold trains one model, so more
/// than 100 costs a hundred trainings for no better estimate.
const MAX_FOLDS: usize = 100;
/// Most runs `runs list|gc --limit` reads: past any experiment of one run per training;
/// bounded so that a typo is refused rather than read as "all".
const MAX_RUN_LIMIT: usize = 1_000_000;
/// Longest `healthcheck --timeout-seconds`: an hour, far past any container
/// HEALTHCHECK; also keeps the value a valid `Duration`.
const MAX_TIMEOUT_SECONDS: f64 = 3600.0;

/// A whole number in `range`; anything else breaks `rule`.
fn whole_in<T: std::str::FromStr + PartialOrd>(
    s: &str,
    range: std::ops::RangeInclusive<T>,
    rule: &str,
) -> Result<T, String> {
    s.parse()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| rule.to_owned())
}

pub(super) fn seed(s: &str) -> Result<u64, String> {
    whole_in(s, 0..=u64::MAX, "a whole number from 0 to 2^64-1")
}

pub(super) fn whole_u32(s: &str) -> Result<u32, String> {
    whole_in(s, 0..=u32::MAX, "a whole number from 0 to 4294967295")
}

pub(super) fn year(s: &str) -> Result<u16, String> {
    whole_in(s, 0..=u16::MAX, "a year, a whole number from 0 to 65535")
}

pub(super) fn port(s: &str) -> Result<u16, String> {
    whole_in(
        s,
        0..=u16::MAX,
        "a port from 0 to 65535 (0 picks a free one)",
    )
}

pub(super) fn version(s: &str) -> Result<u64, String> {
    whole_in(
        s,
        1..=u64::MAX,
        "a version number, a whole number from 1 to 2^64-1",
    )
}

pub(super) fn trees(s: &str) -> Result<usize, String> {
    whole_in(
        s,
        1..=MAX_TREES,
        &format!("a whole number from 1 to {MAX_TREES}"),
    )
}

/// Up to [`MAX_FOLDS`]; 0 and 1 pass, for the pipeline's check, which also needs 10
/// rows per fold and so names the training rows.
pub(super) fn folds(s: &str) -> Result<usize, String> {
    whole_in(
        s,
        0..=MAX_FOLDS,
        &format!("a whole number of folds from 2 to {MAX_FOLDS}"),
    )
}

pub(super) fn run_limit(s: &str) -> Result<usize, String> {
    whole_in(
        s,
        1..=MAX_RUN_LIMIT,
        &format!("a whole number from 1 to {MAX_RUN_LIMIT}"),
    )
}

// The sentiment ranges are the ones `reelcast_sentiment::TrainParams::check` applies;
// here they are refused before the reviews are read, naming the flag.

pub(super) fn max_ngram(s: &str) -> Result<u8, String> {
    in_range(s, reelcast_sentiment::MAX_NGRAM_RANGE)
}

pub(super) fn log2_buckets(s: &str) -> Result<u8, String> {
    in_range(s, reelcast_sentiment::LOG2_BUCKETS_RANGE)
}

/// A whole number in `range`, whose bounds the rule names.
fn in_range(s: &str, range: std::ops::RangeInclusive<u8>) -> Result<u8, String> {
    let rule = format!("a whole number from {} to {}", range.start(), range.end());
    whole_in(s, range, &rule)
}

pub(super) fn positive_u32(s: &str) -> Result<u32, String> {
    whole_in(s, 1..=u32::MAX, "a whole number from 1 to 4294967295")
}

pub(super) fn short_max_chars(s: &str) -> Result<u32, String> {
    whole_in(
        s,
        0..=reelcast_sentiment::MAX_TEXT_CHARS as u32,
        "a whole number from 0 (no short-text table) to 20000",
    )
}

pub(super) fn penalty(s: &str) -> Result<f64, String> {
    s.parse()
        .ok()
        .filter(|c: &f64| c.is_finite() && *c > 0.0)
        .ok_or_else(|| "a finite number above 0".to_owned())
}

pub(super) fn accuracy(s: &str) -> Result<f64, String> {
    s.parse()
        .ok()
        .filter(|a| (0.0..=1.0).contains(a))
        .ok_or_else(|| "a number from 0 to 1 (e.g. 0.9 for 90%)".to_owned())
}

pub(super) fn timeout_seconds(s: &str) -> Result<f64, String> {
    s.parse()
        .ok()
        .filter(|t: &f64| *t > 0.0 && *t <= MAX_TIMEOUT_SECONDS)
        .ok_or_else(|| format!("a number of seconds above 0 and at most {MAX_TIMEOUT_SECONDS}"))
}

/// An absolute http:// or https:// URL, returned in its normal form (lower-case scheme
/// and host); checked here so that a bad one is an argument error, before any request.
pub(super) fn http_url(s: &str) -> Result<String, String> {
    let rule = "not an absolute http:// or https:// URL";
    let example = "e.g. --url http://127.0.0.1:8000";
    match reqwest::Url::parse(s) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
            Ok(url.to_string())
        }
        Ok(_) => Err(format!("{rule}; {example}")),
        Err(e) => Err(format!("{rule} ({e}); {example}")),
    }
}
