//! English scoring: VADER 3.3.2 through the `vader-parity` crate.
//!
//! `vader-parity` vendors vaderSentiment 3.3.2's lexicon byte for byte (identical to
//! `lexicons/vader_lexicon.txt` in the shared data) and reproduces the Python
//! package's output exactly (177 frozen oracle vectors in its own tests), so we do
//! not reimplement the rules here; our tests check the rules we rely on.

use std::sync::LazyLock;

use vader_parity::SentimentIntensityAnalyzer;

/// Parsed once: building the analyser parses ~7,500 lexicon lines.
static ANALYZER: LazyLock<SentimentIntensityAnalyzer> =
    LazyLock::new(SentimentIntensityAnalyzer::new);

/// VADER compound score of `text`, in `[-1, 1]`, rounded to 4 decimals like Python.
pub(crate) fn compound(text: &str) -> f64 {
    ANALYZER.polarity_scores(text).compound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_word_scores_its_valence() {
        assert!(compound("The film was good.") > 0.4);
        assert!(compound("The film was terrible.") < -0.4);
    }

    #[test]
    fn negation_flips_the_valence() {
        assert!(compound("The film was good.") > 0.0);
        assert!(compound("The film was not good.") < 0.0);
        assert!(compound("The film wasn't good.") < 0.0);
        assert!(compound("I never found it good.") < 0.0);
    }

    #[test]
    fn booster_raises_and_dampener_lowers_intensity() {
        let plain = compound("The film was good.");
        assert!(compound("The film was extremely good.") > plain);
        assert!(compound("The film was very good.") > plain);
        assert!(compound("The film was slightly good.") < plain);
    }

    #[test]
    fn but_clause_outweighs_what_came_before() {
        assert!(compound("The cast is great, but the plot is awful.") < 0.0);
        assert!(compound("The plot is awful, but the cast is great.") > 0.0);
    }

    #[test]
    fn all_caps_emphasis_raises_intensity() {
        assert!(compound("The film was GOOD.") > compound("The film was good."));
    }

    #[test]
    fn exclamation_marks_raise_intensity() {
        let plain = compound("The film was good.");
        assert!(compound("The film was good!") > plain);
        assert!(compound("The film was good!!!") > compound("The film was good!"));
    }
}
