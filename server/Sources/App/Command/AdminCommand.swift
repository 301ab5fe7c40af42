import ArgumentParser
import AuthService
import Composition
import Foundation
import Logging
import PostgresNIO
import ServiceKit

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage admin accounts.", subcommands: [CreateAdmin.self])
}

struct CreateAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an admin account.",
        discussion: "The password is read from STOREFRONT_ADMIN_PASSWORD or, when unset, from the first line of standard input. It is never taken from the command line, where other users could read it.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Email of the new admin.")
    var email: String

    @Option(help: "Full name of the new admin.")
    var name: String

    func run() async throws {
        let logger = try common.logger("marketplace.admin")
        let configuration = try common.resolve()
        guard let password = Self.readPassword() else {
            throw ValidationError("no password: set STOREFRONT_ADMIN_PASSWORD or pipe it on standard input")
        }
        let new: NewAccount
        do {
            new = try AuthRules.validate(.init(name: name, email: email, password: password, role: "admin"))
        } catch AuthError.invalid(let errors) {
            throw ValidationError(errors.map(\.message).joined(separator: "; "))
        }
        let location = try PostgresLocation(url: configuration.postgresURL)
        let client = location.client(database: configuration.databaseName(.auth), logger: logger, shortLived: true)
        let tokens = try await TokenService(userSecret: configuration.tokenSecret, serviceSecret: configuration.serviceSecret)
        let account = try await PostgresClient.withRunning(client) { client in
            let service = AuthService(
                accounts: PostgresAccountRepository(client: client, logger: logger),
                hasher: PasswordHasher(cost: configuration.bcryptCost), tokens: tokens)
            do {
                return try await service.create(new)
            } catch let error as AuthError {
                throw ValidationError(error.appError.message)
            }
        }
        print("admin created: \(account.email) (\(account.summary.id))")
    }

    static func readPassword() -> String? {
        if let fromEnv = ProcessInfo.processInfo.environment["STOREFRONT_ADMIN_PASSWORD"], !fromEnv.isEmpty {
            return fromEnv
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { return nil }
        return line
    }
}

