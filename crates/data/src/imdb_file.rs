//! IMDb's five dataset files by their short names (`basics`, `ratings`, `crew`,
//! `principals`, `names`): the names `data fetch --only` takes, the files it downloads,
//! and where a directory holds each one (`--imdb-dir`).

use std::path::{Path, PathBuf};

use crate::basics::BASICS_HEADER;
use crate::crew::{CREW_HEADER, NAMES_HEADER, PRINCIPALS_HEADER};
use crate::ratings::RATINGS_HEADER;
use crate::{Error, Result};

/// One of the IMDb files reelcast reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImdbFile {
    /// `title.basics`: titles, years, runtimes, genres.
    Basics,
    /// `title.ratings`: average rating and votes.
    Ratings,
    /// `title.crew`: directors and writers.
    Crew,
    /// `title.principals`: billed cast and crew.
    Principals,
    /// `name.basics`: people's names.
    Names,
}

impl ImdbFile {
    /// Every file, in IMDb's usual order (the order `data fetch` downloads them).
    pub const ALL: [ImdbFile; 5] = [
        ImdbFile::Basics,
        ImdbFile::Ratings,
        ImdbFile::Crew,
        ImdbFile::Principals,
        ImdbFile::Names,
    ];

    /// The short name used on the command line, e.g. `basics`.
    pub const fn short_name(self) -> &'static str {
        match self {
            ImdbFile::Basics => "basics",
            ImdbFile::Ratings => "ratings",
            ImdbFile::Crew => "crew",
            ImdbFile::Principals => "principals",
            ImdbFile::Names => "names",
        }
    }

    /// IMDb's name without extension, e.g. `title.basics`.
    pub const fn stem(self) -> &'static str {
        match self {
            ImdbFile::Basics => "title.basics",
            ImdbFile::Ratings => "title.ratings",
            ImdbFile::Crew => "title.crew",
            ImdbFile::Principals => "title.principals",
            ImdbFile::Names => "name.basics",
        }
    }

    /// The name IMDb publishes it under, e.g. `title.basics.tsv.gz`.
    pub const fn file_name(self) -> &'static str {
        match self {
            ImdbFile::Basics => "title.basics.tsv.gz",
            ImdbFile::Ratings => "title.ratings.tsv.gz",
            ImdbFile::Crew => "title.crew.tsv.gz",
            ImdbFile::Principals => "title.principals.tsv.gz",
            ImdbFile::Names => "name.basics.tsv.gz",
        }
    }

    /// The file IMDb publishes as `name`: its gzip name (`title.basics.tsv.gz`) or the
    /// plain one (`title.basics.tsv`); `None` for any other name.
    pub fn from_file_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| {
            name == f.file_name()
                || name
                    .strip_suffix(".tsv")
                    .is_some_and(|stem| stem == f.stem())
        })
    }

    /// The columns of the file's first line, in order (what ingest checks and `data fetch`
    /// expects of a download).
    pub const fn header(self) -> &'static [&'static str] {
        match self {
            ImdbFile::Basics => &BASICS_HEADER,
            ImdbFile::Ratings => &RATINGS_HEADER,
            ImdbFile::Crew => &CREW_HEADER,
            ImdbFile::Principals => &PRINCIPALS_HEADER,
            ImdbFile::Names => &NAMES_HEADER,
        }
    }

    /// The file's path in `dir` under IMDb's name, `.tsv.gz` preferred over `.tsv`, when
    /// one of them is a file.
    pub fn find_in(self, dir: &Path) -> Option<PathBuf> {
        [self.file_name(), &format!("{}.tsv", self.stem())]
            .into_iter()
            .map(|name| dir.join(name))
            .find(|path| path.is_file())
    }

    /// The file named `name` (a short name, case-insensitive, surrounding spaces ignored).
    ///
    /// # Errors
    /// [`Error::UnknownImdbFile`], listing the accepted names.
    pub fn parse(name: &str) -> Result<Self> {
        let wanted = name.trim();
        Self::ALL
            .into_iter()
            .find(|f| f.short_name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| Error::UnknownImdbFile {
                name: wanted.to_owned(),
                accepted: Self::accepted_names(),
            })
    }

    /// Parses a list of short names (e.g. the items of `--only basics,ratings`), in the
    /// order given, repeats dropped.
    ///
    /// # Errors
    /// [`Error::UnknownImdbFile`] for the first unknown name; [`Error::NoImdbFiles`] for an
    /// empty list.
    pub fn parse_list<S: AsRef<str>>(names: &[S]) -> Result<Vec<Self>> {
        let mut files = Vec::with_capacity(names.len());
        for name in names {
            let file = Self::parse(name.as_ref())?;
            if !files.contains(&file) {
                files.push(file);
            }
        }
        if files.is_empty() {
            return Err(Error::NoImdbFiles {
                accepted: Self::accepted_names(),
            });
        }
        Ok(files)
    }

    /// The short names, comma-separated: `basics, ratings, crew, principals, names`.
    fn accepted_names() -> String {
        Self::ALL.map(Self::short_name).join(", ")
    }
}

impl std::fmt::Display for ImdbFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.short_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_short_names_in_the_order_given_without_repeats() {
        let files = ImdbFile::parse_list(&["ratings", " Basics", "ratings"]).unwrap();
        assert_eq!(files, [ImdbFile::Ratings, ImdbFile::Basics]);
    }

    #[test]
    fn an_unknown_name_is_refused_listing_the_accepted_ones() {
        let err = ImdbFile::parse_list(&["basics", "akas"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown IMDb file \"akas\"; the accepted names are basics, ratings, crew, principals, names"
        );
    }

    #[test]
    fn an_empty_list_is_refused() {
        let err = ImdbFile::parse_list::<&str>(&[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no IMDb file named; the accepted names are basics, ratings, crew, principals, names"
        );
    }

    #[test]
    fn finds_gzip_before_plain_and_nothing_when_absent() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("title.basics.tsv"), "x").unwrap();
        std::fs::write(dir.path().join("title.ratings.tsv"), "x").unwrap();
        std::fs::write(dir.path().join("title.ratings.tsv.gz"), "x").unwrap();
        // A directory under a file's name is not the file.
        std::fs::create_dir(dir.path().join("name.basics.tsv.gz")).unwrap();
        let found: Vec<_> = ImdbFile::ALL
            .map(|f| {
                f.find_in(dir.path())
                    .map(|p| p.file_name().unwrap().to_owned())
            })
            .into_iter()
            .collect();
        assert_eq!(
            found,
            [
                Some("title.basics.tsv".into()),
                Some("title.ratings.tsv.gz".into()),
                None,
                None,
                None
            ]
        );
    }

    #[test]
    fn knows_a_file_by_its_gzip_or_plain_name_only() {
        for file in ImdbFile::ALL {
            let plain = format!("{}.tsv", file.stem());
            assert_eq!(ImdbFile::from_file_name(file.file_name()), Some(file));
            assert_eq!(ImdbFile::from_file_name(&plain), Some(file), "{plain}");
        }
        for other in [
            "title.akas.tsv.gz",
            "title.basics",
            "basics",
            "title.basics.tsv.gz.tmp",
        ] {
            assert_eq!(ImdbFile::from_file_name(other), None, "{other}");
        }
    }

    #[test]
    fn file_names_and_headers_are_the_embedded_samples() {
        use std::io::BufRead as _;

        use crate::EmbeddedFile;
        let embedded = [
            EmbeddedFile::Basics,
            EmbeddedFile::Ratings,
            EmbeddedFile::Crew,
            EmbeddedFile::Principals,
            EmbeddedFile::Names,
        ];
        for (file, e) in ImdbFile::ALL.into_iter().zip(embedded) {
            assert_eq!(file.file_name(), e.file_name(), "{file}");
            assert_eq!(format!("{}.tsv.gz", file.stem()), file.file_name());
            let mut text = std::io::BufReader::new(flate2::read::GzDecoder::new(e.bytes()));
            let mut first = String::new();
            text.read_line(&mut first).unwrap();
            assert_eq!(first.trim_end(), file.header().join("\t"), "{file}");
        }
    }
}
