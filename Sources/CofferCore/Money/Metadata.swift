/// Key-value labels a client attaches to its accounts, transactions, transfers and holds
/// (API.md "Metadata"): at most 20 keys of `[a-z0-9_.-]{1,40}`, string values of at most 500
/// characters. Stored as one JSON object with sorted keys, so equal metadata is equal text.
public struct Metadata: Sendable, Equatable {
    public static let keysMax = 20
    public static let keyLengthMax = 40
    public static let valueLengthMax = 500
    public static let empty = Metadata(checked: [:])

    public let values: [String: String]

    /// Metadata already known to obey the rules (read back from the store, or checked by `problems`).
    public init(checked values: [String: String]) {
        self.values = values
    }

    public var isEmpty: Bool { values.isEmpty }

    public var sortedEntries: [(key: String, value: String)] {
        values.keys.sorted().map { ($0, values[$0]!) }
    }

    public var json: JSONValue {
        .object(sortedEntries.map { ($0.key, .string($0.value)) })
    }

    /// The stored form: nil when empty, so rows without metadata cost nothing.
    public var storedText: String? {
        isEmpty ? nil : String(decoding: json.serialized(), as: UTF8.self)
    }

    /// Reads the stored form back; a row the store wrote always parses.
    public init(storedText: String?) {
        guard let storedText else {
            self = .empty
            return
        }
        guard case let .object(members)? = try? JSONParser.parse(storedText) else {
            preconditionFailure("stored metadata is not a JSON object")
        }
        var values: [String: String] = [:]
        for (key, value) in members {
            guard case let .string(text) = value else { preconditionFailure("stored metadata value is not a string") }
            values[key] = text
        }
        self.init(checked: values)
    }

    public static func isValidKey(_ key: String) -> Bool {
        (1...keyLengthMax).contains(key.utf8.count)
            && key.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }
}
