// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "storefront",
    products: [
        .library(name: "MarketplaceAPI", targets: ["MarketplaceAPI"]),
        // Loopback ports and pipes for the suites of both packages and the bench driver.
        .library(name: "StorefrontTestSupport", targets: ["StorefrontTestSupport"]),
        .executable(name: "storefront", targets: ["storefront"]),
    ],
    targets: [
        // The HTTP contract shared with the server (server/Package.swift depends on it by path).
        .target(name: "MarketplaceAPI"),
        .testTarget(name: "MarketplaceAPITests", dependencies: ["MarketplaceAPI"]),

        // The terminal client. StorefrontCore is pure Swift (no ncurses, no libcurl):
        // the model, screens, keymaps, frames and theme files, all testable without a terminal.
        .target(name: "StorefrontCore", dependencies: ["MarketplaceAPI"], plugins: ["EmbedThemes"]),
        // The shipped themes/*.theme built into the binary (a binary copied alone keeps them).
        .plugin(name: "EmbedThemes", capability: .buildTool(), path: "Plugins/EmbedThemes"),
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "StorefrontTerminal", dependencies: ["StorefrontCore", "CNcurses"]),
        .target(name: "StorefrontHTTP", dependencies: ["StorefrontCore", "MarketplaceAPI", "CCurl"]),
        .executableTarget(name: "storefront", dependencies: ["StorefrontCore", "StorefrontTerminal", "StorefrontHTTP"]),
        // Not a test: prints start-up time, memory after browsing and key-to-frame latency.
        .executableTarget(name: "storefront-bench", dependencies: ["StorefrontTestSupport"]),
        .target(name: "StorefrontTestSupport", path: "Tests/Support"),
        .testTarget(name: "StorefrontCoreTests", dependencies: ["StorefrontCore", "MarketplaceAPI"],
                    exclude: ["__Snapshots__"]),
        .testTarget(name: "StorefrontHTTPTests", dependencies: ["StorefrontHTTP", "StorefrontCore", "MarketplaceAPI", "StorefrontTestSupport"]),
        .testTarget(name: "StorefrontTerminalTests", dependencies: ["storefront", "StorefrontHTTP", "StorefrontCore", "MarketplaceAPI",
                                                                  "StorefrontTestSupport"]),
    ]
)
