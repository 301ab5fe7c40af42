import Foundation
import Logging
import Composition
import PostgresNIO
import ServiceKit
import Testing

@Suite("Migrations") struct MigrationTests {
    @Test func scriptsSplitOnSemicolonsOutsideQuotesCommentsAndDollarBodies() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (x TEXT DEFAULT 'semi;colon');
            /* block; comment */
            CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;
            INSERT INTO a VALUES ('it''s; fine');
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 3)
        #expect(statements[0].hasSuffix("DEFAULT 'semi;colon')"))
        #expect(statements[1].contains("RETURN 1; END; $body$ LANGUAGE plpgsql"))
        #expect(statements[2] == "INSERT INTO a VALUES ('it''s; fine')")
    }

    @Test func migratingTwiceAppliesNothingTheSecondTime() async throws {
        let configuration = try await TestStores.prepare()
        let again = try await migrateAll(configuration, logger: TestStores.logger)
        #expect(again.values.allSatisfy { $0.isEmpty })
        #expect(Set(again.keys) == ["auth_service", "inventory_service", "order_service", "payment_service", "checkout_service"])
    }

    @Test func aChangedOrMissingMigrationIsAHardError() async throws {
        let configuration = try await TestStores.prepare()
        let location = try PostgresLocation(url: configuration.postgresURL)
        let name = "migration_check\(TestStores.suffix)"
        func maintenance() -> PostgresClient { location.client(database: "postgres", logger: TestStores.logger) }
        try await PostgresClient.withRunning(maintenance()) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: TestStores.logger)
            try await MigrationRunner.createDatabaseIfMissing(name, maintenance: client, logger: TestStores.logger)
            // Creating it again is not an error.
            try await MigrationRunner.createDatabaseIfMissing(name, maintenance: client, logger: TestStores.logger)
        }
        let first = Migration(version: 1, name: "create_things", sql: "CREATE TABLE things (id INT PRIMARY KEY); INSERT INTO things VALUES (1);")
        let second = Migration(version: 2, name: "add_column", sql: "ALTER TABLE things ADD COLUMN label TEXT;")
        let client = location.client(database: name, logger: TestStores.logger)
        try await PostgresClient.withRunning(client) { client in
            let runner = MigrationRunner(client: client, logger: TestStores.logger)
            #expect(try await runner.migrate([first], database: name) == [1])
            #expect(try await runner.migrate([first, second], database: name) == [2])
            #expect(try await runner.migrate([first, second], database: name) == [])

            var edited = first
            edited.sql += " INSERT INTO things VALUES (2);"
            await #expect(throws: MigrationError.self) { try await runner.migrate([edited, second], database: name) }
            await #expect(throws: MigrationError.self) { try await runner.migrate([second], database: name) }

            // A failing migration leaves nothing half-applied.
            let broken = Migration(version: 3, name: "broken", sql: "CREATE TABLE half (id INT); SELECT * FROM no_such_table;")
            await #expect(throws: (any Error).self) { try await runner.migrate([first, second, broken], database: name) }
            let rows = try await client.query("SELECT count(*)::int FROM pg_tables WHERE tablename = 'half'", logger: TestStores.logger)
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
        }
        try await PostgresClient.withRunning(maintenance()) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: TestStores.logger)
        }
    }

    /// Test servers started side by side on a new machine all migrate the same
    /// new databases at once: each must start, none may trip over the others.
    @Test func fourMigratorsOnNewDatabasesAtOnceAllSucceed() async throws {
        var configuration = try await TestStores.prepare()
        configuration.databaseSuffix += "_together"
        let location = try PostgresLocation(url: configuration.postgresURL)
        func dropAll() async throws {
            try await PostgresClient.withRunning(location.client(database: "postgres", logger: TestStores.logger)) { client in
                for base in Database.postgres {
                    try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(configuration.databaseName(base)) WITH (FORCE)"), logger: TestStores.logger)
                }
            }
        }
        try await dropAll()
        let results = try await withThrowingTaskGroup(of: [String: [Int]].self) { group in
            let shared = configuration
            for _ in 0..<4 { group.addTask { try await migrateAll(shared, logger: TestStores.logger) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 4)
        // Every migration was applied once, by one of the four.
        for base in Database.postgres {
            let versions = results.flatMap { $0[base.name] ?? [] }
            #expect(!versions.isEmpty)
            #expect(versions.count == Set(versions).count, "\(base.name): a migration applied twice: \(versions)")
        }
        try await dropAll()
    }

    /// A wrong password is named as such at once, not as a pool's circuit breaker a minute later.
    @Test func aRefusedSignInIsNamedAtOnce() async throws {
        var configuration = try await TestStores.prepare()
        var url = try #require(URLComponents(string: configuration.postgresURL))
        url.password = "not-the-password"
        configuration.postgresURL = try #require(url.string)
        let started = ContinuousClock.now
        do {
            _ = try await migrateAll(configuration, logger: TestStores.logger)
            Issue.record("migrating with a wrong password succeeded")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("SQLSTATE 28P01"), "\(error.description)")
            #expect(!error.description.contains("not-the-password"))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func databaseNamesOutsideTheSafeAlphabetAreRefused() async throws {
        let configuration = try await TestStores.prepare()
        let location = try PostgresLocation(url: configuration.postgresURL)
        try await PostgresClient.withRunning(location.client(database: "postgres", logger: TestStores.logger)) { client in
            await #expect(throws: MigrationError.self) {
                try await MigrationRunner.createDatabaseIfMissing("x; DROP DATABASE postgres", maintenance: client, logger: TestStores.logger)
            }
        }
    }

    @Test func postgresURLsAreParsedAndRedacted() throws {
        let location = try PostgresLocation(url: "postgres://shop:p%40ss@db.internal:6543?sslmode=require")
        #expect(location.host == "db.internal")
        #expect(location.port == 6543)
        #expect(location.username == "shop")
        #expect(location.password == "p@ss")
        #expect(location.requireTLS)
        #expect(PostgresLocation.redacted("postgres://shop:secret@h:1") == "postgres://shop:***@h:1")
        #expect(throws: ConfigurationError.self) { try PostgresLocation(url: "mysql://a@b") }
        #expect(throws: ConfigurationError.self) { try PostgresLocation(url: "postgres://host-only") }
    }
}
