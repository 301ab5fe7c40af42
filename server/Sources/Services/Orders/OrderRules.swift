import Foundation
import Hummingbird
import MarketplaceAPI
import ServiceKit

/// Input rules for carts and orders, callable without HTTP.
public enum OrderRules {
    public static let maximumIDLength = InputRules.maximumIDLength
    public static let maximumKeyLength = InputRules.maximumIdempotencyKeyLength

    public static func validate(_ request: AddToCartRequest) throws -> (productID: String, quantity: Int) {
        var validator = Validator()
        let id = productID(request.productId, &validator)
        let quantity = request.quantity ?? 1
        validator.check("quantity", InputRules.cartQuantityProblem(quantity))
        try throwIfInvalid(validator)
        return (id, quantity)
    }

    public static func validate(_ request: RemoveFromCartRequest) throws -> String {
        var validator = Validator()
        let id = productID(request.productId, &validator)
        try throwIfInvalid(validator)
        return id
    }

    /// The plan's address fields, each required and within its column's length.
    public static func validate(_ input: ShippingAddressInput?, field: String = "shippingAddress") throws -> ShippingAddress {
        var validator = Validator()
        func text(_ value: String?, _ part: InputRules.AddressField) -> String {
            validator.check("\(field).\(part.rawValue)", part.shippingRule.problem(value))
            return InputRules.normalized(value ?? "")
        }
        guard let input else { throw OrderError.invalid([FieldError(field: field, message: "shippingAddress is required")]) }
        let address = ShippingAddress(
            street: text(input.street, .street), city: text(input.city, .city),
            zip: text(input.zip, .zip), country: text(input.country, .country))
        try throwIfInvalid(validator)
        return address
    }

    public static func validate(_ request: CreateOrderRequest) throws -> (userID: String, address: ShippingAddress, idempotencyKey: String?) {
        var validator = Validator()
        let userID = (request.userId ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        validator.check(!userID.isEmpty && userID.utf8.count <= maximumIDLength, "userId", "userId is required (at most \(maximumIDLength) characters)")
        if !userID.isEmpty { validator.check("userId", InputRules.idProblem(userID, label: "userId")) }
        if let key = request.idempotencyKey {
            validator.check(InputRules.isIdempotencyKey(key), "idempotencyKey", "idempotencyKey must be 1 to \(maximumKeyLength) visible ASCII characters")
        }
        var errors = validator.errors
        var address: ShippingAddress?
        do {
            address = try validate(request.shippingAddress)
        } catch OrderError.invalid(let addressErrors) {
            errors += addressErrors
        }
        if !errors.isEmpty { throw OrderError.invalid(errors) }
        return (userID, address!, request.idempotencyKey)
    }

    public static func validate(_ request: UpdateOrderStatusRequest) throws -> OrderStatus {
        let names = OrderStatus.allCases.map(\.rawValue).joined(separator: ", ")
        guard let raw = request.status, let status = OrderStatus(rawValue: raw) else {
            throw OrderError.invalid([FieldError(field: "status", message: "status must be one of \(names)")])
        }
        return status
    }

    /// A refund names the payment given back by its id (its amount is Money, never negative).
    public static func validate(_ refund: OrderRefund) throws -> UUID {
        guard let transactionID = UUID(uuidString: refund.transactionId) else {
            throw OrderError.invalid([FieldError(field: "transactionId", message: "transactionId must be a payment's id")])
        }
        return transactionID
    }

    /// Carrier and tracking number (optional; blank is none) and the part's vendor when named.
    public static func validate(_ request: ShipOrderRequest) throws -> (carrier: String?, trackingNumber: String?, vendorID: String?) {
        var validator = Validator()
        validator.check("carrier", InputRules.shipmentCarrier.problem(request.carrier))
        validator.check("trackingNumber", InputRules.trackingNumber.problem(request.trackingNumber))
        let vendorID = self.vendorID(request.vendorId, &validator)
        try throwIfInvalid(validator)
        return (optionalText(request.carrier), optionalText(request.trackingNumber), vendorID)
    }

    /// The part's vendor when named.
    public static func validate(_ request: DeliverOrderRequest) throws -> String? {
        var validator = Validator()
        let vendorID = self.vendorID(request.vendorId, &validator)
        try throwIfInvalid(validator)
        return vendorID
    }

    /// Whose part a signed-in caller moves: a vendor their own (naming another's is
    /// refused); an admin the one they name, or nil when they named none (the
    /// order's only part is then meant).
    public static func partVendor(for user: SignedInUser, named vendorID: String?) throws -> String? {
        guard user.isAdmin else {
            if let vendorID, vendorID != user.id.description { throw OrderError.notYourPart }
            return user.id.description
        }
        return vendorID
    }

    /// `GET /api/orders/fulfilment`: `status` (an order status, exactly as written),
    /// `page` and `limit`; any other parameter, or one given twice, answers 400.
    public static func fulfilmentQuery(_ query: Parameters) throws -> (status: OrderStatus?, page: Int, limit: Int) {
        var validator = Validator()
        let names = ["status", "page", "limit"]
        for key in Set(query.map { String($0.key) }).sorted() {
            if !names.contains(key) {
                validator.fail(key, "\(key) is not a parameter of this list (status, page, limit)")
            } else if query.getAll(key).count > 1 {
                validator.fail(key, "\(key) must be given once")
            }
        }
        var status: OrderStatus?
        if let raw = query["status"] {
            status = OrderStatus(rawValue: String(raw))
            validator.check(status != nil, "status", "status must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try throwIfInvalid(validator)
        let (page, limit) = try PageQuery.parse(query)
        return (status, page, limit)
    }

    private static func vendorID(_ id: String?, _ validator: inout Validator) -> String? {
        guard let id else { return nil }
        let vendorID = id.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        validator.check("vendorId", InputRules.idProblem(vendorID, label: "vendorId"))
        return vendorID
    }

    /// Normalised optional text: nil when absent or blank.
    private static func optionalText(_ value: String?) -> String? {
        let text = InputRules.normalized(value ?? "")
        return text.isEmpty ? nil : text
    }

    private static func productID(_ id: String?, _ validator: inout Validator) -> String {
        let id = (id ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check("productId", InputRules.idProblem(id, label: "productId"))
        return id
    }

    private static func throwIfInvalid(_ validator: Validator) throws {
        if !validator.errors.isEmpty { throw OrderError.invalid(validator.errors) }
    }
}
