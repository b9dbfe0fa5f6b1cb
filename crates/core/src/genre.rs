//! IMDb's closed genre vocabulary and a compact set of genres.
//!
//! Matching is by exact token: `Music` never matches `Musical` (the original system's
//! substring test did).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

macro_rules! genres {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// One of IMDb's 28 genres.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        #[allow(missing_docs)]
        pub enum Genre { $($variant),+ }

        impl Genre {
            /// Every genre, in IMDb's alphabetical order (the multi-hot column order).
            pub const ALL: [Genre; 28] = [$(Genre::$variant),+];
            /// IMDb's spelling of every genre, in the order of [`Genre::ALL`].
            pub const ALL_NAMES: [&'static str; 28] = [$($name),+];

            /// IMDb's spelling, e.g. `Sci-Fi`.
            pub fn name(self) -> &'static str {
                Self::ALL_NAMES[self as usize]
            }

            /// The genre spelled exactly `token`: one `match`, which the compiler turns
            /// into a branch on the length and a few comparisons rather than a scan of
            /// all 28 names (it runs for every genre of every request).
            fn from_name(token: &str) -> Option<Self> {
                match token {
                    $($name => Some(Genre::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

genres! {
    Action => "Action", Adult => "Adult", Adventure => "Adventure", Animation => "Animation",
    Biography => "Biography", Comedy => "Comedy", Crime => "Crime", Documentary => "Documentary",
    Drama => "Drama", Family => "Family", Fantasy => "Fantasy", FilmNoir => "Film-Noir",
    GameShow => "Game-Show", History => "History", Horror => "Horror", Music => "Music",
    Musical => "Musical", Mystery => "Mystery", News => "News", RealityTv => "Reality-TV",
    Romance => "Romance", SciFi => "Sci-Fi", Short => "Short", Sport => "Sport",
    TalkShow => "Talk-Show", Thriller => "Thriller", War => "War", Western => "Western",
}

impl Genre {
    /// Parses one token with IMDb's exact spelling (surrounding spaces ignored).
    pub fn parse(raw: &str) -> Result<Self> {
        let token = raw.trim();
        Self::from_name(token).ok_or_else(|| Error::UnknownGenre {
            value: token.to_owned(),
        })
    }
}

impl std::fmt::Display for Genre {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of genres, stored as a 28-bit mask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GenreSet(u32);

impl GenreSet {
    /// The empty set (IMDb's `\N`).
    pub const EMPTY: GenreSet = GenreSet(0);

    /// Parses IMDb's comma-joined form (`Comedy,Drama`); `\N` and `""` are the empty set.
    /// Fails on the first unknown token.
    pub fn parse_imdb(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        if raw.is_empty() || raw == "\\N" {
            return Ok(Self::EMPTY);
        }
        raw.split(',').map(Genre::parse).collect()
    }

    /// Adds a genre.
    pub fn insert(&mut self, genre: Genre) {
        self.0 |= 1 << genre as u8;
    }

    /// Exact membership test.
    pub fn contains(self, genre: Genre) -> bool {
        self.0 & (1 << genre as u8) != 0
    }

    /// Number of genres in the set.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// True when no genre is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The genres in IMDb's alphabetical order.
    pub fn iter(self) -> impl Iterator<Item = Genre> {
        Genre::ALL.into_iter().filter(move |g| self.contains(*g))
    }

    /// IMDb's comma-joined form; `\N` for the empty set.
    pub fn to_imdb(self) -> String {
        if self.is_empty() {
            return "\\N".to_owned();
        }
        self.iter().map(Genre::name).collect::<Vec<_>>().join(",")
    }
}

impl FromIterator<Genre> for GenreSet {
    fn from_iter<I: IntoIterator<Item = Genre>>(iter: I) -> Self {
        let mut set = GenreSet::EMPTY;
        for g in iter {
            set.insert(g);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn music_does_not_match_musical() {
        let set = GenreSet::parse_imdb("Musical,Short").unwrap();
        assert!(set.contains(Genre::Musical));
        assert!(!set.contains(Genre::Music));
    }

    #[test]
    fn null_and_empty_are_the_empty_set() {
        assert!(GenreSet::parse_imdb("\\N").unwrap().is_empty());
        assert!(GenreSet::parse_imdb("").unwrap().is_empty());
    }

    #[test]
    fn unknown_genre_is_named() {
        let err = GenreSet::parse_imdb("Drama,Comdy").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("genre \"Comdy\" is not one of IMDb's genres"));
    }

    #[test]
    fn round_trips_imdb_form_in_alphabetical_order() {
        let set = GenreSet::parse_imdb("Sci-Fi,Film-Noir,Action").unwrap();
        assert_eq!(set.to_imdb(), "Action,Film-Noir,Sci-Fi");
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn names_match_variants() {
        for g in Genre::ALL {
            assert_eq!(Genre::parse(g.name()).unwrap(), g);
            assert_eq!(Genre::parse(&format!(" {} ", g.name())).unwrap(), g);
        }
    }

    #[test]
    fn only_exact_spellings_are_genres() {
        for near in [
            "drama",
            "DRAMA",
            "Sci-fi",
            "SciFi",
            "Musicals",
            "Musi",
            "Reality-Tv",
            "",
        ] {
            assert!(Genre::parse(near).is_err(), "{near}");
        }
    }
}
