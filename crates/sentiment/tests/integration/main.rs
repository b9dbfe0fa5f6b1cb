//! Accuracy of `analyze` on the committed labelled review sets (target: ≥ 0.8 each).

mod helpers;
mod model;

use helpers::{evaluate, read_labelled};
use reelcast_sentiment::{analyze, Label, Language};

const MIN_ACCURACY: f64 = 0.8;

#[test]
fn english_labelled_set_accuracy_is_at_least_0_8() {
    let cases = read_labelled(include_str!("../data/labelled_en.tsv"));
    assert!(cases.len() >= 30, "only {} English cases", cases.len());
    let accuracy = evaluate("en", &cases, Language::En);
    assert!(
        accuracy >= MIN_ACCURACY,
        "en accuracy {accuracy:.3} < {MIN_ACCURACY}"
    );
}

#[test]
fn korean_labelled_set_accuracy_is_at_least_0_8() {
    let cases = read_labelled(include_str!("../data/labelled_ko.tsv"));
    assert!(cases.len() >= 30, "only {} Korean cases", cases.len());
    let accuracy = evaluate("ko", &cases, Language::Ko);
    assert!(
        accuracy >= MIN_ACCURACY,
        "ko accuracy {accuracy:.3} < {MIN_ACCURACY}"
    );
}

#[test]
fn korean_examples() {
    let cases = [
        ("훌륭한 영화에요!", Label::Positive),
        ("지루하고 별로였어요", Label::Negative),
    ];
    for (text, want) in cases {
        let got = analyze(text).expect("valid text");
        assert_eq!((got.label, got.language), (want, Language::Ko), "{text}");
    }
}
