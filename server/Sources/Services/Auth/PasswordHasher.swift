import HummingbirdBcrypt
import NIOPosix

/// bcrypt on NIO's blocking thread pool: a hash takes tens of milliseconds of CPU,
/// which must never run on an event loop serving other requests.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    private let pool: NIOThreadPool
    /// Compared against when the email is unknown, so a failed login costs the
    /// same time whether or not the account exists.
    private let decoyHash: String

    public init(cost: UInt8 = 12, pool: NIOThreadPool = .singleton) {
        precondition(cost >= 10, "bcrypt cost below 10 is too weak")
        self.cost = cost
        self.pool = pool
        self.decoyHash = Bcrypt.hash("decoy-\(UInt64.random(in: .min ... .max))", cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await pool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String?) async throws -> Bool {
        let target = hash ?? decoyHash
        let matches = try await pool.runIfActive { Bcrypt.verify(password, hash: target) }
        return matches && hash != nil
    }
}
