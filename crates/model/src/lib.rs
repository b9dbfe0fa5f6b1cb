//! reelcast-model.
