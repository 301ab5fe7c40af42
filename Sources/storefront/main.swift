import Foundation
import StorefrontCore
import StorefrontHTTP
import StorefrontTerminal

_ = processStart
let environment = ProcessInfo.processInfo.environment

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("storefront: \(message)\n".utf8))
    exit(code)
}

let action: LaunchAction
do {
    action = try LaunchOptions.parse(Array(CommandLine.arguments.dropFirst()), environment: environment)
} catch {
    fail(error.description)
}

switch action {
case .help:
    print(LaunchOptions.usage)
case .version:
    print("storefront \(LaunchOptions.version)")
case .run(let options):
    let library = ThemeLibrary.standard(executablePath: CommandLine.arguments[0], environment: environment)
    let theme: Theme
    do { theme = try library.load(options.themeName) } catch { fail("theme error: \(error.description)") }
    let terminal: Terminal
    do { terminal = try Terminal(theme: theme, environment: environment) } catch { fail("\(error)") }
    let runtime = Runtime(options: options, terminal: terminal,
                          glyphs: terminal.isUTF8 ? theme.glyphs : .ascii,
                          client: MarketplaceClient(baseURL: options.serverURL), themes: library,
                          // A kiosk writes no file at all (its home is read-only, and
                          // nothing of one shopper may outlive the session).
                          trace: options.kiosk ? nil : Trace(path: environment["STOREFRONT_TRACE"]))
    runtime.run()
    terminal.close()
}
