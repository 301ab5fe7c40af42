import Foundation

/// The SQL migrations of each PostgreSQL-backed service, shipped as resources of
/// the `marketplace` binary (`server/migrations/<database>/NNN_name.sql`).
public enum MigrationFiles {
    public static let databases = ["auth_service", "inventory_service", "order_service", "payment_service", "checkout_service"]

    public static func directory(for database: String) -> URL? {
        Bundle.module.url(forResource: database, withExtension: nil)
    }
}
