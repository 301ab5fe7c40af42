// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "storefront",
    products: [
        .library(name: "MarketplaceAPI", targets: ["MarketplaceAPI"]),
    ],
    targets: [
        .target(name: "MarketplaceAPI"),
        .testTarget(name: "MarketplaceAPITests", dependencies: ["MarketplaceAPI"]),
    ]
)
