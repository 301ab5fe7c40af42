import Foundation
import StorefrontCore

/// Reads, writes and deletes the remembered session file. The folder is made
/// 0700 and the file 0600 before the token is written, so no other account on
/// the machine ever sees it.
struct SessionStore {
    let path: String
    let server: String

    init?(environment: [String: String], server: String) {
        guard let path = RememberedSession.path(environment: environment) else { return nil }
        self.path = path
        self.server = server
    }

    /// The session kept for this server, if any; a file for another server, or one that cannot be read, is left alone.
    func load() -> Session? {
        guard let data = FileManager.default.contents(atPath: path),
              let remembered = try? JSONDecoder().decode(RememberedSession.self, from: data),
              remembered.server == server else { return nil }
        return remembered.session
    }

    func save(_ session: Session) {
        let folder = (path as NSString).deletingLastPathComponent
        guard (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                         attributes: [.posixPermissions: 0o700])) != nil,
              let data = try? JSONEncoder().encode(RememberedSession(server: server, session: session)) else { return }
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written == data.count { rename(temporary, path) } else { unlink(temporary) }
    }

    /// Deletes the file unless it holds another server's session.
    func forget() {
        if let data = FileManager.default.contents(atPath: path),
           let remembered = try? JSONDecoder().decode(RememberedSession.self, from: data), remembered.server != server { return }
        unlink(path)
    }
}
