//! The `POST /predict/movie` answer, written straight into its buffer: the documented
//! [`PredictionResponse`](crate::dto::PredictionResponse), key for key and value for value.
//!
//! Most of an answer is the same for every request to one model: its name, its version and
//! its 39 feature names, about 700 of the 830 bytes. That part is serialized once, when
//! the model is swapped in ([`model_fragment`]); a request writes its fixed keys as
//! literals and formats its numbers on the short paths below, which give serde_json's
//! bytes for the values a prediction has (ratings from 1 to 10, two decimals).

use std::io::Write as _;

use reelcast_pipeline::Band;
use serde::Serialize;

use crate::dto::Contribution;

/// `"model_name":..,"model_version":..,"features_used":[..]`: the members of every answer
/// that depend only on the served model, as JSON (without braces).
pub(crate) fn model_fragment(name: &str, version: &str, features: &[String]) -> Box<str> {
    #[derive(Serialize)]
    struct Fragment<'a> {
        model_name: &'a str,
        model_version: &'a str,
        features_used: &'a [String],
    }
    let object = serde_json::to_string(&Fragment {
        model_name: name,
        model_version: version,
        features_used: features,
    })
    .expect("strings serialize");
    object[1..object.len() - 1].into()
}

/// One prediction's answer, borrowing what it echoes.
#[derive(Debug)]
pub(crate) struct MovieReply<'a> {
    /// The request's title.
    pub title: Option<&'a str>,
    /// The clipped rating, unrounded.
    pub rating: f64,
    /// [`model_fragment`] of the served model.
    pub model: &'a str,
    /// API names of the imputed inputs.
    pub imputed: &'a [&'static str],
    /// The clipped band, unrounded.
    pub band: Option<Band>,
    /// With `?explain=true`: the contributions and the bias.
    pub explanation: Option<(Vec<Contribution>, f64)>,
}

impl MovieReply<'_> {
    /// The answer's JSON.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        // A prediction's answer is about 830 bytes; one allocation holds it.
        let mut out = Vec::with_capacity(self.model.len() + 256);
        out.extend_from_slice(b"{\"title\":");
        json_into(&mut out, &self.title);
        out.extend_from_slice(b",\"predicted_rating\":");
        write_round2(&mut out, self.rating);
        out.extend_from_slice(b",\"rating_out_of_10\":\"");
        write_out_of_10(&mut out, self.rating);
        out.extend_from_slice(b"\",");
        out.extend_from_slice(self.model.as_bytes());
        out.extend_from_slice(b",\"imputed\":");
        json_into(&mut out, &self.imputed);
        out.extend_from_slice(b",\"interval\":");
        match self.band {
            None => out.extend_from_slice(b"null"),
            Some(band) => {
                out.extend_from_slice(b"{\"lower\":");
                write_round2(&mut out, band.lower);
                out.extend_from_slice(b",\"upper\":");
                write_round2(&mut out, band.upper);
                out.push(b'}');
            }
        }
        if let Some((contributions, bias)) = &self.explanation {
            out.extend_from_slice(b",\"contributions\":");
            json_into(&mut out, contributions);
            out.extend_from_slice(b",\"bias\":");
            json_into(&mut out, bias);
        }
        out.push(b'}');
        out
    }
}

fn json_into(out: &mut Vec<u8>, value: &impl Serialize) {
    serde_json::to_writer(out, value).expect("strings and numbers serialize into a Vec");
}

/// `round2(value)` as serde_json writes it. From 1 to 1000 (every rating) it is printed
/// from its hundredths: the shortest round-trip form of a two-decimal value is that
/// decimal, trailing zeros dropped but one kept after the point.
fn write_round2(out: &mut Vec<u8>, value: f64) {
    // `round2`'s own steps: the quotient is `round2(value)`.
    let hundredths = (value * 100.0).round();
    if !(100.0..100_000.0).contains(&hundredths) {
        json_into(out, &(hundredths / 100.0));
        return;
    }
    // In 100..100_000 and integral: the cast is exact.
    let hundredths = hundredths as u32;
    write_u32(out, hundredths / 100);
    out.push(b'.');
    let (tenths, rest) = (hundredths / 10 % 10, hundredths % 10);
    out.push(b'0' + tenths as u8);
    if rest != 0 {
        out.push(b'0' + rest as u8);
    }
}

/// `rating` as `rating_out_of_10` shows it (`format!("{rating:.1}/10")`, e.g. `7.9/10`).
fn write_out_of_10(out: &mut Vec<u8>, rating: f64) {
    match tenths(rating) {
        Some(tenths) => {
            write_u32(out, tenths / 10);
            out.push(b'.');
            out.push(b'0' + (tenths % 10) as u8);
            out.extend_from_slice(b"/10");
        }
        None => write!(out, "{rating:.1}/10").expect("writing into a Vec cannot fail"),
    }
}

/// `value` in tenths, rounded as `{:.1}` rounds (exactly, ties to even), for values from
/// 1 to 1024; `None` elsewhere. There the value is `mantissa / 2^shift` with a shift of 43
/// to 52, so ten times it splits exactly into whole tenths and a remainder in integers.
fn tenths(value: f64) -> Option<u32> {
    if !(1.0..1024.0).contains(&value) {
        return None;
    }
    let bits = value.to_bits();
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    let exponent = ((bits >> 52) & 0x7ff) as u32;
    // value = mantissa * 2^(exponent - 1075), exponent - 1075 in -52..=-43.
    let shift = 1075 - exponent;
    let scaled = mantissa * 10;
    let whole = scaled >> shift;
    let rest = scaled & ((1 << shift) - 1);
    let half = 1 << (shift - 1);
    let up = rest > half || (rest == half && whole % 2 == 1);
    // Below 10240: fits.
    Some(whole as u32 + u32::from(up))
}

fn write_u32(out: &mut Vec<u8>, mut n: u32) {
    if n < 10 {
        // A rating's whole part, mostly.
        out.push(b'0' + n as u8);
        return;
    }
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use reelcast_pipeline::round2;

    use super::*;
    use crate::dto::{Interval, PredictionResponse};

    fn written(value: f64) -> String {
        let mut out = Vec::new();
        write_round2(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    fn out_of_10(value: f64) -> String {
        let mut out = Vec::new();
        write_out_of_10(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    /// Every two-decimal value of the short path and its edges, values between them,
    /// and values off it.
    #[test]
    fn rounded_numbers_are_written_as_serde_json_writes_them() {
        let grid = (0..=100_100).map(|k| f64::from(k) / 100.0);
        let between = (0..=200_200).map(|k| f64::from(k) * 0.005 + 0.001_3);
        let off = [
            0.0,
            -0.0,
            -1.5,
            0.994,
            0.995,
            0.999,
            1.005,
            7.123,
            999.994,
            999.995,
            1000.0,
            1e6,
            1e21,
            1e-7,
            f64::NAN,
            f64::INFINITY,
            f64::MIN_POSITIVE,
            1.0 + f64::EPSILON,
        ];
        for value in grid.chain(between).chain(off) {
            let serde = serde_json::to_string(&round2(value)).unwrap();
            assert_eq!(written(value), serde, "{value:?}");
        }
    }

    /// Ties (7.25 is exact, rounds to even), near-ties (7.05 is just below), the edges,
    /// and a sweep of values with long binary expansions.
    #[test]
    fn ratings_out_of_10_are_formatted_like_display() {
        let special = [
            1.0,
            7.25,
            7.75,
            7.05,
            7.45,
            9.95,
            9.96,
            f64::from_bits(9.95f64.to_bits() - 1),
            10.0,
            1023.95,
            1023.99,
            1024.0,
            0.95,
            0.04,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            1e300,
            1.0 - f64::EPSILON,
            1.0 + f64::EPSILON,
        ];
        let sweep = (0..200_000).map(|i| 1.0 + f64::from(i) * 0.000_049_999_7);
        let halves = (20..20_480).map(|i| f64::from(i) / 20.0);
        for value in special.into_iter().chain(sweep).chain(halves) {
            assert_eq!(out_of_10(value), format!("{value:.1}/10"), "{value:?}");
        }
    }

    /// The hand-written answer is the documented [`PredictionResponse`], byte for byte.
    #[test]
    fn the_reply_serializes_as_the_documented_response() {
        let features = vec!["start_year".to_owned(), "log_num_votes".to_owned()];
        let fragment = model_fragment("movie_rating_\"gbt\"", "3", &features);
        let bands = [
            None,
            Some(Band {
                lower: 7.104,
                upper: 8.4,
            }),
        ];
        let titles = [None, Some("The Kid"), Some("Am\u{e9}lie \"\\\u{1}\"")];
        for (explained, band, title) in
            (0..12).map(|i| (i % 2 == 1, bands[i / 2 % 2], titles[i / 4]))
        {
            let explanation = explained.then(|| {
                let list = vec![Contribution {
                    feature: "start_year".into(),
                    value: -0.25,
                }];
                (list, 6.5)
            });
            let rating = 7.913;
            let reply = MovieReply {
                title,
                rating,
                model: &fragment,
                imputed: &["titleType", "isAdult"],
                band,
                explanation: explanation.clone(),
            };
            let (contributions, bias) = explanation.unzip();
            let documented = PredictionResponse {
                title: title.map(str::to_owned),
                predicted_rating: round2(rating),
                rating_out_of_10: format!("{rating:.1}/10"),
                model_name: "movie_rating_\"gbt\"".into(),
                model_version: "3".into(),
                features_used: features.clone(),
                imputed: vec!["titleType".into(), "isAdult".into()],
                interval: band.map(|b| Interval {
                    lower: round2(b.lower),
                    upper: round2(b.upper),
                }),
                contributions,
                bias,
            };
            assert_eq!(
                String::from_utf8(reply.to_json()).unwrap(),
                serde_json::to_string(&documented).unwrap()
            );
        }
    }
}
