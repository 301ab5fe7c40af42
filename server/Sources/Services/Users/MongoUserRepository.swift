import Foundation
import MarketplaceAPI
import MongoKit
import ServiceKit
import NIOConcurrencyHelpers

/// Profiles, preferences and addresses in the `user_service` database.
public struct MongoUserRepository: UserProfileRepository {
    let profiles: MongoCollection
    let preferences: MongoCollection
    let addresses: MongoCollection
    let sshKeys: MongoCollection
    /// Account id → profile id. A profile is never deleted or re-keyed, so the
    /// mapping cannot go stale and saves a round trip on every address call.
    private let profileIDs = NIOLockedValueBox<[String: ObjectID]>([:])

    public init(database: MongoDatabase) {
        self.profiles = database.collection("user_profiles")
        self.preferences = database.collection("user_preferences")
        self.addresses = database.collection("addresses")
        self.sshKeys = database.collection("ssh_keys")
    }

    /// The plan's indexes, plus two that make its rules hold under concurrency:
    /// one preferences document per profile, and at most one default address per
    /// profile (a partial unique index over the addresses flagged default).
    public func createIndexes() async throws {
        try await profiles.createIndexes([MongoIndex(name: "user_id_unique", keys: ["user_id": 1], unique: true)])
        try await preferences.createIndexes([MongoIndex(name: "user_profile_id_unique", keys: ["user_profile_id": 1], unique: true)])
        try await addresses.createIndexes([
            MongoIndex(name: "user_profile_id", keys: ["user_profile_id": 1]),
            MongoIndex(name: "one_default_per_profile", keys: ["user_profile_id": 1, "is_default": 1],
                       unique: true, partialFilter: ["is_default": true]),
        ])
        // A key signs in one account only: the fingerprint is unique over all of them.
        try await sshKeys.createIndexes([
            MongoIndex(name: "fingerprint_unique", keys: ["fingerprint": 1], unique: true),
            MongoIndex(name: "user_id", keys: ["user_id": 1]),
        ])
    }

    // MARK: documents

    struct ProfileDocument: Codable, Sendable {
        var _id: ObjectID
        var user_id: String
        var phone: String?
        var created_at: Date
        var updated_at: Date
    }

    struct PreferencesDocument: Codable, Sendable {
        var _id: ObjectID
        var user_profile_id: ObjectID
        var newsletter: Bool
        var theme: String
    }

    struct AddressDocument: Codable, Sendable {
        var _id: ObjectID
        var user_profile_id: ObjectID
        var street: String?
        var city: String?
        var state: String?
        var zip: String?
        var country: String?
        var is_default: Bool

        var address: Address {
            Address(id: _id.hex, street: street, city: city, state: state, zip: zip, country: country, isDefault: is_default)
        }
    }

    /// An account's SSH key. Keyed by the auth service's account id (as profiles
    /// are), so the SSH service's lookup needs no profile.
    struct SSHKeyDocument: Codable, Sendable {
        var _id: ObjectID
        var user_id: String
        var fingerprint: String
        var type: String
        /// The key's blob, base64 (the line's second field).
        var key: String
        var comment: String?
        var added_at: Date
        var last_used_at: Date?

        var sshKey: SSHKey {
            SSHKey(fingerprint: fingerprint, type: type, comment: comment, addedAt: added_at, lastUsedAt: last_used_at)
        }
    }

    // MARK: profile

    public func profile(userID: String) async throws -> StoredProfile {
        try await updateProfile(userID: userID, phone: nil, newsletter: nil, theme: nil)
    }

    public func updateProfile(userID: String, phone: PhoneChange?, newsletter: Bool?, theme: ThemeName?) async throws -> StoredProfile {
        let now = Date()
        var update: BSONDocument = ["$setOnInsert": ["user_id": .string(userID), "created_at": .date(now)]]
        var set: BSONDocument = [:]
        switch phone {
        case .set(let number): set["phone"] = .string(number); set["updated_at"] = .date(now)
        case .remove: update["$unset"] = ["phone": ""]; set["updated_at"] = .date(now)
        case nil: break
        }
        if newsletter != nil || theme != nil { set["updated_at"] = .date(now) }
        if set.isEmpty {
            update["$setOnInsert"] = ["user_id": .string(userID), "created_at": .date(now), "updated_at": .date(now)]
        } else {
            update["$set"] = .document(set)
        }
        let profile = try await upserting("profile") {
            try await profiles.findOneAndUpdate(["user_id": .string(userID)], update, upsert: true, as: ProfileDocument.self)
        }
        profileIDs.withLockedValue { $0[userID] = profile._id }

        var preferencesSet: BSONDocument = [:]
        var preferencesDefaults: BSONDocument = ["user_profile_id": .objectID(profile._id)]
        if let newsletter { preferencesSet["newsletter"] = .bool(newsletter) } else { preferencesDefaults["newsletter"] = true }
        if let theme { preferencesSet["theme"] = .string(theme.rawValue) } else { preferencesDefaults["theme"] = .string(ThemeName.light.rawValue) }
        var preferencesUpdate: BSONDocument = ["$setOnInsert": .document(preferencesDefaults)]
        if !preferencesSet.isEmpty { preferencesUpdate["$set"] = .document(preferencesSet) }
        let stored = try await upserting("preferences") {
            try await preferences.findOneAndUpdate(["user_profile_id": .objectID(profile._id)], preferencesUpdate, upsert: true, as: PreferencesDocument.self)
        }
        return StoredProfile(
            profileID: profile._id.hex, userID: userID, phone: profile.phone,
            preferences: UserPreferences(newsletter: stored.newsletter, theme: stored.theme))
    }

    /// Two first requests of one user may both try to insert; the unique index
    /// lets one win and the other, retried, updates the winner's document. (Under
    /// that race the Mongo-wire server may also answer "no document" instead of
    /// a duplicate key; the retry covers both.)
    private func upserting<T>(_ what: String, _ body: () async throws -> T?) async throws -> T {
        for _ in 0..<4 {
            do {
                if let document = try await body() { return document }
            } catch let error as MongoError where error.kind == .duplicateKey {
                continue
            }
        }
        throw MongoStoreFailure("the \(what) upsert kept losing to concurrent requests")
    }

    private func profileID(userID: String) async throws -> ObjectID {
        if let known = profileIDs.withLockedValue({ $0[userID] }) { return known }
        let profile = try await profile(userID: userID)
        return ObjectID(hex: profile.profileID)!
    }

    // MARK: addresses

    public func addresses(userID: String) async throws -> [Address] {
        let owner = try await profileID(userID: userID)
        return try await addresses.find(["user_profile_id": .objectID(owner)], sort: ["_id": 1], as: AddressDocument.self).map(\.address)
    }

    public func addAddress(userID: String, fields: AddressFields, isDefault: Bool) async throws -> Address {
        let owner = try await profileID(userID: userID)
        // A soft bound: two adds at the same moment may both pass it once.
        guard try await addresses.count(["user_profile_id": .objectID(owner)]) < InputRules.maximumAddresses else {
            throw UserStoreError.tooManyAddresses
        }
        let document = AddressDocument(
            _id: ObjectID(), user_profile_id: owner, street: fields.street, city: fields.city,
            state: fields.state, zip: fields.zip, country: fields.country, is_default: isDefault)
        if isDefault {
            try await claimingDefault(owner: owner, for: document._id) { try await addresses.insertOne(document) }
        } else {
            try await addresses.insertOne(document)
        }
        return document.address
    }

    public func updateAddress(userID: String, addressID: String, fields: AddressFields, isDefault: Bool?) async throws -> Address? {
        guard let id = ObjectID(hex: addressID) else { throw UserStoreError.malformedID }
        let owner = try await profileID(userID: userID)
        let mine: BSONDocument = ["_id": .objectID(id), "user_profile_id": .objectID(owner)]
        var set: BSONDocument = [:]
        for (key, value) in [("street", fields.street), ("city", fields.city), ("state", fields.state), ("zip", fields.zip), ("country", fields.country)] {
            if let value { set[key] = .string(value) }
        }
        if isDefault == false { set["is_default"] = false }
        var update: BSONDocument = [:]
        if !set.isEmpty { update["$set"] = .document(set) }
        if !fields.cleared.isEmpty {
            var unset = BSONDocument()
            for key in fields.cleared.sorted() { unset[key] = "" }
            update["$unset"] = .document(unset)
        }
        // First the plain fields, which also proves the address is the caller's
        // before any other address of theirs is touched.
        var current: AddressDocument?
        if update.isEmpty {
            current = try await addresses.findOne(mine, as: AddressDocument.self)
        } else {
            current = try await addresses.findOneAndUpdate(mine, update, as: AddressDocument.self)
        }
        guard current != nil else { return nil }
        if isDefault == true {
            try await claimingDefault(owner: owner, for: id) {
                current = try await addresses.findOneAndUpdate(mine, ["$set": ["is_default": true]], as: AddressDocument.self)
            }
        }
        return current?.address
    }

    public func deleteAddress(userID: String, addressID: String) async throws -> Bool {
        guard let id = ObjectID(hex: addressID) else { throw UserStoreError.malformedID }
        let owner = try await profileID(userID: userID)
        // Deleting the default address leaves the user without one; the client
        // asks which address to use next rather than the server guessing.
        return try await addresses.deleteOne(["_id": .objectID(id), "user_profile_id": .objectID(owner)]) == 1
    }

    /// Makes `id` the owner's only default. The partial unique index refuses a
    /// second default, so two requests racing to claim it cannot both win: the
    /// loser clears the winner's flag and tries again, and the last one wins.
    private func claimingDefault(owner: ObjectID, for id: ObjectID, _ claim: () async throws -> Void) async throws {
        for _ in 0..<10 {
            try await addresses.updateMany(
                ["user_profile_id": .objectID(owner), "is_default": true, "_id": ["$ne": .objectID(id)]],
                ["$set": ["is_default": false]])
            do {
                try await claim()
                return
            } catch let error as MongoError where error.kind == .duplicateKey {
                continue
            }
        }
        throw UserStoreError.defaultContended
    }

    // MARK: SSH keys

    public func sshKeys(userID: String) async throws -> [SSHKey] {
        try await sshKeys.find(["user_id": .string(userID)], sort: ["added_at": 1, "_id": 1], as: SSHKeyDocument.self).map(\.sshKey)
    }

    public func addSSHKey(userID: String, key: SSHPublicKey, at date: Date) async throws -> SSHKey {
        // A soft bound, as for addresses: two adds at the same moment may both pass it once.
        guard try await sshKeys.count(["user_id": .string(userID)]) < InputRules.maximumSSHKeys else {
            throw UserStoreError.tooManySSHKeys
        }
        let document = SSHKeyDocument(
            _id: ObjectID(), user_id: userID, fingerprint: key.fingerprint, type: key.type.rawValue,
            key: Data(key.blob).base64EncodedString(), comment: key.comment, added_at: date, last_used_at: nil)
        do {
            try await sshKeys.insertOne(document)
        } catch let error as MongoError where error.kind == .duplicateKey {
            throw UserStoreError.sshKeyTaken
        }
        return document.sshKey
    }

    public func deleteSSHKey(userID: String, fingerprint: String) async throws -> Bool {
        try await sshKeys.deleteOne(["user_id": .string(userID), "fingerprint": .string(fingerprint)]) == 1
    }

    public func useSSHKey(fingerprint: String, at date: Date) async throws -> SSHKeyAccount? {
        let used = try await sshKeys.findOneAndUpdate(
            ["fingerprint": .string(fingerprint)], ["$set": ["last_used_at": .date(date)]], as: SSHKeyDocument.self)
        return used.map { SSHKeyAccount(userId: $0.user_id, fingerprint: $0.fingerprint) }
    }
}
