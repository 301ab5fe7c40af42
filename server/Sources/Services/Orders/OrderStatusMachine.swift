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
