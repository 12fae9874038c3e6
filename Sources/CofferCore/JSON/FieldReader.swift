/// Reads the members of a request object one by one, collecting every problem instead of
/// stopping at the first, so a `validation_failed` answer lists all bad fields at once. Members
/// that no accessor asked for are reported as unknown by `finish()`.
public struct FieldReader {
    private let members: [(String, JSONValue)]
    /// Which members an accessor asked for, by position: a handful of flags costs less to keep
    /// than a set of names, hashed on every read (callgrind).
    private var consumed: [Bool]
    public private(set) var errors: [FieldError] = []

    public init(_ value: JSONValue) throws(AppError) {
        guard case let .object(members) = value else {
            throw AppError(.invalidJSON, "The request body must be a JSON object.")
        }
        self.members = members
        self.consumed = Array(repeating: false, count: members.count)
    }

    /// Records a rule the value broke, for fields that passed their type check.
    public mutating func fail(_ field: String, _ message: String?) {
        guard let message else { return }
        errors.append(FieldError(field, message))
    }

    /// The member's value, or nil when absent or null; marks it as known.
    private mutating func take(_ field: String) -> JSONValue? {
        var value: JSONValue?
        for index in members.indices where members[index].0 == field {
            consumed[index] = true
            if value == nil { value = members[index].1 }
        }
        guard let value, value != .null else { return nil }
        return value
    }

    /// A string member, NFC-normalised and free of refused characters (`TextRules`). Secrets
    /// (`verbatim: true`) are taken exactly as sent: normalising a password would change its hash.
    public mutating func string(_ field: String, required: Bool = true, maxLength: Int = 1000, verbatim: Bool = false) -> String? {
        guard let value = take(field) else {
            if required { fail(field, "is required") }
            return nil
        }
        guard case let .string(sent) = value else {
            fail(field, "must be a string")
            return nil
        }
        let text = verbatim ? sent : TextRules.normalized(sent)
        if !verbatim, let problem = TextRules.problem(text) {
            fail(field, problem)
            return nil
        }
        guard text.count <= maxLength else {
            fail(field, "must be at most \(maxLength) characters")
            return nil
        }
        return text
    }

    /// An email address as signup and login read it: trimmed of any whitespace (CR and LF
    /// included), NFC-normalised and lower-cased, then checked for refused characters.
    public mutating func email(_ field: String = "email") -> String? {
        guard let sent = string(field, maxLength: 1000, verbatim: true) else { return nil }
        let email = IdentityRules.normalizedEmail(sent)
        if let problem = TextRules.problem(email) {
            fail(field, problem)
            return nil
        }
        return email
    }

    /// A member restricted to a fixed set of strings (`type`, `status`, …).
    public mutating func choice(_ field: String, of allowed: [String], required: Bool = true) -> String? {
        guard let text = string(field, required: required) else { return nil }
        guard allowed.contains(text) else {
            fail(field, "must be one of \(allowed.joined(separator: ", "))")
            return nil
        }
        return text
    }

    /// An integer written as a plain literal (no fraction, no exponent) within `range`.
    public mutating func integer(_ field: String, in range: ClosedRange<Int64>, required: Bool = true) -> Int64? {
        guard let value = take(field) else {
            if required { fail(field, "is required") }
            return nil
        }
        guard case let .number(literal) = value else {
            fail(field, "must be an integer")
            return nil
        }
        guard !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            fail(field, "must be an integer without fraction or exponent")
            return nil
        }
        guard let number = Int64(literal), range.contains(number) else {
            fail(field, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return number
    }

    /// An array member, for a caller that reads its elements itself.
    public mutating func array(_ field: String, required: Bool = true) -> [JSONValue]? {
        guard let value = take(field) else {
            if required { fail(field, "is required") }
            return nil
        }
        guard case let .array(elements) = value else {
            fail(field, "must be an array")
            return nil
        }
        return elements
    }

    /// `metadata` (API.md "Metadata"): an object of at most 20 string values under keys of
    /// `[a-z0-9_.-]{1,40}`, each value at most 500 characters of acceptable text. A bad entry
    /// names its own field, `metadata.<key>`.
    public mutating func metadata(_ field: String = "metadata") -> Metadata? {
        guard let value = take(field) else { return nil }
        guard case let .object(members) = value else {
            fail(field, "must be an object of string values")
            return nil
        }
        guard members.count <= Metadata.keysMax else {
            fail(field, "must have at most \(Metadata.keysMax) keys")
            return nil
        }
        var values: [String: String] = [:]
        let before = errors.count
        for (key, member) in members {
            guard Metadata.isValidKey(key) else {
                fail(field, "keys must match [a-z0-9_.-]{1,\(Metadata.keyLengthMax)}; \"\(String(key.prefix(60)))\" does not")
                continue
            }
            guard values[key] == nil else {
                fail("\(field).\(key)", "is given more than once")
                continue
            }
            guard case let .string(sent) = member else {
                fail("\(field).\(key)", "must be a string")
                continue
            }
            let text = TextRules.normalized(sent)
            if let problem = TextRules.problem(text) {
                fail("\(field).\(key)", problem)
            } else if text.count > Metadata.valueLengthMax {
                fail("\(field).\(key)", "must be at most \(Metadata.valueLengthMax) characters")
            } else {
                values[key] = text
            }
        }
        return errors.count == before ? Metadata(checked: values) : nil
    }

    /// Every collected problem and every unknown member.
    public var problems: [FieldError] {
        errors + members.indices.filter { !consumed[$0] }.map { FieldError(members[$0].0, "is not a known field") }
    }

    /// Takes a nested object's problems as this one's, under `prefix` (`transfers[2]`).
    public mutating func fail(nested: FieldReader, prefix: String) {
        errors += nested.problems.map { FieldError("\(prefix).\($0.field)", $0.message) }
    }

    /// Throws `validation_failed` listing every collected problem and every unknown member.
    public func finish() throws(AppError) {
        let all = problems
        if !all.isEmpty { throw AppError.validation(all) }
    }
}
