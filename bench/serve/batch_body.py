"""Writes a wrk script that POSTs 100 real films of the embedded sample as one
/predict/batch body (the first 100 movies of title.basics with a rating, a year, a
runtime and genres). Used by bench/serve.sh and bench/serve_ab.sh.

    python3 bench/serve/batch_body.py OUT.lua
"""
import csv
import gzip
import json
import pathlib
import sys

votes = {}
with gzip.open("data/sample/title.ratings.tsv.gz", "rt", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
        votes[r["tconst"]] = int(r["numVotes"])
rows = []
with gzip.open("data/sample/title.basics.tsv.gz", "rt", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(rows) == 100:
            break
        if r["titleType"] != "movie" or r["tconst"] not in votes:
            continue
        if "\\N" in (r["startYear"], r["runtimeMinutes"], r["genres"]):
            continue
        rows.append({"title": r["primaryTitle"], "startYear": int(r["startYear"]),
                     "runtimeMinutes": int(r["runtimeMinutes"]),
                     "numVotes": votes[r["tconst"]], "genres": r["genres"]})
assert len(rows) == 100, len(rows)
body = json.dumps({"movies": rows}, separators=(",", ":"))
pathlib.Path(sys.argv[1]).write_text(
    'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[' + body + ']==]\n')
