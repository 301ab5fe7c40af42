/// What `marketplace --version` prints: the package's version and, when it was
/// built from a git checkout, that commit (`-modified` when the checkout had
/// uncommitted changes). `buildCommit` is written before each build by the
/// BuildInfo plugin (server/Plugins/BuildInfo).
enum MarketplaceVersion {
    static let number = "0.9.0"

    static var description: String {
        buildCommit.map { "marketplace \(number) (commit \($0))" } ?? "marketplace \(number)"
    }
}
