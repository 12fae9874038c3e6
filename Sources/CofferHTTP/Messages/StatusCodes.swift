import HTTPTypes

extension HTTPResponse.Status {
    /// RFC 4918's 423, which API.md uses for a locked login and swift-http-types does not name.
    public static let locked = Self(code: 423, reasonPhrase: "Locked")

    /// The status for a bare code, with its standard reason phrase: nginx copies a FastCGI
    /// `Status:` line into the HTTP status line as it is, and `HTTP/1.1 201` without a phrase is
    /// a status line some clients reject.
    public static func standard(_ code: Int) -> Self {
        standardByCode[code] ?? Self(code: (100...599).contains(code) ? code : 500, reasonPhrase: "Status")
    }

    private static let standardByCode: [Int: Self] = Dictionary(
        uniqueKeysWithValues: [
            .ok, .created, .accepted, .noContent, .movedPermanently, .found, .seeOther, .notModified, .temporaryRedirect,
            .permanentRedirect, .badRequest, .unauthorized, .forbidden, .notFound, .methodNotAllowed, .notAcceptable,
            .requestTimeout, .conflict, .gone, .lengthRequired, .preconditionFailed, .contentTooLarge, .uriTooLong,
            .unsupportedMediaType, .rangeNotSatisfiable, .unprocessableContent, .locked, .tooManyRequests,
            .requestHeaderFieldsTooLarge, .internalServerError, .notImplemented, .badGateway, .serviceUnavailable, .gatewayTimeout,
        ].map { ($0.code, $0) })
}
