import MarketplaceAPI
/// Where the parts of every screen sit: the top bar, the screen's own area,
/// a status row and the help bar of keys.
public enum Layout {
    public static func bar(_ size: Size) -> Int { 0 }
    public static func content(_ size: Size) -> Rect { Rect(x: 0, y: 1, width: size.width, height: size.height - 3) }
    public static func statusRow(_ size: Size) -> Int { size.height - 2 }
    public static func helpRow(_ size: Size) -> Int { size.height - 1 }
}

/// The Elm-style view: the whole screen as a `Frame` of theme roles.
public func view(_ model: Model) -> Frame {
    view(model, size: model.size)
}

public func view(_ model: Model, size: Size) -> Frame {
    var frame = Frame(size: size)
    guard SizeClass(size) != .tooSmall else {
        drawTooSmall(&frame, model)
        return frame
    }
    let env = DrawEnv(glyphs: model.glyphs, session: model.session, sizeClass: SizeClass(size),
                      spinner: model.glyphs.spinner[Int(model.clock * 10) % model.glyphs.spinner.count])
    drawTopBar(&frame, model)
    model.screen.draw(&frame, Layout.content(size), env)
    drawStatus(&frame, model, env)
    drawHelpBar(&frame, model.allKeyHelp, row: Layout.helpRow(size))
    switch model.overlay {
    case .help?:
        frame.cursor = nil
        HelpOverlay(model, size: size).draw(&frame, first: model.helpScroll, glyphs: model.glyphs)
    case .confirmQuit?:
        frame.cursor = nil
        drawConfirmQuit(&frame, model)
    case nil: break
    }
    return frame
}

private func drawTopBar(_ frame: inout Frame, _ model: Model) {
    let width = frame.width
    frame.fill(Rect(x: 0, y: 0, width: width, height: 1), role: .bar)
    // Everything beside the full title if it fits; the title gives way only down to half the bar.
    let titleWidth = TextWidth.of(" Storefront \(model.glyphs.separator) \(model.screen.title)")
    let right = topBarRight(model, room: max(width / 2, width - titleWidth - 3))
    let rightStart = width - TextWidth.of(right) - 1
    var x = frame.write(" Storefront", x: 0, y: 0, role: .barAccent)
    x = frame.write(" \(model.glyphs.separator) ", x: x, y: 0, role: .bar)
    frame.write(TextWidth.truncate(model.screen.title, to: max(0, rightStart - x - 1), ellipsis: model.glyphs.ellipsis),
                x: x, y: 0, role: .bar)
    frame.write(right, x: rightStart, y: 0, role: .bar)
}

/// Who is signed in, the cart's count and total, and whether the server
/// answers: the longest wording that fits in `room` columns, shortened a
/// word at a time so the cart's count and total are the last to go.
func topBarRight(_ model: Model, room: Int) -> String {
    let glyphs = model.glyphs
    // A session the SSH service signed in by key knows no name: it names the key.
    let key = model.session?.signedInByKey.map { "key" + ($0.isEmpty ? "" : " " + String($0.prefix(SSHFingerprint.prefix.count + 4)) + glyphs.ellipsis) }
    let who = key.map { "signed in by " + $0 } ?? model.session.map { "\($0.user.name) (\($0.user.role.rawValue))" } ?? "guest"
    let shortWho = key ?? model.session.map { $0.user.name } ?? "guest"
    let cart = model.session == nil ? nil : model.cartSummary
    let cartText = cart.map { "cart \($0.count) \(glyphs.dot) \($0.total.display)" }
    let shortCart = cart.map { "\($0.count) \(glyphs.dot) \($0.total.display)" }
    let online: (String, String)? = switch model.serverOnline {
    case true?: ("\(glyphs.online) online", glyphs.online)
    case false?: ("\(glyphs.offline) offline", glyphs.offline)
    case nil: nil
    }
    let kiosk = model.options.kiosk ? "kiosk" : nil
    let wordings: [[String?]] = [
        [kiosk, who, cartText, online?.0],
        [kiosk, shortWho, cartText, online?.0],
        [kiosk, shortWho, cartText, online?.1],
        [kiosk, shortWho, shortCart, online?.1],
        [shortWho, shortCart, online?.1],
        [shortCart, online?.1],
    ]
    for wording in wordings {
        let text = wording.compactMap { $0 }.joined(separator: "  ")
        if TextWidth.of(text) <= room { return text }
    }
    let last = wordings.last!.compactMap { $0 }.joined(separator: "  ")
    return TextWidth.truncate(last, to: room, ellipsis: glyphs.ellipsis)
}

private func drawStatus(_ frame: inout Frame, _ model: Model, _ env: DrawEnv) {
    let row = Layout.statusRow(frame.size)
    var limit = frame.width - 1
    if model.options.kiosk && model.keyOffer == nil {
        // Always on show in a kiosk, so the next shopper knows nothing lingers
        // (but for the one-key question whether to remember an SSH key).
        let hint = "This session resets after \(model.options.kioskIdleSeconds) s idle."
        limit = frame.width - TextWidth.of(hint) - 3
        frame.write(hint, x: limit + 2, y: row, role: .muted)
    }
    if let email = model.keyOffer {
        let text = "Remember this key for \(email)? y/n"
        frame.write(TextWidth.truncate(text, to: limit - 1, ellipsis: env.glyphs.ellipsis), x: 1, y: row, role: .warning)
    } else if let busy = model.screen.busyLabel {
        let x = frame.write(env.spinner + " ", x: 1, y: row, role: .spinner)
        frame.write(TextWidth.truncate(busy, to: limit - x, ellipsis: env.glyphs.ellipsis), x: x, y: row, role: .muted)
    } else if let status = model.screen.status ?? model.notice {
        frame.write(TextWidth.truncate(status.text, to: limit - 1, ellipsis: env.glyphs.ellipsis), x: 1, y: row, role: status.role)
    }
}

/// The keys of the current screen. When they do not all fit, the screen's own
/// keys give way first (its last first), then the role's, so help, quit,
/// the screen's primary action and the keys an admin or vendor came for always show.
func drawHelpBar(_ frame: inout Frame, _ keys: [KeyHelp], row: Int) {
    frame.fill(Rect(x: 0, y: row, width: frame.width, height: 1), role: .keyHelp)
    var shown = keys.filter(\.inBar)
    func width(_ list: [KeyHelp]) -> Int { list.reduce(1) { $0 + TextWidth.of($1.keys) + 1 + TextWidth.of($1.short) + 2 } - 2 }
    while width(shown) > frame.width - 1 {
        let removable = shown.filter { $0.scope != .global && !$0.primary }
        guard let least = removable.map(\.scope).min(),
              let index = shown.lastIndex(where: { $0.scope == least && !$0.primary }) else { break }
        shown.remove(at: index)
    }
    var x = 1
    for key in shown {
        x = frame.write(key.keys, x: x, y: row, role: .key)
        x = frame.write(" " + key.short, x: x, y: row, role: .keyHelp)
        x += 2
    }
}

extension Frame {
    /// A box with a title in its top edge, cleared inside.
    mutating func drawBox(_ rect: Rect, glyphs: Glyphs, title: String? = nil, role: ThemeRole = .border) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        fill(rect, role: .text)
        let inner = String(repeating: glyphs.horizontal, count: rect.width - 2)
        write(glyphs.topLeft + inner + glyphs.topRight, x: rect.x, y: rect.y, role: role)
        write(glyphs.bottomLeft + inner + glyphs.bottomRight, x: rect.x, y: rect.maxY - 1, role: role)
        for y in rect.y + 1..<rect.maxY - 1 {
            write(glyphs.vertical, x: rect.x, y: y, role: role)
            write(glyphs.vertical, x: rect.maxX - 1, y: y, role: role)
        }
        if let title {
            write(" \(TextWidth.truncate(title, to: rect.width - 6, ellipsis: glyphs.ellipsis)) ", x: rect.x + 2, y: rect.y, role: .title)
        }
    }

    /// Text centred in a row of `rect`.
    mutating func center(_ text: String, in rect: Rect, y: Int, role: ThemeRole) {
        let w = TextWidth.of(text)
        write(text, x: rect.x + max(0, (rect.width - w) / 2), y: y, role: role, limit: rect.maxX)
    }
}

private func drawConfirmQuit(_ frame: inout Frame, _ model: Model) {
    let width = 52
    let box = Rect(x: (frame.width - width) / 2, y: frame.height / 2 - 3, width: width, height: 6)
    frame.drawBox(box, glyphs: model.glyphs, title: "Quit Storefront?", role: .warning)
    frame.write("What you typed in this form will be lost.", x: box.x + 2, y: box.y + 2, role: .text)
    var x = frame.write("y", x: box.x + 2, y: box.y + 3, role: .key)
    x = frame.write(" quit   ", x: x, y: box.y + 3, role: .text)
    x = frame.write("n", x: x, y: box.y + 3, role: .key)
    frame.write(" keep editing", x: x, y: box.y + 3, role: .text)
}

/// Below 60×20 nothing else fits: say so plainly, what size is needed, and how to get out.
private func drawTooSmall(_ frame: inout Frame, _ model: Model) {
    let all = Rect(x: 0, y: 0, width: frame.width, height: frame.height)
    let minimum = SizeClass.minimum
    var lines = [
        "Terminal too small",
        "",
        "Storefront needs at least \(minimum.width)×\(minimum.height)",
        "(\(SizeClass.full.width)×\(SizeClass.full.height) for the full layout);",
        "this one is \(frame.width)×\(frame.height).",
        "Enlarge the window to go on.",
    ]
    lines.append(model.overlay == .confirmQuit ? "Unsaved input: y quits, n stays." : "q quits.")
    let top = max(0, (frame.height - lines.count) / 2)
    for (index, line) in lines.enumerated() {
        frame.center(line, in: all, y: top + index, role: index == 0 ? .warning : .text)
    }
}
