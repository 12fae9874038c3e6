import CofferCore
import CofferHTTP
import Foundation

/// The error registry (`/v1/problems`) and the OpenAPI document: the API describing itself.
struct MetadataHandlers {
    let openAPIDocument: [UInt8]

    func register(in router: inout Router) {
        router.add(.get, "/v1/problems") { _ in
            .json(["data": .array(ErrorCode.allCases.map(ProblemDocument.registryEntry))])
        }
        router.add(.get, "/v1/problems/{code}") { context in
            guard let code = ErrorCode(rawValue: context.parameter("code")) else {
                throw AppError(.notFound, "There is no problem type with this code.")
            }
            return .json(ProblemDocument.registryEntry(code))
        }
        let document = openAPIDocument
        router.add(.get, "/v1/openapi.json") { _ in
            Response(status: .ok, headerFields: [.contentType: "application/json"], body: document)
        }
    }

    /// The OpenAPI document shipped as a package resource; its absence is a packaging bug.
    static func loadOpenAPIDocument() -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else {
            preconditionFailure("openapi.json is missing from the CofferAPI resource bundle")
        }
        return [UInt8](data)
    }
}
