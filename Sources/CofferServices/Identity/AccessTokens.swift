import CofferCore
import CofferCrypto
import CofferStore

/// Issues and checks access tokens: HS256 JWTs with `sub, jti, iat, exp, iss, aud, role`, plus
/// `sid`, the refresh family (the login) the token descends from, so revoking a family — by
/// logout or by refresh-token reuse — also stops the access tokens it issued.
/// Checking goes past the signature on every request: the denylist, whether the token's session
/// has ended (logout, reuse, password change, suspension) and the user's current status and role
/// come from the database in one statement, so revocation takes effect at once.
public struct AccessTokens {
    let signer: JWTSigner
    let settings: AuthSettings
    let clock: Clock
    let verified = VerifiedTokens(capacity: 64)

    public init(secret: [UInt8], settings: AuthSettings, clock: Clock = .system) {
        signer = JWTSigner(key: secret)
        self.settings = settings
        self.clock = clock
    }

    /// `iat` and `exp` are integer NumericDates, `exp - iat` exactly the lifetime. Revocation needs
    /// no sub-second time: a password change ends every session (`sid`) the user had.
    public func issue(for user: User, session familyID: String) -> String {
        let now = clock.now()
        let issuedAt = now.millisecondsSinceEpoch / 1000
        return signer.sign([
            "iss": .string(settings.issuer),
            "aud": .string(settings.audience),
            "sub": .string(user.id),
            "jti": .string(Identifier.make(at: now)),
            "iat": .int(issuedAt),
            "exp": .int(issuedAt + settings.accessTokenSeconds),
            "role": .string(user.role.rawValue),
            "sid": .string(familyID),
        ])
    }

    /// The caller behind an `Authorization` header value, or the catalogue error that says why not.
    public func authenticate(_ authorization: String?, in db: any StoreReader) throws -> Principal {
        let claims = try verifiedClaims(bearerToken(authorization))
        let standing = try db.tokenStanding(jti: claims.jti, familyID: claims.session, userID: claims.subject)
        if standing.isDenied { throw AppError(.tokenRevoked, "This token has been revoked.") }
        if standing.isSessionEnded { throw AppError(.tokenRevoked, "The session this token belongs to has ended.") }
        guard let user = standing.user else { throw AppError(.unauthenticated) }
        guard user.status == .active else { throw AppError(.tokenRevoked, "This user is suspended.") }
        return Principal(
            userID: user.id, role: user.role, tokenID: claims.jti,
            tokenExpiresAt: Timestamp(millisecondsSinceEpoch: claims.expiresAt * 1000))
    }

    struct Claims {
        let subject: String
        let session: String
        let jti: String
        let issuedAt: Int64
        let expiresAt: Int64
    }

    /// Signature, algorithm, issuer, audience and time checks; no database.
    func verifiedClaims(_ token: String) throws(AppError) -> Claims {
        let claims: Claims
        if let known = verified[token] {
            claims = known
        } else {
            claims = try signedClaims(token)
            verified.remember(token, claims)
        }
        let now = clock.now().millisecondsSinceEpoch / 1000
        guard claims.issuedAt <= now + settings.leewaySeconds else { throw AppError(.unauthenticated) }
        guard now < claims.expiresAt + settings.leewaySeconds else {
            throw AppError(.tokenExpired, "The access token has expired; refresh it.")
        }
        return claims
    }

    /// What a token says and that it is ours: signature, algorithm, issuer, audience, claims.
    private func signedClaims(_ token: String) throws(AppError) -> Claims {
        let claims: JSONValue
        do {
            claims = try signer.verify(token)
        } catch {
            throw AppError(.unauthenticated)
        }
        guard claims["iss"] == .string(settings.issuer), audienceMatches(claims["aud"]),
            let subject = claims["sub"]?.stringValue, let jti = claims["jti"]?.stringValue, let session = claims["sid"]?.stringValue,
            let issuedAt = Self.numericDate(claims["iat"]), let expiresAt = Self.numericDate(claims["exp"])
        else {
            throw AppError(.unauthenticated)
        }
        return Claims(subject: subject, session: session, jti: jti, issuedAt: issuedAt, expiresAt: expiresAt)
    }

    private func audienceMatches(_ value: JSONValue?) -> Bool {
        switch value {
        case let .string(audience)?: audience == settings.audience
        case let .array(items)?: items.contains(.string(settings.audience))
        default: false
        }
    }

    /// `Bearer <token>`, the scheme in any case, spaces around the parts allowed. Read as bytes:
    /// the header is on every request and a token is long.
    func bearerToken(_ authorization: String?) throws(AppError) -> String {
        guard let authorization else { throw AppError(.unauthenticated) }
        // `Bearer` in any case, spaces, the token, and nothing after it but spaces. One pass over
        // the bytes in place: slices and closures over an array cost 20 instructions a byte.
        var header = authorization
        let token = header.withUTF8 { bytes -> String? in
            let space = UInt8(ascii: " ")
            var start = 0
            while start < bytes.count, bytes[start] == space { start += 1 }
            guard bytes.count - start > 6 else { return nil }
            for (offset, letter) in "bearer".utf8.enumerated() where bytes[start + offset] | 0x20 != letter { return nil }
            var tokenStart = start + 6
            guard bytes[tokenStart] == space else { return nil }
            while tokenStart < bytes.count, bytes[tokenStart] == space { tokenStart += 1 }
            var tokenEnd = tokenStart
            // Printable ASCII only (RFC 6750's token characters are a subset): a remembered token
            // is looked up as a String, whose equality is Unicode's, under which "K" and U+212A
            // KELVIN SIGN are the same; bytes outside ASCII must never reach that lookup.
            while tokenEnd < bytes.count, bytes[tokenEnd] != space {
                guard (0x21...0x7E).contains(bytes[tokenEnd]) else { return nil }
                tokenEnd += 1
            }
            var rest = tokenEnd
            while rest < bytes.count, bytes[rest] == space { rest += 1 }
            guard tokenEnd > tokenStart, rest == bytes.count else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[tokenStart..<tokenEnd]), as: UTF8.self)
        }
        guard let token else {
            throw AppError(.unauthenticated, "The Authorization header must be 'Bearer <access token>'.")
        }
        return token
    }

    /// A NumericDate as API.md fixes it: integer seconds, no fraction or exponent.
    static func numericDate(_ value: JSONValue?) -> Int64? {
        guard case let .number(literal)? = value, literal.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let seconds = Int64(literal), seconds < 100_000_000_000
        else { return nil }
        return seconds
    }

}
