#!/usr/bin/env bash
# Integration tests against a real MLflow tracking server.
#
# Creates (or reuses) a venv with a pinned MLflow, starts `mlflow server` on a free local
# port with a SQLite backend store and a local artifact directory (served through the
# server's artifact proxy), waits for /health, then runs:
#   cargo test -p reelcast-registry --test mlflow -- --include-ignored
#       (every Backend method + MLflow's client)
#   cargo test -p reelcast-cli --test integration mlflow -- --include-ignored
#       (train --register, serve from the registry)
# with REELCAST_TEST_MLFLOW_URI and REELCAST_TEST_MLFLOW_PYTHON set. The tests that need the
# server are #[ignore = "needs a running MLflow: see scripts/mlflow-it.sh"], so a plain
# `cargo test --workspace` (the README's) lists them as ignored instead of passing them. The server (a process
# group: mlflow spawns uvicorn/gunicorn workers) is stopped on exit. Exits non-zero on any
# failure.
#
# With arguments, runs them instead of the two test sets, with the server up and the same
# variables set; .ci/run uses this to run the README's test command, ignored tests
# included, against the server:
#   bash scripts/mlflow-it.sh cargo test --workspace --locked -- --include-ignored
#
# Environment:
#   MLFLOW_VENV        venv directory (default /tmp/mlflow-venv; reused when it has the pin)
#   MLFLOW_IT_PYTHON   interpreter that creates the venv (default python3)
#   MLFLOW_IT_KEEP     1 = keep the server's temporary directory (store, artifacts, log)
#   MLFLOW_IT_ONLY     registry | cli   run only one of the two test sets;
#                      setup   only install, start and stop the server (checks the setup)
set -euo pipefail
cd "$(dirname "$0")/.."

# MLflow 3.5.1: aliases, the artifact proxy (on by default) and REST API 2.0; SQLAlchemy is
# pinned too because MLflow 3.5.1 does not bound it and SQLAlchemy 2.1 breaks its SQL store.
MLFLOW_PIN="mlflow==3.5.1"
EXTRA_PINS=("sqlalchemy==2.0.58")
VENV="${MLFLOW_VENV:-/tmp/mlflow-venv}"
PYTHON="${MLFLOW_IT_PYTHON:-python3}"
HEALTH_TIMEOUT=120

log() { printf '== mlflow-it: %s\n' "$*" >&2; }
now() { date +%s; }

# 1. The venv.
started=$(now)
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" - "$MLFLOW_PIN" "${EXTRA_PINS[@]}" 2>/dev/null <<'EOF'
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    if version(name) != want:
        sys.exit(1)
EOF
then
    log "reusing $VENV ($MLFLOW_PIN)"
else
    log "creating $VENV and installing $MLFLOW_PIN ${EXTRA_PINS[*]} (about 1-2 min, ~800 MB)"
    if ! "$PYTHON" -m venv "$VENV"; then
        # Debian without python3-venv (no ensurepip): virtualenv from PyPI instead.
        log "$PYTHON -m venv failed; using virtualenv"
        rm -rf "$VENV"
        "$PYTHON" -m pip install --quiet --disable-pip-version-check --user --break-system-packages virtualenv \
            || "$PYTHON" -m pip install --quiet --disable-pip-version-check --user virtualenv
        "$PYTHON" -m virtualenv --quiet "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$MLFLOW_PIN" "${EXTRA_PINS[@]}"
    log "installed in $(( $(now) - started )) s"
fi
"$VENV/bin/mlflow" --version >&2

# 2. The server, in its own process group, on a free port.
WORK="$(mktemp -d /tmp/reelcast-mlflow-it.XXXXXX)"
mkdir -p "$WORK/artifacts"
SERVER_PID=""
cleanup() {
    local status=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "stopping the MLflow server (process group $SERVER_PID)"
        kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 -- "-$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $status -ne 0 && -f "$WORK/server.log" ]]; then
        log "server log (last 40 lines):"
        tail -n 40 "$WORK/server.log" >&2 || true
    fi
    if [[ "${MLFLOW_IT_KEEP:-0}" == 1 ]]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
URI="http://127.0.0.1:$PORT"
log "starting mlflow server on $URI (store and artifacts in $WORK)"
started=$(now)
setsid "$VENV/bin/mlflow" server \
    --host 127.0.0.1 --port "$PORT" --workers 2 \
    --backend-store-uri "sqlite:///$WORK/mlflow.db" \
    --artifacts-destination "$WORK/artifacts" \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

until "$VENV/bin/python" - "$URI/health" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        log "the MLflow server exited before answering /health"
        exit 1
    fi
    if (( $(now) - started > HEALTH_TIMEOUT )); then
        log "the MLflow server did not answer $URI/health within $HEALTH_TIMEOUT s"
        exit 1
    fi
    sleep 1
done
log "server ready in $(( $(now) - started )) s"

# 3. The tests.
export REELCAST_TEST_MLFLOW_URI="$URI"
export REELCAST_TEST_MLFLOW_PYTHON="$VENV/bin/python"
if [[ $# -gt 0 ]]; then
    log "running with the server up: $*"
    "$@"
    log "passed: $*"
    exit 0
fi
only="${MLFLOW_IT_ONLY:-}"
case "$only" in
    "" | registry | cli) ;;
    setup) log "MLFLOW_IT_ONLY=setup: the server works, no tests run"; exit 0 ;;
    *) log "MLFLOW_IT_ONLY=$only is not registry, cli or setup"; exit 2 ;;
esac
if [[ -z "$only" || "$only" == registry ]]; then
    log "cargo test -p reelcast-registry --test mlflow"
    cargo test -p reelcast-registry --test mlflow -- --include-ignored --nocapture
fi
if [[ -z "$only" || "$only" == cli ]]; then
    log "cargo test -p reelcast-cli --test integration mlflow"
    cargo test -p reelcast-cli --test integration mlflow -- --include-ignored --nocapture
fi
log "all MLflow integration tests passed"
