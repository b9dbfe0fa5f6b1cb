#!/usr/bin/env bash
# End-to-end `reelcast train` on the embedded sample (ingest, features, fit, evaluate,
# save bundle and report), timed by hyperfine. Target: under 1 s wall.
#
#   bash bench/train.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release --quiet -p reelcast-cli
out="$(mktemp -d)"
hyperfine --warmup 1 --runs 10 --export-markdown bench/out/train.md \
  -n "reelcast train (default model)" "target/release/reelcast --log-level warn train --out $out/default" \
  -n "reelcast train --model rf" "target/release/reelcast --log-level warn train --model rf --out $out/rf" \
  -n "reelcast train --model gbt" "target/release/reelcast --log-level warn train --model gbt --out $out/gbt" >/dev/null
cat bench/out/train.md
rm -rf "$out"
