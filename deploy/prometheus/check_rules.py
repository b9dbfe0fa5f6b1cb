#!/usr/bin/env python3
"""Conventions of deploy/prometheus/rules that promtool does not check.

- at least 16 alert rules;
- every alert has `for`, labels severity (critical|warning|info) and component
  (api|model|data|infra), annotations summary, description and runbook_url;
- every runbook_url is docs/runbooks.md#<anchor> and that section exists;
- every alert name has, in deploy/prometheus/tests/*.yml, at least one alert_rule_test
  where it fires (non-empty exp_alerts) and one where it stays quiet (exp_alerts: []);
- every reelcast_* metric named by a rule or a Grafana panel is named in the Rust sources
  (crates/*/src): no alert or panel on a metric that does
  not exist (deploy/it/prometheus.sh then proves the API exports and updates them).

Prints a summary line (rules, alerts, test cases); exit 1 on any violation.
Needs PyYAML (installed into deploy/.venv by deploy/check.sh).
"""

import glob
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
RUNBOOKS = os.path.join(ROOT, "docs", "runbooks.md")
MIN_ALERTS = 16
SEVERITIES = {"critical", "warning", "info"}
COMPONENTS = {"api", "model", "data", "infra"}


def github_anchor(heading):
    """GitHub's anchor for a markdown heading: lower-case, punctuation dropped, spaces to -."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    found = set()
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"#{1,6}\s+(.*)", line)
                if m:
                    found.add(github_anchor(m.group(1)))
                for a in re.findall(r'<a (?:id|name)="([^"]+)"', line):
                    found.add(a)
    except OSError:
        pass
    return found


# A reelcast metric name; not a part of a recording rule's level:metric:operations name.
METRIC = re.compile(r"(?<![:\w])(reelcast_[a-z0-9_]+)(?![:\w])")


def defined_metric_names():
    """Every reelcast_... word in the Rust sources (metric names are string literals or
    parts of an exposition text there)."""
    names = set()
    for path in glob.glob(os.path.join(ROOT, "crates", "*", "src", "**", "*.rs"), recursive=True):
        with open(path, encoding="utf-8") as f:
            names.update(METRIC.findall(f.read()))
    return names


def referenced_metrics(text):
    """reelcast_* metric names in PromQL text, histogram suffixes removed."""
    return {re.sub(r"_(bucket|count|sum)$", "", m) for m in METRIC.findall(text)}


def main():
    errors = []
    defined = defined_metric_names()
    used = {}
    known_anchors = anchors(RUNBOOKS)
    alerts, records = [], 0
    for path in sorted(glob.glob(os.path.join(HERE, "rules", "*.yml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for group in doc.get("groups", []):
            for rule in group.get("rules", []):
                for metric in referenced_metrics(rule.get("expr", "")):
                    used.setdefault(metric, rule.get("alert") or rule.get("record"))
                if "record" in rule:
                    records += 1
                    continue
                name = rule.get("alert")
                alerts.append(name)
                where = "{}: {}".format(os.path.basename(path), name)
                if "for" not in rule:
                    errors.append(where + ": no `for`")
                labels, ann = rule.get("labels", {}), rule.get("annotations", {})
                if labels.get("severity") not in SEVERITIES:
                    errors.append("{}: severity {!r} not in {}".format(where, labels.get("severity"), sorted(SEVERITIES)))
                if labels.get("component") not in COMPONENTS:
                    errors.append("{}: component {!r} not in {}".format(where, labels.get("component"), sorted(COMPONENTS)))
                for key in ("summary", "description", "runbook_url"):
                    if not ann.get(key):
                        errors.append("{}: annotation {} missing".format(where, key))
                url = ann.get("runbook_url", "")
                m = re.fullmatch(r"docs/runbooks\.md#([\w-]+)", url)
                if not m:
                    errors.append("{}: runbook_url {!r} is not docs/runbooks.md#anchor".format(where, url))
                elif m.group(1) not in known_anchors:
                    errors.append("{}: docs/runbooks.md has no section #{}".format(where, m.group(1)))
    for path in sorted(glob.glob(os.path.join(ROOT, "deploy", "grafana", "dashboards", "*.json"))):
        with open(path, encoding="utf-8") as f:
            for expr in re.findall(r'"expr":\s*"((?:[^"\\]|\\.)*)"', f.read()):
                for metric in referenced_metrics(expr):
                    used.setdefault(metric, "dashboard " + os.path.basename(path))
    for metric, where in sorted(used.items()):
        if metric not in defined:
            errors.append("{} uses {}, which no crate defines".format(where, metric))
    names = sorted(set(alerts))
    if len(alerts) < MIN_ALERTS:
        errors.append("{} alert rules, at least {} required".format(len(alerts), MIN_ALERTS))

    fires, quiet, cases = set(), set(), 0
    for path in sorted(glob.glob(os.path.join(HERE, "tests", "*.yml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for test in doc.get("tests", []):
            cases += 1
            for t in test.get("alert_rule_test", []) or []:
                (fires if t.get("exp_alerts") else quiet).add(t["alertname"])
    for name in names:
        if name not in fires:
            errors.append("alert {} has no unit test where it fires".format(name))
        if name not in quiet:
            errors.append("alert {} has no unit test where it stays quiet".format(name))
    for name in sorted((fires | quiet) - set(names)):
        errors.append("unit tests name an unknown alert {}".format(name))

    for e in errors:
        print("FAIL rules: " + e)
    if not errors:
        print("PASS rule conventions: {} alert rules ({} names), {} recording rules; {} unit-test "
              "cases, every alert fires in one and stays quiet in another; every runbook_url "
              "resolves; the {} reelcast metrics they and the dashboards use are defined in "
              "crates/".format(len(alerts), len(names), records, cases, len(used)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
