import NIOConcurrencyHelpers

/// The order in which password hashes run. At most `running` run at once; the
/// rest wait, sign-ins before sign-ups, and within each purpose the clients take
/// turns (round robin), so a client with many requests waiting is served no
/// sooner than one with a single request. A client may have `perClient` hashes
/// running or waiting; past that its request is refused at once (`clientBusy`)
/// while everybody else's still queue. When all `maximumQueued` places are
/// taken, a sign-in takes the place of the newest waiting sign-up (which is
/// refused as `crowded`); otherwise the request is refused as `crowded`.
public final class FairHashingQueue: Sendable {
    public let running: Int
    public let maximumQueued: Int
    public let perClient: Int

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private enum Decision {
        case run
        case refuse(HasherBusy)
        /// Queued; a sign-up may have been refused to make room.
        case wait(evicting: Waiter?)
    }

    private struct State {
        var active = 0
        var nextID: UInt64 = 0
        /// Per purpose: each client's waiters, and the clients in turn order (a few
    /// dozen at most: `maximumQueued` bounds them).
        var waiting: [[String: [Waiter]]] = Array(repeating: [:], count: HashPurpose.allCases.count)
        var turns: [[String]] = Array(repeating: [], count: HashPurpose.allCases.count)
        var waitingCount = 0
        /// Running or waiting, per client.
        var held: [String: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init(running: Int, maximumQueued: Int, perClient: Int) {
        self.running = max(1, running)
        self.maximumQueued = max(self.running, maximumQueued)
        self.perClient = max(1, perClient)
    }

    /// Hashes running and waiting now (for tests and metrics).
    public var load: (active: Int, waiting: Int) { state.withLockedValue { ($0.active, $0.waitingCount) } }

    public func run<T>(client: String?, purpose: HashPurpose, _ work: () async throws -> T) async throws -> T {
        try await acquire(client: client, purpose: purpose)
        defer { release(client: client) }
        return try await work()
    }

    private func acquire(client: String?, purpose: HashPurpose) async throws {
        // An operator's command (no client) queues without a share to keep to.
        let key = client ?? "\u{0}operator"
        let id = state.withLockedValue { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Decided under the lock, resumed after it.
                let decision: Decision = state.withLockedValue { state in
                    if client != nil, state.held[key, default: 0] >= perClient { return .refuse(.clientBusy) }
                    if state.active < running {
                        state.active += 1
                        state.held[key, default: 0] += 1
                        return .run
                    }
                    var evicted: Waiter?
                    if state.active + state.waitingCount >= maximumQueued {
                        // Full: a sign-in makes room by refusing the newest waiting sign-up.
                        guard purpose == .signIn, let newest = Self.newestSignUp(state) else { return .refuse(.crowded) }
                        evicted = Self.remove(newest.id, from: &state)
                    }
                    let list = purpose.rawValue
                    if state.waiting[list][key] == nil { state.turns[list].append(key) }
                    state.waiting[list][key, default: []].append(Waiter(id: id, continuation: continuation))
                    state.waitingCount += 1
                    state.held[key, default: 0] += 1
                    return .wait(evicting: evicted)
                }
                switch decision {
                case .run: continuation.resume()
                case .refuse(let reason): continuation.resume(throwing: reason)
                case .wait(let evicted): evicted?.continuation.resume(throwing: HasherBusy.crowded)
                }
            }
        } onCancel: {
            // A request given up (its deadline passed) leaves the queue; one already running finishes.
            let cancelled = state.withLockedValue { Self.remove(id, from: &$0) }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    private func release(client: String?) {
        let key = client ?? "\u{0}operator"
        let next: Waiter? = state.withLockedValue { state in
            state.held[key, default: 1] -= 1
            if state.held[key] == 0 { state.held[key] = nil }
            for purpose in HashPurpose.allCases {
                let list = purpose.rawValue
                guard !state.turns[list].isEmpty else { continue }
                let turn = state.turns[list].removeFirst()
                var queue = state.waiting[list][turn] ?? []
                let waiter = queue.removeFirst()
                if queue.isEmpty {
                    state.waiting[list][turn] = nil
                } else {
                    state.waiting[list][turn] = queue
                    state.turns[list].append(turn)
                }
                state.waitingCount -= 1
                // The slot passes to the waiter: `active` stays as it is.
                return waiter
            }
            state.active -= 1
            return nil
        }
        next?.continuation.resume()
    }

    private static func newestSignUp(_ state: State) -> Waiter? {
        state.waiting[HashPurpose.signUp.rawValue].values.compactMap(\.last).max { $0.id < $1.id }
    }

    /// Takes a waiting request out of the queue (refused or cancelled before its
    /// turn); nil when it is not waiting (it has its slot, or never queued).
    private static func remove(_ id: UInt64, from state: inout State) -> Waiter? {
        for list in state.waiting.indices {
            for (key, queue) in state.waiting[list] {
                guard let index = queue.firstIndex(where: { $0.id == id }) else { continue }
                var queue = queue
                let waiter = queue.remove(at: index)
                if queue.isEmpty {
                    state.waiting[list][key] = nil
                    state.turns[list].removeAll { $0 == key }
                } else {
                    state.waiting[list][key] = queue
                }
                state.waitingCount -= 1
                state.held[key, default: 1] -= 1
                if state.held[key] == 0 { state.held[key] = nil }
                return waiter
            }
        }
        return nil
    }
}
