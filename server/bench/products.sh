#!/usr/bin/env bash
# Catalog browsing throughput: repeated GET /api/products?category=...&page=...
# against the release server with a seeded catalog (default 10,000 products).
#
#   server/bench/products.sh [seconds] [products]     (defaults: 20, 10000; loopback only)
#
# Uses MARKETPLACE_BIN (default: the release build), the local stores, and
# databases suffixed _bench_products (the catalog is re-seeded with --fresh).
# NO_CACHE=1 also measures the same load with the product cache switched off.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server_dir=$(dirname "$here")
seconds=${1:-20}
count=${2:-10000}
port=${BENCH_PORT:-18091}
url="http://127.0.0.1:$port"
bin=${MARKETPLACE_BIN:-$server_dir/.build/release/marketplace}
[ -x "$bin" ] || { echo "no release build at $bin (cd server && swift build -c release)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

eval "$("$server_dir/dev/stores" up 2>/dev/null)"
# The per-client and sign-up limits would answer 429 to a single load generator.
export STOREFRONT_DB_SUFFIX=_bench_products STOREFRONT_PORT=$port LOG_LEVEL=error STOREFRONT_BCRYPT_COST=10 STOREFRONT_RATE_LIMIT=off STOREFRONT_SIGNUP_LIMIT=off

echo "== seeding $count products"
start=$(date +%s.%N)
"$bin" seed --products "$count" --fresh | head -1
echo "seed took $(echo "$(date +%s.%N) - $start" | bc) s"

lua=$(mktemp --suffix=.lua)
trap 'rm -f "$lua"' EXIT
cat > "$lua" <<'LUA'
-- 10 categories x 5 pages of 20: the pages a crowd of shoppers keeps browsing.
local categories = {"Electronics", "Books", "Kitchen", "Garden", "Toys", "Sports", "Clothing", "Beauty", "Grocery", "Music"}
local paths = {}
for _, category in ipairs(categories) do
  for page = 1, 5 do
    table.insert(paths, "/api/products?category=" .. category .. "&page=" .. page)
  end
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA

run() {
    local label=$1 ttl=$2 duration=$3
    STOREFRONT_PRODUCT_CACHE_TTL=$ttl "$bin" serve >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 1 100); do curl -fs "$url/health" >/dev/null && break; sleep 0.2; done
    local sample; sample=$(curl -fs "$url/api/products?category=Books&page=1"); echo "${sample:0:160} ..."
    if [ "$ttl" != 0 ]; then
        # Warm-up: each of the 50 pages once, so the figure is the steady state.
        for category in Electronics Books Kitchen Garden Toys Sports Clothing Beauty Grocery Music; do
            for page in 1 2 3 4 5; do curl -fs -o /dev/null "$url/api/products?category=$category&page=$page"; done
        done
    fi
    echo "== $label: wrk -t2 -c32 -d${duration}s (cache TTL ${ttl}s)"
    wrk -t2 -c32 -d"${duration}s" --latency -s "$lua" "$url" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket errors"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "binary: $bin"
run "cached catalog" 5 "$seconds"
if [ "${NO_CACHE:-0}" = 1 ]; then run "no cache" 0 10; fi
