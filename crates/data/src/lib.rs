//! reelcast-data.
