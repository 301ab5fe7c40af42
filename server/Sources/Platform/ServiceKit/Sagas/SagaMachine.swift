import Foundation
import Logging

/// A saga's decisions as a pure state machine: `next(state, event)` answers the
/// state after the event and the actions to carry out, in order. The machine does
/// no I/O; `runSaga` performs its effects and feeds back what came of each.
public protocol SagaMachine: Sendable {
    /// What came of an effect (or that the saga begins).
    associatedtype Event: Sendable
    /// Something to do: a call to a service, a write to the saga's log.
    associatedtype Effect: SagaEffect
    /// Something to make known: a log line, a counter.
    associatedtype Note: Sendable
    /// What the caller is answered.
    associatedtype Outcome: Sendable

    /// The machine's own transition: answers the actions for `event`, changing the state in place.
    mutating func handle(_ event: Event) -> [SagaAction<Effect, Note, Outcome>]
    /// The event that starts the saga.
    static var start: Event { get }
    /// An effect failed with this error.
    static func failed(_ error: any Error) -> Event
}

extension SagaMachine {
    /// The pure transition: the state after `event`, and the actions to carry out, in order.
    public static func next(_ state: Self, _ event: Event) -> (Self, [SagaAction<Effect, Note, Outcome>]) {
        var next = state
        let actions = next.handle(event)
        return (next, actions)
    }
}

/// An effect a saga performs; traced as a span of its own when it names one.
public protocol SagaEffect: Sendable {
    var spanName: String? { get }
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

/// Carries out what `machine` decides: performs each effect (traced as its span),
/// feeds back its result (a thrown error as `M.failed`), makes each note known,
/// until the machine finishes (its state and outcome are answered) or
/// propagates the last error.
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
                    let current = state
                    if let span = effect.spanName {
                        event = try await Telemetry.step(span) { try await perform(effect, current) }
                    } else {
                        event = try await perform(effect, current)
                    }
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

/// Takes over, one at a time, the unfinished runs of a saga that a crash or an
/// outage left behind (`claim` answers the next, or nil), each once per round,
/// and settles each with `settle` (true when it ended for good). Answers how
/// many it settled; a run that fails stays for the next round.
public func recoverStale<Record: Sendable>(
    _ saga: String, logger: Logger,
    claim: () async throws -> Record?,
    id: (Record) -> UUID,
    metadata: (Record) -> Logger.Metadata,
    settle: (Record) async throws -> Bool
) async -> Int {
    var settled = 0
    var seen = Set<UUID>()
    while true {
        let claimed: Record?
        do {
            claimed = try await claim()
        } catch {
            logger.warning("\(saga) recovery could not read the log", metadata: ["error": .string(String(describing: error))])
            return settled
        }
        guard let record = claimed, seen.insert(id(record)).inserted else { return settled }
        logger.notice("resuming \(saga)", metadata: metadata(record))
        do {
            // A trace of its own: the request that began it has long been answered.
            if try await Telemetry.step("\(saga) recovery", { try await settle(record) }) { settled += 1 }
        } catch {
            var lines = metadata(record)
            lines["error"] = .string(String(describing: error))
            logger.warning("\(saga) recovery could not settle one yet", metadata: lines)
        }
    }
}
