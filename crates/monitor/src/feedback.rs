//! `POST /feedback`'s items, checked ([`parse`]), and the sliding window behind it: the
//! last `capacity` (predicted, actual) rating pairs, and the live RMSE and MAE over them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use reelcast_core::MovieInput;
use reelcast_pipeline::FieldProblem;
use serde_json::Value;

use crate::dto::{FeedbackItem, FeedbackPair, FeedbackResponse, LiveMetrics};
use crate::error::{Error, Result};

/// One checked feedback item: the movie, the client's prediction if it sent one, and the
/// real rating.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The movie, checked like a `POST /predict/movie` body.
    pub input: MovieInput,
    /// The rating the client was given, if it sent one.
    pub predicted: Option<f64>,
    /// The movie's real rating.
    pub actual: f64,
}

/// A rating field: a number from 1 to 10.
fn rating(
    name: &str,
    value: Option<&Value>,
    required: bool,
) -> std::result::Result<Option<f64>, String> {
    match value {
        None | Some(Value::Null) if required => {
            Err(format!("{name} is required (a rating from 1 to 10)"))
        }
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_f64() {
            Some(r) if (1.0..=10.0).contains(&r) => Ok(Some(r)),
            Some(_) => Err(format!("{name} {v} is not between 1 and 10")),
            None => Err(format!("{name} must be a number from 1 to 10, not {v}")),
        },
    }
}

/// Checks one item: the movie as `POST /predict/movie` does, and both ratings.
fn check(value: Value) -> std::result::Result<Checked, Vec<FieldProblem>> {
    if !value.is_object() {
        let message = format!("a feedback item must be a JSON object, not {value}");
        return Err(vec![FieldProblem::new("items", message)]);
    }
    let item: FeedbackItem = serde_json::from_value(value)
        .map_err(|e| vec![FieldProblem::new("items", e.to_string())])?;
    let mut problems = Vec::new();
    let predicted = rating("predicted_rating", item.predicted_rating.as_ref(), false)
        .unwrap_or_else(|m| {
            problems.push(FieldProblem::new("predicted_rating", m));
            None
        });
    let actual = rating("actual_rating", item.actual_rating.as_ref(), true).unwrap_or_else(|m| {
        problems.push(FieldProblem::new("actual_rating", m));
        None
    });
    match (
        item.movie
            .to_input_within(&["actual_rating", "predicted_rating"]),
        actual,
    ) {
        (Ok(input), Some(actual)) if problems.is_empty() => Ok(Checked {
            input,
            predicted,
            actual,
        }),
        (movie, _) => {
            problems.extend(movie.err().unwrap_or_default());
            Err(problems)
        }
    }
}

/// Checks a single item or `{"items": [...]}` (1 to `max`), reporting every bad index
/// and field.
pub fn parse(mut body: Value, max: usize) -> Result<Vec<Checked>> {
    let Some(items) = body.as_object_mut().and_then(|obj| obj.remove("items")) else {
        return check(body)
            .map(|item| vec![item])
            .map_err(|problems| Error::Items {
                list: "",
                problems: problems.into_iter().map(|p| (None, p)).collect(),
            });
    };
    if let Some(key) = body.as_object().and_then(|rest| rest.keys().next()) {
        return Err(Error::unknown_field(
            key,
            "send only `items`, or one item without it",
        ));
    }
    let Value::Array(items) = items else {
        return Err(Error::Field {
            field: "items".to_owned(),
            message: "items must be an array of feedback items".to_owned(),
        });
    };
    Error::check_list_size("items", &items, max)?;
    let mut checked = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (i, value) in items.into_iter().enumerate() {
        match check(value) {
            Ok(item) => checked.push(item),
            Err(p) => problems.extend(p.into_iter().map(|p| (Some(i), p))),
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(Error::Items {
            list: "items",
            problems,
        })
    }
}

/// The (predicted, actual) pair of each item, in order: the client's prediction, or the
/// bundle's (rounded like an answer) when it sent none.
pub fn pairs(bundle: &reelcast_pipeline::ModelBundle, items: &[Checked]) -> Vec<(f64, f64)> {
    let missing: Vec<MovieInput> = items
        .iter()
        .filter(|i| i.predicted.is_none())
        .map(|i| i.input.clone())
        .collect();
    let mut predicted = if missing.is_empty() {
        Vec::new()
    } else {
        bundle.predict_batch(&missing)
    }
    .into_iter();
    items
        .iter()
        .map(|i| {
            let p = i
                .predicted
                .or_else(|| predicted.next().map(reelcast_pipeline::round2));
            (p.unwrap_or(f64::NAN), i.actual)
        })
        .collect()
}

/// Live error of the served model over the feedback window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveErrors {
    /// Pairs in the window.
    pub pairs: usize,
    /// RMSE over them (`None` when empty).
    pub rmse: Option<f64>,
    /// MAE over them (`None` when empty).
    pub mae: Option<f64>,
}

/// The last `capacity` (predicted, actual) pairs for the served model; cheap to clone.
#[derive(Debug, Clone)]
pub struct FeedbackWindow {
    capacity: usize,
    pairs: Arc<Mutex<VecDeque<(f64, f64)>>>,
}

impl FeedbackWindow {
    /// An empty window of `capacity` pairs (0 keeps nothing).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            pairs: Arc::new(Mutex::new(VecDeque::with_capacity(capacity.min(4096)))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<(f64, f64)>> {
        // Every update leaves the deque consistent, so a poisoned lock is still usable.
        self.pairs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Empties the window (a new model is served).
    pub fn reset(&self) {
        self.lock().clear();
    }

    /// Appends pairs, evicting the oldest, and returns the errors over the window after
    /// the append (computed under the same lock, so concurrent posts each see a
    /// consistent window).
    pub fn extend(&self, new: &[(f64, f64)]) -> LiveErrors {
        let mut pairs = self.lock();
        for &pair in new {
            if self.capacity == 0 {
                break;
            }
            if pairs.len() == self.capacity {
                pairs.pop_front();
            }
            pairs.push_back(pair);
        }
        summarize(&pairs)
    }

    /// The errors over the window now.
    pub fn summary(&self) -> LiveErrors {
        summarize(&self.lock())
    }
}

/// The answer of `POST /feedback`: the scored `pairs`, in request order, and `live`, the
/// window after them, beside the served model's `version` and held-out `training_rmse`.
pub fn response(
    pairs: &[(f64, f64)],
    live: LiveErrors,
    version: &str,
    training_rmse: f64,
) -> FeedbackResponse {
    let pairs: Vec<FeedbackPair> = pairs
        .iter()
        .map(|&(p, a)| FeedbackPair {
            predicted_rating: p,
            actual_rating: a,
            error: reelcast_pipeline::round2(p - a),
        })
        .collect();
    FeedbackResponse {
        accepted: pairs.len(),
        pairs,
        model_version: version.to_owned(),
        live: LiveMetrics {
            window_size: live.pairs,
            rmse: live.rmse,
            mae: live.mae,
            training_rmse,
        },
    }
}

fn summarize(pairs: &VecDeque<(f64, f64)>) -> LiveErrors {
    let n = pairs.len();
    if n == 0 {
        return LiveErrors {
            pairs: 0,
            rmse: None,
            mae: None,
        };
    }
    let (sq, abs) = pairs.iter().fold((0.0, 0.0), |(sq, abs), (p, a)| {
        let e = p - a;
        (sq + e * e, abs + e.abs())
    });
    LiveErrors {
        pairs: n,
        rmse: Some((sq / n as f64).sqrt()),
        mae: Some(abs / n as f64),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_one_item_or_a_list_and_names_every_problem() {
        let movie = json!({"startYear": 1921, "runtimeMinutes": 68, "numVotes": 40584});
        let mut one = movie.clone();
        one["actual_rating"] = json!(8.3);
        let items = parse(one.clone(), 10).unwrap();
        assert_eq!((items[0].predicted, items[0].actual), (None, 8.3));
        let mut bad = movie.clone();
        bad["actual_rating"] = json!(11);
        bad["predicted_rating"] = json!("7");
        bad["genre"] = json!("Drama");
        let e = parse(json!({"items": [one, bad]}), 10).unwrap_err();
        let Error::Items { list, problems } = e else {
            panic!("{e:?}")
        };
        let fields: Vec<_> = problems
            .iter()
            .map(|(index, p)| (*index, p.field.as_str()))
            .collect();
        assert_eq!(list, "items");
        assert_eq!(
            fields,
            [
                (Some(1), "predicted_rating"),
                (Some(1), "actual_rating"),
                (Some(1), "genre")
            ]
        );
        assert!(problems[2]
            .1
            .message
            .contains("accepted fields are actual_rating, predicted_rating, title"));
        let e = parse(json!({"items": []}), 10).unwrap_err();
        assert_eq!(e.to_string(), "items has 0 entries; send 1 to 10");
        let e = parse(json!({"items": [1]}), 10).unwrap_err();
        assert!(
            matches!(&e, Error::Items { problems, .. } if problems[0] .0 == Some(0) && problems[0].1.field == "items"),
            "{e:?}"
        );
        let e = parse(json!({"items": [], "x": 1}), 10).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown field `x`; send only `items`, or one item without it"
        );
    }

    #[test]
    fn errors_cover_only_the_last_capacity_pairs() {
        let w = FeedbackWindow::new(2);
        assert_eq!(w.summary().rmse, None);
        let e = w.extend(&[(9.0, 1.0)]);
        assert_eq!((e.pairs, e.rmse, e.mae), (1, Some(8.0), Some(8.0)));
        // (9,1) is evicted; errors 3 and 1: rmse sqrt(5), mae 2.
        let e = w.extend(&[(5.0, 2.0), (7.0, 8.0)]);
        assert_eq!(e.pairs, 2);
        assert!((e.rmse.unwrap() - 5f64.sqrt()).abs() < 1e-12);
        assert!((e.mae.unwrap() - 2.0).abs() < 1e-12);
        w.reset();
        assert_eq!(w.summary().pairs, 0);
    }
}
