import Foundation

/// Every pending deadline of the process, watched by one thread that sleeps until
/// the earliest. Requests all carry the same timeout, so a new deadline is almost
/// never earlier than the ones waiting and setting one wakes nobody: a request
/// costs two short locked dictionary updates, no system call. Actions run on the
/// watching thread and must be quick (cancel a task, resume a continuation).
final class DeadlineTimers: @unchecked Sendable {
    static let shared = DeadlineTimers()

    struct Timer: Sendable { fileprivate let id: UInt64 }

    private let condition = NSCondition()
    private var entries: [UInt64: (deadline: ContinuousClock.Instant, action: @Sendable () -> Void)] = [:]
    private var nextID: UInt64 = 0
    /// When the watching thread wakes next; nil while it waits for a first entry.
    private var wakesAt: ContinuousClock.Instant?

    /// `shared` serves the process; tests make their own.
    init() {
        let thread = Thread { [self] in watch() }
        thread.name = "deadlines"
        thread.start()
    }

    func schedule(in timeout: Duration, _ action: @escaping @Sendable () -> Void) -> Timer {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        condition.lock()
        defer { condition.unlock() }
        nextID &+= 1
        entries[nextID] = (deadline, action)
        if wakesAt.map({ deadline < $0 }) ?? true { condition.signal() }
        return Timer(id: nextID)
    }

    func cancel(_ timer: Timer) {
        condition.lock()
        entries[timer.id] = nil
        condition.unlock()
    }

    /// Deadlines set and neither cancelled nor due yet.
    var pending: Int {
        condition.lock()
        defer { condition.unlock() }
        return entries.count
    }

    private func watch() {
        condition.lock()
        while true {
            let now = ContinuousClock.now
            var due: [@Sendable () -> Void] = []
            var earliest: ContinuousClock.Instant?
            for (id, entry) in entries {
                if entry.deadline <= now {
                    due.append(entry.action)
                    entries[id] = nil
                } else if earliest.map({ entry.deadline < $0 }) ?? true {
                    earliest = entry.deadline
                }
            }
            if !due.isEmpty {
                condition.unlock()
                for action in due { action() }
                condition.lock()
                continue
            }
            wakesAt = earliest
            if let earliest {
                _ = condition.wait(until: Date(timeIntervalSinceNow: (earliest - now).timeInterval))
            } else {
                condition.wait()
            }
        }
    }
}
