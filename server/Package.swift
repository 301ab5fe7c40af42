// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "marketplace",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "marketplace", targets: ["ServerCommand"]),
    ],
    dependencies: [
        .package(name: "storefront", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-ssh.git", from: "0.15.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP over HTTP only: the gRPC exporter would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // Platform: what every service is built on.
        // libmongoc, imported only by MongoKit.
        .systemLibrary(name: "CMongoc", path: "Sources/Platform/CMongoc", pkgConfig: "libmongoc-1.0", providers: [.apt(["libmongoc-dev"])]),
        .target(
            name: "MongoKit",
            dependencies: [
                "CMongoc",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Sources/Platform/MongoKit"
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                "MongoKit",
                .product(name: "MarketplaceAPI", package: "storefront"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Sources/Platform/ServiceKit"
        ),
        // The SQL migrations of each PostgreSQL database, shipped with the binary.
        .target(
            name: "SQLMigrations",
            dependencies: ["ServiceKit"],
            path: "migrations",
            exclude: [],
            sources: ["MigrationFiles.swift"],
            resources: [
                .copy("auth_service"),
                .copy("inventory_service"),
                .copy("order_service"),
                .copy("payment_service"),
                .copy("checkout_service"),
            ]
        ),

        // Services: each folder holds its domain types and errors, rules, service,
        // controller, repository and store, and the clients other services use to reach it.
        .target(
            name: "AuthService",
            dependencies: ["ServiceKit", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth")],
            path: "Sources/Services/Auth"
        ),
        .target(name: "UserService", dependencies: ["ServiceKit", "MongoKit"], path: "Sources/Services/Users"),
        .target(name: "ProductService", dependencies: ["ServiceKit", "MongoKit"], path: "Sources/Services/Products"),
        .target(name: "InventoryService", dependencies: ["ServiceKit", "ProductService"], path: "Sources/Services/Inventory"),
        .target(name: "OrderService", dependencies: ["ServiceKit", "ProductService"], path: "Sources/Services/Orders"),
        .target(name: "PaymentService", dependencies: ["ServiceKit", "OrderService"], path: "Sources/Services/Payments"),
        // Pseudo-terminals and a session leader spawned on one (the GNU calls Swift's Glibc leaves out).
        .target(name: "CTerminal", path: "Sources/Platform/CTerminal"),
        // The SSH door: `ssh -p 2222 shop` runs the terminal shop on a pseudo-terminal.
        .target(
            name: "SSHService",
            dependencies: [
                "ServiceKit",
                "CTerminal",
                .product(name: "NIOSSH", package: "swift-nio-ssh"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Services/SSH"
        ),
        .target(
            name: "CheckoutService",
            dependencies: ["ServiceKit", "OrderService", "InventoryService", "PaymentService"],
            path: "Sources/Services/Checkout"
        ),

        // App: the marketplace put together from configuration, and its command line.
        .target(
            name: "Composition",
            dependencies: [
                "ServiceKit",
                "AuthService",
                "UserService",
                "ProductService",
                "InventoryService",
                "OrderService",
                "PaymentService",
                "CheckoutService",
                "SSHService",
                "SQLMigrations",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            path: "Sources/App/Composition"
        ),
        .executableTarget(
            name: "ServerCommand",
            dependencies: [
                "Composition",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            path: "Sources/App/Command",
            plugins: ["BuildInfo"]
        ),
        .plugin(name: "BuildInfo", capability: .buildTool(), path: "Plugins/BuildInfo"),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Composition",
                .product(name: "StorefrontTestSupport", package: "storefront"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ]
)
