import MarketplaceAPI
import OrderService
import Testing

@Suite("Order status machine") struct OrderStatusTests {
    /// Every legal move of the plan; every other pair is refused.
    static let legal: Set<[OrderStatus]> = [
        [.pending, .confirmed], [.pending, .cancelled],
        [.confirmed, .shipped], [.confirmed, .cancelled],
        [.shipped, .delivered],
    ]

    @Test(arguments: OrderStatus.allCases, OrderStatus.allCases)
    func onlyThePlansMovesAreAllowed(from: OrderStatus, to: OrderStatus) {
        let expected = Self.legal.contains([from, to])
        #expect(OrderStatusMachine.canMove(from: from, to: to) == expected)
        switch OrderStatusMachine.decide(from: from, to: to) {
        case .move: #expect(expected)
        case .unchanged: #expect(from == to)
        case .refuse: #expect(!expected && from != to)
        }
    }

    @Test func deliveredAndCancelledAreFinal() {
        #expect(OrderStatusMachine.allowedNext(from: .delivered).isEmpty)
        #expect(OrderStatusMachine.allowedNext(from: .cancelled).isEmpty)
    }

    @Test func sourcesListWhereEachStatusCanBeReachedFrom() {
        #expect(Set(OrderStatusMachine.sources(of: .cancelled)) == [.pending, .confirmed])
        #expect(OrderStatusMachine.sources(of: .confirmed) == [.pending])
        #expect(OrderStatusMachine.sources(of: .shipped) == [.confirmed])
        #expect(OrderStatusMachine.sources(of: .delivered) == [.shipped])
        #expect(OrderStatusMachine.sources(of: .pending).isEmpty)
    }

    @Test func statusesReadAndWriteThePlansNames() throws {
        #expect(OrderStatus.allCases.map(\.rawValue) == ["Pending", "Confirmed", "Shipped", "Delivered", "Cancelled"])
        #expect(try OrderRules.validate(UpdateOrderStatusRequest(status: "Shipped")) == .shipped)
        #expect(throws: OrderError.self) { try OrderRules.validate(UpdateOrderStatusRequest(status: "shipped")) }
        #expect(throws: OrderError.self) { try OrderRules.validate(UpdateOrderStatusRequest(status: nil)) }
    }
}
