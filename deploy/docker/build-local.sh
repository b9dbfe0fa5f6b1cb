#!/usr/bin/env bash
# Builds deploy/docker/Dockerfile, unchanged, on a machine with no Docker engine and no
# reachable container registry, with buildah (chroot isolation, vfs storage).
#
#   bash deploy/docker/build-local.sh            # -> localhost/reelcast:local
#   bash deploy/it/image.sh                      # starts it and checks it from outside
#   bash deploy/docker/build-local.sh --clean    # removes the storage (several GB)
#
# The Dockerfile's two bases cannot be pulled here, so this script first makes local
# STAND-INS tagged with the same names, from Debian bookworm packages (debootstrap, from
# the Debian mirror apt already uses on this machine):
#   - docker.io/library/rust:1.95-slim-bookworm (stand-in): bookworm minbase + gcc,
#     libc6-dev, ca-certificates, with RUSTUP_HOME/CARGO_HOME/PATH as the official image
#     sets them. The compiler is NOT copied in: /usr/local/cargo/bin/{cargo,rustc,rustdoc}
#     point into /usr/local/rustup/toolchains/<release>-<host>, which stays empty in the
#     image and is this machine's own toolchain (`rustc --print sysroot`), bind-mounted
#     read-only into every RUN step of the build (`buildah bud --volume`). Its release must
#     be the Dockerfile's RUST_VERSION.
#   - gcr.io/distroless/cc-debian12:nonroot (stand-in): only the files of libc6,
#     libgcc-s1, libstdc++6 and libssl3, the CA bundle, /etc/passwd and /etc/group with
#     root, nobody and nonroot (65532), /home/nonroot (0700, 65532), /tmp (1777), USER
#     65532 and WORKDIR /home/nonroot, like the real one; no shell, no package manager.
# Built anywhere else (docker build, CI with Docker), the same Dockerfile uses the real
# images.
#
# Network: buildah's chroot isolation shares the host's network, so the build's
# `cargo install cargo-chef` and `cargo chef cook` download crates from crates.io exactly
# as a docker build would (nothing else is downloaded: the stand-ins come from Debian's
# packages). No host cargo cache is mounted, so the build proves that Cargo.lock and the
# build context suffice. The host's CA bundle ($SSL_CERT_FILE or the system one) is
# mounted over the stand-in's during RUN steps, for hosts whose way out is a
# TLS-inspecting gateway.
#
# Storage: everything (image store, rootfs, logs) lives in $REELCAST_IMAGE_WORK (default
# target/image, which .dockerignore keeps out of the build context). Layers are cached
# there between runs (`buildah bud --layers`), so a second build after a source change
# reuses the dependency layer. Needs root and Debian's buildah and debootstrap
# (installed when missing).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
WORK=${REELCAST_IMAGE_WORK:-$ROOT/target/image}
IMAGE=${REELCAST_IMAGE:-localhost/reelcast:local}
RUST_TAG=docker.io/library/rust:1.95-slim-bookworm
DISTROLESS_TAG=gcr.io/distroless/cc-debian12:nonroot
SUITE=bookworm

fail() { echo "FAIL $*" >&2; exit 2; }
log() { echo "== $* ($(( $(date +%s) - started )) s)"; }
started=$(date +%s)

# buildah with this script's own storage, so nothing touches the machine's default store.
bh() { buildah --root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs "$@"; }

if [ "${1:-}" = --clean ]; then
  if [ -d "$WORK/storage" ]; then
    bh rm --all >/dev/null 2>&1 || true
    bh rmi --all --force >/dev/null 2>&1 || true
  fi
  # A build stopped midway (CI's time budget) can leave RUN-step mounts behind.
  { findmnt -rn -o TARGET | grep -F "$WORK" | sort -r | while read -r m; do umount -l "$m" || true; done; } || true
  rm -rf "$WORK"
  echo "removed $WORK"
  exit 0
fi

[ "$(id -u)" = 0 ] || fail "run as root: buildah's vfs storage and debootstrap need it"
need=()
command -v buildah >/dev/null || need+=(buildah)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || fail "install ${need[*]} (Debian packages)"
  log "installing ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v rustc >/dev/null || fail "no rustc on PATH: the rust stand-in uses this machine's toolchain"

mkdir -p "$WORK"
ROOTFS=$WORK/rootfs
# A mount left by an interrupted debootstrap (proc, sys inside the rootfs) is undone on
# exit; containers made only to assemble a stand-in are removed.
cleanup() {
  local rc=$?
  if [ -d "$ROOTFS" ]; then
    findmnt -rn -o TARGET | grep -F "$ROOTFS" | sort -r | while read -r m; do umount -l "$m" || true; done
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the toolchain the rust stand-in reaches --------------------------------------------
SYSROOT=$(cd "$(rustc --print sysroot)" && pwd -P)
RELEASE=$(rustc -vV | sed -n 's/^release: //p')
HOST=$(rustc -vV | sed -n 's/^host: //p')
WANT=$(sed -n 's/^ARG RUST_VERSION=//p' deploy/docker/Dockerfile)
case "$RELEASE" in
  "$WANT" | "$WANT".*) ;;
  *) fail "this machine's rustc is $RELEASE, the Dockerfile wants RUST_VERSION=$WANT: install that toolchain (rustup) or build with the real bases" ;;
esac
TOOLCHAIN=/usr/local/rustup/toolchains/$RELEASE-$HOST
HOST_CA=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
[ -s "$HOST_CA" ] || fail "no CA bundle at $HOST_CA (apt-get install ca-certificates, or set SSL_CERT_FILE)"

# --- the Debian mirror apt already uses -------------------------------------------------
mirror() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | sed -nE 's/^(URIs:[[:space:]]*|deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)([a-z]+:\/\/[^[:space:]]+).*/\3/p' \
    | grep -E '/debian/?$' | head -1
}

have_image() { bh inspect --type image "$1" >/dev/null 2>&1; }

# --- stand-in bases ------------------------------------------------------------------------
make_rootfs() {
  local url
  url=$(mirror) || true
  [ -n "$url" ] || fail "no Debian mirror (a URIs:/deb line ending in /debian) in /etc/apt/sources.list*"
  log "debootstrap $SUITE minbase + gcc, libc6-dev, ca-certificates from $url"
  rm -rf "$ROOTFS"
  debootstrap --variant=minbase --include=ca-certificates,gcc,libc6-dev \
    "$SUITE" "$ROOTFS" "$url" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log"; fail "debootstrap failed (log: $WORK/debootstrap.log)"; }
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
}

# commit_dir DIR TAG CONFIG...: an image of one layer holding DIR, with buildah config args.
commit_dir() {
  local dir=$1 tag=$2 ctr mnt
  shift 2
  ctr=$(bh from --pull-never scratch)
  mnt=$(bh mount "$ctr")
  tar -C "$dir" -cf - . | tar -C "$mnt" -xpf - --numeric-owner
  bh umount "$ctr" >/dev/null
  bh config "$@" "$ctr"
  bh commit --quiet --rm "$ctr" "$tag" >/dev/null
}

make_rust_standin() {
  [ -d "$ROOTFS/usr/bin" ] || make_rootfs
  local dir=$WORK/rust-standin
  rm -rf "$dir"
  cp -a "$ROOTFS" "$dir"
  # Empty mount point for the host toolchain; cargo, rustc and rustdoc are links into it,
  # so no rustup is involved and `cargo install` writes to /usr/local/cargo/bin as usual.
  mkdir -p "$dir$TOOLCHAIN" "$dir/usr/local/cargo/bin"
  for tool in cargo rustc rustdoc; do ln -s "$TOOLCHAIN/bin/$tool" "$dir/usr/local/cargo/bin/$tool"; done
  commit_dir "$dir" "$RUST_TAG" \
    --env RUSTUP_HOME=/usr/local/rustup --env CARGO_HOME=/usr/local/cargo \
    --env PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env RUST_VERSION="$RELEASE" --cmd bash \
    --label org.opencontainers.image.description="LOCAL STAND-IN for rust:1.95-slim-bookworm (reelcast deploy/docker/build-local.sh); toolchain bind-mounted at $TOOLCHAIN"
  rm -rf "$dir"
}

make_distroless_standin() {
  [ -d "$ROOTFS/usr/bin" ] || make_rootfs
  local dir=$WORK/distroless-standin list pkg
  rm -rf "$dir"
  mkdir -p "$dir"/{etc/ssl/certs,usr/bin,usr/lib/x86_64-linux-gnu,usr/lib64,usr/sbin,home/nonroot,tmp,var/lib}
  # Debian bookworm's merged /usr.
  for d in bin lib lib64 sbin; do ln -s "usr/$d" "$dir/$d"; done
  list=$WORK/distroless-files.txt
  : >"$list"
  for pkg in libc6 libgcc-s1 libstdc++6 libssl3; do
    local f
    f=$(find "$ROOTFS/var/lib/dpkg/info" -maxdepth 1 \( -name "$pkg.list" -o -name "$pkg:*.list" \) | head -1)
    [ -n "$f" ] || fail "package $pkg is missing from the debootstrap rootfs"
    # Files and links only (directories come with them); no documentation.
    while read -r p; do
      if [ -z "$p" ] || [ -d "$ROOTFS$p" ]; then continue; fi
      case "$p" in /usr/share/doc/* | /usr/share/lintian/* | /usr/share/man/* | /usr/share/locale/*) continue ;; esac
      echo ".$p" >>"$list"
    done <"$f"
  done
  echo ./etc/ssl/certs/ca-certificates.crt >>"$list"
  tar -C "$ROOTFS" -cf - --no-recursion -T "$list" \
    | tar -C "$dir" -xpf - --keep-directory-symlink --numeric-owner
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' >"$dir/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$dir/etc/nsswitch.conf"
  cp "$ROOTFS/etc/os-release" "$dir/etc/os-release"
  chown 65532:65532 "$dir/home/nonroot"
  chmod 0700 "$dir/home/nonroot"
  chmod 1777 "$dir/tmp"
  commit_dir "$dir" "$DISTROLESS_TAG" \
    --user 65532 --workingdir /home/nonroot \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --label org.opencontainers.image.description="LOCAL STAND-IN for gcr.io/distroless/cc-debian12:nonroot (reelcast deploy/docker/build-local.sh)"
  rm -rf "$dir"
}

if have_image "$RUST_TAG"; then log "stand-in $RUST_TAG exists"; else log "making stand-in $RUST_TAG"; make_rust_standin; fi
if have_image "$DISTROLESS_TAG"; then log "stand-in $DISTROLESS_TAG exists"; else log "making stand-in $DISTROLESS_TAG"; make_distroless_standin; fi
rm -rf "$ROOTFS"

[ "${REELCAST_IMAGE_STANDINS_ONLY:-}" = 1 ] && { log "stand-ins ready"; exit 0; }

# --- the image -------------------------------------------------------------------------------
log "building $IMAGE from deploy/docker/Dockerfile (unchanged)"
build_started=$(date +%s)
# --format docker keeps HEALTHCHECK in the image config (the OCI format has no field for
# it), as `docker build` does. The host's CA bundle replaces the stand-in's during RUN
# steps only (never committed): this machine reaches crates.io through a TLS-inspecting
# gateway whose CA only the host's bundle holds.
bh bud --isolation chroot --pull-never --layers --force-rm --format docker \
  --volume "$SYSROOT:$TOOLCHAIN:ro" \
  --volume "$HOST_CA:/etc/ssl/certs/ca-certificates.crt:ro" \
  --build-arg VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" \
  --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -f deploy/docker/Dockerfile -t "$IMAGE" . 2>&1 | tee "$WORK/build.log"
build_seconds=$(( $(date +%s) - build_started ))
have_image "$IMAGE" || fail "the build made no image $IMAGE (log: $WORK/build.log)"
echo "$build_seconds" >"$WORK/build-seconds"
log "built $IMAGE in $build_seconds s"
