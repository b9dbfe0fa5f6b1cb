//! Range-checked quantities: release year, runtime, rating and vote count.
//!
//! Each type has one checking constructor (`new`) and a `parse` for raw text; the ranges
//! are wide enough for every real IMDb row and narrow enough to catch corrupt values.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

fn parse_int<T: std::str::FromStr>(field: &'static str, raw: &str) -> Result<T> {
    raw.trim().parse().map_err(|_| Error::NotAnInteger {
        field,
        value: raw.to_owned(),
    })
}

fn out_of_range(
    field: &'static str,
    value: impl ToString,
    min: impl ToString,
    max: impl ToString,
) -> Error {
    Error::OutOfRange {
        field,
        value: value.to_string(),
        min: min.to_string(),
        max: max.to_string(),
    }
}

/// A release year, 1874..=2100: IMDb's oldest titles are from 1874, and 2100 leaves room
/// for announced titles while catching corrupt values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Year(u16);

impl Year {
    /// Smallest accepted year.
    pub const MIN: u16 = 1874;
    /// Largest accepted year.
    pub const MAX: u16 = 2100;

    /// Checks the range.
    pub fn new(year: u16) -> Result<Self> {
        if (Self::MIN..=Self::MAX).contains(&year) {
            Ok(Self(year))
        } else {
            Err(out_of_range("year", year, Self::MIN, Self::MAX))
        }
    }

    /// Parses a 4-digit year such as `1994`, naming `field` in errors.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
        let year: u16 = parse_int(field, raw)?;
        Self::new(year).map_err(|_| out_of_range(field, year, Self::MIN, Self::MAX))
    }

    /// The year as a number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for Year {
    type Error = Error;
    fn try_from(v: u16) -> Result<Self> {
        Self::new(v)
    }
}

impl From<Year> for u16 {
    fn from(y: Year) -> u16 {
        y.0
    }
}

impl std::fmt::Display for Year {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A runtime in whole minutes, 1..=60000 (IMDb's longest film runs 51,420 minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Runtime(u32);

impl Runtime {
    /// Smallest accepted runtime, minutes.
    pub const MIN: u32 = 1;
    /// Largest accepted runtime, minutes.
    pub const MAX: u32 = 60_000;

    /// Checks the range.
    pub fn new(minutes: u32) -> Result<Self> {
        if (Self::MIN..=Self::MAX).contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(out_of_range(
                "runtimeMinutes",
                minutes,
                Self::MIN,
                Self::MAX,
            ))
        }
    }

    /// Parses whole minutes such as `142`.
    pub fn parse(raw: &str) -> Result<Self> {
        let minutes: i64 = parse_int("runtimeMinutes", raw)?;
        u32::try_from(minutes)
            .ok()
            .and_then(|m| Self::new(m).ok())
            .ok_or_else(|| out_of_range("runtimeMinutes", minutes, Self::MIN, Self::MAX))
    }

    /// Minutes.
    pub fn minutes(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Runtime {
    type Error = Error;
    fn try_from(v: u32) -> Result<Self> {
        Self::new(v)
    }
}

impl From<Runtime> for u32 {
    fn from(r: Runtime) -> u32 {
        r.0
    }
}

/// An IMDb average rating, 1.0..=10.0.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f32", into = "f32")]
pub struct Rating(f32);

impl Rating {
    /// Smallest rating IMDb gives.
    pub const MIN: f32 = 1.0;
    /// Largest rating IMDb gives.
    pub const MAX: f32 = 10.0;

    /// Checks the range (NaN is rejected).
    pub fn new(value: f32) -> Result<Self> {
        if (Self::MIN..=Self::MAX).contains(&value) {
            Ok(Self(value))
        } else {
            Err(out_of_range("averageRating", value, Self::MIN, Self::MAX))
        }
    }

    /// Parses a decimal rating such as `7.3`.
    pub fn parse(raw: &str) -> Result<Self> {
        let v: f32 = raw.trim().parse().map_err(|_| Error::NotANumber {
            field: "averageRating",
            value: raw.to_owned(),
        })?;
        Self::new(v)
    }

    /// The rating.
    pub fn get(self) -> f32 {
        self.0
    }
}

impl TryFrom<f32> for Rating {
    type Error = Error;
    fn try_from(v: f32) -> Result<Self> {
        Self::new(v)
    }
}

impl From<Rating> for f32 {
    fn from(r: Rating) -> f32 {
        r.0
    }
}

/// A vote count (never negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Votes(u32);

impl Votes {
    /// Wraps a count.
    pub fn new(count: u32) -> Self {
        Self(count)
    }

    /// Parses a count such as `40584`; negative values are named as such.
    pub fn parse(raw: &str) -> Result<Self> {
        let v: i64 = parse_int("numVotes", raw)?;
        u32::try_from(v)
            .map(Self)
            .map_err(|_| out_of_range("numVotes", v, 0, u32::MAX))
    }

    /// The count.
    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_accepts_the_range_edges_and_rejects_outside() {
        assert!(Year::new(1874).is_ok());
        assert!(Year::new(2100).is_ok());
        assert!(Year::new(1873).is_err());
        assert!(Year::new(2101).is_err());
    }

    #[test]
    fn non_numeric_year_names_field_and_value() {
        let err = Year::parse("startYear", "19x5").unwrap_err();
        assert_eq!(err.to_string(), "startYear \"19x5\" is not a whole number");
    }

    #[test]
    fn negative_votes_are_out_of_range() {
        let err = Votes::parse("-3").unwrap_err();
        assert_eq!(err.to_string(), "numVotes -3 is outside 0..=4294967295");
    }

    #[test]
    fn rating_rejects_nan_and_out_of_range() {
        assert!(Rating::new(f32::NAN).is_err());
        assert!(Rating::parse("10.5").is_err());
        assert!(Rating::parse("abc").is_err());
        assert_eq!(Rating::parse("7.3").unwrap().get(), 7.3);
    }

    #[test]
    fn runtime_rejects_zero_and_negative() {
        assert!(Runtime::parse("0").is_err());
        assert!(Runtime::parse("-90").is_err());
        assert_eq!(Runtime::parse("142").unwrap().minutes(), 142);
    }

    #[test]
    fn year_deserialization_checks_the_range() {
        assert!(serde_json::from_str::<Year>("1500").is_err());
        assert_eq!(serde_json::from_str::<Year>("1994").unwrap().get(), 1994);
    }
}
