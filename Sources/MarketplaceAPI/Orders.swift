import Foundation

/// `POST /api/orders/cart/add`. The plan's body also carries `name` and `price`;
/// they are read from the product service instead, so they are not even decoded.
public struct AddToCartRequest: Codable, Sendable {
    public var productId: String?
    /// Defaults to 1.
    public var quantity: Int?

    public init(productId: String?, quantity: Int? = nil) {
        self.productId = productId
        self.quantity = quantity
    }
}

/// `DELETE /api/orders/cart/remove`.
public struct RemoveFromCartRequest: Codable, Sendable {
    public var productId: String?

    public init(productId: String?) {
        self.productId = productId
    }
}

/// A product in a cart or an order, with the name and price it had when added.
/// A cart line whose product changed since it was added: its price, its name, or
/// it is gone from the catalog (`newPrice` nil; the line was removed).
public struct PriceChange: Codable, Sendable, Equatable {
    public var productId: String
    public var name: String
    public var oldPrice: Money
    public var newPrice: Money?

    public init(productId: String, name: String, oldPrice: Money, newPrice: Money?) {
        self.productId = productId
        self.name = name
        self.oldPrice = oldPrice
        self.newPrice = newPrice
    }
}

/// 409 `price_changed` from `POST /api/orders`: the error envelope plus the changes.
public struct PriceChangedResponse: Codable, Sendable, Equatable {
    public var success: Bool
    public var code: ErrorCode
    public var message: String
    public var errors: [FieldError]
    public var priceChanges: [PriceChange]

    public init(message: String, priceChanges: [PriceChange]) {
        self.success = false
        self.code = .priceChanged
        self.message = message
        self.errors = []
        self.priceChanges = priceChanges
    }
}

public struct LineItem: Codable, Sendable, Equatable {
    public var productId: String
    public var name: String
    public var price: Money
    public var quantity: Int
    /// price × quantity
    public var subtotal: Money
    /// An order line's vendor: the product's owner (`Product.userId`) when the
    /// order was made. Absent on cart lines and on lines of orders made before
    /// orders knew their vendors.
    public var vendorId: String?

    public init(productId: String, name: String, price: Money, quantity: Int, vendorId: String? = nil) {
        self.productId = productId
        self.name = name
        self.price = price
        self.quantity = quantity
        self.subtotal = price * quantity
        self.vendorId = vendorId
    }
}

/// `GET /api/orders/cart`.
public struct Cart: Codable, Sendable, Equatable {
    public var id: String
    public var userId: String
    public var items: [LineItem]
    public var totalPrice: Money
    public var updatedAt: Date

    public init(id: String, userId: String, items: [LineItem], totalPrice: Money, updatedAt: Date) {
        self.id = id
        self.userId = userId
        self.items = items
        self.totalPrice = totalPrice
        self.updatedAt = updatedAt
    }
}

/// Where an order goes, as stored with it.
public struct ShippingAddress: Codable, Sendable, Equatable {
    public var street: String
    public var city: String
    public var zip: String
    public var country: String

    public init(street: String, city: String, zip: String, country: String) {
        self.street = street
        self.city = city
        self.zip = zip
        self.country = country
    }
}

/// A shipping address as a caller sends it, checked field by field.
public struct ShippingAddressInput: Codable, Sendable {
    public var street: String?
    public var city: String?
    public var zip: String?
    public var country: String?

    public init(street: String?, city: String?, zip: String?, country: String?) {
        self.street = street
        self.city = city
        self.zip = zip
        self.country = country
    }

    /// A stored address sent on as input (to another service, or back to the server).
    public init(_ address: ShippingAddress) {
        self.init(street: address.street, city: address.city, zip: address.zip, country: address.country)
    }
}

public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pending = "Pending"
    case confirmed = "Confirmed"
    case shipped = "Shipped"
    case delivered = "Delivered"
    case cancelled = "Cancelled"
}

/// `POST /api/orders` (internal): turns the user's cart into a Pending order.
public struct CreateOrderRequest: Codable, Sendable {
    public var userId: String?
    public var shippingAddress: ShippingAddressInput?
    /// A retried request with the same key answers the order the first one made.
    public var idempotencyKey: String?

    public init(userId: String?, shippingAddress: ShippingAddressInput?, idempotencyKey: String? = nil) {
        self.userId = userId
        self.shippingAddress = shippingAddress
        self.idempotencyKey = idempotencyKey
    }
}

/// `PUT /api/orders/:id/status` (internal).
public struct UpdateOrderStatusRequest: Codable, Sendable {
    public var status: String?

    public init(status: String?) {
        self.status = status
    }
}

/// An order with its items, shipping address and shipments.
public struct Order: Codable, Sendable, Equatable {
    public var id: String
    public var userId: String
    public var items: [LineItem]
    public var totalAmount: Money
    public var status: OrderStatus
    public var shippingAddress: ShippingAddress?
    public var createdAt: Date
    public var updatedAt: Date
    /// One per vendor whose products are in the order, made when it is Confirmed
    /// (empty before, and for orders made before orders knew their vendors).
    public var shipments: [Shipment]
    /// The money given back when the order was cancelled after it was paid; `null` otherwise.
    public var refund: OrderRefund?

    public init(id: String, userId: String, items: [LineItem], totalAmount: Money, status: OrderStatus,
                shippingAddress: ShippingAddress?, createdAt: Date, updatedAt: Date, shipments: [Shipment] = [],
                refund: OrderRefund? = nil) {
        self.id = id
        self.userId = userId
        self.items = items
        self.totalAmount = totalAmount
        self.status = status
        self.shippingAddress = shippingAddress
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.shipments = shipments
        self.refund = refund
    }

    enum CodingKeys: String, CodingKey {
        case id, userId, items, totalAmount, status, shippingAddress, createdAt, updatedAt, shipments, refund
    }

    /// An order written before orders had shipments (or refunds) reads with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id),
            userId: try container.decode(String.self, forKey: .userId),
            items: try container.decode([LineItem].self, forKey: .items),
            totalAmount: try container.decode(Money.self, forKey: .totalAmount),
            status: try container.decode(OrderStatus.self, forKey: .status),
            shippingAddress: try container.decodeIfPresent(ShippingAddress.self, forKey: .shippingAddress),
            createdAt: try container.decode(Date.self, forKey: .createdAt),
            updatedAt: try container.decode(Date.self, forKey: .updatedAt),
            shipments: try container.decodeIfPresent([Shipment].self, forKey: .shipments) ?? [],
            refund: try container.decodeIfPresent(OrderRefund.self, forKey: .refund))
    }

    /// `refund` is written as `null` when there is none (the contract's `refund: {...} | null`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(userId, forKey: .userId)
        try container.encode(items, forKey: .items)
        try container.encode(totalAmount, forKey: .totalAmount)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(shippingAddress, forKey: .shippingAddress)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(shipments, forKey: .shipments)
        try container.encode(refund, forKey: .refund)
    }
}

/// The payment given back for a cancelled order: which transaction, how much, when.
public struct OrderRefund: Codable, Sendable, Equatable {
    public var transactionId: String
    public var amount: Money
    public var refundedAt: Date

    public init(transactionId: String, amount: Money, refundedAt: Date) {
        self.transactionId = transactionId
        self.amount = amount
        self.refundedAt = refundedAt
    }
}
