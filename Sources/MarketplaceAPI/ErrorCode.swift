/// What went wrong, for programs: every failure envelope carries one, and
/// callers (the terminal client, the checkout, the services' HTTP clients)
/// branch on it, never on the message, which is for people and may change.
/// `server/openapi.yaml` lists the same codes; a test keeps the two equal.
public enum ErrorCode: String, Codable, Sendable, CaseIterable {
    /// 400: one or more fields break a rule; `errors` names each.
    case validationFailed = "validation_failed"
    /// 400: the body is not JSON of the expected shape, or a header or parameter is unreadable.
    case malformedRequest = "malformed_request"
    /// 401: no token, or a malformed or tampered one.
    case unauthenticated
    /// 401: the token was good once and has expired; sign in again.
    case tokenExpired = "token_expired"
    /// 401: an unknown email or a wrong password (the same answer for both).
    case invalidCredentials = "invalid_credentials"
    /// 403: a valid caller without the right to do this.
    case forbidden
    /// 403: a service credential of a service this internal route does not accept.
    case serviceNotAllowed = "service_not_allowed"
    /// 404: no such resource, or one the caller may not see.
    case notFound = "not_found"
    /// 404: no route serves this path.
    case noRoute = "no_route"
    /// 405: the path exists but not with this method.
    case methodNotAllowed = "method_not_allowed"
    /// 409: an account with this email exists.
    case emailTaken = "email_taken"
    /// 409: the change conflicts with the current state (see the message).
    case conflict
    /// 409: an order cannot move to the asked status from the one it has.
    case illegalTransition = "illegal_transition"
    /// 409: an idempotency key already names another caller's or another request's work.
    case idempotencyKeyReused = "idempotency_key_reused"
    /// 409: a checkout with this Idempotency-Key is still being worked on.
    case checkoutInProgress = "checkout_in_progress"
    /// 409: a part of the order has shipped (or it was delivered), so it can no longer be cancelled.
    case orderNotCancellable = "order_not_cancellable"
    /// 409: another request is cancelling this order right now.
    case cancellationInProgress = "cancellation_in_progress"
    /// 400: the cart has nothing to order.
    case cartEmpty = "cart_empty"
    /// 400: the cart's total would be more than the largest amount we can take.
    case cartTooLarge = "cart_too_large"
    /// 404: the product is not in the cart.
    case notInCart = "not_in_cart"
    /// 409: not enough stock; `shortages` lists each short item.
    case outOfStock = "out_of_stock"
    /// 409: prices changed since the items went in the cart; `priceChanges` lists
    /// them and the cart now has the new prices. Review and check out again.
    case priceChanged = "price_changed"
    /// 402: the payment provider declined; `reason` says why.
    case paymentDeclined = "payment_declined"
    /// 409: the order already has a payment.
    case orderAlreadyPaid = "order_already_paid"
    /// 409: the order is not Confirmed (still Pending, Cancelled, or already
    /// Delivered), so no part of it can be shipped or delivered now.
    case orderNotShippable = "order_not_shippable"
    /// 409: the vendor's part of the order cannot make this move: it is already
    /// shipped (ship), or it is not Shipped (deliver).
    case shipmentNotAllowed = "shipment_not_allowed"
    /// 400: the public key is not a well-formed OpenSSH public key line.
    case sshKeyInvalid = "ssh_key_invalid"
    /// 400: a well-formed key of a type the SSH service cannot verify (RSA, DSA,
    /// security keys); the message names the types that work.
    case sshKeyTypeUnsupported = "ssh_key_type_unsupported"
    /// 409: the key is on an account already (this one or another).
    case sshKeyTaken = "ssh_key_taken"
    /// 413: the request body is larger than the limit.
    case payloadTooLarge = "payload_too_large"
    /// 429: too many requests; wait for `Retry-After`.
    case rateLimited = "rate_limited"
    /// 503: the checkout was interrupted; it finishes or is undone by itself.
    case checkoutInterrupted = "checkout_interrupted"
    /// 502, 503, 504: a store or service did not answer in time; try again shortly.
    case unavailable
    /// 500: an unexpected fault.
    case `internal`

    /// The status a failure with this code answers with (`unavailable` also comes as 502 and 504).
    public var status: Int {
        switch self {
        case .validationFailed, .malformedRequest, .cartEmpty, .cartTooLarge, .sshKeyInvalid, .sshKeyTypeUnsupported: 400
        case .unauthenticated, .tokenExpired, .invalidCredentials: 401
        case .paymentDeclined: 402
        case .forbidden, .serviceNotAllowed: 403
        case .notFound, .noRoute, .notInCart: 404
        case .methodNotAllowed: 405
        case .emailTaken, .conflict, .illegalTransition, .idempotencyKeyReused, .checkoutInProgress, .outOfStock, .priceChanged, .orderAlreadyPaid,
             .orderNotCancellable, .cancellationInProgress, .orderNotShippable, .shipmentNotAllowed, .sshKeyTaken: 409
        case .payloadTooLarge: 413
        case .rateLimited: 429
        case .checkoutInterrupted, .unavailable: 503
        case .internal: 500
        }
    }

    /// A refusal that asking again will not change (the caller's request is wrong,
    /// or the state forbids it), as opposed to an outage worth retrying.
    public var isPermanent: Bool {
        switch self {
        case .rateLimited, .checkoutInterrupted, .unavailable, .internal, .checkoutInProgress, .cancellationInProgress: false
        default: true
        }
    }

    /// The code for a bare HTTP status, when a body carries none (a proxy's own page).
    public static func forStatus(_ status: Int) -> ErrorCode {
        switch status {
        case 400: .malformedRequest
        case 401: .unauthenticated
        case 402: .paymentDeclined
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 409: .conflict
        case 413: .payloadTooLarge
        case 429: .rateLimited
        case 502, 503, 504: .unavailable
        default: .internal
        }
    }
}
