import HummingbirdBcrypt
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// No hashing slot for this request: the whole queue is full (`crowded`), or the
/// calling client already has its share of it in progress (`clientBusy`).
public enum HasherBusy: Error, Equatable {
    case crowded
    case clientBusy
}

/// Which work a hash is for: sign-ins are served before sign-ups, so that nobody
/// creating accounts can keep account holders from signing in.
public enum HashPurpose: Int, Sendable, CaseIterable {
    case signIn = 0
    case signUp = 1
}

/// bcrypt on a blocking thread pool: a hash takes tens of milliseconds of CPU,
/// which must never run on an event loop serving other requests. Hashes wait
/// their turn in a `FairHashingQueue`: one client never holds more than its
/// share of it, and sign-ins go first.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    private let pool: NIOThreadPool
    /// Compared against when the email is unknown, so a failed login costs the
    /// same time whether or not the account exists.
    private let decoyHash: String
    let queue: FairHashingQueue

    /// As many hashes run at once as `pool` has threads; `maximumQueued`: hashes
    /// running or waiting in all; `perClient`: of those, one client's. `cost`:
    /// 12 in production; below 10 only for tests (`STOREFRONT_BCRYPT_COST`).
    public init(cost: UInt8 = 12, pool: NIOThreadPool = .singleton, maximumQueued: Int = 16, perClient: Int = 4) {
        precondition((4...31).contains(cost), "bcrypt's cost is 4 to 31")
        self.cost = cost
        self.pool = pool
        self.queue = FairHashingQueue(running: pool.numberOfThreads, maximumQueued: maximumQueued, perClient: perClient)
        self.decoyHash = Bcrypt.hash("decoy-\(UInt64.random(in: .min ... .max))", cost: cost)
    }

    /// `client`: who asks (an address or a kiosk session); nil for an operator's
    /// command, which has no share to keep to.
    public func hash(_ password: String, client: String? = nil, purpose: HashPurpose = .signUp) async throws -> String {
        let cost = self.cost
        return try await queue.run(client: client, purpose: purpose) {
            try await pool.runIfActive { Bcrypt.hash(password, cost: cost) }
        }
    }

    public func verify(_ password: String, hash: String?, client: String? = nil) async throws -> Bool {
        let target = hash ?? decoyHash
        let matches = try await queue.run(client: client, purpose: .signIn) {
            try await pool.runIfActive { Bcrypt.verify(password, hash: target) }
        }
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
}
