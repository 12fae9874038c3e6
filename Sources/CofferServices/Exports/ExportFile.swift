import CofferCore
import Foundation

/// The bytes of an export file, buffered and flushed in 64 KiB writes. CSV: one header, then a
/// row per line or period with its account; JSON: `{"export_id", "accounts": [{"account_id",
/// "currency", "lines" | "periods": [...]}]}`.
struct ExportFile {
    let file: FileHandle
    let format: Export.Format
    let grouped: Bool
    private var buffer: [UInt8] = []
    private var firstRow = true

    init(file: FileHandle, format: Export.Format, grouped: Bool) {
        self.file = file
        self.format = format
        self.grouped = grouped
        buffer.reserveCapacity(70_000)
    }

    static let lineHeader = "account_id,date,transaction_id,type,description,amount,currency,balance_after"
    static let periodHeader = "account_id,period_start,opening_balance,credits,debits,closing_balance,transaction_count,currency"

    mutating func begin(exportID: String) throws {
        switch format {
        case .csv: append((grouped ? Self.periodHeader : Self.lineHeader) + "\r\n")
        case .json: append("{\"export_id\":" + String(decoding: JSONValue.string(exportID).serialized(), as: UTF8.self) + ",\"accounts\":[")
        }
    }

    mutating func beginAccount(_ account: Account, first: Bool) throws {
        guard format == .json else { return }
        let head: JSONValue = ["account_id": .string(account.id), "currency": .string(account.currency.code)]
        var text = String(decoding: head.serialized(), as: UTF8.self)
        text.removeLast()
        append((first ? "" : ",") + text + ",\"" + (grouped ? "periods" : "lines") + "\":[")
        firstRow = true
    }

    mutating func line(_ line: LedgerTransaction, account: Account) throws {
        switch format {
        case .csv:
            CSVField.appendPlain(account.id, to: &buffer)
            buffer.append(UInt8(ascii: ","))
            line.appendCSV(currency: account.currency, to: &buffer)
        case .json:
            row(ResourceJSON.transaction(line))
        }
        try flushIfFull()
    }

    mutating func period(_ totals: PeriodTotals, account: Account) throws {
        switch format {
        case .csv:
            let currency = account.currency
            append(
                [
                    account.id, totals.start.iso8601, currency.decimal(totals.opening), currency.decimal(totals.credits),
                    currency.decimal(totals.debits), currency.decimal(totals.closing), String(totals.count), currency.code,
                ].joined(separator: ",") + "\r\n")
        case .json:
            row([
                "period_start": .string(totals.start.iso8601), "opening_balance": .int(totals.opening), "credits": .int(totals.credits),
                "debits": .int(totals.debits), "closing_balance": .int(totals.closing), "transaction_count": .int(totals.count),
            ])
        }
        try flushIfFull()
    }

    mutating func endAccount() throws {
        if format == .json { append("]}") }
    }

    mutating func end() throws {
        if format == .json { append("]}") }
        try flush()
    }

    private mutating func row(_ value: JSONValue) {
        if !firstRow { buffer.append(UInt8(ascii: ",")) }
        firstRow = false
        buffer += value.serialized()
    }

    private mutating func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    private mutating func flushIfFull() throws {
        if buffer.count >= 65_536 { try flush() }
    }

    private mutating func flush() throws {
        try file.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
