import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MongoKit
import PostgresNIO
@testable import ServiceKit
@testable import Composition
import Testing

/// A slow query fails its own request with a clear answer, below the request deadline.
@Suite("Store time limits") struct StoreTimeLimitTests {
    @Test func aStatementPastItsTimeLimitIsCancelledAndAnswers503() async throws {
        let configuration = try await TestStores.prepare()
        let location = try PostgresLocation(url: configuration.postgresURL)
        let client = location.client(database: configuration.databaseName(.auth), logger: TestStores.logger, statementTimeout: .milliseconds(200))
        let start = ContinuousClock.now
        let error = await #expect(throws: PSQLError.self) {
            try await PostgresClient.withRunning(client) { client in
                try await client.query("SELECT pg_sleep(30)", logger: TestStores.logger).collect()
            }
        }
        #expect(ContinuousClock.now - start < .seconds(20), "cancelled by the server, not waited out")
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/api/orders"), body: .init(buffer: ByteBuffer()))
        let answer = ErrorMiddleware.map(try #require(error), request: request, logger: TestStores.logger)
        #expect(answer.status == .serviceUnavailable && answer.code == .unavailable, "\(answer)")
    }

    @Test func theServicesStoresCarryTheStatementTimeLimit() async throws {
        let configuration = try await TestStores.prepare()
        let stores = try Stores(configuration: configuration, logger: TestStores.logger, for: [.auth])
        try await PostgresClient.withRunning(stores.client(.auth)) { client in
            var shown = ""
            for try await value in try await client.query("SHOW statement_timeout", logger: TestStores.logger).decode(String.self) { shown = value }
            #expect(shown == "\(Int((configuration.requestTimeout * 0.8).components.seconds))s", "\(shown)")
        }
        // The document store's reads are bounded by its socket timeout, below the deadline.
        #expect(DocumentStores.url("mongodb://127.0.0.1:27017", socketTimeout: configuration.requestTimeout * 0.8)
                == "mongodb://127.0.0.1:27017/?socketTimeoutMS=\(Int((configuration.requestTimeout * 0.8).components.seconds) * 1000)")
        #expect(DocumentStores.url("mongodb://h:1/?socketTimeoutMS=5", socketTimeout: .seconds(8)) == "mongodb://h:1/?socketTimeoutMS=5")
    }
}
