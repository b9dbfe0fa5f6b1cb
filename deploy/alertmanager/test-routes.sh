#!/usr/bin/env bash
# Asserts where each kind of alert is routed by deploy/alertmanager/alertmanager.yml,
# with `amtool config routes test --verify.receivers` (exit 1 on the first mismatch).
# Usage: bash deploy/alertmanager/test-routes.sh [amtool]
set -euo pipefail
cd "$(dirname "$0")"
AMTOOL=${1:-amtool}
CONFIG=alertmanager.yml
pass=0 fail=0

# expect RECEIVERS LABEL=VALUE...   (RECEIVERS: comma-separated, in routing order)
expect() {
  local want=$1
  shift
  if out=$("$AMTOOL" config routes test --config.file="$CONFIG" --verify.receivers="$want" "$@" 2>&1); then
    echo "PASS route $* -> $want"
    pass=$((pass + 1))
  else
    echo "FAIL route $* -> want $want, got: $out"
    fail=$((fail + 1))
  fi
}

# Critical alerts page on-call and also reach the owning team.
expect oncall,team-api      alertname=ReelcastApiDown severity=critical component=api job=reelcast
expect oncall,team-api      alertname=ReelcastHighErrorRatio severity=critical component=api job=reelcast
expect oncall,team-ml       alertname=ReelcastModelNotLoaded severity=critical component=model job=reelcast
expect oncall,team-platform alertname=HostDiskSpaceLow severity=critical component=infra
# Warnings go to the owning team only.
expect team-api             alertname=ReelcastHighLatencyP95 severity=warning component=api job=reelcast
expect team-ml              alertname=ReelcastLiveRmseDegraded severity=warning component=model job=reelcast
expect team-ml              alertname=ReelcastFeatureDrift severity=warning component=data job=reelcast feature=startYear
expect team-ml              alertname=ReelcastTrainingRunFailed severity=warning component=model
expect team-platform        alertname=HostDiskSpaceLow severity=warning component=infra
expect team-platform        alertname=ScrapeTargetDown severity=warning component=infra job=mlflow
# Informational alerts never page, whatever their component.
expect default              alertname=ReelcastStaleChampion severity=info component=model job=reelcast
# Anything unlabelled falls back to the default webhook.
expect default              alertname=SomethingElse
expect default              alertname=SomethingElse severity=warning

echo "routes: ${pass} passed, ${fail} failed"
[ "$fail" -eq 0 ]
