import ArgumentParser
import CofferCore
import Foundation

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk a running Coffer through signup, login, accounts, a deposit, a transfer and a statement.",
        discussion: """
            Without --steps it asks for the details interactively (answers may come from a pipe). With
            --steps it runs a JSON steps file and exits 0 only when every step met its expectation; see
            the README and examples/demo-steps.json for the format. Tokens are never printed.
            """
    )

    @Option(name: .long, help: "The service's address.")
    var baseURL = "http://127.0.0.1:8080"

    @Option(name: .long, help: "A JSON file with the steps to run, instead of the interactive walk.")
    var steps: String?

    func run() async throws {
        guard let steps else {
            try await InteractiveDemo(defaultBaseURL: baseURL).run()
            return
        }
        guard let data = FileManager.default.contents(atPath: steps) else { throw CommandFailure("cannot read \(steps)") }
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse([UInt8](data))
        } catch {
            throw CommandFailure("\(steps) is not valid JSON: \(error.reason) at byte \(error.offset)")
        }
        guard let list = parsed.arrayValue, !list.isEmpty else { throw CommandFailure("\(steps) must hold a non-empty JSON array of steps") }
        var runner = StepRunner(http: try DemoHTTP(baseURL: baseURL))
        try await runner.run(list)
    }
}
