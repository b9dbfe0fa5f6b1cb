//! title.basics and title.ratings rows of `gen_imdb` (shapes described in `main.rs`).

use std::io::Write;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// (titleType, share of rows, chance of having a rating).
pub const TYPES: [(&str, f64, f64); 11] = [
    ("tvEpisode", 0.7615, 0.085),
    ("short", 0.088, 0.17),
    ("movie", 0.070, 0.47),
    ("video", 0.027, 0.20),
    ("tvSeries", 0.025, 0.40),
    ("tvMovie", 0.013, 0.37),
    ("tvMiniSeries", 0.006, 0.35),
    ("tvSpecial", 0.005, 0.25),
    ("videoGame", 0.004, 0.30),
    ("tvShort", 0.0005, 0.20),
    ("tvPilot", 0.00001, 0.10),
];

/// IMDb genres with rough popularity weights.
const GENRES: [(&str, u32); 28] = [
    ("Drama", 30),
    ("Comedy", 20),
    ("Documentary", 12),
    ("Action", 8),
    ("Romance", 8),
    ("Thriller", 7),
    ("Crime", 7),
    ("Horror", 6),
    ("Adventure", 5),
    ("Family", 5),
    ("Animation", 5),
    ("Reality-TV", 5),
    ("Music", 4),
    ("Mystery", 4),
    ("Talk-Show", 4),
    ("Fantasy", 3),
    ("History", 3),
    ("Biography", 3),
    ("Sci-Fi", 3),
    ("Sport", 3),
    ("Game-Show", 2),
    ("News", 2),
    ("Adult", 2),
    ("Musical", 1),
    ("War", 1),
    ("Western", 1),
    ("Short", 1),
    ("Film-Noir", 1),
];

const WORDS: [&str; 48] = [
    "The",
    "Night",
    "Love",
    "Last",
    "Man",
    "Woman",
    "City",
    "Dead",
    "Story",
    "House",
    "Dark",
    "Return",
    "Life",
    "Time",
    "Blood",
    "World",
    "King",
    "Girl",
    "Boy",
    "Secret",
    "Red",
    "Black",
    "River",
    "Road",
    "of",
    "and",
    "in",
    "a",
    "My",
    "Our",
    "Café",
    "Ōkami",
    "Смерть",
    "東京",
    "Niño",
    "Zürich",
    "Amélie",
    "\"Baby\"",
    "Mr.",
    "Dr.",
    "Lost",
    "Found",
    "Summer",
    "Winter",
    "War",
    "Peace",
    "Home",
    "Ghost",
];

/// A standard normal draw (Box-Muller).
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn pick_weighted<'a>(rng: &mut ChaCha8Rng, items: &'a [(&'a str, u32)], total: u32) -> &'a str {
    let mut r = rng.random_range(0..total);
    for (name, w) in items {
        if r < *w {
            return name;
        }
        r -= w;
    }
    items[0].0
}

fn push_title(rng: &mut ChaCha8Rng, out: &mut Vec<u8>) {
    let words = rng.random_range(1..=5);
    for i in 0..words {
        if i > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(WORDS[rng.random_range(0..WORDS.len())].as_bytes());
    }
}

pub fn null_or<T: std::fmt::Display>(out: &mut Vec<u8>, value: Option<T>) {
    match value {
        Some(v) => {
            let _ = write!(out, "{v}");
        }
        None => out.extend_from_slice(b"\\N"),
    }
}

/// What the rating of a generated title depends on (see [`ratings_row`]).
pub struct Traits {
    year: Option<u32>,
    runtime: Option<u32>,
    adult: bool,
    /// Sum of the genre effects, rating points.
    genre_effect: f64,
}

/// Rating effect of a genre, rating points: roughly the direction and size of the gaps
/// between genres on IMDb, so models have real signal to learn from generated data.
fn genre_effect(genre: &str) -> f64 {
    match genre {
        "Documentary" => 0.9,
        "Biography" | "History" | "War" => 0.3,
        "Animation" => 0.4,
        "Drama" => 0.3,
        "Horror" => -0.9,
        "Sci-Fi" => -0.3,
        "Action" | "Thriller" => -0.2,
        "Comedy" => -0.1,
        _ => 0.0,
    }
}

/// Writes one basics row of type `TYPES[type_index]` and returns what its rating depends on.
pub fn basics_row(rng: &mut ChaCha8Rng, id: u64, type_index: usize, out: &mut Vec<u8>) -> Traits {
    let (title_type, _, _) = TYPES[type_index];
    let episode = title_type == "tvEpisode";
    let movie = title_type == "movie";
    let _ = write!(out, "tt{id:07}\t{title_type}\t");
    let title_start = out.len();
    if episode && rng.random_bool(0.6) {
        let _ = write!(
            out,
            "Episode #{}.{}",
            rng.random_range(1..20),
            rng.random_range(1..30)
        );
    } else {
        push_title(rng, out);
    }
    let title_end = out.len();
    out.push(b'\t');
    if rng.random_bool(0.85) {
        out.extend_from_within(title_start..title_end);
    } else {
        push_title(rng, out);
    }
    let adult = rng.random_bool(if movie { 0.03 } else { 0.01 });
    out.extend_from_slice(if adult { b"\t1\t" } else { b"\t0\t" });
    let null_year = rng.random_bool(if movie { 0.10 } else { 0.12 });
    // sqrt skews towards recent years, as IMDb's catalogue does.
    let start = 1894 + (131.0 * rng.random::<f64>().sqrt()) as u32;
    let year = (!null_year).then_some(start);
    null_or(out, year);
    out.push(b'\t');
    let series = matches!(title_type, "tvSeries" | "tvMiniSeries");
    let end = (series && !null_year && rng.random_bool(0.4))
        .then(|| (start + rng.random_range(0..12)).min(2025));
    null_or(out, end);
    out.push(b'\t');
    let (mean, sd, null_p) = match title_type {
        "movie" | "tvMovie" => (92.0, 22.0, 0.35),
        "tvEpisode" => (30.0, 15.0, 0.70),
        "short" | "tvShort" => (12.0, 8.0, 0.50),
        _ => (45.0, 25.0, 0.60),
    };
    let runtime = (mean + sd * normal(rng)).round().max(1.0) as u32;
    let runtime = (!rng.random_bool(null_p)).then_some(runtime);
    null_or(out, runtime);
    out.push(b'\t');
    let genres = if rng.random_bool(if episode { 0.45 } else { 0.10 }) {
        0
    } else {
        rng.random_range(1..=3)
    };
    let mut genre_effect_sum = 0.0;
    if genres == 0 {
        out.extend_from_slice(b"\\N");
    } else {
        let total: u32 = GENRES.iter().map(|(_, w)| w).sum();
        let mut chosen: Vec<&str> = Vec::with_capacity(3);
        while chosen.len() < genres {
            let g = pick_weighted(rng, &GENRES, total);
            if !chosen.contains(&g) {
                chosen.push(g);
            }
        }
        chosen.sort_unstable();
        genre_effect_sum = chosen.iter().map(|g| genre_effect(g)).sum();
        out.extend_from_slice(chosen.join(",").as_bytes());
    }
    out.push(b'\n');
    Traits {
        year,
        runtime,
        adult,
        genre_effect: genre_effect_sum,
    }
}

/// Writes one ratings row. The rating depends on the title's genres, age, runtime, adult
/// flag and popularity, plus noise, so generated data carries learnable signal.
pub fn ratings_row(rng: &mut ChaCha8Rng, id: u64, movie: bool, traits: &Traits, out: &mut Vec<u8>) {
    let (mu, sigma) = if movie { (3.0, 2.0) } else { (2.2, 1.6) };
    let votes = 5 + (mu + sigma * normal(rng)).exp().min(3.0e6) as u64;
    let age = traits
        .year
        .map_or(0.0, |y| (2000.0 - f64::from(y)).clamp(-25.0, 80.0));
    let length = traits
        .runtime
        .map_or(0.0, |r| (f64::from(r) - 92.0).clamp(-60.0, 90.0));
    let rating = (6.0
        + traits.genre_effect
        + 0.15 * ((votes as f64).ln() - 4.0)
        + 0.01 * age
        + 0.008 * length
        - if traits.adult { 0.8 } else { 0.0 }
        + 0.9 * normal(rng))
    .clamp(1.0, 10.0);
    let _ = writeln!(out, "tt{id:07}\t{rating:.1}\t{votes}");
}
