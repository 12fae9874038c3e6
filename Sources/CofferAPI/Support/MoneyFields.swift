import CofferCore
import CofferServices

/// Reading money-related request fields with the rules of API.md's conventions.
extension FieldReader {
    /// `amount`: a JSON integer of minor units in 1...10^12, without fraction or exponent.
    mutating func amount() -> Int64? {
        integer("amount", in: MoneyRules.amountRange)
    }

    /// An ISO 4217 code that this installation supports.
    mutating func currency(_ field: String = "currency", required: Bool, supported: [Currency]) -> Currency? {
        guard let code = string(field, required: required, maxLength: 10) else { return nil }
        guard let currency = Currency(code: code), supported.contains(currency) else {
            fail(field, "must be one of \(supported.map(\.code).joined(separator: ", "))")
            return nil
        }
        return currency
    }

    mutating func description() -> String? {
        string("description", required: false, maxLength: MoneyRules.descriptionLengthMax)
    }

    /// A `YYYY-MM-DD` date.
    mutating func date(_ field: String, required: Bool = true) -> CivilDate? {
        guard let text = string(field, required: required, maxLength: 10) else { return nil }
        guard let date = CivilDate(iso8601: text) else {
            fail(field, "must be a date as YYYY-MM-DD")
            return nil
        }
        return date
    }

    mutating func identifier(_ field: String, required: Bool = true) -> String? {
        string(field, required: required, maxLength: 100)
    }
}

extension ListQuery {
    /// An inclusive `YYYY-MM-DD` date parameter.
    func date(_ name: String) throws(AppError) -> CivilDate? {
        guard let raw = value(name) else { return nil }
        guard let date = CivilDate(iso8601: raw) else { throw AppError.invalidParameter(name, "must be a date as YYYY-MM-DD") }
        return date
    }

    /// `from` and `to`, refusing `from > to`.
    func dateRange() throws(AppError) -> (CivilDate?, CivilDate?) {
        let from = try date("from")
        let to = try date("to")
        if let from, let to, from > to { throw AppError.invalidParameter("from", "must not be after to") }
        return (from, to)
    }
}
