//! Errors raised while fitting features.

/// Why features could not be fitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Fitting needs at least one training row.
    #[error("cannot fit features on an empty training split")]
    EmptyTrainingSet,
    /// The spec was written by a newer reelcast.
    #[error("feature spec version {found} is newer than this build supports ({supported}); upgrade reelcast")]
    UnsupportedVersion {
        /// Version in the spec.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
