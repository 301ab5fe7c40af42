import Foundation
import StorefrontCore

/// Replies from requests running on other threads, waiting for the UI loop.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Msg] = []
    /// Called after each post: ends the loop's wait for a key, so the answer shows at once.
    private let posted: () -> Void

    init(posted: @escaping () -> Void = {}) {
        self.posted = posted
    }

    func post(_ msg: Msg) {
        lock.lock()
        messages.append(msg)
        lock.unlock()
        posted()
    }

    func drain() -> [Msg] {
        lock.lock()
        defer { lock.unlock() }
        let drained = messages
        messages = []
        return drained
    }
}
