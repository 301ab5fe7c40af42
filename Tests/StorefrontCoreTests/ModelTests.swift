import MarketplaceAPI
import Testing
@testable import StorefrontCore

@Suite("update: sign in")
struct SignInTests {
    @Test func startsOnTheSignInScreenWithTheEmailFieldFocused() {
        let model = freshModel()
        let login = try! #require(model.screen as? LoginScreen)
        #expect(login.form.focus == .email)
        #expect(model.session == nil)
    }

    @Test func typedCharactersGoToTheFocusedFieldEvenQAndQuestionMark() {
        let (model, commands) = run(freshModel(), keys("q?@x"))
        let login = model.screen as! LoginScreen
        #expect(login.form[.email].text == "q?@x")
        #expect(model.overlay == nil)
        #expect(commands.isEmpty)
        #expect(!model.quitting)
    }

    @Test func tabMovesFocusAndBackspaceEdits() {
        let (model, _) = run(freshModel(), keys("ab") + [key(.backspace), key(.tab)] + keys("pw"))
        let login = model.screen as! LoginScreen
        #expect(login.form[.email].text == "a")
        #expect(login.form[.password].text == "pw")
        #expect(login.form.focus == .password)
    }

    @Test func invalidInputIsReportedBeforeAnyRequest() {
        let (model, commands) = run(freshModel(), keys("not-an-email") + [key(.enter)])
        let login = model.screen as! LoginScreen
        #expect(commands.isEmpty)
        #expect(login.form.errors[.email] == "Email must be a valid address like name@example.com")
        #expect(login.form.errors[.password] == "Password is required")
        #expect(login.form.focus == .email)
    }

    @Test func emailsFollowTheServersRuleATopLevelDomainOfOneLetterIsRefused() {
        let (model, commands) = run(freshModel(), keys("a@b.c") + [key(.tab)] + keys("secret1") + [key(.enter)])
        #expect(commands.isEmpty)
        #expect((model.screen as! LoginScreen).form.errors[.email] == "Email must be a valid address like name@example.com")
        let (_, sent) = run(freshModel(), keys("a@b.co") + [key(.tab)] + keys("secret1") + [key(.enter)])
        #expect(sent.compactMap(\.sentRequest).map(\.1) == [AnyRequest(LoginScreen.signIn(email: "a@b.co", password: "secret1"))])
    }

    @Test func signingInOnlyRequiresAPasswordItsLengthWasCheckedWhenItWasChosen() {
        let (_, commands) = run(freshModel(), keys("ann@example.com") + [key(.tab)] + keys("123") + [key(.enter)])
        #expect(commands.compactMap(\.sentRequest).map(\.1) == [AnyRequest(LoginScreen.signIn(email: "ann@example.com", password: "123"))])
    }

    @Test func validInputSendsOneLoginRequestAndShowsASpinnerLabel() throws {
        let (model, commands) = run(freshModel(), keys(" ann@example.com ") + [key(.tab)] + keys("secret1") + [key(.enter)])
        let (id, request) = try #require(commands.first?.sentRequest)
        #expect(commands.count == 1)
        #expect(request == AnyRequest(LoginScreen.signIn(email: "ann@example.com", password: "secret1")))
        #expect(model.screen.busyLabel?.hasPrefix("Signing in") == true)
        #expect(id == 1)
    }

    @Test func aSuccessfulReplySignsInAndLeavesTheForm() {
        let (typed, _) = run(freshModel(), keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)])
        let (model, _) = run(typed, [.reply(1, .success(LoginResponse(token: "t0k", user: ann)))])
        #expect(model.session == Session(token: "t0k", user: ann))
        #expect(model.screen is BrowseScreen)
        #expect(model.history.isEmpty)
        #expect(model.notice?.text == "Signed in as Ann Lee.")
        #expect(model.serverOnline == true)
    }

    @Test func aReplyToAnOlderRequestIsDropped() {
        // Sign in, cancel with Esc, sign in again: only the second reply counts.
        let (typed, commands) = run(freshModel(), keys("ann@example.com") + [key(.tab)] + keys("secret1") +
                                    [key(.enter), key(.escape), key(.enter)])
        #expect(commands.compactMap(\.sentRequest).map(\.0) == [1, 2])
        let (stale, _) = run(typed, [.reply(1, .success(LoginResponse(token: "old", user: ann)))])
        #expect(stale.session == nil)
        #expect(stale.screen is LoginScreen)
        let (fresh, _) = run(stale, [.reply(2, .success(LoginResponse(token: "new", user: ann)))])
        #expect(fresh.session?.token == "new")
    }

    @Test func anUnreachableServerShowsAMessageAndEnterRetries() throws {
        let (typed, _) = run(freshModel(), keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)])
        let (failed, _) = run(typed, [.reply(1, .failure(.unreachable(server: "http://127.0.0.1:9", reason: "connection refused")))])
        let status = try #require(failed.screen.status)
        #expect(status.text == "Cannot reach http://127.0.0.1:9: connection refused. Press Enter to retry.")
        #expect(status.role == .error)
        #expect(failed.serverOnline == false)
        #expect(view(failed).line(22).contains("Press Enter to retry."))
        let (retried, commands) = run(failed, [key(.enter)])
        #expect(commands.compactMap(\.sentRequest).first?.0 == 2)
        #expect(retried.screen.status == nil)
    }

    @Test func wrongCredentialsClearThePasswordOnly() {
        let (typed, _) = run(freshModel(), keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)])
        let (model, _) = run(typed, [.reply(1, .failure(.server(code: .invalidCredentials, message: "Invalid email or password", fieldErrors: [])))])
        let login = model.screen as! LoginScreen
        #expect(login.form[.email].text == "ann@example.com")
        #expect(login.form[.password].text.isEmpty)
        #expect(login.form.focus == .password)
        #expect(model.screen.status?.text == "Invalid email or password.")
        #expect(model.serverOnline == true)
    }
}

@Suite("update: register")
struct RegisterTests {
    func registerScreen() -> Model {
        run(freshModel(), keys("new@example.com") + [key(.tab), key(.tab), key(.tab), key(.enter)]).0
    }

    @Test func createAccountOpensTheRegisterFormWithTheEmailCarriedOver() {
        let model = registerScreen()
        let register = model.screen as! RegisterScreen
        #expect(register.form[.email].text == "new@example.com")
        #expect(model.history.count == 1)
        let (back, _) = run(model, [key(.backTab), key(.backTab), key(.escape)])
        #expect(back.screen is LoginScreen)
    }

    @Test func nameIsRequiredAndRoleToggles() {
        let (model, commands) = run(registerScreen(), [key(.tab), key(.tab)] + keys("secret1") + [key(.tab), key(.right), key(.enter)])
        let register = model.screen as! RegisterScreen
        #expect(commands.isEmpty)
        #expect(register.role == .vendor)
        #expect(register.form.errors[.name] == "Name is required")
        #expect(register.form.focus == .name)
    }

    @Test func aNewPasswordNeedsSixCharactersAndAtMost72Bytes() {
        let short = run(registerScreen(), keys("Ann") + [key(.tab), key(.tab)] + keys("12345") + [key(.enter)])
        #expect(short.1.isEmpty)
        #expect((short.0.screen as! RegisterScreen).form.errors[.password] == "Password must be at least 6 characters")
        // 25 three-byte characters fit the field (72 characters at most) but not bcrypt's 72 bytes.
        let long = run(registerScreen(), keys("Ann") + [key(.tab), key(.tab)] + keys(String(repeating: "鍵", count: 25)) + [key(.enter)])
        #expect(long.1.isEmpty)
        #expect((long.0.screen as! RegisterScreen).form.errors[.password] == "Password must be at most 72 bytes")
    }

    @Test func registeringThenSignsInWithTheSameCredentials() throws {
        let (typed, commands) = run(registerScreen(), keys("Ann Lee") + [key(.tab), key(.tab)] + keys("secret1") + [key(.enter)])
        let (id, request) = try #require(commands.first?.sentRequest)
        #expect(request == AnyRequest(.data(Endpoints.register, body: RegisterRequest(name: "Ann Lee", email: "new@example.com", password: "secret1", role: Role.customer.rawValue), sendsToken: false)))
        let (registered, more) = run(typed, [.reply(id, .success(ann))])
        let (loginID, login) = try #require(more.first?.sentRequest)
        #expect(login == AnyRequest(LoginScreen.signIn(email: "new@example.com", password: "secret1")))
        let (model, _) = run(registered, [.reply(loginID, .success(LoginResponse(token: "t", user: ann)))])
        #expect(model.session?.user == ann)
        #expect(model.screen is BrowseScreen)
        #expect(model.notice?.text == "Welcome, Ann Lee! Your account is ready.")
    }

    @Test func aTakenEmailIsShownAtTheEmailField() throws {
        let (typed, commands) = run(registerScreen(), keys("Ann") + [key(.tab), key(.tab)] + keys("secret1") + [key(.enter)])
        let id = try #require(commands.first?.sentRequest).0
        let (model, _) = run(typed, [.reply(id, .failure(.server(code: .emailTaken, message: "Email already registered", fieldErrors: [])))])
        let register = model.screen as! RegisterScreen
        #expect(register.form.errors[.email] == "Email already registered")
        #expect(register.form.focus == .email)
    }
}

@Suite("update: global keys")
struct GlobalKeyTests {
    @Test func qOnAButtonQuitsAtOnceWhenNothingWasTyped() {
        let (model, commands) = run(freshModel(), [key(.tab), key(.tab), .key(.char("q"))])
        #expect(commands == [.quit])
        #expect(model.quitting)
    }

    @Test func quittingWithTypedInputAsksFirst() {
        let (asked, commands) = run(freshModel(), keys("ann") + [key(.tab), key(.tab), .key(.char("q"))])
        #expect(commands.isEmpty)
        #expect(asked.overlay == .confirmQuit)
        #expect(view(asked).text().contains("Quit Storefront?"))
        let (stayed, none) = run(asked, keys("n"))
        #expect(none.isEmpty && stayed.overlay == nil && !stayed.quitting)
        let (quit, done) = run(asked, keys("y"))
        #expect(done == [.quit] && quit.quitting)
    }

    @Test func ctrlCQuitsFromATextField() {
        let (_, commands) = run(freshModel(), [key(.ctrl("c"))])
        #expect(commands == [.quit])
    }

    @Test func helpOpensWithQuestionMarkOrF1AndAnyKeyClosesIt() {
        let (f1, _) = run(freshModel(), [key(.function(1))])
        #expect(f1.overlay == .help)
        let (closed, _) = run(f1, [key(.char("x"))])
        #expect(closed.overlay == nil)
        #expect((closed.screen as! LoginScreen).form[.email].text.isEmpty)
        let (onButton, _) = run(freshModel(), [key(.tab), key(.tab), key(.char("?"))])
        #expect(onButton.overlay == .help)
    }

    @Test func theHelpBarAndHelpOverlayComeFromTheSameKeymap() {
        let model = freshModel()
        let bar = view(model).line(23)
        for help in (model.screen.keyHelp + model.globalKeyHelp).filter(\.inBar) {
            #expect(bar.contains("\(help.keys) \(help.short)"))
        }
        let (withHelp, _) = run(model, [key(.function(1))])
        let overlay = view(withHelp).text()
        for help in model.screen.keyHelp + model.globalKeyHelp {
            #expect(overlay.contains(help.long))
        }
    }

    @Test func aTooSmallTerminalGetsAPlainPageAndOnlyQuitWorks() {
        let (model, commands) = run(freshModel(), [.resize(Size(width: 59, height: 20))] + keys("abc"))
        let text = view(model).text()
        #expect(text.contains("Terminal too small"))
        #expect(text.contains("Storefront needs at least 60×20"))
        #expect(text.contains("this one is 59×20"))
        #expect((model.screen as! LoginScreen).form[.email].text.isEmpty)
        #expect(commands.isEmpty)
        let (_, quit) = run(model, keys("q"))
        #expect(quit == [.quit])
        let (back, _) = run(model, [.resize(Size(width: 80, height: 24))])
        #expect(view(back).text().contains("Sign in to Storefront"))
    }

    @Test func sizeClasses() {
        #expect(SizeClass(Size(width: 59, height: 30)) == .tooSmall)
        #expect(SizeClass(Size(width: 100, height: 19)) == .tooSmall)
        #expect(SizeClass(Size(width: 60, height: 20)) == .compact)
        #expect(SizeClass(Size(width: 79, height: 30)) == .compact)
        #expect(SizeClass(Size(width: 100, height: 23)) == .compact)
        #expect(SizeClass(Size(width: 80, height: 24)) == .standard)
        #expect(SizeClass(Size(width: 120, height: 40)) == .wide)
    }
}

@Suite("update: kiosk")
struct KioskTests {
    @Test func kioskIgnoresCtrlCCtrlZAndCtrlBackslash() {
        let (model, commands) = run(freshModel(kiosk: true), [key(.ctrl("c")), key(.ctrl("z")), key(.ctrl("\\"))])
        #expect(commands.isEmpty)
        #expect(!model.quitting)
    }

    @Test func kioskStartsAsAGuestOnTheCatalogue() {
        let (model, commands) = Model.start(options: AppOptions(kiosk: true), size: standardSize)
        #expect(model.screen is BrowseScreen)
        #expect(commands == [.send(1, BrowseScreen.page(ProductQuery()), token: nil)])
        #expect(view(model).text().contains("This session resets after 120 s idle."))
    }

    @Test func idleKioskForgetsTheShopperAndTheirInput() {
        var (model, _) = run(freshModel(kiosk: true), [.tick(1), key(.char("i"))] + keys("ann@example.com"))
        #expect((model.screen as? LoginScreen)?.form[.email].text == "ann@example.com")
        model.session = Session(token: "t", user: ann)
        let (stillThere, _) = run(model, [.tick(20)])
        #expect(stillThere.session != nil)
        let (reset, commands) = run(model, [.tick(31.5)])
        #expect(reset.session == nil)
        #expect(reset.screen is BrowseScreen)
        #expect(reset.history.isEmpty)
        #expect(reset.notice?.text == "Session reset: 30 s without a key.")
        #expect(commands.first?.sentRequest?.0 == model.nextRequestID)
    }
}
