import CofferCore
import CofferHTTP
import CofferServices

/// Resolves the caller of a request from its bearer token and records them on the context, so
/// the request's log line names the user.
struct Authenticator {
    let identity: IdentityService

    func principal(_ context: inout RequestContext) throws -> Principal {
        let principal = try identity.authenticate(context.request.headerFields.value(.authorization))
        context.userID = principal.userID
        return principal
    }

    /// The caller, who must hold one of `roles`.
    func principal(_ context: inout RequestContext, roles: Set<Role>) throws -> Principal {
        let principal = try principal(&context)
        guard roles.contains(principal.role) else { throw AppError(.forbidden) }
        return principal
    }
}

extension RequestContext {
    var origin: RequestOrigin {
        RequestOrigin(requestID: requestID, serverRequestID: serverRequestID, ip: request.remoteAddress.isEmpty ? nil : request.remoteAddress)
    }
}
