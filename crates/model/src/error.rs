//! Errors raised while building datasets, checking hyperparameters and loading models.

/// Something a caller can fix: a malformed dataset, a hyperparameter outside its range, or
/// model bytes that do not describe a valid ensemble. Messages name the value and the rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The dataset has no rows (no targets).
    #[error("dataset has 0 rows, must have at least 1")]
    EmptyDataset,
    /// The dataset has no feature columns.
    #[error("dataset has 0 features, must have at least 1")]
    NoFeatures,
    /// The row-major feature buffer does not hold `n_rows * n_features` values.
    #[error("feature buffer has {len} values, expected {n_rows} rows x {n_features} features = {expected}")]
    FeatureLength {
        /// Values in the feature buffer.
        len: usize,
        /// Rows implied by the targets.
        n_rows: usize,
        /// Declared feature count.
        n_features: usize,
        /// `n_rows * n_features`.
        expected: usize,
    },
    /// The number of feature names differs from the number of features.
    #[error("{names} feature names given, expected one per feature ({n_features})")]
    FeatureNames {
        /// Names given.
        names: usize,
        /// Declared feature count.
        n_features: usize,
    },
    /// A feature value is NaN or infinite; impute before building the dataset.
    #[error("feature {feature} of row {row} is {value}, must be finite")]
    NonFiniteFeature {
        /// Row index.
        row: usize,
        /// Feature (column) index.
        feature: usize,
        /// The offending value.
        value: f32,
    },
    /// A target is NaN or infinite.
    #[error("target of row {row} is {value}, must be finite")]
    NonFiniteTarget {
        /// Row index.
        row: usize,
        /// The offending value.
        value: f32,
    },
    /// More rows than the 32-bit row indices used by the tree engine can address.
    #[error("dataset has {n_rows} rows, must have at most {max}")]
    TooManyRows {
        /// Rows given.
        n_rows: usize,
        /// The limit (`u32::MAX - 1`).
        max: usize,
    },
    /// A row index passed to [`crate::Dataset::select`] is out of range.
    #[error("row index {index} is out of range for a dataset of {n_rows} rows")]
    RowIndex {
        /// The offending index.
        index: usize,
        /// Rows in the dataset.
        n_rows: usize,
    },
    /// `n_trees` must be at least 1.
    #[error("n_trees is {value}, must be at least 1")]
    NTrees {
        /// The offending value.
        value: usize,
    },
    /// `min_samples_leaf` must be at least 1.
    #[error("min_samples_leaf is {value}, must be at least 1")]
    MinSamplesLeaf {
        /// The offending value.
        value: usize,
    },
    /// `min_samples_split` must be at least 2.
    #[error("min_samples_split is {value}, must be at least 2")]
    MinSamplesSplit {
        /// The offending value.
        value: usize,
    },
    /// `max_features` must be a fraction in (0, 1].
    #[error("max_features is {value}, must be in (0, 1]")]
    MaxFeatures {
        /// The offending value.
        value: f64,
    },
    /// `max_bins` must be in 2..=256 (bin codes are one byte).
    #[error("max_bins is {value}, must be in 2..=256")]
    MaxBins {
        /// The offending value.
        value: usize,
    },
    /// `max_depth`, when set, must be at least 1.
    #[error("max_depth is {value}, must be at least 1 when set")]
    MaxDepth {
        /// The offending value.
        value: usize,
    },
    /// `learning_rate` must be finite and positive.
    #[error("learning_rate is {value}, must be finite and > 0")]
    LearningRate {
        /// The offending value.
        value: f64,
    },
    /// `max_leaf_nodes`, when set, must be at least 2.
    #[error("max_leaf_nodes is {value}, must be at least 2 when set")]
    MaxLeafNodes {
        /// The offending value.
        value: usize,
    },
    /// `l2_regularization` must be finite and non-negative.
    #[error("l2_regularization is {value}, must be finite and >= 0")]
    L2Regularization {
        /// The offending value.
        value: f64,
    },
    /// `subsample` must be a fraction in (0, 1].
    #[error("subsample is {value}, must be in (0, 1]")]
    Subsample {
        /// The offending value.
        value: f64,
    },
    /// Prediction-interval quantile levels must satisfy `0 < lower_q < upper_q < 1`.
    #[error("interval quantiles are {lower_q} and {upper_q}, must satisfy 0 < lower < upper < 1")]
    IntervalQuantiles {
        /// The lower quantile level given.
        lower_q: f64,
        /// The upper quantile level given.
        upper_q: f64,
    },
    /// Deserialized model bytes describe an invalid ensemble (corrupt or hand-edited).
    #[error("invalid model: {reason}")]
    InvalidModel {
        /// What is wrong, e.g. which node points where.
        reason: String,
    },
}

/// Result alias used across this crate.
pub type Result<T> = std::result::Result<T, Error>;
