#!/usr/bin/env bash
# Model quality on the embedded sample: reelcast and scikit-learn trained on the same
# seeded split and the same feature matrices, in one run. Prints a markdown table.
#
#   bash bench/quality.sh
#
# Rows: reelcast's default model; both reelcast families; scikit-learn's
# RandomForestRegressor and HistGradientBoostingRegressor on the same features; and the
# original system's configuration (a 100-tree Random Forest on raw startYear,
# runtimeMinutes and numVotes), which the default must beat by at least 15% RMSE.
set -euo pipefail
cd "$(dirname "$0")/.."
py="$(bash bench/venv.sh)"
cargo build --release --quiet -p reelcast-pipeline --example bench_tool
tool=target/release/examples/bench_tool
out=bench/out/quality
mkdir -p "$out"
$tool export --out "$out" >/dev/null

results="$out/results.jsonl"
: > "$results"
run() { echo "{\"label\": \"$1\", \"result\": $2}" >> "$results"; }
run "reelcast default"                          "$($tool fit --dir "$out" --set full)"
run "reelcast rf (sklearn defaults)"            "$($tool fit --dir "$out" --set full --model rf)"
run "reelcast gbt"                              "$($tool fit --dir "$out" --set full --model gbt)"
run "scikit-learn RandomForestRegressor"        "$("$py" bench/sk_fit.py "$out" full rf)"
run "scikit-learn HistGradientBoostingRegressor" "$("$py" bench/sk_fit.py "$out" full hgb)"
run "original: sklearn RF on raw year/runtime/votes" "$("$py" bench/sk_fit.py "$out" original rf)"
run "reelcast rf on raw year/runtime/votes"     "$($tool fit --dir "$out" --set original --model rf)"

"$py" - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"test split: {rows[0]['result']['n_test']} titles never seen in training "
      f"(train {rows[0]['result']['n_train']}, {rows[0]['result']['n_features']} features)\n")
print("| model | features | RMSE | MAE | R² | fit s |")
print("|---|---|---:|---:|---:|---:|")
for r in rows:
    m = r["result"]
    print(f"| {r['label']} | {m['set']} ({m['n_features']}) | {m['rmse']:.4f} | {m['mae']:.4f} | {m['r2']:.4f} | {m['fit_s']:.2f} |")
by = {r["label"]: r["result"] for r in rows}
d = by["reelcast default"]["rmse"]
orig = by["original: sklearn RF on raw year/runtime/votes"]["rmse"]
sk_rf = by["scikit-learn RandomForestRegressor"]["rmse"]
sk_hgb = by["scikit-learn HistGradientBoostingRegressor"]["rmse"]
print()
print(f"default vs original configuration: {100 * (1 - d / orig):.1f}% lower RMSE (target >= 15%)")
print(f"default vs scikit-learn RF: {d:.4f} vs {sk_rf:.4f} ({'ok' if d <= sk_rf else 'WORSE'})")
print(f"default vs scikit-learn HGB: {d:.4f} vs {sk_hgb:.4f} ({'ok' if d <= sk_hgb else 'WORSE'})")
PY
