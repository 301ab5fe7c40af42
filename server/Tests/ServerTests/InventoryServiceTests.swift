import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MarketplaceAPI
import ServiceKit
import Testing

/// Creates a product through the real product service and answers its id.
func createTestProduct(_ client: some APIClient, vendorToken: String, name: String = "Test Lamp", price: String = "19.99") async throws -> String {
    let created = try await client.send(.post, "/api/products", token: vendorToken, json: ProductInput(
        name: name, description: "A product for the tests", price: Money(price)!, category: "test"))
    #expect(created.status == .created, "product create failed: \(created.body)")
    return try created.reply(Endpoints.createProduct).data.id
}

@Suite("Inventory service") struct InventoryServiceTests {
    /// A product owned by a fresh vendor, with `quantity` units in stock.
    static func stockedProduct(_ client: some APIClient, quantity: Int, threshold: Int? = nil,
                               name: String = "Test Lamp", price: String = "19.99") async throws -> (productID: String, vendor: String) {
        let vendor = try await client.signUp(role: .vendor)
        let id = try await createTestProduct(client, vendorToken: vendor.token, name: name, price: price)
        let added = try await client.send(.post, "/api/inventory/add", token: vendor.token,
                                          json: AddStockRequest(productId: id, quantity: quantity, lowStockThreshold: threshold))
        #expect(added.status == .ok, "add failed: \(added.body)")
        return (id, vendor.token)
    }

    /// The product's stock, nil when it has never been stocked (404).
    static func quantity(_ client: some APIClient, _ productID: String) async throws -> Int? {
        let level = try await client.send(.get, "/api/inventory/\(productID)")
        if level.status == .notFound { return nil }
        return try level.reply(Endpoints.stockLevel).data.quantity
    }

    static func reserve(_ client: some APIClient, orderID: String, _ lines: [(String, Int)], token: String? = nil) async throws -> JSONResult {
        let token = if let token { token } else { try await serviceToken() }
        return try await client.send(.post, "/api/inventory/reserve", token: token, json: ReserveStockRequest(
            orderId: orderID, items: lines.map { StockLineInput(productId: $0.0, quantity: $0.1) }))
    }

    @Test func readinessReportsTheInventoryOrderAndPaymentDatabases() async throws {
        try await withTestApp { client in
            let ready = try await client.readyOnceUp()
            #expect(ready.status == .ok, "\(ready.body)")
            let checks = try #require(try ready.reply(Endpoints.ready).checks)
            for database in [Database.inventory, .orders, .payments] {
                #expect(checks[database.name] == "up", "\(database.name): \(ready.body)")
            }
        }
    }

    @Test func anAdminAddsStockAndAnyoneReadsItWithTheLowStockFlag() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let admin = try await client.signUp(role: .admin)
            let id = try await createTestProduct(client, vendorToken: vendor.token)
            #expect(try await client.send(.get, "/api/inventory/\(id)").status == .notFound)

            let first = try await client.send(.post, "/api/inventory/add", token: admin.token, json: AddStockRequest(productId: id, quantity: 5))
            #expect(first.status == .ok, "\(first.body)")
            let added = try first.reply(Endpoints.addStock).data
            #expect(added.quantity == 5)
            #expect(added.lowStockThreshold == 10)
            #expect(added.isLowStock == true)

            let more = try await client.send(.post, "/api/inventory/add", token: admin.token, json: AddStockRequest(productId: id, quantity: 20, lowStockThreshold: 8))
            let raised = try more.reply(Endpoints.addStock).data
            #expect(raised.quantity == 25)
            #expect(raised.lowStockThreshold == 8)

            let read = try await client.send(.get, "/api/inventory/\(id)")
            #expect(read.status == .ok)
            let level = try read.reply(Endpoints.stockLevel).data
            #expect(level.productId == id)
            #expect(level.quantity == 25)
            #expect(level.isLowStock == false)
        }
    }

    @Test func onlyAdminsAndTheOwningVendorAddStock() async throws {
        try await withTestApp { client in
            let owner = try await client.signUp(role: .vendor)
            let otherVendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let admin = try await client.signUp(role: .admin)
            let id = try await createTestProduct(client, vendorToken: owner.token)
            let body = AddStockRequest(productId: id, quantity: 3)
            #expect(try await client.send(.post, "/api/inventory/add", token: otherVendor.token, json: body).status == .forbidden)
            #expect(try await client.send(.post, "/api/inventory/add", token: shopper.token, json: body).status == .forbidden)
            #expect(try await client.send(.post, "/api/inventory/add", json: body).status == .unauthorized)
            #expect(try await client.send(.post, "/api/inventory/add", token: try await serviceToken(), json: body).status == .forbidden)
            #expect(try await Self.quantity(client, id) == nil)
            #expect(try await client.send(.post, "/api/inventory/add", token: owner.token, json: body).status == .ok)
            #expect(try await Self.quantity(client, id) == 3)

            let unknown = try await client.send(.post, "/api/inventory/add", token: admin.token, json: AddStockRequest(productId: "000000000000000000000000", quantity: 3))
            #expect(unknown.status == .notFound)
            #expect(unknown.success == false)
        }
    }

    @Test func addingStockRefusesAnythingButAPositiveWholeQuantity() async throws {
        try await withTestApp { client in
            let admin = try await client.signUp(role: .admin)
            let vendor = try await client.signUp(role: .vendor)
            let id = try await createTestProduct(client, vendorToken: vendor.token)
            for raw in [#"{"productId":"\#(id)","quantity":0}"#, #"{"productId":"\#(id)","quantity":-4}"#,
                        #"{"productId":"\#(id)","quantity":1.5}"#, #"{"productId":"\#(id)","quantity":"3"}"#,
                        #"{"productId":"\#(id)"}"#, #"{"quantity":3}"#, #"{"productId":"\#(id)","quantity":3,"lowStockThreshold":-1}"#,
                        #"{"productId":"\#(id)","quantity":99999999999}"#, "not json", "[]"] {
                let result = try await client.send(.post, "/api/inventory/add", token: admin.token, raw: raw)
                #expect(result.status == .badRequest, "\(raw) → \(result.status) \(result.body)")
                #expect(result.success == false)
            }
            #expect(try await Self.quantity(client, id) == nil)
        }
    }

    @Test func reserveAndReleaseAcceptOnlyAServiceCredential() async throws {
        try await withTestApp { client in
            let (id, vendorToken) = try await Self.stockedProduct(client, quantity: 5)
            let shopper = try await client.signUp()
            let admin = try await client.signUp(role: .admin)
            for token in [shopper.token, admin.token, vendorToken] {
                let reserve = try await client.send(.post, "/api/inventory/reserve", token: token, json: ReserveStockRequest(productId: id, quantity: 1))
                #expect(reserve.status == .forbidden)
                #expect(reserve.success == false)
                let release = try await client.send(.post, "/api/inventory/release", token: token, json: ReleaseStockRequest(productId: id, quantity: 1))
                #expect(release.status == .forbidden)
            }
            #expect(try await client.send(.post, "/api/inventory/reserve", json: ReserveStockRequest(productId: id, quantity: 1)).status == .unauthorized)
            #expect(try await client.send(.post, "/api/inventory/reserve", token: "forged.token.here", json: ReserveStockRequest(productId: id, quantity: 1)).status == .unauthorized)
            #expect(try await Self.quantity(client, id) == 5)
        }
    }

    @Test func singleReservesAndReleasesMoveStockAndShortStockAnswers409() async throws {
        try await withTestApp { client in
            let service = try await serviceToken()
            let (id, _) = try await Self.stockedProduct(client, quantity: 3)
            let taken = try await client.send(.post, "/api/inventory/reserve", token: service, json: ReserveStockRequest(productId: id, quantity: 2))
            #expect(taken.status == .ok, "\(taken.body)")
            // The plan's single-line form answers the new stock level.
            #expect(try taken.decode(DataEnvelope<InventoryLevel>.self).data.quantity == 1)
            let short = try await client.send(.post, "/api/inventory/reserve", token: service, json: ReserveStockRequest(productId: id, quantity: 2))
            #expect(short.status == .conflict)
            #expect(short.success == false)
            let shortage = try #require(try short.decode(InsufficientStockResponse.self).shortages.first)
            #expect(shortage.productId == id)
            #expect(shortage.requested == 2)
            #expect(shortage.available == 1)
            let released = try await client.send(.post, "/api/inventory/release", token: service, json: ReleaseStockRequest(productId: id, quantity: 2))
            #expect(released.status == .ok)
            #expect(try released.decode(DataEnvelope<InventoryLevel>.self).data.quantity == 3)
            let unknown = try await client.send(.post, "/api/inventory/release", token: service, json: ReleaseStockRequest(productId: "no-such-product", quantity: 1))
            #expect(unknown.status == .notFound)
            let noRow = try await client.send(.post, "/api/inventory/reserve", token: service, json: ReserveStockRequest(productId: "no-such-product", quantity: 1))
            #expect(noRow.status == .conflict)
            let zero = try await client.send(.post, "/api/inventory/reserve", token: service, json: ReserveStockRequest(productId: id, quantity: 0))
            #expect(zero.status == .badRequest)
        }
    }

    @Test func aHundredConcurrentReservesOfOneAgainstStockTenLetExactlyTenThrough() async throws {
        try await withTestApp { client in
            let service = try await serviceToken()
            let (id, _) = try await Self.stockedProduct(client, quantity: 10)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await client.send(.post, "/api/inventory/reserve", token: service, json: ReserveStockRequest(productId: id, quantity: 1)).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 10)
            #expect(statuses.filter { $0 == .conflict }.count == 90)
            #expect(try await Self.quantity(client, id) == 0)
        }
    }

    @Test func aBatchReserveTakesEveryLineOrNone() async throws {
        try await withTestApp { client in
            let (lamp, _) = try await Self.stockedProduct(client, quantity: 5)
            let (chair, _) = try await Self.stockedProduct(client, quantity: 1)
            let order = UUID().uuidString.lowercased()

            let short = try await Self.reserve(client, orderID: order, [(lamp, 2), (chair, 3)])
            #expect(short.status == .conflict)
            let shortages = try short.decode(InsufficientStockResponse.self).shortages
            #expect(shortages.count == 1)
            #expect(shortages.first?.productId == chair)
            #expect(shortages.first?.available == 1)
            #expect(short.fieldErrors == [chair])
            #expect(try await Self.quantity(client, lamp) == 5)
            #expect(try await Self.quantity(client, chair) == 1)

            // The failed attempt left no reservation behind: the order may try again.
            let reserved = try await Self.reserve(client, orderID: order, [(lamp, 1), (chair, 1), (lamp, 1)])
            #expect(reserved.status == .ok, "\(reserved.body)")
            let reservation = try reserved.reply(Endpoints.reserveStock).data
            #expect(reservation.newlyReserved == true)
            #expect(reservation.items.count == 2)
            #expect(try await Self.quantity(client, lamp) == 3)
            #expect(try await Self.quantity(client, chair) == 0)

            let retried = try await Self.reserve(client, orderID: order, [(chair, 1), (lamp, 2)])
            #expect(retried.status == .ok)
            #expect(try retried.reply(Endpoints.reserveStock).data.newlyReserved == false)
            #expect(try await Self.quantity(client, lamp) == 3)

            let different = try await Self.reserve(client, orderID: order, [(lamp, 3)])
            #expect(different.status == .conflict)
            #expect(try await Self.quantity(client, lamp) == 3)
        }
    }

    @Test func concurrentBatchesOverTheSameProductsNeitherDeadlockNorOversell() async throws {
        try await withTestApp { client in
            let (a, _) = try await Self.stockedProduct(client, quantity: 10)
            let (b, _) = try await Self.stockedProduct(client, quantity: 10)
            let service = try await serviceToken()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<30 {
                    // Half list the lines one way round, half the other.
                    let lines = index.isMultiple(of: 2) ? [(a, 1), (b, 1)] : [(b, 1), (a, 1)]
                    group.addTask { try await Self.reserve(client, orderID: UUID().uuidString, lines, token: service).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 10)
            #expect(statuses.filter { $0 == .conflict }.count == 20)
            #expect(try await Self.quantity(client, a) == 0)
            #expect(try await Self.quantity(client, b) == 0)
        }
    }

    @Test func releasingAnOrderTwiceReturnsItsStockOnce() async throws {
        try await withTestApp { client in
            let service = try await serviceToken()
            let (lamp, _) = try await Self.stockedProduct(client, quantity: 6)
            let order = UUID().uuidString.lowercased()
            #expect(try await Self.reserve(client, orderID: order, [(lamp, 4)]).status == .ok)
            #expect(try await Self.quantity(client, lamp) == 2)

            let releases = try await withThrowingTaskGroup(of: JSONResult.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await client.send(.post, "/api/inventory/release", token: service, json: ReleaseStockRequest(orderId: order)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(releases.allSatisfy { $0.status == .ok })
            let released = try releases.map { try $0.reply(Endpoints.releaseStock).data }
            #expect(released.filter { !$0.returned.isEmpty }.count == 1)
            #expect(released.filter(\.alreadyReleased).count == 4)
            #expect(try await Self.quantity(client, lamp) == 6)

            let again = try await client.send(.post, "/api/inventory/release", token: service, json: ReleaseStockRequest(orderId: order))
            #expect(try again.reply(Endpoints.releaseStock).data.alreadyReleased == true)
            #expect(try await Self.quantity(client, lamp) == 6)
            // A released order cannot take stock again.
            #expect(try await Self.reserve(client, orderID: order, [(lamp, 4)]).status == .conflict)
            #expect(try await Self.quantity(client, lamp) == 6)
        }
    }

    @Test func aReleaseThatArrivesBeforeItsReserveKeepsTheLateReserveFromHoldingStock() async throws {
        try await withTestApp { client in
            let service = try await serviceToken()
            let (lamp, _) = try await Self.stockedProduct(client, quantity: 2)
            let order = UUID().uuidString.lowercased()
            let early = try await client.send(.post, "/api/inventory/release", token: service, json: ReleaseStockRequest(orderId: order))
            #expect(early.status == .ok)
            let release = try early.reply(Endpoints.releaseStock).data
            #expect(release.alreadyReleased == false)
            #expect(release.returned.isEmpty)
            #expect(try await Self.reserve(client, orderID: order, [(lamp, 1)]).status == .conflict)
            #expect(try await Self.quantity(client, lamp) == 2)
            let mixed = try await client.send(.post, "/api/inventory/release", token: service, json: ReleaseStockRequest(orderId: order, productId: lamp, quantity: 1))
            #expect(mixed.status == .badRequest)
        }
    }

    @Test func lowStockListsRowsUnderTheirThresholdAndIsNotTakenForAProductID() async throws {
        try await withTestApp { client in
            let (low, _) = try await Self.stockedProduct(client, quantity: 3, threshold: 10)
            let (plenty, _) = try await Self.stockedProduct(client, quantity: 50, threshold: 10)
            let result = try await client.send(.get, "/api/inventory/status/low-stock?limit=200")
            #expect(result.status == .ok, "\(result.body)")
            let page = try result.reply(Endpoints.lowStock)
            let ids = page.data.map(\.productId)
            #expect(ids.contains(low))
            #expect(!ids.contains(plenty))
            #expect(page.data.allSatisfy { $0.quantity < $0.lowStockThreshold })
            let quantities = page.data.map(\.quantity)
            #expect(quantities == quantities.sorted())
            #expect(page.pagination.limit == 200)
            #expect(try await client.send(.get, "/api/inventory/status/low-stock?page=0").status == .badRequest)
        }
    }
}
