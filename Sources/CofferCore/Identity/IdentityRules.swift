/// The rules for identity input, pure so that handlers can report every broken rule at once.
/// Each check answers nil when the value is fine, else the message for `details.fields`.
public enum IdentityRules {
    public static let passwordLengthMin = 10
    public static let adminPasswordLengthMin = 15
    public static let passwordLengthMax = 128
    public static let nameLengthMax = 100
    public static let emailLengthMax = 254
    public static let holderAgeMin = 18

    /// NFC, trimmed and lower-cased, as signup and login both treat it.
    public static func normalizedEmail(_ raw: String) -> String {
        var scalars = Substring(raw).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars = scalars.dropLast() }
        return TextRules.normalized(String(String.UnicodeScalarView(scalars)).lowercased())
    }

    public static func emailProblem(_ email: String) -> String? {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= emailLengthMax, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.unicodeScalars.contains(where: { $0.value <= 0x20 || TextRules.isRefused($0) })
        else {
            return "must be a valid email address"
        }
        return nil
    }

    public static func passwordProblem(_ password: String, minimum: Int = passwordLengthMin) -> String? {
        let length = password.count
        guard length >= minimum, length <= passwordLengthMax else {
            return "must be \(minimum) to \(passwordLengthMax) characters"
        }
        return nil
    }

    public static func nameProblem(_ name: String) -> String? {
        // Counted in code points, as SQLite's length() counts them for the CHECK on the column.
        guard !name.trimmingCharacters(in: [" ", "\t"]).isEmpty, name.unicodeScalars.count <= nameLengthMax else {
            return "must be 1 to \(nameLengthMax) characters"
        }
        return TextRules.problem(name)
    }

    /// A holder must be an adult today (UTC) and born after 1900.
    public static func dateOfBirthProblem(_ text: String, today: CivilDate) -> String? {
        guard let dob = CivilDate(iso8601: text), dob.year >= 1900 else { return "must be a real date as YYYY-MM-DD" }
        guard dob <= today else { return "must not be in the future" }
        let adultOn = CivilDate(year: dob.year + holderAgeMin, month: dob.month, day: dob.month == 2 && dob.day == 29 ? 28 : dob.day)
        guard let adultOn, adultOn <= today else { return "must be at least \(holderAgeMin) years ago" }
        return nil
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
