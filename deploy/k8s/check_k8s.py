#!/usr/bin/env python3
"""Structural checks of deploy/k8s that schema validation cannot make.

kubernetes-validate checks the built-in kinds against the Kubernetes schemas; it has no
schema for the Prometheus Operator's ServiceMonitor and PrometheusRule. This script checks
those two structurally, and that the objects fit together:

- every kustomization resource exists;
- Deployment: selector matches the pod labels; probes on /health/live and /health/ready;
  requests and limits; non-root, read-only root filesystem, an emptyDir for writable
  paths, nothing mounted over /app/artifacts (the baked model);
- Service and PodDisruptionBudget select the Deployment's pods; the HPA targets it on CPU;
- ServiceMonitor: selects the Service's labels and scrapes a named Service port at /metrics;
- PrometheusRule: every group has a name and rules, every rule an expr and exactly one of
  alert/record, alerts have for/severity/component/summary/description/runbook_url; the
  one in kustomization.yaml holds reelcast's rules only (alerts named Reelcast*, no
  component=infra, no up{job!="reelcast"}, node_, prometheus_ or alertmanager_ series),
  the platform ones live in the optional platform/prometheusrule-platform.yaml; both specs
  are written out as one rule file for `promtool check rules` (path printed on stdout as
  RULES_FILE=...).

Needs PyYAML (installed into deploy/.venv by deploy/check.sh).
"""

import os
import re
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
errors = []


def err(msg):
    errors.append(msg)


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return yaml.safe_load(f)


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_rule_object(what, pr):
    """Structural checks of one PrometheusRule; its groups."""
    if pr.get("apiVersion") != "monitoring.coreos.com/v1" or pr.get("kind") != "PrometheusRule":
        err("{}: must be a monitoring.coreos.com/v1 PrometheusRule".format(what))
    groups = pr.get("spec", {}).get("groups") or []
    if not groups:
        err("{}: spec.groups is empty".format(what))
    names = [g.get("name") for g in groups]
    if len(set(names)) != len(names):
        err("{}: duplicate group names".format(what))
    for g in groups:
        if not g.get("name") or not g.get("rules"):
            err("{}: group {!r} needs a name and rules".format(what, g.get("name")))
            continue
        for r in g["rules"]:
            if not r.get("expr") or (("alert" in r) == ("record" in r)):
                err("{}: rule {!r} needs an expr and exactly one of alert/record".format(what, r))
            if "alert" in r:
                labels, ann = r.get("labels", {}), r.get("annotations", {})
                missing = [k for k in ("severity", "component") if k not in labels]
                missing += [k for k in ("summary", "description", "runbook_url") if k not in ann]
                if "for" not in r:
                    missing.append("for")
                if missing:
                    err("{}: alert {} lacks {}".format(what, r["alert"], missing))
    return groups


def main():
    kust = load("kustomization.yaml")
    for res in kust.get("resources", []):
        if not os.path.exists(os.path.join(HERE, res)):
            err("kustomization: resource {} does not exist".format(res))
    objs = {}
    for res in kust.get("resources", []):
        doc = load(res)
        objs[doc["kind"]] = doc

    dep = objs["Deployment"]
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    if not selects(dep["spec"]["selector"]["matchLabels"], pod_labels):
        err("Deployment: selector does not match the pod template labels")
    pod = dep["spec"]["template"]["spec"]
    psc = pod.get("securityContext", {})
    if not psc.get("runAsNonRoot"):
        err("Deployment: pod securityContext.runAsNonRoot must be true")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for c in pod["containers"]:
        name = "Deployment container {}".format(c["name"])
        if c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/health/live":
            err(name + ": livenessProbe must GET /health/live")
        if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/health/ready":
            err(name + ": readinessProbe must GET /health/ready")
        res = c.get("resources", {})
        for kind in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if r not in res.get(kind, {}):
                    err("{}: resources.{}.{} missing".format(name, kind, r))
        sc = c.get("securityContext", {})
        if not sc.get("readOnlyRootFilesystem"):
            err(name + ": readOnlyRootFilesystem must be true")
        if sc.get("allowPrivilegeEscalation") is not False:
            err(name + ": allowPrivilegeEscalation must be false")
        mounts = c.get("volumeMounts", [])
        if not any("emptyDir" in volumes.get(m["name"], {}) for m in mounts):
            err(name + ": needs an emptyDir mount for writable paths")
        for m in mounts:
            if m["mountPath"].rstrip("/").startswith("/app"):
                err("{}: {} is mounted over the image's model directory".format(name, m["mountPath"]))
        ports = {p.get("name") for p in c.get("ports", [])}

    svc = objs["Service"]
    if not selects(svc["spec"]["selector"], pod_labels):
        err("Service: selector does not select the Deployment's pods")
    svc_ports = {p.get("name") for p in svc["spec"]["ports"]}
    for p in svc["spec"]["ports"]:
        if isinstance(p.get("targetPort"), str) and p["targetPort"] not in ports:
            err("Service: targetPort {} is not a container port name".format(p["targetPort"]))
    if svc["metadata"]["name"] != "reelcast":
        err("Service: must be named reelcast (the job label the alert rules select)")

    pdb = objs["PodDisruptionBudget"]
    if not selects(pdb["spec"]["selector"]["matchLabels"], pod_labels):
        err("PodDisruptionBudget: selector does not select the Deployment's pods")

    hpa = objs["HorizontalPodAutoscaler"]
    ref = hpa["spec"]["scaleTargetRef"]
    if (ref["kind"], ref["name"]) != ("Deployment", dep["metadata"]["name"]):
        err("HorizontalPodAutoscaler: does not target the Deployment")
    if not any(m.get("resource", {}).get("name") == "cpu" for m in hpa["spec"]["metrics"]):
        err("HorizontalPodAutoscaler: no CPU metric")

    sm = objs["ServiceMonitor"]
    if sm.get("apiVersion") != "monitoring.coreos.com/v1":
        err("ServiceMonitor: apiVersion must be monitoring.coreos.com/v1")
    if not selects(sm["spec"]["selector"]["matchLabels"], svc["metadata"]["labels"]):
        err("ServiceMonitor: selector does not match the Service's labels")
    for ep in sm["spec"]["endpoints"]:
        if ep.get("port") not in svc_ports:
            err("ServiceMonitor: endpoint port {!r} is not a Service port name".format(ep.get("port")))
        if ep.get("path", "/metrics") != "/metrics":
            err("ServiceMonitor: endpoint path must be /metrics")

    own = check_rule_object("PrometheusRule", objs["PrometheusRule"])
    platform = check_rule_object("platform PrometheusRule", load("platform/prometheusrule-platform.yaml"))
    for r in (r for g in own for r in g.get("rules", [])):
        expr = r.get("expr", "")
        platform_expr = re.search(r'job!="reelcast"|\bnode_|\bprometheus_|\balertmanager_', expr)
        if "alert" in r and (not r["alert"].startswith("Reelcast") or r.get("labels", {}).get("component") == "infra"):
            err("PrometheusRule: {} is a platform alert; it belongs in platform/prometheusrule-platform.yaml".format(r["alert"]))
        elif platform_expr:
            err("PrometheusRule: {} selects platform series ({}); it belongs in the platform file".format(
                r.get("alert") or r.get("record"), platform_expr.group(0)))
    names = [g.get("name") for g in own + platform]
    if len(set(names)) != len(names):
        err("PrometheusRule: group names repeat across the two files")
    alerts = sum(1 for g in own for r in g.get("rules", []) if "alert" in r)
    groups = own
    fd, path = tempfile.mkstemp(prefix="prometheusrule-", suffix=".yml")
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump({"groups": own + platform}, f, sort_keys=False)
    print("RULES_FILE=" + path)

    for e in errors:
        print("FAIL k8s: " + e)
    if not errors:
        print("PASS k8s structure: {} objects fit together; ServiceMonitor ok; PrometheusRule "
              "has {} groups, {} alerts, reelcast's own only; the optional platform file {} groups".format(
                  len(objs), len(groups), alerts, len(platform)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
