#!/usr/bin/env python3
"""Checkouts per second and their latency for N concurrent shoppers.

    server/bench/checkout.sh [seconds] [shoppers]   (defaults 15 and 32)

Each shopper loops: add one unit each of one to three of the bench's three
products (chosen at random), check out with tok_visa. Every checkout of a
product locks its stock row, so the three rows are as hot as they can be. Only
the checkout request is timed. At the end the stock taken is checked against
the units in confirmed orders (oversell: units taken that no order holds, or
units sold twice). The first `warmup` seconds (default 3) shop untimed. Loopback
only; stops by itself after warmup + `seconds`.
"""
import json, random, sys, threading, time, urllib.request, urllib.error, uuid

base, seconds, shoppers = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
# Shopping before the timed part: the pools' connections open and each new
# PostgreSQL backend plans its statements, which a 10 s run would otherwise count.
warmup = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0

def call(method, path, body=None, token=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")

def account(role):
    email = f"bench-{role}-{uuid.uuid4().hex[:10]}@example.com"
    call("POST", "/api/auth/register", {"name": "Bench", "email": email, "password": "bench-password", "role": role})
    return call("POST", "/api/auth/login", {"email": email, "password": "bench-password"})[1]["token"]

vendor = account("vendor")
STOCK = 1000000
pids = []
for name, price in (("Bench Lamp", 9.99), ("Bench Mug", 4.50), ("Bench Rug", 27.00)):
    status, product = call("POST", "/api/products", {"name": name, "description": "For the benchmark", "price": price, "category": "bench"}, vendor)
    assert status == 201, product
    pids.append(product["data"]["id"])
    status, stock = call("POST", "/api/inventory/add", {"productId": pids[-1], "quantity": STOCK}, vendor)
    assert status == 200, stock
tokens = [account("customer") for _ in range(shoppers)]
sold = {pid: 0 for pid in pids}

latencies, failures, lock = [], {}, threading.Lock()
measured_from = time.monotonic() + warmup
deadline = measured_from + seconds
address = {"street": "1 Bench Rd", "city": "Gent", "zip": "9000", "country": "Belgium"}

def shopper(token):
    rng = random.Random()
    while time.monotonic() < deadline:
        cart = []
        for pid in rng.sample(pids, rng.randint(1, len(pids))):
            status, body = call("POST", "/api/orders/cart/add", {"productId": pid, "quantity": 1}, token)
            if status == 200:
                cart = body["data"]["items"]   # the whole cart, which the order takes
            else:
                with lock:
                    failures[f"add {status}"] = failures.get(f"add {status}", 0) + 1
        start = time.monotonic()
        status, body = call("POST", "/api/checkout", {"shippingAddress": address, "paymentMethod": "tok_visa"}, token)
        elapsed = time.monotonic() - start
        with lock:
            if status == 200:
                if start >= measured_from:
                    latencies.append(elapsed)
                for item in cart:
                    sold[item["productId"]] += item["quantity"]
            else:
                failures[status] = failures.get(status, 0) + 1
                if failures[status] == 1: print("first failure", status, body, file=sys.stderr)

threads = [threading.Thread(target=shopper, args=(t,)) for t in tokens]
for t in threads: t.start()
for t in threads: t.join()
wall = time.monotonic() - measured_from
latencies.sort()
def pct(p): return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
print(f"shoppers: {shoppers}, warm-up: {warmup:.0f} s, timed wall: {wall:.1f} s, checkouts: {len(latencies)}, failed: {failures or 0}")
print(f"checkouts/s: {len(latencies) / wall:.1f}")
print(f"checkout latency p50: {pct(0.50):.1f} ms, p99: {pct(0.99):.1f} ms")
oversell = 0
for pid in pids:
    status, level = call("GET", f"/api/inventory/{pid}")
    assert status == 200, level
    oversell += abs(STOCK - level["data"]["quantity"] - sold[pid])
print(f"units sold: {sum(sold.values())}, oversell: {oversell}")
