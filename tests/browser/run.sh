#!/usr/bin/env bash
# Browser test of reelcast's page (issue 17): Debian's Chromium, driven by playwright-core,
# against a real `reelcast serve`.
#
#   bash tests/browser/run.sh [PATH/TO/reelcast]      (default target/debug/reelcast)
#
# 1. installs the pinned playwright-core (`npm ci`, from package-lock.json);
# 2. starts `reelcast serve` on a free 127.0.0.1 port in a temporary working directory
#    (its own registry, trained on the embedded sample at first start) and waits until it
#    is ready;
# 3. runs ui.test.mjs, which writes screenshots to target/ui-screenshots/;
# 4. stops the server by PID on exit.
# Needs: node and npm, /usr/bin/chromium (apt-get install chromium; CHROMIUM=... for another).
# Exit 0 only when every check passed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$ROOT/target/debug/reelcast}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
READY_TIMEOUT=${READY_TIMEOUT:-180}

fail() { echo "FAIL $*" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -x "$BIN" ] || fail "reelcast binary $BIN is not executable (cargo build -p reelcast-cli)"
[ -x "$CHROMIUM" ] || fail "$CHROMIUM not found (apt-get install chromium, or set CHROMIUM)"
command -v node >/dev/null || fail "node not found"

echo "== npm ci (playwright-core)"
(cd "$ROOT/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/reelcast-ui-test.XXXXXX")
SERVER_PID=""
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ]; then
    echo "== server log (last lines), kept in $WORK"
    tail -n 30 "$WORK/reelcast.log" 2>/dev/null || true
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port: bound by node, released, then given to the server.
PORT=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
URL=http://127.0.0.1:$PORT

(
  cd "$WORK"
  # The default registry (./reelcast.db) and artifacts go into the temporary directory.
  export REELCAST__SERVER__MODEL_POLL_SECONDS=0
  exec "$BIN" serve --host 127.0.0.1 --port "$PORT"
) >"$WORK/reelcast.log" 2>&1 &
SERVER_PID=$!
echo "== started reelcast serve (pid $SERVER_PID) on $URL in $WORK"

deadline=$(( $(date +%s) + READY_TIMEOUT ))
until "$BIN" healthcheck --url "$URL" >/dev/null 2>&1; do
  kill -0 "$SERVER_PID" 2>/dev/null || fail "reelcast serve exited before it was ready"
  [ "$(date +%s)" -lt "$deadline" ] || fail "reelcast serve not ready after ${READY_TIMEOUT}s"
  sleep 0.5
done
echo "== ready"

mkdir -p "$ROOT/target/ui-screenshots"
BASE_URL=$URL CHROMIUM=$CHROMIUM SCREENSHOT_DIR=$ROOT/target/ui-screenshots \
  node "$ROOT/tests/browser/ui.test.mjs"
