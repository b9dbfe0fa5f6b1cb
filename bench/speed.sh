#!/usr/bin/env bash
# Random Forest fit and predict speed, reelcast vs scikit-learn, same rows, same features,
# same trees (100, full depth, sklearn defaults), measured in one run. Prints a markdown table.
#
#   bash bench/speed.sh            # embedded sample + 300k rows
#   ROWS=100000 bash bench/speed.sh
#
# The 300k-row set comes from the deterministic full-scale IMDb-format generator
# (crates/data/examples/gen_imdb.rs, the same files bench/ingest.sh uses), ingested with
# reelcast's default filters except the vote floor, then subsampled with a fixed seed.
# Its ratings are generated from genres, age, runtime and votes plus noise, so both
# stacks have real signal to fit.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${ROWS:-300000}"
py="$(bash bench/venv.sh)"
cargo build --release --quiet -p reelcast-cli -p reelcast-pipeline --example bench_tool
cargo build --release --quiet -p reelcast-data --example gen_imdb
tool=target/release/examples/bench_tool
mkdir -p bench/out

sample=bench/out/speed-sample
$tool export --out "$sample" >/dev/null

gen=bench/out/imdb-12000000-1600000
if [ ! -f "$gen/title.basics.tsv.gz" ]; then
  target/release/examples/gen_imdb --out "$gen" --basics-rows 12000000 --ratings-rows 1600000 >/dev/null
fi
# All rated movies (no vote floor): about 380k rows to draw the subsample from.
if [ ! -f "$gen/processed-all/movies_with_ratings.csv" ]; then
  target/release/reelcast --log-level warn data ingest --basics "$gen/title.basics.tsv.gz" \
    --ratings "$gen/title.ratings.tsv.gz" --min-votes 0 --out "$gen/processed-all" >/dev/null
fi
large="bench/out/speed-$rows"
$tool export --out "$large" --data "$gen/processed-all" --max-rows "$rows" >/dev/null

results=bench/out/speed.jsonl
: > "$results"
for d in "$sample" "$large"; do
  echo "{\"data\": \"$d\", \"result\": $($tool fit --dir "$d" --set full --model rf)}" >> "$results"
  echo "{\"data\": \"$d\", \"result\": $("$py" bench/sk_fit.py "$d" full rf)}" >> "$results"
done
echo "{\"data\": \"$sample\", \"result\": $($tool fit --dir "$sample" --set full)}" >> "$results"

"$py" - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| data | tool | model | train rows | features | fit s | RMSE | predict 1 row µs | batch rows/s |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    m = r["result"]
    name = "default" if m["tool"] == "reelcast" and rows.index(r) == len(rows) - 1 else m["model"]
    print(f"| {r['data'].split('/')[-1]} | {m['tool']} | {name} | {m['n_train']} | {m['n_features']} | {m['fit_s']:.2f} | {m['rmse']:.4f} | {m['predict_row_us']:.2f} | {m['batch_rows_per_s']:,.0f} |")
print()
for i in range(0, 4, 2):
    rc, sk = rows[i]["result"], rows[i + 1]["result"]
    print(f"{rows[i]['data'].split('/')[-1]}: reelcast RF fit {sk['fit_s'] / rc['fit_s']:.1f}x faster than scikit-learn "
          f"(target >= 3x); RMSE {rc['rmse']:.4f} vs {sk['rmse']:.4f} ({100 * (rc['rmse'] / sk['rmse'] - 1):+.2f}%, target within ±1%); "
          f"predict 1 row {sk['predict_row_us'] / rc['predict_row_us']:.0f}x faster")
PY
