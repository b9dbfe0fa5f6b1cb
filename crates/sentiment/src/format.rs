//! The model file: `RCSENT` + format version byte + zlib-compressed postcard body.
//!
//! The body ([`Body`]) holds the word table, and the short-text character table with its
//! length limit when the model has one. A table ([`TableBody`]) holds its analyzer and
//! parameters, the number of training texts, the bias, and per bucket (ascending, stored
//! as gaps) its document frequency and its weight quantised to `i16` steps. The idf is
//! recomputed from the document frequency on load. Quantising keeps the file small (the
//! weights compress poorly as floats) and costs nothing measurable: training reports its
//! accuracy with the quantised weights, so the reported figures are the shipped model's.
//! Postcard encodes integers as varints, so small gaps and frequencies take one byte.
//!
//! Version 1 files (a word table alone, before the short-text table existed) still load.

use std::io::{Read, Write};

use flate2::{read::ZlibDecoder, write::ZlibEncoder, Compression};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hashing::{Analyzer, CharParams, FeatureParams};
use crate::model::{Linear, SentimentModel, ShortTexts};

/// First bytes of a model file.
pub const MODEL_MAGIC: &[u8; 6] = b"RCSENT";
/// The layout version this code writes (it also reads version 1).
pub const MODEL_FORMAT_VERSION: u8 = 2;
/// Largest body accepted when decompressing (a guard against corrupt or hostile files).
const MAX_BODY_BYTES: u64 = 256 << 20;

#[derive(Serialize, Deserialize)]
struct Body {
    words: TableBody,
    short: Option<ShortBody>,
}

#[derive(Serialize, Deserialize)]
struct ShortBody {
    max_chars: u32,
    chars: TableBody,
}

/// One table; `A` is [`Analyzer`], or [`FeatureParams`] in version 1, whose body is a
/// `TableBody<FeatureParams>` (a word table alone).
#[derive(Serialize, Deserialize)]
struct TableBody<A = Analyzer> {
    analyzer: A,
    n_docs: u32,
    bias: f32,
    weight_step: f32,
    bucket_gaps: Vec<u32>,
    dfs: Vec<u32>,
    weights: Vec<i16>,
}

impl TableBody {
    fn of<P: Copy + Into<Analyzer>>(table: &Linear<P>) -> Self {
        let mut previous = 0;
        let bucket_gaps = table
            .buckets
            .iter()
            .map(|&b| {
                let gap = b - previous;
                previous = b;
                gap
            })
            .collect();
        Self {
            analyzer: table.params.into(),
            n_docs: table.n_docs,
            bias: table.bias,
            weight_step: table.weight_step,
            bucket_gaps,
            dfs: table.dfs.clone(),
            weights: table.weights.clone(),
        }
    }

    /// The table hashing with `params` (this body's own, taken out of its analyzer), once
    /// its invariants hold (the error names the broken one).
    fn into_table<P: Copy + Into<Analyzer>>(
        self,
        params: P,
    ) -> std::result::Result<Linear<P>, String> {
        check(&self)?;
        let mut bucket = 0u32;
        let buckets = self
            .bucket_gaps
            .iter()
            .map(|gap| {
                bucket += gap;
                bucket
            })
            .collect();
        Ok(Linear::from_parts(
            params,
            self.n_docs,
            self.bias,
            self.weight_step,
            buckets,
            self.dfs,
            self.weights,
        ))
    }
}

impl SentimentModel {
    /// The model as bytes (see the module docs for the layout); [`Self::from_bytes`]
    /// reads them back into an equal model. Equal models give identical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let body = Body {
            words: TableBody::of(&self.words),
            short: self.short.as_ref().map(|s| ShortBody {
                max_chars: s.max_chars,
                chars: TableBody::of(&s.chars),
            }),
        };
        encode(MODEL_FORMAT_VERSION, &body)
    }

    /// Reads a model written by [`Self::to_bytes`] (format version 1 or 2).
    ///
    /// # Errors
    /// [`Error::ModelFormat`] when the bytes are not a model of a format version this
    /// build reads or break one of its invariants (the message says which).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = |m: String| Error::ModelFormat(m);
        let rest = bytes
            .strip_prefix(MODEL_MAGIC.as_slice())
            .ok_or_else(|| bad("the file does not start with RCSENT".into()))?;
        let (&version, compressed) = rest
            .split_first()
            .ok_or_else(|| bad("the file ends after its magic bytes".into()))?;
        if !(1..=MODEL_FORMAT_VERSION).contains(&version) {
            return Err(bad(format!(
                "format version {version}, this build reads versions 1 to {MODEL_FORMAT_VERSION}"
            )));
        }
        let mut plain = Vec::new();
        ZlibDecoder::new(compressed)
            .take(MAX_BODY_BYTES)
            .read_to_end(&mut plain)
            .map_err(|e| bad(format!("the body does not decompress: {e}")))?;
        let undecodable = |e: postcard::Error| bad(format!("the body does not decode: {e}"));
        let body = if version == 1 {
            let v1: TableBody<FeatureParams> = postcard::from_bytes(&plain).map_err(undecodable)?;
            Body {
                words: TableBody {
                    analyzer: Analyzer::Words(v1.analyzer),
                    n_docs: v1.n_docs,
                    bias: v1.bias,
                    weight_step: v1.weight_step,
                    bucket_gaps: v1.bucket_gaps,
                    dfs: v1.dfs,
                    weights: v1.weights,
                },
                short: None,
            }
        } else {
            postcard::from_bytes(&plain).map_err(undecodable)?
        };
        let Analyzer::Words(features) = body.words.analyzer else {
            return Err(bad("the word table does not hash words".into()));
        };
        let short = match body.short {
            None => None,
            Some(s) if s.max_chars == 0 => {
                return Err(bad("the short-text limit is 0 chars".into()));
            }
            Some(ShortBody { max_chars, chars }) => {
                let Analyzer::Chars(params) = chars.analyzer else {
                    return Err(bad("the short-text table does not hash chars".into()));
                };
                let chars = chars
                    .into_table::<CharParams>(params)
                    .map_err(|m| bad(format!("short-text table: {m}")))?;
                Some(ShortTexts { max_chars, chars })
            }
        };
        Ok(SentimentModel {
            words: body.words.into_table(features).map_err(bad)?,
            short,
        })
    }
}

/// Magic, version byte and the zlib-compressed postcard of `body`.
fn encode(version: u8, body: &impl Serialize) -> Vec<u8> {
    let plain = postcard::to_stdvec(body).expect("postcard encodes plain structs");
    let mut out = MODEL_MAGIC.to_vec();
    out.push(version);
    let mut encoder = ZlibEncoder::new(out, Compression::best());
    encoder
        .write_all(&plain)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

/// The invariants a table must hold before it becomes one.
fn check(body: &TableBody) -> std::result::Result<(), String> {
    body.analyzer
        .check()
        .map_err(|(name, value, rule)| format!("{name} {value}: {rule}"))?;
    let n = body.bucket_gaps.len();
    if body.dfs.len() != n || body.weights.len() != n {
        return Err(format!(
            "{n} buckets but {} frequencies and {} weights",
            body.dfs.len(),
            body.weights.len()
        ));
    }
    if !(body.bias.is_finite() && body.weight_step.is_finite() && body.weight_step > 0.0) {
        return Err("the bias or the weight step is not a finite number".into());
    }
    let mut bucket: u64 = 0;
    for (i, &gap) in body.bucket_gaps.iter().enumerate() {
        if i > 0 && gap == 0 {
            return Err(format!("bucket {i} repeats the one before it"));
        }
        bucket += u64::from(gap);
    }
    let log2 = body.analyzer.log2_buckets();
    if n > 0 && bucket >= 1u64 << log2 {
        return Err(format!("bucket {bucket} is beyond 2^{log2}"));
    }
    if let Some(df) = body.dfs.iter().find(|&&df| df == 0 || df > body.n_docs) {
        return Err(format!(
            "document frequency {df} is not within 1..={}",
            body.n_docs
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::CharParams;

    const WORD_PARAMS: FeatureParams = FeatureParams {
        log2_buckets: 12,
        max_ngram: 2,
    };
    const CHAR_PARAMS: CharParams = CharParams {
        log2_buckets: 12,
        min_n: 2,
        max_n: 5,
    };
    const WORDS: Analyzer = Analyzer::Words(WORD_PARAMS);
    const CHARS: Analyzer = Analyzer::Chars(CHAR_PARAMS);

    fn model() -> SentimentModel {
        fn table<P: Copy + Into<Analyzer>>(params: P) -> Linear<P> {
            Linear::from_parts(
                params,
                10,
                0.25,
                0.001,
                vec![3, 7, 4095],
                vec![1, 10, 4],
                vec![-32767, 5, 32767],
            )
        }
        SentimentModel {
            words: table(WORD_PARAMS),
            short: Some(ShortTexts {
                max_chars: 270,
                chars: table(CHAR_PARAMS),
            }),
        }
    }

    fn table_body(analyzer: Analyzer) -> TableBody {
        TableBody {
            analyzer,
            n_docs: 10,
            bias: 0.0,
            weight_step: 0.01,
            bucket_gaps: vec![1, 2],
            dfs: vec![1, 2],
            weights: vec![1, 2],
        }
    }

    fn good() -> Body {
        Body {
            words: table_body(WORDS),
            short: Some(ShortBody {
                max_chars: 270,
                chars: table_body(CHARS),
            }),
        }
    }

    #[test]
    fn round_trips_to_an_equal_model_and_identical_bytes() {
        let bytes = model().to_bytes();
        let back = SentimentModel::from_bytes(&bytes).expect("valid");
        assert_eq!(back, model());
        assert_eq!(back.to_bytes(), bytes);
        let words_only = SentimentModel {
            short: None,
            ..model()
        };
        let back = SentimentModel::from_bytes(&words_only.to_bytes()).expect("valid");
        assert_eq!(back, words_only);
    }

    #[test]
    fn reads_version_1_files_as_a_word_table_alone() {
        let v1 = TableBody {
            analyzer: FeatureParams {
                log2_buckets: 12,
                max_ngram: 2,
            },
            n_docs: 10,
            bias: 0.25,
            weight_step: 0.001,
            bucket_gaps: vec![3, 4, 4088],
            dfs: vec![1, 10, 4],
            weights: vec![-32767, 5, 32767],
        };
        let back = SentimentModel::from_bytes(&encode(1, &v1)).expect("version 1 loads");
        assert_eq!(
            back,
            SentimentModel {
                short: None,
                ..model()
            }
        );
        assert_eq!(back.to_bytes()[6], MODEL_FORMAT_VERSION);
    }

    #[test]
    fn rejects_other_files_with_the_reason() {
        let bytes = model().to_bytes();
        let mut wrong_version = bytes.clone();
        wrong_version[6] = 9;
        let cases: [(&str, Vec<u8>, &str); 4] = [
            ("empty", Vec::new(), "does not start with RCSENT"),
            ("magic only", MODEL_MAGIC.to_vec(), "ends after its magic"),
            (
                "version",
                wrong_version,
                "format version 9, this build reads versions 1 to 2",
            ),
            ("truncated", bytes[..bytes.len() - 4].to_vec(), "does not"),
        ];
        for (name, bytes, want) in cases {
            let err = SentimentModel::from_bytes(&bytes).expect_err(name);
            assert!(err.to_string().contains(want), "case {name}: {err}");
        }
    }

    #[test]
    fn rejects_broken_invariants() {
        let with_words = |words: TableBody| Body { words, ..good() };
        let with_chars = |chars: TableBody| Body {
            short: Some(ShortBody {
                max_chars: 270,
                chars,
            }),
            ..good()
        };
        let cases: [(&str, Body, &str); 8] = [
            (
                "bucket beyond",
                with_words(TableBody {
                    bucket_gaps: vec![1, 5000],
                    ..table_body(WORDS)
                }),
                "beyond 2^12",
            ),
            (
                "repeated",
                with_words(TableBody {
                    bucket_gaps: vec![1, 0],
                    ..table_body(WORDS)
                }),
                "repeats",
            ),
            (
                "df",
                with_words(TableBody {
                    dfs: vec![1, 11],
                    ..table_body(WORDS)
                }),
                "frequency 11",
            ),
            (
                "lengths",
                with_words(TableBody {
                    weights: vec![1],
                    ..table_body(WORDS)
                }),
                "2 buckets but 2 frequencies and 1 weights",
            ),
            (
                "word table of chars",
                with_words(table_body(CHARS)),
                "does not hash words",
            ),
            (
                "char table of words",
                with_chars(table_body(WORDS)),
                "does not hash chars",
            ),
            (
                "char n-grams",
                with_chars(table_body(Analyzer::Chars(CharParams {
                    log2_buckets: 12,
                    min_n: 3,
                    max_n: 2,
                }))),
                "short-text table: max_n 2: must be min_n to 8",
            ),
            (
                "no limit",
                Body {
                    short: Some(ShortBody {
                        max_chars: 0,
                        chars: table_body(CHARS),
                    }),
                    ..good()
                },
                "limit is 0 chars",
            ),
        ];
        assert!(SentimentModel::from_bytes(&encode(MODEL_FORMAT_VERSION, &good())).is_ok());
        for (name, body, want) in cases {
            let err =
                SentimentModel::from_bytes(&encode(MODEL_FORMAT_VERSION, &body)).expect_err(name);
            assert!(err.to_string().contains(want), "case {name}: {err}");
        }
    }
}
