import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore

/// `marketplace bench-reference`: the framework's own ceiling for `make bench`.
/// One bare Hummingbird route, no middleware, answering every GET with the bytes
/// of one file, in the same release binary as the server it is compared with.
/// Hidden from --help: it is a measuring stick, not a feature.
struct BenchReference: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-reference",
        abstract: "Serve one file's bytes from a bare route (benchmark reference).",
        shouldDisplay: false)

    @Option(help: "Port to listen on (127.0.0.1).")
    var port: Int

    @Option(help: "The file whose bytes every GET answers with.")
    var file: String

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let bytes = ByteBuffer(bytes: data)
        let router = Router()
        let answer: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: bytes))
        }
        router.get("/", use: answer)
        router.get("**", use: answer)
        var logger = Logger(label: "bench-reference")
        logger.logLevel = .error
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}
