import Foundation
import Metrics
import NIOConcurrencyHelpers

/// The sessions open now, in all and per address, and the new connections each
/// address made lately (a token bucket per address).
final class SSHAdmission: Sendable {
    enum Refusal: String {
        case full, address
    }

    private struct State {
        var sessions = 0
        var perAddress: [String: Int] = [:]
        var buckets: [String: (tokens: Double, at: ContinuousClock.Instant)] = [:]
    }

    private let state = NIOLockedValueBox(State())
    let maxSessions: Int
    let sessionsPerAddress: Int
    let connectionsPerSecond: Double

    init(maxSessions: Int, sessionsPerAddress: Int, connectionsPerSecond: Double) {
        self.maxSessions = maxSessions
        self.sessionsPerAddress = sessionsPerAddress
        self.connectionsPerSecond = connectionsPerSecond
    }

    /// Whether a new connection from `address` is within its rate (bursts of twice the rate).
    func admitConnection(from address: String) -> Bool {
        let now = ContinuousClock.now
        let burst = max(1, connectionsPerSecond * 2)
        return state.withLockedValue { state in
            if state.buckets.count > 10_000 {
                // Forget addresses whose buckets have refilled.
                state.buckets = state.buckets.filter { now - $0.value.at < .seconds(burst / connectionsPerSecond) }
            }
            var bucket = state.buckets[address] ?? (burst, now)
            let elapsed = now - bucket.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * connectionsPerSecond)
            bucket.at = now
            guard bucket.tokens >= 1 else {
                state.buckets[address] = bucket
                return false
            }
            bucket.tokens -= 1
            state.buckets[address] = bucket
            return true
        }
    }

    /// Takes a session place for `address`, or says which limit it meets.
    func openSession(from address: String) -> Refusal? {
        state.withLockedValue { state in
            if state.sessions >= maxSessions { return .full }
            if state.perAddress[address, default: 0] >= sessionsPerAddress { return .address }
            state.sessions += 1
            state.perAddress[address, default: 0] += 1
            return nil
        }
    }

    func closeSession(from address: String) {
        state.withLockedValue { state in
            state.sessions -= 1
            let left = state.perAddress[address, default: 1] - 1
            state.perAddress[address] = left > 0 ? left : nil
        }
    }

    var openSessions: Int { state.withLockedValue { $0.sessions } }
}

/// What the SSH door counts, beside the HTTP metrics on `/metrics`.
enum SSHMetrics {
    static let sessionsOpen = Gauge(label: "storefront_ssh_sessions_open")
    static let sessionsStarted = Counter(label: "storefront_ssh_sessions_started_total")
    static func authentication(_ outcome: String) {
        Counter(label: "storefront_ssh_authentications_total", dimensions: [("outcome", outcome)]).increment()
    }
    static func refused(_ reason: String) {
        Counter(label: "storefront_ssh_refusals_total", dimensions: [("reason", reason)]).increment()
    }
}
