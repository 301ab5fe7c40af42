import HTTPTypes

/// The marketplace's own header names.
extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
    /// Makes a repeated checkout or payment answer the first one.
    public static let idempotencyKey = Self("Idempotency-Key")!
    public static let forwarded = Self("Forwarded")!
    public static let xForwardedFor = Self("X-Forwarded-For")!
}
