//! Crew and cast features: who made a film, as rating statistics of its
//! people in the training split.
//!
//! For each role (directors, writers, top-billed cast) a row gets three columns: the mean
//! and the max of the role's people's smoothed mean rating, and the number of rated
//! training films those people have. A person's smoothed mean is
//! `(rating_sum + m * prior) / (films + m)`, pulling a person with few films toward the
//! training mean `prior` with strength `m` ([`CrewSpec::smoothing`]). People unseen in
//! training, and roles with nobody, get the prior and a count of 0.
//!
//! A person counts once per role: a role's strings are resolved to people first and
//! repeats dropped (a name and its nconst, two spellings of a name, or one nconst listed
//! twice by IMDb's principals), in training and in serving alike. A string that resolves
//! to nobody is one unknown person, who adds the prior to the mean and max and no films;
//! unknown strings with the same key (the same nconst, or the same name up to case and
//! whitespace) are one unknown person. Person strings match as [`FittedCrew::resolve`]
//! says.
//!
//! Statistics come from the training split only. Training rows themselves get
//! out-of-fold values ([`FittedFeatures::transform_training`]): the split is cut into
//! [`CrewSpec::folds`] folds and each row's statistics come from the other folds, so no row
//! ever sees its own rating (otherwise a person with one film would carry that film's
//! rating exactly, and the model would learn to trust it).

use std::collections::{BTreeMap, HashMap};

use reelcast_core::MovieInput;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::FittedFeatures;
use names::{as_nconst, collapse_whitespace, collapsed_key, name_key};

mod names;

/// Roles with crew features, in column order.
pub const CREW_ROLES: [&str; 3] = ["director", "writer", "cast"];
/// Columns per role: mean smoothed rating, max smoothed rating, rated training films.
pub const CREW_COLUMNS_PER_ROLE: usize = 3;
/// Most suggestions [`FittedCrew::suggest`] returns.
pub const MAX_SUGGESTIONS: usize = 10;

/// How crew features are built. Part of [`crate::FeatureSpec`]; `None` there means no
/// crew features.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CrewSpec {
    /// Cast members used: the first `top_cast` distinct people of the film's
    /// actor/actress/self principals in billing order (in IMDb's files those normally hold
    /// orderings 1-4); a repeated person takes no second place. Default 4.
    pub top_cast: u8,
    /// Smoothing strength `m`, in films: a person with `m` training films is weighted half
    /// their own mean, half the prior. Default 3: most people of the embedded sample have
    /// one to three films, so their own mean gets at most half the weight; 3 has the lowest
    /// cross-validated RMSE of 1, 3, 10 and 30 on the sample's training rows
    /// (`docs/benchmarks.md`, "Model choice").
    pub smoothing: f32,
    /// Folds for the training rows' out-of-fold statistics. Default 5.
    pub folds: u8,
    /// People with fewer training films are left out of the stored table (and treated as
    /// unseen). Default 1: everyone.
    pub min_person_films: u32,
}

impl Default for CrewSpec {
    fn default() -> Self {
        Self {
            top_cast: 4,
            smoothing: 3.0,
            folds: 5,
            min_person_films: 1,
        }
    }
}

/// One person's training statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonStats {
    /// IMDb person id, e.g. `nm0000122`.
    pub nconst: String,
    /// `primaryName`, when name.basics gave it.
    pub name: Option<String>,
    /// Sum of the ratings of their training films.
    pub rating_sum: f64,
    /// Their rated training films (in any role).
    pub films: u32,
}

/// The serialized form of [`FittedCrew`]: the lookups are rebuilt on load.
#[derive(Serialize, Deserialize)]
struct CrewTable {
    spec: CrewSpec,
    prior: f32,
    people: Vec<PersonStats>,
}

/// Crew statistics fitted on a training split: the people table and the prior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "CrewTable", into = "CrewTable")]
pub struct FittedCrew {
    spec: CrewSpec,
    prior: f32,
    /// Sorted by nconst.
    people: Vec<PersonStats>,
    by_nconst: HashMap<String, usize>,
    /// [`name_key`] -> the people with that key, most films first (ties: smaller nconst).
    by_name: HashMap<String, Vec<usize>>,
    /// ([`name_key`], person) sorted, for prefix suggestions.
    sorted_names: Vec<(String, usize)>,
}

impl From<CrewTable> for FittedCrew {
    fn from(t: CrewTable) -> Self {
        let mut by_nconst = HashMap::with_capacity(t.people.len());
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut sorted_names = Vec::new();
        for (i, p) in t.people.iter().enumerate() {
            by_nconst.insert(p.nconst.clone(), i);
            if let Some(name) = &p.name {
                let key = name_key(name);
                if key.is_empty() {
                    continue;
                }
                by_name.entry(key.clone()).or_default().push(i);
                sorted_names.push((key, i));
            }
        }
        // People are sorted by nconst and the sort is stable: ties keep the smaller id.
        for candidates in by_name.values_mut() {
            candidates.sort_by(|a, b| t.people[*b].films.cmp(&t.people[*a].films));
        }
        sorted_names.sort();
        Self {
            spec: t.spec,
            prior: t.prior,
            people: t.people,
            by_nconst,
            by_name,
            sorted_names,
        }
    }
}

impl From<FittedCrew> for CrewTable {
    fn from(c: FittedCrew) -> Self {
        Self {
            spec: c.spec,
            prior: c.prior,
            people: c.people,
        }
    }
}

/// The strings of one role of an input.
fn role_strings(input: &MovieInput, role: usize) -> &[String] {
    match role {
        0 => &input.directors,
        1 => &input.writers,
        _ => &input.cast,
    }
}

/// The people of one role of one input, each once, in input order: `identify` says who
/// a string means, and a string naming someone already in the role is skipped. Cast
/// keeps the first `top_cast` distinct people, so a repeat pushes nobody out.
fn role_people<K: PartialEq>(
    input: &MovieInput,
    role: usize,
    top_cast: u8,
    mut identify: impl FnMut(&str) -> K,
) -> Vec<K> {
    distinct(
        role_strings(input, role).iter().map(|g| identify(g)),
        role_limit(role, top_cast),
    )
}

/// How many distinct people of a role count: `top_cast` for the cast, all otherwise.
fn role_limit(role: usize, top_cast: u8) -> usize {
    if role == 2 {
        usize::from(top_cast)
    } else {
        usize::MAX
    }
}

/// The first `limit` distinct items of `items`, in order; no item past them is taken.
///
/// Roles are short (the API allows 20 people), so a linear `contains` is enough.
fn distinct<K: PartialEq>(items: impl IntoIterator<Item = K>, limit: usize) -> Vec<K> {
    let mut items = items.into_iter();
    let mut kept = Vec::new();
    while kept.len() < limit {
        let Some(item) = items.next() else { break };
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    kept
}

/// A training string's person: the canonical nconst (training inputs hold IMDb's nconsts),
/// else the string itself.
fn training_id(given: &str) -> String {
    as_nconst(given).unwrap_or_else(|| given.to_owned())
}

/// Per-person (rating sum, films) accumulated over rows.
type Tally = HashMap<String, (f64, u32)>;

/// Each person of a row counts once, whatever roles they hold on it.
fn row_people(input: &MovieInput, top_cast: u8) -> Vec<String> {
    let mut people: Vec<String> = (0..CREW_ROLES.len())
        .flat_map(|r| role_people(input, r, top_cast, training_id))
        .collect();
    people.sort();
    people.dedup();
    people
}

fn tally(rows: impl Iterator<Item = (usize, f32)>, inputs: &[MovieInput], top_cast: u8) -> Tally {
    let mut t = Tally::new();
    for (i, rating) in rows {
        for p in row_people(&inputs[i], top_cast) {
            let e = t.entry(p).or_default();
            e.0 += f64::from(rating);
            e.1 += 1;
        }
    }
    t
}

/// Appends one role's three columns from `stats` (films, rating sum) of each person
/// (`None` = unseen).
fn role_columns(
    people: impl Iterator<Item = Option<(f64, u32)>>,
    prior: f32,
    m: f32,
    out: &mut Vec<f32>,
) {
    let (mut sum, mut max, mut n, mut films) = (0f64, f32::MIN, 0u32, 0u32);
    for stats in people {
        let smoothed = match stats {
            Some((rating_sum, f)) => {
                films += f;
                ((rating_sum + f64::from(m) * f64::from(prior)) / (f64::from(f) + f64::from(m)))
                    as f32
            }
            None => prior,
        };
        sum += f64::from(smoothed);
        max = max.max(smoothed);
        n += 1;
    }
    if n == 0 {
        out.extend_from_slice(&[prior, prior, 0.0]);
    } else {
        out.extend_from_slice(&[(sum / f64::from(n)) as f32, max, films as f32]);
    }
}

/// Who a person string means, for counting each person once per role.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    /// A person of the table, by index.
    Known(usize),
    /// Nobody in the table; the canonical nconst or the name key of the string, so two
    /// spellings of one unknown person are one person.
    Unknown(String),
}

/// How each person string of an input was resolved, per role: the string as given and
/// the nconst used (`None`: unknown to the model, the prior was used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleResolution {
    /// `directors`, in input order.
    pub directors: Vec<(String, Option<String>)>,
    /// `writers`, in input order.
    pub writers: Vec<(String, Option<String>)>,
    /// `cast`, in input order (people past the first [`CrewSpec::top_cast`] distinct ones
    /// resolve but do not count).
    pub cast: Vec<(String, Option<String>)>,
}

impl PeopleResolution {
    /// True when no person was given.
    pub fn is_empty(&self) -> bool {
        self.directors.is_empty() && self.writers.is_empty() && self.cast.is_empty()
    }

    /// Each given string mapped to the nconst it resolved to (`None`: unknown), all roles
    /// together: the `people` answer of the API and `reelcast predict`. `None` when no
    /// person was given.
    pub fn into_map(self) -> Option<BTreeMap<String, Option<String>>> {
        (!self.is_empty()).then(|| {
            [self.directors, self.writers, self.cast]
                .into_iter()
                .flatten()
                .collect()
        })
    }

    /// The list of role `r`, in [`CREW_ROLES`] order.
    fn role_mut(&mut self, r: usize) -> &mut Vec<(String, Option<String>)> {
        match r {
            0 => &mut self.directors,
            1 => &mut self.writers,
            _ => &mut self.cast,
        }
    }

    /// Given strings that matched nobody, in role order.
    pub fn unknown(&self) -> Vec<&str> {
        [&self.directors, &self.writers, &self.cast]
            .into_iter()
            .flatten()
            .filter(|(_, n)| n.is_none())
            .map(|(g, _)| g.as_str())
            .collect()
    }
}

/// One suggestion of [`FittedCrew::suggest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSuggestion {
    /// IMDb person id.
    pub nconst: String,
    /// `primaryName`.
    pub name: String,
    /// Rated training films.
    pub films: u32,
}

impl FittedCrew {
    /// Fits the table on training rows (`inputs[i]` rated `targets[i]`); `names` gives a
    /// person's primaryName by nconst.
    pub(crate) fn fit(
        spec: CrewSpec,
        inputs: &[MovieInput],
        targets: &[f32],
        names: &HashMap<String, String>,
    ) -> Self {
        let prior = (targets.iter().map(|t| f64::from(*t)).sum::<f64>()
            / targets.len().max(1) as f64) as f32;
        let totals = tally(targets.iter().copied().enumerate(), inputs, spec.top_cast);
        let mut people: Vec<PersonStats> = totals
            .into_iter()
            .filter(|(_, (_, films))| *films >= spec.min_person_films)
            .map(|(nconst, (rating_sum, films))| PersonStats {
                name: names.get(&nconst).cloned(),
                nconst,
                rating_sum,
                films,
            })
            .collect();
        people.sort_by(|a, b| a.nconst.cmp(&b.nconst));
        CrewTable {
            spec,
            prior,
            people,
        }
        .into()
    }

    /// The spec this was fitted with.
    pub fn spec(&self) -> CrewSpec {
        self.spec
    }

    /// The training mean rating: every unseen person's value.
    pub fn prior(&self) -> f32 {
        self.prior
    }

    /// The people table, sorted by nconst.
    pub fn people(&self) -> &[PersonStats] {
        &self.people
    }

    /// The person a given string means. The string is trimmed and every run of Unicode
    /// whitespace made one space; then an nconst (`nm`, in any case, + digits) matches by
    /// id, and anything else matches names exactly after Unicode canonical caseless
    /// folding (NFD, full default case folding, NFD), so `"RENE\u{301}  CLAIR"` finds
    /// "René Clair" and "Klaussner" finds "Klaußner". When several people match, one whose
    /// name is spelled exactly as given (case-sensitive, compared in NFC, whitespace
    /// collapsed the same way) wins; otherwise the one with the most training films
    /// (ties: the smaller nconst).
    pub fn resolve(&self, given: &str) -> Option<&PersonStats> {
        match self.identify(given) {
            Identity::Known(i) => self.people.get(i),
            Identity::Unknown(_) => None,
        }
    }

    /// [`FittedCrew::resolve`]'s rule, keeping who an unknown string means.
    fn identify(&self, given: &str) -> Identity {
        let collapsed = collapse_whitespace(given);
        if let Some(id) = as_nconst(&collapsed) {
            return match self.by_nconst.get(&id) {
                Some(&i) => Identity::Known(i),
                None => Identity::Unknown(id),
            };
        }
        let key = collapsed_key(&collapsed);
        let Some(candidates) = self.by_name.get(&key) else {
            return Identity::Unknown(key);
        };
        let exact = match candidates.as_slice() {
            [_] => None,
            _ => {
                let spelled: String = collapsed.nfc().collect();
                candidates.iter().copied().find(|&i| {
                    self.people[i]
                        .name
                        .as_deref()
                        .is_some_and(|n| collapse_whitespace(n).nfc().eq(spelled.chars()))
                })
            }
        };
        match exact.or_else(|| candidates.first().copied()) {
            Some(i) => Identity::Known(i),
            None => Identity::Unknown(key),
        }
    }

    /// Up to `limit` (at most [`MAX_SUGGESTIONS`]) people whose name starts with `prefix`,
    /// both folded as in [`FittedCrew::resolve`] (so "Burghart Klaus" finds "Burghart
    /// Klaußner"), most films first (ties: the smaller nconst).
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<PersonSuggestion> {
        let prefix = name_key(prefix);
        let limit = limit.min(MAX_SUGGESTIONS);
        if prefix.is_empty() || limit == 0 {
            return Vec::new();
        }
        let start = self
            .sorted_names
            .partition_point(|(n, _)| n.as_str() < prefix.as_str());
        let mut found: Vec<&PersonStats> = self.sorted_names[start..]
            .iter()
            .take_while(|(n, _)| n.starts_with(&prefix))
            .map(|(_, i)| &self.people[*i])
            .collect();
        found.sort_by(|a, b| b.films.cmp(&a.films).then_with(|| a.nconst.cmp(&b.nconst)));
        found
            .into_iter()
            .take(limit)
            .map(|p| PersonSuggestion {
                nconst: p.nconst.clone(),
                name: p.name.clone().unwrap_or_default(),
                films: p.films,
            })
            .collect()
    }

    /// Appends the crew columns of a row scored with the full training table (each person
    /// counts once per role, see the module documentation). With `people`, also records
    /// there how each person string resolved: every string is resolved once, for the
    /// columns and the answer, and callers that need no answer build none.
    pub(crate) fn transform(
        &self,
        input: &MovieInput,
        out: &mut Vec<f32>,
        mut people: Option<&mut PeopleResolution>,
    ) {
        for r in 0..CREW_ROLES.len() {
            let who: Vec<Identity> = role_strings(input, r)
                .iter()
                .map(|g| self.identify(g))
                .collect();
            let counted = distinct(&who, role_limit(r, self.spec.top_cast))
                .into_iter()
                .map(|who| match who {
                    Identity::Known(i) => {
                        let p = &self.people[*i];
                        Some((p.rating_sum, p.films))
                    }
                    Identity::Unknown(_) => None,
                });
            role_columns(counted, self.prior, self.spec.smoothing, out);
            if let Some(people) = people.as_deref_mut() {
                *people.role_mut(r) = role_strings(input, r)
                    .iter()
                    .zip(who)
                    .map(|(g, who)| {
                        let nconst = match who {
                            Identity::Known(i) => Some(self.people[i].nconst.clone()),
                            Identity::Unknown(_) => None,
                        };
                        (g.clone(), nconst)
                    })
                    .collect();
            }
        }
    }

    /// The crew columns of training rows, out of fold: row `i` is in fold `i % folds` and
    /// its statistics come from the other folds (with the table's `min_person_films`).
    /// People count once per role, as in [`FittedCrew::transform`].
    /// Returns `inputs.len() * crew width` values, row-major.
    pub(crate) fn out_of_fold(&self, inputs: &[MovieInput], targets: &[f32]) -> Vec<f32> {
        let k = usize::from(self.spec.folds.max(2));
        let top = self.spec.top_cast;
        let total = tally(targets.iter().copied().enumerate(), inputs, top);
        let fold_tallies: Vec<Tally> = (0..k)
            .map(|f| {
                tally(
                    targets
                        .iter()
                        .copied()
                        .enumerate()
                        .filter(|(i, _)| i % k == f),
                    inputs,
                    top,
                )
            })
            .collect();
        let mut out = Vec::with_capacity(inputs.len() * CREW_ROLES.len() * CREW_COLUMNS_PER_ROLE);
        for (i, input) in inputs.iter().enumerate() {
            let own = &fold_tallies[i % k];
            for r in 0..CREW_ROLES.len() {
                let people = role_people(input, r, top, training_id)
                    .into_iter()
                    .map(|id| {
                        let (sum, films) = total.get(&id).copied().unwrap_or_default();
                        let (own_sum, own_films) = own.get(&id).copied().unwrap_or_default();
                        let films = films - own_films;
                        (films >= self.spec.min_person_films.max(1))
                            .then_some((sum - own_sum, films))
                    });
                role_columns(people, self.prior, self.spec.smoothing, &mut out);
            }
        }
        out
    }
}

impl FittedFeatures {
    /// The fitted crew statistics, when the model uses crew features.
    pub fn crew(&self) -> Option<&FittedCrew> {
        self.crew.as_ref()
    }

    /// The feature matrix of training rows (`inputs[i]` rated `targets[i]`): like
    /// [`FittedFeatures::transform_batch`], but the crew columns are out of fold (see the
    /// module documentation), so no row sees its own rating.
    pub fn transform_training(&self, inputs: &[MovieInput], targets: &[f32]) -> Vec<f32> {
        let mut matrix = self.transform_batch(inputs);
        if let Some(crew) = &self.crew {
            let width = self.width();
            let crew_width = CREW_ROLES.len() * CREW_COLUMNS_PER_ROLE;
            let start = width - crew_width;
            let oof = crew.out_of_fold(inputs, targets);
            for (row, values) in matrix.chunks_mut(width).zip(oof.chunks(crew_width)) {
                row[start..].copy_from_slice(values);
            }
        }
        matrix
    }

    /// Feature groups the model uses: `basics` (year, runtime, votes and, for the full
    /// set, genres, title and type), plus `crew` when it has crew features.
    pub fn groups(&self) -> Vec<&'static str> {
        let mut groups = vec!["basics"];
        if self.crew.is_some() {
            groups.push("crew");
        }
        groups
    }
}

/// Column names of the crew features, in order.
pub(crate) fn crew_names() -> Vec<String> {
    CREW_ROLES
        .iter()
        .flat_map(|r| {
            [
                format!("crew_{r}_mean_rating"),
                format!("crew_{r}_max_rating"),
                format!("crew_{r}_films"),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests;
