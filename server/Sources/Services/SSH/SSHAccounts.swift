/// Who a verified key belongs to: the account registered with its fingerprint,
/// and a session token for it. A key nobody registered is a guest's.
public protocol SSHAccountDirectory: Sendable {
    /// The account id for this fingerprint, nil when no account has it.
    func account(fingerprint: String) async throws -> String?
    /// A shopper's token for that account, as a sign-in would give.
    func sessionToken(userId: String) async throws -> String
}

/// Every key a guest's: for a marketplace without key accounts.
public struct GuestsOnly: SSHAccountDirectory {
    public init() {}
    public func account(fingerprint: String) async throws -> String? { nil }
    public func sessionToken(userId: String) async throws -> String { "" }
}
