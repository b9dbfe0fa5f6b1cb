#!/usr/bin/env python3
"""Checks what reelcast wrote to an MLflow server, through MLflow's own client.

Usage: mlflow_check.py SPEC_JSON

The tracking URI comes from MLFLOW_TRACKING_URI (or REELCAST_TEST_MLFLOW_URI). SPEC_JSON is
an object; every key is optional except "experiment" or "run_id":

  experiment        experiment name; without run_id, its newest run is checked
  run_id            the run to check
  run_name          expected run name
  status            expected run status, e.g. "FINISHED"
  params            {key: value}           value null = present, any value
  metrics           {key: value}           latest value; null = present, any value
  metric_history    {key: [v_step0, ...]}  every step, in step order
  tags              {key: value}           value null = present, any value
  artifacts         {path: sha256}         downloaded with MLflow; null = present, any content
  model             {"name": N, "alias": A, "version": V}   alias resolves to version V
                    (V null = any), the version's run is the checked run, its source ends
                    with "artifact_path" when given; "tags": {key: value|null} on the version;
                    "sha256_tag": [artifact_path, tag] checks the tag equals the artifact's
                    sha256; "description" / "model_description": text the version's / the
                    registered model's description contains
  register          {"name": N, "uri": "runs:/RUN/model"}: first registers the folder as a
                    plain MLflow client does (mlflow.register_model: no reelcast tags);
                    reports "registered_version"
  model_folder      {"uri": "models:/N@A", "files": [name, ...]}: downloads the version with
                    mlflow.artifacts.download_artifacts; the folder holds MLmodel and each
                    file; MLflow's Model.load reads MLmodel (a reelcast flavor, a signature);
                    the flavor's bundle file has the flavor's bundle_sha256; reports
                    "model_folder": {file: sha256} and "signature_inputs": [column, ...]
  inputs            [{"name": N, "digest": D, "context": C, "num_rows": R}]: the run's
                    dataset inputs include each (keys optional but name)
  logged_model      {"files": [name, ...]}: (MLflow 3) a READY logged model of the run, an
                    output of the run, linked to the "model" version checked above
                    (its mlflow.modelVersions tag), whose artifacts hold MLmodel and each
                    file; reports "logged_model": {"model_id": ..., "files": [...]}

Prints one JSON object on stdout: {"ok": bool, "failures": [...], "run_id": ..., "version": ...,
"artifacts": {path: sha256}}; exits 0 when every check passed, 1 otherwise, 2 on bad usage.
"""

import hashlib
import json
import math
import os
import sys
import tempfile


def close(a, b):
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_map(kind, expected, actual, failures, compare=lambda a, b: a == b):
    for key, want in (expected or {}).items():
        if key not in actual:
            failures.append(f"{kind} {key!r} missing (have {sorted(actual)})")
        elif want is not None and not compare(actual[key], want):
            failures.append(f"{kind} {key!r} is {actual[key]!r}, expected {want!r}")


def check_inputs(expected, run, failures):
    """The run's dataset inputs include each expected one."""
    if not expected:
        return
    inputs = run.inputs.dataset_inputs if run.inputs else []
    have = []
    for entry in inputs:
        d = entry.dataset
        context = next((t.value for t in entry.tags if t.key == "mlflow.data.context"), None)
        try:
            num_rows = json.loads(d.profile or "{}").get("num_rows")
        except ValueError:
            num_rows = None
        have.append({"name": d.name, "digest": d.digest, "context": context, "num_rows": num_rows})
    for want in expected:
        if not any(all(h.get(k) == v for k, v in want.items()) for h in have):
            failures.append(f"dataset input {want!r} not among the run's inputs {have!r}")


def check_model_folder(spec, dst, result, failures):
    """Downloads a version as MLflow's client does and checks it is a reelcast MLflow model."""
    from mlflow.models import Model

    try:
        local = mlflow_download(spec["uri"], dst)
    except Exception as e:  # noqa: BLE001
        failures.append(f"downloading {spec['uri']}: {e}")
        return
    if not os.path.isdir(local):
        failures.append(f"{spec['uri']} downloaded as a file {local!r}, not a model folder")
        return
    files = sorted(os.listdir(local))
    result["model_folder"] = {f: sha256(os.path.join(local, f)) for f in files if os.path.isfile(os.path.join(local, f))}
    for name in ["MLmodel", *spec.get("files", [])]:
        if name not in files:
            failures.append(f"{spec['uri']} folder has no {name} (it has {files})")
    if "MLmodel" not in files:
        return
    try:
        model = Model.load(local)
    except Exception as e:  # noqa: BLE001
        failures.append(f"MLflow cannot read the MLmodel of {spec['uri']}: {e}")
        return
    flavor = model.flavors.get("reelcast")
    if not flavor:
        failures.append(f"MLmodel of {spec['uri']} has no reelcast flavor: {sorted(model.flavors)}")
        return
    bundle = flavor.get("bundle_file")
    if result["model_folder"].get(bundle) != flavor.get("bundle_sha256"):
        failures.append(
            f"bundle {bundle!r} of {spec['uri']} has sha256 {result['model_folder'].get(bundle)}, "
            f"MLmodel says {flavor.get('bundle_sha256')}"
        )
    if model.signature is None:
        failures.append(f"MLmodel of {spec['uri']} has no signature")
    else:
        result["signature_inputs"] = model.signature.inputs.input_names()


def check_logged_model(spec, client, run, version, dst, result, failures):
    """The run's logged model is READY, a run output, linked to `version`, with the files."""
    models = client.search_logged_models(
        experiment_ids=[run.info.experiment_id], filter_string=f"source_run_id='{run.info.run_id}'"
    )
    linked = [
        m
        for m in models
        if version is not None
        and {"name": version.name, "version": int(version.version)}
        in json.loads(m.tags.get("mlflow.modelVersions", "[]"))
    ]
    if not linked:
        failures.append(
            f"no logged model of run {run.info.run_id} is linked to version {getattr(version, 'version', None)} "
            f"(have {[(m.model_id, m.tags) for m in models]})"
        )
        return
    model = linked[0]
    if str(model.status) not in ("READY", "LoggedModelStatus.READY"):
        failures.append(f"logged model {model.model_id} is {model.status}, not READY")
    outputs = [o.model_id for o in (run.outputs.model_outputs if run.outputs else [])]
    if model.model_id not in outputs:
        failures.append(f"logged model {model.model_id} is not an output of the run ({outputs})")
    local = mlflow_download(f"models:/{model.model_id}", dst)
    files = sorted(os.listdir(local))
    result["logged_model"] = {"model_id": model.model_id, "files": files}
    for name in ["MLmodel", *spec.get("files", [])]:
        if name not in files:
            failures.append(f"logged model {model.model_id} has no {name} (it has {files})")


def mlflow_download(uri, dst):
    import mlflow

    os.makedirs(dst, exist_ok=True)
    return mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=dst)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(argv[1])
    uri = os.environ.get("MLFLOW_TRACKING_URI") or os.environ.get("REELCAST_TEST_MLFLOW_URI")
    if not uri:
        print("set MLFLOW_TRACKING_URI or REELCAST_TEST_MLFLOW_URI", file=sys.stderr)
        return 2

    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    failures = []
    result = {"ok": False, "failures": failures, "run_id": None, "version": None, "artifacts": {}}

    if spec.get("register"):
        register = spec["register"]
        try:
            registered = mlflow.register_model(register["uri"], register["name"])
            result["registered_version"] = int(registered.version)
        except Exception as e:  # noqa: BLE001 - report any failure as a check failure
            failures.append(f"registering {register['uri']} as {register['name']}: {e}")

    run_id = spec.get("run_id")
    if not run_id:
        experiment = client.get_experiment_by_name(spec["experiment"])
        if experiment is None:
            failures.append(f"experiment {spec['experiment']!r} not found")
            print(json.dumps(result))
            return 1
        runs = client.search_runs(
            [experiment.experiment_id], order_by=["attributes.start_time DESC"], max_results=1
        )
        if not runs:
            failures.append(f"experiment {spec['experiment']!r} has no runs")
            print(json.dumps(result))
            return 1
        run_id = runs[0].info.run_id
    run = client.get_run(run_id)
    result["run_id"] = run_id

    if "experiment" in spec:
        experiment = client.get_experiment(run.info.experiment_id)
        if experiment.name != spec["experiment"]:
            failures.append(f"run is in experiment {experiment.name!r}, expected {spec['experiment']!r}")
    if "run_name" in spec and run.info.run_name != spec["run_name"]:
        failures.append(f"run name is {run.info.run_name!r}, expected {spec['run_name']!r}")
    if "status" in spec and run.info.status != spec["status"]:
        failures.append(f"run status is {run.info.status!r}, expected {spec['status']!r}")
    check_map("param", spec.get("params"), run.data.params, failures)
    check_map("metric", spec.get("metrics"), run.data.metrics, failures, close)
    check_map("tag", spec.get("tags"), run.data.tags, failures)
    for key, want in (spec.get("metric_history") or {}).items():
        history = sorted(client.get_metric_history(run_id, key), key=lambda m: (m.step, m.timestamp))
        got = [m.value for m in history]
        steps = [m.step for m in history]
        if len(got) != len(want) or not all(close(a, b) for a, b in zip(got, want)):
            failures.append(f"metric history {key!r} is {got!r} (steps {steps}), expected {want!r}")
        elif steps != list(range(len(want))):
            failures.append(f"metric history {key!r} has steps {steps}, expected 0..{len(want) - 1}")

    check_inputs(spec.get("inputs"), run, failures)

    with tempfile.TemporaryDirectory() as tmp:
        if spec.get("model_folder"):
            check_model_folder(spec["model_folder"], os.path.join(tmp, "folder"), result, failures)
        wanted = dict(spec.get("artifacts") or {})
        model = spec.get("model") or {}
        if model.get("sha256_tag"):
            wanted.setdefault(model["sha256_tag"][0], None)
        for path, want in wanted.items():
            try:
                local = mlflow.artifacts.download_artifacts(
                    run_id=run_id, artifact_path=path, dst_path=os.path.join(tmp, "a")
                )
            except Exception as e:  # noqa: BLE001 - report any failure as a check failure
                failures.append(f"artifact {path!r}: download failed: {e}")
                continue
            got = sha256(local)
            result["artifacts"][path] = got
            if want is not None and got != want:
                failures.append(f"artifact {path!r} has sha256 {got}, expected {want}")

        if model:
            try:
                version = client.get_model_version_by_alias(model["name"], model["alias"])
            except Exception as e:  # noqa: BLE001
                failures.append(f"alias {model['name']}@{model['alias']}: {e}")
                version = None
            if version is not None:
                result["version"] = int(version.version)
                if model.get("version") is not None and int(version.version) != int(model["version"]):
                    failures.append(
                        f"{model['name']}@{model['alias']} is version {version.version}, expected {model['version']}"
                    )
                if version.run_id != run_id:
                    failures.append(f"version {version.version} comes from run {version.run_id}, expected {run_id}")
                if model.get("artifact_path") and not version.source.endswith("/" + model["artifact_path"]):
                    failures.append(f"version source {version.source!r} does not end with {model['artifact_path']!r}")
                check_map("version tag", model.get("tags"), version.tags, failures)
                for key, description in [
                    ("description", version.description),
                    ("model_description", client.get_registered_model(model["name"]).description),
                ]:
                    if model.get(key) and model[key] not in (description or ""):
                        failures.append(f"{key} {description!r} does not contain {model[key]!r}")
                if spec.get("logged_model"):
                    try:
                        check_logged_model(
                            spec["logged_model"], client, run, version,
                            os.path.join(tmp, "logged"), result, failures,
                        )
                    except Exception as e:  # noqa: BLE001
                        failures.append(f"logged model of run {run_id}: {e}")
                if model.get("sha256_tag"):
                    path, tag = model["sha256_tag"]
                    got = result["artifacts"].get(path)
                    if version.tags.get(tag) != got:
                        failures.append(
                            f"version tag {tag}={version.tags.get(tag)!r} but artifact {path!r} has sha256 {got}"
                        )

    result["ok"] = not failures
    print(json.dumps(result, sort_keys=True))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
