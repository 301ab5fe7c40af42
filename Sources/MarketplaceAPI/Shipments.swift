import Foundation

// Orders after checkout: each vendor ships their part of a Confirmed order.

/// Where one vendor's part of an order is.
public enum ShipmentStatus: String, Codable, Sendable, CaseIterable {
    case pending = "Pending"
    case shipped = "Shipped"
    case delivered = "Delivered"
}

/// One vendor's part of an order: the lines of their products, shipped together.
public struct Shipment: Codable, Sendable, Equatable {
    public var vendorId: String
    /// The vendor's name as the catalog gave it when an order with their products
    /// was made; absent when the catalog could not name them then.
    public var vendorName: String?
    public var status: ShipmentStatus
    public var carrier: String?
    public var trackingNumber: String?
    public var shippedAt: Date?
    public var deliveredAt: Date?

    public init(vendorId: String, vendorName: String? = nil, status: ShipmentStatus, carrier: String? = nil,
                trackingNumber: String? = nil, shippedAt: Date? = nil, deliveredAt: Date? = nil) {
        self.vendorId = vendorId
        self.vendorName = vendorName
        self.status = status
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.shippedAt = shippedAt
        self.deliveredAt = deliveredAt
    }
}

/// `POST /api/orders/:id/shipments/ship`. Both texts optional (`InputRules.shipmentCarrier`,
/// `InputRules.trackingNumber`); `vendorId` names whose part an admin ships (a vendor
/// ships their own part and may leave it out).
public struct ShipOrderRequest: Codable, Sendable {
    public var carrier: String?
    public var trackingNumber: String?
    public var vendorId: String?

    public init(carrier: String? = nil, trackingNumber: String? = nil, vendorId: String? = nil) {
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.vendorId = vendorId
    }
}

/// `POST /api/orders/:id/shipments/deliver`: `{}` from the vendor, `{"vendorId": ...}` from an admin.
public struct DeliverOrderRequest: Codable, Sendable {
    public var vendorId: String?

    public init(vendorId: String? = nil) {
        self.vendorId = vendorId
    }
}

/// An order as those who fulfil it see it (`GET /api/orders/fulfilment`, and the
/// answer of shipping and delivering): a vendor sees only their own lines and their
/// own `shipment`; an admin sees every line and every part in `shipments`.
public struct FulfilmentOrder: Codable, Sendable, Equatable {
    public var orderId: String
    public var placedAt: Date
    /// The order's status, which follows its parts once it is Confirmed.
    public var status: OrderStatus
    public var shippingAddress: ShippingAddress?
    public var items: [LineItem]
    /// A vendor's view: their part.
    public var shipment: Shipment?
    /// An admin's view: every part.
    public var shipments: [Shipment]?

    public init(orderId: String, placedAt: Date, status: OrderStatus, shippingAddress: ShippingAddress?, items: [LineItem],
                shipment: Shipment? = nil, shipments: [Shipment]? = nil) {
        self.orderId = orderId
        self.placedAt = placedAt
        self.status = status
        self.shippingAddress = shippingAddress
        self.items = items
        self.shipment = shipment
        self.shipments = shipments
    }
}
