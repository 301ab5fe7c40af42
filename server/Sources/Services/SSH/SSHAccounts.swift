import MarketplaceAPI
import ServiceKit

/// Who a verified key belongs to: the account registered with its fingerprint,
/// and a session token for it. A key nobody registered is a guest's.
public protocol SSHAccountDirectory: Sendable {
    /// The account id for this fingerprint, nil when no account has it.
    func account(fingerprint: String) async throws -> String?
    /// A shopper's token for that account, as a sign-in would give.
    func sessionToken(userId: String) async throws -> String
    /// Closes what it holds open (connections), once the door has stopped.
    func shutdown() async
}

extension SSHAccountDirectory {
    public func shutdown() async {}
}

/// Every key a guest's.
public struct GuestsOnly: SSHAccountDirectory {
    public init() {}
    public func account(fingerprint: String) async throws -> String? { nil }
    public func sessionToken(userId: String) async throws -> String { "" }
}

/// The user service says whose a key is (`Endpoints.sshKeyAccount`), the auth
/// service signs that account in (`Endpoints.sshSession`), both called with the
/// ssh service's credential, as every service calls its peers.
public struct HTTPSSHAccounts: SSHAccountDirectory {
    let users: ServiceHTTPClient
    let auth: ServiceHTTPClient
    let connections: PeerConnections

    public init(users: ServiceHTTPClient, auth: ServiceHTTPClient, connections: PeerConnections) {
        self.users = users
        self.auth = auth
        self.connections = connections
    }

    public func account(fingerprint: String) async throws -> String? {
        // The URL-safe spelling needs no percent-encoding in a query.
        let reply = try await users.call(Endpoints.sshKeyAccount, query: "fingerprint=" + SSHFingerprint.urlSafe(fingerprint), retry: .idempotent)
        if reply.code == .notFound { return nil }
        return try users.decode(reply, as: Endpoints.sshKeyAccount).data.userId
    }

    public func sessionToken(userId: String) async throws -> String {
        // A new token each time: the same answer as far as the shopper can tell, so safe to repeat.
        let reply = try await auth.call(Endpoints.sshSession, body: SSHSessionRequest(userId: userId), retry: .idempotent)
        return try auth.decode(reply, as: Endpoints.sshSession).token
    }

    public func shutdown() async {
        try? await connections.http.shutdown()
    }
}
