"""The original system's ingest pipeline in pandas, as the baseline for bench/ingest.sh.

usage: python ingest_pandas.py BASICS.tsv.gz RATINGS.tsv.gz OUT.csv

Reads both files whole (no nrows limit), keeps titleType == movie, inner-joins on tconst,
drops rows without a rating, keeps numVotes >= 50 and startYear null or >= 1900, writes the
CSV. Prints the row count written.
"""

import sys

import pandas as pd


def main(basics_path: str, ratings_path: str, out_path: str) -> None:
    # quoting=3 (QUOTE_NONE): IMDb does not quote, and titles may contain '"'.
    basics = pd.read_csv(
        basics_path, sep="\t", na_values="\\N", quoting=3, low_memory=False, dtype={"startYear": "float64"}
    )
    ratings = pd.read_csv(ratings_path, sep="\t", na_values="\\N", quoting=3)
    movies = basics[basics["titleType"] == "movie"]
    merged = movies.merge(ratings, on="tconst", how="inner")
    # The original's dropna: a bare dropna() would drop every movie (endYear is always
    # null for movies), so it is applied to the joined rating columns.
    merged = merged.dropna(subset=["averageRating", "numVotes"])
    merged = merged[merged["numVotes"] >= 50]
    merged = merged[merged["startYear"].isna() | (merged["startYear"] >= 1900)]
    merged.to_csv(out_path, index=False)
    print(len(merged))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
