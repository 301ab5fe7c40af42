import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// Reads and decodes a JSON body, answering 413 past the size limit and 400
    /// with a readable message when the body is not the JSON we expect.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await self.body.collect(upTo: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw AppError(.contentTooLarge, .payloadTooLarge, "Request body is larger than \(context.maxUploadSize) bytes")
        }
        guard buffer.readableBytes > 0 else { throw AppError.badRequest("Request body must be a JSON object") }
        do {
            return try JSONBody.decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw AppError.badRequest(Self.describe(error))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "Malformed JSON body"
        case .dataCorrupted(let context):
            return "Invalid value for '\(path(context.codingPath))'"
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return "Request body must be a JSON object"
        case .typeMismatch(let type, let context):
            return "'\(path(context.codingPath))' must be \(Self.name(of: type))"
        case .keyNotFound(let key, let context):
            return "'\(path(context.codingPath + [key]))' is required"
        case .valueNotFound(_, let context):
            return "'\(path(context.codingPath))' must not be null"
        @unknown default:
            return "Malformed JSON body"
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Double.Type, is Decimal.Type: return "a number"
        default: return "an object of the expected shape"
        }
    }
}
