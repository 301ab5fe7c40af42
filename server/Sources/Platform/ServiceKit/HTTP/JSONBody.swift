import Foundation
import HTTPTypes
import Hummingbird
import MarketplaceAPI
import NIOCore

/// Encodes response bodies the same way everywhere: camelCase keys as the plan
/// shows, ISO-8601 dates.
public enum JSONBody {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public static func response(_ status: HTTPResponse.Status = .ok, _ value: some Encodable, headers: HTTPFields = [:]) throws -> Response {
        let data = try encoder.encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{"success": true, "message": ..., "data": ...}`
    public static func data(_ status: HTTPResponse.Status = .ok, message: String? = nil, _ value: some Codable & Sendable) throws -> Response {
        try response(status, DataEnvelope(message: message, data: value))
    }
}
