# Shared by bench/serve.sh and bench/serve_ab.sh (sourced, from the repository root):
# wrk, a scratch directory and the servers started into `pids`, both cleaned up on exit,
# and helpers for ports, readiness, CPU time, preemptions and wrk's scheduling policy.
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
# wrk under a scheduling policy: `batch` (SCHED_BATCH, `chrt --batch 0`) or `other` (the
# default). wrk shares the server's two cores. Under the default policy each response's
# wake-up of a wrk thread preempts the server's worker mid-request (a client on another
# machine never does this), a cost that grows with the server's work per request. Under
# SCHED_BATCH a woken wrk thread waits for the worker to block or for its time slice to
# end instead, so the latencies wrk reports include that wait. Lowering its own priority
# needs no privileges.
wrk_as() {
  local policy=$1
  shift
  case "$policy" in
    batch) chrt --batch 0 wrk "$@" ;;
    other) wrk "$@" ;;
    *) echo "unknown wrk policy '$policy' (use batch or other)" >&2; exit 2 ;;
  esac
}
# Times the process's threads have been preempted so far (involuntary context switches).
preemptions() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^nonvoluntary_ctxt_switches/ {s += $2} END {print s + 0}'; }
