//! reelcast-pipeline.
