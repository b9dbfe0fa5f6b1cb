//! The English model shipped in the binary (`model/en.rcsent`, trained by
//! `reelcast sentiment train` on the corpus's 26,678 training rows; docs/sentiment.md).

use std::sync::LazyLock;

use crate::model::SentimentModel;

/// The shipped model file, compressed (see [`SentimentModel::to_bytes`]).
const SHIPPED: &[u8] = include_bytes!("../model/en.rcsent");

/// Decoded on first use (a few milliseconds), then shared.
static EMBEDDED: LazyLock<SentimentModel> = LazyLock::new(|| {
    SentimentModel::from_bytes(SHIPPED)
        .expect("the shipped model is written by this crate's format and checked by its tests")
});

impl SentimentModel {
    /// The model shipped in the binary, decoded once on first use and shared by every
    /// caller (a test checks its accuracy on the committed held-out sample).
    pub fn embedded() -> &'static SentimentModel {
        &EMBEDDED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_bytes_decode_and_re_encode_identically() {
        let model = SentimentModel::embedded();
        assert!(
            model.to_bytes() == SHIPPED,
            "the shipped file re-encodes differently: retrain it with this format"
        );
    }
}
