import Foundation

/// `docs/storefront.1`, generated from the flags table and the keymaps
/// (`UPDATE_DOCS=1 swift test --filter DocsTests` writes it; the test fails
/// when the file and the code disagree).
public enum ManPage {
    /// Text made safe for roff: backslashes, and a leading dot or quote.
    static func escape(_ text: String) -> String {
        var escaped = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        if escaped.hasPrefix(".") || escaped.hasPrefix("'") { escaped = "\\&" + escaped }
        // Arrows, ×, … as groff's Unicode escapes, so the page needs no preprocessor.
        return escaped.unicodeScalars.map { $0.isASCII ? String($0) : String(format: "\\[u%04X]", $0.value) }.joined()
    }

    public static func render() -> String {
        var page = """
        .\\" Generated from Sources/StorefrontCore (LaunchOptions.flags, KeyReference); do not edit.
        .TH STOREFRONT 1 "" "storefront \(LaunchOptions.version)" "User Commands"
        .SH NAME
        storefront \\- the Storefront marketplace in your terminal
        .SH SYNOPSIS
        .B \(escape(LaunchOptions.synopsis))
        .SH DESCRIPTION
        A full\\-screen terminal shop: shoppers browse the catalogue, fill a cart, check out and follow
        their orders from payment to delivery; vendors keep their products and stock and ship their part
        of each order; admins watch and refill low stock and see every order.
        Every list scrolls with the same keys, and
        .B ?
        on any screen lists that screen's keys, the keys of your role and the keys of every screen.
        The layout is complete from 80\\(mu24, compact down to 60\\(mu20, and below that the client
        says which size it needs.
        .PP
        An expired or revoked session leads to the sign\\-in screen, and signing in again goes back
        to the screen you were on, with your cart as it was.
        .SH OPTIONS

        """
        for option in LaunchOptions.flags {
            page += ".TP\n.BR \(escape(option.flag))" + (option.value.map { " \" \" \\fI\(escape($0))\\fR" } ?? "") + "\n\(escape(option.meaning))\n"
        }
        page += """
        .SH ENVIRONMENT
        .TP
        .B STOREFRONT_SERVER
        The server, when no \\-\\-server is given.
        .TP
        .B STOREFRONT_THEME
        The theme, when no \\-\\-theme is given; it wins over the theme saved in your profile.
        .TP
        .B STOREFRONT_KIOSK_IDLE
        Seconds without a key before a kiosk session resets.
        .TP
        .B STOREFRONT_SESSION_TOKEN
        With \\-\\-kiosk only, set by the marketplace's SSH service: the session starts signed in
        as the account whose SSH key connected (the header names the key); the token is kept in memory only.
        .TP
        .BR STOREFRONT_SSH_PUBLIC_KEY ", " STOREFRONT_SSH_FINGERPRINT
        With \\-\\-kiosk only: the session's SSH key. When it signs in nobody, signing in or creating an
        account offers once to remember it for that account (y adds it; K on the profile lists and removes keys).
        .TP
        .B STOREFRONT_CLIENT_ADDRESS
        With \\-\\-kiosk only: the shopper's address (an IP, optionally with a port), sent with every request
        (Forwarded and X\\-Forwarded\\-For) so the server's per-client limits count each shopper.
        .TP
        .B NO_COLOR
        Any value turns colours off; themes then use bold, underline and reverse.
        .TP
        .BR VISUAL ", " EDITOR
        The editor e opens on a product's description (VISUAL first, then EDITOR, else vi). It runs
        through /bin/sh with the file as its argument, so it may carry options (EDITOR="code \\-\\-wait");
        a status other than 0 leaves the description as it was. Never used in a kiosk.
        .TP
        .BR XDG_CONFIG_HOME ", " XDG_STATE_HOME
        Where the configuration and the remembered session live (default ~/.config and ~/.local/state).
        .SH FILES
        .TP
        .I $XDG_CONFIG_HOME/storefront/config.toml
        Settings below flags and the environment:
        .BR server " = \\(dq" URL "\\(dq, " theme " = \\(dq" name "\\(dq, " mouse " = true|false."
        .TP
        .I $XDG_CONFIG_HOME/storefront/themes/NAME.theme
        Your own themes, chosen by name like the shipped ones.
        .TP
        .I $XDG_STATE_HOME/storefront/session.json
        The remembered session (mode 0600), for one server; \\-\\-no\\-remember leaves it alone,
        .B L
        signs out and deletes it, and a kiosk never writes it.
        .SH KEYS

        """
        page += KeyReference.roff()
        page += """
        .SH EXIT STATUS
        .TP
        .B 0
        You quit.
        .TP
        .B 1
        The client could not run: no terminal, or a theme that does not load.
        .TP
        .B 2
        A usage or configuration mistake: an unknown flag, a bad value, a mistake in config.toml.
        .SH SEE ALSO
        The README's section \\(lqUsing the terminal shop\\(rq.

        """
        return page
    }
}
