import ServiceKit
import Testing

/// Drives a saga's machine by hand: each event, then exactly the actions it must
/// ask for. Answers the machine as it is after the last step (or the first that differed).
@discardableResult
func sagaScript<M: SagaMachine>(_ start: M, _ steps: [(M.Event, [SagaAction<M.Effect, M.Note, M.Outcome>])],
                                sourceLocation: SourceLocation = #_sourceLocation) -> M
where M.Effect: Equatable, M.Note: Equatable, M.Outcome: Equatable {
    var machine = start
    for (index, (event, expected)) in steps.enumerated() {
        let actions: [SagaAction<M.Effect, M.Note, M.Outcome>]
        (machine, actions) = M.next(machine, event)
        #expect(actions == expected, "step \(index + 1) (\(event))", sourceLocation: sourceLocation)
        if actions != expected { break }
    }
    return machine
}
