//! The recent-traffic window behind `POST /monitoring/data-drift/check` and the drift
//! gauges: a bounded ring buffer of the feature rows of predicted movies (built by the
//! served bundle's `FittedFeatures`), aged out by time, and the PSI check against the
//! bundle's reference profile.
//!
//! A value the client did not send is not traffic: the median put in its place would
//! read as drift (requests without a `title` pushed `title_length` to PSI 7.8). So the
//! window stores an imputed input's columns as NaN, and the check leaves NaN out of each
//! column's PSI; the missing-input indicator columns, which only say how often a field is
//! imputed, are always left out (`reelcast_imputed_inputs_total` counts that instead).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use reelcast_features::{Imputed, ReferenceProfile};

use crate::dto::{DriftResponse, DriftThresholds};
use crate::error::{Error, Result};

/// Fewest rows a drift check accepts: PSI over decile bins is noise below this. A
/// feature with fewer sent (not imputed) values than this gets no score.
pub const MIN_DRIFT_ROWS: usize = 30;

/// Fewest window rows from which the background refresh sets the drift gauges. Alerts
/// read those gauges unattended, and on real films PSI over 30 rows still reaches 1 by
/// chance (0.14 over 100, 0.04 over 300), so the gauges wait for a steadier sample.
pub const MIN_REFRESH_ROWS: usize = 200;

/// The inputs a feature column is computed from, one bit per [`Imputed`] field.
mod source {
    pub const START_YEAR: u8 = 1;
    pub const RUNTIME: u8 = 1 << 1;
    pub const NUM_VOTES: u8 = 1 << 2;
    pub const TITLE: u8 = 1 << 3;
    pub const GENRES: u8 = 1 << 4;
    pub const TITLE_TYPE: u8 = 1 << 5;
    pub const IS_ADULT: u8 = 1 << 6;
    /// A missing-input indicator: never part of drift.
    pub const INDICATOR: u8 = 1 << 7;
}

/// The imputable inputs feature column `name` is computed from (0: none), for the names of
/// both feature sets of `reelcast_features`; a test checks that every one is known.
fn column_sources(name: &str) -> Option<u8> {
    use source::*;
    Some(match name {
        "startYear" | "start_year" => START_YEAR,
        "runtimeMinutes" | "runtime_minutes" => RUNTIME,
        "numVotes" | "log1p_num_votes" => NUM_VOTES,
        "log1p_votes_per_year" => NUM_VOTES | START_YEAR,
        "start_year_missing" | "runtime_missing" => INDICATOR,
        "is_adult" => IS_ADULT,
        "title_length" | "title_word_count" => TITLE,
        "genre_count" => GENRES,
        // Crew features come from the directors, writers and cast lists, which are not
        // imputed (an empty list is a film without known crew): never hidden.
        n if n.starts_with("crew_") => 0,
        n if n.starts_with("title_type_") => TITLE_TYPE,
        n if n.starts_with("genre_") => GENRES,
        _ => return None,
    })
}

/// The [`source`] bits of the inputs imputed in one row.
fn imputed_bits(imputed: &Imputed) -> u8 {
    use source::*;
    [
        (imputed.start_year, START_YEAR),
        (imputed.runtime, RUNTIME),
        (imputed.num_votes, NUM_VOTES),
        (imputed.title, TITLE),
        (imputed.genres, GENRES),
        (imputed.title_type, TITLE_TYPE),
        (imputed.is_adult, IS_ADULT),
    ]
    .into_iter()
    .filter_map(|(set, bit)| set.then_some(bit))
    .fold(INDICATOR, |bits, bit| bits | bit)
}

/// Per feature column, the [`source`] bits of the inputs it is computed from.
fn sources_of(names: &[String]) -> Vec<u8> {
    names
        .iter()
        .map(|n| column_sources(n).unwrap_or(0))
        .collect()
}

/// A feature value as a drift check sees it: NaN when the column (`sources`) comes from
/// an input the row imputed, or is a missing-input indicator (`bits`, from
/// [`imputed_bits`]).
fn as_traffic(value: f32, sources: u8, bits: u8) -> f32 {
    if sources & bits != 0 {
        f32::NAN
    } else {
        value
    }
}

/// Hides in a row-major `matrix` of movies a client posted for a drift check what the
/// recent-traffic window hides: each row's imputed inputs (`imputed`, one per row) and the
/// missing-input indicators become NaN, so the same movies get the same verdict whether
/// they are posted or predicted. `names` are the feature columns.
pub fn hide_imputed(names: &[String], matrix: &mut [f32], imputed: &[Imputed]) {
    let sources = sources_of(names);
    if sources.is_empty() {
        return;
    }
    for (row, flags) in matrix.chunks_exact_mut(sources.len()).zip(imputed) {
        let bits = imputed_bits(flags);
        for (value, column) in row.iter_mut().zip(&sources) {
            *value = as_traffic(*value, *column, bits);
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// Version of the model whose features built the rows.
    version: String,
    /// Columns per row (0 until the first rows of the version arrive).
    width: usize,
    /// Per column, the [`source`] bits of the inputs it is computed from (empty: unknown).
    sources: Vec<u8>,
    /// The rows end to end, oldest first: one flat buffer, so that a push copies values
    /// instead of allocating a row (and freeing the evicted one) per predicted movie.
    values: VecDeque<f32>,
    /// When each row arrived, oldest first.
    arrived: VecDeque<Instant>,
}

impl Inner {
    /// Drops the rows that arrived `max_age` or longer before `now`.
    fn age_out(&mut self, max_age: Option<Duration>, now: Instant) {
        let Some(max_age) = max_age else { return };
        let old = self
            .arrived
            .iter()
            .take_while(|t| now.saturating_duration_since(**t) >= max_age)
            .count();
        self.arrived.drain(..old);
        self.values.drain(..old * self.width);
    }

    /// The [`source`] bits of `row` when its imputed inputs are unknown: only the
    /// missing-input indicator columns tell, each about the column before it (the feature
    /// set puts `start_year_missing` after `start_year`, `runtime_missing` after
    /// `runtime_minutes`).
    fn bits_from_indicators(&self, row: &[f32]) -> u8 {
        let mut bits = source::INDICATOR;
        for (j, (sources, value)) in self.sources.iter().zip(row).enumerate().skip(1) {
            if *sources == source::INDICATOR && *value > 0.5 {
                bits |= self.sources[j - 1];
            }
        }
        bits
    }
}

/// Feature rows of the last `capacity` predicted movies that arrived less than `max_age`
/// ago, for one model version; cheap to clone. A capacity of 0 keeps nothing.
#[derive(Debug, Clone)]
pub struct DriftWindow {
    capacity: usize,
    /// `None`: rows never age out.
    max_age: Option<Duration>,
    inner: Arc<Mutex<Inner>>,
}

impl DriftWindow {
    /// A window of `capacity` rows, each kept for `max_age_seconds` (0 or not finite:
    /// kept until evicted by newer rows).
    pub fn new(capacity: usize, max_age_seconds: f64) -> Self {
        Self {
            capacity,
            max_age: Duration::try_from_secs_f64(max_age_seconds)
                .ok()
                .filter(|d| !d.is_zero()),
            inner: Arc::new(Mutex::new(Inner::default())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update leaves the deques consistent, so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Empties the window for a newly served model whose feature columns are `names`.
    pub fn reset(&self, version: &str, names: &[String]) {
        let mut inner = self.lock();
        inner.version = version.to_owned();
        inner.width = 0;
        inner.sources = sources_of(names);
        inner.values.clear();
        inner.arrived.clear();
    }

    /// [`DriftWindow::push_imputed`] now, with imputed inputs read from the
    /// missing-input indicator columns (for the tests of the window itself).
    #[cfg(test)]
    pub fn push(&self, version: &str, matrix: &[f32], width: usize) {
        self.push_imputed(version, matrix, width, &[], Instant::now());
    }

    /// Appends the rows of a row-major `matrix` (`width` columns) built by model
    /// `version` at `now`, evicting the oldest and those aged out; rows of a model no
    /// longer served are dropped. `imputed` says what was imputed in the newest rows
    /// (its last entry belongs to the last row); rows without an entry are read from the
    /// missing-input indicator columns. An imputed input's columns are stored as NaN.
    pub fn push_imputed(
        &self,
        version: &str,
        matrix: &[f32],
        width: usize,
        imputed: &[Imputed],
        now: Instant,
    ) {
        if self.capacity == 0 || width == 0 || matrix.is_empty() {
            return;
        }
        let mut inner = self.lock();
        if inner.version != version {
            return;
        }
        if inner.width != width {
            // The version's first rows (one version always builds rows of one width).
            inner.width = width;
            inner.values.clear();
            inner.arrived.clear();
        }
        if inner.sources.len() != width {
            inner.sources = vec![0; width];
        }
        inner.age_out(self.max_age, now);
        let rows = matrix.len() / width;
        let kept = rows.min(self.capacity);
        let evicted = (inner.arrived.len() + kept).saturating_sub(self.capacity);
        inner.arrived.drain(..evicted);
        inner.values.drain(..evicted * width);
        for r in rows - kept..rows {
            let row = &matrix[r * width..(r + 1) * width];
            let told = (imputed.len() + r)
                .checked_sub(rows)
                .and_then(|at| imputed.get(at));
            let bits = match told {
                Some(flags) => imputed_bits(flags),
                None => inner.bits_from_indicators(row),
            };
            for (value, column) in row.iter().zip(0..width) {
                let value = as_traffic(*value, inner.sources[column], bits);
                inner.values.push_back(value);
            }
            inner.arrived.push_back(now);
        }
    }

    /// The window as one row-major matrix (imputed values NaN), if it holds rows of model
    /// `version`, after the rows older than the maximum age at `now` aged out.
    pub fn matrix_at(&self, version: &str, now: Instant) -> Vec<f32> {
        let mut inner = self.lock();
        inner.age_out(self.max_age, now);
        if inner.version != version {
            return Vec::new();
        }
        inner.values.iter().copied().collect()
    }

    /// [`DriftWindow::matrix_at`] now.
    pub fn matrix(&self, version: &str) -> Vec<f32> {
        self.matrix_at(version, Instant::now())
    }

    /// The window's rows of model `version` (`width` columns) for a drift check now, or
    /// [`Error::NotEnoughTraffic`] while it holds fewer than [`MIN_DRIFT_ROWS`].
    pub fn checkable(&self, version: &str, width: usize) -> Result<Vec<f32>> {
        let matrix = self.matrix(version);
        let rows = matrix.len() / width.max(1);
        if rows < MIN_DRIFT_ROWS {
            let min = MIN_DRIFT_ROWS;
            return Err(Error::NotEnoughTraffic { rows, min });
        }
        Ok(matrix)
    }
}

/// For a crew feature `crew_{role}_*`, the column of `crew_{role}_films`: a row where it
/// is 0 names no known person of that role, so its crew values are the training prior
/// (imputed) and are left out of that role's PSI, as an unsent field is.
fn crew_films_column(names: &[&str], feature: &str) -> Option<usize> {
    let role = feature.strip_prefix("crew_")?.split('_').next()?;
    let films = format!("crew_{role}_films");
    names.iter().position(|n| *n == films)
}

/// One drift check's result.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftReport {
    /// `normal`, `low` or `high`, from `max_psi` and the thresholds.
    pub status: &'static str,
    /// The largest per-feature PSI (0 when no feature has a score).
    pub max_psi: f64,
    /// PSI per feature, by feature name.
    pub scores: BTreeMap<String, f64>,
}

/// PSI of every feature of `matrix` against `reference`, and the status from the largest:
/// `high` at or above `high`, `low` at or above `low`, else `normal`. NaN values (imputed
/// inputs) are left out of their column, and crew values of rows naming no known person of
/// the role (see `crew_films_column`); a column with fewer than [`MIN_DRIFT_ROWS`]
/// other values gets no score.
pub fn check(reference: &ReferenceProfile, matrix: &[f32], low: f64, high: f64) -> DriftReport {
    let width = reference.features.len();
    let names: Vec<&str> = reference.features.iter().map(|f| f.name.as_str()).collect();
    let scores: BTreeMap<String, f64> = reference
        .features
        .iter()
        .enumerate()
        .filter_map(|(j, feature)| {
            let films = crew_films_column(&names, &feature.name);
            let sent = |row: &[f32]| films.is_none_or(|f| row[f] > 0.0);
            let column = || {
                matrix
                    .chunks_exact(width)
                    .filter(move |row| sent(row))
                    .map(move |row| &row[j])
                    .filter(|v| !v.is_nan())
            };
            (column().count() >= MIN_DRIFT_ROWS)
                .then(|| (feature.name.clone(), feature.psi(column().copied())))
        })
        .collect();
    let max_psi = scores.values().copied().fold(0.0, f64::max);
    let status = if max_psi >= high {
        "high"
    } else if max_psi >= low {
        "low"
    } else {
        "normal"
    };
    DriftReport {
        status,
        max_psi,
        scores,
    }
}

/// Checks that `n` posted movies are enough for a drift check: at least
/// [`MIN_DRIFT_ROWS`].
pub fn check_posted(n: usize) -> Result<()> {
    if n < MIN_DRIFT_ROWS {
        let message =
            format!("movies has {n} entries; a drift check needs at least {MIN_DRIFT_ROWS}");
        let field = "movies".to_owned();
        return Err(Error::Field { field, message });
    }
    Ok(())
}

/// The answer of `POST /monitoring/data-drift/check`: [`check`] of `matrix` (rows from
/// `source`, `request` or `recent_traffic`) against `reference` with `thresholds`, for
/// model `version`.
pub fn respond(
    reference: &ReferenceProfile,
    matrix: &[f32],
    thresholds: DriftThresholds,
    source: &str,
    version: &str,
) -> DriftResponse {
    let report = check(reference, matrix, thresholds.low, thresholds.high);
    DriftResponse {
        status: report.status.to_owned(),
        max_psi: report.max_psi,
        n: matrix.len() / reference.features.len().max(1),
        scores: report.scores,
        source: source.to_owned(),
        thresholds,
        model_version: version.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use reelcast_core::{MovieInput, Runtime, Year};
    use reelcast_features::{FeatureSet, FeatureSpec, FittedFeatures};

    use super::*;

    fn names(width: usize) -> Vec<String> {
        (0..width).map(|j| format!("startYear{j}")).collect()
    }

    #[test]
    fn window_keeps_the_newest_rows_of_the_served_model() {
        let w = DriftWindow::new(3, 0.0);
        w.reset("a", &names(2));
        w.push("a", &[1.0, 1.0, 2.0, 2.0], 2);
        w.push("a", &[3.0, 3.0, 4.0, 4.0], 2);
        w.push("old", &[9.0, 9.0], 2);
        assert_eq!(w.matrix("a"), [2.0, 2.0, 3.0, 3.0, 4.0, 4.0]);
        // More rows than fit at once: the newest three; a partial trailing row is ignored.
        w.push("a", &[5.0, 5.0, 6.0, 6.0, 7.0, 7.0, 8.0, 8.0, 0.5], 2);
        assert_eq!(w.matrix("a"), [6.0, 6.0, 7.0, 7.0, 8.0, 8.0]);
        w.push("a", &[9.0, 9.0], 2);
        assert_eq!(w.matrix("a"), [7.0, 7.0, 8.0, 8.0, 9.0, 9.0]);
        assert!(w.matrix("b").is_empty());
        w.reset("b", &names(2));
        assert!(w.matrix("b").is_empty());
    }

    #[test]
    fn rows_age_out_by_time_and_the_window_empties_without_traffic() {
        let w = DriftWindow::new(100, 60.0);
        w.reset("a", &names(1));
        let t0 = Instant::now();
        w.push_imputed("a", &[1.0, 2.0], 1, &[], t0);
        w.push_imputed("a", &[3.0], 1, &[], t0 + Duration::from_secs(30));
        assert_eq!(
            w.matrix_at("a", t0 + Duration::from_secs(59)),
            [1.0, 2.0, 3.0]
        );
        assert_eq!(w.matrix_at("a", t0 + Duration::from_secs(60)), [3.0]);
        assert!(w.matrix_at("a", t0 + Duration::from_secs(90)).is_empty());
    }

    fn full_features() -> FittedFeatures {
        let spec = FeatureSpec::default();
        assert_eq!(spec.set, FeatureSet::Full);
        let train: Vec<MovieInput> = (0..100u16)
            .map(|i| MovieInput {
                title: Some(format!("Film number {i}")),
                start_year: Year::new(1950 + i).ok(),
                runtime: Runtime::new(80 + u32::from(i)).ok(),
                ..MovieInput::default()
            })
            .collect();
        spec.fit(&train).expect("fits")
    }

    #[test]
    fn every_feature_column_has_known_inputs() {
        let full = full_features();
        let original = ["startYear", "runtimeMinutes", "numVotes"];
        let crew = reelcast_features::CREW_ROLES.map(|r| format!("crew_{r}_mean_rating"));
        for name in full
            .names()
            .iter()
            .map(String::as_str)
            .chain(original)
            .chain(crew.iter().map(String::as_str))
        {
            assert!(
                column_sources(name).is_some(),
                "feature {name} has no known inputs: drift cannot leave its imputed values out"
            );
        }
    }

    #[test]
    fn imputed_titles_do_not_count_as_drift() {
        let features = full_features();
        let width = features.width();
        let w = DriftWindow::new(1000, 0.0);
        w.reset("v", features.names());
        let now = Instant::now();
        // Every movie as in training, but sent without a title (and one without a year).
        for i in 0..300u16 {
            let input = MovieInput {
                start_year: Year::new(1950 + i % 100).ok(),
                runtime: Runtime::new(80 + u32::from(i % 100)).ok(),
                ..MovieInput::default()
            };
            let mut row = Vec::new();
            let imputed = features.transform(&input, &mut row);
            w.push_imputed("v", &row, width, &[imputed], now);
        }
        let matrix = w.matrix("v");
        assert_eq!(matrix.len(), 300 * width);
        let report = check(features.reference(), &matrix, 0.1, 0.25);
        assert!(!report.scores.contains_key("title_length"), "{report:?}");
        assert!(
            !report.scores.contains_key("start_year_missing"),
            "{report:?}"
        );
        assert!(report.scores["start_year"] < 0.1, "{report:?}");
        assert_eq!(report.status, "normal", "{report:?}");

        // The same rows pushed without being told what was imputed: the imputed title
        // length (the training median for every row) is drift.
        let blind = DriftWindow::new(1000, 0.0);
        blind.reset("v", features.names());
        let mut rows = Vec::new();
        for i in 0..300u16 {
            let input = MovieInput {
                start_year: Year::new(1950 + i % 100).ok(),
                runtime: Runtime::new(80 + u32::from(i % 100)).ok(),
                ..MovieInput::default()
            };
            features.transform(&input, &mut rows);
        }
        blind.push("v", &rows, width);
        let report = check(features.reference(), &blind.matrix("v"), 0.1, 0.25);
        assert!(report.scores["title_length"] > 0.25, "{report:?}");
    }

    #[test]
    fn indicator_columns_mark_their_input_imputed_when_not_told() {
        let features = full_features();
        let width = features.width();
        let w = DriftWindow::new(10, 0.0);
        w.reset("v", features.names());
        let mut row = Vec::new();
        let input = MovieInput {
            title: Some("A film".into()),
            ..MovieInput::default()
        };
        features.transform(&input, &mut row);
        w.push("v", &row, width);
        let stored = w.matrix("v");
        let at = |name: &str| features.names().iter().position(|n| n == name).unwrap();
        assert!(stored[at("start_year")].is_nan());
        assert!(stored[at("runtime_minutes")].is_nan());
        assert!(stored[at("log1p_votes_per_year")].is_nan());
        assert!(stored[at("start_year_missing")].is_nan());
        assert_eq!(stored[at("title_length")], 6.0);
        assert!(!stored[at("log1p_num_votes")].is_nan());
    }

    #[test]
    fn columns_with_too_few_sent_values_get_no_score() {
        let features = full_features();
        let width = features.width();
        let matrix: Vec<f32> = (0..MIN_DRIFT_ROWS - 1)
            .flat_map(|_| vec![1.0; width])
            .collect();
        assert!(check(features.reference(), &matrix, 0.1, 0.25)
            .scores
            .is_empty());
    }

    #[test]
    fn a_window_too_small_for_a_check_says_how_many_rows_it_holds() {
        let w = DriftWindow::new(100, 0.0);
        w.reset("v", &names(1));
        w.push("v", &[1.0; MIN_DRIFT_ROWS - 1], 1);
        let e = w.checkable("v", 1).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "the recent-traffic window holds 29 movies; a drift check needs at least 30"
            ),
            "{e}"
        );
        w.push("v", &[1.0], 1);
        assert_eq!(w.checkable("v", 1).unwrap().len(), MIN_DRIFT_ROWS);
    }

    #[test]
    fn crew_values_of_films_without_known_crew_are_left_out() {
        let names = ["crew_cast_mean_rating", "crew_cast_films", "x"];
        assert_eq!(crew_films_column(&names, "crew_cast_mean_rating"), Some(1));
        assert_eq!(crew_films_column(&names, "x"), None);
    }
}
