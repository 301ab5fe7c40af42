import Foundation
import Hummingbird
import HummingbirdTesting
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

/// One deadline per request, kept around the router by `DeadlineResponder` and
/// answered inside it by `DeadlineMiddleware`, as the shipped server stacks them.
@Suite("Request deadline") struct RequestDeadlineTests {
    static func app(timeout: Duration, grace: Duration) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        router.addMiddleware {
            ErrorMiddleware()
            DeadlineMiddleware()
        }
        router.get("quick") { _, _ in "done" }
        // Honours cancellation: ends when the deadline cancels it.
        router.get("slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(120))
            return "too late"
        }
        // Ignores cancellation and answers within the grace: the answer is still the deadline's.
        router.get("stubborn") { _, _ -> String in
            await Self.ignoringCancellation(for: timeout + grace / 2)
            return "too late"
        }
        // Ignores cancellation past the grace: abandoned.
        router.get("deaf") { _, _ -> String in
            await Self.ignoringCancellation(for: .seconds(120))
            return "too late"
        }
        return Application(responder: DeadlineResponder(router.buildResponder(), timeout: timeout, grace: grace, logger: TestStores.logger))
    }

    /// Waits without a cancellable sleep and without holding a cooperative thread.
    static func ignoringCancellation(for duration: Duration) async {
        let (seconds, attoseconds) = duration.components
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(seconds) + Double(attoseconds) / 1e18) { done.resume() }
        }
    }

    @Test func eachRequestAnswersByItsDeadlineWhateverItsWorkDoes() async throws {
        let timeout = Duration.milliseconds(300), grace = Duration.seconds(4)
        try await Self.app(timeout: timeout, grace: grace).test(.router) { client in
            let quick = try await client.execute(uri: "/quick", method: .get) { $0 }
            #expect(quick.status == .ok && String(buffer: quick.body) == "done")

            // The bound is far from the work's own end (120 s), not tight around the
            // deadline: these suites run beside others on two busy cores.
            for (path, bound) in [("/slow", Duration.seconds(60)), ("/stubborn", .seconds(60)), ("/deaf", .seconds(60))] {
                let started = ContinuousClock.now
                let response = try await client.execute(uri: path, method: .get) { $0 }
                let took = ContinuousClock.now - started
                let body = String(buffer: response.body)
                #expect(response.status == .serviceUnavailable, "\(path): \(response.status) \(body)")
                #expect(body.contains(#""code":"unavailable""#) && body.contains("did not answer within"), "\(path): \(body)")
                #expect(took >= timeout && took < bound, "\(path) took \(took)")
            }
        }
    }
}
