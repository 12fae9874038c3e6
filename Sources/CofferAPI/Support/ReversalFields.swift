import CofferCore
import CofferHTTP

/// The body of both reversal routes: `{reason}`, 1 to 500 characters, kept in the audit trail.
enum ReversalFields {
    static func reason(_ request: Request) throws(AppError) -> String {
        var fields = try RequestBody.fields(of: request)
        let reason = fields.string("reason", maxLength: MoneyRules.descriptionLengthMax)
        if reason?.isEmpty == true { fields.fail("reason", "must not be empty") }
        try fields.finish()
        return reason!
    }
}
