#!/usr/bin/env bash
# A/B comparison of `reelcast serve` builds on POST /predict/movie at c=64 (or the batch:
# ENDPOINT below): the builds take turns for ROUNDS rounds, each round measuring the axum
# hello-world first, so that slow drifts of the machine hit every build alike. Prints, per
# round and build, requests/s, the ratio to hello-world, p99, and the server's CPU per
# request (user + system, and user alone, from /proc), which varies much less than
# requests/s while wrk shares the cores.
#
#   cp target/release/reelcast /tmp/reelcast-a      # build A
#   ...change, cargo build --release -p reelcast-cli...
#   bash bench/serve_ab.sh /tmp/reelcast-a target/release/reelcast
#   ROUNDS=5 DURATION=10s bash bench/serve_ab.sh A B C
#   WRK_POLICY=other bash bench/serve_ab.sh A B     # wrk under the default policy
#   ENDPOINT=batch bash bench/serve_ab.sh A B       # POST /predict/batch, 100 movies, c=16
#
# With ENDPOINT=batch the builds answer bench/serve.sh's 100-movie batch at c=16 with wrk
# under the default policy (the batch latency target's setting), and the hello-world run
# of each round at the same concurrency.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bash bench/serve_ab.sh BINARY [BINARY ...]" >&2; exit 2; }
DURATION="${DURATION:-8s}"
ROUNDS="${ROUNDS:-3}"
ENDPOINT="${ENDPOINT:-movie}"
case "$ENDPOINT" in
  movie) path=/predict/movie; conc=64; policy=batch ;;
  batch) path=/predict/batch; conc=16; policy=other ;;
  *) echo "unknown ENDPOINT '$ENDPOINT' (use movie or batch)" >&2; exit 2 ;;
esac
# wrk's scheduling policy, batch (the default for movie, as in bench/serve.sh) or other.
WRK_POLICY="${WRK_POLICY:-$policy}"
# shellcheck source=bench/serve/common.sh
source bench/serve/common.sh
cargo build --release --quiet -p reelcast-server --example hello
bins=()
for b in "$@"; do bins+=("$(realpath "$b")"); done

"${bins[0]}" --log-level warn train --out "$work/model" >/dev/null
: > "$work/empty.lua"
cat "$work/empty.lua" bench/serve/report.lua > "$work/hello.lua"
body=bench/serve/movie.lua
if [ "$ENDPOINT" = batch ]; then
  body="$work/batch.lua"
  python3 bench/serve/batch_body.py "$body"
fi
cat "$body" bench/serve/report.lua > "$work/measured.lua"
hello_port=$(free_port)
target/release/examples/hello "127.0.0.1:$hello_port" &
pids+=($!)
wait_up "http://127.0.0.1:$hello_port/"

echo "| round | build | hello-world req/s | $ENDPOINT req/s | ratio | $ENDPOINT p99 ms | server CPU µs/req | user µs/req |"
echo "|---|---|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for bin in "${bins[@]}"; do
    port=$(free_port)
    (cd "$work" && exec "$bin" --log-level warn serve --port "$port" --model "$work/model/model.bundle") &
    pid=$!
    pids+=("$pid")
    wait_up "http://127.0.0.1:$port/health/ready"
    hello=$(wrk_as "$WRK_POLICY" -t2 -c"$conc" -d"$DURATION" -s "$work/hello.lua" "http://127.0.0.1:$hello_port/" | grep '^RESULT')
    before=$(cpu_ticks "$pid"); user_before=$(user_ticks "$pid")
    measured=$(wrk_as "$WRK_POLICY" -t2 -c"$conc" -d"$DURATION" -s "$work/measured.lua" "http://127.0.0.1:$port$path" | grep '^RESULT')
    after=$(cpu_ticks "$pid"); user_after=$(user_ticks "$pid")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    python3 - "$round" "$bin" "$hello" "$measured" $(( after - before )) $(( user_after - user_before )) <<'PY'
import re, sys
rnd, binary, hello, measured, cpu, user = sys.argv[1:7]
field = lambda text, key: float(re.search(key + r"=([\d.]+)", text).group(1))
h, m, n = field(hello, "rps"), field(measured, "rps"), field(measured, "requests")
# /proc clock ticks are 1/100 s.
print(f"| {rnd} | {binary} | {h:,.0f} | {m:,.0f} | {m / h:.0%} | {field(measured, 'p99'):.2f} "
      f"| {int(cpu) * 1e4 / n:.1f} | {int(user) * 1e4 / n:.1f} |")
PY
  done
done
