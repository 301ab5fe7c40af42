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
carry (the server's state, the payment provider, a rule across two fields or
across the caller and a field, a length in bytes or in user-perceived
characters where JSON Schema counts code points); every other refusal of a
valid request still fails the run.

3. `Allow` on paths that two templates serve.

The Allow-header check (ST205) compares an OPTIONS answer's `Allow` with the
methods of the one path entry it tested. `/api/inventory/add`, `reserve` and
`release` are also `/api/inventory/{productId}`, whose GET the description
documents, so the server rightly allows GET there too. `filter_failure` drops
the failure only when every method `Allow` adds is one a documented template
matching the same path declares, and none is missing.
"""

import json
import os
import re
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
    # charged" (prices are fuzzed too), at cart/add and, after a price rise, at
    # checkout ("cart_too_large"); and an empty cart at checkout (the hook above
    # fills it, but another worker's checkout or cart clear can empty it).
    if operation in ("POST /api/orders/cart/add", "POST /api/checkout") and status == 400 and code == "cart_too_large":
        return "cart too large"
    if operation == "POST /api/checkout" and status == 400 and code == "cart_empty":
        return "cart empty"
    # "if both are sent they must be equal": a rule across a header and a body field.
    if operation == "POST /api/payments" and status == 400 and isinstance(case.body, dict):
        header, field = _header(case, "Idempotency-Key"), case.body.get("idempotencyKey")
        if header is not None and field is not None and header != field:
            return "idempotency keys differ"
    # A shopper's payment (the description of PaymentRequest): `orderId` is required
    # of a signed-in user and optional for a service, and the amount must be the
    # order's total in USD: rules across the caller, the order and a field.
    if operation == "POST /api/payments" and status == 400:
        errors = _field_errors(response)
        if errors == {("orderId", "orderId is required: a payment is for one of your Pending orders")} \
                or (len(errors) == 1 and all(field == "amount" and message.startswith("amount must be the order's total")
                                             for field, message in errors)):
            return "a shopper's payment names their order and pays its total"
    # An SSH public key line is checked to its inside: base64 of an SSH wire-format
    # blob whose type is the line's, with a point of that curve's size; the
    # description documents 400 `ssh_key_invalid` / `ssh_key_type_unsupported` for
    # anything else, which no JSON Schema can tell from a well-formed key.
    if operation == "POST /api/users/ssh-keys" and status == 400 and code in ("ssh_key_invalid", "ssh_key_type_unsupported"):
        return "an SSH key's inner structure"
    # minPrice is "not above maxPrice": a rule across two query parameters.
    if operation == "GET /api/products" and status == 400:
        low, high = _decimal((case.query or {}).get("minPrice")), _decimal((case.query or {}).get("maxPrice"))
        if low is not None and high is not None and low > high:
            return "minPrice above maxPrice"
    # A new password is at least 6 characters as a reader counts them (grapheme
    # clusters) and at most 72 UTF-8 bytes; JSON Schema's minLength/maxLength count
    # code points, so the schema carries only the bounds these imply (6 to 72) and
    # the description states the rule. Dropped only when the password in the body
    # does break it.
    if operation == "POST /api/auth/register" and status == 400 and isinstance(case.body, dict):
        password = case.body.get("password")
        errors = _field_errors(response)
        if isinstance(password, str) and errors and all(field == "password" for field, _ in errors) \
                and (len(password.encode("utf-8")) > 72 or _graphemes_fewer_than_six(password, errors)):
            return "password bytes or characters"
    return None


def _field_errors(response):
    """The answer's field errors as (field, message) pairs."""
    try:
        errors = response.json().get("errors") or []
        return {(e["field"], e["message"]) for e in errors}
    except Exception:  # noqa: BLE001 - not the error envelope: not a documented refusal
        return set()


def _graphemes_fewer_than_six(password, errors):
    # The server counts fewer than six characters in six code points or more (the
    # schema's minLength): the shortfall is in how they cluster.
    return len(password) >= 6 and ("password", "Password must be at least 6 characters") in errors


def _template_matches(template, path):
    pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part)
                      for part in re.split(r"(\{[^}]+\})", template))
    return re.fullmatch(pattern, path) is not None


def _allow_explained(case, failure):
    """Whether every method `Allow` adds belongs to another documented template of the path."""
    if getattr(failure, "missing_methods", None):
        return False
    paths = case.operation.schema.raw_schema.get("paths", {})
    served = {method.upper()
              for template, item in paths.items() if _template_matches(template, case.operation.path)
              for method in item if method in ("get", "put", "post", "delete", "patch")}
    return set(getattr(failure, "undocumented_methods", None) or ["?"]) <= served


def _log_dropped(case, response, code, reason):
    # One line per dropped failure (FUZZ_DROPPED_LOG, in the run's folder), so what
    # the narrowing let through can be read after the run.
    path = os.environ.get("FUZZ_DROPPED_LOG")
    if not path:
        return
    line = json.dumps({"check": code, "operation": f"{case.method.upper()} {case.path}",
                       "status": response.status_code, "code": _error_code(response), "reason": reason})
    with _lock, open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")


@schemathesis.hook
def filter_failure(context, failure, case, response):
    code = getattr(failure, "code", None)
    if code == "ST205":
        reason = "Allow names another template's methods" if _allow_explained(case, failure) else None
    elif code == "ST202":
        reason = _documented_refusal(case, response)
    else:
        reason = None
    if reason is not None:
        _log_dropped(case, response, code, reason)
    return reason is None
