//! Loading the labelled sets and counting a confusion matrix.

use reelcast_sentiment::{analyze, Label, Language};

/// One labelled sentence.
pub struct Case {
    pub line: usize,
    pub want: Label,
    pub text: String,
}

/// Parses `label<TAB>sentence` lines (blank lines and `#` comments skipped).
pub fn read_labelled(tsv: &str) -> Vec<Case> {
    tsv.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let (label, text) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("line {}: no tab", i + 1));
            let want = match label {
                "positive" => Label::Positive,
                "negative" => Label::Negative,
                "neutral" => Label::Neutral,
                other => panic!("line {}: unknown label {other:?}", i + 1),
            };
            Case {
                line: i + 1,
                want,
                text: text.to_owned(),
            }
        })
        .collect()
}

const LABELS: [Label; 3] = [Label::Positive, Label::Negative, Label::Neutral];

fn index(label: Label) -> usize {
    match label {
        Label::Positive => 0,
        Label::Negative => 1,
        Label::Neutral => 2,
    }
}

/// Scores every case, prints the confusion counts and misses, returns the accuracy.
pub fn evaluate(name: &str, cases: &[Case], language: Language) -> f64 {
    let mut confusion = [[0usize; 3]; 3];
    let mut correct = 0;
    for case in cases {
        let got = analyze(&case.text).expect("labelled sentences are valid input");
        assert_eq!(got.language, language, "line {}: {}", case.line, case.text);
        confusion[index(case.want)][index(got.label)] += 1;
        if got.label == case.want {
            correct += 1;
        } else {
            println!(
                "{name} miss line {}: want {:?} got {:?} ({:+.4}) {}",
                case.line, case.want, got.label, got.compound, case.text
            );
        }
    }
    println!("{name} confusion (rows = want, cols = got: positive, negative, neutral)");
    for want in LABELS {
        println!("  {:>9?}: {:?}", want, confusion[index(want)]);
    }
    let accuracy = correct as f64 / cases.len() as f64;
    println!("{name} accuracy {correct}/{} = {accuracy:.3}", cases.len());
    accuracy
}
