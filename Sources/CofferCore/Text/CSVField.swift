/// RFC 4180 CSV cells: quoted when they must be, and defused when a spreadsheet would run them as
/// a formula (API.md "Statements").
public enum CSVField {
    public static func escaped(_ raw: String) -> String {
        var out: [UInt8] = []
        append(raw, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the cell as `escaped` renders it. Bytes, not characters, decide the quoting: a
    /// comma or quote followed by a combining mark is one `Character` that equals neither, and a
    /// spreadsheet splits on the byte all the same.
    public static func append(_ raw: String, to out: inout [UInt8]) {
        let quoted = raw.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if quoted { out.append(UInt8(ascii: "\"")) }
        if TextRules.startsLikeFormula(raw) { out.append(UInt8(ascii: "'")) }
        for byte in raw.utf8 {
            out.append(byte)
            if byte == UInt8(ascii: "\"") { out.append(byte) }
        }
        if quoted { out.append(UInt8(ascii: "\"")) }
    }

    /// Appends cells that never need quoting or defusing (identifiers, codes, times, amounts).
    public static func appendPlain(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }
}
