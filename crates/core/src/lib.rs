//! Domain vocabulary shared by every reelcast crate.
//!
//! Raw input (a TSV field, a JSON body, a CLI flag) is parsed once, at the edge, into these
//! types; everything past the edge can rely on their invariants:
//!
//! - [`TitleId`]: an IMDb `tconst` (`tt` followed by digits);
//! - [`Year`], [`Runtime`], [`Rating`], [`Votes`]: range-checked quantities;
//! - [`Genre`] and [`GenreSet`]: IMDb's closed genre vocabulary, matched by exact token;
//! - [`TitleType`]: IMDb's `titleType` values;
//! - [`MovieRecord`]: one joined, filtered row of the training dataset;
//! - [`MovieInput`]: the model's input contract for one movie (what a client may send).
//!
//! This crate does no I/O. Every other workspace crate depends on it.
//!
//! ```
//! use reelcast_core::{GenreSet, Genre, Year};
//! let genres = GenreSet::parse_imdb("Comedy,Drama").unwrap();
//! assert!(genres.contains(Genre::Drama));
//! assert!(!genres.contains(Genre::Music));
//! assert!(Year::new(1899).is_ok());
//! ```

#![forbid(unsafe_code)]

mod error;
mod genre;
mod movie;
mod quantities;
mod title;

pub use error::{Error, Result};
pub use genre::{Genre, GenreSet};
pub use movie::{Credits, MovieInput, MovieRecord, Person};
pub use quantities::{Rating, Runtime, Votes, Year};
pub use title::{TitleId, TitleType, MAX_TITLE_CHARS};
