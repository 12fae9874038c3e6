import CofferCore
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log backend writing one JSON object per line to stderr (fd 2):
/// `{"timestamp", "level", "message", ...metadata}`. Integer and decimal metadata stay numbers.
/// Each line goes out in a single `write(2)`, so lines from worker threads never interleave.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let fileDescriptor: Int32

    public init(label: String, fileDescriptor: Int32 = 2) {
        self.label = label
        self.fileDescriptor = fileDescriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Written straight into bytes, keys in sorted order, the event's metadata winning over
        // the handler's: one line per request, and building it through a merged dictionary and
        // a JSON tree was a tenth of a health check (callgrind).
        var line: [UInt8] = []
        line.reserveCapacity(512)
        line.append(contentsOf: #"{"timestamp":"#.utf8)
        JSONValue.writeString(Timestamp.now().rfc3339, to: &line)
        line.append(contentsOf: #","level":"#.utf8)
        JSONValue.writeString(event.level.rawValue, to: &line)
        line.append(contentsOf: #","message":"#.utf8)
        JSONValue.writeString(event.message.description, to: &line)
        let eventMetadata = event.metadata ?? [:]
        var members = Array(eventMetadata)
        for (key, value) in metadata where eventMetadata[key] == nil { members.append((key, value)) }
        members.sort { $0.key < $1.key }
        for (key, value) in members {
            line.append(UInt8(ascii: ","))
            JSONValue.writeString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            Self.writeValue(value, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// A string straight into the line (most values are); numbers, lists and dictionaries through
    /// a JSON value.
    static func writeValue(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        switch value {
        case let .string(text): JSONValue.writeString(text, to: &line)
        case .stringConvertible, .array, .dictionary: json(value).write(to: &line)
        }
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case let .string(text): return .string(text)
        case let .stringConvertible(convertible):
            // Each cast is a runtime lookup: the request line's two numbers (an Int, a Double) first.
            if let number = convertible as? Int { return .int(number) }
            if let number = convertible as? Double { return number.isFinite ? .number(String(number)) : .string(convertible.description) }
            if let number = convertible as? Int64 { return .int(number) }
            if let flag = convertible as? Bool { return .bool(flag) }
            return .string(convertible.description)
        case let .array(items): return .array(items.map(json))
        case let .dictionary(members): return .object(members.keys.sorted().map { ($0, json(members[$0]!)) })
        }
    }
}
