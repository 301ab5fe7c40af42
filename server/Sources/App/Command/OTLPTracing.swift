import Composition
import Logging
import MarketplaceAPI
import OTel
import ServiceKit
import ServiceLifecycle

/// The OpenTelemetry tracer (swift-otel, OTLP over HTTP), bootstrapped only when
/// the environment names an endpoint. Traces alone: metrics stay on /metrics
/// (Prometheus) and logs on standard output. Every other setting is the
/// specification's variables, read by swift-otel: OTEL_EXPORTER_OTLP_PROTOCOL
/// (http/protobuf, or http/json), OTEL_EXPORTER_OTLP_HEADERS,
/// OTEL_EXPORTER_OTLP_CERTIFICATE, OTEL_TRACES_SAMPLER, OTEL_BSP_SCHEDULE_DELAY,
/// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and the rest.
enum OTLPTracing {
    static func bootstrap(service: ServiceName?, logger: Logger) throws -> some Service {
        var configuration = OTel.Configuration.default
        // One name per process, so a trace shows which process did what.
        configuration.serviceName = service.map { "marketplace-\($0.rawValue)" } ?? "marketplace"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        // The exporter's own troubles (a collector down) at warning and above.
        configuration.diagnosticLogLevel = .warning
        let tracer = try OTel.bootstrap(configuration: configuration)
        Telemetry.tracingStarted()
        logger.info("tracing on: spans go to the OTLP endpoint the environment names")
        return tracer
    }
}
