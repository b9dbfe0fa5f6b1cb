#!/usr/bin/env bash
# Property-based API checks with schemathesis against `reelcast serve` on 127.0.0.1
# (issue 16): every operation of the served OpenAPI document, with the checks
# not_a_server_error, status_code_conformance, content_type_conformance and
# response_schema_conformance, a bounded number of examples per operation.
#
#   bash bench/schemathesis.sh                          # builds target/debug/reelcast
#   BIN=target/release/reelcast MAX_EXAMPLES=50 bash bench/schemathesis.sh
#
# schemathesis is installed once into a venv under target/ (pip, pinned). The server
# serves a fresh registry in a temp dir (the default model trained on first start), with
# an admin token so POST /model/reload is exercised too, and is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${SCHEMATHESIS_VENV:-$PWD/target/schemathesis-venv}"
VERSION=4.32.5
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi
if [ -z "${BIN:-}" ]; then
  cargo build --quiet -p reelcast-cli
  BIN=target/debug/reelcast
fi
BIN=$(realpath "$BIN")

tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$tmp" && exec env REELCAST__SERVER__ADMIN_TOKEN=schemathesis \
  "$BIN" serve --port 0 --tracking-uri "sqlite:///$tmp/reelcast.db" >"$tmp/stdout" 2>"$tmp/log") &
pid=$!
port=
for _ in $(seq 1200); do
  port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$tmp/log" 2>/dev/null | head -1 | sed 's/.*://' || true)
  if [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then
    break
  fi
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/log" >&2; echo "server not ready" >&2; exit 1; }

status=0
timeout "${TIMEOUT_SECONDS:-170}" "$VENV/bin/schemathesis" run \
  "http://127.0.0.1:$port/openapi.json" \
  --url "http://127.0.0.1:$port" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${MAX_EXAMPLES:-20}" \
  --header "Authorization: Bearer schemathesis" \
  --seed "${SEED:-1}" \
  --no-color || status=$?
if grep -q 'panicked' "$tmp/log"; then
  echo "the server panicked:" >&2
  grep -m5 'panicked' "$tmp/log" >&2
  status=1
fi
exit "$status"
