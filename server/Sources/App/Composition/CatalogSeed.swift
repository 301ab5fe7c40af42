import AuthService
import Foundation
import InventoryService
import Logging
import MarketplaceAPI
import PostgresNIO
import ProductService
import ServiceKit

/// `marketplace seed --products N`: a demo catalog that looks like a shop —
/// several vendors, ten categories, prices from under a euro to a few thousand,
/// names with accents — and a stock row for every product.
///
/// The catalog is generated from a fixed seed, so two runs with the same N
/// produce the same names and prices (ids and dates differ).
public enum CatalogSeed {
    public struct Report: Sendable {
        public var vendors: [String]
        public var products: Int
        public var categories: Int
        public var stockRows: Int
        /// The password of vendors this run created; nil when they all existed.
        public var vendorPassword: String?
    }

    struct Vendor {
        var name: String
        var email: String
    }

    static let vendors = [
        Vendor(name: "Atelier Hélène", email: "atelier.helene@vendors.storefront.test"),
        Vendor(name: "Café Núñez", email: "cafe.nunez@vendors.storefront.test"),
        Vendor(name: "Björk Outdoor", email: "bjork.outdoor@vendors.storefront.test"),
        Vendor(name: "Ōsaka Electronics", email: "osaka.electronics@vendors.storefront.test"),
        Vendor(name: "Librería Zoë", email: "libreria.zoe@vendors.storefront.test"),
        Vendor(name: "Smørrebrød & Co", email: "smorrebrod@vendors.storefront.test"),
    ]

    struct Category {
        var name: String
        var items: [String]
        var styles: [String]
        /// Price range in cents.
        var cents: ClosedRange<Int>
    }

    static let categories = [
        Category(name: "Electronics", items: ["Headphones", "USB-C Charger", "Bluetooth Speaker", "E-Reader", "Mechanical Keyboard", "Webcam"],
                 styles: ["Pro", "Mini", "Max", "Lite", "Studio", "Wireless"], cents: 1_499...129_900),
        Category(name: "Books", items: ["Cookbook", "Novel", "Atlas", "Poetry Collection", "Field Guide", "Graphic Novel"],
                 styles: ["Crème de la crème", "Señor Quijote", "Über Alles", "Déjà Vu", "Noël", "Fjäll"], cents: 599...4_999),
        Category(name: "Kitchen", items: ["Crème brûlée Torch", "Espresso Cups", "Cast-Iron Pan", "Chef's Knife", "Café au lait Bowl", "Tajine"],
                 styles: ["Provençal", "Nordic", "Classic", "Artisan", "Rustic", "Bistro"], cents: 899...24_900),
        Category(name: "Garden", items: ["Watering Can", "Pruning Shears", "Seed Kit", "Bird House", "Hammock", "Planter"],
                 styles: ["Jardín", "Terracotta", "Zinc", "Bamboo", "Cedar", "Olive"], cents: 499...18_900),
        Category(name: "Toys", items: ["Piñata", "Puzzle", "Wooden Train", "Kite", "Plush Bear", "Building Blocks"],
                 styles: ["Fiesta", "Jumbo", "Mini", "Rainbow", "Classic", "Deluxe"], cents: 299...8_999),
        Category(name: "Sports", items: ["Yoga Mat", "Running Shoes", "Tennis Racket", "Water Bottle", "Ski Goggles", "Climbing Rope"],
                 styles: ["Açaí", "Alpine", "Pro", "Trail", "Sprint", "Team"], cents: 999...34_900),
        Category(name: "Clothing", items: ["Scarf", "Raincoat", "Wool Sweater", "Beret", "Linen Shirt", "Sneakers"],
                 styles: ["Parisienne", "Tweed", "Merino", "Côte d'Azur", "Oversized", "Slim"], cents: 1_299...29_900),
        Category(name: "Beauty", items: ["Soap", "Hand Cream", "Perfume", "Lip Balm", "Face Oil", "Shampoo"],
                 styles: ["Lavande", "Rosé", "Néroli", "Argan", "Vétiver", "Jasmin"], cents: 349...12_900),
        Category(name: "Grocery", items: ["Jalapeño Sauce", "Olive Oil", "Dulce de leche", "Matcha", "Smörgås Crispbread", "Paprika"],
                 styles: ["Organic", "Smoked", "Extra Virgin", "Spicy", "Premium", "Family Size"], cents: 89...3_999),
        Category(name: "Music", items: ["Ukulele", "Vinyl Record", "Guitar Strings", "Metronome", "Harmonica", "Cajón"],
                 styles: ["Fado", "Bossa Nova", "Jazz", "Concert", "Student", "Vintage"], cents: 799...259_900),
    ]

    /// A small deterministic generator (SplitMix64).
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
        mutating func number(in range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    }

    /// The products a seed of `count` makes, owners given by index into `owners`.
    static func catalog(count: Int, owners: [String]) -> [NewProduct] {
        var random = Generator(state: 20_261_125)
        return (0..<count).map { index in
            let category = categories[index % categories.count]
            let item = random.pick(category.items)
            let style = random.pick(category.styles)
            // Prices end in .99, .50, .00 or anything, as real shelves do.
            var cents = random.number(in: category.cents)
            switch random.next() % 4 {
            case 0: cents = cents / 100 * 100 + 99
            case 1: cents = cents / 100 * 100 + 50
            case 2: cents = cents / 100 * 100
            default: break
            }
            let price = Money(exactly: Decimal(cents) / 100)!
            let name = "\(style) \(item) No. \(index / categories.count + 1)"
            let owner = owners[index % owners.count]
            return NewProduct(
                name: name,
                description: "\(item) from the \(style.lowercased()) range, sold in the \(category.name.lowercased()) aisle. Ships in 2–4 days.",
                price: price, category: category.name,
                images: ["https://images.storefront.test/\(category.name.lowercased())/\(index % 97).jpg"],
                ownerID: owner)
        }
    }

    public static func run(_ configuration: AppConfiguration, products count: Int, fresh: Bool, logger: Logger) async throws -> Report {
        precondition(count >= 0)
        _ = try await migrateAll(configuration, logger: logger)
        let location = try PostgresLocation(url: configuration.postgresURL)
        let documents = try DocumentStores(configuration: configuration)
        if fresh { try await documents.products.collection("products").drop() }
        try await documents.userRepository.createIndexes()
        try await documents.productRepository.createIndexes()

        // Vendors are accounts like any other; existing ones are reused.
        let password = ProcessInfo.processInfo.environment["STOREFRONT_SEED_PASSWORD"] ?? "vendor-" + String(UInt32.random(in: .min ... .max), radix: 36)
        var createdAny = false
        let tokens = try await TokenService(userSecret: configuration.tokenSecret, serviceSecret: configuration.serviceSecret)
        let auth = location.client(database: configuration.databaseName(.auth), logger: logger, shortLived: true)
        let owners: [String] = try await PostgresClient.withRunning(auth) { client in
            let accounts = PostgresAccountRepository(client: client, logger: logger)
            let service = AuthService(accounts: accounts, hasher: PasswordHasher(cost: configuration.bcryptCost), tokens: tokens)
            var ids: [String] = []
            for vendor in vendors {
                if let existing = try await accounts.find(email: vendor.email) {
                    ids.append(existing.summary.id)
                } else {
                    let account = try await service.create(NewAccount(name: vendor.name, email: vendor.email, password: password, role: .vendor))
                    ids.append(account.summary.id)
                    createdAny = true
                }
            }
            return ids
        }

        let service = ProductService(repository: documents.productRepository, cacheTTL: .zero)
        var createdIDs: [String] = []
        let planned = catalog(count: count, owners: owners)
        for start in stride(from: 0, to: planned.count, by: 500) {
            let batch = Array(planned[start..<min(start + 500, planned.count)])
            createdIDs += try await service.createMany(batch).map(\.id)
        }
        let created = createdIDs

        // One stock row per product: mostly healthy, some below the low-stock threshold.
        let inventory = location.client(database: configuration.databaseName(.inventory), logger: logger, shortLived: true)
        let stocked = try await PostgresClient.withRunning(inventory) { client in
            let repository = PostgresInventoryRepository(client: client, logger: logger)
            return try await withThrowingTaskGroup(of: Int.self) { group in
                let lanes = 8
                for lane in 0..<lanes {
                    group.addTask {
                        var random = Generator(state: UInt64(lane) &+ 7)
                        var rows = 0
                        for id in created[lane...].enumerated().filter({ $0.offset % lanes == 0 }).map(\.element) {
                            let quantity = random.next() % 8 == 0 ? random.number(in: 1...9) : random.number(in: 10...250)
                            _ = try await repository.addStock(productID: id, quantity: quantity, lowStockThreshold: 10)
                            rows += 1
                        }
                        return rows
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        return Report(
            vendors: vendors.map(\.email), products: created.count, categories: Set(planned.map(\.category)).count,
            stockRows: stocked, vendorPassword: createdAny ? password : nil)
    }
}
