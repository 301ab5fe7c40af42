#!/usr/bin/env python3
"""Checkouts per second and their latency for N concurrent shoppers.

    server/bench/checkout.sh [seconds] [shoppers]   (defaults 15 and 32)

Each shopper loops: add one unit to the cart, check out with tok_visa. Only the
checkout request is timed. Loopback only; stops by itself after `seconds`.
"""
import json, sys, threading, time, urllib.request, urllib.error, uuid

base, seconds, shoppers = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])

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
status, product = call("POST", "/api/products", {"name": "Bench Lamp", "description": "For the benchmark", "price": 9.99, "category": "bench"}, vendor)
assert status == 201, product
pid = product["data"]["id"]
status, stock = call("POST", "/api/inventory/add", {"productId": pid, "quantity": 1000000}, vendor)
assert status == 200, stock
tokens = [account("customer") for _ in range(shoppers)]

latencies, failures, lock = [], {}, threading.Lock()
deadline = time.monotonic() + seconds
address = {"street": "1 Bench Rd", "city": "Gent", "zip": "9000", "country": "Belgium"}

def shopper(token):
    while time.monotonic() < deadline:
        call("POST", "/api/orders/cart/add", {"productId": pid, "quantity": 1}, token)
        start = time.monotonic()
        status, body = call("POST", "/api/checkout", {"shippingAddress": address, "paymentMethod": "tok_visa"}, token)
        elapsed = time.monotonic() - start
        with lock:
            if status == 200:
                latencies.append(elapsed)
            else:
                failures[status] = failures.get(status, 0) + 1
                if failures[status] == 1: print("first failure", status, body, file=sys.stderr)

started = time.monotonic()
threads = [threading.Thread(target=shopper, args=(t,)) for t in tokens]
for t in threads: t.start()
for t in threads: t.join()
wall = time.monotonic() - started
latencies.sort()
def pct(p): return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
print(f"shoppers: {shoppers}, wall: {wall:.1f} s, checkouts: {len(latencies)}, failed: {failures or 0}")
print(f"checkouts/s: {len(latencies) / wall:.1f}")
print(f"checkout latency p50: {pct(0.50):.1f} ms, p99: {pct(0.99):.1f} ms")
