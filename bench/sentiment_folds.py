"""The training rows of the review corpus, their cross-validation folds, and the row
weights and naive-Bayes column scaling of crates/sentiment's training.

The rules of crates/sentiment (`is_held_out`) and of its cross_validate example: a row is
held out when crc32(text as UTF-8) % 5 == 0 and is never read here; fold k holds the
training rows with crc32(text) // 5 % 5 == k.
"""
import csv
import zlib


def training_rows(path):
    """(text, label, source, fold) of every training row of the CSV at `path`."""
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            crc = zlib.crc32(r["text"].encode())
            if crc % 5 == 0:
                continue
            rows.append((r["text"], int(r["label"]), r["source"], crc // 5 % 5))
    return rows


def source_weights(imdb):
    """Row weights giving each source the same total weight; `imdb` flags the IMDb rows."""
    import numpy as np

    n, ni = len(imdb), imdb.sum()
    return np.where(imdb, 0.5 * n / ni, 0.5 * n / (n - ni))


def naive_bayes_scale(x, y, w):
    """Diagonal of each column's damped naive-Bayes log-count ratio, sign(r) * sqrt(|r|),
    from the weighted counts of positive and negative rows holding it (plus 1)."""
    import numpy as np
    import scipy.sparse as sp

    present = (x > 0).astype(np.float64)
    p = np.asarray(present[y == 1].T @ w[y == 1]).ravel() + 1
    q = np.asarray(present[y == 0].T @ w[y == 0]).ravel() + 1
    r = np.log((p / p.sum()) / (q / q.sum()))
    return sp.diags((np.sign(r) * np.sqrt(np.abs(r))).astype(np.float32))
