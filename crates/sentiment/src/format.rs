//! The model file: `RCSENT` + format version byte + zlib-compressed postcard body.
//!
//! The body ([`Body`]) holds the feature parameters, the number of training texts, the
//! bias, and per model bucket (ascending, stored as gaps) its document frequency and its
//! weight quantised to `i16` steps. The idf is recomputed from the document frequency on
//! load. Quantising keeps the file small (the weights compress poorly as floats) and
//! costs nothing measurable: training reports its accuracy with the quantised weights,
//! so the reported figures are the shipped model's. Postcard encodes integers as
//! varints, so small gaps and frequencies take one byte.

use std::io::{Read, Write};

use flate2::{read::ZlibDecoder, write::ZlibEncoder, Compression};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hashing::{FeatureParams, LOG2_BUCKETS_RANGE, MAX_NGRAM_RANGE};
use crate::model::SentimentModel;

/// First bytes of a model file.
pub const MODEL_MAGIC: &[u8; 6] = b"RCSENT";
/// The layout version this code writes and reads.
pub const MODEL_FORMAT_VERSION: u8 = 1;
/// Largest body accepted when decompressing (a guard against corrupt or hostile files).
const MAX_BODY_BYTES: u64 = 256 << 20;

#[derive(Serialize, Deserialize)]
struct Body {
    features: FeatureParams,
    n_docs: u32,
    bias: f32,
    weight_step: f32,
    bucket_gaps: Vec<u32>,
    dfs: Vec<u32>,
    weights: Vec<i16>,
}

impl SentimentModel {
    /// The model as bytes (see the module docs for the layout); [`Self::from_bytes`]
    /// reads them back into an equal model. Equal models give identical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut previous = 0;
        let bucket_gaps = self
            .buckets
            .iter()
            .map(|&b| {
                let gap = b - previous;
                previous = b;
                gap
            })
            .collect();
        let body = Body {
            features: self.features,
            n_docs: self.n_docs,
            bias: self.bias,
            weight_step: self.weight_step,
            bucket_gaps,
            dfs: self.dfs.clone(),
            weights: self.weights.clone(),
        };
        let plain = postcard::to_stdvec(&body).expect("postcard encodes plain structs");
        let mut out = MODEL_MAGIC.to_vec();
        out.push(MODEL_FORMAT_VERSION);
        let mut encoder = ZlibEncoder::new(out, Compression::best());
        encoder
            .write_all(&plain)
            .expect("writing to a Vec cannot fail");
        encoder.finish().expect("writing to a Vec cannot fail")
    }

    /// Reads a model written by [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::ModelFormat`] when the bytes are not a model of this format version or
    /// break one of its invariants (the message says which).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = |m: String| Error::ModelFormat(m);
        let rest = bytes
            .strip_prefix(MODEL_MAGIC.as_slice())
            .ok_or_else(|| bad("the file does not start with RCSENT".into()))?;
        let (&version, compressed) = rest
            .split_first()
            .ok_or_else(|| bad("the file ends after its magic bytes".into()))?;
        if version != MODEL_FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version}, this build reads version {MODEL_FORMAT_VERSION}"
            )));
        }
        let mut plain = Vec::new();
        ZlibDecoder::new(compressed)
            .take(MAX_BODY_BYTES)
            .read_to_end(&mut plain)
            .map_err(|e| bad(format!("the body does not decompress: {e}")))?;
        let body: Body = postcard::from_bytes(&plain)
            .map_err(|e| bad(format!("the body does not decode: {e}")))?;
        check(&body).map_err(bad)?;
        let mut bucket = 0u32;
        let buckets = body
            .bucket_gaps
            .iter()
            .map(|gap| {
                bucket += gap;
                bucket
            })
            .collect();
        Ok(SentimentModel::from_parts(
            body.features,
            body.n_docs,
            body.bias,
            body.weight_step,
            buckets,
            body.dfs,
            body.weights,
        ))
    }
}

/// The invariants a body must hold before it becomes a model.
fn check(body: &Body) -> std::result::Result<(), String> {
    let f = body.features;
    if !LOG2_BUCKETS_RANGE.contains(&f.log2_buckets) {
        return Err(format!("log2_buckets {} is out of range", f.log2_buckets));
    }
    if !MAX_NGRAM_RANGE.contains(&f.max_ngram) {
        return Err(format!("max_ngram {} is out of range", f.max_ngram));
    }
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
    if n > 0 && bucket >= 1u64 << f.log2_buckets {
        return Err(format!("bucket {bucket} is beyond 2^{}", f.log2_buckets));
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

    fn model() -> SentimentModel {
        SentimentModel::from_parts(
            FeatureParams {
                log2_buckets: 12,
                max_ngram: 2,
            },
            10,
            0.25,
            0.001,
            vec![3, 7, 4095],
            vec![1, 10, 4],
            vec![-32767, 5, 32767],
        )
    }

    #[test]
    fn round_trips_to_an_equal_model_and_identical_bytes() {
        let bytes = model().to_bytes();
        let back = SentimentModel::from_bytes(&bytes).expect("valid");
        assert_eq!(back, model());
        assert_eq!(back.to_bytes(), bytes);
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
                "format version 9, this build reads version 1",
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
        let encode = |body: &Body| {
            let mut out = MODEL_MAGIC.to_vec();
            out.push(MODEL_FORMAT_VERSION);
            let mut e = ZlibEncoder::new(out, Compression::fast());
            e.write_all(&postcard::to_stdvec(body).expect("encodes"))
                .expect("vec");
            e.finish().expect("vec")
        };
        let good = || Body {
            features: FeatureParams {
                log2_buckets: 12,
                max_ngram: 2,
            },
            n_docs: 10,
            bias: 0.0,
            weight_step: 0.01,
            bucket_gaps: vec![1, 2],
            dfs: vec![1, 2],
            weights: vec![1, 2],
        };
        let cases: [(&str, Body, &str); 4] = [
            (
                "bucket beyond",
                Body {
                    bucket_gaps: vec![1, 5000],
                    ..good()
                },
                "beyond 2^12",
            ),
            (
                "repeated",
                Body {
                    bucket_gaps: vec![1, 0],
                    ..good()
                },
                "repeats",
            ),
            (
                "df",
                Body {
                    dfs: vec![1, 11],
                    ..good()
                },
                "frequency 11",
            ),
            (
                "lengths",
                Body {
                    weights: vec![1],
                    ..good()
                },
                "2 buckets but 2 frequencies and 1 weights",
            ),
        ];
        assert!(SentimentModel::from_bytes(&encode(&good())).is_ok());
        for (name, body, want) in cases {
            let err = SentimentModel::from_bytes(&encode(&body)).expect_err(name);
            assert!(err.to_string().contains(want), "case {name}: {err}");
        }
    }
}
