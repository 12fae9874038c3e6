import CofferCore
import CofferCrypto
import XCTest

final class CryptoTests: XCTestCase {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    func testSHA256MatchesTheStandardVector() {
        XCTAssertEqual(hex(Digest.sha256(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testHMACSHA256MatchesRFC4231Case2() {
        let mac = HMACKey(Array("Jefe".utf8)).authenticate(Array("what do ya want for nothing?".utf8)[...])
        XCTAssertEqual(hex(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    /// Each MAC starts from a copy of the keyed state, so the key gives the same answer every time.
    func testAKeyedHMACIsReusableAndHashesLongKeysFirst() {
        let key = HMACKey([UInt8](repeating: 0xAA, count: 131))
        let message = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)[...]
        for _ in 0..<3 {
            XCTAssertEqual(hex(key.authenticate(message)), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        }
        XCTAssertNotEqual(key.authenticate(message.dropLast()), key.authenticate(message))
    }

    func testConstantTimeEquality() {
        XCTAssertTrue(Digest.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(Digest.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(Digest.constantTimeEquals([1, 2, 3], [1, 2]))
    }

    func testRandomBytesDiffer() {
        XCTAssertEqual(SecureRandom.bytes(32).count, 32)
        XCTAssertNotEqual(SecureRandom.bytes(32), SecureRandom.bytes(32))
    }

    func testBase64URLRoundTripsAndIsStrict() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base64URL.encode(bytes)
            XCTAssertFalse(text.contains("=") || text.contains("+") || text.contains("/"))
            XCTAssertEqual(Base64URL.decode(text), bytes)
        }
        XCTAssertNil(Base64URL.decode("ab=="))
        XCTAssertNil(Base64URL.decode("a"))
        XCTAssertNil(Base64URL.decode("ab c"))
        XCTAssertNil(Base64URL.decode("AB"), "non-zero trailing bits")
    }

    func testArgon2idProducesPHCStringsAndVerifies() throws {
        let hasher = PasswordHasher()
        let hash = try hasher.hash("correct horse battery")
        XCTAssertTrue(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"), hash)
        let salt = hash.split(separator: "$")[3]
        XCTAssertEqual(Base64URL.decode(salt.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))?.count, 16)
        XCTAssertTrue(try hasher.verify("correct horse battery", against: hash))
        XCTAssertFalse(try hasher.verify("correct horse batterY", against: hash))
        XCTAssertNotEqual(try hasher.hash("correct horse battery"), hash, "salted")
        XCTAssertThrowsError(try hasher.verify("x", against: "$argon2id$garbage"))
    }

    func testHashesMadeWithOldParametersStillVerifyAndAskForRehash() throws {
        let cheap = PasswordHasher(parameters: .init(memoryKiB: 1024, iterations: 1, parallelism: 1))
        let old = try cheap.hash("password one two")
        let current = PasswordHasher()
        XCTAssertTrue(try current.verify("password one two", against: old))
        XCTAssertTrue(current.needsRehash(old))
        XCTAssertFalse(current.needsRehash(try current.hash("password one two")))
    }

    func testJWTSignsAndVerifiesHS256Only() throws {
        let signer = JWTSigner(key: Array(repeating: 7, count: 32))
        let token = signer.sign(["sub": "u1", "n": 1])
        XCTAssertEqual(try signer.verify(token)["sub"], "u1")

        let parts = token.split(separator: ".").map(String.init)
        let none = Base64URL.encode(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."
        XCTAssertThrowsError(try signer.verify(none))
        let hs512 = Base64URL.encode(#"{"alg":"HS512","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2]
        XCTAssertThrowsError(try signer.verify(hs512)) { XCTAssertEqual($0 as? JWTSigner.Rejection, .algorithmNotAllowed) }
        let tampered = parts[0] + "." + Base64URL.encode(#"{"sub":"admin","n":1}"#) + "." + parts[2]
        XCTAssertThrowsError(try signer.verify(tampered)) { XCTAssertEqual($0 as? JWTSigner.Rejection, .badSignature) }
        let otherKey = JWTSigner(key: Array(repeating: 8, count: 32)).sign(["sub": "u1", "n": 1])
        XCTAssertThrowsError(try signer.verify(otherKey))
        XCTAssertThrowsError(try signer.verify("a.b"))
    }
}
