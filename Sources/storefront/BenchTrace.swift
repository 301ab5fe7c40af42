import Foundation
import StorefrontCore
import StorefrontHTTP

// Timings for the benchmark (STOREFRONT_TRACE=<file>): first frame, key to
// page and the HTTP calls each page took. Off unless the benchmark sets it.

/// When the process started, for the first-frame figure.
nonisolated(unsafe) let processStart = ContinuousClock.now

/// Appends "name milliseconds" lines to a file; only the benchmark turns it on.
final class Trace {
    private let handle: FileHandle

    /// `%p` in the path stands for the process id, so kiosk sessions sharing one
    /// setting write files of their own.
    init?(path: String?) {
        guard let path = path?.replacingOccurrences(of: "%p", with: String(getpid())), !path.isEmpty else { return nil }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        self.handle = handle
    }

    func record(_ name: String, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        handle.write(Data("\(name) \(String(format: "%.3f", ms))\n".utf8))
    }

    /// `key_to_page <ms> <requests> <key>`: a key's page on screen, and the requests it took.
    func page(_ page: KeyRequests.Page) {
        let elapsed = ContinuousClock.now - page.pressed
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        handle.write(Data("key_to_page \(String(format: "%.3f", ms)) \(page.requests) \(page.key)\n".utf8))
    }
}

/// Follows each key's requests, and the requests their answers set off in turn,
/// until every one has been answered.
final class KeyRequests {
    struct Page {
        var key: String
        var pressed: ContinuousClock.Instant
        var requests: Int
    }
    private var next = 0
    private var open: [Int: (key: String, pressed: ContinuousClock.Instant, pending: Set<RequestID>, requests: Int)] = [:]
    private var owners: [RequestID: Int] = [:]

    /// The key a message works for: a new one for a key, the asking key's for an answer.
    func owner(of message: Msg, at pressed: ContinuousClock.Instant, calls: (RequestID) -> Int) -> Int? {
        switch message {
        case .key(let key):
            next += 1
            open[next] = (String(describing: key).replacingOccurrences(of: " ", with: "_"), pressed, [], 0)
            return next
        case .click, .scroll:
            next += 1
            open[next] = ("mouse", pressed, [], 0)
            return next
        case .reply(let id, _):
            guard let key = owners.removeValue(forKey: id) else { return nil }
            open[key]?.pending.remove(id)
            open[key]?.requests += calls(id)
            return key
        default:
            return nil
        }
    }

    func sent(_ commands: [Command], by key: Int) {
        for case .send(let id, _, _) in commands {
            owners[id] = key
            open[key]?.pending.insert(id)
        }
    }

    /// Keys that asked for something and whose answers are all in, oldest first;
    /// keys that asked for nothing are dropped.
    func settled() -> [Page] {
        var done: [(Int, Page)] = []
        for (key, state) in open where state.pending.isEmpty {
            open[key] = nil
            if state.requests > 0 { done.append((key, Page(key: state.key, pressed: state.pressed, requests: state.requests))) }
        }
        return done.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

/// How many HTTP calls each request made (a stock request for many products is one).
final class CallCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [RequestID: CallCounter] = [:]

    func counter(for id: RequestID) -> CallCounter {
        let counter = CallCounter()
        lock.lock(); counts[id] = counter; lock.unlock()
        return counter
    }

    func take(_ id: RequestID) -> Int {
        lock.lock(); defer { lock.unlock() }
        return counts.removeValue(forKey: id)?.value ?? 0
    }
}
