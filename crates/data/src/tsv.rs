//! IMDb's TSV dialect: header row first, fields split on every tab (no quoting: titles may
//! contain `"`), `\N` for null, `\n` line ends.
//!
//! Lines are borrowed as bytes from reused buffers; fields are found with `memchr`, and
//! UTF-8 is checked only for the rows that are fully parsed.

use crate::source::{Source, SourceDigest, SourceReader};
use crate::{Error, Result};

/// IMDb's null marker.
pub(crate) const NULL: &str = "\\N";

/// A line-by-line reader over one IMDb TSV source whose header has been checked.
pub(crate) struct TsvReader {
    source: SourceReader,
    line: u64,
}

impl TsvReader {
    /// Opens `source` and checks that its first line is exactly `header`.
    ///
    /// # Errors
    /// [`Error::EmptyFile`] for a file without a line, [`Error::Header`] for a wrong header,
    /// plus the errors of [`Source::open`].
    pub(crate) fn open(source: &Source, header: &[&str]) -> Result<Self> {
        let mut reader = Self {
            source: source.open()?,
            line: 0,
        };
        let expected = header.join("\t");
        let found = match reader.next_line()? {
            Some((_, line)) => String::from_utf8_lossy(line).into_owned(),
            None => {
                return Err(Error::EmptyFile {
                    file: reader.source.name().to_owned(),
                    expected,
                })
            }
        };
        if found != expected {
            return Err(Error::Header {
                file: reader.source.name().to_owned(),
                found,
                expected,
            });
        }
        Ok(reader)
    }

    /// The next line without its line end, with its 1-based line number; `None` at the end.
    ///
    /// # Errors
    /// The errors of [`SourceReader::next_line`].
    pub(crate) fn next_line(&mut self) -> Result<Option<(u64, &[u8])>> {
        let line = self.source.next_line()?;
        if line.is_some() {
            self.line += 1;
        }
        Ok(line.map(|l| (self.line, l)))
    }

    /// The file name used in messages.
    pub(crate) fn name(&self) -> &str {
        self.source.name()
    }

    /// True when the raw file is gzip.
    pub(crate) fn is_gzip(&self) -> bool {
        self.source.is_gzip()
    }

    /// Digest of the whole raw file.
    pub(crate) fn finish(self) -> Result<SourceDigest> {
        self.source.finish()
    }
}

/// Number of tab-separated fields in a line. Counted in 32-byte blocks of `u8` sums,
/// which the compiler vectorizes: this runs on every one of 12M basics rows.
pub(crate) fn count_fields(line: &[u8]) -> usize {
    let mut blocks = line.chunks_exact(32);
    let mut tabs = 0usize;
    for block in &mut blocks {
        // At most 32 per block: no u8 overflow.
        tabs += usize::from(block.iter().map(|b| u8::from(*b == b'\t')).sum::<u8>());
    }
    tabs + blocks.remainder().iter().filter(|b| **b == b'\t').count() + 1
}

/// The second field of a line with at least two fields (empty otherwise).
pub(crate) fn second_field(line: &[u8]) -> &[u8] {
    let Some(first_tab) = memchr::memchr(b'\t', line) else {
        return &[];
    };
    let rest = &line[first_tab + 1..];
    let end = memchr::memchr(b'\t', rest).unwrap_or(rest.len());
    &rest[..end]
}

/// Splits UTF-8 text into exactly `N` tab-separated fields, or returns the number found.
/// Tabs are found with `memchr` (`str::split(char)` is several times slower).
pub(crate) fn split_str<const N: usize>(text: &str) -> std::result::Result<[&str; N], usize> {
    let mut fields = [""; N];
    let mut start = 0;
    let mut found = 0;
    for tab in memchr::memchr_iter(b'\t', text.as_bytes()) {
        if let Some(slot) = fields.get_mut(found) {
            // A tab is ASCII, so both ends are char boundaries and `get` cannot fail.
            *slot = text.get(start..tab).unwrap_or_default();
        }
        found += 1;
        start = tab + 1;
    }
    if let Some(slot) = fields.get_mut(found) {
        *slot = text.get(start..).unwrap_or_default();
    }
    found += 1;
    if found == N {
        Ok(fields)
    } else {
        Err(found)
    }
}

/// `None` for IMDb's `\N`, else the text.
pub(crate) fn non_null(field: &str) -> Option<&str> {
    (field != NULL).then_some(field)
}

/// Byte offset and value of the first invalid UTF-8 byte, for messages.
pub(crate) fn describe_utf8_error(line: &[u8], err: std::str::Utf8Error) -> String {
    let at = err.valid_up_to();
    let byte = line.get(at).copied().unwrap_or_default();
    format!("row is not valid UTF-8 (byte 0x{byte:02x} at offset {at})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_exactly_n_fields_keeping_quotes_and_empty_fields() {
        let fields = split_str::<4>("tt1\t\"Quoted\" title\t\t\\N").unwrap();
        assert_eq!(fields, ["tt1", "\"Quoted\" title", "", "\\N"]);
    }

    #[test]
    fn reports_the_number_of_fields_found() {
        assert_eq!(split_str::<3>("a\tb"), Err(2));
        assert_eq!(split_str::<3>("a\tb\tc\td\te"), Err(5));
        assert_eq!(split_str::<3>(""), Err(1));
        assert_eq!(count_fields(b"a\tb\tc\td\te"), 5);
    }

    #[test]
    fn null_marker_is_only_backslash_n() {
        assert_eq!(non_null("\\N"), None);
        assert_eq!(non_null("N"), Some("N"));
        assert_eq!(non_null(""), Some(""));
    }

    #[test]
    fn second_field_is_the_title_type_column() {
        assert_eq!(second_field(b"tt1\tmovie\tx"), b"movie");
        assert_eq!(second_field(b"tt1\tmovie"), b"movie");
        assert_eq!(second_field(b"tt1"), b"");
    }

    proptest! {
        #[test]
        fn count_fields_agrees_with_split(line in "[a-zé\t]{0,100}") {
            let n = count_fields(line.as_bytes());
            prop_assert_eq!(line.split('\t').count(), n);
            prop_assert_eq!(split_str::<3>(&line).is_ok(), n == 3);
        }

        #[test]
        fn split_inverts_join(fields in proptest::collection::vec("[^\t\n]{0,12}", 5)) {
            let line = fields.join("\t");
            let split = split_str::<5>(&line).unwrap();
            for (got, want) in split.iter().zip(&fields) {
                prop_assert_eq!(*got, want.as_str());
            }
            prop_assert_eq!(count_fields(line.as_bytes()), 5);
        }

        #[test]
        fn wrong_counts_are_reported_exactly(n in 1usize..12) {
            let line = vec!["x"; n].join("\t");
            let result = split_str::<6>(&line);
            if n == 6 { prop_assert!(result.is_ok()); } else { prop_assert_eq!(result, Err(n)); }
        }
    }
}
