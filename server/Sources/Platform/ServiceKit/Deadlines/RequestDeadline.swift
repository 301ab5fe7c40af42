import Synchronization

/// A request's deadline, set by `DeadlineResponder` and marked when it passes.
public final class RequestDeadline: Sendable {
    public let timeout: Duration
    private let passed = Atomic<Bool>(false)

    init(timeout: Duration) {
        self.timeout = timeout
    }

    public var hasPassed: Bool { passed.load(ordering: .acquiring) }
    func pass() { passed.store(true, ordering: .releasing) }

    var answer: AppError {
        AppError.unavailable("The service did not answer within \(timeout.components.seconds) s; try again shortly")
    }
}

public struct DeadlineExceeded: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "deadline exceeded" }
}
