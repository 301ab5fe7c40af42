import Foundation

/// `GET /api/inventory/:productId`, the answer of `POST /api/inventory/add` and
/// one row of `GET /api/inventory/status/low-stock`.
public struct InventoryLevel: Codable, Sendable, Equatable {
    public var productId: String
    public var quantity: Int
    public var lowStockThreshold: Int
    public var isLowStock: Bool
    public var lastUpdated: Date

    public init(productId: String, quantity: Int, lowStockThreshold: Int, lastUpdated: Date) {
        self.productId = productId
        self.quantity = quantity
        self.lowStockThreshold = lowStockThreshold
        self.isLowStock = quantity < lowStockThreshold
        self.lastUpdated = lastUpdated
    }
}

/// A product's stock as product answers carry it.
public struct ProductStock: Codable, Sendable, Equatable {
    public var quantity: Int
    public var isLowStock: Bool

    public init(quantity: Int, isLowStock: Bool) {
        self.quantity = quantity
        self.isLowStock = isLowStock
    }

    public init(_ level: InventoryLevel?) {
        self.init(quantity: level?.quantity ?? 0, isLowStock: level?.isLowStock ?? true)
    }
}

/// `POST /api/inventory/add`: creates the product's stock row or adds to it.
public struct AddStockRequest: Codable, Sendable {
    public var productId: String?
    public var quantity: Int?
    /// Replaces the threshold when given; a new row defaults to 10.
    public var lowStockThreshold: Int?

    public init(productId: String?, quantity: Int?, lowStockThreshold: Int? = nil) {
        self.productId = productId
        self.quantity = quantity
        self.lowStockThreshold = lowStockThreshold
    }
}

/// One product and a number of units of it.
public struct StockLine: Codable, Sendable, Hashable {
    public var productId: String
    public var quantity: Int

    public init(productId: String, quantity: Int) {
        self.productId = productId
        self.quantity = quantity
    }
}

/// A line as a caller sends it, checked field by field.
public struct StockLineInput: Codable, Sendable {
    public var productId: String?
    public var quantity: Int?

    public init(productId: String?, quantity: Int?) {
        self.productId = productId
        self.quantity = quantity
    }
}

/// `POST /api/inventory/reserve` (internal). Two forms:
/// - the plan's single line `{"productId", "quantity"}`, which answers the new stock level;
/// - an order's reservation `{"orderId", "items": [{"productId", "quantity"}]}` (or
///   `{"orderId", "productId", "quantity"}` for one line): all lines or none, and
///   repeating it for the same order reserves nothing more.
public struct ReserveStockRequest: Codable, Sendable {
    public var orderId: String?
    public var productId: String?
    public var quantity: Int?
    public var items: [StockLineInput]?

    public init(orderId: String? = nil, productId: String? = nil, quantity: Int? = nil, items: [StockLineInput]? = nil) {
        self.orderId = orderId
        self.productId = productId
        self.quantity = quantity
        self.items = items
    }
}

/// `POST /api/inventory/release` (internal). `{"orderId"}` returns everything the
/// order holds, once however often it is sent; the plan's `{"productId", "quantity"}`
/// adds units back unconditionally.
public struct ReleaseStockRequest: Codable, Sendable {
    public var orderId: String?
    public var productId: String?
    public var quantity: Int?

    public init(orderId: String? = nil, productId: String? = nil, quantity: Int? = nil) {
        self.orderId = orderId
        self.productId = productId
        self.quantity = quantity
    }
}

/// The stock an order holds.
public struct StockReservation: Codable, Sendable, Equatable {
    public var orderId: String
    public var items: [StockLine]
    /// false when this request found the order's reservation already made.
    public var newlyReserved: Bool

    public init(orderId: String, items: [StockLine], newlyReserved: Bool) {
        self.orderId = orderId
        self.items = items
        self.newlyReserved = newlyReserved
    }
}

/// The answer to releasing an order's reservation.
public struct StockRelease: Codable, Sendable, Equatable {
    public var orderId: String
    /// The lines this request put back; empty when they had been put back before
    /// or the order never held stock.
    public var returned: [StockLine]
    public var alreadyReleased: Bool

    public init(orderId: String, returned: [StockLine], alreadyReleased: Bool) {
        self.orderId = orderId
        self.returned = returned
        self.alreadyReleased = alreadyReleased
    }
}

/// A line that could not be reserved.
public struct StockShortage: Codable, Sendable, Equatable {
    public var productId: String
    public var requested: Int
    public var available: Int

    public init(productId: String, requested: Int, available: Int) {
        self.productId = productId
        self.requested = requested
        self.available = available
    }
}

/// 409 from `POST /api/inventory/reserve`: the usual error envelope plus the short lines.
public struct InsufficientStockResponse: Codable, Sendable, Equatable {
    public var success: Bool
    public var code: ErrorCode
    public var message: String
    public var errors: [FieldError]
    public var shortages: [StockShortage]

    public init(message: String, shortages: [StockShortage]) {
        self.success = false
        self.code = .outOfStock
        self.message = message
        self.errors = shortages.map {
            FieldError(field: $0.productId, message: "\($0.requested) requested, \($0.available) available")
        }
        self.shortages = shortages
    }
}
