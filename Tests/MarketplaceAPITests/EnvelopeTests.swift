import Foundation
import Testing
@testable import MarketplaceAPI

@Suite struct EnvelopeTests {
    @Test func errorEnvelopeHasThePlansShape() throws {
        let body = ErrorEnvelope(message: "Validation failed", errors: [FieldError(field: "email", message: "Email is required")])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(body)) as? [String: Any]
        #expect(object?["success"] as? Bool == false)
        #expect(object?["message"] as? String == "Validation failed")
        #expect((object?["errors"] as? [[String: String]])?.first?["field"] == "email")
    }

    @Test func loginResponseCarriesTokenAndUserAtTopLevel() throws {
        let body = LoginResponse(token: "t", user: UserSummary(id: "1", name: "Ann", email: "ann@x.io", role: .vendor))
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(body)) as? [String: Any]
        #expect(object?["success"] as? Bool == true)
        #expect(object?["token"] as? String == "t")
        #expect((object?["user"] as? [String: Any])?["role"] as? String == "vendor")
    }
}
