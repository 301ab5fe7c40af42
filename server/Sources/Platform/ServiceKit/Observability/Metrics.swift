import Foundation
import Hummingbird
import Metrics
import NIOConcurrencyHelpers
import Prometheus

/// The process's Prometheus registry. Hummingbird's `MetricsMiddleware` counts
/// requests and their durations per route; the checkout and the calls between
/// services add their own counters. `GET /metrics` serves the text format.
public enum ProcessMetrics {
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = NIOLockedValueBox(false)

    /// Installs the registry as the metrics backend, once per process (tests build many apps).
    public static func bootstrap() {
        let first = bootstrapped.withLockedValue { done in
            defer { done = true }
            return !done
        }
        if first { MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry)) }
    }

    /// Loopback addresses, IPv4 and IPv6 (also IPv4-mapped).
    public static func isLocal(_ address: String) -> Bool {
        IPNetwork.loopback.contains { $0.contains(address) }
    }

    public static func response() -> Response {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}
