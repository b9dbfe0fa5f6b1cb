//! The embedded sample: 6,208 real films in IMDb's layout, compiled into the binary.
//!
//! Every command uses it when given no data (see `data/sample/README.md` for provenance
//! and licenses).

/// One of the two files of the embedded sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmbeddedFile {
    /// `title.basics.tsv.gz` (6,208 rows: 6,173 movies, 35 shorts).
    Basics,
    /// `title.ratings.tsv.gz` (6,197 rows).
    Ratings,
}

static BASICS: &[u8] = include_bytes!("../../../data/sample/title.basics.tsv.gz");
static RATINGS: &[u8] = include_bytes!("../../../data/sample/title.ratings.tsv.gz");

impl EmbeddedFile {
    /// The raw (gzip) bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            EmbeddedFile::Basics => BASICS,
            EmbeddedFile::Ratings => RATINGS,
        }
    }

    /// IMDb's file name, e.g. `title.basics.tsv.gz`.
    pub fn file_name(self) -> &'static str {
        match self {
            EmbeddedFile::Basics => "title.basics.tsv.gz",
            EmbeddedFile::Ratings => "title.ratings.tsv.gz",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_are_gzip() {
        for f in [EmbeddedFile::Basics, EmbeddedFile::Ratings] {
            assert_eq!(&f.bytes()[..2], &[0x1f, 0x8b], "{}", f.file_name());
        }
    }
}
