#!/usr/bin/env bash
# HTTP throughput and latency of `reelcast serve`, against an axum hello-world (the
# ceiling) and a FastAPI + scikit-learn service doing the same job (the Python stack the
# project replaces, bench/serve/fastapi_app.py), on the same machine in the same run,
# with wrk from Debian.
#
#   bash bench/serve.sh             # 30-second runs (about 11 minutes in all)
#   DURATION=10s PAIRS64=3 bash bench/serve.sh
#
# Runs, with wrk under the default scheduling policy: hello-world GET / and
# POST /predict/movie at concurrency 1, 16 and 64; the FastAPI peer's POST /predict/movie
# at 64 (uvicorn with 2 workers, one per core); and POST /predict/batch with 100 movies at
# 1, 16 and 64. Then PAIRS64 (default 5) more hello-world / movie pairs at 64 with wrk
# under SCHED_BATCH, for the throughput ratio.
#
# Why two policies: wrk shares the server's two cores. Under the default policy, each
# response wakes a wrk thread that preempts the server's worker mid-request, a cost a
# remote client does not impose and that grows with the work per request (every row counts
# the server's preemptions per request). Under SCHED_BATCH (`wrk_as` in
# bench/serve/common.sh) wrk no longer preempts, but waits for the CPU, up to a time
# slice, before it sees a response, which inflates the latencies it reports. So the
# throughput ratio is judged with SCHED_BATCH and the latency targets with the default
# policy (the movie p99 with both); the table shows every run.
#
# Prints a markdown table (also written to bench/out/serve.md) with the server process's
# CPU time per request (user + system, from /proc; less noisy than requests/s when wrk
# shares the cores), preemptions per request and, for reelcast, the p99 of its own
# request-duration histogram (what the server spends on a request, without the time the
# request and its answer wait for a core shared with wrk), then the targets with the c=64 ratio as
# the median of the pairs, and the server's peak resident memory (VmHWM).
# Targets: /predict/movie p99 <= 5 ms at c=64, >= 100x the FastAPI peer's requests/s and
# >= 50% of hello-world's at c=64; /predict/batch (100) p99 <= 10 ms at c=16; server RSS
# <= 64 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-30s}"
THREADS="${THREADS:-2}"
PAIRS64="${PAIRS64:-5}"
# shellcheck source=bench/serve/common.sh
source bench/serve/common.sh
cargo build --release --quiet -p reelcast-cli
cargo build --release --quiet -p reelcast-server --example hello
py=$(bash bench/venv.sh)
bin=target/release/reelcast
hello=target/release/examples/hello
mkdir -p bench/out

# The default model, trained on the embedded sample, served from its bundle file.
"$bin" --log-level warn train --out "$work/model" >/dev/null
api_port=$(free_port)
(cd "$work" && exec "$OLDPWD/$bin" --log-level warn serve --port "$api_port" --model "$work/model/model.bundle") &
pids+=($!)
api_pid=$!
hello_port=$(free_port)
"$hello" "127.0.0.1:$hello_port" &
pids+=($!)
hello_pid=$!
fastapi_port=$(free_port)
"$(dirname "$py")/uvicorn" --app-dir bench/serve fastapi_app:app --host 127.0.0.1 \
  --port "$fastapi_port" --workers 2 --log-level warning &
pids+=($!)
fastapi_pid=$!
wait_up "http://127.0.0.1:$api_port/health/ready"
wait_up "http://127.0.0.1:$hello_port/"
for _ in $(seq 1 600); do
  curl -sf -o /dev/null -X POST -H 'content-type: application/json' \
    -d '{"startYear":1921,"runtimeMinutes":68,"numVotes":40584}' \
    "http://127.0.0.1:$fastapi_port/predict/movie" && break
  sleep 0.1
done

# 100 real films from the embedded sample as one batch body.
python3 bench/serve/batch_body.py "$work/batch.lua"

# reelcast's own http_request_duration_seconds buckets for ROUTE: "le count" lines.
server_buckets() { # route
  curl -sf "http://127.0.0.1:$api_port/metrics" | awk -v route="route=\"$1\"" '
    index($0, "http_request_duration_seconds_bucket{") == 1 && index($0, route) {
      match($0, /le="[^"]+"/); print substr($0, RSTART + 4, RLENGTH - 5), $NF }'
}
# The upper bound, in ms, of the bucket holding the 99th percentile of the requests
# counted between two server_buckets snapshots: the server's own latency, from the
# request's arrival at the router to its answer, without the client's wait for a core.
server_p99() { # before-file after-file (the first is empty before a route's first request)
  awk 'FILENAME == ARGV[1] { before[$1] = $2; next }
    { le[++k] = $1; n[k] = $2 - before[$1] }
    END { for (i = 1; i <= k; i++) if (n[i] >= 0.99 * n[k]) {
      print (le[i] == "+Inf" ? "inf" : le[i] * 1000); exit } print "nan" }' "$1" "$2"
}

run() { # name url script concurrency server-pid policy round [reelcast route]
  local name=$1 url=$2 script=$3 c=$4 pid=$5 policy=$6 round=$7 route=${8:-}
  local t=$(( $4 < THREADS ? $4 : THREADS )) line before after pre0 pre1 p99=nan
  cat "$script" bench/serve/report.lua > "$work/run.lua"
  [ -n "$route" ] && server_buckets "$route" > "$work/buckets0"
  before=$(cpu_ticks "$pid"); pre0=$(preemptions "$pid")
  line=$(wrk_as "$policy" -t"$t" -c"$c" -d"$DURATION" -s "$work/run.lua" "$url" | grep '^RESULT')
  after=$(cpu_ticks "$pid"); pre1=$(preemptions "$pid")
  if [ -n "$route" ]; then
    server_buckets "$route" > "$work/buckets1"
    p99=$(server_p99 "$work/buckets0" "$work/buckets1")
  fi
  echo "$name $c $policy $round $line cpu_ticks=$(( after - before )) preempted=$(( pre1 - pre0 )) server_p99=$p99"
}
: > "$work/empty.lua"
results="$work/results"
{
  # Each movie run right after the hello-world run it is compared with: the machine's
  # speed drifts over minutes, and adjacent runs see the same machine.
  for c in 1 16 64; do
    run hello "http://127.0.0.1:$hello_port/" "$work/empty.lua" "$c" "$hello_pid" other 1
    run movie "http://127.0.0.1:$api_port/predict/movie" bench/serve/movie.lua "$c" "$api_pid" other 1 /predict/movie
  done
  # uvicorn's workers are children of $fastapi_pid: their CPU time is not counted.
  run fastapi "http://127.0.0.1:$fastapi_port/predict/movie" bench/serve/movie.lua 64 "$fastapi_pid" other 1
  for c in 1 16 64; do
    run batch100 "http://127.0.0.1:$api_port/predict/batch" "$work/batch.lua" "$c" "$api_pid" other 1 /predict/batch
  done
  # The throughput ratio at c=64 with wrk under SCHED_BATCH, over PAIRS64 pairs (it moves
  # by several points between pairs on a shared machine; the target takes their median).
  for round in $(seq 1 "$PAIRS64"); do
    run hello "http://127.0.0.1:$hello_port/" "$work/empty.lua" 64 "$hello_pid" batch "$round"
    run movie "http://127.0.0.1:$api_port/predict/movie" bench/serve/movie.lua 64 "$api_pid" batch "$round" /predict/movie
  done
} | tee "$results"
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$api_pid/status")
python3 - "$results" "$rss_kb" "$DURATION" <<'PY' | tee bench/out/serve.md
import statistics, sys
parsed = []
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    name, c, policy, rnd, _, *kv = line.split()
    m = {k: float(v) for k, v in (x.split("=") for x in kv)}
    parsed.append((name, int(c), policy, int(rnd), m))
# The hello-world run each row is compared with: same concurrency, policy and round.
hello = {(c, p, r): m["rps"] for n, c, p, r, m in parsed if n == "hello"}
names = {"hello": "axum hello-world `GET /`", "fastapi": "FastAPI + scikit-learn `POST /predict/movie`", "movie": "`POST /predict/movie`", "batch100": "`POST /predict/batch` (100 movies)"}
print("| endpoint | c | wrk policy | requests/s | vs hello-world | p50 ms | p99 ms | server's own p99 ms | server CPU µs/request | server preemptions/request | errors |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for n, c, p, r, m in parsed:
    base = hello.get((c, p, r))
    ratio = f"{m['rps'] / base:.0%}" if n not in ("hello", "fastapi") and base else ""
    # /proc clock ticks are 1/100 s.
    cpu = f"{m['cpu_ticks'] * 1e4 / m['requests']:.1f}" if m["requests"] and n != "fastapi" else ""
    pre = f"{m['preempted'] / m['requests']:.2f}" if m["requests"] and n != "fastapi" else ""
    # The histogram bucket holding it: at most this.
    own = f"<= {m['server_p99']:g}" if m["server_p99"] == m["server_p99"] else ""
    print(f"| {names[n]} | {c} | {p} | {m['rps']:,.0f} | {ratio} | {m['p50']:.2f} | {m['p99']:.2f} | {own} | {cpu} | {pre} | {int(m['errors'])} |")
print()
movie64 = [m["rps"] / hello[(64, "batch", r)] for n, c, p, r, m in parsed if (n, c, p) == ("movie", 64, "batch")]
other64 = [m["rps"] / hello[(64, "other", r)] for n, c, p, r, m in parsed if (n, c, p) == ("movie", 64, "other")]
p99_64 = [m["p99"] for n, c, p, r, m in parsed if (n, c) == ("movie", 64)]
batch16 = [m["p99"] for n, c, p, r, m in parsed if (n, c, p) == ("batch100", 16, "other")]
rss = int(sys.argv[2]) / 1024
ratio = statistics.median(movie64)
movie_other = [m["rps"] for n, c, p, r, m in parsed if (n, c, p) == ("movie", 64, "other")][0]
fastapi = [m["rps"] for n, c, p, r, m in parsed if n == "fastapi"][0]
print("| target | measured | |")
print("|---|---|---|")
print(f"| `/predict/movie` >= 100x the FastAPI + scikit-learn peer's requests/s at c=64 (default policy) | {movie_other / fastapi:.0f}x ({movie_other:,.0f} against {fastapi:,.0f}) | {'met' if movie_other >= 100 * fastapi else 'missed'} |")
print(f"| `/predict/movie` >= 50% of hello-world's requests/s at c=64 (wrk SCHED_BATCH, median of {len(movie64)} pairs) | {ratio:.0%} ({', '.join(f'{x:.0%}' for x in movie64)}; {', '.join(f'{x:.0%}' for x in other64)} with wrk under the default policy) | {'met' if ratio >= 0.50 else 'missed'} |")
print(f"| `/predict/movie` p99 <= 5 ms at c=64 (the highest of {len(p99_64)} runs, both policies) | {max(p99_64):.2f} ms | {'met' if max(p99_64) <= 5 else 'missed'} |")
print(f"| `/predict/batch` (100) p99 <= 10 ms at c=16 (default policy) | {batch16[0]:.2f} ms | {'met' if batch16[0] <= 10 else 'missed'} |")
print(f"| server RSS <= 64 MB | {rss:.1f} MB peak (VmHWM) | {'met' if rss <= 64 else 'missed'} |")
print()
print(f"Runs of {sys.argv[3]} each, wrk -t2 (-t1 at c=1).")
PY
