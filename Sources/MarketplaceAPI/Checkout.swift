/// `POST /api/checkout`
public struct CheckoutRequest: Codable, Sendable {
    public var shippingAddress: ShippingAddressInput?
    public var paymentMethod: String?

    public init(shippingAddress: ShippingAddressInput?, paymentMethod: String?) {
        self.shippingAddress = shippingAddress
        self.paymentMethod = paymentMethod
    }
}

/// The checkout's answer. Success: `{success, orderId, transactionId, message}` as
/// the plan shows. Failure: the error envelope, plus the order and transaction
/// ids when they exist, the short items (409) or the decline reason (402).
public struct CheckoutResponse: Codable, Sendable, Equatable {
    public var success: Bool
    /// Set on failures only.
    public var code: ErrorCode?
    public var message: String
    public var orderId: String?
    public var transactionId: String?
    public var errors: [FieldError]?
    public var shortages: [StockShortage]?
    /// 409 `price_changed`: what changed; the cart already has the new prices.
    public var priceChanges: [PriceChange]?
    public var reason: String?

    public init(success: Bool, code: ErrorCode? = nil, message: String, orderId: String? = nil, transactionId: String? = nil,
                errors: [FieldError]? = nil, shortages: [StockShortage]? = nil, priceChanges: [PriceChange]? = nil, reason: String? = nil) {
        self.success = success
        self.code = success ? nil : (code ?? .internal)
        self.message = message
        self.orderId = orderId
        self.transactionId = transactionId
        self.errors = success ? nil : (errors ?? [])
        self.shortages = shortages
        self.priceChanges = priceChanges
        self.reason = reason
    }
}
