"""The Python peer of bench/serve.sh: FastAPI + a scikit-learn random forest serving the
same POST /predict/movie contract, trained on the same embedded sample.

    uvicorn --app-dir bench/serve fastapi_app:app --port 8002 --workers 2

Features: start year, runtime, log10(votes + 1) and the 28 genre flags (rows with a
missing year or runtime are dropped, as a user of scikit-learn would), a 100-tree
forest with min_samples_leaf=5, fitted at import.
"""
import csv
import gzip
import math
from typing import List, Optional, Union

import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel, Field
from sklearn.ensemble import RandomForestRegressor

GENRES = ["Action", "Adult", "Adventure", "Animation", "Biography", "Comedy", "Crime",
          "Documentary", "Drama", "Family", "Fantasy", "Film-Noir", "Game-Show", "History",
          "Horror", "Music", "Musical", "Mystery", "News", "Reality-TV", "Romance", "Sci-Fi",
          "Short", "Sport", "Talk-Show", "Thriller", "War", "Western"]


def row(year, runtime, votes, genres):
    return [year, runtime, math.log10(votes + 1)] + [float(g in genres) for g in GENRES]


def read(name):
    with gzip.open(f"data/sample/{name}", "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


ratings = {r["tconst"]: r for r in read("title.ratings.tsv.gz")}
x, y = [], []
for b in read("title.basics.tsv.gz"):
    r = ratings.get(b["tconst"])
    if r is None or "\\N" in (b["startYear"], b["runtimeMinutes"]):
        continue
    x.append(row(int(b["startYear"]), int(b["runtimeMinutes"]), int(r["numVotes"]),
                 b["genres"].split(",")))
    y.append(float(r["averageRating"]))
model = RandomForestRegressor(n_estimators=100, min_samples_leaf=5, random_state=42, n_jobs=1)
model.fit(np.asarray(x, dtype=np.float32), np.asarray(y))


class Movie(BaseModel):
    title: Optional[str] = Field(None, max_length=500)
    startYear: int = Field(ge=1874, le=2100)
    runtimeMinutes: int = Field(ge=1, le=60000)
    numVotes: int = Field(ge=0)
    genres: Optional[Union[List[str], str]] = None
    titleType: Optional[str] = None
    isAdult: Optional[bool] = None


app = FastAPI()


@app.post("/predict/movie")
def predict_movie(movie: Movie):
    genres = movie.genres.split(",") if isinstance(movie.genres, str) else (movie.genres or [])
    features = np.asarray([row(movie.startYear, movie.runtimeMinutes, movie.numVotes, genres)],
                          dtype=np.float32)
    rating = float(np.clip(model.predict(features)[0], 1, 10))
    return {"title": movie.title, "predicted_rating": round(rating, 2),
            "rating_out_of_10": f"{rating:.1f}/10"}
