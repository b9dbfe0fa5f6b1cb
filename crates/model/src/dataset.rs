//! The training table: a dense row-major `f32` feature matrix, one `f32` target per row, and
//! feature names.

use crate::error::{Error, Result};

/// A validated regression dataset: every value finite, shapes consistent, at least one row
/// and one feature. Only [`Dataset::new`] and [`Dataset::select`] make one.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    features: Vec<f32>,
    n_features: usize,
    targets: Vec<f32>,
    feature_names: Vec<String>,
}

impl Dataset {
    /// Builds a dataset from a row-major feature buffer (`features[row * n_features + col]`),
    /// one target per row and one name per feature.
    ///
    /// # Errors
    /// [`Error::EmptyDataset`], [`Error::NoFeatures`], [`Error::FeatureLength`],
    /// [`Error::FeatureNames`], [`Error::NonFiniteFeature`], [`Error::NonFiniteTarget`],
    /// [`Error::TooManyRows`] (more than `u32::MAX - 1` rows).
    pub fn new(
        features: Vec<f32>,
        n_features: usize,
        targets: Vec<f32>,
        feature_names: Vec<String>,
    ) -> Result<Self> {
        let n_rows = targets.len();
        if n_rows == 0 {
            return Err(Error::EmptyDataset);
        }
        if n_features == 0 {
            return Err(Error::NoFeatures);
        }
        let max = u32::MAX as usize - 1;
        if n_rows > max {
            return Err(Error::TooManyRows { n_rows, max });
        }
        let expected = n_rows.saturating_mul(n_features);
        if features.len() != expected {
            return Err(Error::FeatureLength {
                len: features.len(),
                n_rows,
                n_features,
                expected,
            });
        }
        if feature_names.len() != n_features {
            return Err(Error::FeatureNames {
                names: feature_names.len(),
                n_features,
            });
        }
        if let Some(pos) = features.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFiniteFeature {
                row: pos / n_features,
                feature: pos % n_features,
                value: features[pos],
            });
        }
        if let Some(row) = targets.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFiniteTarget {
                row,
                value: targets[row],
            });
        }
        Ok(Self {
            features,
            n_features,
            targets,
            feature_names,
        })
    }

    /// Number of rows (at least 1).
    pub fn n_rows(&self) -> usize {
        self.targets.len()
    }

    /// Number of feature columns (at least 1).
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The row-major feature buffer, `n_rows * n_features` values.
    pub fn features(&self) -> &[f32] {
        &self.features
    }

    /// One target per row.
    pub fn targets(&self) -> &[f32] {
        &self.targets
    }

    /// One name per feature column.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The feature values of row `i`.
    ///
    /// # Panics
    /// If `i >= n_rows()`.
    pub fn row(&self, i: usize) -> &[f32] {
        assert!(
            i < self.n_rows(),
            "row index {i} is out of range for a dataset of {} rows",
            self.n_rows()
        );
        &self.features[i * self.n_features..(i + 1) * self.n_features]
    }

    /// A new dataset with the given rows, in the given order (repeats allowed), e.g. one
    /// cross-validation fold.
    ///
    /// # Errors
    /// [`Error::EmptyDataset`] if `rows` is empty, [`Error::RowIndex`] if an index is out of
    /// range.
    pub fn select(&self, rows: &[usize]) -> Result<Self> {
        if rows.is_empty() {
            return Err(Error::EmptyDataset);
        }
        let n_rows = self.n_rows();
        if let Some(&index) = rows.iter().find(|&&r| r >= n_rows) {
            return Err(Error::RowIndex { index, n_rows });
        }
        let mut features = Vec::with_capacity(rows.len() * self.n_features);
        for &r in rows {
            features.extend_from_slice(self.row(r));
        }
        Ok(Self {
            features,
            n_features: self.n_features,
            targets: rows.iter().map(|&r| self.targets[r]).collect(),
            feature_names: self.feature_names.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("f{i}")).collect()
    }

    #[test]
    fn builds_a_valid_dataset_and_exposes_rows() {
        let ds = Dataset::new(vec![1.0, 2.0, 3.0, 4.0], 2, vec![0.5, 1.5], names(2)).unwrap();
        assert_eq!(ds.n_rows(), 2);
        assert_eq!(ds.n_features(), 2);
        assert_eq!(ds.row(1), &[3.0, 4.0]);
        assert_eq!(ds.targets(), &[0.5, 1.5]);
    }

    #[test]
    fn rejects_malformed_inputs_with_messages_naming_the_rule() {
        let cases: Vec<(&str, Result<Dataset>, &str)> = vec![
            (
                "no rows",
                Dataset::new(vec![], 2, vec![], names(2)),
                "dataset has 0 rows, must have at least 1",
            ),
            (
                "no features",
                Dataset::new(vec![], 0, vec![1.0], names(0)),
                "dataset has 0 features, must have at least 1",
            ),
            (
                "length mismatch",
                Dataset::new(vec![1.0; 5], 2, vec![1.0; 3], names(2)),
                "feature buffer has 5 values, expected 3 rows x 2 features = 6",
            ),
            (
                "names mismatch",
                Dataset::new(vec![1.0; 4], 2, vec![1.0; 2], names(3)),
                "3 feature names given, expected one per feature (2)",
            ),
            (
                "nan feature",
                Dataset::new(vec![1.0, 1.0, 1.0, f32::NAN], 2, vec![1.0; 2], names(2)),
                "feature 1 of row 1 is NaN, must be finite",
            ),
            (
                "infinite target",
                Dataset::new(vec![1.0; 4], 2, vec![1.0, f32::INFINITY], names(2)),
                "target of row 1 is inf, must be finite",
            ),
        ];
        for (label, result, message) in cases {
            let err = result.expect_err(label);
            assert_eq!(err.to_string(), message, "case {label}");
        }
    }

    #[test]
    fn select_copies_rows_in_order_and_rejects_bad_indices() {
        let ds = Dataset::new(
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            2,
            vec![1.0, 2.0, 3.0],
            names(2),
        )
        .unwrap();
        let picked = ds.select(&[2, 0, 2]).unwrap();
        assert_eq!(picked.features(), &[5.0, 6.0, 1.0, 2.0, 5.0, 6.0]);
        assert_eq!(picked.targets(), &[3.0, 1.0, 3.0]);
        let err = ds.select(&[3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "row index 3 is out of range for a dataset of 3 rows"
        );
    }
}
