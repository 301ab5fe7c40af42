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

    // MARK: Parts: each vendor's shipment, and the order following them

    @Test(arguments: ShipmentStatus.allCases, ShipmentStatus.allCases)
    func aPartMovesOneStepAtATime(from: ShipmentStatus, to: ShipmentStatus) {
        let expected: Set<[ShipmentStatus]> = [[.pending, .shipped], [.shipped, .delivered]]
        #expect(OrderStatusMachine.canMove(part: from, to: to) == expected.contains([from, to]))
    }

    @Test func aPartShipsOnlyWhileTheOrderIsConfirmed() {
        #expect(OrderStatusMachine.decide(order: .confirmed, part: .pending, to: .shipped) == .move)
        for order in [OrderStatus.pending, .shipped, .delivered, .cancelled] {
            #expect(OrderStatusMachine.decide(order: order, part: .pending, to: .shipped) == .orderNotShippable, "\(order)")
        }
        // A Pending order has no parts yet: not shippable, rather than "no such part".
        #expect(OrderStatusMachine.decide(order: .pending, part: nil, to: .shipped) == .orderNotShippable)
        #expect(OrderStatusMachine.decide(order: .cancelled, part: nil, to: .shipped) == .orderNotShippable)
    }

    @Test func aPartIsDeliveredOnlyOnceShippedAndWhileTheOrderIsConfirmedOrShipped() {
        #expect(OrderStatusMachine.decide(order: .confirmed, part: .shipped, to: .delivered) == .move)
        #expect(OrderStatusMachine.decide(order: .shipped, part: .shipped, to: .delivered) == .move)
        #expect(OrderStatusMachine.decide(order: .confirmed, part: .pending, to: .delivered) == .refuse)
        #expect(OrderStatusMachine.decide(order: .cancelled, part: .shipped, to: .delivered) == .orderNotShippable)
        #expect(OrderStatusMachine.decide(order: .pending, part: nil, to: .delivered) == .orderNotShippable)
    }

    /// Asking again for where a part already is (or for a step behind it) is refused
    /// alike whatever the order became meanwhile, so a repeated request gets one answer.
    @Test(arguments: OrderStatus.allCases)
    func aPartAlreadyThereOrPastIsRefusedWhateverTheOrder(order: OrderStatus) {
        #expect(OrderStatusMachine.decide(order: order, part: .shipped, to: .shipped) == .refuse)
        #expect(OrderStatusMachine.decide(order: order, part: .delivered, to: .shipped) == .refuse)
        #expect(OrderStatusMachine.decide(order: order, part: .delivered, to: .delivered) == .refuse)
        #expect(OrderStatusMachine.decide(order: order, part: .pending, to: .pending) == .refuse)
    }

    @Test func theOrderIsShippedWhenEveryPartIsShippedAndDeliveredWhenEveryPartIsDelivered() {
        let follow = OrderStatusMachine.following
        // Some part still Pending: the order stays Confirmed.
        #expect(follow(.confirmed, [.pending]) == .confirmed)
        #expect(follow(.confirmed, [.shipped, .pending]) == .confirmed)
        #expect(follow(.confirmed, [.delivered, .pending]) == .confirmed)
        #expect(follow(.confirmed, [.delivered, .pending, .shipped]) == .confirmed)
        // Every part on its way (some maybe delivered already): Shipped.
        #expect(follow(.confirmed, [.shipped]) == .shipped)
        #expect(follow(.confirmed, [.shipped, .shipped]) == .shipped)
        #expect(follow(.confirmed, [.delivered, .shipped]) == .shipped)
        #expect(follow(.shipped, [.delivered, .shipped]) == .shipped)
        // Every part delivered: Delivered.
        #expect(follow(.shipped, [.delivered]) == .delivered)
        #expect(follow(.shipped, [.delivered, .delivered, .delivered]) == .delivered)
    }

    @Test(arguments: OrderStatus.allCases)
    func onlyAConfirmedOrShippedOrderWithPartsFollowsThem(order: OrderStatus) {
        // No parts (an order made before orders knew their vendors): as it is.
        #expect(OrderStatusMachine.following(order, parts: []) == order)
        if order != .confirmed && order != .shipped {
            #expect(OrderStatusMachine.following(order, parts: [.delivered]) == order)
            #expect(OrderStatusMachine.following(order, parts: [.shipped]) == order)
        }
    }

    /// Walking the parts of an order one legal step at a time, in every order the
    /// steps can come, only ever moves the order along the plan's moves.
    @Test func followingThePartsStepByStepOnlyMakesThePlansMoves() {
        func walk(_ order: OrderStatus, _ parts: [ShipmentStatus]) {
            for index in parts.indices {
                for next in ShipmentStatus.allCases where OrderStatusMachine.decide(order: order, part: parts[index], to: next) == .move {
                    var moved = parts
                    moved[index] = next
                    let after = OrderStatusMachine.following(order, parts: moved)
                    #expect(after == order || OrderStatusMachine.canMove(from: order, to: after), "\(order) \(parts) → \(moved): \(after)")
                    walk(after, moved)
                }
            }
            if parts.allSatisfy({ $0 == .delivered }) { #expect(order == .delivered) }
        }
        for count in 1...3 { walk(.confirmed, Array(repeating: .pending, count: count)) }
    }
}
