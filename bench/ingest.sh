#!/usr/bin/env bash
# Full-scale ingest benchmark of IMDb's five files: reelcast vs the original pandas pipeline.
#
# Builds reelcast in release, generates IMDb-format title.basics, title.ratings, title.crew,
# title.principals and name.basics with `gen_imdb --scale S` (scale 1 = IMDb's real sizes:
# 12M, 1.6M, 12M, 95M and 14M rows), sets up bench/.venv (bench/venv.sh, the pinned Python stack), times each tool with
# /usr/bin/time -v and prints a markdown table (wall s, peak RSS MB, rows out, load average
# before the run, ratio to pandas at the same scale) and whether issue 14's targets are met.
#
# usage: bench/ingest.sh [SCALE] [PANDAS_SCALE]     (defaults 1 and 0.1)
#
# pandas reads each file whole, as the original did: title.principals alone needs tens of
# GB at full scale, so it runs at PANDAS_SCALE, and reelcast runs at both scales so that
# the ratio compares the same files. PANDAS_SCALE=none skips pandas.
#
# The generated files (about 2 GB gzip at scale 1) go to bench/out/imdb-x$SCALE and are
# deleted at the end unless KEEP_DATA=1; a kept set is reused by the next run.
# REELCAST_INGEST picks the reelcast command; it is given --basics F --ratings F --crew F
# --principals F --names F --out DIR.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCALE=${1:-1}
PANDAS_SCALE=${2:-0.1}
OUT="$ROOT/bench/out"
REELCAST_INGEST=${REELCAST_INGEST:-"target/release/reelcast data ingest"}
TARGET_WALL=90
TARGET_RSS=2048
TARGET_RATIO=10

if [ ! -x /usr/bin/time ]; then
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

echo "building release binaries..." >&2
cargo build --release -q -p reelcast-cli -p reelcast-data --bins --examples

mkdir -p "$OUT"
GENERATED=()
# Generates the five files at scale $1 unless present; sets DATA to their directory.
generate() {
    local dir="$OUT/imdb-x$1"
    DATA=$dir
    if [ ! -f "$dir/name.basics.tsv.gz" ]; then
        echo "generating scale $1 into $dir ($(uptime))..." >&2
        rm -rf "$dir"
        /usr/bin/time -f "generated in %e s, peak RSS %M KB" \
            target/release/examples/gen_imdb --out "$dir" --scale "$1" >&2
        du -sh "$dir" >&2
    fi
    GENERATED+=("$dir")
}

cleanup() {
    if [ "${KEEP_DATA:-0}" != 1 ]; then
        rm -rf "${GENERATED[@]}" "$OUT"/reelcast-x* "$OUT"/pandas-x*
    fi
}
trap cleanup EXIT

# Runs "$@" under /usr/bin/time -v with its log in $LOG; sets WALL (s), RSS (MB) and
# LOAD (1-minute load average just before).
measure() {
    LOAD=$(awk '{print $1}' /proc/loadavg)
    echo "  $(uptime)" >&2
    /usr/bin/time -v "$@" >"$LOG.stdout" 2>"$LOG" || { tail -n 40 "$LOG" >&2; exit 1; }
    local wall
    wall=$(grep "Elapsed (wall clock)" "$LOG" | awk '{print $NF}')
    WALL=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    RSS=$(grep "Maximum resident set size" "$LOG" | awk '{printf "%.0f", $NF / 1024}')
    echo "  wall $WALL s, peak RSS $RSS MB" >&2
}

data_rows() { echo $(( $(wc -l <"$1") - 1 )); }

# Times reelcast on scale $1; sets RC_WALL, RC_RSS, RC_LOAD, RC_MOVIES, RC_PRINCIPALS.
run_reelcast() {
    local data dest
    generate "$1"
    data=$DATA
    dest="$OUT/reelcast-x$1"
    rm -rf "$dest"
    LOG="$OUT/reelcast-x$1.log"
    echo "timing reelcast at scale $1..." >&2
    # shellcheck disable=SC2086 # REELCAST_INGEST is a command plus arguments
    measure $REELCAST_INGEST --basics "$data/title.basics.tsv.gz" \
        --ratings "$data/title.ratings.tsv.gz" --crew "$data/title.crew.tsv.gz" \
        --principals "$data/title.principals.tsv.gz" --names "$data/name.basics.tsv.gz" \
        --out "$dest"
    RC_WALL=$WALL RC_RSS=$RSS RC_LOAD=$LOAD
    RC_MOVIES=$(data_rows "$dest/movies_with_ratings.csv")
    RC_PRINCIPALS=$(data_rows "$dest/title.principals.tsv")
}

row() { # tool scale wall rss load movies principals ratio
    printf "| %s | %s | %.1f | %s | %s | %s | %s | %s |\n" "$@"
}

run_reelcast "$SCALE"
FULL=("$RC_WALL" "$RC_RSS" "$RC_LOAD" "$RC_MOVIES" "$RC_PRINCIPALS")

if [ "$PANDAS_SCALE" != none ]; then
    if [ "$PANDAS_SCALE" = "$SCALE" ]; then
        SAME=("${FULL[@]}")
    else
        run_reelcast "$PANDAS_SCALE"
        SAME=("$RC_WALL" "$RC_RSS" "$RC_LOAD" "$RC_MOVIES" "$RC_PRINCIPALS")
    fi
    py=$(bash bench/venv.sh)
    generate "$PANDAS_SCALE"
    data=$DATA
    dest="$OUT/pandas-x$PANDAS_SCALE"
    LOG="$OUT/pandas-x$PANDAS_SCALE.log"
    echo "timing pandas at scale $PANDAS_SCALE..." >&2
    measure "$py" bench/ingest_pandas.py "$data/title.basics.tsv.gz" \
        "$data/title.ratings.tsv.gz" "$dest" "$data/title.crew.tsv.gz" \
        "$data/title.principals.tsv.gz" "$data/name.basics.tsv.gz"
    PD=("$WALL" "$RSS" "$LOAD" "$(awk '$1 == "movies_with_ratings.csv" {print $2}' "$LOG.stdout")"
        "$(awk '$1 == "title.principals.tsv" {print $2}' "$LOG.stdout")")
    RATIO=$(awk -v p="${PD[0]}" -v r="${SAME[0]}" 'BEGIN { printf "%.1f", p / r }')
fi

echo
echo "ingest of all five files, $(nproc) cores; load = 1-minute load average before each run"
echo
echo "| tool | scale | wall s | peak RSS MB | load | movies out | principals out | vs pandas |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
if [ "$PANDAS_SCALE" = none ]; then
    row "reelcast data ingest" "$SCALE" "${FULL[@]}" "-"
else
    if [ "$PANDAS_SCALE" != "$SCALE" ]; then
        row "reelcast data ingest" "$SCALE" "${FULL[@]}" "(no pandas run)"
    fi
    row "reelcast data ingest" "$PANDAS_SCALE" "${SAME[@]}" "${RATIO}x faster"
    row "pandas (read_csv + filter + merge)" "$PANDAS_SCALE" "${PD[@]}" "1.0x"
fi
echo
verdict() { if [ "$1" = 1 ]; then echo met; else echo missed; fi; }
echo "targets at scale $SCALE: wall <= $TARGET_WALL s: $(verdict "$(awk -v w="${FULL[0]}" -v t=$TARGET_WALL 'BEGIN { print (w <= t) }')"), peak RSS <= $TARGET_RSS MB: $(verdict "$(( FULL[1] <= TARGET_RSS ))")"
if [ "$PANDAS_SCALE" != none ]; then
    echo "target at scale $PANDAS_SCALE: >= ${TARGET_RATIO}x pandas: $(verdict "$(awk -v r="$RATIO" -v t=$TARGET_RATIO 'BEGIN { print (r >= t) }')") (${RATIO}x)"
    if [ "${SAME[3]}" != "${PD[3]}" ] || [ "${SAME[4]}" != "${PD[4]}" ]; then
        echo "warning: reelcast and pandas wrote different row counts" >&2
    fi
fi
