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
        guard isJSON(request.headerFields[.contentType]) else {
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

    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: " \t").lowercased() }
        return mediaType == "application/json"
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var result = self
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return result
    }
}
