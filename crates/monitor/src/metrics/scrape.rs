//! Families rendered at scrape time from the state they describe rather than kept in the
//! recorder, because the recorder cannot forget a series: `reelcast_model_info` (only the
//! served model, so a replaced version's series ends), `reelcast_build_info`, and
//! `reelcast_feature_drift_psi` (no series while the drift window is empty, so a drift
//! alert resolves when traffic stops instead of holding the last value forever).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::ModelLabels;
use super::names::{BUILD_INFO, FEATURE_DRIFT_PSI, MODEL_INFO};

/// What the scrape-time families show.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct ScrapeState {
    /// The served model, if any.
    pub model: Option<ModelLabels>,
    /// The git commit the binary was built from (`unknown` until set).
    pub git_sha: String,
    /// PSI per feature of the last drift check; empty when the window is empty.
    pub drift: BTreeMap<String, f64>,
}

/// One family in the text exposition format: `# HELP`, `# TYPE` and a sample per
/// `(labels, value)`; nothing when `samples` is empty (a family without samples is noise).
pub(super) fn write_family(
    out: &mut String,
    name: &str,
    kind: &str,
    help: &str,
    samples: &[(Vec<(&str, &str)>, f64)],
) {
    if samples.is_empty() {
        return;
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, value) in samples {
        out.push_str(name);
        if !labels.is_empty() {
            out.push('{');
            for (i, (key, v)) in labels.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{key}=\"{}\"", escape(v));
            }
            out.push('}');
        }
        let _ = writeln!(out, " {}", format_value(*value));
    }
}

/// A label value escaped as the format requires (backslash, double quote, newline).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A sample value as Prometheus spells the special ones.
fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v == f64::INFINITY {
        "+Inf".to_owned()
    } else if v == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        v.to_string()
    }
}

impl ScrapeState {
    /// Appends the three families to `out`.
    pub(super) fn render(&self, out: &mut String) {
        let version = env!("CARGO_PKG_VERSION");
        write_family(
            out,
            BUILD_INFO,
            "gauge",
            "1, labelled with the server's version and the git commit it was built from.",
            &[(vec![("version", version), ("git_sha", &self.git_sha)], 1.0)],
        );
        let model: Vec<_> = self
            .model
            .iter()
            .map(|m| {
                let labels = vec![
                    ("name", m.name.as_str()),
                    ("version", m.version.as_str()),
                    ("alias", m.alias.as_str()),
                ];
                (labels, 1.0)
            })
            .collect();
        write_family(
            out,
            MODEL_INFO,
            "gauge",
            "1 for the served model's name, version and alias.",
            &model,
        );
        let drift: Vec<_> = self
            .drift
            .iter()
            .map(|(feature, psi)| (vec![("feature", feature.as_str())], *psi))
            .collect();
        write_family(
            out,
            FEATURE_DRIFT_PSI,
            "gauge",
            "Population stability index of each feature in the last drift check, against the training reference.",
            &drift,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_escape_label_values_and_skip_empty_families() {
        let mut out = String::new();
        write_family(&mut out, "x", "gauge", "help", &[]);
        assert!(out.is_empty());
        write_family(
            &mut out,
            "x",
            "gauge",
            "help",
            &[(vec![("a", "q\"b\\n\nl")], f64::NAN)],
        );
        assert_eq!(
            out,
            "# HELP x help\n# TYPE x gauge\nx{a=\"q\\\"b\\\\n\\nl\"} NaN\n"
        );
    }

    #[test]
    fn only_the_served_model_and_known_drift_are_rendered() {
        let mut state = ScrapeState {
            git_sha: "abc123".into(),
            ..ScrapeState::default()
        };
        let mut out = String::new();
        state.render(&mut out);
        assert!(out.contains(&format!(
            "reelcast_build_info{{version=\"{}\",git_sha=\"abc123\"}} 1\n",
            env!("CARGO_PKG_VERSION")
        )));
        assert!(!out.contains("reelcast_model_info"), "{out}");
        assert!(!out.contains("reelcast_feature_drift_psi"), "{out}");

        state.drift.insert("runtime_minutes".into(), 0.5);
        let mut out = String::new();
        state.render(&mut out);
        assert!(out.contains("reelcast_feature_drift_psi{feature=\"runtime_minutes\"} 0.5\n"));
    }
}
