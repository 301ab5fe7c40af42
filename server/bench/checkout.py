#!/usr/bin/env python3
"""Set-up and report of server/bench/checkout.sh; the load itself is wrk with
checkout.lua (a native generator: Python threads took a tenth of the machine).

    checkout.py prepare URL SHOPPERS DIR
        A vendor, the bench's three products with 1,000,000 units each, and
        SHOPPERS signed-in customers: writes DIR/tokens and DIR/products.
    checkout.py report URL DIR SECONDS < wrk's output
        Checkouts per second and their latency over the timed part, failures,
        and the oversell check: the stock each product lost must equal the units
        in checkouts answered 200 (units taken that no order holds, or units sold
        twice, would show as a difference).

Loopback only.
"""
import json, os, sys, urllib.request, urllib.error, uuid

STOCK = 1000000

def call(base, method, path, body=None, token=None, timeout=30):
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

def account(base, role):
    email = f"bench-{role}-{uuid.uuid4().hex[:10]}@example.com"
    call(base, "POST", "/api/auth/register", {"name": "Bench", "email": email, "password": "bench-password", "role": role})
    status, body = call(base, "POST", "/api/auth/login", {"email": email, "password": "bench-password"})
    assert status == 200, body
    return body["token"]

def prepare(base, shoppers, out):
    vendor = account(base, "vendor")
    pids = []
    for name, price in (("Bench Lamp", 9.99), ("Bench Mug", 4.50), ("Bench Rug", 27.00)):
        status, product = call(base, "POST", "/api/products",
                               {"name": name, "description": "For the benchmark", "price": price, "category": "bench"}, vendor)
        assert status == 201, product
        pids.append(product["data"]["id"])
        status, stock = call(base, "POST", "/api/inventory/add", {"productId": pids[-1], "quantity": STOCK}, vendor)
        assert status == 200, stock
    with open(os.path.join(out, "products"), "w") as f:
        f.write("\n".join(pids) + "\n")
    with open(os.path.join(out, "tokens"), "w") as f:
        f.write("\n".join(account(base, "customer") for _ in range(shoppers)) + "\n")

def report(base, out, shoppers):
    timed, seconds, p50, p99 = 0, 0.0, float("nan"), float("nan")
    failures, sold = {}, {}
    for line in sys.stdin:
        parts = line.split()
        if parts[:1] == ["TIMED"]:
            timed, seconds, p50, p99 = int(parts[1]), float(parts[2]), float(parts[3]), float(parts[4])
        elif parts[:1] == ["FAILED"]:
            failures[f"{parts[1]} {parts[2]}"] = int(parts[3])
        elif parts[:1] == ["SOLD"]:
            sold[parts[1]] = int(parts[2])
    pids = [p for p in open(os.path.join(out, "products")).read().split() if p]
    oversell = 0
    for pid in pids:
        status, level = call(base, "GET", f"/api/inventory/{pid}")
        assert status == 200, level
        oversell += abs(STOCK - level["data"]["quantity"] - sold.get(pid, 0))
    print(f"shoppers: {shoppers}, timed: {seconds:.1f} s, checkouts: {timed}, failed: {failures or 0}")
    print(f"checkouts/s: {timed / seconds if seconds > 0 else 0:.1f}")
    print(f"checkout latency p50: {p50:.1f} ms, p99: {p99:.1f} ms")
    print(f"units sold: {sum(sold.values())}, oversell: {oversell}")

if __name__ == "__main__":
    mode, base = sys.argv[1], sys.argv[2]
    if mode == "prepare":
        prepare(base, int(sys.argv[3]), sys.argv[4])
    elif mode == "report":
        report(base, sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(f"unknown mode {mode}")
