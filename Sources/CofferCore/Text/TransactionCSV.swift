extension LedgerTransaction {
    /// The statement's CSV columns for this line (date, transaction_id, type, description, amount,
    /// currency, balance_after), the amount signed (credits positive) in major units, ended by
    /// CRLF. Statements and exports write the same columns; an export puts its account first.
    public func appendCSV(currency: Currency, to out: inout [UInt8]) {
        CSVField.appendPlain(createdAt.rfc3339, to: &out)
        out.append(UInt8(ascii: ","))
        CSVField.appendPlain(id, to: &out)
        out.append(UInt8(ascii: ","))
        CSVField.appendPlain(type.rawValue, to: &out)
        out.append(UInt8(ascii: ","))
        CSVField.append(description ?? "", to: &out)
        out.append(UInt8(ascii: ","))
        currency.appendDecimal(type.isCredit ? amount : -amount, to: &out)
        out.append(UInt8(ascii: ","))
        CSVField.appendPlain(currency.code, to: &out)
        out.append(UInt8(ascii: ","))
        currency.appendDecimal(balanceAfter, to: &out)
        out.append(contentsOf: "\r\n".utf8)
    }
}
