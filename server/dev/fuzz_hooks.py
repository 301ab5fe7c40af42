"""Schemathesis hooks for server/dev/fuzz.

1. Filling the cart before a checkout.

Before every `POST /api/checkout`, the caller's cart gets one unit of a stocked
product if it is empty. Without it nearly every generated checkout meets an
empty cart and answers 400 `cart_empty`, an answer about the server's state,
not the request: the checkout's success and failure answers would go unchecked,
and the positive-data check would report a valid request refused.

The product is made by the fuzz script (FUZZ_PRODUCT_ID, stocked); when the run
itself deletes it, or fuzzes its price up to where a cart would be too large, a
new one is made with the vendor's token (FUZZ_VENDOR_TOKEN). Failures here are
not failures of the run: the checkout is sent anyway and judged as it answers.

2. Refusals the description documents but a request schema cannot express.

The positive-data check (ST202) says a request its schema allows must not be
refused. `filter_failure` below drops that failure only for the answers the
description names for a schema-valid request, each for a reason no schema can
carry (the server's state, the payment provider, a rule across two fields);
every other refusal of a valid request still fails the run.
"""

import json
import os
from decimal import Decimal, InvalidOperation
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


def _error_code(response):
    try:
        body = response.json()
    except Exception:  # noqa: BLE001 - not JSON: not one of the documented answers
        return None
    return body.get("code") if isinstance(body, dict) else None


def _header(case, name):
    for key, value in (case.headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _decimal(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _documented_refusal(case, response):
    """Why this refusal of a schema-valid request is documented, or None."""
    operation = f"{case.method.upper()} {case.operation.path}"
    status, code = response.status_code, _error_code(response)
    # "A decline is an answer, 402 with the Failed transaction"; which payment
    # methods the provider takes is the provider's business, not the schema's.
    if operation in ("POST /api/payments", "POST /api/checkout") and status == 402:
        return "payment declined"
    # State, not input: "400 when the cart's total would exceed what can be
    # charged" (prices are fuzzed too), and an empty cart at checkout (the hook
    # above fills it, but another worker's checkout or cart clear can empty it).
    if operation == "POST /api/orders/cart/add" and status == 400 and code == "cart_too_large":
        return "cart too large"
    if operation == "POST /api/checkout" and status == 400 and code == "cart_empty":
        return "cart empty"
    # "if both are sent they must be equal": a rule across a header and a body field.
    if operation == "POST /api/payments" and status == 400 and isinstance(case.body, dict):
        header, field = _header(case, "Idempotency-Key"), case.body.get("idempotencyKey")
        if header is not None and field is not None and header != field:
            return "idempotency keys differ"
    # minPrice is "not above maxPrice": a rule across two query parameters.
    if operation == "GET /api/products" and status == 400:
        low, high = _decimal((case.query or {}).get("minPrice")), _decimal((case.query or {}).get("maxPrice"))
        if low is not None and high is not None and low > high:
            return "minPrice above maxPrice"
    return None


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if getattr(failure, "code", None) != "ST202":
        return True
    return _documented_refusal(case, response) is None
