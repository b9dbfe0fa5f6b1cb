//! The embedded sample: 6,208 real films in IMDb's layout, with their crew, compiled into
//! the binary.
//!
//! Every command uses it when given no data (see `data/sample/README.md` for provenance
//! and licenses).

/// One of the five files of the embedded sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmbeddedFile {
    /// `title.basics.tsv.gz` (6,208 rows: 6,173 movies, 35 shorts).
    Basics,
    /// `title.ratings.tsv.gz` (6,197 rows).
    Ratings,
    /// `title.crew.tsv.gz` (6,208 rows; synthetic person ids, see `data/sample/README.md`).
    Crew,
    /// `title.principals.tsv.gz` (43,376 rows).
    Principals,
    /// `name.basics.tsv.gz` (22,920 rows).
    Names,
}

static BASICS: &[u8] = include_bytes!("../../../data/sample/title.basics.tsv.gz");
static RATINGS: &[u8] = include_bytes!("../../../data/sample/title.ratings.tsv.gz");
static CREW: &[u8] = include_bytes!("../../../data/sample/title.crew.tsv.gz");
static PRINCIPALS: &[u8] = include_bytes!("../../../data/sample/title.principals.tsv.gz");
static NAMES: &[u8] = include_bytes!("../../../data/sample/name.basics.tsv.gz");

impl EmbeddedFile {
    /// The raw (gzip) bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            EmbeddedFile::Basics => BASICS,
            EmbeddedFile::Ratings => RATINGS,
            EmbeddedFile::Crew => CREW,
            EmbeddedFile::Principals => PRINCIPALS,
            EmbeddedFile::Names => NAMES,
        }
    }

    /// IMDb's file name, e.g. `title.basics.tsv.gz`.
    pub fn file_name(self) -> &'static str {
        match self {
            EmbeddedFile::Basics => "title.basics.tsv.gz",
            EmbeddedFile::Ratings => "title.ratings.tsv.gz",
            EmbeddedFile::Crew => "title.crew.tsv.gz",
            EmbeddedFile::Principals => "title.principals.tsv.gz",
            EmbeddedFile::Names => "name.basics.tsv.gz",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_are_gzip() {
        for f in [
            EmbeddedFile::Basics,
            EmbeddedFile::Ratings,
            EmbeddedFile::Crew,
            EmbeddedFile::Principals,
            EmbeddedFile::Names,
        ] {
            assert_eq!(&f.bytes()[..2], &[0x1f, 0x8b], "{}", f.file_name());
        }
    }
}
