/// A service credential for calls to the other services, signed with the
/// service secret and renewed well before it expires.
public actor ServiceCredential {
    private let tokens: TokenService
    private let name: String
    private var current: (token: String, renewAt: ContinuousClock.Instant)?

    public init(tokens: TokenService, name: String) {
        self.tokens = tokens
        self.name = name
    }

    public func token() async throws -> String {
        if let current, ContinuousClock.now < current.renewAt { return current.token }
        let token = try await tokens.issueServiceToken(service: name)
        // Half the lifetime, less a second: `exp` is cut to whole seconds, so short
        // lifetimes must not hand out a token about to expire.
        current = (token, ContinuousClock.now + max(.zero, tokens.lifetime / 2 - .seconds(1)))
        return token
    }
}
