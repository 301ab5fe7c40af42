import Testing
@testable import StorefrontCore

@Suite struct TextWidthTests {
    @Test func asciiLatinAndCombiningMarks() {
        #expect(TextWidth.of("Storefront") == 10)
        #expect(TextWidth.of("Crème brûlée") == 12)
        #expect(TextWidth.of("e\u{301}") == 1)            // e + combining acute: one column
        #expect(TextWidth.of("\u{200B}") == 0)            // zero-width space
    }

    @Test func eastAsianWideAndEmojiTakeTwoColumns() {
        #expect(TextWidth.of("漢字") == 4)
        #expect(TextWidth.of("ｶﾀｶﾅ") == 4)                 // half-width katakana: narrow
        #expect(TextWidth.of("ＡＢ") == 4)                  // fullwidth Latin: wide
        #expect(TextWidth.of("한국") == 4)
        #expect(TextWidth.of("🛒") == 2)
        #expect(TextWidth.of("❤️") == 2)                    // text symbol + emoji presentation selector
    }

    @Test func truncateNeverSplitsAWideCharacter() {
        #expect(TextWidth.truncate("漢字テスト", to: 5) == "漢字…")
        #expect(TextWidth.truncate("short", to: 10) == "short")
        #expect(TextWidth.truncate("abcdef", to: 4, ellipsis: "~") == "abc~")
        #expect(TextWidth.pad("漢", to: 4) == "漢  ")
    }

    @Test func wrapKeepsWordsAndWidth() {
        #expect(TextWidth.wrap("a fine leather wallet", width: 10) == ["a fine", "leather", "wallet"])
    }
}

@Suite struct FrameTests {
    @Test func wideCharactersTakeTwoCellsAndStopAtTheEdge() {
        var frame = Frame(size: Size(width: 5, height: 1))
        let end = frame.write("a漢字", x: 0, y: 0, role: .title)
        #expect(end == 5)
        #expect(frame[1, 0].character == "漢")
        #expect(frame[2, 0].isContinuation)
        #expect(frame.text() == "a漢字")
        var edge = Frame(size: Size(width: 4, height: 1))
        edge.write("ab漢字", x: 0, y: 0, role: .text)
        #expect(edge.text() == "ab漢")
        var tight = Frame(size: Size(width: 3, height: 1))
        tight.write("ab漢", x: 0, y: 0, role: .text)
        #expect(tight.text() == "ab")  // the wide character does not fit in the last column
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var frame = Frame(size: Size(width: 4, height: 1))
        frame.write("漢字", x: 0, y: 0, role: .text)
        frame.write("x", x: 1, y: 0, role: .price)
        #expect(frame.text() == " x字")
        #expect(!frame[1, 0].isContinuation)
    }

    @Test func roleMaskHasOneLetterPerCell() {
        var frame = Frame(size: Size(width: 6, height: 1))
        frame.write("$9", x: 0, y: 0, role: .price)
        frame.write("!", x: 3, y: 0, role: .error)
        #expect(frame.roleMask() == "$$.!..")
    }
}

@Suite struct LaunchOptionTests {
    @Test func defaultsEnvironmentAndFlags() throws {
        #expect(try LaunchOptions.parse([], environment: [:]) == .run(AppOptions(remember: true)))
        let fromEnvironment = try LaunchOptions.parse([], environment: ["STOREFRONT_SERVER": "http://shop:9000/", "STOREFRONT_THEME": "mono"])
        #expect(fromEnvironment == .run(AppOptions(serverURL: "http://shop:9000", themeName: "mono", themeExplicit: true, remember: true)))
        let flags = try LaunchOptions.parse(["--server=http://a:1", "--theme", "light", "--kiosk", "--idle-timeout", "15"],
                                            environment: ["STOREFRONT_SERVER": "http://ignored:2"])
        #expect(flags == .run(AppOptions(serverURL: "http://a:1", themeName: "light", themeExplicit: true, kiosk: true, kioskIdleSeconds: 15)))
        #expect(try LaunchOptions.parse(["--kiosk", "--help"], environment: [:]) == .help)
        #expect(try LaunchOptions.parse(["--version"], environment: [:]) == .version)
    }

    @Test func mistakesAreExplained() {
        #expect(throws: UsageError("unknown argument '--colour' (see storefront --help)")) {
            try LaunchOptions.parse(["--colour"], environment: [:])
        }
        #expect(throws: UsageError("--server needs a value")) { try LaunchOptions.parse(["--server"], environment: [:]) }
        #expect(throws: UsageError("the server URL must start with http:// or https://, not 'shop:80'")) {
            try LaunchOptions.parse(["--server", "shop:80"], environment: [:])
        }
        #expect(throws: UsageError("--idle-timeout must be a whole number of seconds > 0, not '0'")) {
            try LaunchOptions.parse(["--idle-timeout", "0"], environment: [:])
        }
    }
}

@Suite struct TextWidthASCIITests {
    /// Every ASCII character, alone and in a text, reads as the scalar rules read it.
    @Test func asciiIsReadAsTheScalarRulesReadIt() {
        for value in UInt8(0)...UInt8(127) {
            let scalar = Unicode.Scalar(value)
            let expected = value < 0x20 || value == 0x7F ? 0 : TextWidth.of(scalar)
            #expect(TextWidth.of(String(scalar)) == expected, "\(value)")
            #expect(TextWidth.of(Character(scalar)) == expected, "\(value)")
        }
        #expect(TextWidth.of("a\r\nb\tc") == 3)
        #expect(TextWidth.of("Lampe 灯 é") == 10)
    }
}
