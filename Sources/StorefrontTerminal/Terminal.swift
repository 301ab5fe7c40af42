import CNcurses
import Foundation
import StorefrontCore

public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
}

/// The only code that knows ncurses exists: it turns key codes into `Msg`s
/// and paints `Frame`s with the active theme, touching only changed cells.
public final class Terminal {
    public let depth: ColorDepth
    /// False when the locale is not UTF-8: the caller should use ASCII glyphs.
    public let isUTF8: Bool
    private var theme: Theme
    private var attributes: [ThemeRole: (attr_t, Int32)] = [:]
    private var previous: Frame?
    private var closed = false

    /// `mouse`: report clicks and the wheel (off: the terminal keeps its own selection and scrollback).
    public init(theme: Theme, environment: [String: String], mouse: Bool = true) throws(TerminalError) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(description: "storefront needs a terminal (stdin and stdout must be a TTY)")
        }
        setlocale(LC_ALL, "")
        isUTF8 = String(cString: sf_codeset()).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        // A short Esc delay keeps Esc responsive while arrow keys still decode.
        set_escdelay(25)
        guard initscr() != nil else { throw TerminalError(description: "cannot start the terminal (initscr failed; is TERM set?)") }
        raw()          // Ctrl-C, Ctrl-Z and Ctrl-\ arrive as keys: the model decides (kiosks ignore them)
        noecho()
        nonl()
        _ = sf_keypad(1)
        curs_set(0)
        if mouse {
            mousemask(mmask_t(sf_mouse_clicks() | sf_mouse_wheel()), nil)
            mouseinterval(200)
        }
        var hasColors = has_colors()
        if hasColors && start_color() == OK { use_default_colors() } else { hasColors = false }
        depth = ColorDepth(colors: Int(sf_colors()), hasColors: hasColors, environment: environment)
        self.theme = theme
        setUpStyles()
    }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        endwin()
    }

    public var size: Size { Size(width: Int(sf_cols()), height: Int(sf_rows())) }

    /// Ctrl-L: forget what the screen is believed to show and paint it all again.
    public func redraw() {
        previous = nil
        sf_clear_on_refresh()
    }

    /// Ctrl-Z: restores the shell's terminal, stops the process until `fg`,
    /// then takes the terminal back. Returns the size on return (the window
    /// may have changed meanwhile).
    public func suspend() -> Size {
        endwin()
        // ncurses catches SIGTSTP itself; for this one the default action is the stop we want.
        let ncursesHandler = signal(SIGTSTP, SIG_DFL)
        kill(getpid(), SIGTSTP)
        // Here again after SIGCONT: a SIGTSTP from elsewhere goes to ncurses again.
        signal(SIGTSTP, ncursesHandler)
        refresh()
        redraw()
        return size
    }

    /// Gives the terminal to another program while `body` runs (an editor), without
    /// stopping this process, then takes it back and paints everything again.
    /// Returns what `body` returned and the size on return.
    public func handOver<Result>(_ body: () -> Result) -> (Result, Size) {
        endwin()
        let result = body()
        refresh()
        redraw()
        return (result, size)
    }

    private func setUpStyles() {
        let pairLimit = Int(sf_color_pairs())
        for (index, role) in ThemeRole.allCases.enumerated() {
            let resolved = theme.resolve(role, depth: depth)
            var attr = sf_a_normal()
            for attribute in resolved.attributes {
                switch attribute {
                case .bold: attr |= sf_a_bold()
                case .dim: attr |= sf_a_dim()
                case .underline: attr |= sf_a_underline()
                case .reverse: attr |= sf_a_reverse()
                }
            }
            var pair: Int32 = 0
            if let colors = resolved.colors, index + 1 < pairLimit {
                pair = Int32(index + 1)
                _ = sf_init_pair(pair, Int32(colors.foreground ?? -1), Int32(colors.background ?? -1))
            }
            attributes[role] = (attr, pair)
        }
    }

    /// Switches theme and repaints every cell with it.
    public func apply(_ theme: Theme) {
        self.theme = theme
        setUpStyles()
        previous = nil
    }

    /// Waits up to `timeout` milliseconds for input; nil when none came.
    /// Read end and write end of the pipe `wake()` writes to.
    private let wakePipe: (read: Int32, write: Int32) = {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return (-1, -1) }
        for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        return (ends[0], ends[1])
    }()

    /// Ends a `nextMsg` wait at once (an answer arrived on another thread). Thread-safe.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
    }

    /// The next key, click or resize; nil after `timeout` ms, or sooner when `wake()` is
    /// called, so an answer is drawn as soon as it arrives rather than at the next tick.
    public func nextMsg(timeout: Int32) -> Msg? {
        // Keys ncurses already holds (several arrived at once) come first.
        if let msg = readKey(timeout: 0) { return msg }
        guard wakePipe.read >= 0 else { return readKey(timeout: timeout) }
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0), pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 2, timeout)
        if fds[1].revents != 0 {
            var drained = [UInt8](repeating: 0, count: 64)
            while read(wakePipe.read, &drained, drained.count) > 0 {}
        }
        // A key (or a resize, which interrupts the wait) is read now; the rest of an
        // escape sequence may follow by a few milliseconds.
        return readKey(timeout: fds[0].revents != 0 ? 10 : 0)
    }

    private func readKey(timeout: Int32) -> Msg? {
        sf_timeout(timeout)
        var code: UInt32 = 0
        let kind = sf_get_key(&code)
        if kind == ERR { return nil }
        if kind == KEY_CODE_YES { return functionKey(Int32(code)) }
        switch code {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 28: return .key(.ctrl("\\"))
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(UInt8(code) + 96))))
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .key(.char(Character(scalar)))
        }
    }

    private func functionKey(_ code: Int32) -> Msg? {
        switch code {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_BTAB: return .key(.backTab)
        case KEY_ENTER: return .key(.enter)
        case KEY_RESIZE:
            previous = nil  // the old screen is gone: repaint every cell
            return .resize(size)
        case KEY_MOUSE:
            var y: Int32 = 0, x: Int32 = 0
            var buttons: UInt = 0
            switch sf_get_mouse(&y, &x, &buttons) {
            case 1: return .click(x: Int(x), y: Int(y), double: buttons & sf_mouse_double() != 0)
            // Three rows a notch, as terminals scroll their own text.
            case 2: return .scroll(-3)
            case 3: return .scroll(3)
            default: return nil
            }
        default:
            for n in 1...12 where code == sf_key_f(Int32(n)) { return .key(.function(n)) }
            return nil
        }
    }

    /// Paints the cells that differ from the last frame, in runs of one role.
    public func paint(_ frame: Frame) {
        let full = previous == nil || previous!.size != frame.size
        if full { erase() }
        for y in 0..<frame.height {
            var x = 0
            while x < frame.width {
                let cell = frame[x, y]
                if cell.isContinuation || (!full && previous![x, y] == cell) { x += 1; continue }
                // Collect a run of changed cells with the same role.
                var run = ""
                let start = x
                while x < frame.width {
                    let next = frame[x, y]
                    if next.role != cell.role { break }
                    if !full && previous![x, y] == next && !next.isContinuation { break }
                    if isUTF8 {
                        if !next.isContinuation { run.append(next.character) }
                    } else {
                        // Outside a UTF-8 locale (a kiosk under sshd gets no LANG) ncurses
                        // cannot place multibyte text: one "?" per cell keeps the layout.
                        run.append(next.isContinuation || !next.character.isASCII ? "?" : next.character)
                    }
                    x += 1
                }
                let (attr, pair) = attributes[cell.role] ?? (sf_a_normal(), 0)
                _ = sf_put(Int32(y), Int32(start), run, attr, pair)
            }
        }
        if let cursor = frame.cursor {
            curs_set(1)
            move(Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
        }
        refresh()
        previous = frame
    }
}
