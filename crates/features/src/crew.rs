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
//! Statistics come from the training split only. Training rows themselves get
//! out-of-fold values ([`FittedFeatures::transform_training`]): the split is cut into
//! [`CrewSpec::folds`] folds and each row's statistics come from the other folds, so no row
//! ever sees its own rating (otherwise a person with one film would carry that film's
//! rating exactly, and the model would learn to trust it).

use std::collections::HashMap;

use reelcast_core::MovieInput;
use serde::{Deserialize, Serialize};
use unicase::UniCase;

use crate::FittedFeatures;

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
    /// Cast members used: the first `top_cast` of the film's actor/actress/self principals
    /// in billing order (in IMDb's files those normally hold orderings 1-4). Default 4.
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
    /// Case-folded name -> the person of that name with the most films.
    by_name: HashMap<UniCase<String>, usize>,
    /// (lower-cased name, person) sorted, for prefix suggestions.
    sorted_names: Vec<(String, usize)>,
}

impl From<CrewTable> for FittedCrew {
    fn from(t: CrewTable) -> Self {
        let mut by_nconst = HashMap::with_capacity(t.people.len());
        let mut by_name: HashMap<UniCase<String>, usize> = HashMap::new();
        let mut sorted_names = Vec::new();
        for (i, p) in t.people.iter().enumerate() {
            by_nconst.insert(p.nconst.clone(), i);
            if let Some(name) = &p.name {
                by_name
                    .entry(UniCase::new(name.clone()))
                    .and_modify(|j| {
                        // People are sorted by nconst, so a tie keeps the smaller id.
                        if t.people[*j].films < p.films {
                            *j = i;
                        }
                    })
                    .or_insert(i);
                sorted_names.push((name.to_lowercase(), i));
            }
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

/// The people of one role of one input, as given.
fn role(input: &MovieInput, role: usize, top_cast: u8) -> &[String] {
    match role {
        0 => &input.directors,
        1 => &input.writers,
        _ => {
            let n = input.cast.len().min(usize::from(top_cast));
            &input.cast[..n]
        }
    }
}

/// Per-person (rating sum, films) accumulated over rows.
type Tally = HashMap<String, (f64, u32)>;

/// Each person of a row counts once, whatever roles they hold on it.
fn row_people(input: &MovieInput, top_cast: u8) -> Vec<&String> {
    let mut people: Vec<&String> = (0..CREW_ROLES.len())
        .flat_map(|r| role(input, r, top_cast))
        .collect();
    people.sort();
    people.dedup();
    people
}

fn tally(rows: impl Iterator<Item = (usize, f32)>, inputs: &[MovieInput], top_cast: u8) -> Tally {
    let mut t = Tally::new();
    for (i, rating) in rows {
        for p in row_people(&inputs[i], top_cast) {
            let e = t.entry(p.clone()).or_default();
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

/// Canonical IMDb spelling of a person id given as `nm` + digits, else `None`.
fn as_nconst(given: &str) -> Option<String> {
    let digits = given.strip_prefix("nm")?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok().map(|n| format!("nm{n:07}"))
}

/// How each person string of an input was resolved, per role: the string as given and
/// the nconst used (`None`: unknown to the model, the prior was used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleResolution {
    /// `directors`, in input order.
    pub directors: Vec<(String, Option<String>)>,
    /// `writers`, in input order.
    pub writers: Vec<(String, Option<String>)>,
    /// `cast`, in input order (people past [`CrewSpec::top_cast`] resolve but do not count).
    pub cast: Vec<(String, Option<String>)>,
}

impl PeopleResolution {
    /// True when no person was given.
    pub fn is_empty(&self) -> bool {
        self.directors.is_empty() && self.writers.is_empty() && self.cast.is_empty()
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

    /// The person a given string means: an nconst (`nm` + digits) by id, else a name by
    /// exact match after Unicode case folding; an ambiguous name picks the person with
    /// the most training films (ties: the smaller nconst).
    pub fn resolve(&self, given: &str) -> Option<&PersonStats> {
        let given = given.trim();
        let i = match as_nconst(given) {
            Some(id) => self.by_nconst.get(&id),
            None => self.by_name.get(&UniCase::new(given.to_owned())),
        }?;
        self.people.get(*i)
    }

    /// Up to `limit` (at most [`MAX_SUGGESTIONS`]) people whose lower-cased name starts
    /// with the lower-cased `prefix`, most films first.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<PersonSuggestion> {
        let prefix = prefix.trim().to_lowercase();
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

    /// Appends the crew columns of a row scored with the full training table.
    pub(crate) fn transform(&self, input: &MovieInput, out: &mut Vec<f32>) {
        for r in 0..CREW_ROLES.len() {
            let people = role(input, r, self.spec.top_cast)
                .iter()
                .map(|g| self.resolve(g).map(|p| (p.rating_sum, p.films)));
            role_columns(people, self.prior, self.spec.smoothing, out);
        }
    }

    /// Resolves every person string of `input`.
    pub fn resolve_input(&self, input: &MovieInput) -> PeopleResolution {
        let resolve = |list: &[String]| {
            list.iter()
                .map(|g| (g.clone(), self.resolve(g).map(|p| p.nconst.clone())))
                .collect()
        };
        PeopleResolution {
            directors: resolve(&input.directors),
            writers: resolve(&input.writers),
            cast: resolve(&input.cast),
        }
    }

    /// The crew columns of training rows, out of fold: row `i` is in fold `i % folds` and
    /// its statistics come from the other folds (with the table's `min_person_films`).
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
                let people = role(input, r, top).iter().map(|g| {
                    let id = as_nconst(g).unwrap_or_else(|| g.clone());
                    let (sum, films) = total.get(&id).copied().unwrap_or_default();
                    let (own_sum, own_films) = own.get(&id).copied().unwrap_or_default();
                    let films = films - own_films;
                    (films >= self.spec.min_person_films.max(1)).then_some((sum - own_sum, films))
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

    /// How each person string of `input` resolves through the people table (empty when
    /// the model has no crew features).
    pub fn resolve_people(&self, input: &MovieInput) -> PeopleResolution {
        self.crew
            .as_ref()
            .map(|c| c.resolve_input(input))
            .unwrap_or_default()
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
mod tests {
    use super::*;

    fn film(directors: &[&str], cast: &[&str]) -> MovieInput {
        MovieInput {
            directors: directors.iter().map(|s| (*s).to_owned()).collect(),
            cast: cast.iter().map(|s| (*s).to_owned()).collect(),
            ..MovieInput::default()
        }
    }

    fn names(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    fn fitted() -> FittedCrew {
        let inputs = [
            film(&["nm0000001"], &["nm0000010"]),
            film(&["nm0000001"], &["nm0000011"]),
            film(&["nm0000002"], &["nm0000010"]),
        ];
        let n = names(&[
            ("nm0000001", "Ana Ruiz"),
            ("nm0000002", "ANA RUIZ"),
            ("nm0000010", "Émile Roux"),
        ]);
        FittedCrew::fit(CrewSpec::default(), &inputs, &[8.0, 6.0, 4.0], &n)
    }

    #[test]
    fn smoothed_means_by_hand() {
        let crew = fitted();
        assert_eq!(crew.prior(), 6.0);
        let mut row = Vec::new();
        crew.transform(&film(&["nm0000001"], &[]), &mut row);
        // nm0000001: two films, sum 14; (14 + 3 * 6) / (2 + 3) = 6.4.
        assert!((row[0] - 6.4).abs() < 1e-6 && (row[1] - 6.4).abs() < 1e-6);
        assert_eq!(row[2], 2.0);
        // Writers and cast: nobody given -> prior, 0 films.
        assert_eq!(&row[3..], &[6.0, 6.0, 0.0, 6.0, 6.0, 0.0]);
    }

    #[test]
    fn unseen_people_get_the_prior() {
        let crew = fitted();
        let mut row = Vec::new();
        crew.transform(&film(&["nm9999999", "Nobody Known"], &[]), &mut row);
        assert_eq!(&row[..3], &[6.0, 6.0, 0.0]);
    }

    #[test]
    fn names_resolve_case_folded_and_ambiguity_picks_most_films() {
        let crew = fitted();
        assert_eq!(crew.resolve("ana ruiz").unwrap().nconst, "nm0000001");
        assert_eq!(crew.resolve("ÉMILE ROUX").unwrap().nconst, "nm0000010");
        assert_eq!(crew.resolve("nm1").unwrap().nconst, "nm0000001");
        assert!(crew.resolve("Ana").is_none());
        let r = crew.resolve_input(&film(&["Ana Ruiz", "Ghost"], &[]));
        assert_eq!(
            r.directors,
            [
                ("Ana Ruiz".to_owned(), Some("nm0000001".to_owned())),
                ("Ghost".to_owned(), None)
            ]
        );
        assert_eq!(r.unknown(), ["Ghost"]);
    }

    #[test]
    fn suggestions_are_prefix_matches_most_films_first_and_bounded() {
        let crew = fitted();
        let s = crew.suggest("an", 50);
        let ids: Vec<_> = s.iter().map(|p| p.nconst.as_str()).collect();
        assert_eq!(ids, ["nm0000001", "nm0000002"]);
        assert!(crew.suggest("", 5).is_empty());
        assert!(crew.suggest("zz", 5).is_empty());
        assert_eq!(crew.suggest("é", 5)[0].name, "Émile Roux");
    }

    #[test]
    fn out_of_fold_values_never_see_the_row_itself() {
        let spec = CrewSpec {
            folds: 3,
            ..CrewSpec::default()
        };
        // Three rows, three folds: each row's only other film of nm0000001 is elsewhere.
        let inputs = [
            film(&["nm0000001"], &[]),
            film(&["nm0000001"], &[]),
            film(&["nm0000003"], &[]),
        ];
        let targets = [9.0, 3.0, 6.0];
        let crew = FittedCrew::fit(spec, &inputs, &targets, &HashMap::new());
        let oof = crew.out_of_fold(&inputs, &targets);
        // Row 0 sees only row 1 (rating 3): (3 + 3 * 6) / (1 + 3) = 5.25, 1 film.
        assert_eq!(&oof[..3], &[5.25, 5.25, 1.0]);
        assert_eq!(&oof[9..12], &[6.75, 6.75, 1.0]);
        // Row 2's director has no other film: prior.
        assert_eq!(&oof[18..21], &[6.0, 6.0, 0.0]);
    }

    #[test]
    fn table_survives_serialization_with_its_lookups() {
        let crew = fitted();
        let back: FittedCrew =
            serde_json::from_str(&serde_json::to_string(&crew).unwrap()).unwrap();
        assert_eq!(back, crew);
        assert_eq!(back.resolve("ana ruiz").unwrap().nconst, "nm0000001");
    }
}
