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
targets with a refId and a non-empty expr; the topics the dashboard must show are all
queried (request rate, error ratio, latency, predictions by model version, rating
distribution, drift, live vs training RMSE, model version and alias, memory, CPU, alerts).

Import into any Grafana (issue 18: a hard-coded datasource uid left every panel blank where
the Prometheus datasource has another uid): `__inputs` names a Prometheus datasource input
and `__requires` lists Grafana, the Prometheus datasource and every panel type used; the
templating has a `datasource` variable of type datasource (Prometheus) and `job` and
`instance` query variables; every panel, target and query variable uses the datasource
`${datasource}`; every query of a reelcast series filters by `job=~"$job"` (and raw series
by `instance=~"$instance"` too). Provisioning (compose) declares a default Prometheus
datasource, which the `datasource` variable picks.
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
    "$job": "reelcast",
    "$instance": ".*",
}
# What every panel, target and query variable must name as its datasource.
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# A reelcast series or recording rule in an expression, and whether it carries an
# instance label (recording rules aggregated by job do not).
REELCAST_SERIES = re.compile(r"\b(reelcast_[a-z_]+|process_[a-z_]+|job_instance:[a-z_:]+|job[a-z_]*:[a-z_0-9:]+)(\{[^}]*\})?")
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


def provisioning_has_default_prometheus():
    """A provisioned datasource of type prometheus with isDefault: true (a line scan of
    each `- name:` block; no YAML lib)."""
    for path in glob.glob(os.path.join(HERE, "provisioning", "datasources", "*.y*ml")):
        with open(path, encoding="utf-8") as f:
            for block in re.split(r"\n\s*- name:", f.read()):
                if re.search(r"\btype:\s*prometheus\b", block) and re.search(r"\bisDefault:\s*true\b", block):
                    return True
    return False


def check_import(dash):
    """The import-anywhere rules of the module docstring, for the dashboard as a whole."""
    errors = []
    inputs = dash.get("__inputs") or []
    if not any(i.get("type") == "datasource" and i.get("pluginId") == "prometheus" for i in inputs):
        errors.append("__inputs has no Prometheus datasource input")
    requires = {(r.get("type"), r.get("id")) for r in dash.get("__requires") or []}
    needed = {("grafana", "grafana"), ("datasource", "prometheus")}
    needed |= {("panel", p.get("type")) for p in leaf_panels(dash.get("panels", []))}
    for kind, ident in sorted(needed - requires):
        errors.append("__requires lacks {} {}".format(kind, ident))
    variables = {v.get("name"): v for v in (dash.get("templating") or {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        errors.append("templating needs a variable `datasource` of type datasource, query prometheus")
    for name in ("job", "instance"):
        v = variables.get(name)
        if not v or v.get("type") != "query":
            errors.append("templating needs a query variable `{}`".format(name))
        elif v.get("datasource") != DATASOURCE:
            errors.append("variable {} must query datasource ${{datasource}}, not {}".format(name, v.get("datasource")))
    if not provisioning_has_default_prometheus():
        errors.append("provisioning declares no default Prometheus datasource for the `datasource` variable")
    return errors


def check_filters(name, expr):
    """Every reelcast series in expr filters by $job, raw ones by $instance too (except the
    training run's, which node-exporter's textfile collector exports, not the API)."""
    errors = []
    for m in REELCAST_SERIES.finditer(expr):
        series, selector = m.group(1), m.group(2) or ""
        if series.startswith("reelcast_training_"):
            continue
        if 'job=~"$job"' not in selector:
            errors.append('{}: {} does not filter by job=~"$job"'.format(name, series))
        raw = not re.match(r"job[a-z_]*:", series) or series.startswith("job_instance:")
        if raw and 'instance=~"$instance"' not in selector:
            errors.append('{}: {} does not filter by instance=~"$instance"'.format(name, series))
    return errors


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


def check(path):
    errors = []
    try:
        with open(path, encoding="utf-8") as f:
            dash = json.load(f)
    except (OSError, ValueError) as e:
        return ["{}: not valid JSON: {}".format(path, e)], []
    for key in ("uid", "title", "schemaVersion", "panels"):
        if key not in dash:
            errors.append("missing top-level key {!r}".format(key))
    errors.extend(check_import(dash))
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
            if ds != DATASOURCE:
                errors.append("{}: datasource {} is not {}".format(name, json.dumps(ds), json.dumps(DATASOURCE)))
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
            errors.extend(check_filters("{} target {}".format(name, t.get("refId")), expr))
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
    failed = False
    for path in paths:
        errors, exprs = check(path)
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
