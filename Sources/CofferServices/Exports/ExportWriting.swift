import CofferCore
import CofferStore
import Foundation

/// One `export` job: the statement lines (or per-period totals) of the export's accounts, read a
/// page at a time and streamed to a file, so memory stays bounded whatever the history's length;
/// progress is saved as it goes. The file is written under a temporary name and renamed when
/// complete, so a download never sees half of one.
struct ExportWriting {
    let directory: String
    let clock: Clock
    static let pageSize = 1000

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func write(_ job: Job, on store: any Store) throws {
        guard let id = job.payload["export_id"]?.stringValue, let export = try store.read({ try $0.export(id: id) }) else {
            throw Failure(description: "the job names no export")
        }
        guard export.status != .succeeded else { return }
        _ = try store.write { try $0.updateExport(id: id, status: .running, progress: 0, rows: 0, error: nil, expiresAt: nil) }
        do {
            let rows = try produce(export, store)
            let now = clock.now()
            let done = Export(
                id: export.id, userID: export.userID, accountID: export.accountID, from: export.from, to: export.to, groupBy: export.groupBy,
                format: export.format, status: .succeeded, progress: 100, rows: rows, error: nil,
                expiresAt: now.adding(seconds: Export.keptSeconds), createdAt: export.createdAt)
            try store.write { db in
                // Told once: a second run of the job that finds the export done changes nothing.
                guard try db.updateExport(id: id, status: .succeeded, progress: 100, rows: rows, error: nil, expiresAt: done.expiresAt) else { return }
                try EventRecorder(clock: clock).record(db, .exportCompleted, ExportJSON.export(done, at: now), users: [export.userID])
            }
        } catch {
            // The cause goes to the job (for operators), not to the user's answer.
            _ = try? store.write {
                try $0.updateExport(id: id, status: .failed, progress: 0, rows: 0, error: "the export could not be written", expiresAt: nil)
            }
            throw error
        }
    }

    /// Writes the file; returns its rows (lines, or periods).
    private func produce(_ export: Export, _ store: any Store) throws -> Int {
        let accounts = try store.read { db -> [Account] in
            if let accountID = export.accountID { return try db.account(id: accountID).map { [$0] } ?? [] }
            guard let holder = try db.accountHolder(userID: export.userID) else { return [] }
            return try db.accounts(holderID: holder.id, page: PageRequest(limit: 1000, offset: 0)).items
        }
        let from = export.from.startOfDay
        let until = CivilDate(daysSinceEpoch: export.to.daysSinceEpoch + 1).startOfDay
        let lineTotal = try store.read { db in
            try accounts.reduce(0) { $0 + (try db.statementTotals(accountID: $1.id, from: from, until: until)?.count ?? 0) }
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = ExportService.path(export, in: directory)
        // One temporary file per attempt: a second runner that claimed the job after a lapsed lease
        // writes its own, and the rename of a complete file is atomic.
        let partial = path + ".\(Identifier.make(at: clock.now())).partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil), let file = FileHandle(forWritingAtPath: partial) else {
            throw Failure(description: "cannot write \(partial)")
        }
        var out = ExportFile(file: file, format: export.format, grouped: export.groupBy != .none)
        var rows = 0
        var linesRead = 0
        var lastProgress = 0
        try out.begin(exportID: export.id)
        for (index, account) in accounts.enumerated() {
            try out.beginAccount(account, first: index == 0)
            var opening = try store.read { try $0.balance(accountID: account.id, asOf: Timestamp(millisecondsSinceEpoch: from.millisecondsSinceEpoch - 1)) }
            var period = PeriodTotals(start: export.from, opening: opening)
            var after: String?
            repeat {
                let page = try store.read { db in
                    try db.statementLines(
                        accountID: account.id, from: from, until: until, page: PageRequest(limit: Self.pageSize, offset: 0, after: after))
                }
                for line in page.items {
                    if export.groupBy == .none {
                        try out.line(line, account: account)
                        rows += 1
                    } else {
                        // Periods before this line's, with or without lines, are complete.
                        while export.groupBy.nextPeriod(export.groupBy.periodStart(period.start)) <= line.createdAt.date {
                            try out.period(period, account: account)
                            rows += 1
                            opening = period.closing
                            period = PeriodTotals(start: export.groupBy.nextPeriod(export.groupBy.periodStart(period.start)), opening: opening)
                        }
                        try period.add(line)
                    }
                }
                linesRead += page.items.count
                let progress = lineTotal == 0 ? 99 : min(99, linesRead * 100 / lineTotal)
                if progress >= lastProgress + 5 {
                    lastProgress = progress
                    let (done, id) = (rows, export.id)
                    _ = try store.write { try $0.updateExport(id: id, status: .running, progress: progress, rows: done, error: nil, expiresAt: nil) }
                }
                after = page.nextAfter
            } while after != nil
            if export.groupBy != .none {
                // The rest of the range: the current period and any after it, up to `to`.
                while true {
                    try out.period(period, account: account)
                    rows += 1
                    let next = export.groupBy.nextPeriod(export.groupBy.periodStart(period.start))
                    guard next <= export.to else { break }
                    period = PeriodTotals(start: next, opening: period.closing)
                }
            }
            try out.endAccount()
        }
        try out.end()
        try file.close()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        return rows
    }
}

/// One period's totals, as a statement of that period would show them.
struct PeriodTotals {
    let start: CivilDate
    let opening: Int64
    var credits: Int64 = 0
    var debits: Int64 = 0
    var count = 0

    init(start: CivilDate, opening: Int64) {
        self.start = start
        self.opening = opening
    }

    /// A period's lines each move at most 10^12, so only millions of them in one period could leave
    /// 64 bits; then the export fails with this error (as a statement of the period answers 400),
    /// and never traps (API.md "Arithmetic limits").
    struct Overflow: Error, CustomStringConvertible {
        let description = "a period's totals do not fit in 64 bits; export a shorter period"
    }

    mutating func add(_ line: LedgerTransaction) throws {
        if line.type.isCredit {
            guard let sum = credits.addingChecked(line.amount) else { throw Overflow() }
            credits = sum
        } else {
            guard let sum = debits.addingChecked(line.amount) else { throw Overflow() }
            debits = sum
        }
        count += 1
    }

    /// The difference first: both sums are non-negative, so it fits, and the closing balance is a
    /// real balance, which always fits.
    var closing: Int64 { opening + (credits - debits) }
}
