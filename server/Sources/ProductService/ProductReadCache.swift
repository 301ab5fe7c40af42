import NIOConcurrencyHelpers
import NIOCore

/// Response bodies of catalog reads, so repeated pages never wait on the store.
///
/// Consistency on one instance: every write calls `invalidate()` after the store
/// has accepted it, which empties the cache and bumps a generation; a read that
/// started before the write may finish after it, so a body is only kept when the
/// generation is still the one its read started in. The next read after a write
/// therefore always goes to the store. Across instances entries live at most `ttl`.
///
/// Concurrent misses of one key share a single store read.
final class ProductReadCache: Sendable {
    private struct Entry {
        var body: ByteBuffer
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [String: Entry] = [:]
        var loads: [String: Task<ByteBuffer, any Error>] = [:]
    }

    enum Source: String { case hit, miss }

    private let state = NIOLockedValueBox(State())
    let ttl: Duration
    let capacity: Int

    init(ttl: Duration, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func body(for key: String, load: @escaping @Sendable () async throws -> ByteBuffer) async throws -> (ByteBuffer, Source) {
        guard ttl > .zero else { return (try await load(), .miss) }
        let now = ContinuousClock.now
        enum Lookup { case cached(ByteBuffer), joined(Task<ByteBuffer, any Error>), started(Task<ByteBuffer, any Error>, UInt64) }
        let lookup: Lookup = state.withLockedValue { state in
            if let entry = state.entries[key], entry.expires > now { return .cached(entry.body) }
            if let load = state.loads[key] { return .joined(load) }
            let task = Task { try await load() }
            state.loads[key] = task
            return .started(task, state.generation)
        }
        switch lookup {
        case .cached(let body):
            return (body, .hit)
        case .joined(let task):
            return (try await task.value, .miss)
        case .started(let task, let generation):
            let result = await task.result
            state.withLockedValue { state in
                if state.loads[key] == task { state.loads[key] = nil }
                guard state.generation == generation, case .success(let body) = result else { return }
                if state.entries.count >= capacity {
                    let now = ContinuousClock.now
                    state.entries = state.entries.filter { $0.value.expires > now }
                    if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
                }
                state.entries[key] = Entry(body: body, expires: ContinuousClock.now + ttl)
            }
            return (try result.get(), .miss)
        }
    }

    /// Forgets every body and every read in flight.
    func invalidate() {
        state.withLockedValue { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
            state.loads.removeAll()
        }
    }
}
