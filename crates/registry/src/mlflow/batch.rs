//! Splitting a `log_batch` into requests within MLflow's `runs/log-batch` limits.

use std::collections::BTreeMap;

use crate::Metric;

/// At most this many metrics per request.
pub(crate) const MAX_METRICS: usize = 1000;
/// At most this many params per request.
pub(crate) const MAX_PARAMS: usize = 100;
/// At most this many tags per request.
pub(crate) const MAX_TAGS: usize = 100;
/// At most this many entities (metrics + params + tags) per request.
pub(crate) const MAX_ENTITIES: usize = 1000;

/// One `runs/log-batch` request's share of the data.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Chunk<'a> {
    pub params: Vec<(&'a String, &'a String)>,
    pub metrics: Vec<&'a Metric>,
    pub tags: Vec<(&'a String, &'a String)>,
}

/// Splits the data into as few chunks as the limits allow, keeping the order of each
/// kind (params first, so a failed param — e.g. a changed value — fails early).
pub(crate) fn chunks<'a>(
    params: &'a BTreeMap<String, String>,
    metrics: &'a [Metric],
    tags: &'a BTreeMap<String, String>,
) -> Vec<Chunk<'a>> {
    let mut params = params.iter().peekable();
    let mut tags = tags.iter().peekable();
    let mut metrics = metrics.iter().peekable();
    let mut out = Vec::new();
    while params.peek().is_some() || tags.peek().is_some() || metrics.peek().is_some() {
        let mut chunk = Chunk::default();
        chunk.params.extend(params.by_ref().take(MAX_PARAMS));
        chunk.tags.extend(tags.by_ref().take(MAX_TAGS));
        let room = MAX_METRICS.min(MAX_ENTITIES - chunk.params.len() - chunk.tags.len());
        chunk.metrics.extend(metrics.by_ref().take(room));
        out.push(chunk);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(
        n_params: usize,
        n_metrics: usize,
        n_tags: usize,
    ) -> (
        BTreeMap<String, String>,
        Vec<Metric>,
        BTreeMap<String, String>,
    ) {
        let params = (0..n_params)
            .map(|i| (format!("p{i:05}"), i.to_string()))
            .collect();
        let metrics = (0..n_metrics)
            .map(|i| Metric {
                key: "cv_rmse".into(),
                value: i as f64,
                step: i as i64,
                timestamp_ms: 0,
            })
            .collect();
        let tags = (0..n_tags)
            .map(|i| (format!("t{i:05}"), i.to_string()))
            .collect();
        (params, metrics, tags)
    }

    #[test]
    fn keeps_every_request_within_mlflow_limits_and_loses_nothing() {
        for (label, n_params, n_metrics, n_tags, expected_chunks) in [
            ("empty", 0, 0, 0, 0),
            ("small", 10, 5, 3, 1),
            ("at the limits", 100, 800, 100, 1),
            ("many params", 250, 0, 0, 3),
            ("many metrics", 0, 2500, 0, 3),
            ("all over", 250, 2500, 150, 3),
        ] {
            let (params, metrics, tags) = data(n_params, n_metrics, n_tags);
            let chunks = chunks(&params, &metrics, &tags);
            assert_eq!(chunks.len(), expected_chunks, "{label}");
            for c in &chunks {
                assert!(c.params.len() <= MAX_PARAMS, "{label}");
                assert!(c.tags.len() <= MAX_TAGS, "{label}");
                assert!(c.metrics.len() <= MAX_METRICS, "{label}");
                assert!(
                    c.params.len() + c.tags.len() + c.metrics.len() <= MAX_ENTITIES,
                    "{label}"
                );
            }
            let steps: Vec<i64> = chunks
                .iter()
                .flat_map(|c| c.metrics.iter().map(|m| m.step))
                .collect();
            assert_eq!(
                steps,
                (0..n_metrics as i64).collect::<Vec<_>>(),
                "{label}: metrics in order"
            );
            assert_eq!(
                chunks.iter().map(|c| c.params.len()).sum::<usize>(),
                n_params,
                "{label}"
            );
            assert_eq!(
                chunks.iter().map(|c| c.tags.len()).sum::<usize>(),
                n_tags,
                "{label}"
            );
        }
    }
}
