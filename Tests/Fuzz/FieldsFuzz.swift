import CofferCore

/// A request body as the handlers read it: every accessor on every member name the API uses,
/// then `finish()`. Errors are answers; only a trap is a finding.
enum FieldsFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes), var fields = try? FieldReader(value) else { return }
        _ = fields.email()
        _ = fields.string("first_name", required: false, maxLength: 100)
        _ = fields.string("password", required: false, maxLength: 1000, verbatim: true)
        _ = fields.string("description", required: false, maxLength: MoneyRules.descriptionLengthMax)
        _ = fields.integer("amount", in: MoneyRules.amountRange, required: false)
        _ = fields.choice("type", of: ["deposit", "withdrawal"], required: false)
        _ = try? fields.finish()
        _ = value.canonical.serialized()
    }
}
