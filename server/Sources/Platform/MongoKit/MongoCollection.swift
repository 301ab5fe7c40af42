import CMongoc
import Foundation

/// One collection. Every method runs its driver call off the event loops and
/// borrows its C objects only for the duration of that call.
public struct MongoCollection: Sendable {
    public let database: MongoDatabase
    public let name: String

    public struct UpdateResult: Sendable, Equatable, Decodable {
        public var matchedCount: Int
        public var modifiedCount: Int
        public var upsertedCount: Int

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            matchedCount = try container.decodeIfPresent(Int.self, forKey: .matchedCount) ?? 0
            modifiedCount = try container.decodeIfPresent(Int.self, forKey: .modifiedCount) ?? 0
            upsertedCount = try container.decodeIfPresent(Int.self, forKey: .upsertedCount) ?? 0
        }

        enum CodingKeys: String, CodingKey { case matchedCount, modifiedCount, upsertedCount }
    }

    private struct DeleteReply: Decodable { var deletedCount: Int? }
    private struct FindAndModifyReply<T: Decodable>: Decodable { var value: T? }

    /// Borrows the driver's collection handle for one call.
    private func run<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        let databaseName = database.name, collectionName = name
        return try await database.client.withClient { client in
            let collection = mongoc_client_get_collection(client, databaseName, collectionName)!
            defer { mongoc_collection_destroy(collection) }
            return try body(collection)
        }
    }

    public func insertOne(_ document: some Encodable & Sendable) async throws {
        try await run { collection in
            try BSONMemory.with(encoding: document) { bson in
                var error = bson_error_t()
                guard mongoc_collection_insert_one(collection, bson, nil, nil, &error) else { throw MongoError(error) }
            }
        }
    }

    /// Inserts in one round trip per driver batch; stops at the first failure.
    public func insertMany<D: Encodable & Sendable>(_ documents: [D]) async throws {
        guard !documents.isEmpty else { return }
        try await run { collection in
            try BSONMemory.with(encodingAll: documents) { pointers in
                var error = bson_error_t()
                var constPointers = pointers
                let ok = constPointers.withUnsafeMutableBufferPointer { buffer in
                    mongoc_collection_insert_many(collection, buffer.baseAddress, buffer.count, nil, nil, &error)
                }
                guard ok else { throw MongoError(error) }
            }
        }
    }

    /// Documents matching `filter`, in `sort` order, after skipping `skip`, at most `limit` (0: no limit).
    public func find<T: Decodable & Sendable>(
        _ filter: BSONDocument = [:], sort: BSONDocument? = nil, skip: Int = 0, limit: Int = 0, as type: T.Type
    ) async throws -> [T] {
        var options = BSONDocument()
        if let sort { options["sort"] = .document(sort) }
        if skip > 0 { options["skip"] = .int64(Int64(skip)) }
        if limit > 0 { options["limit"] = .int64(Int64(limit)) }
        let opts = options
        return try await run { collection in
            try filter.withBSON { filterBSON in
                try opts.withBSON { optsBSON in
                    try Self.drain(mongoc_collection_find_with_opts(collection, filterBSON, optsBSON, nil)!, as: T.self)
                }
            }
        }
    }

    /// The documents an aggregation pipeline answers (`$match`, `$group`, `$sort`, ...), in its order.
    public func aggregate<T: Decodable & Sendable>(_ pipeline: [BSONDocument], as type: T.Type) async throws -> [T] {
        let stages: BSONDocument = ["pipeline": .array(pipeline.map { .document($0) })]
        return try await run { collection in
            try stages.withBSON { pipelineBSON in
                try Self.drain(mongoc_collection_aggregate(collection, MONGOC_QUERY_NONE, pipelineBSON, nil, nil)!, as: T.self)
            }
        }
    }

    /// Every document of a cursor, decoded, then the cursor destroyed; its error, if it ended on one.
    private static func drain<T: Decodable>(_ cursor: OpaquePointer, as type: T.Type) throws -> [T] {
        defer { mongoc_cursor_destroy(cursor) }
        var results: [T] = []
        var current: OpaquePointer?
        while mongoc_cursor_next(cursor, &current) {
            if let current { results.append(try BSONMemory.decode(T.self, from: current)) }
        }
        var error = bson_error_t()
        if mongoc_cursor_error(cursor, &error) { throw MongoError(error) }
        return results
    }

    public func findOne<T: Decodable & Sendable>(_ filter: BSONDocument, as type: T.Type) async throws -> T? {
        try await find(filter, limit: 1, as: type).first
    }

    public func count(_ filter: BSONDocument = [:]) async throws -> Int {
        try await run { collection in
            try filter.withBSON { filterBSON in
                var error = bson_error_t()
                let count = mongoc_collection_count_documents(collection, filterBSON, nil, nil, nil, &error)
                guard count >= 0 else { throw MongoError(error) }
                return Int(count)
            }
        }
    }

    @discardableResult
    public func updateOne(_ filter: BSONDocument, _ update: BSONDocument, upsert: Bool = false) async throws -> UpdateResult {
        try await performUpdate(filter, update, upsert: upsert, many: false)
    }

    @discardableResult
    public func updateMany(_ filter: BSONDocument, _ update: BSONDocument) async throws -> UpdateResult {
        try await performUpdate(filter, update, upsert: false, many: true)
    }

    private func performUpdate(_ filter: BSONDocument, _ update: BSONDocument, upsert: Bool, many: Bool) async throws -> UpdateResult {
        let options: BSONDocument = upsert ? ["upsert": true] : [:]
        return try await run { collection in
            try filter.withBSON { filterBSON in
                try update.withBSON { updateBSON in
                    try options.withBSON { optsBSON in
                        try BSONMemory.withReply { reply in
                            var error = bson_error_t()
                            let ok = many
                                ? mongoc_collection_update_many(collection, filterBSON, updateBSON, optsBSON, reply, &error)
                                : mongoc_collection_update_one(collection, filterBSON, updateBSON, optsBSON, reply, &error)
                            guard ok else { throw MongoError(error) }
                            return try BSONMemory.decode(UpdateResult.self, from: reply)
                        }
                    }
                }
            }
        }
    }

    /// Deletes the first match; answers how many were deleted (0 or 1).
    @discardableResult
    public func deleteOne(_ filter: BSONDocument) async throws -> Int {
        try await delete(filter, many: false)
    }

    @discardableResult
    public func deleteMany(_ filter: BSONDocument) async throws -> Int {
        try await delete(filter, many: true)
    }

    private func delete(_ filter: BSONDocument, many: Bool) async throws -> Int {
        try await run { collection in
            try filter.withBSON { filterBSON in
                try BSONMemory.withReply { reply in
                    var error = bson_error_t()
                    let ok = many
                        ? mongoc_collection_delete_many(collection, filterBSON, nil, reply, &error)
                        : mongoc_collection_delete_one(collection, filterBSON, nil, reply, &error)
                    guard ok else { throw MongoError(error) }
                    return try BSONMemory.decode(DeleteReply.self, from: reply).deletedCount ?? 0
                }
            }
        }
    }

    /// Updates (or, with `upsert`, inserts) one document atomically and answers it
    /// as it is after the update; nil when nothing matched and nothing was inserted.
    public func findOneAndUpdate<T: Decodable & Sendable>(
        _ filter: BSONDocument, _ update: BSONDocument, upsert: Bool = false, as type: T.Type
    ) async throws -> T? {
        try await run { collection in
            try filter.withBSON { filterBSON in
                try update.withBSON { updateBSON in
                    let options = mongoc_find_and_modify_opts_new()!
                    defer { mongoc_find_and_modify_opts_destroy(options) }
                    var flags = MONGOC_FIND_AND_MODIFY_RETURN_NEW.rawValue
                    if upsert { flags |= MONGOC_FIND_AND_MODIFY_UPSERT.rawValue }
                    mongoc_find_and_modify_opts_set_update(options, updateBSON)
                    mongoc_find_and_modify_opts_set_flags(options, mongoc_find_and_modify_flags_t(rawValue: flags))
                    return try BSONMemory.withReply { reply in
                        var error = bson_error_t()
                        guard mongoc_collection_find_and_modify_with_opts(collection, filterBSON, options, reply, &error) else {
                            throw MongoError(error)
                        }
                        return try BSONMemory.decode(FindAndModifyReply<T>.self, from: reply).value
                    }
                }
            }
        }
    }

    /// Drops the collection and its indexes; dropping a missing collection is not an error.
    public func drop() async throws {
        try await run { collection in
            var error = bson_error_t()
            if !mongoc_collection_drop_with_opts(collection, nil, &error) {
                let failure = MongoError(error)
                if failure.code != 26 { throw failure }  // 26: namespace not found
            }
        }
    }

    /// Creates the indexes unless they exist; the server ignores an identical index.
    public func createIndexes(_ indexes: [MongoIndex]) async throws {
        guard !indexes.isEmpty else { return }
        let command: BSONDocument = [
            "createIndexes": .string(name),
            "indexes": .array(indexes.map { .document($0.specification) }),
        ]
        let databaseName = database.name
        try await database.client.withClient { client in
            try command.withBSON { commandBSON in
                try BSONMemory.withReply { reply in
                    var error = bson_error_t()
                    guard mongoc_client_write_command_with_opts(client, databaseName, commandBSON, nil, reply, &error) else {
                        throw MongoError(error)
                    }
                }
            }
        }
    }
}

/// An index as `createIndexes` takes it.
public struct MongoIndex: Sendable {
    public var name: String
    public var keys: BSONDocument
    public var unique: Bool
    public var partialFilter: BSONDocument?

    public init(name: String, keys: BSONDocument, unique: Bool = false, partialFilter: BSONDocument? = nil) {
        self.name = name
        self.keys = keys
        self.unique = unique
        self.partialFilter = partialFilter
    }

    var specification: BSONDocument {
        var spec: BSONDocument = ["key": .document(keys), "name": .string(name)]
        if unique { spec["unique"] = true }
        if let partialFilter { spec["partialFilterExpression"] = .document(partialFilter) }
        return spec
    }
}
