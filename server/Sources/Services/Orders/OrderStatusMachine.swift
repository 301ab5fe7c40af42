import MarketplaceAPI

/// Which status an order may move to from which. Delivered and Cancelled are final.
public enum OrderStatusMachine {
    public static func allowedNext(from status: OrderStatus) -> Set<OrderStatus> {
        switch status {
        case .pending: return [.confirmed, .cancelled]
        case .confirmed: return [.shipped, .cancelled]
        case .shipped: return [.delivered]
        case .delivered, .cancelled: return []
        }
    }

    public static func canMove(from current: OrderStatus, to next: OrderStatus) -> Bool {
        allowedNext(from: current).contains(next)
    }

    /// The statuses an order must have for a move to `next` to be legal.
    public static func sources(of next: OrderStatus) -> [OrderStatus] {
        OrderStatus.allCases.filter { canMove(from: $0, to: next) }
    }

    public enum Decision: Equatable, Sendable {
        case move
        /// The order already has this status: a retried request changes nothing.
        case unchanged
        case refuse
    }

    /// Asking for the status an order already has is answered as done, not refused,
    /// so a checkout that retries "confirm" after a lost reply does not see a failure.
    public static func decide(from current: OrderStatus, to next: OrderStatus) -> Decision {
        if current == next { return .unchanged }
        return canMove(from: current, to: next) ? .move : .refuse
    }
}

// MARK: Shipments: each vendor's part, and the order following its parts

extension OrderStatusMachine {
    /// A part goes Pending → Shipped → Delivered, one step at a time.
    public static func canMove(part current: ShipmentStatus, to next: ShipmentStatus) -> Bool {
        switch (current, next) {
        case (.pending, .shipped), (.shipped, .delivered): true
        default: false
        }
    }

    public enum ShipmentDecision: Equatable, Sendable {
        case move
        /// The order is not where its parts move: a part ships only while the order
        /// is Confirmed, and is delivered while it is Confirmed or Shipped.
        case orderNotShippable
        /// The part is not where this move starts: already shipped (or delivered),
        /// or, to be delivered, not shipped yet.
        case refuse
    }

    /// Whether a vendor's part (`part`, nil while the order has no parts yet) may move
    /// to `next` while the order is `order`. A part that is already there or past it
    /// is refused whatever the order's status, so a repeated request is answered alike.
    public static func decide(order: OrderStatus, part: ShipmentStatus?, to next: ShipmentStatus) -> ShipmentDecision {
        if let part, rank(part) >= rank(next) { return .refuse }
        let orderAllows = switch next {
        case .pending: false
        case .shipped: order == .confirmed
        case .delivered: order == .confirmed || order == .shipped
        }
        guard orderAllows else { return .orderNotShippable }
        guard let part, canMove(part: part, to: next) else { return .refuse }
        return .move
    }

    /// The status a Confirmed or Shipped order has once its parts are where `parts`
    /// says: Shipped when every part is shipped (or delivered), Delivered when every
    /// part is delivered, else as it is. An order without parts (made before orders
    /// knew their vendors), and one in any other status, stays as it is.
    public static func following(_ current: OrderStatus, parts: [ShipmentStatus]) -> OrderStatus {
        guard current == .confirmed || current == .shipped, !parts.isEmpty else { return current }
        if parts.allSatisfy({ $0 == .delivered }) { return .delivered }
        if parts.allSatisfy({ $0 != .pending }) { return .shipped }
        return current
    }

    private static func rank(_ status: ShipmentStatus) -> Int {
        switch status {
        case .pending: 0
        case .shipped: 1
        case .delivered: 2
        }
    }
}
