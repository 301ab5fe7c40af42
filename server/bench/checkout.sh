#!/usr/bin/env bash
# Starts the release server on the local stores (databases suffixed _bench) and
# runs checkout.py against it. Usage: server/bench/checkout.sh [seconds] [shoppers]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server_dir=$(dirname "$here")
port=${BENCH_PORT:-18091}
bin=${MARKETPLACE_BIN:-$server_dir/.build/release/marketplace}
[ -x "$bin" ] || { echo "build it first: cd server && swift build -c release --product marketplace" >&2; exit 1; }
eval "$("$server_dir/dev/stores" up 2>/dev/null)"
export STOREFRONT_DB_SUFFIX=_bench STOREFRONT_PORT=$port STOREFRONT_RATE_LIMIT=off LOG_LEVEL=error
if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
    echo "port $port already has a server; stop it or set BENCH_PORT" >&2; exit 1
fi
"$bin" migrate >/dev/null
"$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
echo "binary: $bin"
timeout 300 python3 "$here/checkout.py" "http://127.0.0.1:$port" "${1:-15}" "${2:-32}"
