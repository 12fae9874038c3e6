import ArgumentParser
import CofferCore
import CofferCrypto
import CofferServices
import Foundation

struct CreateAdmin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-admin",
        abstract: "Create an admin, or promote an existing user to admin and set their password.",
        discussion: """
            The password is read from standard input (one line), never from the command line, so it
            stays out of shell history and process listings. Admin passwords need at least 15 characters.
            Promoting an existing user also ends their sessions.
            """
    )

    @Option(name: .long, help: "The admin's email address.")
    var email: String

    @Flag(name: .long, help: "Read the password from standard input (the default; kept for scripts that say so).")
    var passwordStdin = false

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else sqlite:///$DATA_DIR/coffer.db).")
    var databaseURL: String?

    func run() throws {
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            throw ValidationError("no password on standard input; pipe one in, e.g. printf '%s\\n' \"$PW\" | coffer create-admin --email \(email)")
        }
        let cost = try Configuration.passwordHashing(from: ProcessInfo.processInfo.environment)
        let parameters = PasswordHasher.Parameters(
            memoryKiB: UInt32(cost.memoryKiB), iterations: UInt32(cost.iterations), parallelism: UInt32(cost.parallelism))
        let store = try DatabaseLocation.open(databaseURL)
        do {
            let (user, created) = try UserAdministration(store: store).createAdmin(
                email: email, password: password, hashing: parameters)
            print(created ? "created admin \(user.email) (\(user.id))" : "promoted \(user.email) (\(user.id)) to admin")
        } catch let error as AppError {
            throw CommandFailure(error.detail)
        }
    }
}
