"""Crash and concurrency drills of `reelcast train --register` on a SQLite registry (issue 16).

Run through bench/drills.sh, which gives each drill a fresh directory. Every drill is
bounded in count, prints one summary line of figures, and exits 1 when a check fails:

  kill     BIN DIR KILLS     KILLS `kill -9` of `train --register` (half of them with
                             --promote-if-better, a third with more trees), in turn in data
                             load, training, artifact write and registration, each a random
                             delay into its phase; one train in 8 left to finish, one of them
                             while `runs gc` runs; then `runs gc` and the checks below
  register BIN DIR P N       P processes running N `train --register` each, at once, on one
                             registry; then the checks below

The phases are told apart by the lines `train` writes on stderr ("dataset loaded", then
the test split's "percentile band" line that ends training) and by the run's version row
appearing. `train` ends its run FINISHED once every artifact is logged, before the version
row (issue 16); a registration phase lasts from that row to the process's exit (aliases
and, with --promote-if-better, scoring the new version against the champion), short
without --promote-if-better, so registration kills use that flag. Where a
kill landed is judged after the fact from the run's state: RUNNING (load, train, write),
FINISHED without a version (between the run's end and its version row), FINISHED with
one (register).

What is checked goes through the CLI's JSON output (`runs list/show --json`, `models show
--json`, `runs gc --json`, `train --json`, `predict --json`), plus `PRAGMA integrity_check`
through Python's sqlite3 module on a read-only connection; only the registration trigger
reads a table directly. The registry's artifacts are in `reelcast-artifacts/` beside the
database (README, "Tracking").

Standard library only. DRILL_SEED fixes the random choices (printed in the summary);
DRILL_LOGS=DIR keeps each train's stderr there; KILL_TREES (default 600) sets the bigger
trains' trees.
"""

import glob
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

MODEL = "movie_rating_gbt"
PREDICT = ["--title", "The Kid", "--start-year", "1921", "--runtime-minutes", "68",
           "--num-votes", "40584", "--genres", "Comedy,Drama"]
# stderr lines of `train` that end a phase.
LOADED = "dataset loaded"
TRAINED = "percentile band"  # the last line of training, after the test split is scored
PHASES = ["load", "train", "write", "register"]


class Registry:
    """The registry of one drill, read through the CLI."""

    def __init__(self, binary, directory):
        self.bin = binary
        self.dir = directory
        self.uri = f"sqlite:///{directory}/reelcast.db"
        self.db = os.path.join(directory, "reelcast.db")
        self.artifacts = os.path.join(directory, "reelcast-artifacts")

    def cli(self, *args):
        """Parsed JSON output of `reelcast ARGS --json --tracking-uri URI`."""
        cmd = [self.bin, *args, "--json", "--tracking-uri", self.uri]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[1:])} exited {done.returncode}: "
                               f"{done.stderr.strip()[-500:]}")
        return json.loads(done.stdout)

    def runs(self):
        return self.cli("runs", "list", "--limit", "100000")

    def versions(self):
        try:
            return self.cli("models", "show", MODEL)
        except RuntimeError as e:
            if "not found" in str(e).lower() or "no registered model" in str(e).lower():
                return {"model": {"aliases": {}}, "versions": []}
            raise

    def integrity(self):
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        try:
            return ";".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        finally:
            conn.close()

    def bundle_file(self, run_id, path):
        return os.path.join(self.artifacts, run_id, path)


def bundle_artifact(version):
    """The bundle's artifact path of `version`: inside its model folder (`model/`, with
    MLmodel and the feature spec), or the path itself for a version of a single file."""
    path = version["artifact_path"]
    return path if path.endswith(".bundle") else f"{path}/model.bundle"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_registry(reg, failures, expect_versions=None):
    """Checks shared by both drills; returns (runs by id, version list, aliases, loaded).

    Integrity; no run RUNNING; every KILLED run has an end time; versions 1..n, each on
    a FINISHED run, its bundle an artifact of that run, present, matching its sha256 tag,
    and loading (`predict`); every alias on an existing version.
    """
    integrity = reg.integrity()
    if integrity != "ok":
        failures.append(f"PRAGMA integrity_check: {integrity}")
    runs = {r["run_id"]: r for r in reg.runs()}
    for r in runs.values():
        if r["status"] == "RUNNING":
            failures.append(f"run {r['run_id']} ({r['run_name']}) still RUNNING "
                            f"(stale {r.get('stale')})")
        if r["status"] == "KILLED" and not r.get("end_time_ms"):
            failures.append(f"KILLED run {r['run_id']} has no end time")
        if r.get("end_time_ms") and r["end_time_ms"] < r["start_time_ms"]:
            failures.append(f"run {r['run_id']} ends before it starts")
    shown = reg.versions()
    versions = sorted(shown["versions"], key=lambda v: v["version"])
    numbers = [v["version"] for v in versions]
    if numbers != list(range(1, len(numbers) + 1)):
        failures.append(f"version numbers are not 1..{len(numbers)}: {numbers}")
    if expect_versions is not None and len(versions) != expect_versions:
        failures.append(f"{len(versions)} versions, expected {expect_versions}")
    loaded = 0
    for v in versions:
        name = f"version {v['version']}"
        run = runs.get(v["run_id"])
        if run is None:
            failures.append(f"{name} points at run {v['run_id']}, which is not listed")
            continue
        if run["status"] != "FINISHED":
            reason = run["tags"].get("reelcast.failure_reason", "")
            failures.append(f"{name} points at run {v['run_id']} ({run['run_name']}), "
                            f"which is {run['status']}: {reason}")
        listed = reg.cli("runs", "show", v["run_id"])["artifacts"]
        bundle = bundle_artifact(v)
        if bundle not in listed:
            failures.append(f"{name}: {bundle} is not an artifact of its run")
        path = reg.bundle_file(v["run_id"], bundle)
        if not os.path.isfile(path):
            failures.append(f"{name}: {path} is missing")
            continue
        if sha256(path) != v["tags"].get("bundle_sha256"):
            failures.append(f"{name}: {path} does not match its bundle_sha256 tag")
        done = subprocess.run([reg.bin, "predict", "--model", path, "--json", *PREDICT],
                              capture_output=True, text=True, timeout=60)
        if done.returncode == 0 and "predicted_rating" in json.loads(done.stdout):
            loaded += 1
        else:
            failures.append(f"{name}: predict with {path} exited {done.returncode}: "
                            f"{done.stderr.strip()[-300:]}")
    aliases = shown["model"].get("aliases", {})
    for alias, number in aliases.items():
        if number not in numbers:
            failures.append(f"@{alias} points at version {number}, which does not exist")
    if versions and "champion" not in aliases:
        failures.append("the model has versions but no champion")
    return runs, versions, aliases, loaded


class Train:
    """One `train --register` process whose stderr is read line by line, timestamped."""

    def __init__(self, reg, seed, out, trees=None, extra=()):
        self.seed = seed
        cmd = [reg.bin, "train", "--register", "--tracking-uri", reg.uri, "--out", out,
               "--seed", str(seed), *extra]
        if trees:
            cmd += ["--trees", str(trees)]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        self.marks = {}
        self.stderr = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.stderr.append(line)
            if os.environ.get("DRILL_LOGS"):
                with open(os.path.join(os.environ["DRILL_LOGS"], f"{self.seed}.log"), "a") as f:
                    f.write(line)
            for mark in (LOADED, TRAINED):
                if mark in line and mark not in self.marks:
                    self.marks[mark] = time.monotonic() - self.started

    def wait(self):
        code = self.proc.wait(timeout=300)
        self.reader.join(timeout=10)
        return code


class VersionRows:
    """Whether a run has a version yet, read on a read-only connection that does not wait
    for locks (WAL lets it read while a train writes). Only the trigger of a
    registration-phase kill reads the registry's tables directly (model_versions, runs);
    every check goes through the CLI."""

    def __init__(self, reg):
        self.conn = sqlite3.connect(f"file:{reg.db}?mode=ro", uri=True, timeout=0)

    def registered(self, seed):
        try:
            return self.conn.execute(
                "SELECT 1 FROM model_versions v JOIN runs r ON r.run_id = v.run_id "
                "WHERE r.run_name LIKE ?", (f"gbt-seed{seed}-%",)).fetchone() is not None
        except sqlite3.OperationalError:
            return False  # a lock held at this instant: ask again

    def close(self):
        self.conn.close()


def find_run(runs, pid, seed):
    """The run of process `pid` training with `seed`, or None. The pid is a tag and the
    seed is in the run name from the start (params are logged only after training)."""
    for r in runs:
        if (r["tags"].get("reelcast.pid") == str(pid)
                and r["run_name"].startswith(f"gbt-seed{seed}-")):
            return r
    return None


def run_train(reg, seed, out, trees, promote, target=None, delay=0.0):
    """Runs one train; with `target`, kills it `delay` seconds into that phase.

    Phases: load (from the start to "dataset loaded"), train (to the last line of
    training), write (saving the bundle and report, logging the run and its artifacts,
    ending the run FINISHED: up to the version row), register (from the version row to
    the exit: aliases and, with --promote-if-better, scoring the new version against the
    champion).
    Returns (Train, exit code, {phase: seconds from the start} seen up to its end).
    """
    t = Train(reg, seed, out, trees, ["--promote-if-better"] if promote else [])
    rows = VersionRows(reg) if os.path.exists(reg.db) else None
    seen = {}
    try:
        while t.proc.poll() is None:
            now = time.monotonic() - t.started
            if LOADED in t.marks:
                seen.setdefault("train", t.marks[LOADED])
            if TRAINED in t.marks:
                seen.setdefault("write", t.marks[TRAINED])
                if "register" not in seen and rows and rows.registered(seed):
                    seen["register"] = now
            begun = 0.0 if target == "load" else seen.get(target)
            if begun is not None and now >= begun + delay:
                t.proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.0005)
    finally:
        if rows:
            rows.close()
    code = t.wait()
    seen["end"] = time.monotonic() - t.started
    return t, code, seen


def drill_kill(binary, directory, kills):
    rng_seed = int(os.environ.get("DRILL_SEED") or random.randrange(1 << 30))
    rng = random.Random(rng_seed)
    reg = Registry(binary, directory)
    out = os.path.join(directory, "artifacts")
    big = int(os.environ.get("KILL_TREES", "600"))
    failures = []
    started = time.monotonic()

    # Calibration: a default train and a bigger one with --promote-if-better run to the
    # end; how long each phase took sets the range of the random delays, so the kills
    # spread over the phases on any build or machine.
    cal = {}
    finished = []  # (pid, seed) of the trains left to finish
    seed = 1000
    for trees, promote in ((None, False), (big, True)):
        seed += 1
        t, code, seen = run_train(reg, seed, out, trees, promote)
        need = {"train", "write", "end"} | ({"register"} if cal else set())
        if code != 0 or not need <= seen.keys():
            print(f"kill: calibration train exited {code} (phases seen {sorted(seen)}):\n"
                  + "".join(t.stderr[-10:]))
            return False
        finished.append((t.pid, seed))
        if cal:  # the first train made the registry that the trigger of `register` reads
            cal[trees] = {"load": seen["train"], "train": seen["write"] - seen["train"],
                          "write": seen["register"] - seen["write"],
                          "register": seen["end"] - seen["register"]}
        else:
            cal[trees] = {"load": seen["train"], "train": seen["write"] - seen["train"],
                          "write": seen["end"] - seen["write"], "register": 0.0}
    cal[None]["register"] = cal[big]["register"]

    # The kills, in a phase chosen in turn, a random delay into it (within how long the
    # phase lasted in calibration); one train in 8 left to finish, the first of those
    # with a `runs gc` while it trains, which must leave its live run alone. A phase no
    # kill landed in gets more tries (up to KILLS more trains in all).
    counts = {p: 0 for p in ["start", "load", "train", "write", "finished", "register"]}
    killed_runs = {}  # run_id -> (pid, seed) of killed processes that had created a run
    done = attempts = planned = 0
    gc_while_live = False
    while attempts < kills * 2:
        missing = [p for p in PHASES if counts[p] == 0]
        if done >= kills and not missing:
            break
        attempts += 1
        seed += 1
        trees = big if seed % 3 == 0 else None
        promote = seed % 2 == 0
        if attempts % 8 == 4 and done < kills:
            t = Train(reg, seed, out, big if not gc_while_live else trees)
            if not gc_while_live:
                while LOADED not in t.marks and t.proc.poll() is None:
                    time.sleep(0.001)
                collected = reg.cli("runs", "gc")["killed"]
                live = find_run(reg.runs(), t.pid, seed)
                if t.proc.poll() is None:
                    gc_while_live = True
                    if any(c["run_id"] == (live or {}).get("run_id") for c in collected):
                        failures.append(f"runs gc collected the live run of pid {t.pid}")
                    if live is None or live["status"] != "RUNNING" or live.get("stale"):
                        failures.append(f"the live train's run is {live and live['status']}, "
                                        f"stale {live and live.get('stale')}")
            code = t.wait()
            if code != 0:
                failures.append(f"train seed {seed} (not killed) exited {code}: "
                                f"{''.join(t.stderr[-5:])}")
            finished.append((t.pid, seed))
            planned += 1
            continue
        target = PHASES[done % len(PHASES)] if done < kills else missing[0]
        if target == "register":
            promote = True  # its registration phase lasts long enough to be hit
        delay = rng.uniform(0, cal[trees][target])
        t, code, seen = run_train(reg, seed, out, trees, promote, target, delay)
        if code != -signal.SIGKILL:
            # It ended before its kill: a train left to finish after all.
            if code != 0:
                failures.append(f"train seed {seed} exited {code}: {''.join(t.stderr[-5:])}")
            finished.append((t.pid, seed))
            continue
        done += 1
        run = find_run(reg.runs(), t.pid, seed)
        if run is None:
            counts["start"] += 1  # before its run was created
            continue
        killed_runs[run["run_id"]] = (t.pid, seed)
        registered = any(v["run_id"] == run["run_id"] for v in reg.versions()["versions"])
        if run["status"] == "FINISHED":
            # After its run ended: before its version row, or in registration.
            counts["register" if registered else "finished"] += 1
            continue
        if run["status"] != "RUNNING" or not run.get("stale"):
            failures.append(f"killed run {run['run_id']} is {run['status']}, "
                            f"stale {run.get('stale')} (expected RUNNING and stale)")
        marks = t.marks  # every line it wrote before the kill has been read by now
        counts["register" if registered else "write" if TRAINED in marks
               else "train" if LOADED in marks else "load"] += 1

    gc = reg.cli("runs", "gc")["killed"]
    out_bundle = os.path.join(out, "model.bundle")
    if subprocess.run([binary, "predict", "--model", out_bundle, "--json", *PREDICT],
                      capture_output=True, text=True, timeout=60).returncode != 0:
        failures.append(f"{out_bundle} does not load after the kills")
    out_tmp = glob.glob(os.path.join(out, "**", ".*.tmp"), recursive=True)

    runs, versions, aliases, loaded = check_registry(reg, failures)
    by_run = {v["run_id"]: v for v in versions}
    for run_id in killed_runs:
        run = runs.get(run_id)
        if run is None:
            failures.append(f"killed run {run_id} is gone from runs list")
        elif run["status"] not in ("KILLED", "FINISHED"):
            failures.append(f"killed run {run_id} is {run['status']}, expected KILLED")
    for pid, s in finished:
        run = find_run(runs.values(), pid, s)
        if run is None or run["status"] != "FINISHED" or run["run_id"] not in by_run:
            failures.append(f"the train seed {s} left to finish has run "
                            f"{run and run['run_id']} {run and run['status']}, "
                            f"registered {bool(run and run['run_id'] in by_run)}")
    if len(runs) != len(killed_runs) + len(finished):
        failures.append(f"{len(runs)} runs listed, expected {len(killed_runs)} killed "
                        f"with a run + {len(finished)} finished")
    # Artifact folders: only of FINISHED runs, or a killed run's registered model alone.
    partial = []
    for folder in sorted(glob.glob(os.path.join(reg.artifacts, "*"))):
        run_id = os.path.basename(folder)
        run = runs.get(run_id)
        files = sorted(os.path.relpath(os.path.join(d, f), folder)
                       for d, _, fs in os.walk(folder) for f in fs)
        if run is not None and run["status"] == "FINISHED":
            keep = None
        elif run_id in by_run:
            folder_path = by_run[run_id]["artifact_path"]
            keep = [f for f in files
                    if f == folder_path or f.startswith(folder_path + "/")]
        else:
            keep = []
        tmp = [f for f in files if os.path.basename(f).startswith(".")]
        if tmp or (keep is not None and files != keep):
            partial.append(f"{run_id} ({run and run['status']}): {files}")
    if partial:
        failures.append(f"partial artifact folders left: {partial[:5]}")

    # A train after all this still registers, and leaves nothing to collect.
    final = subprocess.run([binary, "train", "--register", "--json", "--tracking-uri", reg.uri,
                            "--out", out, "--seed", str(seed + 1)],
                           capture_output=True, text=True, timeout=300)
    final_version = None
    if final.returncode != 0:
        failures.append(f"the final train --register exited {final.returncode}: "
                        f"{final.stderr.strip()[-500:]}")
    else:
        final_version = (json.loads(final.stdout).get("registered") or {}).get("version")
        if final_version != len(versions) + 1:
            failures.append(f"the final train registered version {final_version}, "
                            f"expected {len(versions) + 1}")
        left = reg.cli("runs", "gc")["killed"]
        if left:
            failures.append(f"runs gc after the final train collected {left}")

    for p in PHASES:
        if counts[p] == 0:
            failures.append(f"coverage: no kill landed in the {p} phase")
    status = [runs[r]["status"] for r in killed_runs if r in runs]
    ended = sum(1 for r in killed_runs
                if r in runs and runs[r]["status"] == "KILLED" and runs[r].get("end_time_ms"))
    on_finished = sum(1 for v in versions
                      if runs.get(v["run_id"], {}).get("status") == "FINISHED")
    running = sum(1 for r in runs.values() if r["status"] == "RUNNING")
    labels = {"start": "before its run existed",
              "finished": "after its run ended FINISHED, before its version",
              "register": "register (run FINISHED)"}
    print(f"kill: {done} kill -9 of train --register ("
          + ", ".join(f"{labels.get(p, p)} {n}" for p, n in counts.items())
          + f"); {len(finished)} trains ran to the end (2 calibrating, {planned} left to "
          f"finish, one of them while runs gc ran: {'yes' if gc_while_live else 'no'}, "
          f"{len(finished) - 2 - planned} done before their kill); runs {len(runs)}, of killed processes "
          f"{len(status)}: KILLED with an end time {ended} ({ended - len(gc)} by the next "
          f"train, {len(gc)} by runs gc), FINISHED {status.count('FINISHED')}; RUNNING "
          f"{running}; versions {len(versions)}, on FINISHED runs {on_finished}, bundles "
          f"load {loaded}/{len(versions)}, aliases {aliases}; partial artifact folders "
          f"{len(partial)}; temp files left in --out {len(out_tmp)}; integrity "
          f"{reg.integrity()}; final train --register: version {final_version}; "
          f"{time.monotonic() - started:.0f} s, DRILL_SEED={rng_seed}; failures {len(failures)}")
    for f in failures[:10]:
        print("  ", f)
    return not failures


def drill_register(binary, directory, procs, each):
    reg = Registry(binary, directory)
    started = time.monotonic()
    results = []  # (worker, seed, alias, returncode, json or None, stderr)
    lock = threading.Lock()
    gate = threading.Barrier(procs)

    def worker(w):
        out = os.path.join(directory, f"out-{w}")
        # Even workers ask for @challenger, odd ones for --promote-if-better: aliases and
        # the champion move under contention too.
        extra = ["--alias", "challenger"] if w % 2 == 0 else ["--promote-if-better"]
        gate.wait()
        for i in range(each):
            seed = 1 + w * each + i
            done = subprocess.run([binary, "train", "--register", "--json", "--tracking-uri",
                                   reg.uri, "--out", out, "--seed", str(seed), *extra],
                                  capture_output=True, text=True, timeout=600)
            parsed = json.loads(done.stdout) if done.returncode == 0 else None
            with lock:
                results.append((w, seed, extra[0], done.returncode, parsed, done.stderr))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(procs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    failures = []
    ok = [r for r in results if r[3] == 0]
    for w, seed, _, code, _, err in results:
        if code != 0:
            failures.append(f"worker {w} seed {seed} exited {code}: {err.strip()[-400:]}")
    runs, versions, aliases, loaded = check_registry(reg, failures, expect_versions=len(ok))
    by_number = {v["version"]: v for v in versions}
    claimed = {}
    challengers = set()
    for w, seed, flag, _, parsed, _ in ok:
        number = (parsed.get("registered") or {}).get("version")
        run_id = (parsed.get("tracking") or {}).get("run_id")
        if number in claimed:
            failures.append(f"version {number} reported by two trains "
                            f"(seeds {claimed[number]} and {seed})")
        claimed[number] = seed
        v = by_number.get(number)
        if v is None or v["run_id"] != run_id:
            failures.append(f"train seed {seed} reported version {number} of run {run_id}, "
                            f"the registry has {v and v['run_id']}")
        if flag == "--alias":
            challengers.add(number)
    if challengers and aliases.get("challenger") not in challengers:
        failures.append(f"@challenger is {aliases.get('challenger')}, not one of the "
                        f"versions that asked for it")
    print(f"register: {procs} processes x {each} train --register at once on one registry "
          f"in {elapsed:.1f} s; trains ok {len(ok)}/{len(results)}; versions {len(versions)} "
          f"(unique and contiguous 1..{len(versions)}: "
          f"{[v['version'] for v in versions] == list(range(1, len(versions) + 1))}, "
          f"each reported by exactly one train: {len(claimed) == len(ok) == len(versions)}), "
          f"on FINISHED runs "
          f"{sum(1 for v in versions if runs.get(v['run_id'], {}).get('status') == 'FINISHED')}"
          f", bundles load {loaded}/{len(versions)}; aliases {aliases}; runs {len(runs)}, "
          f"RUNNING {sum(1 for r in runs.values() if r['status'] == 'RUNNING')}; "
          f"integrity {reg.integrity()}; failures {len(failures)}")
    for f in failures[:10]:
        print("  ", f)
    return not failures


def main():
    kind = sys.argv[1]
    if kind == "kill":
        ok = drill_kill(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif kind == "register":
        ok = drill_register(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(f"unknown drill {kind}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
