import ArgumentParser
import CofferCore
import CofferServices

/// `coffer jobs`: background work for operators, as `GET /v1/admin/jobs` shows it.
struct Jobs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List background jobs, or queue a dead or failed one again.",
        subcommands: [List.self, Retry.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")

        @Option(name: .long, help: "Only jobs with this status (queued, running, succeeded, failed, dead).")
        var status: String?

        @Option(name: .long, help: "Only jobs of this kind (\(JobKind.allCases.map(\.rawValue).joined(separator: ", "))).")
        var kind: String?

        @Option(name: .long, help: "At most this many.")
        var limit = 50

        @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else sqlite:///$DATA_DIR/coffer.db).")
        var databaseURL: String?

        func run() throws {
            let filter = JobFilter(
                status: try status.map { try choice($0, JobStatus.self, "--status") }, kind: try kind.map { try choice($0, JobKind.self, "--kind") })
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
            let page = try JobAdministration(store: try DatabaseLocation.open(databaseURL)).jobs(filter, page: PageRequest(limit: limit, offset: 0))
            print("\(page.total) jobs" + (page.total > page.items.count ? ", newest \(page.items.count) shown" : ""))
            for job in page.items {
                let error = job.lastError.map { "  last error: \($0)" } ?? ""
                print(
                    "\(job.id)  \(job.kind.rawValue)  \(job.status.rawValue)  attempts \(job.attempts)/\(job.maxAttempts)  run at \(job.runAt.rfc3339)\(error)")
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a dead or failed job again, with fresh attempts, due now.")

        @Argument(help: "The job's id.")
        var id: String

        @Option(name: .long, help: "Database URL (default: $DATABASE_URL, else sqlite:///$DATA_DIR/coffer.db).")
        var databaseURL: String?

        func run() throws {
            do {
                let job = try JobAdministration(store: try DatabaseLocation.open(databaseURL)).retry(id)
                print("job \(job.id) (\(job.kind.rawValue)) queued again")
            } catch let error as AppError {
                throw CommandFailure(error.detail)
            }
        }
    }
}

private func choice<T: RawRepresentable & CaseIterable>(_ raw: String, _: T.Type, _ option: String) throws -> T where T.RawValue == String {
    guard let value = T(rawValue: raw) else {
        throw ValidationError("\(option) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return value
}
