import AuthService
import Foundation
import NIOConcurrencyHelpers
import Testing

/// The order in which password hashes run, fed requests by hand: no bcrypt, no
/// server. One slot, so the order of the waiting requests is the order they run.
@Suite("Fair hashing queue") struct FairHashingQueueTests {
    /// Holds the first request's slot until `open()`, and records the order the others run in.
    final class Gate: Sendable {
        private let state = NIOLockedValueBox<(opened: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
        let ran = NIOLockedValueBox<[String]>([])

        func hold() async {
            await withCheckedContinuation { continuation in
                let opened = state.withLockedValue { state in
                    if !state.opened { state.waiter = continuation }
                    return state.opened
                }
                if opened { continuation.resume() }
            }
        }

        func open() {
            state.withLockedValue { state in
                state.opened = true
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
    }

    /// Waits, with a deadline, until `count` requests are waiting.
    static func waiting(_ queue: FairHashingQueue, _ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while queue.load.waiting != count {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func signInsGoFirstClientsTakeTurnsAndNoClientTakesMoreThanItsShare() async throws {
        let queue = FairHashingQueue(running: 1, maximumQueued: 6, perClient: 3)
        let gate = Gate()
        var tasks: [Task<String, Never>] = []
        func enqueue(_ name: String, client: String, _ purpose: HashPurpose) {
            tasks.append(Task {
                do {
                    return try await queue.run(client: client, purpose: purpose) {
                        gate.ran.withLockedValue { $0.append(name) }
                        return name
                    }
                } catch let error as HasherBusy {
                    return "\(name): \(error)"
                } catch {
                    return "\(name): \(error)"
                }
            })
        }
        // The slot is taken.
        let holder = Task { try await queue.run(client: "holder", purpose: .signUp) { await gate.hold() } }
        while queue.load.active == 0 { try await Task.sleep(for: .milliseconds(5)) }

        // The flooder's three sign-ups, then its fourth is refused at once: its share is three.
        for index in 1...3 {
            enqueue("flood-\(index)", client: "flooder", .signUp)
            try await Self.waiting(queue, index)
        }
        enqueue("flood-4", client: "flooder", .signUp)
        #expect(await tasks.last!.value == "flood-4: clientBusy")
        // Another client's sign-up, then two sign-ins: the queue (six with the running one) is full...
        enqueue("guest-signup", client: "guest", .signUp)
        try await Self.waiting(queue, 4)
        enqueue("owner-signin", client: "owner", .signIn)
        try await Self.waiting(queue, 5)
        // ...so the next sign-in takes the place of the newest waiting sign-up, which is refused.
        enqueue("other-signin", client: "other", .signIn)
        try await Self.waiting(queue, 5)
        #expect(await tasks[4].value == "guest-signup: crowded")
        // A sign-up finding it full is refused at once.
        enqueue("late-signup", client: "late", .signUp)
        #expect(await tasks.last!.value == "late-signup: crowded")

        gate.open()
        try await holder.value
        for task in tasks { _ = await task.value }
        // Sign-ins first in the order they came; then the sign-ups, clients in turn.
        #expect(gate.ran.withLockedValue { $0 } == ["owner-signin", "other-signin", "flood-1", "flood-2", "flood-3"])
        #expect(queue.load.active == 0 && queue.load.waiting == 0)
    }

    @Test func clientsTakeTurnsWithinAPurposeAndACancelledRequestLeavesTheQueue() async throws {
        let queue = FairHashingQueue(running: 1, maximumQueued: 16, perClient: 4)
        let gate = Gate()
        let holder = Task { try await queue.run(client: "holder", purpose: .signIn) { await gate.hold() } }
        while queue.load.active == 0 { try await Task.sleep(for: .milliseconds(5)) }
        var tasks: [Task<Void, any Error>] = []
        let order: [(String, String)] = [("a1", "a"), ("a2", "a"), ("a3", "a"), ("b1", "b"), ("c1", "c"), ("b2", "b")]
        for (index, (name, client)) in order.enumerated() {
            tasks.append(Task { try await queue.run(client: client, purpose: .signIn) { gate.ran.withLockedValue { $0.append(name) } } })
            try await Self.waiting(queue, index + 1)
        }
        // Given up while waiting (its request's deadline passed): it leaves the queue and never runs.
        tasks[4].cancel()
        try await Self.waiting(queue, 5)
        await #expect(throws: CancellationError.self) { try await tasks[4].value }
        gate.open()
        try await holder.value
        for (index, task) in tasks.enumerated() where index != 4 { try await task.value }
        // a, b, a, b, a: a client with many waiting is served no sooner than one with few.
        #expect(gate.ran.withLockedValue { $0 } == ["a1", "b1", "a2", "b2", "a3"])
    }
}
