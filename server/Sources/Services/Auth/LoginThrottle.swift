import Foundation
import NIOConcurrencyHelpers

/// Slows down guessing: after `allowedFailures` failed sign-ins for one email
/// (whether or not an account has it, so the answer tells nothing) or
/// `allowedFailuresPerAddress` from one client address within `window`, further
/// attempts are refused for a delay that doubles with each further failure: up
/// to `window` for an address, but never past `longestEmailDelay` for an email,
/// so that nobody can lock an account's owner out for longer than a few seconds
/// by failing on purpose from elsewhere (their own address is held ever longer).
/// A success clears the email's count. Memory is bounded: at most
/// `capacity` keys, the stalest forgotten first.
public final class LoginThrottle: Sendable {
    public struct Limits: Sendable, Equatable {
        public var allowedFailures: Int
        public var allowedFailuresPerAddress: Int
        public var window: Duration
        public var longestEmailDelay: Duration

        public init(allowedFailures: Int = 5, allowedFailuresPerAddress: Int = 100, window: Duration = .seconds(900),
                    longestEmailDelay: Duration = .seconds(4)) {
            self.allowedFailures = allowedFailures
            self.allowedFailuresPerAddress = allowedFailuresPerAddress
            self.window = window
            self.longestEmailDelay = longestEmailDelay
        }
    }

    private struct Record {
        var failures: Int
        var lastFailure: ContinuousClock.Instant
        var blockedUntil: ContinuousClock.Instant?
    }

    private let limits: Limits?
    private let capacity: Int
    private let records = NIOLockedValueBox([String: Record]())

    /// nil limits: no throttling.
    public init(limits: Limits?, capacity: Int = 100_000) {
        self.limits = limits
        self.capacity = capacity
    }

    /// How long the caller must wait before trying again; nil when it may try now.
    public func wait(email: String?, address: String?, now: ContinuousClock.Instant = .now) -> Duration? {
        guard limits != nil else { return nil }
        return records.withLockedValue { records in
            [email.map(Self.key(email:)), address.map(Self.key(address:))].compactMap { $0 }.compactMap { key in
                records[key]?.blockedUntil.flatMap { $0 > now ? $0 - now : nil }
            }.max()
        }
    }

    public func failed(email: String, address: String?, now: ContinuousClock.Instant = .now) {
        guard let limits else { return }
        records.withLockedValue { records in
            if records.count >= capacity { Self.forgetStalest(&records, capacity: capacity, now: now, window: limits.window) }
            Self.count(&records, Self.key(email: email), allowed: limits.allowedFailures, window: limits.window, longest: limits.longestEmailDelay, now: now)
            if let address {
                Self.count(&records, Self.key(address: address), allowed: limits.allowedFailuresPerAddress, window: limits.window, longest: limits.window, now: now)
            }
        }
    }

    /// A registration refused for a taken email: counted against the address, so
    /// nobody learns which emails have accounts at speed.
    public func failedRegistration(address: String?) {
        guard let limits, let address else { return }
        let now = ContinuousClock.now
        records.withLockedValue { records in
            if records.count >= capacity { Self.forgetStalest(&records, capacity: capacity, now: now, window: limits.window) }
            Self.count(&records, Self.key(address: address), allowed: limits.allowedFailuresPerAddress, window: limits.window, longest: limits.window, now: now)
        }
    }

    public func succeeded(email: String) {
        _ = records.withLockedValue { $0.removeValue(forKey: Self.key(email: email)) }
    }

    private static func count(_ records: inout [String: Record], _ key: String, allowed: Int, window: Duration, longest: Duration, now: ContinuousClock.Instant) {
        var record = records[key].flatMap { now - $0.lastFailure < window ? $0 : nil } ?? Record(failures: 0, lastFailure: now)
        record.failures += 1
        record.lastFailure = now
        if record.failures > allowed {
            // 1 s, 2 s, 4 s, ... after the allowance, never longer than `longest`.
            let delay = min(longest, .seconds(1 << min(record.failures - allowed - 1, 20)))
            record.blockedUntil = now + delay
        }
        records[key] = record
    }

    /// Forgets expired records, and when that is not enough, the staler half.
    private static func forgetStalest(_ records: inout [String: Record], capacity: Int, now: ContinuousClock.Instant, window: Duration) {
        records = records.filter { now - $0.value.lastFailure < window }
        if records.count >= capacity / 2 {
            let keep = records.sorted { $0.value.lastFailure > $1.value.lastFailure }.prefix(records.count / 2)
            records = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }

    private static func key(email: String) -> String { "e:" + email }
    private static func key(address: String) -> String { "a:" + address }
}
