import CofferCore
import HTTPTypes

/// An HTTP response as the application produces it; the transport writes it out. Status and
/// header fields are apple/swift-http-types' own.
public struct Response: Sendable {
    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: [UInt8]

    public init(status: HTTPResponse.Status, headerFields: HTTPFields = [:], body: [UInt8] = []) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }

    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headerFields: [.contentType: "application/json"], body: value.serialized())
    }

    public static func noContent() -> Response { Response(status: .noContent) }
}
