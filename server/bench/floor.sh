#!/usr/bin/env bash
# The checkout's own floor: the statements one cycle of server/bench/checkout.lua makes
# the server send to PostgreSQL (floor/*.sql, one script per database), replayed straight
# to the store by pgbench, each database's script at CLIENTS clients for SECONDS on fresh,
# migrated databases suffixed _floor, with the same three hot products.
#
#   server/bench/floor.sh [seconds] [clients]        (defaults 10, 32)
#
# Prints each database's script rate, then the floor: the checkouts a second the
# cluster could carry if it did nothing but these statements, one database's share
# after another (1 / the sum of 1/rate over the four scripts), as
#   FLOOR <checkouts/s> <order tps> <inventory tps> <payment tps> <checkout tps>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server_dir=$(dirname "$here")
seconds=${1:-10} clients=${2:-32}
bin=${MARKETPLACE_BIN:-$server_dir/.build/release/marketplace}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$bin" ] || { echo "floor: $bin is not built (cd server && swift build -c release --product marketplace)" >&2; exit 1; }
eval "$("$server_dir/dev/stores" up 2>/dev/null)"
export STOREFRONT_DB_SUFFIX=_floor LOG_LEVEL=error
drop() {
    local db
    for db in auth_service inventory_service order_service payment_service checkout_service; do
        PGOPTIONS='-c client_min_messages=warning' "$pg_bin/psql" -q "$STOREFRONT_POSTGRES_URL/postgres" -c "DROP DATABASE IF EXISTS ${db}_floor WITH (FORCE)" >/dev/null
    done
}
drop
trap drop EXIT
"$bin" migrate >/dev/null
"$pg_bin/psql" -q "$STOREFRONT_POSTGRES_URL/inventory_service_floor" -c \
    "INSERT INTO inventories (product_id, quantity) SELECT 'f1000000000000000000000' || n, 1000000000 FROM generate_series(1, 3) n" >/dev/null
declare -A rate
for part in order inventory payment checkout; do
    db=${part}_service_floor
    out=$("$pg_bin/pgbench" -n -M extended -c "$clients" -j 2 -T "$seconds" -f "$here/floor/$part.sql" "$STOREFRONT_POSTGRES_URL/$db" 2>&1) \
        || { printf '%s\n' "$out" >&2; echo "floor: pgbench failed on $db" >&2; exit 1; }
    failed=$(awk '/number of failed transactions/ { print $5 }' <<<"$out")
    [ "${failed:-0}" = 0 ] || { printf '%s\n' "$out" >&2; echo "floor: $failed failed transactions on $db" >&2; exit 1; }
    # The scripts did what a checkout does, every time: as many confirmed orders, held
    # reservations, completed payments and finished checkout logs as scripts run.
    ran=$(awk '/number of transactions actually processed/ { print $6 }' <<<"$out")
    case $part in
        order) check="SELECT count(*) FROM orders WHERE status = 'Confirmed'" ;;
        inventory) check="SELECT count(*) FROM reservations" ;;
        payment) check="SELECT count(*) FROM transactions WHERE status = 'Completed'" ;;
        checkout) check="SELECT count(*) FROM checkouts WHERE state = 'completed'" ;;
    esac
    done_=$("$pg_bin/psql" -tAq "$STOREFRONT_POSTGRES_URL/$db" -c "$check")
    [ "$done_" = "$ran" ] || { echo "floor: $part ran $ran scripts but the database shows $done_ ($check)" >&2; exit 1; }
    rate[$part]=$(awk '/^tps/ { printf "%.1f", $3; exit }' <<<"$out")
    printf 'floor: %-9s %s scripts/s (%s)\n' "$part" "${rate[$part]}" "$(awk '/latency average/ { print "latency avg " $4 " ms" }' <<<"$out")" >&2
done
awk -v o="${rate[order]}" -v i="${rate[inventory]}" -v p="${rate[payment]}" -v c="${rate[checkout]}" \
    'BEGIN { printf "FLOOR %.1f %s %s %s %s\n", 1 / (1/o + 1/i + 1/p + 1/c), o, i, p, c }'
