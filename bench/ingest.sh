#!/usr/bin/env bash
# Full-scale ingest benchmark: reelcast vs the original pandas pipeline.
#
# Builds reelcast in release, generates IMDb-sized title.basics/title.ratings (cached in
# bench/out/), sets up bench/.venv with pandas, times both with /usr/bin/time -v and prints
# a markdown table (tool, wall s, peak RSS MB, rows out, ratio).
#
# usage: bench/ingest.sh [BASICS_ROWS] [RATINGS_ROWS]     (defaults 12000000 1600000)
#
# REELCAST_INGEST picks the reelcast command; it is given --basics F --ratings F --out DIR.
# Until `reelcast data ingest` exists, switch to the crate's example:
#   REELCAST_INGEST=target/release/examples/ingest bench/ingest.sh
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BASICS_ROWS=${1:-12000000}
RATINGS_ROWS=${2:-1600000}
OUT="$ROOT/bench/out"
DATA="$OUT/imdb-$BASICS_ROWS-$RATINGS_ROWS"
REELCAST_INGEST=${REELCAST_INGEST:-"target/release/reelcast data ingest"}
# REELCAST_INGEST=target/release/examples/ingest   # fallback: the reelcast-data example

if [ ! -x /usr/bin/time ]; then
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

echo "building release binaries..." >&2
case "$REELCAST_INGEST" in
    target/release/examples/*) cargo build --release -q -p reelcast-data --examples ;;
    *) cargo build --release -q -p reelcast-cli ;;
esac
cargo build --release -q -p reelcast-data --example gen_imdb

if [ ! -f "$DATA/title.basics.tsv.gz" ] || [ ! -f "$DATA/title.ratings.tsv.gz" ]; then
    echo "generating $BASICS_ROWS basics rows into $DATA..." >&2
    target/release/examples/gen_imdb --out "$DATA" --basics-rows "$BASICS_ROWS" --ratings-rows "$RATINGS_ROWS" >&2
fi

if [ ! -x bench/.venv/bin/python ]; then
    echo "creating bench/.venv with pandas..." >&2
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q pandas
fi

# Runs "$@" under /usr/bin/time -v; sets WALL (s) and RSS (MB).
measure() {
    local log="$OUT/time.log"
    /usr/bin/time -v "$@" >"$OUT/stdout.log" 2>"$log" || { cat "$log" >&2; exit 1; }
    local wall
    wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
    WALL=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    RSS=$(grep "Maximum resident set size" "$log" | awk '{printf "%.0f", $NF / 1024}')
}

rm -rf "$OUT/reelcast" "$OUT/pandas.csv"
echo "timing reelcast..." >&2
# shellcheck disable=SC2086 # REELCAST_INGEST is a command plus arguments
measure $REELCAST_INGEST --basics "$DATA/title.basics.tsv.gz" --ratings "$DATA/title.ratings.tsv.gz" --out "$OUT/reelcast"
RC_WALL=$WALL RC_RSS=$RSS
RC_ROWS=$(( $(wc -l <"$OUT/reelcast/movies_with_ratings.csv") - 1 ))

echo "timing pandas..." >&2
measure bench/.venv/bin/python bench/ingest_pandas.py "$DATA/title.basics.tsv.gz" "$DATA/title.ratings.tsv.gz" "$OUT/pandas.csv"
PD_WALL=$WALL PD_RSS=$RSS
PD_ROWS=$(tail -n 1 "$OUT/stdout.log")

echo
echo "ingest of $BASICS_ROWS basics + $RATINGS_ROWS ratings rows ($(nproc) cores)"
echo
echo "| tool | wall s | peak RSS MB | rows out | ratio |"
echo "| --- | ---: | ---: | ---: | ---: |"
printf "| reelcast | %.2f | %s | %s | %s |\n" "$RC_WALL" "$RC_RSS" "$RC_ROWS" \
    "$(awk -v p="$PD_WALL" -v r="$RC_WALL" 'BEGIN { printf "%.1fx faster", p / r }')"
printf "| pandas | %.2f | %s | %s | 1.0x |\n" "$PD_WALL" "$PD_RSS" "$PD_ROWS"
