import CofferCore
import CofferCrypto
import CofferStore

/// How many Argon2id computations may run at once in the process (one per core in cofferd).
public typealias PasswordHashingSlots = HashingSlots

/// Signup, login, refresh rotation, logout and password change. Argon2id work always happens
/// outside a write transaction, so a login never holds SQLite's write lock for 40 ms.
public struct IdentityService {
    let store: any Store
    let tokens: AccessTokens
    let hasher: PasswordHasher
    let settings: AuthSettings
    let clock: Clock
    /// A hash of a random password, verified against when the email is unknown so that an
    /// unknown email costs the same work as a wrong password.
    let dummyHash: String

    public init(
        store: any Store, tokens: AccessTokens, settings: AuthSettings, dummyHash: String, hashingSlots: PasswordHashingSlots? = nil,
        clock: Clock = .system
    ) {
        self.store = store
        self.tokens = tokens
        self.hasher = PasswordHasher(parameters: settings.passwordHashing, slots: hashingSlots)
        self.settings = settings
        self.clock = clock
        self.dummyHash = dummyHash
    }

    /// A dummy hash with the configured parameters; compute once per process.
    public static func makeDummyHash(_ settings: AuthSettings) throws -> String {
        try PasswordHasher(parameters: settings.passwordHashing).hash(Base64URL.encode(SecureRandom.bytes(24)))
    }

    // MARK: Signup

    /// The caller behind an `Authorization` header value (one query for the token's standing),
    /// or the catalogue error that says why not.
    public func authenticate(_ authorization: String?) throws -> Principal {
        try store.readOnce { db in try tokens.authenticate(authorization, in: db) }
    }

    public func signup(_ input: SignupInput, origin: RequestOrigin) throws -> (User, AccountHolder) {
        let hash = try hasher.hash(input.password)
        let now = clock.now()
        let user = User(id: Identifier.make(at: now), email: input.email, role: .user, status: .active, createdAt: now)
        let holder = AccountHolder(
            id: Identifier.make(at: now), userID: user.id, firstName: input.firstName,
            lastName: input.lastName, dateOfBirth: input.dateOfBirth, createdAt: now)
        let audit = AuditRecorder(origin: origin, clock: clock)
        let created = try store.write { db -> Bool in
            try db.lockEmail(input.email)
            guard try db.user(email: input.email) == nil else {
                try audit.record(db, .signup, actor: nil, outcome: .failure, reason: "email_already_exists")
                return false
            }
            try db.insertUser(user, passwordHash: hash)
            try db.insertAccountHolder(holder)
            try audit.record(db, .signup, actor: user.id, target: ("user", user.id))
            return true
        }
        guard created else { throw AppError(.emailAlreadyExists) }
        return (user, holder)
    }

    // MARK: Login

    public func login(email: String, password: String, origin: RequestOrigin) throws -> Session {
        let audit = AuditRecorder(origin: origin, clock: clock)
        let stored = try store.readOnce { try $0.user(email: email) }
        // The attempt counts against the email before anything tells whether a user has it, so
        // an unknown email locks exactly like a known one and costs the same Argon2id work.
        let attempt = try reserveAttempt(email: email, actor: stored?.user.id, action: .login, audit: audit)
        guard let stored else {
            _ = try hasher.verify(password, against: dummyHash)
            try recordFailure(attempt, actor: nil, action: .login, reason: "unknown_email", audit: audit)
            throw AppError(.invalidCredentials)
        }
        let user = stored.user
        let passwordMatches = try hasher.verify(password, against: stored.passwordHash)
        guard passwordMatches, user.status == .active else {
            // A suspended user's correct password counts as a failure too: the answer must not
            // tell a suspended account from a wrong password.
            try recordFailure(attempt, actor: user.id, action: .login, reason: passwordMatches ? "suspended" : "wrong_password", audit: audit)
            throw AppError(.invalidCredentials)
        }

        let rehash = hasher.needsRehash(stored.passwordHash) ? try hasher.hash(password) : nil
        let session = try store.write { db -> Session? in
            // The password or status may have changed while Argon2 ran; the session must not outlive
            // that. Under the email's lock (which password changes and admins' updates take too),
            // a change either committed before this read or sees this session when it revokes.
            try db.lockEmail(user.email)
            guard let current = try db.user(id: user.id), current.passwordHash == stored.passwordHash, current.user.status == .active else {
                return nil
            }
            try clearFailures(db, attempt)
            if let rehash { try db.updatePassword(userID: user.id, hash: rehash, changedAt: nil) }
            try audit.record(db, .login, actor: user.id, target: ("user", user.id))
            return try startSession(db, user: current.user, familyID: Identifier.make(at: clock.now()))
        }
        guard let session else {
            // The password checked is no longer the user's (or the user was suspended meanwhile):
            // a failure like any wrong password, and the attempt no longer holds a place in flight.
            try recordFailure(attempt, actor: user.id, action: .login, reason: "changed_during_login", audit: audit)
            throw AppError(.invalidCredentials)
        }
        return session
    }

    /// One password attempt, pending in `login_failures` from `reserveAttempt` until it is settled
    /// as a failure (`recordFailure`) or removed by the right password (`clearFailures`).
    struct Attempt {
        let email: String
        let at: Timestamp
    }

    /// How long an unsettled attempt caps the email's attempts: far longer than an Argon2id check
    /// waits and runs, so only an attempt whose process died outlives it.
    static let pendingAttemptSeconds: Int64 = 60

    /// Counts a password attempt against the lockout of `email` before the slow verification
    /// runs, as pending: failures and pending attempts together may not pass the threshold, so
    /// concurrent guesses cannot all slip under it. A locked email (enough failures) answers 423 at
    /// once, even for the right password, and whether or not a user has it. When only attempts
    /// still in flight fill the threshold, nothing has failed: 429 with a short `Retry-After`,
    /// never "locked" (five right passwords at once used to lock the sixth for 15 minutes).
    private func reserveAttempt(email: String, actor: String?, action: AuditEvent.Action, audit: AuditRecorder) throws -> Attempt {
        let now = clock.now()
        let windowMs = settings.lockoutWindowSeconds * 1000
        let outcome = try store.write { db -> Result<Attempt, AppError> in
            try db.lockEmail(email)
            let attempts = try attemptsInWindow(db, email: email, now: now)
            let failures = attempts.filter { !$0.pending }.map(\.at)
            let pendingSince = now.millisecondsSinceEpoch - Self.pendingAttemptSeconds * 1000
            let pending = attempts.filter { $0.pending && $0.at.millisecondsSinceEpoch >= pendingSince }.count
            if failures.count >= settings.lockoutThreshold {
                // Locked until enough failures leave the trailing window.
                let unlockMs = failures[failures.count - settings.lockoutThreshold].millisecondsSinceEpoch + windowMs
                let retryAfter = max(1, (unlockMs - now.millisecondsSinceEpoch + 999) / 1000)
                try audit.record(db, action, actor: actor, target: actor.map { ("user", $0) }, outcome: .failure, reason: "account_locked")
                return .failure(
                    AppError(
                        .accountLocked, "Too many failed password attempts; try again in \(retryAfter) seconds.",
                        details: ["retry_after_seconds": .int(retryAfter)], retryAfterSeconds: Int(retryAfter)))
            }
            if failures.count + pending >= settings.lockoutThreshold {
                try audit.record(db, action, actor: actor, target: actor.map { ("user", $0) }, outcome: .failure, reason: "attempts_in_flight")
                return .failure(
                    AppError(
                        .rateLimited, "Too many password attempts for this email are being checked at once; try again in a second.",
                        details: ["retry_after_seconds": .int(1)], retryAfterSeconds: 1))
            }
            try db.reserveLoginAttempt(email: email, at: now)
            return .success(Attempt(email: email, at: now))
        }
        return try outcome.get()
    }

    /// The email's attempts inside the lockout window that ends at `now`.
    private func attemptsInWindow(_ db: any StoreReader, email: String, now: Timestamp) throws -> [LoginAttempt] {
        try db.loginAttempts(email: email, since: now.adding(seconds: -settings.lockoutWindowSeconds))
    }

    private func recordFailure(_ attempt: Attempt, actor: String?, action: AuditEvent.Action, reason: String, audit: AuditRecorder) throws {
        try store.write { db in
            try db.lockEmail(attempt.email)
            try db.settleLoginAttempt(email: attempt.email, at: attempt.at)
            try audit.record(db, action, actor: actor, target: actor.map { ("user", $0) }, outcome: .failure, reason: reason)
            if try attemptsInWindow(db, email: attempt.email, now: clock.now()).filter({ !$0.pending }).count == settings.lockoutThreshold {
                try audit.record(db, .lockout, actor: actor, target: actor.map { ("user", $0) })
            }
        }
    }

    /// A right password forgets the email's failures and its own attempt; attempts still in
    /// flight stay (one of them may yet fail), and attempts that left the window long ago go too.
    /// Call under `lockEmail(attempt.email)`.
    private func clearFailures(_ db: any StoreWriter, _ attempt: Attempt) throws {
        let horizon = clock.now().millisecondsSinceEpoch - 2 * settings.lockoutWindowSeconds * 1000
        try db.clearLoginFailures(email: attempt.email, attemptAt: attempt.at, before: Timestamp(millisecondsSinceEpoch: horizon))
    }

    /// Issues an access token and a new refresh token in `familyID`; call inside a write.
    private func startSession(_ db: any StoreWriter, user: User, familyID: String) throws -> Session {
        let now = clock.now()
        let refreshToken = Base64URL.encode(SecureRandom.bytes(32))
        try db.insertRefreshToken(
            id: Identifier.make(at: now), hash: Self.refreshHash(refreshToken), familyID: familyID,
            userID: user.id, issuedAt: now, expiresAt: now.adding(seconds: settings.refreshTokenSeconds))
        return Session(
            accessToken: tokens.issue(for: user, session: familyID), accessExpiresInSeconds: settings.accessTokenSeconds,
            refreshToken: refreshToken, refreshExpiresInSeconds: settings.refreshTokenSeconds, user: user)
    }

    static func refreshHash(_ token: String) -> [UInt8] { Digest.sha256(Array(token.utf8)) }

    // MARK: Refresh

    public func refresh(_ refreshToken: String, origin: RequestOrigin) throws -> Session {
        let audit = AuditRecorder(origin: origin, clock: clock)
        let now = clock.now()
        // Side effects of a refused refresh (family revocation, the audit row) must commit, so the
        // transaction returns the refusal and it is thrown after COMMIT.
        let result = try store.write { db -> Result<Session, AppError> in
            guard let stored = try db.refreshToken(hash: Self.refreshHash(refreshToken)) else {
                return .failure(AppError(.unauthenticated, "The refresh token is not recognised."))
            }
            if stored.revokedAt != nil {
                return .failure(AppError(.tokenRevoked, "This refresh token has been revoked."))
            }
            func reused() throws -> Result<Session, AppError> {
                try db.revokeRefreshFamily(stored.familyID, at: now)
                try audit.record(
                    db, .refreshReuse, actor: stored.userID, target: ("refresh_family", stored.familyID),
                    outcome: .failure, reason: "rotated_token_presented")
                return .failure(AppError(.tokenRevoked, "This refresh token was already used; every session from its login has been revoked."))
            }
            if stored.rotatedAt != nil { return try reused() }
            if stored.expiresAt <= now {
                return .failure(AppError(.tokenExpired, "The refresh token has expired; log in again."))
            }
            guard let user = try db.user(id: stored.userID)?.user, user.status == .active else {
                try db.revokeRefreshFamily(stored.familyID, at: now)
                return .failure(AppError(.tokenRevoked, "This user is suspended."))
            }
            guard try db.markRefreshTokenRotated(id: stored.id, at: now) else {
                // Rotated or revoked by another request since it was read (PostgreSQL's READ
                // COMMITTED lets two refreshes read it at once). Rotated means two holders
                // presented the same token: reuse, as if they had come one after the other.
                if try db.refreshToken(hash: Self.refreshHash(refreshToken))?.rotatedAt != nil { return try reused() }
                return .failure(AppError(.tokenRevoked, "This refresh token has been revoked."))
            }
            return .success(try startSession(db, user: user, familyID: stored.familyID))
        }
        return try result.get()
    }

    // MARK: Logout

    /// Revokes the refresh token's family and, when given, the access token. Like RFC 7009 it
    /// answers the same whether or not the refresh token was known.
    public func logout(refreshToken: String, authorization: String?, origin: RequestOrigin) throws {
        let audit = AuditRecorder(origin: origin, clock: clock)
        let now = clock.now()
        let access = authorization.flatMap { try? tokens.verifiedClaims(tokens.bearerToken($0)) }
        try store.write { db in
            if let stored = try db.refreshToken(hash: Self.refreshHash(refreshToken)) {
                try db.revokeRefreshFamily(stored.familyID, at: now)
                try audit.record(db, .logout, actor: stored.userID, target: ("refresh_family", stored.familyID))
            }
            if let access {
                // Tokens are accepted until exp plus the leeway, so the denial must last as long.
                try db.denyAccessToken(jti: access.jti, until: Timestamp(millisecondsSinceEpoch: (access.expiresAt + settings.leewaySeconds) * 1000))
            }
        }
    }

    // MARK: Password

    public func changePassword(_ principal: Principal, current: String, new: String, origin: RequestOrigin) throws {
        guard let stored = try store.readOnce({ try $0.user(id: principal.userID) }) else { throw AppError(.unauthenticated) }
        let audit = AuditRecorder(origin: origin, clock: clock)
        // A stolen access token must not turn this endpoint into an unlimited password oracle:
        // wrong current passwords count against the same lockout as logins.
        let attempt = try reserveAttempt(email: stored.user.email, actor: stored.user.id, action: .passwordChange, audit: audit)
        let currentMatches = try hasher.verify(current, against: stored.passwordHash)
        var problems: [FieldError] = []
        if !currentMatches {
            problems.append(FieldError("current_password", "is incorrect"))
            try recordFailure(attempt, actor: stored.user.id, action: .passwordChange, reason: "wrong_current_password", audit: audit)
        } else {
            try store.write { db in
                // Under the email's lock, as a login's clear: attempts of one millisecond are told
                // apart by nothing but their rows, and two clears at once on PostgreSQL could pick
                // the same row, leaving the other attempt pending.
                try db.lockEmail(stored.user.email)
                try clearFailures(db, attempt)
            }
        }
        let minimum = stored.user.role == .admin ? IdentityRules.adminPasswordLengthMin : IdentityRules.passwordLengthMin
        if let problem = IdentityRules.passwordProblem(new, minimum: minimum) {
            problems.append(FieldError("new_password", problem))
        } else if new == current {
            problems.append(FieldError("new_password", "must differ from the current password"))
        }
        guard problems.isEmpty else { throw AppError.validation(problems) }

        let hash = try hasher.hash(new)
        try store.write { db in
            // Under the email's lock, as logins: another change since the check above means the
            // password checked is no longer the current one.
            try db.lockEmail(stored.user.email)
            guard try db.user(id: stored.user.id)?.passwordHash == stored.passwordHash else {
                throw AppError.validation([FieldError("current_password", "is incorrect")])
            }
            let now = clock.now()
            try db.updatePassword(userID: stored.user.id, hash: hash, changedAt: now)
            try db.revokeRefreshTokens(userID: stored.user.id, at: now)
            try audit.record(db, .passwordChange, actor: stored.user.id, target: ("user", stored.user.id))
        }
    }

    // MARK: Me

    public func me(_ principal: Principal) throws -> (User, AccountHolder?) {
        try store.read { db in
            guard let stored = try db.user(id: principal.userID) else { throw AppError(.unauthenticated) }
            return (stored.user, try db.accountHolder(userID: principal.userID))
        }
    }
}
