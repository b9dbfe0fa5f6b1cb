#!/usr/bin/env bash
# Reliability drills of `reelcast serve` on 127.0.0.1 and of `reelcast train --register`
# on a SQLite registry (issue 16); the figures in docs/reliability.md come from this
# script. Each drill works on a fresh registry in a temp dir, is bounded in count and
# time, and prints one line of figures; the server drills start their own server on a
# free port and stop it by PID. Exit 1 when a drill fails.
#
#   bash bench/drills.sh                 # all five drills (about 3 minutes)
#   bash bench/drills.sh idle kill       # the two CI runs
#   BIN=target/debug/reelcast IDLE_SOCKETS=1500 FLOOD_SECONDS=60 SWAP_SECONDS=60 \
#     bash bench/drills.sh flood swap
#   KILLS=60 REGISTER_PROCS=8 REGISTER_TRAINS=10 bash bench/drills.sh kill register
#
# idle   IDLE_SOCKETS (default 1500) idle and as many half-open sockets against
#        max_connections 1000 + 16 reserved, 5-second header and idle timeouts, while
#        /health/live is probed every 0.1 s
# flood  FLOOD_SECONDS (default 30) of hostile requests (bench/drills.py HOSTILE, plus
#        random bytes) over 32 keep-alive connections
# swap   SWAP_SECONDS (default 40) of /predict/movie over 16 connections while new
#        versions are trained, registered as champion and swapped in by POST /model/reload
# kill   KILLS (default 30) `kill -9` of `train --register`, in turn in data load,
#        training, artifact write and registration, plus a few trains left to finish (one
#        while `runs gc` runs); then `runs gc` and the registry checks of
#        bench/registry_drills.py (no RUNNING run, killed runs KILLED with an end time, every
#        version on a FINISHED run with a bundle that loads, no partial artifact folder,
#        integrity ok, a last train --register works)
# register  REGISTER_PROCS (default 8) processes running REGISTER_TRAINS (default 5)
#        `train --register` each at once on one registry: versions unique, contiguous, one
#        per successful train, each on a FINISHED run; aliases valid
#
# BIN is the reelcast binary (default: target/release/reelcast, built here).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
drills=("$@")
[ ${#drills[@]} -eq 0 ] && drills=(idle flood swap kill register)
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet -p reelcast-cli
  BIN=target/release/reelcast
fi
BIN=$(realpath "$BIN")
# The idle drill holds thousands of sockets; the soft open-files limit is often 1024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

tmp=$(mktemp -d)
pid=
stop_server() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  pid=
}
trap 'stop_server; rm -rf "$tmp"' EXIT

# start_server NAME [ENV=VALUE...]: serves a fresh registry; sets pid and port.
start_server() {
  local dir="$tmp/$1"
  shift
  mkdir -p "$dir"
  (cd "$dir" && exec env "$@" "$BIN" serve --port 0 \
    --tracking-uri "sqlite:///$dir/reelcast.db" >"$dir/stdout" 2>"$dir/log") &
  pid=$!
  port=
  for _ in $(seq 1200); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$dir/log" 2>/dev/null | head -1 | sed 's/.*://' || true)
    if [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; echo "server exited" >&2; return 1; }
    sleep 0.1
  done
  cat "$dir/log" >&2
  echo "server not ready within 120 s" >&2
  return 1
}

failed=0
for drill in "${drills[@]}"; do
  case "$drill" in
    idle)
      start_server idle REELCAST__SERVER__HEADER_READ_TIMEOUT_SECONDS=5 \
        REELCAST__SERVER__IDLE_TIMEOUT_SECONDS=5 REELCAST__SERVER__MAX_CONNECTIONS=1000 \
        REELCAST__SERVER__RESERVED_CONNECTIONS=16
      timeout 120 python3 bench/drills.py idle "$port" "$pid" "${IDLE_SOCKETS:-1500}" || failed=1
      ;;
    flood)
      start_server flood
      timeout 300 python3 bench/drills.py flood "$port" "${FLOOD_SECONDS:-30}" || failed=1
      ;;
    swap)
      token=drill-$RANDOM$RANDOM
      start_server swap REELCAST__SERVER__ADMIN_TOKEN="$token" REELCAST__SERVER__MODEL_POLL_SECONDS=0
      seconds=${SWAP_SECONDS:-40}
      (
        cd "$tmp/swap"
        end=$(( $(date +%s) + seconds - 5 ))
        seed=1
        while [ "$(date +%s)" -lt "$end" ]; do
          seed=$((seed + 1))
          "$BIN" train --register --alias champion --model-name movie_rating_gbt \
            --seed "$seed" --tracking-uri "sqlite:///$tmp/swap/reelcast.db" \
            --out "$tmp/swap/artifacts" >/dev/null 2>>"$tmp/swap/train.log"
        done
      ) &
      trainer=$!
      timeout $((seconds + 60)) python3 bench/drills.py swap "$port" "$token" "$seconds" || failed=1
      wait "$trainer" || { echo "training failed:" >&2; tail -5 "$tmp/swap/train.log" >&2; failed=1; }
      ;;
    kill)
      mkdir -p "$tmp/kill"
      timeout 600 python3 bench/registry_drills.py kill "$BIN" "$tmp/kill" "${KILLS:-30}" || failed=1
      continue
      ;;
    register)
      mkdir -p "$tmp/register"
      timeout 600 python3 bench/registry_drills.py register "$BIN" "$tmp/register" \
        "${REGISTER_PROCS:-8}" "${REGISTER_TRAINS:-5}" || failed=1
      continue
      ;;
    *)
      echo "unknown drill $drill (idle, flood, swap, kill, register)" >&2
      exit 2
      ;;
  esac
  if grep -q 'panicked' "$tmp/$drill/log"; then
    echo "$drill: the server panicked:" >&2
    grep -m5 'panicked' "$tmp/$drill/log" >&2
    failed=1
  fi
  stop_server
done
cd "$root"
exit "$failed"
