#!/usr/bin/env bash
# HTTP throughput and latency of `reelcast serve`, against an axum hello-world on the
# same machine in the same run (the ceiling), with wrk from Debian.
#
#   bash bench/serve.sh             # 30-second runs (about 7 minutes in all)
#   DURATION=10s bash bench/serve.sh
#
# Runs: hello-world GET / and POST /predict/movie at concurrency 1, 16 and 64, and
# POST /predict/batch with 100 movies at 1, 16 and 64; also, at 64, the hello-world
# example's POST /sized with the movie request (the same sizes in and out, no work).
# Prints a markdown table (also written to bench/out/serve.md) with the server process's
# CPU time per request (user + system, from /proc; less noisy than requests/s when wrk
# shares the cores), and the server's peak resident memory (VmHWM).
# Targets: /predict/movie >= 70% of hello-world's requests/s at c=64 with p99 <= 5 ms;
# /predict/batch (100) p99 <= 10 ms at c=16; server RSS <= 64 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-30s}"
THREADS="${THREADS:-2}"
# shellcheck source=bench/serve/common.sh
source bench/serve/common.sh
cargo build --release --quiet -p reelcast-cli
cargo build --release --quiet -p reelcast-server --example hello
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
wait_up "http://127.0.0.1:$api_port/health/ready"
wait_up "http://127.0.0.1:$hello_port/"

# 100 real films from the embedded sample as one batch body.
python3 - "$work/batch.lua" <<'PY'
import csv, gzip, json, sys, pathlib
votes = {}
with gzip.open("data/sample/title.ratings.tsv.gz", "rt", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
        votes[r["tconst"]] = int(r["numVotes"])
rows = []
with gzip.open("data/sample/title.basics.tsv.gz", "rt", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(rows) == 100:
            break
        if r["titleType"] != "movie" or r["tconst"] not in votes:
            continue
        if "\\N" in (r["startYear"], r["runtimeMinutes"], r["genres"]):
            continue
        rows.append({"title": r["primaryTitle"], "startYear": int(r["startYear"]),
                     "runtimeMinutes": int(r["runtimeMinutes"]),
                     "numVotes": votes[r["tconst"]], "genres": r["genres"]})
assert len(rows) == 100, len(rows)
body = json.dumps({"movies": rows}, separators=(",", ":"))
pathlib.Path(sys.argv[1]).write_text(
    'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[' + body + ']==]\n')
PY

run() { # name url script concurrency server-pid
  local name=$1 url=$2 script=$3 c=$4 pid=$5 line before after t=$(( $4 < THREADS ? $4 : THREADS ))
  cat "$script" bench/serve/report.lua > "$work/run.lua"
  before=$(cpu_ticks "$pid")
  line=$(wrk -t"$t" -c"$c" -d"$DURATION" -s "$work/run.lua" "$url" | grep '^RESULT')
  after=$(cpu_ticks "$pid")
  echo "$name $c $line cpu_ticks=$(( after - before ))"
}
: > "$work/empty.lua"
results="$work/results"
{
  # Each movie run right after the hello-world run it is compared with: the machine's
  # speed drifts over minutes, and adjacent runs see the same machine.
  for c in 1 16 64; do
    run hello "http://127.0.0.1:$hello_port/" "$work/empty.lua" "$c" "$hello_pid"
    run movie "http://127.0.0.1:$api_port/predict/movie" bench/serve/movie.lua "$c" "$api_pid"
  done
  run sized "http://127.0.0.1:$hello_port/sized" bench/serve/movie.lua 64 "$hello_pid"
  for c in 1 16 64; do run batch100 "http://127.0.0.1:$api_port/predict/batch" "$work/batch.lua" "$c" "$api_pid"; done
} | tee "$results"
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$api_pid/status")
python3 - "$results" "$rss_kb" "$DURATION" <<'PY' | tee bench/out/serve.md
import sys, re
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
parsed = []
for r in rows:
    kv = dict(x.split("=") for x in r[3:])
    parsed.append((r[0], int(r[1]), {k: float(v) for k, v in kv.items()}))
order = {"hello": 0, "sized": 1, "movie": 2, "batch100": 3}
parsed.sort(key=lambda row: (order[row[0]], row[1]))
hello = {c: m["rps"] for n, c, m in parsed if n == "hello"}
names = {"hello": "axum hello-world `GET /`", "sized": "axum `POST /sized` (movie request, 1.1 KB answer, no work)", "movie": "`POST /predict/movie`", "batch100": "`POST /predict/batch` (100 movies)"}
print(f"| endpoint | c | requests/s | vs hello-world | p50 ms | p99 ms | server CPU µs/request | errors |")
print("|---|---|---|---|---|---|---|---|")
for n, c, m in parsed:
    ratio = f"{m['rps'] / hello[c]:.0%}" if n != "hello" and hello.get(c) else ""
    # /proc clock ticks are 1/100 s.
    cpu = m["cpu_ticks"] * 1e4 / m["requests"] if m["requests"] else float("nan")
    print(f"| {names[n]} | {c} | {m['rps']:,.0f} | {ratio} | {m['p50']:.2f} | {m['p99']:.2f} | {cpu:.1f} | {int(m['errors'])} |")
print()
print(f"reelcast serve peak RSS (VmHWM): {int(sys.argv[2]) / 1024:.1f} MB; runs of {sys.argv[3]} each, wrk -t2 (-t1 at c=1).")
PY
