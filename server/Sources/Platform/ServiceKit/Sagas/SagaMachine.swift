/// A saga's decisions as a pure state machine: `next(state, event)` answers the
/// state after the event and the actions to carry out, in order. The machine does
/// no I/O; `runSaga` performs its effects and feeds back what came of each.
public protocol SagaMachine: Sendable {
    /// What came of an effect (or that the saga begins).
    associatedtype Event: Sendable
    /// Something to do: a call to a service, a write to the saga's log.
    associatedtype Effect: Sendable
    /// Something to make known: a log line, a counter.
    associatedtype Note: Sendable
    /// What the caller is answered.
    associatedtype Outcome: Sendable

    static func next(_ state: Self, _ event: Event) -> (Self, [SagaAction<Effect, Note, Outcome>])
    /// The event that starts the saga.
    static var start: Event { get }
    /// An effect failed with this error.
    static func failed(_ error: any Error) -> Event
}

public enum SagaAction<Effect: Sendable, Note: Sendable, Outcome: Sendable>: Sendable {
    case perform(Effect)
    case note(Note)
    /// The saga is answered with this outcome.
    case finish(Outcome)
    /// The last failure goes up to the caller as it is (the saga stays as its log says).
    case propagate
}

extension SagaAction: Equatable where Effect: Equatable, Note: Equatable, Outcome: Equatable {}

/// Carries out what `machine` decides: performs each effect, feeds back its result
/// (a thrown error as `M.failed`), makes each note known, until the machine
/// finishes (its state and outcome are answered) or propagates the last error.
public func runSaga<M: SagaMachine>(
    _ machine: M,
    perform: (M.Effect, M) async throws -> M.Event,
    observe: (M.Note, M) -> Void
) async throws -> (M, M.Outcome) {
    var state = machine
    var event = M.start
    var lastError: (any Error)?
    while true {
        let actions: [SagaAction<M.Effect, M.Note, M.Outcome>]
        (state, actions) = M.next(state, event)
        for action in actions {
            switch action {
            case .note(let note):
                observe(note, state)
            case .finish(let outcome):
                return (state, outcome)
            case .propagate:
                throw lastError ?? SagaStopped()
            case .perform(let effect):
                do {
                    event = try await perform(effect, state)
                } catch {
                    lastError = error
                    event = M.failed(error)
                }
            }
        }
    }
}

/// A machine stopped without an error to pass on (an event its step does not expect).
public struct SagaStopped: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the saga stopped on an event its step does not expect" }
}
