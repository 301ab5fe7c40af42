/// The marketplace's databases, one per service that keeps data (the plan's
/// database-per-service table). Names get the configured suffix at run time
/// (`AppConfiguration.databaseName`), so tests and production never share one.
public enum Database: String, CaseIterable, Sendable {
    case auth = "auth_service"
    case inventory = "inventory_service"
    case orders = "order_service"
    case payments = "payment_service"
    case checkout = "checkout_service"
    case users = "user_service"
    case products = "product_service"

    /// The ones PostgreSQL holds, each with versioned migrations in `server/migrations/<name>/`.
    public static let postgres: [Database] = [.auth, .inventory, .orders, .payments, .checkout]
    /// The ones the document store (MongoDB) holds.
    public static let documents: [Database] = [.users, .products]

    public var name: String { rawValue }
}
