# Shared by bench/serve.sh and bench/serve_ab.sh (sourced, from the repository root):
# wrk, a scratch directory and the servers started into `pids`, both cleaned up on exit,
# and helpers for ports, readiness and CPU time.
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
# CPU time (user + system) a process has used so far, in clock ticks (1/100 s).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# User CPU time alone, in clock ticks.
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }
