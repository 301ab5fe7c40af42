import MarketplaceAPI

/// The account's SSH keys (reached from the profile with K): type, comment,
/// fingerprint, when added and last used; d removes the selected one, asking first.
public struct SSHKeysScreen: ScreenState {
    enum Action: Sendable { case move(List.Move), delete, reload }

    public var keys: [SSHKey]?
    public var list = List()
    /// d asks once; y removes.
    public var confirmingDelete = false
    var loadRequest: Pending<[SSHKey]>?
    var deleteRequest: Pending<String>?
    var failure: APIError?

    public init() {}

    public var title: String { "SSH keys" }
    public var busyLabel: String? {
        if loadRequest != nil { return "Loading your SSH keys…" }
        return deleteRequest == nil ? nil : "Removing the key…"
    }
    public var status: StatusText? {
        if confirmingDelete, let key = selected {
            return StatusText("Remove the key \(key.comment ?? key.fingerprint)? y removes it, any other key keeps it.", role: .warning)
        }
        return failure?.statusText(retryKey: "r")
    }

    var selected: SSHKey? { list.selection.flatMap { index in keys.flatMap { $0.indices.contains(index) ? $0[index] : nil } } }

    var keymap: Keymap<Action> {
        Keymap(List.bindings("key", Action.move) + [
            KeyBinding([.char("d"), .delete], KeyHelp("d", "remove", long: "remove the selected key from your account (asks first)"), .delete),
            KeyBinding([.char("r")], KeyHelp("r", "reload", long: "load the keys again"), .reload),
        ])
    }

    public var keyHelp: [KeyHelp] { keymap.help }

    /// Each key takes three rows: type and comment, fingerprint, when added and last used.
    static func rows(_ area: Rect) -> Int { max(1, (area.height - 4) / 3) }

    public mutating func appear(_ ctx: inout Context) { load(&ctx) }

    mutating func load(_ ctx: inout Context) {
        failure = nil
        deleteRequest = nil
        loadRequest = ctx.send(.data(Endpoints.sshKeys))
    }

    public mutating func wheel(_ rows: Int, _ ctx: inout Context) { wheelAsArrows(rows, &ctx) }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if confirmingDelete {
            confirmingDelete = false
            if key == .char("y"), let chosen = selected {
                failure = nil
                loadRequest = nil
                deleteRequest = ctx.send(Request.call(Endpoints.deleteSSHKey, chosen.fingerprint).map { _ in chosen.fingerprint })
            }
            return true
        }
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .move(let move): list.move(move, rows: Self.rows(ctx.area))
        case .delete: if selected != nil { confirmingDelete = true }
        case .reload: load(&ctx)
        }
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if let result = loadRequest.take(id, reply) {
            switch result {
            case .success(let fresh):
                keys = fresh
                list.reset(count: fresh.count)
            case .failure(let error): failure = error
            }
        } else if let result = deleteRequest.take(id, reply) {
            switch result {
            case .success:
                ctx.notify("Key removed.")
                load(&ctx)
            case .failure(let error): failure = error
            }
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let left = area.x + 2
        frame.write(env.session.map { $0.user.email.isEmpty ? "Your SSH keys" : "SSH keys of \($0.user.email)" } ?? "SSH keys",
                    x: left, y: area.y + 1, role: .title, limit: area.maxX)
        guard let keys else { return }
        if keys.isEmpty {
            frame.write("None yet. Connect over SSH with a key and sign in: the shop offers to remember it.",
                        x: left, y: area.y + 3, role: .muted, limit: area.maxX)
            return
        }
        let rows = Rect(x: area.x + 1, y: area.y + 3, width: area.width - 2, height: Self.rows(area))
                for (line, index) in list.visible(rows: rows.height).enumerated() {
            let key = keys[index]
            let y = rows.y + line * 3
            let chosen = index == list.selected
            if chosen { frame.fill(Rect(x: rows.x, y: y, width: rows.width, height: 1), role: .selection) }
            let x = frame.write(chosen ? env.glyphs.selection + " " : "  ", x: rows.x, y: y, role: chosen ? .selection : .text)
            let head = [key.type, key.comment].compactMap { $0 }.joined(separator: "  ")
            frame.write(TextWidth.truncate(head, to: area.maxX - x - 1, ellipsis: env.glyphs.ellipsis), x: x, y: y, role: chosen ? .selection : .text, limit: area.maxX)
            frame.write(TextWidth.truncate(key.fingerprint, to: area.maxX - x - 1, ellipsis: env.glyphs.ellipsis), x: x, y: y + 1, role: .muted, limit: area.maxX)
            let used = key.lastUsedAt.map { "last used \(formatDate($0))" } ?? "never used"
            frame.write(TextWidth.truncate("added \(formatDate(key.addedAt)) \(env.glyphs.dot) \(used)", to: area.maxX - x - 1, ellipsis: env.glyphs.ellipsis),
                        x: x, y: y + 2, role: .muted, limit: area.maxX)
        }
        list.drawPosition(&frame, right: area.maxX - 2, y: area.y + 1)
    }
}
