//! [`scan`]: a `POST /predict/movie` body in its common shape, read in one pass.
//!
//! Most bodies are one flat object of the documented fields, with integers, plain
//! strings, `true`/`false`/`null` and a list or string of genres. `scan` reads exactly
//! that shape straight into a [`MovieBody`] and gives up (`None`) on anything else:
//! escapes, unknown or repeated keys, floats, exponents, nested values, malformed JSON.
//! The handler then reads the body with serde as before, which accepts or rejects it with
//! the usual error. So `scan` never decides what is rejected, and what it accepts it reads
//! as serde would (tested against serde on generated bodies below).
//!
//! Written by hand because serde's derived visitor, driven by `serde_json`, took about
//! 3,900 instructions for the benchmark's 140-byte body, a tenth of the whole request
//! (callgrind; docs/benchmarks.md, "HTTP serving"). `sonic-rs` was no faster on a body
//! this small.

use std::borrow::Cow;

use reelcast_core::Genre;

use crate::movie_body::{GenreList, Genres, MovieBody, Text};

/// The body as a [`MovieBody`] when it is in the common shape (see the module
/// documentation); `None` when serde must read it.
pub(crate) fn scan(body: &str) -> Option<MovieBody<'_>> {
    let mut s = Scanner { text: body, at: 0 };
    let mut fields = Fields::default();
    s.skip_ws();
    s.expect(b'{')?;
    loop {
        s.skip_ws();
        let field = s.field()?;
        s.skip_ws();
        s.expect(b':')?;
        s.skip_ws();
        fields.read(field, &mut s)?;
        s.skip_ws();
        match s.next()? {
            b',' => {}
            b'}' => break,
            _ => return None,
        }
    }
    s.skip_ws();
    if s.at != body.len() {
        return None;
    }
    // Required fields must have been read; optional ones may be missing or `null`.
    Some(MovieBody {
        title: fields.title.flatten(),
        start_year: fields.start_year?,
        runtime_minutes: fields.runtime_minutes?,
        num_votes: fields.num_votes?,
        genres: fields.genres.flatten(),
        title_type: fields.title_type.flatten(),
        is_adult: fields.is_adult.flatten(),
    })
}

/// The bytes that end a plain string: its closing quote, or what takes it out of the
/// common shape (an escape, a control character, which JSON forbids unescaped).
const ENDS_PLAIN_STRING: [bool; 256] = {
    let mut ends = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        ends[b] = true;
        b += 1;
    }
    ends[b'"' as usize] = true;
    ends[b'\\' as usize] = true;
    ends
};

/// A documented field of the body.
#[derive(Debug, Clone, Copy)]
enum Field {
    Title,
    StartYear,
    RuntimeMinutes,
    NumVotes,
    Genres,
    TitleType,
    IsAdult,
}

/// Where the plain part of `rest` ends: the index of its first byte in
/// [`ENDS_PLAIN_STRING`], if any.
///
/// Eight bytes at a time while none of them can end it, with the word tricks of Bit
/// Twiddling Hacks ("determine if a word has a byte equal to / less than n"): a word has
/// a byte equal to `c` when `((w ^ c…) - 0x01…) & !(w ^ c…) & 0x80…` is not zero, and a
/// byte below 0x20 when `(w - 0x20…) & !w & 0x80…` is not zero. Neither misses a byte;
/// the exact one is then found a byte at a time.
fn plain_len(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = ONES << 7;
    let has_zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
    let mut at = 0;
    for chunk in rest.chunks_exact(8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let marked = has_zero_byte(w ^ (ONES * u64::from(b'"')))
            | has_zero_byte(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w);
        if marked & HIGHS != 0 {
            break;
        }
        at += 8;
    }
    rest[at..]
        .iter()
        .position(|&b| ENDS_PLAIN_STRING[usize::from(b)])
        .map(|i| at + i)
}

/// The fields read so far: `None` until a field is read, so that a repeated key is caught
/// (serde rejects one).
#[derive(Default)]
struct Fields<'a> {
    title: Option<Option<Text<'a>>>,
    start_year: Option<i64>,
    runtime_minutes: Option<i64>,
    num_votes: Option<i64>,
    genres: Option<Option<Genres>>,
    title_type: Option<Option<Text<'a>>>,
    is_adult: Option<Option<bool>>,
}

impl<'a> Fields<'a> {
    /// Reads the value of `field`; `None` for a repeated field or a value out of the
    /// common shape.
    fn read(&mut self, field: Field, s: &mut Scanner<'a>) -> Option<()> {
        /// Sets a field read for the first time.
        fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
            slot.is_none().then(|| *slot = Some(value))
        }
        match field {
            Field::Title => once(&mut self.title, s.nullable(Scanner::text)?),
            Field::StartYear => once(&mut self.start_year, s.integer()?),
            Field::RuntimeMinutes => once(&mut self.runtime_minutes, s.integer()?),
            Field::NumVotes => once(&mut self.num_votes, s.integer()?),
            Field::Genres => once(&mut self.genres, s.nullable(Scanner::genres)?),
            Field::TitleType => once(&mut self.title_type, s.nullable(Scanner::text)?),
            Field::IsAdult => once(&mut self.is_adult, s.nullable(Scanner::boolean)?),
        }
    }
}

/// A position in the body.
struct Scanner<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// Skips JSON's whitespace.
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Skips `word` if the body continues with it.
    fn word(&mut self, word: &str) -> bool {
        let found = self.text.as_bytes()[self.at..].starts_with(word.as_bytes());
        if found {
            self.at += word.len();
        }
        found
    }

    /// `null` as `None`, else `read`'s value.
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.word("null") {
            Some(None)
        } else {
            read(self).map(Some)
        }
    }

    /// A key naming a documented field, matched in place with its closing quote (so that
    /// `title` is not taken for the start of `titleType`); `None` for any other key,
    /// escaped spellings included.
    fn field(&mut self) -> Option<Field> {
        self.expect(b'"')?;
        let rest = &self.text.as_bytes()[self.at..];
        let candidates: &[(&[u8], Field)] = match rest.first()? {
            b't' => &[
                (b"title\"", Field::Title),
                (b"titleType\"", Field::TitleType),
            ],
            b's' => &[(b"startYear\"", Field::StartYear)],
            b'r' => &[(b"runtimeMinutes\"", Field::RuntimeMinutes)],
            b'n' => &[(b"numVotes\"", Field::NumVotes)],
            b'g' => &[(b"genres\"", Field::Genres)],
            b'i' => &[(b"isAdult\"", Field::IsAdult)],
            _ => return None,
        };
        let (name, field) = candidates.iter().find(|(name, _)| rest.starts_with(name))?;
        self.at += name.len();
        Some(*field)
    }

    /// A string without escapes or control characters, borrowed from the body.
    fn plain_string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.at;
        let rest = &self.text.as_bytes()[start..];
        let len = plain_len(rest)?;
        if rest[len] != b'"' {
            return None;
        }
        self.at = start + len + 1;
        // Both ends are ASCII quotes, so they fall on character boundaries.
        self.text.get(start..start + len)
    }

    fn text(&mut self) -> Option<Text<'a>> {
        self.plain_string().map(|t| Text(Cow::Borrowed(t)))
    }

    fn boolean(&mut self) -> Option<bool> {
        if self.word("true") {
            Some(true)
        } else if self.word("false") {
            Some(false)
        } else {
            None
        }
    }

    /// An integer as JSON writes it (no leading zeros), of at most 18 digits so that it
    /// cannot overflow, and not `-0` (which `serde_json` reads as a float). A fraction or
    /// exponent stops the scan at the next byte.
    fn integer(&mut self) -> Option<i64> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let digits = &self.text.as_bytes()[self.at..];
        let mut magnitude = 0i64;
        let mut len = 0;
        while let Some(&d) = digits.get(len).filter(|d| d.is_ascii_digit()) {
            if len == 18 {
                return None;
            }
            magnitude = magnitude * 10 + i64::from(d - b'0');
            len += 1;
        }
        if len == 0 || (digits[0] == b'0' && (len > 1 || negative)) {
            return None;
        }
        self.at += len;
        Some(if negative { -magnitude } else { magnitude })
    }

    /// IMDb's comma-separated string, or a list of plain strings, looked up as they are
    /// read (the first unknown name is kept, as serde's reading keeps it).
    fn genres(&mut self) -> Option<Genres> {
        if self.peek() == Some(b'"') {
            return self.plain_string().map(Genres::imdb);
        }
        self.expect(b'[')?;
        self.skip_ws();
        let mut list = GenreList::default();
        if self.peek() == Some(b']') {
            self.at += 1;
        } else {
            loop {
                self.skip_ws();
                list.push(Genre::parse(self.plain_string()?));
                self.skip_ws();
                match self.next()? {
                    b',' => {}
                    b']' => break,
                    _ => return None,
                }
            }
        }
        Some(list.finish())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    use super::*;

    const KID: &str = r#"{"title":"The Kid","startYear":1921,"runtimeMinutes":68,"numVotes":40584,"genres":["Comedy","Drama"],"titleType":"movie","isAdult":false}"#;

    /// serde's reading of the same body.
    fn serde(body: &str) -> Option<MovieBody<'_>> {
        serde_json::from_str(body).ok()
    }

    #[test]
    fn common_bodies_are_scanned_as_serde_reads_them() {
        let bodies = [
            KID,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":40584}"#,
            " {\n  \"startYear\" : 2024 ,\t\"runtimeMinutes\":1,\r\n\"numVotes\":0 } \n",
            r#"{"title":"Amélie 🎬","startYear":2001,"runtimeMinutes":122,"numVotes":800000,"genres":"Comedy,Romance"}"#,
            r#"{"title":null,"startYear":1921,"runtimeMinutes":68,"numVotes":1,"genres":null,"titleType":null,"isAdult":null}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"genres":[],"isAdult":true}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"genres":["Comdy","Drama","Dramma"]}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"genres":"Horror, Thriller,Nope"}"#,
            r#"{"startYear":-5,"runtimeMinutes":0,"numVotes":0,"title":"","titleType":"N"}"#,
            r#"{"startYear":999999999999999999,"runtimeMinutes":68,"numVotes":1}"#,
        ];
        for body in bodies {
            let fast = scan(body).unwrap_or_else(|| panic!("not scanned: {body}"));
            let slow = serde(body).unwrap_or_else(|| panic!("serde rejects: {body}"));
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{body}");
            assert!(fast
                .title
                .as_ref()
                .is_none_or(|t| matches!(t.0, Cow::Borrowed(_))));
        }
    }

    /// The word-at-a-time search finds the same byte as a byte-at-a-time one, for every
    /// byte value at every position of strings up to 40 bytes.
    #[test]
    fn plain_len_finds_the_first_ending_byte() {
        let scalar = |rest: &[u8]| rest.iter().position(|&b| ENDS_PLAIN_STRING[usize::from(b)]);
        for len in 0..40 {
            for byte in 0..=255u8 {
                for at in 0..len {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    assert_eq!(
                        plain_len(&text),
                        scalar(&text),
                        "{byte:#x} at {at} of {len}"
                    );
                    // A later ending byte never hides an earlier one.
                    text.push(b'"');
                    assert_eq!(
                        plain_len(&text),
                        scalar(&text),
                        "{byte:#x} at {at} of {len}"
                    );
                }
            }
        }
        assert_eq!(plain_len("Amélie – 🎬\"".as_bytes()), Some(16));
    }

    #[test]
    fn other_shapes_are_left_to_serde() {
        let bodies = [
            r#"{"title":"Am\u00e9lie","startYear":2001,"runtimeMinutes":122,"numVotes":1}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"extra":1}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"t\u0069tle":"x"}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"titleTyp":"movie"}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"titles":"x"}"#,
            r#"{"startYear":1921,"startYear":1922,"runtimeMinutes":68,"numVotes":1}"#,
            r#"{"startYear":1921.0,"runtimeMinutes":68,"numVotes":1}"#,
            r#"{"startYear":1921e0,"runtimeMinutes":68,"numVotes":1}"#,
            r#"{"startYear":01921,"runtimeMinutes":68,"numVotes":1}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":-0}"#,
            r#"{"startYear":9999999999999999999,"runtimeMinutes":68,"numVotes":1}"#,
            r#"{"startYear":1921,"runtimeMinutes":68}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1} x"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"genres":[null]}"#,
            r#"{"startYear":1921,"runtimeMinutes":68,"numVotes":1,"isAdult":"no"}"#,
            "{\"title\":\"a\tb\",\"startYear\":1921,\"runtimeMinutes\":68,\"numVotes\":1}",
            r#"{}"#,
            r#"[]"#,
            "",
        ];
        for body in bodies {
            assert!(scan(body).is_none(), "scanned: {body}");
        }
    }

    /// JSON texts from fragments that are valid, invalid, or valid but outside the
    /// common shape, in any order and with any whitespace.
    fn bodies() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "\"title\"",
            "\"startYear\"",
            "\"runtimeMinutes\"",
            "\"numVotes\"",
            "\"genres\"",
            "\"titleType\"",
            "\"isAdult\"",
            "\"other\"",
            "\"t\\u0069tle\"",
            "title",
            "\"\"",
        ]);
        let value = prop::sample::select(vec![
            "1921",
            "68",
            "0",
            "-0",
            "-12",
            "007",
            "1.5",
            "2e3",
            "1E1",
            "-",
            "12345678901234567",
            "123456789012345678",
            "1234567890123456789",
            "99999999999999999999",
            "null",
            "true",
            "false",
            "nul",
            "truex",
            "\"\"",
            "\"The Kid\"",
            "\"Amélie\"",
            "\"a\\\"b\"",
            "\"\\u00e9\"",
            "\"\\\\N\"",
            "\"movie\"",
            "\"tvMovie\"",
            "\"Comedy,Drama\"",
            "\"Comedy, Nope\"",
            "\"a\tb\"",
            "\"open",
            "[]",
            "[\"Comedy\"]",
            "[\"Comedy\",\"Drama\"]",
            "[ \"Drama\" , \"Sci-Fi\" ]",
            "[\"Comdy\",\"Drama\"]",
            "[\"Nope\",\"Nah\"]",
            "[\"Comedy\",]",
            "[\"Comedy\" \"Drama\"]",
            "[null]",
            "[1]",
            "[\"Dr\\u0061ma\"]",
            "[",
            "{}",
            "{\"a\":1}",
        ]);
        let ws = prop::sample::select(vec!["", "", "", " ", "\n", "\t ", "\r\n"]);
        let member = (
            ws.clone(),
            key,
            ws.clone(),
            ws.clone(),
            value.clone(),
            ws.clone(),
        )
            .prop_map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"));
        // The three required fields, mostly with integers, sometimes with any value.
        let number = prop_oneof![
            3 => prop::sample::select(vec!["1921", "68", "0", "40584", "-7"]),
            1 => value,
        ];
        let required = (number.clone(), number.clone(), number).prop_map(|(y, r, v)| {
            format!("\"startYear\":{y},\"runtimeMinutes\":{r},\"numVotes\":{v}")
        });
        (
            prop::collection::vec(member, 0..5),
            prop::option::weighted(0.8, required),
            prop::sample::select(vec!["", "", ",", " x", "}", "\n"]),
            any::<bool>(),
        )
            .prop_map(move |(members, required, tail, open)| {
                let mut all = members;
                if let Some(required) = required {
                    all.insert(all.len() / 2, required);
                }
                let open = if open { "{" } else { " {" };
                format!("{open}{}}}{tail}", all.join(","))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Whatever `scan` reads, serde reads the same; whatever serde rejects, `scan`
        /// does not read.
        #[test]
        fn scan_reads_only_what_serde_reads_and_reads_it_alike(body in bodies()) {
            if let Some(fast) = scan(&body) {
                let slow = serde(&body);
                prop_assert!(slow.is_some(), "serde rejects what scan read: {}", body);
                prop_assert_eq!(format!("{fast:?}"), format!("{:?}", slow.expect("read")));
            }
        }
    }

    /// The generator reaches both outcomes, so the property above is exercised.
    #[test]
    fn generated_bodies_are_both_scanned_and_left_to_serde() {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = bodies();
        let (mut scanned, mut left) = (0, 0);
        for _ in 0..2000 {
            let body = strategy.new_tree(&mut runner).expect("a body").current();
            if scan(&body).is_some() {
                scanned += 1;
            } else {
                left += 1;
            }
        }
        assert!(
            scanned > 50 && left > 1000,
            "{scanned} scanned, {left} left"
        );
    }
}
