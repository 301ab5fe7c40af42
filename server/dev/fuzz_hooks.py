"""Schemathesis hooks for server/dev/fuzz.

Before every `POST /api/checkout`, the caller's cart gets one unit of a stocked
product if it is empty. Without it nearly every generated checkout meets an
empty cart and answers 400 `cart_empty`, an answer about the server's state,
not the request: the checkout's success and failure answers would go unchecked,
and the positive-data check would report a valid request refused.

The product is made by the fuzz script (FUZZ_PRODUCT_ID, stocked); when the run
itself deletes it, or fuzzes its price up to where a cart would be too large, a
new one is made with the vendor's token (FUZZ_VENDOR_TOKEN). Failures here are
not failures of the run: the checkout is sent anyway and judged as it answers.
"""

import json
import os
import threading
import urllib.error
import urllib.request

import schemathesis

BASE_URL = os.environ["FUZZ_BASE_URL"]
VENDOR_AUTH = "Bearer " + os.environ["FUZZ_VENDOR_TOKEN"]
_lock = threading.Lock()
_product = {"id": os.environ["FUZZ_PRODUCT_ID"]}


def _call(method, path, auth, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE_URL + path, data=data, method=method)
    request.add_header("Authorization", auth)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def _new_product():
    status, body = _call("POST", "/api/products", VENDOR_AUTH, {
        "name": "Fuzz stock", "description": "Kept in carts before checkouts",
        "price": 1.25, "category": "fuzz"})
    if status != 201:
        return None
    product_id = body["data"]["id"]
    status, _ = _call("POST", "/api/inventory/add", VENDOR_AUTH,
                      {"productId": product_id, "quantity": 1000000, "lowStockThreshold": 0})
    return product_id if status == 200 else None


def _fill_cart(auth):
    status, body = _call("GET", "/api/orders/cart", auth)
    if status != 200 or body["data"]["items"]:
        return
    with _lock:
        product_id = _product["id"]
    status, _ = _call("POST", "/api/orders/cart/add", auth, {"productId": product_id, "quantity": 1})
    if status == 200:
        return
    with _lock:
        if _product["id"] == product_id:
            _product["id"] = _new_product() or product_id
        product_id = _product["id"]
    _call("POST", "/api/orders/cart/add", auth, {"productId": product_id, "quantity": 1})


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() != "POST" or case.path != "/api/checkout":
        return
    headers = {**(case.headers or {}), **(kwargs.get("headers") or {})}
    auth = headers.get("Authorization")
    if not auth:
        return
    try:
        _fill_cart(auth)
    except Exception:  # noqa: BLE001 - see the module's docstring
        pass
