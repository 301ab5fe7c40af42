import Foundation
import StorefrontCore
import StorefrontHTTP
import StorefrontTerminal

_ = processStart
let environment = ProcessInfo.processInfo.environment

/// Exit statuses: 0 after quitting, 1 when the client cannot run, 2 for a usage or configuration mistake.
enum ExitStatus {
    static let couldNotRun: Int32 = 1
    static let usage: Int32 = 2
}

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("storefront: \(message)\n".utf8))
    exit(code)
}

let config: ConfigFile
if let folder = ConfigFile.folder(environment: environment),
   let data = FileManager.default.contents(atPath: folder + "/config.toml") {
    do { config = try ConfigFile.parse(String(decoding: data, as: UTF8.self), path: folder + "/config.toml") }
    catch { fail(error.description, code: ExitStatus.usage) }
} else {
    config = ConfigFile()
}

let action: LaunchAction
do {
    action = try LaunchOptions.parse(Array(CommandLine.arguments.dropFirst()), environment: environment, config: config)
} catch {
    fail(error.description, code: ExitStatus.usage)
}

switch action {
case .help:
    print(LaunchOptions.usage)
case .version:
    print("storefront \(LaunchOptions.version)")
case .run(let options):
    let library = ThemeLibrary.standard(executablePath: CommandLine.arguments[0], environment: environment)
    let theme: Theme
    do { theme = try library.load(options.themeName) } catch {
        // A name that matches no theme is a usage mistake; a theme file that does not load cannot run.
        fail("theme error: \(error.description)", code: library.path(for: options.themeName) == nil ? ExitStatus.usage : ExitStatus.couldNotRun)
    }
    let terminal: Terminal
    do { terminal = try Terminal(theme: theme, environment: environment, mouse: options.mouse) } catch { fail("\(error)", code: ExitStatus.couldNotRun) }
    let inbox = Inbox(posted: terminal.wake)
    // Over SSH (a kiosk), each request names this session's client for the server's limits.
    // A session of the marketplace's SSH service names its shopper itself
    // (STOREFRONT_CLIENT_ADDRESS): in X-Forwarded-For, and in Forwarded, which the
    // gateway passes on and the services read first.
    let forwarded = options.ssh.clientAddress.map { MarketplaceClient.forwarded(clientAddress: $0) } ?? MarketplaceClient.forwarded(environment: environment)
    let client = MarketplaceClient(baseURL: options.serverURL, transport: CurlTransport(caFile: options.caFile), forwarded: forwarded,
                                   forwardedFor: options.ssh.clientAddress, onRetryWait: { inbox.post(.retryWait($0)) })
    let runtime = Runtime(options: options, terminal: terminal,
                          glyphs: terminal.isUTF8 ? theme.glyphs : .ascii,
                          client: client, themes: library, inbox: inbox,
                          // A kiosk writes nothing of its shoppers (its home is read-only, and
                          // nothing of one shopper may outlive the session). The trace holds
                          // timings and request counts only, and only where an operator
                          // measuring the kiosk asks for it (sshd's SetEnv); a shopper cannot.
                          trace: Trace(path: environment["STOREFRONT_TRACE"]),
                          sessions: options.remember ? SessionStore(environment: environment, server: options.serverURL) : nil)
    runtime.run()
    terminal.close()
}
