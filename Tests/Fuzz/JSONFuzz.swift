import CofferCore

/// Any bytes: the parser answers a value or a syntax error. A value must survive serialisation:
/// what we write, we read back as the same value, and its canonical form is stable.
enum JSONFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        let written = value.serialized()
        guard let reread = try? JSONParser.parse(written) else { fatalError("serialised output does not parse: \(written)") }
        precondition(reread == value, "round trip changed the value")
        precondition(value.canonical.canonical == value.canonical, "canonical form is not stable")
    }
}
