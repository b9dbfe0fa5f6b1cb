//! reelcast-features.
