#!/usr/bin/env bash
# Run the MCP conformance suite (both protocol eras) against the resource server in
# --no-auth mode with the suite's fixture tools, like tests/conformance does, but on a
# real port with the results kept in results/conformance-<revision>/.
#   scripts/conformance.sh [PORT]        (default 8765)
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-8765}
bash scripts/install-node-tools.sh
export PATH="$PWD/.tools/node22/node_modules/.bin:$PATH"
suite=.tools/conformance/node_modules/.bin/conformance

.venv/bin/python -m tests.conformance.serve "$port" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.2
done

status=0
for revision in 2025-11-25 2026-07-28; do
    echo "=== conformance --requirements $revision"
    "$suite" server --url "http://127.0.0.1:$port/mcp" --requirements "$revision" \
        --expected-failures tests/conformance-baseline.yml -o "results/conformance-$revision" \
        || status=1
done
exit $status
