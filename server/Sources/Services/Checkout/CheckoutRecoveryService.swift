import ServiceLifecycle

/// Settles interrupted checkouts and cancellations: once at start-up (a crash
/// mid-way) and then every `interval` (a service that was briefly unreachable).
public struct CheckoutRecoveryService: Service {
    let saga: CheckoutService
    let cancellations: CancellationService
    let interval: Duration
    let staleAfter: Duration

    public init(saga: CheckoutService, cancellations: CancellationService, interval: Duration, staleAfter: Duration) {
        self.saga = saga
        self.cancellations = cancellations
        self.interval = interval
        self.staleAfter = staleAfter
    }

    public func run() async throws {
        // Graceful shutdown must end the loop, or the application never stops.
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await saga.recover(staleAfter: staleAfter)
                await cancellations.recover(staleAfter: staleAfter)
                try? await Task.sleep(for: interval)
            }
        }
    }
}
