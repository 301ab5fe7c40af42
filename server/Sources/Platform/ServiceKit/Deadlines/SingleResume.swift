import NIOConcurrencyHelpers

/// A continuation resumed exactly once, by whichever comes first: the result,
/// or the waiter's cancellation (which may arrive before the continuation exists).
final class SingleResume<T: Sendable>: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<T, any Error>)
        case done(Result<T, any Error>?)
    }
    private let state = NIOLockedValueBox(State.waiting)

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLockedValue { state in
            switch state {
            case .waiting:
                state = .installed(continuation)
                return nil
            case .done(let result):
                state = .done(nil)
                return result
            case .installed:
                preconditionFailure("continuation installed twice")
            }
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(with result: Result<T, any Error>) {
        let continuation: CheckedContinuation<T, any Error>? = state.withLockedValue { state in
            switch state {
            case .waiting:
                state = .done(result)
                return nil
            case .installed(let continuation):
                state = .done(nil)
                return continuation
            case .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
