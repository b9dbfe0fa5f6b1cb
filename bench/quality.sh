#!/usr/bin/env bash
# Model quality on the embedded sample: reelcast and scikit-learn trained on the same
# seeded splits and the same feature matrices, in one run. Prints a markdown table.
#
#   bash bench/quality.sh            # 5 splits (seeds 42 1 2 3 4)
#   SEEDS="42" bash bench/quality.sh # one split
#
# Each split holds out 20% of the 6,091 sample movies that no model sees in training.
# Feature sets: full (the default features with crew statistics of directors, writers and
# top-billed cast, out of fold on the training rows), basics (the same without crew) and
# original (raw year, runtime, votes).
# Rows: reelcast's default model; both reelcast families; scikit-learn's
# RandomForestRegressor and HistGradientBoostingRegressor on the same features (defaults,
# and HGB with reelcast's boosting settings); and the original system's configuration (a
# 100-tree Random Forest on raw startYear, runtimeMinutes and numVotes), which the default
# must beat by at least 15% RMSE.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${SEEDS:-42 1 2 3 4}"
py="$(bash bench/venv.sh)"
cargo build --release --quiet -p reelcast-pipeline --example bench_tool
tool=target/release/examples/bench_tool
results=bench/out/quality.jsonl
mkdir -p bench/out
: > "$results"
run() { echo "{\"seed\": $seed, \"label\": \"$1\", \"result\": $2}" >> "$results"; }
for seed in $seeds; do
  out="bench/out/quality-$seed"
  $tool export --out "$out" --seed "$seed" >/dev/null
  run "reelcast default"                               "$($tool fit --dir "$out" --set full)"
  run "reelcast rf (sklearn's RF defaults)"            "$($tool fit --dir "$out" --set full --model rf)"
  run "reelcast gbt (sklearn's HGB defaults)"          "$($tool fit --dir "$out" --set full --model gbt)"
  run "scikit-learn RandomForestRegressor"             "$("$py" bench/sk_fit.py "$out" full rf)"
  run "scikit-learn HistGradientBoostingRegressor"     "$("$py" bench/sk_fit.py "$out" full hgb)"
  run "scikit-learn HGB, reelcast's boosting settings" "$("$py" bench/sk_fit.py "$out" full hgb-reelcast)"
  run "reelcast default without crew (basics only)"   "$($tool fit --dir "$out" --set basics)"
  run "scikit-learn HGB without crew (basics only)"    "$("$py" bench/sk_fit.py "$out" basics hgb)"
  run "original: scikit-learn RF on raw year/runtime/votes" "$("$py" bench/sk_fit.py "$out" original rf)"
  run "reelcast rf on raw year/runtime/votes"          "$($tool fit --dir "$out" --set original --model rf)"
done

"$py" - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
seeds = sorted({r["seed"] for r in rows})
labels = list(dict.fromkeys(r["label"] for r in rows))
first = rows[0]["result"]
print(f"{len(seeds)} seeded splits ({', '.join(map(str, seeds))}): train {first['n_train']}, "
      f"test {first['n_test']} titles never seen in training\n")
print("| model | features | RMSE mean ± sd | MAE mean | R² mean | fit s (mean) |")
print("|---|---|---:|---:|---:|---:|")
mean_rmse = {}
for label in labels:
    rs = [r["result"] for r in rows if r["label"] == label]
    rmse = [m["rmse"] for m in rs]
    mean_rmse[label] = statistics.mean(rmse)
    sd = statistics.stdev(rmse) if len(rmse) > 1 else 0.0
    print(f"| {label} | {rs[0]['set']} ({rs[0]['n_features']}) | {mean_rmse[label]:.4f} ± {sd:.4f} | "
          f"{statistics.mean(m['mae'] for m in rs):.4f} | {statistics.mean(m['r2'] for m in rs):.4f} | "
          f"{statistics.mean(m['fit_s'] for m in rs):.2f} |")
d = mean_rmse["reelcast default"]
orig = mean_rmse["original: scikit-learn RF on raw year/runtime/votes"]
print()
print(f"default vs the original configuration: {100 * (1 - d / orig):.1f}% lower RMSE (target >= 15%)")
for label in ["scikit-learn RandomForestRegressor", "scikit-learn HistGradientBoostingRegressor",
              "scikit-learn HGB, reelcast's boosting settings"]:
    s = mean_rmse[label]
    print(f"default vs {label}: {d:.4f} vs {s:.4f} ({'ok' if d <= s else 'WORSE'})")
wins = sum(1 for seed in seeds
           if next(r for r in rows if r["seed"] == seed and r["label"] == "reelcast default")["result"]["rmse"]
           <= min(r["result"]["rmse"] for r in rows if r["seed"] == seed and r["label"].startswith("scikit-learn")))
print(f"default beats every scikit-learn model on {wins} of {len(seeds)} splits")
def rmse_of(seed, label):
    return next(r for r in rows if r["seed"] == seed and r["label"] == label)["result"]["rmse"]
hgb_wins = sum(1 for s in seeds
               if rmse_of(s, "reelcast default") < rmse_of(s, "scikit-learn HistGradientBoostingRegressor"))
print(f"default beats scikit-learn HistGradientBoostingRegressor on {hgb_wins} of {len(seeds)} splits "
      f"(target: every split)")
gains = [100 * (1 - rmse_of(s, "reelcast default") / rmse_of(s, "reelcast default without crew (basics only)"))
         for s in seeds]
print("crew features: default vs the same model without them, RMSE gain per split: "
      + ", ".join(f"{g:.1f}%" for g in gains)
      + f" ({'>= 5% on every split' if min(gains) >= 5 else 'below 5% on some split'})")
sk_gains = [100 * (1 - rmse_of(s, "scikit-learn HistGradientBoostingRegressor")
                   / rmse_of(s, "scikit-learn HGB without crew (basics only)")) for s in seeds]
print("scikit-learn HGB's gain from the same crew features per split: "
      + ", ".join(f"{g:.1f}%" for g in sk_gains))
PY
