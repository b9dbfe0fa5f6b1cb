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
# an admin token so POST /model/reload is exercised too; it and a stand-in Alertmanager
# are stopped by PID. Exit 0 when every check passes.
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
am_pid=
cleanup() {
  [ -n "$am_pid" ] && kill "$am_pid" 2>/dev/null || true
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# A stand-in Alertmanager on a free loopback port (no active alerts), so that
# GET /monitoring/alerts/active answers 200 rather than its documented 503 (not
# configured), which not_a_server_error would flag whatever the schema says.
python3 - "$tmp/am-port" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"[]" if self.path.startswith("/api/v2/alerts") else b"OK"
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(server.server_address[1]))
__import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
PY
am_pid=$!
for _ in $(seq 100); do [ -s "$tmp/am-port" ] && break; sleep 0.1; done
am_port=$(cat "$tmp/am-port")

(cd "$tmp" && exec env REELCAST__SERVER__ADMIN_TOKEN=schemathesis \
  REELCAST__SERVER__ALERTMANAGER_URL="http://127.0.0.1:$am_port" \
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
# From the temp dir: schemathesis keeps a .schemathesis/ cache in its working directory.
cd "$tmp"
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
