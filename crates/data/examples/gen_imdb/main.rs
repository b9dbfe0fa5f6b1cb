//! Deterministic generator of IMDb's five files at IMDb's real scale, for the ingest
//! benchmark (`bench/ingest.sh`): `title.basics`, `title.ratings`, `title.crew`,
//! `title.principals` and `name.basics`, all `.tsv.gz`.
//!
//! ```text
//! cargo run --release -p reelcast-data --example gen_imdb -- [--out bench/out] [--seed 42]
//!     [--scale 1.0] [--basics-rows 12000000] [--ratings-rows 1600000]
//!     [--crew-rows 12000000] [--principals-rows 95000000] [--names-rows 14000000]
//! ```
//!
//! `--scale` multiplies every default row count; an explicit `--*-rows` wins. Basics and
//! ratings rows come from their own random stream, so they do not change when the people
//! files' shapes or sizes do. Basics, names and (at full share) crew row counts are exact;
//! ratings and principals rows are drawn per title and land within a fraction of a
//! percent of the request.
//!
//! Shapes follow IMDb's files: ~7% movies, ~76% TV episodes, then shorts, videos, series…;
//! `\N` where IMDb has them; 0-3 genres; unicode and `"` in titles; vote counts
//! log-normal (heavy-tailed, minimum 5 as on IMDb) so about a third of rated movies pass
//! `numVotes >= 50`. The people files are described in `people.rs`. Titles (basics,
//! ratings, crew, principals) are produced on the main thread and name.basics on another,
//! in 4 MB chunks that one thread per file gzip-compresses (fast level): nothing is held
//! beyond a few chunks per file.

#![forbid(unsafe_code)]

mod people;
mod titles;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use flate2::write::GzEncoder;
use flate2::Compression;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use titles::{basics_row, ratings_row, TYPES};

/// IMDb's file sizes (rows, 2025): the defaults at `--scale 1`.
const FULL_ROWS: [(&str, u64); 5] = [
    ("--basics-rows", 12_000_000),
    ("--ratings-rows", 1_600_000),
    ("--crew-rows", 12_000_000),
    ("--principals-rows", 95_000_000),
    ("--names-rows", 14_000_000),
];

struct Args {
    out: PathBuf,
    /// Rows per file, in [`FULL_ROWS`] order.
    rows: [u64; 5],
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut out = PathBuf::from("bench/out");
    let mut seed = 42;
    let mut scale = 1.0f64;
    let mut explicit: [Option<u64>; 5] = [None; 5];
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag} {value:?} is not a whole number"))
        };
        if let Some(i) = FULL_ROWS.iter().position(|(name, _)| *name == flag) {
            explicit[i] = Some(number()?);
            continue;
        }
        match flag.as_str() {
            "--out" => out = PathBuf::from(&value),
            "--seed" => seed = number()?,
            "--scale" => {
                scale = value
                    .parse::<f64>()
                    .ok()
                    .filter(|s| *s > 0.0 && s.is_finite())
                    .ok_or_else(|| format!("--scale {value:?} is not a positive number"))?;
            }
            other => {
                return Err(format!(
                    "unknown flag {other:?}; flags: --out --seed --scale {}",
                    FULL_ROWS.map(|(name, _)| name).join(" ")
                ))
            }
        }
    }
    let mut rows = [0; 5];
    for (i, (_, full)) in FULL_ROWS.iter().enumerate() {
        rows[i] = explicit[i].unwrap_or((*full as f64 * scale).round() as u64);
    }
    Ok(Args { out, rows, seed })
}

/// Text is handed to a compressor thread in chunks of this size.
const CHUNK: usize = 4 << 20;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// One output file: text is written into `buf`, which goes to the file's compressor
/// thread (gzip, fast level) whenever it holds a [`CHUNK`].
struct Sink {
    buf: Vec<u8>,
    tx: mpsc::SyncSender<Vec<u8>>,
    thread: std::thread::JoinHandle<std::io::Result<u64>>,
    rows: u64,
}

impl Sink {
    /// Starts `dir/name` with its header line.
    fn create(dir: &Path, name: &str, header: &[&str]) -> Self {
        let path = dir.join(name);
        let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(4);
        let thread = std::thread::spawn(move || {
            let file = BufWriter::with_capacity(1 << 20, File::create(&path)?);
            let mut gz = GzEncoder::new(file, Compression::fast());
            let mut raw = 0u64;
            for chunk in rx {
                raw += chunk.len() as u64;
                gz.write_all(&chunk)?;
            }
            gz.finish()?.flush()?;
            Ok(raw)
        });
        let mut buf = Vec::with_capacity(CHUNK + (64 << 10));
        buf.extend_from_slice(header.join("\t").as_bytes());
        buf.push(b'\n');
        Self {
            buf,
            tx,
            thread,
            rows: 0,
        }
    }

    /// Sends the buffer on once it is full.
    fn flush_full(&mut self) -> Result<(), Error> {
        if self.buf.len() >= CHUNK {
            let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK + (64 << 10)));
            self.tx
                .send(full)
                .map_err(|_| "a compressor thread stopped")?;
        }
        Ok(())
    }

    /// Sends the rest, waits for the file to be written; returns (rows, uncompressed MB).
    fn finish(self) -> Result<(u64, u64), Error> {
        self.tx
            .send(self.buf)
            .map_err(|_| "a compressor thread stopped")?;
        drop(self.tx);
        let raw = self
            .thread
            .join()
            .map_err(|_| "a compressor thread panicked")??;
        Ok((self.rows, raw >> 20))
    }
}

/// Writes name.basics (person 0 upward) on its own thread.
fn write_names(
    dir: &Path,
    seed: u64,
    count: u64,
    max_tconst: u64,
) -> std::thread::JoinHandle<Result<(u64, u64), Error>> {
    let mut sink = Sink::create(
        dir,
        "name.basics.tsv.gz",
        &[
            "nconst",
            "primaryName",
            "birthYear",
            "deathYear",
            "primaryProfession",
            "knownForTitles",
        ],
    );
    std::thread::spawn(move || {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(2);
        for index in 0..count {
            people::name_row(&mut rng, index, max_tconst, &mut sink.buf);
            sink.flush_full()?;
        }
        sink.rows = count;
        sink.finish()
    })
}

fn main() -> Result<(), Error> {
    let args = parse_args()?;
    let [basics_rows, ratings_rows, crew_rows, principals_rows, names_rows] = args.rows;
    std::fs::create_dir_all(&args.out)?;
    let started = Instant::now();
    // Basics and ratings draw from stream 0 (as before the people files existed), titles'
    // people from stream 1, name.basics from stream 2.
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut people_rng = ChaCha8Rng::seed_from_u64(args.seed);
    people_rng.set_stream(1);
    let expected_share: f64 = TYPES.iter().map(|(_, share, rated)| share * rated).sum();
    let rating_scale = ratings_rows as f64 / (basics_rows.max(1) as f64 * expected_share);
    let cumulative: Vec<f64> = TYPES
        .iter()
        .scan(0.0, |acc, (_, share, _)| {
            *acc += share;
            Some(*acc)
        })
        .collect();
    let total_share = cumulative.last().copied().unwrap_or(1.0);
    let principals_per_title: f64 = TYPES
        .iter()
        .map(|(t, share, _)| share * people::expected_principals(t))
        .sum::<f64>()
        / total_share;
    let principals_scale =
        principals_rows as f64 / (basics_rows.max(1) as f64 * principals_per_title);
    let crew_share = (crew_rows as f64 / basics_rows.max(1) as f64).min(1.0);
    let pool = people::People::new(names_rows);

    // Title ids grow by 1-3 per row: about twice the row count at the end.
    let names = write_names(&args.out, args.seed, pool.count(), 2 * basics_rows.max(1));
    let mut basics = Sink::create(
        &args.out,
        "title.basics.tsv.gz",
        &[
            "tconst",
            "titleType",
            "primaryTitle",
            "originalTitle",
            "isAdult",
            "startYear",
            "endYear",
            "runtimeMinutes",
            "genres",
        ],
    );
    let mut ratings = Sink::create(
        &args.out,
        "title.ratings.tsv.gz",
        &["tconst", "averageRating", "numVotes"],
    );
    let mut crew = Sink::create(
        &args.out,
        "title.crew.tsv.gz",
        &["tconst", "directors", "writers"],
    );
    let mut principals = Sink::create(
        &args.out,
        "title.principals.tsv.gz",
        &[
            "tconst",
            "ordering",
            "nconst",
            "category",
            "job",
            "characters",
        ],
    );
    let mut credits = people::Credits::default();
    let mut tconst = Vec::with_capacity(16);
    let (mut id, mut movies) = (0u64, 0u64);
    for _ in 0..basics_rows {
        id += rng.random_range(1..=3);
        let r = rng.random::<f64>() * total_share;
        let type_index = cumulative.iter().position(|c| r < *c).unwrap_or(0);
        let traits = basics_row(&mut rng, id, type_index, &mut basics.buf);
        let title_type = TYPES[type_index].0;
        let movie = title_type == "movie";
        movies += u64::from(movie);
        if rng.random_bool((TYPES[type_index].2 * rating_scale).min(1.0)) {
            ratings_row(&mut rng, id, movie, &traits, &mut ratings.buf);
            ratings.rows += 1;
        }

        tconst.clear();
        let _ = write!(tconst, "tt{id:07}");
        people::draw_credits(&mut people_rng, &pool, title_type, &mut credits);
        if crew_share >= 1.0 || people_rng.random_bool(crew_share) {
            people::crew_row(&tconst, &credits, &mut crew.buf);
            crew.rows += 1;
        }
        principals.rows += people::principals_rows(
            &mut people_rng,
            &pool,
            &tconst,
            title_type,
            people::principals_mean(title_type) * principals_scale,
            &credits,
            &mut principals.buf,
        );
        for sink in [&mut basics, &mut ratings, &mut crew, &mut principals] {
            sink.flush_full()?;
        }
    }
    basics.rows = basics_rows;
    let written = [
        ("title.basics", basics.finish()?),
        ("title.ratings", ratings.finish()?),
        ("title.crew", crew.finish()?),
        ("title.principals", principals.finish()?),
        (
            "name.basics",
            names
                .join()
                .map_err(|_| "the name.basics thread panicked")??,
        ),
    ];
    println!(
        "wrote to {} in {:.1}s ({movies} movies):",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    for (name, (rows, mb)) in written {
        println!("  {name}.tsv.gz: {rows} rows, {mb} MB uncompressed");
    }
    Ok(())
}
