import Foundation

/// One RFC 4180 CSV cell: quoted when it must be, and defused when a spreadsheet would run it as a
/// formula (API.md "Statements").
public enum CSVField {
    public static func escaped(_ raw: String) -> String {
        var value = raw
        if TextRules.startsLikeFormula(value) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
