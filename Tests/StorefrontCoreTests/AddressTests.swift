import MarketplaceAPI
import Testing
@testable import StorefrontCore

let lyon = Address(id: "a1", street: "1 Rue Neuve", city: "Lyon", state: nil, zip: "69001", country: "France", isDefault: true)
let porto = Address(id: "a2", street: "5 Rua Nova", city: "Porto", state: nil, zip: "4000-001", country: "Portugal", isDefault: false)

/// Ann's profile with the address list focused (Tab past phone, newsletter, theme and Save).
func profileAddressesModel(_ addresses: [Address] = [lyon, porto], size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
    let opened = run(browsingModel(size: size, glyphs: glyphs), [key(.char("u"))]).0
    let profile = UserProfile(userId: ann.id, phone: "+33 6 12 34 56 78", addresses: addresses,
                              preferences: UserPreferences(newsletter: true, theme: "dark"))
    return run(opened, [.reply(opened.nextRequestID - 1, .success(profile)), key(.tab), key(.tab), key(.tab), key(.tab)]).0
}

/// Checkout with a typed address; `saving` ticks "also save this address".
func typedCheckoutModel(saving: Bool, size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
    let cart = run(browsingModel(size: size, glyphs: glyphs), [key(.char("c"))]).0
    let form = run(cart, [.reply(cart.nextRequestID - 1, .success(fixtureCart())), key(.enter)]).0
    let toggle: [Msg] = saving ? [key(.tab), key(.char(" "))] : []
    return run(form, keys("1 Rue Neuve") + [key(.tab)] + keys("Lyon") + [key(.tab)] + keys("69001") + [key(.tab)] + keys("France") +
               [key(.tab), key(.right)] + toggle).0
}

let placedAnswer = CheckoutResponse(success: true, message: "Order placed successfully", orderId: "3cd0cfbe-1d80-440a-8547-917bd90731e3",
                                    transactionId: "fb1d779b-f9d6-4a93-b70d-6d602667376b")

@Suite("update: profile addresses")
struct ProfileAddressTests {
    @Test func theAddressListHasItsOwnKeysInTheBarAndHelp() {
        let model = profileAddressesModel()
        let profile = model.screen as! ProfileScreen
        #expect(profile.form.focus == .addresses)
        #expect(!profile.capturesText)
        #expect(profile.keyHelp.map(\.keys) == ["Tab", "S-Tab", "↑/k", "↓/j", "PgUp", "PgDn", "g", "G", "a", "Enter", "d", "*"])
        let moved = run(model, [key(.down), key(.down)]).0.screen as! ProfileScreen
        #expect(moved.addressList.selected == 1)
    }

    @Test func addingChecksRequiredFieldsBeforeAnyRequest() {
        let (model, commands) = run(profileAddressesModel(), [key(.char("a")), key(.enter)])
        let form = try! #require(model.screen as? AddressFormScreen)
        #expect(commands.compactMap(\.sentRequest).isEmpty)
        // A saved address may lack a state and a postal code (many countries have neither); checkout asks for the code.
        #expect(form.form.errors == [.street: "Street is required", .city: "City is required", .country: "Country is required"])
        #expect(form.form.focus == .street)
    }

    @Test func aNewAddressIsSentThenTheListReloads() throws {
        let typed = run(profileAddressesModel(), [key(.char("a"))] + keys("9 Elm St") + [key(.tab)] + keys("Bath") + [key(.tab)] + keys("Somerset") +
                        [key(.tab)] + keys("BA1 1AA") + [key(.tab)] + keys("UK") + [key(.tab), key(.char(" "))]).0
        let (sent, commands) = run(typed, [key(.enter)])
        let (id, request) = try #require(commands.compactMap(\.sentRequest).first)
        #expect(request == AnyRequest(.data(Endpoints.addAddress, body: AddressInput(street: "9 Elm St", city: "Bath", state: "Somerset", zip: "BA1 1AA", country: "UK", isDefault: true))))
        let added = Address(id: "a3", street: "9 Elm St", city: "Bath", state: "Somerset", zip: "BA1 1AA", country: "UK", isDefault: true)
        let (back, reload) = run(sent, [.reply(id, .success(added))])
        #expect(back.screen is ProfileScreen)
        #expect(back.notice?.text == "Address added.")
        let (reloadID, reloadRequest) = try #require(reload.compactMap(\.sentRequest).first)
        #expect(reloadRequest == AnyRequest(.data(Endpoints.addresses)))
        let listed = run(back, [.reply(reloadID, .success([added, lyon.with(isDefault: false)]))]).0.screen as! ProfileScreen
        #expect(listed.profile?.addresses.map(\.id) == ["a3", "a1"])
    }

    @Test func serverFieldErrorsAreShownUnderTheirFields() throws {
        let typed = run(profileAddressesModel(), [key(.char("a"))] + keys("9 Elm St") + [key(.tab)] + keys("Bath") + [key(.tab), key(.tab)] +
                        keys("BA1") + [key(.tab)] + keys("UK")).0
        let (sent, commands) = run(typed, [key(.enter)])
        let (id, _) = try #require(commands.compactMap(\.sentRequest).first)
        let error = APIError.server(code: .validationFailed, message: "Validation failed", fieldErrors: [FieldError(field: "zip", message: "Zip must be at most 20 characters")])
        let form = run(sent, [.reply(id, .failure(error))]).0.screen as! AddressFormScreen
        #expect(form.form.errors[.zip] == "Zip must be at most 20 characters")
        #expect(form.status?.text == "Validation failed.")
        #expect(form.form.changed)
    }

    @Test func editingPrefillsTheFormAndSendsAnUpdate() throws {
        let opened = run(profileAddressesModel(), [key(.down), key(.enter)]).0
        let form = try #require(opened.screen as? AddressFormScreen)
        #expect(form.form[.city].text == "Porto")
        #expect(form.editing?.id == "a2")
        let (_, commands) = run(opened, [key(.ctrl("u"))] + keys("7 Rua Velha") + [key(.enter)])
        #expect(commands.compactMap(\.sentRequest).map(\.1) ==
                [AnyRequest(.data(Endpoints.updateAddress, "a2", body: AddressInput(street: "7 Rua Velha", city: "Porto", state: "", zip: "4000-001", country: "Portugal", isDefault: false)))])
    }

    @Test func deletingAsksFirstAndAnyOtherKeyKeepsTheAddress() throws {
        let asked = run(profileAddressesModel(), [key(.down), key(.char("d"))]).0
        #expect((asked.screen as! ProfileScreen).status?.text == "Delete the address at 5 Rua Nova? y deletes it, any other key keeps it.")
        let (kept, none) = run(asked, [key(.char("n"))])
        #expect(none.compactMap(\.sentRequest).isEmpty)
        #expect(!(kept.screen as! ProfileScreen).confirmingDelete)

        let (deleting, commands) = run(asked, [key(.char("y"))])
        let (id, request) = try #require(commands.compactMap(\.sentRequest).first)
        #expect(request == AnyRequest(.call(Endpoints.deleteAddress, "a2")))
        let (deleted, reload) = run(deleting, [.reply(id, .success("a2"))])
        #expect(deleted.notice?.text == "Address deleted.")
        let (reloadID, reloadRequest) = try #require(reload.compactMap(\.sentRequest).first)
        #expect(reloadRequest == AnyRequest(.data(Endpoints.addresses)))
        let listed = run(deleted, [.reply(reloadID, .success([lyon]))]).0.screen as! ProfileScreen
        #expect(listed.profile?.addresses == [lyon])
        #expect(listed.addressList.selected == 0)
    }

    @Test func makingDefaultSendsOnlyTheFlagAndSkipsTheCurrentDefault() throws {
        let (_, onDefault) = run(profileAddressesModel(), [key(.char("*"))])
        #expect(onDefault.compactMap(\.sentRequest).isEmpty)
        let (sent, commands) = run(profileAddressesModel(), [key(.down), key(.char("*"))])
        let (id, request) = try #require(commands.compactMap(\.sentRequest).first)
        #expect(request == AnyRequest(.data(Endpoints.updateAddress, "a2", body: AddressInput(isDefault: true))))
        let (done, reload) = run(sent, [.reply(id, .success(porto.with(isDefault: true)))])
        #expect(done.notice?.text == "Default address changed.")
        #expect(reload.compactMap(\.sentRequest).map(\.1) == [AnyRequest(.data(Endpoints.addresses))])
    }

    @Test func aFailedChangeIsShownAndTheListKept() throws {
        let (sent, commands) = run(profileAddressesModel(), [key(.down), key(.char("*"))])
        let (id, _) = try #require(commands.compactMap(\.sentRequest).first)
        let error = APIError.server(code: .notFound, message: "Address not found", fieldErrors: [])
        let profile = run(sent, [.reply(id, .failure(error))]).0.screen as! ProfileScreen
        #expect(profile.status?.text == "Address not found.")
        #expect(profile.profile?.addresses == [lyon, porto])
        #expect(profile.busyLabel == nil)
    }
}

@Suite("update: checkout saves a typed address")
struct CheckoutSaveAddressTests {
    @Test func theToggleIsOffByDefaultAndNothingIsSaved() throws {
        let (placing, commands) = run(typedCheckoutModel(saving: false), [key(.enter)])
        let (id, _) = try #require(commands.compactMap(\.sentRequest).first)
        let (_, after) = run(placing, [.reply(id, .success(placedAnswer))])
        #expect(after.compactMap(\.sentRequest).isEmpty)
    }

    @Test func theAddressIsSavedOnceTheOrderIsPlaced() throws {
        let typed = typedCheckoutModel(saving: true)
        #expect((typed.screen as! CheckoutScreen).saveAddress)
        #expect((typed.screen as! CheckoutScreen).keyHelp.first?.keys == "Space")
        let (placing, commands) = run(typed, [key(.enter)])
        let sent = commands.compactMap(\.sentRequest)
        #expect(sent.count == 1)
        if sent.first?.1.calls(Endpoints.checkout) != true { Issue.record("expected the checkout first, got \(String(describing: sent.first))") }
        let (placed, after) = run(placing, [.reply(sent[0].0, .success(placedAnswer))])
        let (saveID, save) = try #require(after.compactMap(\.sentRequest).first)
        #expect(save == AnyRequest(.data(Endpoints.addAddress, body: AddressInput(street: "1 Rue Neuve", city: "Lyon", zip: "69001", country: "France"))))
        let done = run(placed, [.reply(saveID, .success(lyon))]).0.screen as! CheckoutScreen
        #expect(done.saveNote == StatusText("Address saved to your profile.", role: .success))
    }

    @Test func aFailedSaveIsShownButTheOrderStandsPlaced() throws {
        let (placing, commands) = run(typedCheckoutModel(saving: true), [key(.enter)])
        let (placed, after) = run(placing, [.reply(commands.compactMap(\.sentRequest)[0].0, .success(placedAnswer))])
        let saveID = after.compactMap(\.sentRequest)[0].0
        let done = run(placed, [.reply(saveID, .failure(.timedOut(server: "http://127.0.0.1:9", seconds: 10)))]).0
        let screen = done.screen as! CheckoutScreen
        #expect(screen.title == "Order placed")
        #expect(screen.saveNote?.role == .error)
        #expect(screen.saveNote?.text.hasPrefix("The address was not saved to your profile (the order stands): ") == true)
        #expect(screen.status == nil)
    }

    @Test func aDeclinedOrderSavesNothing() throws {
        let (placing, commands) = run(typedCheckoutModel(saving: true), [key(.enter)])
        let declined = CheckoutResponse(success: false, code: .paymentDeclined, message: "Payment declined", orderId: "o1", transactionId: "t1", reason: "Your card was declined")
        let (_, after) = run(placing, [.reply(commands.compactMap(\.sentRequest)[0].0, .success(declined))])
        #expect(after.compactMap(\.sentRequest).isEmpty)
    }

    @Test func aSavedAddressHasNoSaveToggle() throws {
        let cart = run(browsingModel(), [key(.char("c"))]).0
        let form = run(cart, [.reply(cart.nextRequestID - 1, .success(fixtureCart())), key(.enter)]).0
        let chosen = run(form, [.reply(form.nextRequestID - 1, .success([lyon]))]).0.screen as! CheckoutScreen
        #expect(chosen.savedIndex == 0)
        #expect(!chosen.form.order.contains(.saveAddress))
    }
}

extension Address {
    func with(isDefault: Bool) -> Address {
        var copy = self
        copy.isDefault = isDefault
        return copy
    }
}
