import Foundation

/// API.md's rules for human-readable text: NFC on the way in, and no character that renders as
/// nothing or reorders what follows it, so two emails, names or lines can never look identical
/// and differ. Foundation is imported for NFC alone; the standard library has no public API for it.
public enum TextRules {
    /// Canonical composition: a decomposed `é` becomes the same scalar as a precomposed one.
    public static func normalized(_ text: String) -> String {
        // ASCII is its own NFC, and nearly every field is ASCII: skip Foundation for it.
        text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
    }

    /// Zero-width and bidirectional controls named by API.md, plus every other control
    /// character (C0, DEL, C1).
    public static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF: true
        default: scalar.properties.generalCategory == .control
        }
    }

    /// Nil when the text is acceptable, else the message for `details.fields`.
    public static func problem(_ text: String) -> String? {
        // Printable ASCII (nearly every field) holds none of them; skip the per-scalar lookup.
        if text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) { return nil }
        return text.unicodeScalars.contains(where: isRefused)
            ? "must not contain control, zero-width or bidirectional formatting characters" : nil
    }

    /// Whether a spreadsheet would run this cell as a formula: its first character, after any
    /// format (Cf) or combining (Mn, Mc, Me) characters, is `=`, `+`, `-`, `@`, tab or CR.
    public static func startsLikeFormula(_ text: String) -> Bool {
        // An ASCII first character is never a format or combining character: it decides alone.
        // (Every cell of a 100,000-line statement asks; nearly all start with ASCII.)
        if let first = text.utf8.first, first < 0x80 { return formulaStarts.contains(first) }
        guard let first = text.unicodeScalars.first(where: { !skippedBeforeFormula.contains($0.properties.generalCategory) }) else {
            return false
        }
        return first.isASCII && formulaStarts.contains(UInt8(first.value))
    }

    private static let skippedBeforeFormula: Set<Unicode.GeneralCategory> = [.format, .nonspacingMark, .spacingMark, .enclosingMark]
    private static let formulaStarts = Array("=+-@\t\r".utf8)
}
