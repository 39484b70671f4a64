#!/usr/bin/env bash
# Podman as the container suites (and anyone reproducing them) run it on a machine with no Docker
# engine and no reachable image registry: a private configuration that changes nothing global, and
# stand-ins for the public base images the Dockerfile and docker-compose.yml name, made locally from
# Debian when missing and cached under one fixed folder outside the repository.
#
#   scripts/containers.sh check                  every tool there, or how to install what is not
#   scripts/containers.sh stand-ins IMAGE...     make the stand-ins for these references when missing
#   scripts/containers.sh build TAG              stand-ins for the Dockerfile's FROM, then build the image
#                                                (its stages tagged TAG-stage-NAME, kept as the build cache)
#   scripts/containers.sh prepare                the image and stand-ins docker-compose.yml needs (the suites' setup)
#   scripts/containers.sh podman ARGS...         podman with the private configuration
#   scripts/containers.sh compose ARGS...        podman-compose with the private configuration
#
# Why each setting (found by trying on these machines): crun refuses the mixed cgroup layout, so
# runc; there is no systemd, so cgroupfs and a file events log; podman's default ulimits exceed what
# the machine allows raising to, so the hard limits in force are the defaults. Images are built with
# --format docker because the OCI format drops HEALTHCHECK, and never pulled.
#
# A stand-in is NOT the public image: it is Debian bookworm (minbase) with what the public image
# provides to this project (Node 20 and npm with user node, uid 1000; redis-server run as user redis in
# /data; Prometheus from Debian's package, run as nobody) and, for the Node one only, this machine's
# certificate authorities so `npm ci` works behind its TLS-re-signing network. It never leaves the
# private storage. Set GATEHOUSE_CONTAINERS_CACHE to move the cache.
set -euo pipefail

CACHE=${GATEHOUSE_CONTAINERS_CACHE:-/var/tmp/gatehouse-containers}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INSTALL_HINT='install them with: apt-get install --no-install-recommends podman podman-compose runc netavark aardvark-dns debootstrap prometheus (Debian 12; .ci/run does this)'

die() {
  echo "containers.sh: $*" >&2
  exit 1
}

check_tools() {
  local missing=()
  for tool in podman podman-compose runc debootstrap prometheus promtool; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  # Compose services find each other by name only with netavark's DNS (CNI has none without a plugin).
  [ -x /usr/lib/podman/netavark ] && [ -x /usr/lib/podman/aardvark-dns ] || missing+=(netavark aardvark-dns)
  [ ${#missing[@]} -eq 0 ] || die "not found: ${missing[*]}; $INSTALL_HINT"
  [ "$(id -u)" -eq 0 ] || die "the container suites run podman as root (rootless podman needs subuid ranges these machines lack)"
}

# Writes the private containers.conf and storage.conf once, then points podman at them.
configure() {
  mkdir -p "$CACHE/rootfs"
  if [ ! -f "$CACHE/containers.conf" ]; then
    local nofile nproc
    nofile=$(ulimit -Hn)
    nproc=$(ulimit -Hu)
    [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
    [ "$nofile" = unlimited ] && nofile=1048576
    cat >"$CACHE/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$CACHE/events.log"
EOF
    cat >"$CACHE/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$CACHE/storage"
runroot = "$CACHE/run"
EOF
  fi
  export CONTAINERS_CONF="$CACHE/containers.conf"
  export CONTAINERS_STORAGE_CONF="$CACHE/storage.conf"
}

# The Debian mirror this machine's apt uses (debootstrap's own default when none is found).
debian_mirror() {
  local uri
  uri=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  echo "$uri"
}

# Caches a Debian bookworm minbase root filesystem (with extra packages) as $CACHE/rootfs/NAME.tar.
debootstrap_rootfs() {
  local name=$1 include=${2:-}
  local tarball="$CACHE/rootfs/$name.tar"
  [ -f "$tarball" ] && return
  local dir
  dir=$(mktemp -d "$CACHE/rootfs/$name.XXXXXX")
  local args=(--variant=minbase)
  [ -n "$include" ] && args+=("--include=$include")
  # shellcheck disable=SC2046
  debootstrap "${args[@]}" bookworm "$dir" $(debian_mirror) >"$dir.log" 2>&1 || die "debootstrap of $name failed (log: $dir.log)"
  rm -rf "$dir/var/cache/apt/archives"/*.deb "$dir/var/lib/apt/lists"/*
  tar -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf "$dir" "$dir.log"
}

# Unpacks a cached root filesystem into a fresh folder and prints its path.
unpack_rootfs() {
  local dir
  dir=$(mktemp -d "$CACHE/rootfs/unpack.XXXXXX")
  tar -C "$dir" -xf "$CACHE/rootfs/$1.tar"
  echo "$dir"
}

import_image() {
  local dir=$1 ref=$2
  shift 2
  local changes=()
  for change in "$@"; do changes+=(--change "$change"); done
  tar -C "$dir" -c . | podman import --quiet "${changes[@]}" - "$ref" >/dev/null
  rm -rf "$dir"
}

# node:20-bookworm-slim: Node 20 and npm from this machine, user node (uid 1000), as the official image.
make_node() {
  local ref=$1 dir
  dir=$(unpack_rootfs base)
  install -m 0755 "$(readlink -f "$(command -v node)")" "$dir/usr/local/bin/node"
  mkdir -p "$dir/usr/local/lib/node_modules"
  cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$dir/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
  # The stand-in only: this machine's network re-signs TLS, so npm needs its certificate authorities.
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
  echo 'node:x:1000:' >>"$dir/etc/group"
  echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$dir/etc/passwd"
  echo 'node:*:19000:0:99999:7:::' >>"$dir/etc/shadow"
  install -d -o 1000 -g 1000 "$dir/home/node"
  import_image "$dir" "$ref" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    'CMD ["node"]'
}

# redis:*: Debian's redis-server, started as the official image's entrypoint does (user redis in
# /data, protected mode off so other containers may connect).
make_redis() {
  local ref=$1 dir
  dir=$(unpack_rootfs redis)
  cat >"$dir/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "${1#-}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  chown -R redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups "$@" --protected-mode no
fi
exec "$@"
EOF
  chmod 0755 "$dir/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$dir/data"
  import_image "$dir" "$ref" \
    'WORKDIR /data' 'VOLUME /data' 'EXPOSE 6379' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["redis-server"]'
}

# prom/prometheus:*: this machine's Prometheus and promtool from Debian's package (they need only
# libc), with the official image's entrypoint, arguments, user and data folder.
make_prometheus() {
  local ref=$1 dir
  dir=$(unpack_rootfs base)
  install -m 0755 "$(command -v prometheus)" "$(command -v promtool)" "$dir/usr/bin/"
  [ -d /usr/share/prometheus ] && cp -a /usr/share/prometheus "$dir/usr/share/prometheus"
  mkdir -p "$dir/etc/prometheus"
  printf 'scrape_configs: []\n' >"$dir/etc/prometheus/prometheus.yml"
  install -d -o 65534 -g 65534 "$dir/prometheus"
  import_image "$dir" "$ref" \
    'USER nobody' 'WORKDIR /prometheus' 'VOLUME /prometheus' 'EXPOSE 9090' \
    'ENTRYPOINT ["/bin/prometheus"]' \
    'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'
}

# Which stand-in a reference gets, by the public image's name.
stand_in_kind() {
  case "$1" in
    node:* | docker.io/library/node:*) echo node ;;
    redis:* | docker.io/library/redis:*) echo redis ;;
    prom/prometheus:* | docker.io/prom/prometheus:*) echo prometheus ;;
    *) die "no stand-in is known for $1 (and nothing can be pulled here)" ;;
  esac
}

# Makes the stand-in for each reference that podman's storage does not hold yet.
stand_ins() {
  local ref kind missing=() rootfs=()
  # Left by a run that was killed half-way.
  rm -rf "$CACHE/rootfs"/unpack.* "$CACHE/rootfs"/*.tar.tmp
  for ref in "$@"; do
    podman image exists "$ref" && continue
    kind=$(stand_in_kind "$ref")
    missing+=("$ref")
    # name:packages of the root filesystem it is made from
    case "$kind" in redis) rootfs+=(redis:redis-server) ;; *) rootfs+=(base:) ;; esac
  done
  [ ${#missing[@]} -eq 0 ] && return
  # The root filesystems first, side by side: each debootstrap mostly waits on the mirror.
  local spec pids=()
  for spec in $(printf '%s\n' "${rootfs[@]}" | sort -u); do
    debootstrap_rootfs "${spec%%:*}" "${spec#*:}" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || die "a root filesystem could not be made"; done
  for ref in "${missing[@]}"; do
    "make_$(stand_in_kind "$ref")" "$ref"
    echo "containers.sh: made a stand-in for $ref" >&2
  done
}

# Builds this checkout's Dockerfile as TAG, after the stand-ins for the images its stages start FROM.
build_image() {
  # shellcheck disable=SC2046
  stand_ins $(awk 'toupper($1) == "FROM" { print $2 }' "$ROOT/Dockerfile" | sort -u)
  # Each named stage is tagged too, so its layers stay as the next build's cache while the
  # images older builds left behind (untagged now) are pruned and the cache stays one build big.
  local target
  for target in $(awk 'toupper($1) == "FROM" && toupper($3) == "AS" { print $4 }' "$ROOT/Dockerfile") ""; do
    podman build --format docker --pull=never ${target:+--target "$target"} -t "$1${target:+-stage-$target}" "$ROOT" >"$CACHE/build.log" 2>&1 \
      || { tail -n 40 "$CACHE/build.log" >&2; die "podman build failed (whole log: $CACHE/build.log)"; }
  done
  podman image prune --force >/dev/null
}

# Holds the cache's lock for the rest of this process: suites running side by side make each
# stand-in and build each image once, one after the other.
lock() {
  exec 9>"$CACHE/lock"
  flock 9
}

command=${1:-}
[ -n "$command" ] || die "usage: containers.sh check | stand-ins IMAGE... | build TAG | podman ARGS... | compose ARGS..."
shift
check_tools
configure
case "$command" in
  check) ;;
  stand-ins)
    lock
    stand_ins "$@"
    ;;
  build)
    [ $# -eq 1 ] || die "usage: containers.sh build TAG"
    lock
    build_image "$1"
    ;;
  prepare)
    # Everything the container suites use, before they run: cold it takes minutes (two debootstraps,
    # npm ci inside the build), longer than one suite may take. Stand-ins for the Dockerfile's base
    # image and every image docker-compose.yml names that has one (Grafana has none; no suite runs
    # it), then the image compose builds (named by the image: line before build: .).
    lock
    compose="$ROOT/docker-compose.yml"
    built=$(awk '$1 == "image:" { image = $2 } $1 == "build:" && $2 == "." { print image }' "$compose" | sort -u)
    # All stand-ins at once (their debootstraps run side by side), then the build.
    refs=$(awk 'toupper($1) == "FROM" { print $2 }' "$ROOT/Dockerfile")
    for ref in $(awk '$1 == "image:" { print $2 }' "$compose"); do
      (stand_in_kind "$ref") >/dev/null 2>&1 && refs="$refs $ref"
    done
    # shellcheck disable=SC2046
    stand_ins $(printf '%s\n' $refs | sort -u)
    for ref in $built; do build_image "$ref"; done
    ;;
  podman) exec podman "$@" ;;
  compose) exec podman-compose "$@" ;;
  *) die "unknown command: $command" ;;
esac
