/// `GET /health` and `GET /ready`.
public struct HealthStatus: Codable, Sendable {
    public var status: String
    public var checks: [String: String]?

    public init(status: String, checks: [String: String]? = nil) {
        self.status = status
        self.checks = checks
    }
}
