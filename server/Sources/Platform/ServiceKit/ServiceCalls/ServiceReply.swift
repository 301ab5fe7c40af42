import MarketplaceAPI
import NIOCore

/// A JSON answer from another service.
public struct ServiceReply: Sendable {
    public var status: Int
    public var body: ByteBuffer

    public init(status: Int, body: ByteBuffer) {
        self.status = status
        self.body = body
    }

    /// Decodes the body; a body we cannot read counts as an unusable answer.
    public func decode<T: Decodable>(_ type: T.Type, from service: String) throws -> T {
        do {
            return try JSONBody.decoder.decode(T.self, from: body)
        } catch {
            throw ServiceUnavailable(service: service, detail: "unreadable \(status) answer: \(String(describing: error))")
        }
    }

    /// The error envelope of a failure, when the body is one.
    public var failure: ErrorEnvelope? {
        (200..<300).contains(status) ? nil : try? JSONBody.decoder.decode(ErrorEnvelope.self, from: body)
    }

    /// What the far side said went wrong; a body without a code is read by its status.
    public var code: ErrorCode? {
        (200..<300).contains(status) ? nil : failure?.code ?? ErrorCode.forStatus(status)
    }

    /// An answer the caller has no use for: a refusal when its code says asking
    /// again cannot help, otherwise an unusable answer (retried, then left to recovery).
    public func unexpected(from service: String) -> any Error {
        if let code, code.isPermanent, (400..<500).contains(status) {
            return PeerRefused(service: service, code: code, message: failure?.message ?? "refused")
        }
        return ServiceUnavailable(service: service, detail: "answered \(status) \(code?.rawValue ?? ""): \(failure?.message ?? "no message")")
    }
}
