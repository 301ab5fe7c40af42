import NIOConcurrencyHelpers
import NIOCore

/// Response bodies of catalog reads, so repeated pages never wait on the store.
///
/// Consistency on one instance: every write calls `invalidate()` after the store
/// has accepted it, which empties the cache and bumps a generation; a read that
/// started before the write may finish after it, so a body is only kept when the
/// generation is still the one its read started in. The next read after a write
/// therefore always goes to the store.
///
/// Across instances, an entry is fresh for `ttl`. For one more `ttl` after that it
/// is still served while a single background read refreshes it, so busy pages
/// never make a shopper wait on the store when they expire; an entry older than
/// twice `ttl` is never served. Another instance's write thus shows here within
/// 2 × `ttl` at most. Concurrent misses of one key share a single store read.
///
/// Bounded twice: at most `capacity` entries and `maxBytes` of bodies (keys are
/// parsed queries, so spelling a query differently makes no new entry). When a
/// new body would pass either bound, expired entries go first, then all.
final class ProductReadCache: Sendable {
    private struct Entry {
        var body: ByteBuffer
        var stored: ContinuousClock.Instant
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [String: Entry] = [:]
        /// The bodies' bytes.
        var bytes = 0
        var loads: [String: Task<ByteBuffer, any Error>] = [:]
    }

    enum Source: String {
        /// Fresh from the cache.
        case hit
        /// From the cache, past its freshness, while a refresh runs.
        case stale
        /// From the store.
        case miss
    }

    private let state = NIOLockedValueBox(State())
    let ttl: Duration
    let capacity: Int
    let maxBytes: Int

    init(ttl: Duration, capacity: Int = 10_000, maxBytes: Int = 64 << 20) {
        self.ttl = ttl
        self.capacity = capacity
        self.maxBytes = maxBytes
    }

    /// What the cache holds now, for tests and operators.
    var size: (entries: Int, bytes: Int) { state.withLockedValue { ($0.entries.count, $0.bytes) } }

    func body(for key: String, load: @escaping @Sendable () async throws -> ByteBuffer) async throws -> (ByteBuffer, Source) {
        guard ttl > .zero else { return (try await load(), .miss) }
        let now = ContinuousClock.now
        enum Lookup {
            case cached(ByteBuffer)
            case stale(ByteBuffer, refresh: (Task<ByteBuffer, any Error>, UInt64)?)
            case joined(Task<ByteBuffer, any Error>)
            case started(Task<ByteBuffer, any Error>, UInt64)
        }
        let lookup: Lookup = state.withLockedValue { state in
            let entry = state.entries[key]
            if let entry, now - entry.stored < ttl { return .cached(entry.body) }
            if let entry, now - entry.stored < ttl * 2 {
                if state.loads[key] != nil { return .stale(entry.body, refresh: nil) }
                let task = Task { try await load() }
                state.loads[key] = task
                return .stale(entry.body, refresh: (task, state.generation))
            }
            if let load = state.loads[key] { return .joined(load) }
            let task = Task { try await load() }
            state.loads[key] = task
            return .started(task, state.generation)
        }
        switch lookup {
        case .cached(let body):
            return (body, .hit)
        case .stale(let body, let refresh):
            if let (task, generation) = refresh {
                Task { _ = await self.finish(key, task, generation) }
            }
            return (body, .stale)
        case .joined(let task):
            return (try await task.value, .miss)
        case .started(let task, let generation):
            return (try await finish(key, task, generation).get(), .miss)
        }
    }

    /// Keeps what a store read brought back, unless a write happened meanwhile.
    private func finish(_ key: String, _ task: Task<ByteBuffer, any Error>, _ generation: UInt64) async -> Result<ByteBuffer, any Error> {
        let result = await task.result
        state.withLockedValue { state in
            if state.loads[key] == task { state.loads[key] = nil }
            guard state.generation == generation, case .success(let body) = result else { return }
            let now = ContinuousClock.now
            guard body.readableBytes <= maxBytes else { return }
            if let old = state.entries.removeValue(forKey: key) { state.bytes -= old.body.readableBytes }
            if state.entries.count >= capacity || state.bytes + body.readableBytes > maxBytes {
                state.entries = state.entries.filter { now - $0.value.stored < ttl * 2 }
                state.bytes = state.entries.values.reduce(0) { $0 + $1.body.readableBytes }
                if state.entries.count >= capacity || state.bytes + body.readableBytes > maxBytes {
                    state.entries.removeAll(keepingCapacity: true)
                    state.bytes = 0
                }
            }
            state.entries[key] = Entry(body: body, stored: now)
            state.bytes += body.readableBytes
        }
        return result
    }

    /// Forgets every body and every read in flight.
    func invalidate() {
        state.withLockedValue { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
            state.bytes = 0
            state.loads.removeAll()
        }
    }
}
