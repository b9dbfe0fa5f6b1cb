//! Shared scoring arithmetic: VADER's normalisation, thresholds and our confidence.

use serde::{Deserialize, Serialize};

/// VADER's normalisation constant alpha in `x / sqrt(x² + alpha)`.
pub(crate) const ALPHA: f64 = 15.0;

/// Compound at or above which a text is positive, and whose negation at or below
/// which it is negative (VADER's recommended thresholds).
pub const POLARITY_THRESHOLD: f64 = 0.05;

/// Sentiment label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// compound ≥ 0.05.
    Positive,
    /// compound ≤ -0.05.
    Negative,
    /// -0.05 < compound < 0.05.
    Neutral,
}

/// VADER's `normalize`: maps a sum of valences into (-1, 1).
pub(crate) fn normalize(sum: f64) -> f64 {
    let x = sum / (sum * sum + ALPHA).sqrt();
    x.clamp(-1.0, 1.0)
}

/// Label from compound with VADER's thresholds.
pub fn label_of(compound: f64) -> Label {
    if compound >= POLARITY_THRESHOLD {
        Label::Positive
    } else if compound <= -POLARITY_THRESHOLD {
        Label::Negative
    } else {
        Label::Neutral
    }
}

/// Confidence in `label`, in `0..=1`, read straight off the compound's magnitude (no
/// calibration against data is claimed):
/// - positive/negative: `|compound|` (0.05 is barely polar, 1.0 is extreme);
/// - neutral: `1 - |compound| / 0.05` (1.0 when nothing scored, 0 at the threshold).
pub fn confidence_of(label: Label, compound: f64) -> f64 {
    let magnitude = compound.abs().min(1.0);
    match label {
        Label::Positive | Label::Negative => magnitude,
        Label::Neutral => (1.0 - magnitude / POLARITY_THRESHOLD).clamp(0.0, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_matches_vader_formula() {
        assert!((normalize(4.0) - 4.0 / 31f64.sqrt()).abs() < 1e-12);
        assert_eq!(normalize(0.0), 0.0);
        assert!(normalize(-1e9) >= -1.0);
    }

    #[test]
    fn thresholds_are_inclusive_at_five_hundredths() {
        assert_eq!(label_of(0.05), Label::Positive);
        assert_eq!(label_of(-0.05), Label::Negative);
        assert_eq!(label_of(0.0499), Label::Neutral);
    }

    #[test]
    fn confidence_grows_with_magnitude_and_stays_in_unit_range() {
        assert_eq!(confidence_of(Label::Positive, 0.8), 0.8);
        assert_eq!(confidence_of(Label::Negative, -0.3), 0.3);
        assert_eq!(confidence_of(Label::Neutral, 0.0), 1.0);
        assert!((confidence_of(Label::Neutral, 0.025) - 0.5).abs() < 1e-12);
    }
}
