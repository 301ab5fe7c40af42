import NIOConcurrencyHelpers
import ServiceKit

/// Who sells what: the owners' names, asked of the accounts once per owner and
/// kept for `ttl` (a catalogue of thousands of products has a few dozen vendors,
/// so a page rarely asks at all). An owner the accounts do not know is
/// remembered as unknown for the same time.
final class VendorNameCache: Sendable {
    private struct Entry {
        var name: String?
        var stored: ContinuousClock.Instant
    }

    private let source: any AccountNames
    private let ttl: Duration
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    /// Owners are few; the bound only guards against a flood of one-off ids.
    private let capacity = 10_000

    init(source: any AccountNames, ttl: Duration) {
        self.source = source
        self.ttl = ttl
    }

    /// The names of these owners, by id; those the accounts do not know are left out.
    func names(of ids: Set<String>) async throws -> [String: String] {
        let now = ContinuousClock.now
        var known: [String: String] = [:]
        var missing: [String] = []
        entries.withLockedValue { entries in
            for id in ids {
                if let entry = entries[id], now - entry.stored < ttl {
                    if let name = entry.name { known[id] = name }
                } else {
                    missing.append(id)
                }
            }
        }
        guard !missing.isEmpty else { return known }
        let asked = try await source.names(of: missing)
        entries.withLockedValue { entries in
            if entries.count + missing.count > capacity { entries.removeAll() }
            for id in missing { entries[id] = Entry(name: asked[id], stored: now) }
        }
        return known.merging(asked, uniquingKeysWith: { first, _ in first })
    }
}
