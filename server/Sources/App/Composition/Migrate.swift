import Foundation
import Logging
import SQLMigrations
import PostgresNIO
import ServiceKit

extension PostgresClient {
    /// Runs the client's connection pool for the duration of `body`.
    public static func withRunning<T: Sendable>(_ client: PostgresClient, _ body: (PostgresClient) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

/// `marketplace migrate`: creates each service database that is missing and
/// applies its pending migrations. Safe to run again and from two places at once.
public func migrateAll(_ configuration: AppConfiguration, logger: Logger) async throws -> [String: [Int]] {
    do {
        return try await migrateEach(configuration, logger: logger)
    } catch let error as PSQLError {
        // PostgreSQL's own words, not the driver's generic description.
        throw MigrationError("migrating failed: \(PostgresLocation.reason(error).text)")
    }
}

private func migrateEach(_ configuration: AppConfiguration, logger: Logger) async throws -> [String: [Int]] {
    let location = try PostgresLocation(url: configuration.postgresURL)
    try await location.probe(database: "postgres", logger: logger)
    let maintenance = location.client(database: "postgres", logger: logger, shortLived: true)
    try await PostgresClient.withRunning(maintenance) { maintenance in
        for base in Database.postgres {
            try await MigrationRunner.createDatabaseIfMissing(configuration.databaseName(base), maintenance: maintenance, logger: logger)
        }
    }
    var applied: [String: [Int]] = [:]
    for base in Database.postgres {
        guard let directory = MigrationFiles.directory(for: base) else {
            throw MigrationError("migrations for \(base.name) are missing from the build")
        }
        let migrations = try Migration.load(from: directory)
        let name = configuration.databaseName(base)
        let client = location.client(database: name, logger: logger, shortLived: true)
        applied[base.name] = try await PostgresClient.withRunning(client) { client in
            try await MigrationRunner(client: client, logger: logger).migrate(migrations, database: name)
        }
    }
    return applied
}
