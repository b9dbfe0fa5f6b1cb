"""The original system's ingest pipeline in pandas, as the baseline for bench/ingest.sh.

usage: python ingest_pandas.py BASICS.tsv.gz RATINGS.tsv.gz OUT_DIR [CREW PRINCIPALS NAMES]

Reads each file whole with read_csv (no nrows limit, no chunks: the original's approach),
keeps titleType == movie, inner-joins on tconst, drops rows without a rating, keeps
numVotes >= 50 and startYear null or >= 1900, and writes OUT_DIR/movies_with_ratings.csv.
Given the three people files, it keeps what reelcast keeps: title.crew and
title.principals rows of the kept movies, and name.basics rows of the people those rows
name, written as TSV in IMDb's layout beside the CSV. Prints one "file rows" line per
file written.
"""

import os
import sys

import pandas as pd


def read_tsv(path: str, **kwargs) -> pd.DataFrame:
    # quoting=3 (QUOTE_NONE): IMDb does not quote, and titles may contain '"'.
    return pd.read_csv(path, sep="\t", na_values="\\N", quoting=3, **kwargs)


def write_tsv(frame: pd.DataFrame, out_dir: str, name: str) -> None:
    frame.to_csv(os.path.join(out_dir, name), sep="\t", index=False, na_rep="\\N", quoting=3)
    print(name, len(frame))


def main(basics_path: str, ratings_path: str, out_dir: str, *people: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    basics = read_tsv(basics_path, low_memory=False, dtype={"startYear": "float64"})
    ratings = read_tsv(ratings_path)
    movies = basics[basics["titleType"] == "movie"]
    merged = movies.merge(ratings, on="tconst", how="inner")
    # The original's dropna: a bare dropna() would drop every movie (endYear is always
    # null for movies), so it is applied to the joined rating columns.
    merged = merged.dropna(subset=["averageRating", "numVotes"])
    merged = merged[merged["numVotes"] >= 50]
    merged = merged[merged["startYear"].isna() | (merged["startYear"] >= 1900)]
    merged.to_csv(os.path.join(out_dir, "movies_with_ratings.csv"), index=False)
    print("movies_with_ratings.csv", len(merged))
    if not people:
        return

    crew_path, principals_path, names_path = people
    kept = set(merged["tconst"])
    # Free the title tables first: the people files are much larger.
    del basics, ratings, movies, merged
    crew = read_tsv(crew_path)
    crew = crew[crew["tconst"].isin(kept)]
    principals = read_tsv(principals_path, low_memory=False)
    principals = principals[principals["tconst"].isin(kept)]
    credited = pd.concat(
        [
            crew["directors"].dropna().str.split(",").explode(),
            crew["writers"].dropna().str.split(",").explode(),
            principals["nconst"],
        ]
    )
    wanted = set(credited)
    names = read_tsv(names_path, low_memory=False)
    names = names[names["nconst"].isin(wanted)]
    write_tsv(crew, out_dir, "title.crew.tsv")
    write_tsv(principals, out_dir, "title.principals.tsv")
    write_tsv(names, out_dir, "name.basics.tsv")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 7):
        sys.exit(__doc__)
    main(*sys.argv[1:])
