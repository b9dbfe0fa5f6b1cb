#!/usr/bin/env python3
"""Validate the structure of reelcast's Grafana dashboards and list their PromQL.

    check_dashboard.py [DASHBOARD.json ...]           validate (default: every dashboard
                                                      in deploy/grafana/dashboards)
    check_dashboard.py --exprs [DASHBOARD.json ...]   print every PromQL expression as one
                                                      JSON object per line:
                                                      {"panel": ..., "refId": ..., "expr": ...}
                                                      with Grafana's $__ variables replaced
                                                      by durations Prometheus accepts

Checks: valid JSON with uid, title and schemaVersion; at least 10 panels that are not rows;
unique panel ids; every panel has a type, title, gridPos inside the 24-column grid, and
targets with a refId and a non-empty expr; every datasource uid is provisioned in
deploy/grafana/provisioning/datasources; the topics the dashboard must show are all
queried (request rate, error ratio, latency, predictions by model version, rating
distribution, drift, live vs training RMSE, model version and alias, memory, CPU, alerts).
Exit 0 when valid, 1 otherwise. Python standard library only.
"""

import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MIN_PANELS = 10
# Grafana's built-in interval variables, replaced for querying Prometheus directly.
GRAFANA_VARS = {
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$__range": "1h",
}
# topic -> a regex that some expression must match
REQUIRED_TOPICS = {
    "request rate by route": r"job_route:http_requests:rate5m",
    "error ratio": r"5xx:ratio",
    "latency p50": r"p50",
    "latency p95": r"p95",
    "latency p99": r"p99",
    "predictions by model version": r"job_model_version:reelcast_predictions",
    "predicted rating distribution": r"reelcast_predicted_rating_bucket",
    "feature drift PSI": r"reelcast_feature_drift_psi",
    "live RMSE": r"reelcast_live_rmse",
    "training RMSE": r"reelcast_model_training_rmse",
    "model version and alias": r"reelcast_model_info",
    "memory": r"process_resident_memory_bytes",
    "CPU": r"process_cpu_seconds_total",
    "firing alerts": r"ALERTS\{",
}


def provisioned_datasource_uids():
    """uids declared in the provisioning files (a plain `uid: x` line scan; no YAML lib)."""
    uids = set()
    for path in glob.glob(os.path.join(HERE, "provisioning", "datasources", "*.y*ml")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"\s*uid:\s*['\"]?([\w-]+)", line)
                if m:
                    uids.add(m.group(1))
    return uids


def leaf_panels(panels):
    for p in panels:
        if p.get("type") == "row":
            yield from leaf_panels(p.get("panels", []))
        else:
            yield p


def substitute(expr):
    for var, value in GRAFANA_VARS.items():
        expr = expr.replace(var, value)
    return expr


def check(path, uids):
    errors = []
    try:
        with open(path, encoding="utf-8") as f:
            dash = json.load(f)
    except (OSError, ValueError) as e:
        return ["{}: not valid JSON: {}".format(path, e)], []
    for key in ("uid", "title", "schemaVersion", "panels"):
        if key not in dash:
            errors.append("missing top-level key {!r}".format(key))
    all_panels = list(dash.get("panels", []))
    ids = [p.get("id") for p in all_panels] + [
        c.get("id") for p in all_panels if p.get("type") == "row" for c in p.get("panels", [])
    ]
    dupes = sorted({i for i in ids if ids.count(i) > 1}, key=str)
    if dupes:
        errors.append("duplicate panel ids: {}".format(dupes))
    panels = list(leaf_panels(all_panels))
    if len(panels) < MIN_PANELS:
        errors.append("{} panels, at least {} required".format(len(panels), MIN_PANELS))
    exprs = []
    for p in panels:
        name = "panel {} {!r}".format(p.get("id"), p.get("title"))
        if not p.get("type") or not p.get("title"):
            errors.append("{}: needs a type and a title".format(name))
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in ("h", "w", "x", "y")):
            errors.append("{}: gridPos needs integer h, w, x, y".format(name))
        elif g["x"] + g["w"] > 24:
            errors.append("{}: gridPos exceeds the 24-column grid".format(name))
        targets = p.get("targets") or []
        if not targets:
            errors.append("{}: has no targets".format(name))
        for ds in [p.get("datasource")] + [t.get("datasource") for t in targets]:
            if isinstance(ds, dict) and ds.get("uid") not in uids:
                errors.append("{}: datasource uid {!r} is not provisioned".format(name, ds.get("uid")))
        refids = [t.get("refId") for t in targets]
        if len(set(refids)) != len(refids) or None in refids:
            errors.append("{}: refIds must be present and unique".format(name))
        for t in targets:
            expr = (t.get("expr") or "").strip()
            if not expr:
                errors.append("{} target {}: empty expr".format(name, t.get("refId")))
                continue
            if expr.count("(") != expr.count(")") or expr.count("{") != expr.count("}"):
                errors.append("{} target {}: unbalanced brackets".format(name, t.get("refId")))
            exprs.append({"dashboard": dash.get("uid"), "panel": p.get("title"),
                          "refId": t.get("refId"), "expr": substitute(expr)})
    for topic, pattern in REQUIRED_TOPICS.items():
        if not any(re.search(pattern, e["expr"]) for e in exprs):
            errors.append("no panel shows {} (no expr matches {!r})".format(topic, pattern))
    return ["{}: {}".format(os.path.basename(path), e) for e in errors], exprs


def main(argv):
    want_exprs = "--exprs" in argv
    paths = [a for a in argv if a != "--exprs"] or sorted(
        glob.glob(os.path.join(HERE, "dashboards", "*.json")))
    if not paths:
        print("no dashboards found", file=sys.stderr)
        return 1
    uids = provisioned_datasource_uids()
    failed = False
    for path in paths:
        errors, exprs = check(path, uids)
        if want_exprs:
            for e in exprs:
                print(json.dumps(e))
        for e in errors:
            print("FAIL " + e, file=sys.stderr)
        if errors:
            failed = True
        elif not want_exprs:
            panels = len({e["panel"] for e in exprs})
            print("PASS {}: {} panels, {} queries".format(os.path.basename(path), panels, len(exprs)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
