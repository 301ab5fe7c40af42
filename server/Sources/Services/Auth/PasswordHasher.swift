import HummingbirdBcrypt
import NIOConcurrencyHelpers
import NIOPosix

/// Every hashing slot is taken: the caller is answered at once rather than queued without end.
public struct HasherBusy: Error, Equatable {}

/// bcrypt on NIO's blocking thread pool: a hash takes tens of milliseconds of CPU,
/// which must never run on an event loop serving other requests.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    private let pool: NIOThreadPool
    /// Compared against when the email is unknown, so a failed login costs the
    /// same time whether or not the account exists.
    private let decoyHash: String
    /// Hashes running or waiting; past `maximumQueued` new ones are refused
    /// (`HasherBusy`), so a flood of sign-ins cannot make every login wait for minutes.
    private let queued = NIOLockedValueBox(0)
    public let maximumQueued: Int

    public init(cost: UInt8 = 12, pool: NIOThreadPool = .singleton, maximumQueued: Int = 16) {
        precondition(cost >= 10, "bcrypt cost below 10 is too weak")
        self.cost = cost
        self.pool = pool
        self.maximumQueued = max(1, maximumQueued)
        self.decoyHash = Bcrypt.hash("decoy-\(UInt64.random(in: .min ... .max))", cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await slot { try await pool.runIfActive { Bcrypt.hash(password, cost: cost) } }
    }

    public func verify(_ password: String, hash: String?) async throws -> Bool {
        let target = hash ?? decoyHash
        let matches = try await slot { try await pool.runIfActive { Bcrypt.verify(password, hash: target) } }
        return matches && hash != nil
    }

    /// The threads password hashes run on: one pool per size for the process, so
    /// servers built again and again in one process (tests) share them. Fewer
    /// threads than cores keeps a storm of sign-ins from taking every core from
    /// the shoppers browsing meanwhile (`make bench`'s login storm rows), at the
    /// price of fewer sign-ins a second.
    public static func pool(threads: Int) -> NIOThreadPool {
        pools.withLockedValue { pools in
            if let pool = pools[threads] { return pool }
            let pool = NIOThreadPool(numberOfThreads: threads)
            pool.start()
            pools[threads] = pool
            return pool
        }
    }
    private static let pools = NIOLockedValueBox<[Int: NIOThreadPool]>([:])

    private func slot<T>(_ work: () async throws -> T) async throws -> T {
        let taken = queued.withLockedValue { count in
            guard count < maximumQueued else { return false }
            count += 1
            return true
        }
        guard taken else { throw HasherBusy() }
        defer { queued.withLockedValue { $0 -= 1 } }
        return try await work()
    }
}
