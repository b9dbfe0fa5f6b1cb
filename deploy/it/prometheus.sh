#!/usr/bin/env bash
# Prometheus integration test: a real reelcast API, Prometheus, Alertmanager (and
# node-exporter when installed) on free 127.0.0.1 ports, with the repository's rules,
# Alertmanager routing and dashboard.
#
#   bash deploy/it/prometheus.sh [PATH/TO/reelcast]      (or REELCAST_BIN=...)
#
# 1. starts alert-sink, Alertmanager (deploy/alertmanager/alertmanager.yml with receiver
#    URLs pointed at the local sink and shorter group waits), node-exporter (textfile
#    collector, when available), `reelcast serve` in a temporary directory, and Prometheus
#    (1 s scrape and evaluation; every rule file of deploy/prometheus/rules, except that
#    the drift rule comes from a copy of data.yml with `for: 15m` shortened to 2s);
# 2. runs deploy/it/prom_it.py: traffic, metric values, drift alert end to end, every
#    dashboard query;
# 3. stops every process it started, by PID, on exit.
# Needs: prometheus, promtool, prometheus-alertmanager (Debian packages; installed here when
# missing and running as root on Debian), python3. Exit 0 only when every check passed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-${REELCAST_BIN:-}}
TIMEOUT=${IT_TIMEOUT:-300}

fail() { echo "FAIL $*" >&2; exit 1; }
[ -n "$BIN" ] || fail "usage: $0 PATH/TO/reelcast (or set REELCAST_BIN)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -x "$BIN" ] || fail "reelcast binary $BIN is not executable"

# --- tools -------------------------------------------------------------------------------
need_pkgs=()
command -v prometheus >/dev/null || need_pkgs+=(prometheus)
command -v promtool >/dev/null || need_pkgs+=(prometheus)
command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || need_pkgs+=(prometheus-alertmanager)
command -v prometheus-node-exporter >/dev/null || command -v node_exporter >/dev/null || need_pkgs+=(prometheus-node-exporter)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need_pkgs[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  fi
fi
command -v prometheus >/dev/null || fail "prometheus not found (apt-get install prometheus)"
AM_BIN=$(command -v prometheus-alertmanager || command -v alertmanager) || fail "alertmanager not found (apt-get install prometheus-alertmanager)"
NODE_BIN=$(command -v prometheus-node-exporter || command -v node_exporter || true)
PYTHON=$(command -v python3) || fail "python3 not found"

# --- workspace, ports, cleanup ---------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/reelcast-prom-it.XXXXXX")
PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ]; then
    echo "== logs (last lines) in $WORK"
    for f in "$WORK"/*.log; do echo "--- $f"; tail -n 15 "$f"; done
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r API_PORT PROM_PORT AM_PORT SINK_PORT NODE_PORT < <("$PYTHON" - <<'EOF'
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
)
API=http://127.0.0.1:$API_PORT PROM=http://127.0.0.1:$PROM_PORT
AM=http://127.0.0.1:$AM_PORT SINK=http://127.0.0.1:$SINK_PORT
echo "== workdir $WORK; api :$API_PORT prometheus :$PROM_PORT alertmanager :$AM_PORT sink :$SINK_PORT"

start() { # start NAME CMD... : background process, logged to $WORK/NAME.log
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  echo "== started $name (pid $!)"
}

# --- alert-sink + Alertmanager -------------------------------------------------------------
start alert-sink "$PYTHON" "$ROOT/deploy/alertmanager/alert_sink.py" --host 127.0.0.1 --port "$SINK_PORT"
mkdir -p "$WORK/am-secrets" "$WORK/am-data"
for f in "$ROOT"/deploy/alertmanager/secrets.default/slack_*_url; do
  sed "s#http://alert-sink:9095#$SINK#" "$f" >"$WORK/am-secrets/$(basename "$f")"
done
sed -e "s#http://alert-sink:9095#$SINK#g" \
    -e "s#/etc/alertmanager/secrets/#$WORK/am-secrets/#g" \
    -e "s#/etc/alertmanager/templates/#$ROOT/deploy/alertmanager/templates/#g" \
    -e "s#group_wait: [0-9]*s#group_wait: 1s#g" \
    "$ROOT/deploy/alertmanager/alertmanager.yml" >"$WORK/alertmanager.yml"
start alertmanager "$AM_BIN" --config.file="$WORK/alertmanager.yml" --storage.path="$WORK/am-data" \
  --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= --log.level=info

# --- a training run's textfile + node-exporter ----------------------------------------------
mkdir -p "$WORK/api" "$WORK/textfile"
TRAINING_TEXTFILE=
if "$BIN" train --help 2>/dev/null | grep -q -- '--metrics-textfile'; then
  (cd "$WORK/api" && timeout 120 "$BIN" train --metrics-textfile "$WORK/textfile/reelcast_training.prom" >"$WORK/train.log" 2>&1) \
    || fail "reelcast train --metrics-textfile failed (see $WORK/train.log)"
  TRAINING_TEXTFILE=--training-textfile
  echo "== trained; textfile: $(grep -c '^reelcast_training_' "$WORK/textfile/reelcast_training.prom") samples"
else
  echo "SKIP reelcast train --metrics-textfile: not supported by this build"
fi
NODE_FLAG= NODE_JOB=
if [ -n "$NODE_BIN" ]; then
  start node-exporter "$NODE_BIN" --web.listen-address="127.0.0.1:$NODE_PORT" \
    --collector.textfile.directory="$WORK/textfile"
  NODE_FLAG=--node-exporter
  NODE_JOB="
  - job_name: node-exporter
    static_configs: [{targets: ['127.0.0.1:$NODE_PORT']}]"
else
  echo "SKIP node-exporter: not installed; host and training panels are not checked"
fi

# --- reelcast serve ------------------------------------------------------------------------------
(
  cd "$WORK/api"
  export REELCAST__SERVER__ALERTMANAGER_URL=$AM
  export REELCAST__SERVER__PROMETHEUS_URL=$PROM
  export REELCAST__SERVER__DRIFT_REFRESH_SECONDS=1
  exec "$BIN" serve --host 127.0.0.1 --port "$API_PORT"
) >"$WORK/reelcast.log" 2>&1 &
PIDS+=($!)
echo "== started reelcast serve (pid $!)"

# --- Prometheus ------------------------------------------------------------------------------------
grep -q '        for: 15m' "$ROOT/deploy/prometheus/rules/data.yml" || fail "drift rule no longer has 'for: 15m'; update $0"
sed 's/^        for: 15m$/        for: 2s/' "$ROOT/deploy/prometheus/rules/data.yml" >"$WORK/it-data.yml"
RULES=""
for f in "$ROOT"/deploy/prometheus/rules/*.yml; do
  [ "$(basename "$f")" = data.yml ] && continue
  RULES="$RULES
  - $f"
done
cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:$RULES
  - $WORK/it-data.yml
alerting:
  alertmanagers:
    - static_configs: [{targets: ['127.0.0.1:$AM_PORT']}]
scrape_configs:
  - job_name: reelcast
    static_configs: [{targets: ['127.0.0.1:$API_PORT']}]
  - job_name: prometheus
    static_configs: [{targets: ['127.0.0.1:$PROM_PORT']}]
  - job_name: alertmanager
    static_configs: [{targets: ['127.0.0.1:$AM_PORT']}]$NODE_JOB
EOF
promtool check config "$WORK/prometheus.yml" >"$WORK/promtool.log" 2>&1 || fail "promtool check config of the test config (see $WORK/promtool.log)"
start prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom-data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn

# --- assertions ----------------------------------------------------------------------------------
echo "== checks"
rc=0
timeout "$TIMEOUT" "$PYTHON" "$ROOT/deploy/it/prom_it.py" \
  --api "$API" --prometheus "$PROM" --alertmanager "$AM" --sink "$SINK" \
  --dashboard-checker "$ROOT/deploy/grafana/check_dashboard.py" --bin "$BIN" --repo "$ROOT" \
  $NODE_FLAG $TRAINING_TEXTFILE || rc=$?

# The exposition itself, after all that traffic (predictions, feedback, drift, reloads).
"$PYTHON" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1] + "/metrics", timeout=10).read().decode())' \
  "$API" >"$WORK/metrics.txt" || { echo "FAIL GET $API/metrics"; rc=1; }
if promtool check metrics <"$WORK/metrics.txt" >"$WORK/check-metrics.log" 2>&1; then
  echo "PASS promtool check metrics on reelcast's /metrics ($(grep -vc '^#' "$WORK/metrics.txt") samples)"
else
  echo "FAIL promtool check metrics on reelcast's /metrics:"; cat "$WORK/check-metrics.log"; rc=1
fi

# --- the image's way of serving, without Docker ------------------------------------------------------
# deploy/docker/Dockerfile runs `serve --model /app/artifacts/model.bundle` as uid 65532 with
# a read-only /app. Do the same here: an unprivileged user, a working directory it cannot
# write, the bundle trained above; the server must become ready and predict.
echo "== image-like serve (non-root, read-only working directory, baked bundle)"
BUNDLE=$(find "$WORK/api" -name "*.bundle" -type f 2>/dev/null | head -n 1)
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
  echo "SKIP image-like serve: needs root and setpriv to switch to an unprivileged user"
elif [ ! -s "$BUNDLE" ]; then
  echo "FAIL image-like serve: no model bundle under $WORK/api"; rc=1
else
  mkdir -p "$WORK/image/app/artifacts" && cp "$BUNDLE" "$WORK/image/app/artifacts/"
  chmod -R a+rX,go-w "$WORK/image" && chmod a+x "$WORK"
  IMG_PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$WORK/image/app" && exec env -i PATH=/usr/bin:/bin HOME=/nonexistent REELCAST__SERVER__HOST=127.0.0.1 \
    setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$BIN" --log-format json serve --port "$IMG_PORT" --model "$WORK/image/app/artifacts/model.bundle") \
    >"$WORK/image-serve.log" 2>&1 &
  PIDS+=($!)
  ok=
  for _ in $(seq 60); do
    if "$BIN" healthcheck --url "http://127.0.0.1:$IMG_PORT" >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.5
  done
  if [ -n "$ok" ] && "$PYTHON" "$ROOT/deploy/it/predict_once.py" "http://127.0.0.1:$IMG_PORT"; then
    echo "PASS image-like serve: ready as uid 65534 from a read-only directory, and predicts"
  else
    echo "FAIL image-like serve (see $WORK/image-serve.log)"; rc=1
  fi
fi
if [ "$rc" -eq 0 ]; then echo "deploy/it/prometheus.sh: PASS"; else echo "deploy/it/prometheus.sh: FAIL"; fi
exit "$rc"
