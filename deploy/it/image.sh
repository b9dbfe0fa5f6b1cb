#!/usr/bin/env bash
# Image test: starts the image built by deploy/docker/build-local.sh the way a container
# runtime would, and checks it from outside.
#
#   bash deploy/docker/build-local.sh && bash deploy/it/image.sh
#
# `podman run` cannot start containers on this machine (crun refuses: cgroups in hybrid
# mode), so the image's ENTRYPOINT + CMD run through `buildah run --isolation chroot` as
# the image's USER (65532), with the image's ENV and WORKDIR, inside a network namespace
# of its own (only loopback), so the image's port 8000 and its HEALTHCHECK command
# (`reelcast healthcheck --url http://127.0.0.1:8000`) are used unchanged and clash with
# nothing on the host. Checks:
#   1. the HEALTHCHECK command, run in the container, exits 0 within IT_TIMEOUT (120 s);
#   2. the server process is not root (uid/gid 65532, no effective capabilities);
#   3. it serves the model trained at build time: /model/info names the baked bundle file,
#      and its created_at, dataset version, split sizes, seed and metrics are those of
#      /app/artifacts/report/report.json written by the build's `reelcast train`, and
#      created_at precedes the image's creation;
#   4. two real films of the embedded sample (the best- and the worst-rated among the 50
#      most-voted) get different ratings, in the right order, and 40 real films get more
#      than 20 distinct ratings;
#   5. /metrics answers with reelcast_model_loaded 1 and the predictions counted;
#   6. outside /var/lib/reelcast nothing in the image is writable by uid/gid 65532 except
#      the distroless base's own /tmp and /home/nonroot (deploy/compose.yaml and
#      deploy/k8s run the root filesystem read-only with a tmpfs /tmp); the image's own
#      binary, as 65532, cannot overwrite the baked model and can write /var/lib/reelcast;
#   7. the image holds no shell (and `/bin/sh` cannot be started) and no build tools;
#   8. SIGTERM stops the server with exit status 0 (graceful shutdown).
# Prints the image's size and layer count. Stops everything it started (by process group),
# removes its container and network namespace. Exit 0 only when every check passed; 2 when
# it could not run (no image, not root).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${REELCAST_IMAGE_WORK:-$ROOT/target/image}
IMAGE=${REELCAST_IMAGE:-localhost/reelcast:local}
TIMEOUT=${IT_TIMEOUT:-120}

fail() { echo "FAIL $*" >&2; exit 1; }
die() { echo "ERROR $*" >&2; exit 2; }
pass() { echo "PASS $*"; }
bh() { buildah --root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs "$@"; }

[ "$(id -u)" = 0 ] || die "run as root (buildah's vfs storage and network namespaces need it)"
command -v buildah >/dev/null || die "buildah not found: run deploy/docker/build-local.sh first"
if ! command -v ip >/dev/null || ! command -v ss >/dev/null; then
  command -v apt-get >/dev/null || die "ip and ss not found (Debian package iproute2)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iproute2 >/dev/null
fi
PYTHON=$(command -v python3) || die "python3 not found"
bh inspect --type image "$IMAGE" >/dev/null 2>&1 \
  || die "no image $IMAGE in $WORK/storage: build it with bash deploy/docker/build-local.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/reelcast-image-it.XXXXXX")
NS=reelcast-image-$$
CTR=
SERVER_PGID=
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PGID" ] && kill -0 -- "-$SERVER_PGID" 2>/dev/null; then
    kill -TERM -- "-$SERVER_PGID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$SERVER_PGID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SERVER_PGID" 2>/dev/null || true
  fi
  if [ -n "$CTR" ]; then
    bh umount "$CTR" >/dev/null 2>&1 || true
    bh rm "$CTR" >/dev/null 2>&1 || true
  fi
  ip netns del "$NS" 2>/dev/null || true
  if [ "$rc" -ne 0 ] && [ -f "$TMP/server.log" ]; then
    echo "== server log (last lines)"
    tail -n 20 "$TMP/server.log"
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the image's own configuration ------------------------------------------------------------
bh inspect --type image "$IMAGE" >"$TMP/image.json"
read_config() { "$PYTHON" -c "import json,sys; c=json.load(open('$TMP/image.json'))['Docker']['config']; $1"; }
mapfile -t ENTRY < <(read_config 'print("\n".join((c.get("Entrypoint") or []) + (c.get("Cmd") or [])))')
mapfile -t HEALTH < <(read_config 'print("\n".join(((c.get("Healthcheck") or {}).get("Test") or [])[1:]))')
USER_ID=$(read_config 'print(c.get("User") or "")')
[ ${#ENTRY[@]} -gt 0 ] || fail "the image has no ENTRYPOINT/CMD"
[ ${#HEALTH[@]} -gt 0 ] || fail "the image has no HEALTHCHECK (built with --format docker?)"
[ "$USER_ID" = "65532:65532" ] || [ "$USER_ID" = 65532 ] || fail "the image's USER is '$USER_ID', expected 65532"
echo "== image $IMAGE: user $USER_ID; runs: ${ENTRY[*]}"
echo "== healthcheck: ${HEALTH[*]}"

CTR=$(bh from --pull-never --name "reelcast-image-it-$$" "$IMAGE")
MNT=$(bh mount "$CTR")
ip netns add "$NS"
ip -n "$NS" link set lo up
in_ns() { ip netns exec "$NS" "$@"; }
in_ctr() { in_ns buildah --root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs \
  run --isolation chroot --user 65532:65532 "$CTR" -- "$@"; }
# The same from /var/lib/reelcast, where `reelcast train` can keep its tracking database.
in_ctr_data() { in_ns buildah --root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs \
  run --isolation chroot --user 65532:65532 --workingdir /var/lib/reelcast "$CTR" -- "$@"; }

# --- 1. start, wait for the HEALTHCHECK ---------------------------------------------------------
# `buildah run --isolation chroot` creates missing mount points (/dev, /proc, /sys) in the
# container's root filesystem, with a plain mkdir that fails when another run of the same
# container creates the same directory first. The server and the health probes below run
# at the same time, so one run of the image's binary goes first, alone, and leaves them made.
in_ctr "${ENTRY[0]}" --version >"$TMP/first-run.log" 2>&1 \
  || { cat "$TMP/first-run.log" >&2; fail "the image's ${ENTRY[0]} --version did not run"; }
# setsid: the server and buildah's helpers form one process group, stopped as one.
setsid ip netns exec "$NS" \
  buildah --root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs \
  run --isolation chroot --user 65532:65532 "$CTR" -- "${ENTRY[@]}" \
  >"$TMP/server.log" 2>&1 &
SERVER_PGID=$!
started=$(date +%s)
until in_ctr "${HEALTH[@]}" >/dev/null 2>&1; do
  kill -0 "$SERVER_PGID" 2>/dev/null || fail "the container exited before it was ready"
  [ $(( $(date +%s) - started )) -lt "$TIMEOUT" ] || fail "the HEALTHCHECK did not pass within $TIMEOUT s"
  sleep 0.5
done
pass "HEALTHCHECK (${HEALTH[*]}) exits 0 after $(( $(date +%s) - started )) s"

# --- 2. not root ---------------------------------------------------------------------------
SERVER_PID=$(in_ns ss -Hltnp 'sport = :8000' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
[ -n "$SERVER_PID" ] || fail "nothing listens on port 8000 in the container's network namespace"
exe=$(readlink "/proc/$SERVER_PID/exe")
case "$exe" in */usr/local/bin/reelcast) ;; *) fail "port 8000 is held by $exe, not the image's reelcast" ;; esac
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$SERVER_PID/status")
gids=$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$SERVER_PID/status")
capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$SERVER_PID/status")
[ "$uids" = "65532 65532 65532 65532" ] || fail "server uids are $uids, expected 65532"
[ "$gids" = "65532 65532 65532 65532" ] || fail "server gids are $gids, expected 65532"
[ "$capeff" = 0000000000000000 ] || fail "server has effective capabilities $capeff"
pass "server (pid $SERVER_PID, $exe) runs as uid/gid 65532 with no capabilities"

# --- 3-5. HTTP checks from outside the container -------------------------------------------------
IMAGE_CREATED=$("$PYTHON" -c "import json; print(json.load(open('$TMP/image.json'))['Docker']['created'])")
in_ns "$PYTHON" - "$MNT/app/artifacts/report/report.json" "$ROOT/data/sample" "$IMAGE_CREATED" <<'EOF'
import csv, datetime, gzip, io, json, sys, urllib.request

report_path, sample, image_created = sys.argv[1:4]
API = "http://127.0.0.1:8000"

def call(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        raw = r.read().decode()
        return r.status, raw

def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)

def when(s):
    # RFC 3339 with a Z or an offset, and Go's nanoseconds in the image's created time.
    s = s.replace("Z", "+00:00")
    head, _, rest = s.partition(".")
    if rest:
        frac = "".join(ch for ch in rest if ch.isdigit())
        tz = rest[len(frac):]
        s = head + "." + frac[:6] + tz
    return datetime.datetime.fromisoformat(s)

# 3. the model trained at build time
status, raw = call("/model/info")
info = json.loads(raw)
meta = json.load(open(report_path))["metadata"]
if info["source"] != "/app/artifacts/model.bundle":
    fail(f"/model/info source is {info['source']!r}, not the baked /app/artifacts/model.bundle")
for key in ("created_at", "dataset_version", "n_train", "n_test", "seed", "reelcast_version", "metrics"):
    if info[key] != meta[key]:
        fail(f"/model/info {key} = {info[key]!r}, but the build's report.json says {meta[key]!r}")
if not when(info["created_at"]) <= when(image_created):
    fail(f"model created_at {info['created_at']} is after the image's creation {image_created}")
test = info["metrics"]["test"]
print(f"PASS /model/info: {info['name']} version {info['version']} ({info['kind']}, fingerprint "
      f"{info['fingerprint']}), trained at build time {info['created_at']} (image created "
      f"{image_created[:19]}Z) on dataset {info['dataset_version'][:12]}, n_train {info['n_train']}, "
      f"n_test {info['n_test']}, test RMSE {test['rmse']:.4f}: equal to the build's report.json")

# 4. real films of the embedded sample
def tsv(name):
    with gzip.open(f"{sample}/{name}", "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))

ratings = {r["tconst"]: r for r in tsv("title.ratings.tsv.gz")}
films = []
for b in tsv("title.basics.tsv.gz"):
    r = ratings.get(b["tconst"])
    if b["titleType"] != "movie" or r is None or "\\N" in (b["startYear"], b["runtimeMinutes"]):
        continue
    films.append({
        "title": b["primaryTitle"], "startYear": int(b["startYear"]),
        "runtimeMinutes": int(b["runtimeMinutes"]), "numVotes": int(r["numVotes"]),
        "genres": [] if b["genres"] == "\\N" else b["genres"].split(","),
        "actual": float(r["averageRating"]),
    })
top = sorted(films, key=lambda f: -f["numVotes"])[:50]
best, worst = max(top, key=lambda f: f["actual"]), min(top, key=lambda f: f["actual"])
pred = {}
for film in (best, worst):
    body = {k: v for k, v in film.items() if k != "actual"}
    status, raw = call("/predict/movie", body)
    pred[film["title"]] = json.loads(raw)["predicted_rating"]
pb, pw = pred[best["title"]], pred[worst["title"]]
if not pb > pw:
    fail(f"{best['title']} (IMDb {best['actual']}) got {pb}, {worst['title']} (IMDb {worst['actual']}) got {pw}")
print(f"PASS two films, two ratings: {best['title']} ({best['startYear']}, IMDb {best['actual']}) -> {pb:.2f}; "
      f"{worst['title']} ({worst['startYear']}, IMDb {worst['actual']}) -> {pw:.2f}")
batch = [{k: v for k, v in f.items() if k != "actual"} for f in films[:40]]
status, raw = call("/predict/batch", {"movies": batch})
body = json.loads(raw)
got = [p["predicted_rating"] for p in body["predictions"]]
if len(got) != len(batch):
    fail(f"/predict/batch returned {len(got)} ratings for {len(batch)} films: {raw[:300]}")
distinct = len({round(x, 4) for x in got})
if distinct <= 20:
    fail(f"40 real films got only {distinct} distinct ratings")
print(f"PASS /predict/batch: 40 real films, {distinct} distinct ratings ({min(got):.2f}..{max(got):.2f})")

# 5. /metrics
status, text = call("/metrics")
lines = text.splitlines()
if "reelcast_model_loaded 1" not in lines:
    fail("/metrics has no 'reelcast_model_loaded 1'")
counted = sum(float(l.rsplit(" ", 1)[1]) for l in lines if l.startswith("reelcast_predictions_total{"))
if counted < 42:
    fail(f"/metrics counts {counted} predictions, expected at least 42")
print(f"PASS /metrics answers ({len(lines)} lines; reelcast_model_loaded 1; reelcast_predictions_total {counted:.0f})")
EOF

# --- 6. read-only outside /var/lib/reelcast ----------------------------------------------------
# Everything (not a symlink) that uid 65532 or gid 65532 may write, by its owner, group and
# mode bits, relative to the image's root.
(cd "$MNT" && find . -xdev ! -type l \( \( -uid 65532 -perm -u+w \) -o \( -gid 65532 -perm -g+w \) -o -perm -o+w \) -print) \
  | sed 's|^\.||' | sort >"$TMP/writable"
unexpected=$(grep -vE '^(/var/lib/reelcast(/.*)?|/tmp|/home/nonroot)$' "$TMP/writable" || true)
[ -z "$unexpected" ] || fail "writable by 65532 outside /var/lib/reelcast: $(echo "$unexpected" | head -5 | tr '\n' ' ')"
grep -qx /var/lib/reelcast/textfile "$TMP/writable" || fail "/var/lib/reelcast/textfile is not writable by 65532"
model_sum=$(sha256sum "$MNT/app/artifacts/model.bundle" | cut -d' ' -f1)
if in_ctr_data /usr/local/bin/reelcast train --out /app/artifacts >"$TMP/overwrite.log" 2>&1; then
  fail "reelcast train --out /app/artifacts succeeded as 65532: the baked model is writable"
fi
[ "$(sha256sum "$MNT/app/artifacts/model.bundle" | cut -d' ' -f1)" = "$model_sum" ] || fail "the baked model changed"
in_ctr_data /usr/local/bin/reelcast train --out /var/lib/reelcast/probe >"$TMP/probe.log" 2>&1 \
  || fail "reelcast train --out /var/lib/reelcast/probe failed as 65532: $(grep -m1 -i error "$TMP/probe.log")"
[ -s "$MNT/var/lib/reelcast/probe/model.bundle" ] || fail "no bundle written to /var/lib/reelcast/probe"
pass "writable by 65532: $(tr '\n' ' ' <"$TMP/writable")(nothing else); 'reelcast train --out /app/artifacts' fails ($(grep -o -m1 -i 'permission denied\|read-only' "$TMP/overwrite.log" || echo refused)), the model is unchanged; /var/lib/reelcast takes a bundle"

# --- 7. no shell, no build tools ---------------------------------------------------------------
found=$(cd "$MNT" && find . -xdev \( -type f -o -type l \) \( -name sh -o -name bash -o -name dash -o -name ash \
  -o -name zsh -o -name ksh -o -name busybox -o -name cc -o -name gcc -o -name 'gcc-[0-9]*' -o -name ld \
  -o -name as -o -name make -o -name cargo -o -name rustc -o -name rustup -o -name apt -o -name apt-get \
  -o -name dpkg -o -name perl -o -name python3 \) -print | sed 's|^\.||')
[ -z "$found" ] || fail "the image holds a shell or build tools: $(echo "$found" | tr '\n' ' ')"
if in_ctr /bin/sh -c true >"$TMP/sh.log" 2>&1; then fail "/bin/sh runs in the image"; fi
grep -q 'no such file' "$TMP/sh.log" || fail "/bin/sh failed for another reason: $(head -c 300 "$TMP/sh.log")"
pass "no shell (/bin/sh: no such file or directory) and no compiler, linker, cargo, make, package manager or interpreter"

# --- 8. graceful stop -------------------------------------------------------------------------
kill -TERM "$SERVER_PID"
for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$SERVER_PID" 2>/dev/null || fail "the server did not stop within 10 s of SIGTERM"
wait "$SERVER_PGID" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "the container exited with status $rc after SIGTERM"
SERVER_PGID=
head -1 "$TMP/server.log" | "$PYTHON" -c 'import json,sys; json.loads(sys.stdin.read())' \
  || fail "the server's first log line is not JSON (CMD asks for --log-format json)"
pass "SIGTERM: the server stopped and the container exited 0; its logs are JSON lines"

# --- size and layers ---------------------------------------------------------------------------
"$PYTHON" - "$TMP/image.json" "$IMAGE" "$(bh images --format '{{.Size}}' "$IMAGE")" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
layers = d["Docker"]["rootfs"]["diff_ids"]
hist = [h for h in d["Docker"].get("history", []) if not h.get("empty_layer")]
print(f"== image {sys.argv[2]}: {sys.argv[3]} (uncompressed), {len(layers)} layers")
for h in hist:
    print(f"   layer: {h.get('created_by', '')[:110]}")
EOF
echo "8 passed, 0 failed"
