import Foundation
import ServiceKit

/// The SQL migrations of each PostgreSQL-backed service, shipped as resources of
/// the `marketplace` binary (`server/migrations/<database>/NNN_name.sql`).
public enum MigrationFiles {
    public static func directory(for database: Database) -> URL? {
        Bundle.module.url(forResource: database.name, withExtension: nil)
    }
}
