import Foundation
import NIOConcurrencyHelpers

/// A token bucket per key: `burst` requests at once, refilled at `perSecond`
/// (`RateLimitMiddleware` per caller, the auth service per address for sign-ups).
public final class RateLimiter: Sendable {
    private struct Bucket { var tokens: Double; var updated: Double }
    private let perSecond: Double
    private let burst: Double
    private let buckets = NIOLockedValueBox([String: Bucket]())

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// nil when the request may go ahead; otherwise the seconds until it may.
    public func take(_ key: String, now: Double = ProcessInfo.processInfo.systemUptime) -> Double? {
        buckets.withLockedValue { buckets in
            // Idle clients are forgotten, so the table stays as small as the set of active ones.
            if buckets.count > 50_000 {
                buckets = buckets.filter { now - $0.value.updated < burst / perSecond }
            }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * perSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / perSecond
        }
    }
}
