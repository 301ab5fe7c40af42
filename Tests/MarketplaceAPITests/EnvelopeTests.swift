import Foundation
import Testing
@testable import MarketplaceAPI

@Suite struct EnvelopeTests {
    @Test func errorEnvelopeHasThePlansShapeAndAMachineCode() throws {
        let body = ErrorEnvelope(code: .validationFailed, message: "Validation failed", errors: [FieldError(field: "email", message: "Email is required")])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(body)) as? [String: Any]
        #expect(object?["success"] as? Bool == false)
        #expect(object?["code"] as? String == "validation_failed")
        #expect(object?["message"] as? String == "Validation failed")
        #expect((object?["errors"] as? [[String: String]])?.first?["field"] == "email")
    }

    @Test func aFailedCheckoutCarriesItsCodeAndASuccessfulOneNone() throws {
        let declined = CheckoutResponse(success: false, code: .paymentDeclined, message: "Payment declined", reason: "Your card was declined")
        let failure = try JSONSerialization.jsonObject(with: JSONEncoder().encode(declined)) as? [String: Any]
        #expect(failure?["code"] as? String == "payment_declined")
        let placed = CheckoutResponse(success: true, message: "Order placed successfully", orderId: "o1", transactionId: "t1")
        let success = try JSONSerialization.jsonObject(with: JSONEncoder().encode(placed)) as? [String: Any]
        #expect(success?["code"] == nil)
    }

    @Test func loginResponseCarriesTokenAndUserAtTopLevel() throws {
        let body = LoginResponse(token: "t", user: UserSummary(id: "1", name: "Ann", email: "ann@x.io", role: .vendor))
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(body)) as? [String: Any]
        #expect(object?["success"] as? Bool == true)
        #expect(object?["token"] as? String == "t")
        #expect((object?["user"] as? [String: Any])?["role"] as? String == "vendor")
    }
}
