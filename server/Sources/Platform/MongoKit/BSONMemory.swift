import CMongoc
import Foundation

// Every bson_t this module creates is created and destroyed here, inside a
// closure: a borrowed pointer never outlives the call that lent it.

enum BSONMemory {
    /// Parses extended JSON into a bson_t that lives for the duration of `body`.
    static func with<R>(json: String, _ body: (OpaquePointer) throws -> R) throws -> R {
        var error = bson_error_t()
        let pointer: OpaquePointer? = json.utf8CString.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: buffer.count) { bytes in
                bson_new_from_json(bytes, buffer.count - 1, &error)
            }
        }
        guard let pointer else { throw MongoError(error) }
        defer { bson_destroy(pointer) }
        return try body(pointer)
    }

    static func with<R>(_ document: BSONDocument, _ body: (OpaquePointer) throws -> R) throws -> R {
        try with(json: document.extendedJSON, body)
    }

    /// Encodes a Codable document (see `BSONCoding`) for the duration of `body`.
    static func with<R>(encoding value: some Encodable, _ body: (OpaquePointer) throws -> R) throws -> R {
        let data: Data
        do {
            data = try BSONCoding.encoder.encode(value)
        } catch {
            throw MongoError(kind: .invalidDocument, message: "cannot encode \(type(of: value)): \(error)")
        }
        return try with(json: String(decoding: data, as: UTF8.self), body)
    }

    /// Several documents at once, all destroyed when `body` returns.
    static func with<R>(encodingAll values: [some Encodable], _ body: ([OpaquePointer?]) throws -> R) throws -> R {
        var pointers: [OpaquePointer?] = []
        pointers.reserveCapacity(values.count)
        defer { for pointer in pointers { bson_destroy(pointer) } }
        for value in values {
            let data: Data
            do {
                data = try BSONCoding.encoder.encode(value)
            } catch {
                throw MongoError(kind: .invalidDocument, message: "cannot encode \(type(of: value)): \(error)")
            }
            var error = bson_error_t()
            let pointer: OpaquePointer? = data.withUnsafeBytes { raw in
                bson_new_from_json(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &error)
            }
            guard let pointer else { throw MongoError(error) }
            pointers.append(pointer)
        }
        return try body(pointers)
    }

    /// An empty bson_t for the driver to fill as a reply, destroyed after `body`.
    /// The driver initialises replies itself, so the storage is raw and 128-byte
    /// aligned as bson_t requires.
    static func withReply<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 128)
        let reply = OpaquePointer(storage)
        bson_init(reply)
        defer {
            bson_destroy(reply)
            storage.deallocate()
        }
        return try body(reply)
    }

    /// Reads a bson_t the driver lent us into a Codable value.
    static func decode<T: Decodable>(_ type: T.Type, from pointer: OpaquePointer) throws -> T {
        var length = 0
        guard let text = bson_as_relaxed_extended_json(pointer, &length) else {
            throw MongoError(kind: .invalidDocument, message: "the server sent a document that is not valid BSON")
        }
        defer { bson_free(text) }
        let data = Data(bytes: text, count: length)
        do {
            return try BSONCoding.decoder.decode(T.self, from: data)
        } catch {
            throw MongoError(kind: .invalidDocument, message: "cannot read \(T.self) from \(String(decoding: data.prefix(300), as: UTF8.self)): \(error)")
        }
    }
}
