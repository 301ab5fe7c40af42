import Foundation
import NIOCore

extension Duration {
    /// The duration in seconds, as Foundation's dates and per-second rates count.
    public var timeInterval: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }

    /// The duration as NIO schedules timers and deadlines, to the nanosecond.
    public var timeAmount: TimeAmount {
        .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
