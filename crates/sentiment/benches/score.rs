//! Time to score one 1,500-char review with the shipped model (target: <= 50 µs), with
//! and without the explanation, and with the VADER lexicon (`?method=lexicon`) beside it;
//! and one Rotten Tomatoes sentence, which the character table scores too.
//!
//! The review is the first IMDb review of the committed held-out sample with at least
//! 1,500 chars, cut to its first 1,500 chars; the sentence is the sample's first Rotten
//! Tomatoes row.

#![forbid(unsafe_code)]

use std::hint::black_box;
use std::io::Read;

use criterion::{criterion_group, criterion_main, Criterion};
use reelcast_sentiment::{read_reviews, SentimentModel, Source};

/// The 1,500-char review and the sentence.
fn texts() -> (String, String) {
    let mut csv = String::new();
    flate2::read::GzDecoder::new(&include_bytes!("../tests/data/reviews_held_out.csv.gz")[..])
        .read_to_string(&mut csv)
        .expect("the committed sample is gzip'd UTF-8");
    let reviews = read_reviews(csv.as_bytes()).expect("the committed sample is valid");
    let long = reviews
        .iter()
        .find(|r| r.source == Source::Imdb && r.text.chars().count() >= 1500)
        .expect("the sample holds a review of 1,500 chars");
    let sentence = reviews
        .iter()
        .find(|r| r.source == Source::RottenTomatoes)
        .expect("the sample holds Rotten Tomatoes sentences");
    (
        long.text.chars().take(1500).collect(),
        sentence.text.clone(),
    )
}

fn bench(c: &mut Criterion) {
    let model = SentimentModel::embedded();
    let (text, sentence) = texts();
    c.bench_function("score_1500_chars", |b| {
        b.iter(|| model.probability(black_box(&text)))
    });
    c.bench_function("score_1500_chars_explained", |b| {
        b.iter(|| model.score(black_box(&text)))
    });
    c.bench_function("score_sentence", |b| {
        b.iter(|| model.probability(black_box(&sentence)))
    });
    c.bench_function("score_sentence_explained", |b| {
        b.iter(|| model.score(black_box(&sentence)))
    });
    c.bench_function("vader_1500_chars", |b| {
        b.iter(|| reelcast_sentiment::analyze(black_box(&text)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
