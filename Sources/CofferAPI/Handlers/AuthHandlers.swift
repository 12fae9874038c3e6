import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/auth/*`: signup, login, refresh, logout, me and password change.
struct AuthHandlers {
    let identity: IdentityService
    let authenticator: Authenticator
    let clock: Clock

    func register(in router: inout Router) {
        router.add(.post, "/v1/auth/signup") { context in try signup(context) }
        router.add(.post, "/v1/auth/login") { context in try login(context) }
        router.add(.post, "/v1/auth/refresh") { context in
            var fields = try RequestBody.fields(of: context.request)
            let token = fields.string("refresh_token", maxLength: 512)
            try fields.finish()
            return .json(Representation.session(try identity.refresh(token!, origin: context.origin)))
        }
        router.add(.post, "/v1/auth/logout") { context in
            var fields = try RequestBody.fields(of: context.request)
            let token = fields.string("refresh_token", maxLength: 512)
            try fields.finish()
            try identity.logout(refreshToken: token!, authorization: context.request.headerFields.value(.authorization), origin: context.origin)
            return .noContent()
        }
        router.add(.get, "/v1/auth/me") { context in
            let principal = try authenticator.principal(&context)
            let (user, holder) = try identity.me(principal)
            return .json(["user": Representation.user(user), "account_holder": Representation.accountHolder(holder)])
        }
        router.add(.post, "/v1/auth/password") { context in
            let principal = try authenticator.principal(&context)
            var fields = try RequestBody.fields(of: context.request)
            let current = fields.string("current_password", maxLength: IdentityRules.passwordLengthMax, verbatim: true)
            let new = fields.string("new_password", maxLength: 1000, verbatim: true)
            try fields.finish()
            try identity.changePassword(principal, current: current!, new: new!, origin: context.origin)
            return .noContent()
        }
    }

    private func signup(_ context: RequestContext) throws -> Response {
        var fields = try RequestBody.fields(of: context.request)
        let email = fields.email()
        let password = fields.string("password", maxLength: 1000, verbatim: true)
        let firstName = fields.string("first_name", maxLength: 1000)
        let lastName = fields.string("last_name", maxLength: 1000)
        let dob = fields.string("dob", maxLength: 100)
        if let email { fields.fail("email", IdentityRules.emailProblem(email)) }
        if let password { fields.fail("password", IdentityRules.passwordProblem(password)) }
        if let firstName { fields.fail("first_name", IdentityRules.nameProblem(firstName)) }
        if let lastName { fields.fail("last_name", IdentityRules.nameProblem(lastName)) }
        if let dob { fields.fail("dob", IdentityRules.dateOfBirthProblem(dob, today: clock.now().date)) }
        try fields.finish()

        let input = SignupInput(
            email: email!, password: password!, firstName: firstName!, lastName: lastName!,
            dateOfBirth: CivilDate(iso8601: dob!)!)
        let (user, holder) = try identity.signup(input, origin: context.origin)
        return .json(["user": Representation.user(user), "account_holder": Representation.accountHolder(holder)], status: .created)
    }

    private func login(_ context: RequestContext) throws -> Response {
        var fields = try RequestBody.fields(of: context.request)
        let email = fields.email()
        let password = fields.string("password", maxLength: 1000, verbatim: true)
        try fields.finish()
        let session = try identity.login(email: email!, password: password!, origin: context.origin)
        return .json(Representation.session(session))
    }
}
