//! Errors of the reelcast use cases.

use std::path::PathBuf;

/// Why a use case failed. Wraps the lower crates' errors and adds bundle and split errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or ingesting data failed.
    #[error(transparent)]
    Data(#[from] reelcast_data::Error),
    /// Fitting features failed.
    #[error(transparent)]
    Features(#[from] reelcast_features::Error),
    /// Checking parameters or fitting a model failed.
    #[error(transparent)]
    Model(#[from] reelcast_model::Error),
    /// A file could not be read or written.
    #[error("{}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Two models have no held-out film in common to be compared on.
    #[error("no fair comparison: {message}")]
    NoFairComparison {
        /// Why no film is held out from both, and what to do.
        message: String,
    },
    /// A model bundle file is not usable.
    #[error("model bundle {path}: {reason}")]
    BundleInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it (truncated, corrupt, newer format, not a bundle).
        reason: String,
    },
    /// A bundle or report could not be encoded (a bug; please report it).
    #[error("cannot encode bundle: {message}")]
    BundleEncode {
        /// The encoder's message.
        message: String,
    },
    /// A plot could not be drawn.
    #[error("cannot draw plot {path}: {message}")]
    Plot {
        /// The SVG file.
        path: PathBuf,
        /// The plotting library's message.
        message: String,
    },
    /// The dataset is too small for the requested split.
    #[error("test split too small to score: {rows} rows with {n_test} held out; need at least {min_test} held-out and {min_train} training rows (use more data or a larger --test-fraction)")]
    SplitTooSmall {
        /// Rows in the dataset.
        rows: usize,
        /// Rows the split would hold out.
        n_test: usize,
        /// Minimum held-out rows.
        min_test: usize,
        /// Minimum training rows.
        min_train: usize,
    },
    /// An option has a value the use case cannot work with.
    #[error("--{option}: {message}")]
    InvalidOption {
        /// The option's CLI name.
        option: &'static str,
        /// What is wrong, naming the value and the rule.
        message: String,
    },
    /// There are no rows to train on or to score.
    #[error("dataset is empty: no rows to train on or score")]
    EmptyDataset,
    /// A prediction input file could not be parsed as a whole.
    #[error("{path}: {message}")]
    PredictInput {
        /// The input file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
