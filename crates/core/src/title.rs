//! IMDb title ids and title types.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Longest accepted title, in characters: twice IMDb's longest primary titles, short
/// enough to refuse a pasted document.
pub const MAX_TITLE_CHARS: usize = 500;

/// An IMDb title id (`tconst`): `tt` followed by 1 to 10 ASCII digits, e.g. `tt0012349`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TitleId(String);

impl TitleId {
    /// Checks the `tt` + digits shape.
    pub fn parse(raw: &str) -> Result<Self> {
        if Self::numeric(raw).is_some() {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Error::TitleId {
                value: raw.to_owned(),
            })
        }
    }

    /// The numeric part of a well-formed id (`tt0012349` -> 12349), or `None` if `raw` is
    /// not `tt` + 1..=10 digits. Lets hot loops key maps without allocating.
    pub fn numeric(raw: &str) -> Option<u64> {
        let digits = raw.strip_prefix("tt")?;
        if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for TitleId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TitleId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}

impl From<TitleId> for String {
    fn from(t: TitleId) -> String {
        t.0
    }
}

impl std::fmt::Display for TitleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! title_types {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// IMDb's `titleType` values.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[allow(missing_docs)]
        pub enum TitleType { $(#[serde(rename = $name)] $variant),+ }

        impl TitleType {
            /// Every title type.
            pub const ALL: [TitleType; 11] = [$(TitleType::$variant),+];

            /// IMDb's spelling, e.g. `tvMovie`.
            pub fn name(self) -> &'static str {
                match self { $(TitleType::$variant => $name),+ }
            }
        }
    };
}

title_types! {
    Movie => "movie", Short => "short", TvMovie => "tvMovie", TvSeries => "tvSeries",
    TvEpisode => "tvEpisode", TvMiniSeries => "tvMiniSeries", TvSpecial => "tvSpecial",
    TvShort => "tvShort", TvPilot => "tvPilot", Video => "video", VideoGame => "videoGame",
}

impl TitleType {
    /// Parses IMDb's exact spelling.
    pub fn parse(raw: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.name() == raw.trim())
            .ok_or_else(|| Error::UnknownTitleType {
                value: raw.to_owned(),
            })
    }
}

impl std::fmt::Display for TitleType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_title_id_without_tt_prefix() {
        assert!(TitleId::parse("0012349").is_err());
        assert!(TitleId::parse("nm0000001").is_err());
        assert!(TitleId::parse("tt").is_err());
        assert!(TitleId::parse("tt12a").is_err());
    }

    #[test]
    fn numeric_part_ignores_zero_padding() {
        assert_eq!(TitleId::numeric("tt0012349"), Some(12349));
        assert_eq!(TitleId::numeric("tt10070612"), Some(10070612));
    }

    #[test]
    fn title_types_round_trip() {
        for t in TitleType::ALL {
            assert_eq!(TitleType::parse(t.name()).unwrap(), t);
        }
        assert!(TitleType::parse("podcast").is_err());
    }
}
