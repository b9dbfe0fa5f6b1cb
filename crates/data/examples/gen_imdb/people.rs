//! The people files of `gen_imdb`: `title.crew`, `title.principals` and
//! `name.basics` rows in IMDb's layout, with IMDb's `\N`s, list shapes and rough value
//! distributions (see the real rows in `../shared/data/imdb-excerpt/`).
//!
//! People are numbered 0..count and laid out in blocks of 20 indices, each position of a
//! block one [`Kind`] (actor, actress, director, …). A role draws a person of its kind
//! without any table, and name.basics gives every person a matching primaryProfession,
//! so nothing about people is held in memory. Draws are heavy-tailed (a few people have
//! thousands of credits, most have a handful), as on IMDb.

use std::io::Write;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// What a person mostly does; decides the roles they are drawn for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Actor,
    Actress,
    Director,
    Writer,
    Producer,
    Composer,
    Cinematographer,
    Editor,
    Other,
}

const KINDS: usize = 9;

/// The kind of each position in a block of 20 people: 30% actors, 25% actresses, 10%
/// directors, 10% writers, 5% each for the rest.
const LAYOUT: [Kind; 20] = {
    use Kind::*;
    [
        Actor,
        Actress,
        Director,
        Actor,
        Actress,
        Writer,
        Actor,
        Actress,
        Producer,
        Actor,
        Director,
        Actress,
        Composer,
        Actor,
        Writer,
        Actress,
        Cinematographer,
        Actor,
        Editor,
        Other,
    ]
};

/// Share of drawn credits that name a person name.basics does not list (IMDb has a few).
const UNKNOWN_PERSON: f64 = 0.0002;

/// The person pool: `count` name.basics rows.
pub struct People {
    count: u64,
    /// Positions within a block, per kind.
    positions: [Vec<u64>; KINDS],
}

impl People {
    pub fn new(count: u64) -> Self {
        let mut positions: [Vec<u64>; KINDS] = Default::default();
        for (i, kind) in LAYOUT.iter().enumerate() {
            positions[*kind as usize].push(i as u64);
        }
        Self { count, positions }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The nconst of a person of `kind`.
    fn pick(&self, rng: &mut ChaCha8Rng, kind: Kind) -> u64 {
        if rng.random_bool(UNKNOWN_PERSON) {
            return nconst_of(self.count + rng.random_range(0..1_000_000));
        }
        let positions = &self.positions[kind as usize];
        let per_block = positions.len() as u64;
        let pool = self.count.div_ceil(LAYOUT.len() as u64) * per_block;
        // u^3: the first 0.1% of a pool gets a tenth of its credits, the last half a fifth.
        let j = (pool as f64 * rng.random::<f64>().powi(3)) as u64;
        let index = (j / per_block) * LAYOUT.len() as u64 + positions[(j % per_block) as usize];
        // The last block may be partial: such draws name an unknown person, which is fine.
        nconst_of(index)
    }
}

/// nconst of person `index`: increasing with gaps, like IMDb's (nm0000001 … nm16xxxxxx for
/// 14M people).
fn nconst_of(index: u64) -> u64 {
    index + index / 3 + 1
}

fn kind_of(index: u64) -> Kind {
    LAYOUT[(index % LAYOUT.len() as u64) as usize]
}

/// Mean title.principals rows of a title of this type before scaling (0 for some titles).
pub fn principals_mean(title_type: &str) -> f64 {
    match title_type {
        "movie" | "videoGame" => 14.0,
        "tvMovie" | "tvMiniSeries" => 12.0,
        "tvSeries" => 11.0,
        "tvSpecial" => 10.0,
        "video" | "tvPilot" => 8.0,
        "tvEpisode" | "short" => 7.0,
        _ => 6.0,
    }
}

/// Share of titles without any principals row.
const NO_PRINCIPALS: f64 = 0.05;

/// Expected principals rows of a title of this type before scaling.
pub fn expected_principals(title_type: &str) -> f64 {
    (1.0 - NO_PRINCIPALS) * principals_mean(title_type)
}

/// A title's directors and writers (nconsts), reused across titles.
#[derive(Default)]
pub struct Credits {
    directors: Vec<u64>,
    writers: Vec<u64>,
}

/// (weight, count) pairs whose weights sum to 100.
type CountTable = [(u32, usize)];

/// A count drawn from a [`CountTable`].
fn count_from(rng: &mut ChaCha8Rng, table: &CountTable) -> usize {
    let mut r = rng.random_range(0..100);
    for (w, n) in table {
        if r < *w {
            return *n;
        }
        r -= w;
    }
    table[0].1
}

/// Draws a title's directors and writers: most films have one director and one to three
/// writers; episodes and other types more often have none.
pub fn draw_credits(
    rng: &mut ChaCha8Rng,
    people: &People,
    title_type: &str,
    credits: &mut Credits,
) {
    let (directors, writers): (&CountTable, &CountTable) = match title_type {
        "movie" | "tvMovie" => (
            &[(80, 1), (10, 0), (7, 2), (3, 3)],
            &[(40, 1), (20, 0), (25, 2), (10, 3), (4, 4), (1, 9)],
        ),
        "tvEpisode" => (
            &[(55, 1), (40, 0), (5, 2)],
            &[(30, 1), (45, 0), (15, 2), (8, 3), (2, 8)],
        ),
        "short" => (&[(80, 1), (17, 0), (3, 2)], &[(55, 1), (35, 0), (10, 2)]),
        _ => (
            &[(50, 1), (45, 0), (5, 2)],
            &[(30, 1), (50, 0), (15, 2), (5, 4)],
        ),
    };
    credits.directors.clear();
    credits.writers.clear();
    for _ in 0..count_from(rng, directors) {
        credits.directors.push(people.pick(rng, Kind::Director));
    }
    // A third of directors write their own films.
    if let Some(&first) = credits.directors.first() {
        if rng.random_bool(0.3) {
            credits.writers.push(first);
        }
    }
    let writers = count_from(rng, writers);
    while credits.writers.len() < writers {
        credits.writers.push(people.pick(rng, Kind::Writer));
    }
}

fn push_nconst(out: &mut Vec<u8>, nconst: u64) {
    let _ = write!(out, "nm{nconst:07}");
}

fn push_list(out: &mut Vec<u8>, ids: &[u64]) {
    if ids.is_empty() {
        out.extend_from_slice(b"\\N");
    }
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_nconst(out, *id);
    }
}

/// Writes the title.crew row of `tconst` (text such as `tt0000001`).
pub fn crew_row(tconst: &[u8], credits: &Credits, out: &mut Vec<u8>) {
    out.extend_from_slice(tconst);
    out.push(b'\t');
    push_list(out, &credits.directors);
    out.push(b'\t');
    push_list(out, &credits.writers);
    out.push(b'\n');
}

const FIRST_NAMES: [&str; 32] = [
    "John",
    "Mary",
    "James",
    "Anna",
    "David",
    "Maria",
    "Michael",
    "Laura",
    "Robert",
    "Emma",
    "Peter",
    "Sarah",
    "Paul",
    "Julia",
    "Thomas",
    "Elena",
    "José",
    "Zoë",
    "Jürgen",
    "Søren",
    "Chloé",
    "Hiroshi",
    "Björn",
    "Ana",
    "Ali",
    "Olga",
    "Yuki",
    "Raj",
    "Françoise",
    "Ольга",
    "Mei",
    "Seán",
];

const LAST_NAMES: [&str; 32] = [
    "Smith",
    "Johnson",
    "Brown",
    "García",
    "Müller",
    "Rossi",
    "Tanaka",
    "Kim",
    "Nguyen",
    "Martin",
    "Lee",
    "Wilson",
    "Dubois",
    "Novak",
    "Kowalski",
    "Silva",
    "Andersson",
    "O'Brien",
    "Ivanov",
    "Schmidt",
    "López",
    "Khan",
    "Sato",
    "Moreau",
    "Hansen",
    "Fischer",
    "Costa",
    "Petrov",
    "Yılmaz",
    "Björk",
    "Иванов",
    "Chen",
];

fn push_name(rng: &mut ChaCha8Rng, out: &mut Vec<u8>) {
    out.extend_from_slice(FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())].as_bytes());
    out.push(b' ');
    out.extend_from_slice(LAST_NAMES[rng.random_range(0..LAST_NAMES.len())].as_bytes());
}

/// Crew categories after the cast, with weights (IMDb's order of frequency).
const CREW_CATEGORIES: [(&str, Kind, u32); 8] = [
    ("producer", Kind::Producer, 30),
    ("composer", Kind::Composer, 14),
    ("cinematographer", Kind::Cinematographer, 14),
    ("editor", Kind::Editor, 14),
    ("production_designer", Kind::Other, 8),
    ("casting_director", Kind::Other, 8),
    ("archive_footage", Kind::Actor, 10),
    ("archive_sound", Kind::Actress, 2),
];

const WRITER_JOBS: [&str; 8] = [
    "screenplay",
    "written by",
    "story",
    "novel",
    "teleplay",
    "creator",
    "based on the novel by",
    "screenplay by",
];

/// One principals row; `job` and `characters` are written raw (`\N` included).
fn principal(
    out: &mut Vec<u8>,
    tconst: &[u8],
    ordering: usize,
    nconst: u64,
    category: &str,
    job: &str,
) {
    out.extend_from_slice(tconst);
    let _ = write!(out, "\t{ordering}\t");
    push_nconst(out, nconst);
    out.push(b'\t');
    out.extend_from_slice(category.as_bytes());
    out.push(b'\t');
    out.extend_from_slice(job.as_bytes());
    out.push(b'\t');
}

/// Writes the title.principals rows of `tconst` (IMDb order: billed cast first, then
/// its directors and writers from `credits`, then other crew), about `mean` of them.
/// Returns the rows written.
pub fn principals_rows(
    rng: &mut ChaCha8Rng,
    people: &People,
    tconst: &[u8],
    title_type: &str,
    mean: f64,
    credits: &Credits,
    out: &mut Vec<u8>,
) -> u64 {
    if rng.random_bool(NO_PRINCIPALS) {
        return 0;
    }
    // Log-normal spread with mean 1, rounded at random so the mean stays `mean`.
    let spread = (0.6 * crate::titles::normal(rng) - 0.18).exp();
    let wanted = mean * spread;
    let n = (wanted.floor() as usize + usize::from(rng.random_bool(wanted.fract()))).clamp(1, 80);
    // Talk shows, documentaries and reality TV credit people as themselves.
    let self_share = match title_type {
        "tvEpisode" => 0.3,
        "tvSeries" | "tvSpecial" => 0.25,
        "video" => 0.15,
        "movie" => 0.05,
        _ => 0.1,
    };
    let as_self = rng.random_bool(self_share);
    let cast = ((n as f64 * rng.random_range(0.4..0.75)).round() as usize).clamp(1, n);
    let mut ordering = 0;
    for _ in 0..cast {
        ordering += 1;
        let kind = if rng.random_bool(0.55) {
            Kind::Actor
        } else {
            Kind::Actress
        };
        let nconst = people.pick(rng, kind);
        let category = match (as_self, kind) {
            (true, _) => "self",
            (false, Kind::Actor) => "actor",
            (false, _) => "actress",
        };
        principal(out, tconst, ordering, nconst, category, "\\N");
        if as_self {
            out.extend_from_slice(match rng.random_range(0..10) {
                0 => b"[\"Self - Host\"]".as_slice(),
                1 => b"[\"Self - Guest\"]",
                2 => b"\\N",
                _ => b"[\"Self\"]",
            });
        } else if rng.random_bool(0.9) {
            out.extend_from_slice(b"[\"");
            if rng.random_bool(0.5) {
                push_name(rng, out);
            } else {
                out.extend_from_slice(
                    FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())].as_bytes(),
                );
            }
            if rng.random_bool(0.03) {
                out.extend_from_slice(b"\",\"");
                push_name(rng, out);
            }
            out.extend_from_slice(b"\"]");
        } else {
            out.extend_from_slice(b"\\N");
        }
        out.push(b'\n');
    }
    for &director in &credits.directors {
        if ordering == n {
            return n as u64;
        }
        ordering += 1;
        let job = if rng.random_bool(0.05) {
            "co-director"
        } else {
            "\\N"
        };
        principal(out, tconst, ordering, director, "director", job);
        out.extend_from_slice(b"\\N\n");
    }
    for &writer in &credits.writers {
        if ordering == n {
            return n as u64;
        }
        ordering += 1;
        let job = if rng.random_bool(0.45) {
            "\\N"
        } else {
            WRITER_JOBS[rng.random_range(0..WRITER_JOBS.len())]
        };
        principal(out, tconst, ordering, writer, "writer", job);
        out.extend_from_slice(b"\\N\n");
    }
    let total: u32 = CREW_CATEGORIES.iter().map(|c| c.2).sum();
    while ordering < n {
        ordering += 1;
        let mut r = rng.random_range(0..total);
        let &(category, kind, _) = CREW_CATEGORIES
            .iter()
            .find(|c| {
                let hit = r < c.2;
                r = r.saturating_sub(c.2);
                hit
            })
            .unwrap_or(&CREW_CATEGORIES[0]);
        let job = match category {
            "producer" => match rng.random_range(0..10) {
                0..=5 => "producer",
                6..=8 => "executive producer",
                _ => "co-producer",
            },
            _ => "\\N",
        };
        principal(out, tconst, ordering, people.pick(rng, kind), category, job);
        out.extend_from_slice(if category.starts_with("archive") {
            b"[\"Self\"]".as_slice()
        } else {
            b"\\N"
        });
        out.push(b'\n');
    }
    n as u64
}

/// Secondary professions on name.basics.
const PROFESSIONS: [&str; 14] = [
    "actor",
    "actress",
    "director",
    "writer",
    "producer",
    "composer",
    "cinematographer",
    "editor",
    "soundtrack",
    "miscellaneous",
    "camera_department",
    "music_department",
    "art_department",
    "stunts",
];

const OTHER_PROFESSIONS: [&str; 6] = [
    "production_designer",
    "casting_director",
    "sound_department",
    "visual_effects",
    "editorial_department",
    "assistant_director",
];

/// Writes the name.basics row of person `index`. `max_tconst` bounds knownForTitles' ids.
pub fn name_row(rng: &mut ChaCha8Rng, index: u64, max_tconst: u64, out: &mut Vec<u8>) {
    push_nconst(out, nconst_of(index));
    out.push(b'\t');
    push_name(rng, out);
    out.push(b'\t');
    // IMDb knows the birth year of about one person in twenty.
    let birth = rng
        .random_bool(0.05)
        .then(|| 1880 + (130.0 * rng.random::<f64>().sqrt()) as u32);
    let death = match birth {
        Some(b) if b < 1945 && rng.random_bool(0.7) => {
            Some((b + rng.random_range(30..95)).min(2025))
        }
        None if rng.random_bool(0.005) => Some(rng.random_range(1900..2025)),
        _ => None,
    };
    crate::titles::null_or(out, birth);
    out.push(b'\t');
    crate::titles::null_or(out, death);
    out.push(b'\t');
    let kind = kind_of(index);
    if !rng.random_bool(0.02) {
        let first = match kind {
            Kind::Other => OTHER_PROFESSIONS[rng.random_range(0..OTHER_PROFESSIONS.len())],
            k @ (Kind::Actor
            | Kind::Actress
            | Kind::Director
            | Kind::Writer
            | Kind::Producer
            | Kind::Composer
            | Kind::Cinematographer
            | Kind::Editor) => PROFESSIONS[k as usize],
        };
        out.extend_from_slice(first.as_bytes());
        let mut previous = first;
        for _ in 0..count_from(rng, &[(60, 0), (25, 1), (15, 2)]) {
            let extra = PROFESSIONS[rng.random_range(0..PROFESSIONS.len())];
            if extra != first && extra != previous {
                out.push(b',');
                out.extend_from_slice(extra.as_bytes());
                previous = extra;
            }
        }
    }
    out.push(b'\t');
    let known = count_from(rng, &[(15, 0), (40, 1), (15, 2), (10, 3), (20, 4)]);
    if known == 0 {
        out.extend_from_slice(b"\\N");
    }
    for i in 0..known {
        if i > 0 {
            out.push(b',');
        }
        let _ = write!(out, "tt{:07}", rng.random_range(1..=max_tconst));
    }
    out.push(b'\n');
}
