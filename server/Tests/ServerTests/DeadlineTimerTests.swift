import Foundation
@testable import ServiceKit
import Testing
import Synchronization

/// The deadlines every request and every call between services run under.
@Suite("Deadline timers") struct DeadlineTimerTests {
    @Test func workPastItsDeadlineIsCancelledAndAnswersDeadlineExceeded() async throws {
        let started = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(200)) { try await Task.sleep(for: .seconds(30)) }
        }
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(200) && took < .seconds(5), "\(took)")
    }

    @Test func workWithinItsDeadlineAnswersAndLeavesNoTimerBehind() async throws {
        for _ in 0..<100 {
            #expect(try await withDeadline(.seconds(30)) { 42 } == 42)
        }
        // Timers of its own: other suites' requests use the shared ones meanwhile.
        let timers = DeadlineTimers()
        let set = (0..<1_000).map { _ in timers.schedule(in: .seconds(30)) {} }
        #expect(timers.pending == 1_000)
        for timer in set { timers.cancel(timer) }
        #expect(timers.pending == 0)
    }

    /// Work that ignores cancellation cannot hold the caller past the deadline.
    @Test func abandoningAfterAnswersAtTheDeadlineWhateverTheWorkDoes() async throws {
        let started = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            // Ignores cancellation, without holding one of the concurrency pool's few threads.
            try await abandoningAfter(.milliseconds(200)) {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 30) { done.resume() }
                }
            }
        }
        // Far from both ends: the deadline is 0.2 s, the work ends after 30 s. (A 1.5 s
        // work against a 1.4 s bound failed once beside the other suites: 2.07 s.)
        let took = ContinuousClock.now - started
        #expect(took < .seconds(10), "\(took)")
    }

    /// The watching thread sleeps until the earliest deadline; one set later but due
    /// sooner must wake it, and each fires once, in deadline order.
    @Test func anEarlierDeadlineSetLaterStillFiresFirst() async throws {
        let fired = Mutex<[String]>([])
        let timers = DeadlineTimers()
        _ = timers.schedule(in: .seconds(1)) { fired.withLock { $0.append("late") } }
        _ = timers.schedule(in: .milliseconds(100)) { fired.withLock { $0.append("early") } }
        let cancelled = timers.schedule(in: .milliseconds(50)) { fired.withLock { $0.append("cancelled") } }
        timers.cancel(cancelled)
        let deadline = ContinuousClock.now + .seconds(10)
        while fired.withLock({ $0.count }) < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(fired.withLock { $0 } == ["early", "late"])
        #expect(timers.pending == 0)
    }
}

@Suite("Request ids") struct RequestIDTests {
    @Test func newIdsAreDistinctLowercaseAndShapedLikeUUIDs() {
        let ids = (0..<10_000).map { _ in RequestIDs.next() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            #expect(UUID(uuidString: id) != nil, "\(id)")
            #expect(id == id.lowercased() && id.utf8.count == 36)
            #expect(RequestIDMiddleware.isAcceptable(id))
        }
    }
}
