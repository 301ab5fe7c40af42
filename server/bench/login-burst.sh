#!/usr/bin/env bash
# Does a burst of logins stall other requests? bcrypt runs on NIO's blocking
# pool, so /health should stay fast while every core is busy hashing.
#
#   server/bench/login-burst.sh [seconds]      (default 10; loopback only)
#
# Uses MARKETPLACE_BIN (default: the release build if present, else debug),
# the local stores, and databases suffixed _bench.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server_dir=$(dirname "$here")
seconds=${1:-10}
port=${BENCH_PORT:-18090}
url="http://127.0.0.1:$port"
bin=${MARKETPLACE_BIN:-}
if [ -z "$bin" ]; then
    bin=$server_dir/.build/release/marketplace
    [ -x "$bin" ] || bin=$server_dir/.build/debug/marketplace
fi
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

eval "$("$server_dir/dev/stores" up 2>/dev/null)"
export STOREFRONT_DB_SUFFIX=_bench STOREFRONT_PORT=$port LOG_LEVEL=error
if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
    echo "port $port already has a server; stop it or set BENCH_PORT" >&2; exit 1
fi
"$bin" migrate >/dev/null
"$bin" serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "$url/health" >/dev/null && break; sleep 0.2; done

email="bench-$$@example.com"
curl -fs "$url/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Bench\",\"email\":\"$email\",\"password\":\"bench-password\"}" >/dev/null
lua=$(mktemp --suffix=.lua)
cat > "$lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"$email","password":"bench-password"}'
LUA

echo "binary: $bin"
echo "== /health alone (1 connection, ${seconds}s)"
wrk -t1 -c1 -d"${seconds}s" --latency "$url/health" | grep -E "Requests/sec|50%|99%"
echo "== logins (16 connections) and /health (1 connection) at the same time, ${seconds}s"
wrk -t1 -c16 -d"${seconds}s" --timeout 10s --latency -s "$lua" "$url/api/auth/login" > /tmp/login-burst-logins.txt &
logins=$!
wrk -t1 -c1 -d"${seconds}s" --latency "$url/health" | sed 's/^/health: /' | grep -E "Requests/sec|50%|99%"
wait $logins
sed 's/^/logins: /' /tmp/login-burst-logins.txt | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|timeout"
rm -f "$lua"
