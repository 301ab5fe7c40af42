// The response envelope of the marketplace plan: every body carries `success`;
// failures add a machine `code`, a human `message` and, for validation, a list
// of field errors.

/// A successful response whose payload sits under `data`.
public struct DataEnvelope<Payload: Codable & Sendable>: Codable, Sendable {
    public var success: Bool
    public var message: String?
    public var data: Payload

    public init(message: String? = nil, data: Payload) {
        self.success = true
        self.message = message
        self.data = data
    }
}

/// One problem with one input field.
public struct FieldError: Codable, Sendable, Equatable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// `{"success": false, "code": "...", "message": "...", "errors": [...]}`
public struct ErrorEnvelope: Codable, Sendable, Equatable {
    public var success: Bool
    public var code: ErrorCode
    public var message: String
    public var errors: [FieldError]

    public init(code: ErrorCode, message: String, errors: [FieldError] = []) {
        self.success = false
        self.code = code
        self.message = message
        self.errors = errors
    }
}
