import CofferCore

/// Strict decoding of JSON request bodies: the media type must be JSON, the size is bounded and
/// the document must parse as an object; fields are then read through a `FieldReader`.
public enum RequestBody {
    public static let bytesMax = 64 * 1024
    /// The one larger allowance, for `POST /v1/transfers/batch` (API.md "Batches"); the
    /// FastCGI server reads up to this, and every other route still refuses above `bytesMax`.
    public static let batchBytesMax = 1024 * 1024

    public static func fields(of request: Request, bytesMax: Int = bytesMax) throws(AppError) -> FieldReader {
        try FieldReader(json(of: request, bytesMax: bytesMax))
    }

    public static func json(of request: Request, bytesMax: Int = bytesMax) throws(AppError) -> JSONValue {
        guard request.declaredBodyBytes <= bytesMax, request.body.count <= bytesMax else {
            throw AppError(.payloadTooLarge, "The request body is larger than \(bytesMax / 1024) KiB.")
        }
        guard isJSON(request.headerFields.value(.contentType)) else {
            throw AppError(.unsupportedMediaType, "The request body must be sent as Content-Type: application/json.")
        }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw AppError(
                .invalidJSON, "The request body is not valid JSON: \(error.reason) at byte \(error.offset).",
                details: ["offset": .int(error.offset), "reason": .string(error.reason)])
        }
    }

    /// For actions whose fields are all optional (`POST /v1/holds/{id}/capture`): no body at all
    /// reads as `{}`; any body is checked as every other one is.
    public static func optionalFields(of request: Request) throws(AppError) -> FieldReader {
        guard !request.body.isEmpty || request.declaredBodyBytes > 0 else { return try FieldReader(.object([])) }
        return try fields(of: request)
    }

    /// For actions that take no fields (`POST /v1/holds/{id}/void`): no body, or an empty JSON
    /// object; anything else is refused as for any other body.
    public static func emptyOrObject(_ request: Request) throws(AppError) {
        try optionalFields(of: request).finish()
    }

    /// The media type (before any `;` parameter, spaces and tabs around it) is `application/json`
    /// in any ASCII case. Read as bytes: splitting, trimming and lowercasing it as Unicode text
    /// took a transfer more instructions than parsing its JSON body (callgrind).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let utf8 = contentType.utf8
        var mediaType = utf8[..<(utf8.firstIndex(of: UInt8(ascii: ";")) ?? utf8.endIndex)]
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        while let first = mediaType.first, blank(first) { mediaType = mediaType.dropFirst() }
        while let last = mediaType.last, blank(last) { mediaType = mediaType.dropLast() }
        return mediaType.elementsEqual("application/json".utf8) { byte, expected in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 0x20 == expected : byte == expected
        }
    }
}
