#!/usr/bin/env bash
# Starts the release server on the local stores (databases suffixed _bench) and
# shops with wrk (checkout.lua: a thread and a connection per shopper), set up and
# checked by checkout.py.
#   server/bench/checkout.sh [seconds] [shoppers] [all-in-one|split]
# all-in-one (default): `marketplace serve`, one process.
# split: every service its own process behind nginx (server/dev/split).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server_dir=$(dirname "$here")
port=${BENCH_PORT:-18091}
bin=${MARKETPLACE_BIN:-$server_dir/.build/release/marketplace}
[ -x "$bin" ] || { echo "build it first: cd server && swift build -c release --product marketplace" >&2; exit 1; }
eval "$("$server_dir/dev/stores" up 2>/dev/null)"
export STOREFRONT_DB_SUFFIX=_bench STOREFRONT_PORT=$port STOREFRONT_RATE_LIMIT=off STOREFRONT_SIGNUP_LIMIT=off LOG_LEVEL=error
if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
    echo "port $port already has a server; stop it or set BENCH_PORT" >&2; exit 1
fi
# Fresh databases each run, so figures do not depend on what earlier runs left.
for db in auth_service inventory_service order_service payment_service checkout_service; do
    /usr/lib/postgresql/15/bin/psql -q "$STOREFRONT_POSTGRES_URL/postgres" -c "DROP DATABASE IF EXISTS ${db}_bench WITH (FORCE)" >/dev/null
done
"$bin" migrate >/dev/null
topology=${3:-all-in-one}
data=$(mktemp -d /tmp/bench-checkout.XXXXXX)
case "$topology" in
    all-in-one)
        "$bin" serve >/dev/null 2>&1 &
        pid=$!
        trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
        for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
        ;;
    split)
        export STOREFRONT_SPLIT_DIR=$(mktemp -d /tmp/bench-split.XXXXXX) STOREFRONT_GATEWAY_PORT=$port MARKETPLACE_BIN=$bin
        chmod 755 "$STOREFRONT_SPLIT_DIR"
        export STOREFRONT_SPLIT_RATE=100000r/s STOREFRONT_SPLIT_BURST=100000
        trap '"$server_dir/dev/split" down; rm -rf "$STOREFRONT_SPLIT_DIR" "$data"' EXIT
        STOREFRONT_SPLIT_SSH_PORT=0 "$server_dir/dev/split" up
        ;;
    *) echo "topology must be all-in-one or split: $topology" >&2; exit 2 ;;
esac
echo "binary: $bin ($topology)"
seconds=${1:-15} shoppers=${2:-32} warmup=${CHECKOUT_WARMUP:-3} drain=3
timeout 300 python3 "$here/checkout.py" prepare "http://127.0.0.1:$port" "$shoppers" "$data"
cat "$here/clock.lua" "$here/checkout.lua" > "$data/checkout.lua"
# One wrk thread and connection per shopper: 3 s of untimed shopping, the timed
# part, then 3 s in which no checkout begins, so each one begun is answered.
CHECKOUT_TOKENS=$data/tokens CHECKOUT_PRODUCTS=$data/products CHECKOUT_WARMUP=$warmup CHECKOUT_SECONDS=$seconds \
    /usr/bin/time -f 'CPU %U %S' -o "$data/cpu" \
    wrk -t"$shoppers" -c"$shoppers" -d"$((warmup + seconds + drain))s" --timeout 30s -s "$data/checkout.lua" "http://127.0.0.1:$port" \
    > "$data/wrk.out"
timeout 60 python3 "$here/checkout.py" report "http://127.0.0.1:$port" "$data" "$shoppers" < "$data/wrk.out"
awk -v s="$((warmup + seconds + drain))" -v n="$(nproc)" '/^CPU / { printf "load generator: wrk %.0f%% CPU\n", ($2 + $3) * 100 / (s * n) }' "$data/cpu"
