#!/usr/bin/env python3
"""Orders after checkout, measured (driven by server/bench/orders.sh).

    orders.py URL ORDERS SHOPPERS CANCELS DIR
        Places ORDERS orders through the real checkout (SHOPPERS shoppers at
        once, one product of one vendor, so that vendor's fulfilment list holds
        every order), then has the SHOPPERS shoppers cancel CANCELS of their
        orders each, all at once, and asks every cancellation again with a new
        key. Prints the cancellations per second and their latency, and writes
        DIR/vendor, DIR/orders (ids) and DIR/cancelled for the checks and the
        fulfilment load that follow.

Loopback only; every request has a timeout, so the run ends by itself.
"""
import http.client, json, os, sys, threading, time, urllib.parse, uuid

STOCK = 1000000


class Connection:
    """One keep-alive HTTP connection, reopened when the server closed it."""

    def __init__(self, base):
        self.host = urllib.parse.urlparse(base)
        self.conn = None

    def call(self, method, path, body=None, token=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        heads = {"Content-Type": "application/json"}
        if token:
            heads["Authorization"] = "Bearer " + token
        heads.update(headers or {})
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host.hostname, self.host.port, timeout=30)
            try:
                self.conn.request(method, path, data, heads)
                response = self.conn.getresponse()
                raw = response.read()
                return response.status, json.loads(raw or b"{}")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


def account(base, role):
    c = Connection(base)
    email = f"bench-{role}-{uuid.uuid4().hex[:10]}@example.com"
    status, body = c.call("POST", "/api/auth/register", {"name": f"Bench {role}", "email": email, "password": "bench-password", "role": role})
    assert status == 201, body
    status, body = c.call("POST", "/api/auth/login", {"email": email, "password": "bench-password"})
    assert status == 200, body
    return body["token"]


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_threads(count, target):
    failures = []

    def wrapped(index):
        try:
            target(index)
        except Exception as error:  # reported, and the run fails
            failures.append(f"thread {index}: {error!r}")

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit("bench: " + "; ".join(failures[:5]))


def main():
    base, orders, shoppers, cancels, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    vendor = account(base, "vendor")
    c = Connection(base)
    status, product = c.call("POST", "/api/products", {"name": "Bench Parcel", "description": "For the orders benchmark",
                                                       "price": 12.5, "category": "bench"}, vendor)
    assert status == 201, product
    product_id = product["data"]["id"]
    status, stock = c.call("POST", "/api/inventory/add", {"productId": product_id, "quantity": STOCK}, vendor)
    assert status == 200, stock
    tokens = [account(base, "customer") for _ in range(shoppers)]
    placed = [[] for _ in range(shoppers)]

    # Orders, through the checkout: each shopper in turn fills a cart and checks out.
    started = time.monotonic()

    def place(index):
        conn = Connection(base)
        token = tokens[index]
        share = orders // shoppers + (1 if index < orders % shoppers else 0)
        address = {"street": f"{index} Bench Street", "city": "Benchville", "zip": "12345", "country": "NL"}
        for n in range(share):
            status, body = conn.call("POST", "/api/orders/cart/add", {"productId": product_id, "quantity": 1 + n % 3}, token)
            assert status == 200, body
            status, body = conn.call("POST", "/api/checkout", {"shippingAddress": address, "paymentMethod": "tok_visa"}, token,
                                     {"Idempotency-Key": f"bench-{uuid.uuid4().hex}"})
            assert status == 200 and body.get("orderId"), (status, body)
            placed[index].append(body["orderId"])

    run_threads(shoppers, place)
    placing = time.monotonic() - started
    total = sum(len(p) for p in placed)
    print(f"placed {total} orders in {placing:.1f} s ({total / placing:.1f} checkouts/s, {shoppers} shoppers)")

    # Cancellations: every shopper at once, each cancelling their oldest CANCELS orders.
    latencies = [[] for _ in range(shoppers)]
    answers = {}
    lock = threading.Lock()

    def cancel(index, again=False):
        conn = Connection(base)
        for order_id in placed[index][:cancels]:
            begun = time.monotonic()
            status, body = conn.call("POST", f"/api/orders/{order_id}/cancel", None, tokens[index],
                                     {"Idempotency-Key": f"cancel-{uuid.uuid4().hex}"})
            if not again:
                latencies[index].append((time.monotonic() - begun) * 1000)
            with lock:
                answers[(status, body.get("code"))] = answers.get((status, body.get("code")), 0) + 1
            assert status == 200 and body["data"]["status"] == "Cancelled", (status, body)
            assert body["data"].get("refund") and body["data"]["refund"]["transactionId"], body

    started = time.monotonic()
    run_threads(shoppers, cancel)
    elapsed = time.monotonic() - started
    flat = [v for l in latencies for v in l]
    print(f"cancellations: {len(flat)} in {elapsed:.2f} s = {len(flat) / elapsed:.1f}/s, {shoppers} shoppers; "
          f"p50 {percentile(flat, 50):.1f} ms, p99 {percentile(flat, 99):.1f} ms; answers {answers}")
    answers.clear()
    run_threads(shoppers, lambda i: cancel(i, again=True))
    print(f"every cancellation asked again with a new key: answers {answers}")

    with open(os.path.join(out, "vendor"), "w") as f:
        f.write(vendor + "\n")
    with open(os.path.join(out, "product"), "w") as f:
        f.write(product_id + "\n")
    with open(os.path.join(out, "cancelled"), "w") as f:
        f.write("\n".join(o for p in placed for o in p[:cancels]) + "\n")
    with open(os.path.join(out, "orders"), "w") as f:
        f.write("\n".join(o for p in placed for o in p) + "\n")


if __name__ == "__main__":
    main()
