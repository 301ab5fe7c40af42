#!/usr/bin/env bash
# Orders after checkout: cancellations per second under many shoppers (and no
# double refund), then the fulfilment list's latency over every order placed.
#   server/bench/orders.sh [orders] [shoppers] [cancels per shopper]
# Defaults: 10,000 orders, 16 shoppers, 50 cancellations each. Starts the release
# server on fresh `_bench` databases of the local stores; loopback only; every
# step is bounded in time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server_dir=$(dirname "$here")
port=${BENCH_PORT:-18093}
seconds=${BENCH_SECONDS:-10}
bin=${MARKETPLACE_BIN:-$server_dir/.build/release/marketplace}
psql=/usr/lib/postgresql/15/bin/psql
[ -x "$bin" ] || { echo "build it first: cd server && swift build -c release --product marketplace" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (server/dev/deps installs it)" >&2; exit 1; }
eval "$("$server_dir/dev/stores" up 2>/dev/null)"
export STOREFRONT_DB_SUFFIX=_bench STOREFRONT_PORT=$port STOREFRONT_RATE_LIMIT=off STOREFRONT_SIGNUP_LIMIT=off LOG_LEVEL=error
if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
    echo "port $port already has a server; stop it or set BENCH_PORT" >&2; exit 1
fi
orders=${1:-10000} shoppers=${2:-16} cancels=${3:-50}
sql() { "$psql" -qtA "$STOREFRONT_POSTGRES_URL/$1_bench" -c "$2"; }
# Fresh databases, so the list holds exactly this run's orders.
for db in auth_service inventory_service order_service payment_service checkout_service; do
    "$psql" -q "$STOREFRONT_POSTGRES_URL/postgres" -c "DROP DATABASE IF EXISTS ${db}_bench WITH (FORCE)" >/dev/null
done
"$bin" migrate >/dev/null
data=$(mktemp -d /tmp/bench-orders.XXXXXX)
"$bin" serve >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$port/health" >/dev/null || { echo "the server did not start:" >&2; tail -20 "$data/server.log" >&2; exit 1; }
echo "binary: $bin (all in one)"

timeout 1200 python3 "$here/orders.py" "http://127.0.0.1:$port" "$orders" "$shoppers" "$cancels" "$data"

# The books after the cancellations: one Refunded payment and no Completed one per
# cancelled order, the refund written on each, the stock taken equal to the units
# of the orders that are not Cancelled.
cancelled_list=$(sed "s/.*/'&'/" "$data/cancelled" | paste -sd, -)
double=$(sql payment_service "SELECT count(*) FROM (SELECT order_id FROM transactions WHERE order_id IN ($cancelled_list)
    GROUP BY order_id HAVING count(*) FILTER (WHERE status = 'Refunded') <> 1 OR count(*) FILTER (WHERE status = 'Completed') > 0) t")
refunds=$(sql payment_service "SELECT count(*) FROM transactions WHERE status = 'Refunded'")
unwritten=$(sql order_service "SELECT count(*) FROM orders WHERE status = 'Cancelled' AND refund_transaction_id IS NULL")
held=$(sql order_service "SELECT COALESCE(sum(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status <> 'Cancelled'")
taken=$(sql inventory_service "SELECT 1000000 - quantity FROM inventories WHERE product_id = '$(cat "$data/product")'")
echo "books: $(wc -l < "$data/cancelled") orders cancelled, $refunds payments refunded; orders without exactly one refund (or still charged): $double; cancelled orders without their refund written: $unwritten; stock taken $taken = units in live orders $held"
[ "$double" = 0 ] && [ "$unwritten" = 0 ] && [ "$taken" = "$held" ] || { echo "bench: the books do not balance" >&2; exit 1; }

# The fulfilment list over every order: the vendor's (who has a line in each) and an admin's.
# The tables' statistics first, as autovacuum would have taken them a minute after
# 10,000 new orders (without them the planner sorts the vendor's parts instead of
# reading its index).
sql order_service "ANALYZE"
admin_email="bench-admin-$RANDOM@example.com"
echo "bench-admin-password" | "$bin" admin create --email "$admin_email" --name "Bench Admin" >/dev/null
admin=$(curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$admin_email\",\"password\":\"bench-admin-password\"}" \
    "http://127.0.0.1:$port/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
vendor=$(cat "$data/vendor")
total=$(curl -fs -H "Authorization: Bearer $vendor" "http://127.0.0.1:$port/api/orders/fulfilment?limit=1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["pagination"]["total"])')
echo "fulfilment: the vendor's list holds $total orders"
cat > "$data/get.lua" <<'LUA'
local token = os.getenv("BENCH_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
local failed = 0
function response(status) if status ~= 200 then failed = failed + 1 end end
function done(summary, latency, requests)
    io.write(string.format("%.1f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d not 200\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, failed + summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
LUA
measure() {   # measure LABEL TOKEN PATH
    local result
    result=$(BENCH_TOKEN=$2 timeout $((seconds + 30)) wrk -t2 -c16 -d"${seconds}s" -s "$data/get.lua" "http://127.0.0.1:$port$3" | tail -1)
    printf 'fulfilment, %s (%s), 16 connections: %s\n' "$1" "$3" "$result"
}
last_page=$(( (total + 19) / 20 ))
measure "vendor, newest" "$vendor" "/api/orders/fulfilment?page=1&limit=20"
measure "vendor, Cancelled only" "$vendor" "/api/orders/fulfilment?status=Cancelled&page=1&limit=20"
measure "vendor, last page" "$vendor" "/api/orders/fulfilment?page=$last_page&limit=20"
measure "admin, newest" "$admin" "/api/orders/fulfilment?page=1&limit=20"
