import CofferCore
import CofferCrypto
import CofferServices
import CofferTestSupport
import Foundation
import Synchronization
import XCTest

/// API.md "Events and webhooks", delivered by the job runner over real HTTP to a receiver the test
/// starts on loopback: signed, retried with back-off, dead after the last attempt, retried by hand,
/// signed with both secrets during a rotation's overlap.
class WebhookTests: APITestCase {
    private var receiver: WebhookReceiver!

    override func tearDown() {
        receiver?.stop()
        super.tearDown()
    }

    private func register(_ member: TestApp.Member, events: JSONValue = ["*"]) throws -> (id: String, secret: String) {
        let reply = t.post("/v1/webhooks", ["url": .string(receiver.url), "events": events, "description": "books"], token: member.accessToken)
        XCTAssertEqual(reply.status, 201, reply.json.serializedString)
        return (try XCTUnwrap(reply["id"]?.stringValue), try XCTUnwrap(reply["secret"]?.stringValue))
    }

    /// Every `v1=` of the request's signature header, checked against `secrets` over `t.body`.
    private func signatures(_ request: WebhookReceiver.Received) -> (time: String, v1: [String]) {
        let parts = (request.headers["coffer-signature"] ?? "").split(separator: ",").map(String.init)
        return (parts.first { $0.hasPrefix("t=") }.map { String($0.dropFirst(2)) } ?? "", parts.filter { $0.hasPrefix("v1=") }.map { String($0.dropFirst(3)) })
    }

    private func hmac(_ secret: String, _ time: String, _ body: [UInt8]) -> String {
        HMACKey(Array(secret.utf8)).authenticate((Array("\(time).".utf8) + body)[...]).map { String(format: "%02x", $0) }.joined()
    }

    private func deliveries(_ member: TestApp.Member, _ webhook: String) -> [JSONValue] {
        t.get("/v1/webhooks/\(webhook)/deliveries", token: member.accessToken)["data"]?.arrayValue ?? []
    }

    func testDeliveriesAreSignedAndFollowTheTransactionsTruth() throws {
        receiver = try WebhookReceiver()
        let ann = t.member()
        let bob = t.member()
        let (id, secret) = try register(ann)
        XCTAssertTrue(secret.hasPrefix("whsec_"))
        let (transfersOnly, otherSecret) = try register(ann, events: ["transfer.created"])
        XCTAssertNil(t.get("/v1/webhooks/\(id)", token: ann.accessToken)["secret"], "the secret is shown only once")
        XCTAssertEqual(t.get("/v1/webhooks/\(id)", token: bob.accessToken).code, "not_found")
        XCTAssertEqual(t.get("/v1/webhooks", token: ann.accessToken)["pagination"]?["total"], 2)

        let a = t.openAccount(ann)
        let b = t.openAccount(ann)
        t.deposit(ann, a, 1_000)
        XCTAssertEqual(
            t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 5_000], token: ann.accessToken).code,
            "insufficient_funds")
        XCTAssertEqual(
            t.post("/v1/transfers", ["from_account_id": .string(a), "to_account_id": .string(b), "amount": 400], token: ann.accessToken).status, 201)
        try t.runJobs()

        let requests = receiver.requests
        XCTAssertEqual(requests.count, 3, "the deposit and the transfer to the first, the transfer to the second; nothing for the refusal")
        let events = t.get("/v1/events", token: ann.accessToken)["data"]?.arrayValue ?? []
        var signedBy: [String: Int] = [:]
        for request in requests {
            XCTAssertEqual(request.headers["content-type"], "application/json")
            let (time, v1) = signatures(request)
            let signer = [secret, otherSecret].first { v1 == [hmac($0, time, request.body)] }
            XCTAssertNotNil(signer, "signed with one webhook's secret")
            signedBy[signer ?? "", default: 0] += 1
            let body = try JSONParser.parse(request.body)
            XCTAssertEqual(request.headers["coffer-event-id"], body["id"]?.stringValue)
            XCTAssertTrue(events.contains(body), "the event as GET /v1/events shows it")
        }
        XCTAssertEqual(signedBy, [secret: 2, otherSecret: 1])
        XCTAssertEqual(Set(requests.compactMap { try? JSONParser.parse($0.body)["type"]?.stringValue }), ["transaction.created", "transfer.created"])
        XCTAssertEqual(deliveries(ann, transfersOnly).map { $0["event_type"] }, ["transfer.created"])
        XCTAssertEqual(deliveries(ann, id).map { $0["status"] }, ["succeeded", "succeeded"])
        XCTAssertEqual(deliveries(ann, id).first?["last_status_code"], 200)
    }

    func testAFailingReceiverIsRetriedWithBackOffUntilItAnswers() throws {
        receiver = try WebhookReceiver { $0 <= 3 ? 500 : 200 }
        let ann = t.member()
        let (id, _) = try register(ann)
        t.deposit(ann, t.openAccount(ann), 10)
        try t.runJobs()
        for (wait, attempts) in [(37, 2), (73, 3), (145, 4)] {
            XCTAssertEqual(deliveries(ann, id).first?["status"], "failed")
            t.clock.advance(seconds: Int64(wait))
            try t.runJobs()
            XCTAssertEqual(deliveries(ann, id).first?["attempts"], .int(attempts))
        }
        let delivered = try XCTUnwrap(deliveries(ann, id).first)
        XCTAssertEqual(delivered["status"], "succeeded", "delivered on the 4th attempt")
        XCTAssertEqual(delivered["last_status_code"], 200)
        XCTAssertEqual(receiver.requests.count, 4)
        XCTAssertEqual(Set(receiver.requests.map { $0.headers["coffer-event-id"] }).count, 1, "the same event each time")
    }

    /// The lease tests' setup: a receiver that holds each request until `gate` opens (8 s at
    /// most), and one delivery to it queued, with the clock stopped and this period's maintenance
    /// out of the way.
    private func queueAHeldDelivery(_ gate: DispatchSemaphore) throws -> (member: TestApp.Member, webhookID: String) {
        receiver = try WebhookReceiver { _ in
            _ = gate.wait(timeout: .now() + 8)
            return 200
        }
        let ann = t.member()
        let account = t.openAccount(ann)
        t.clock.stop()
        try t.runJobs()
        let (id, _) = try register(ann, events: ["transaction.created"])
        t.deposit(ann, account, 10)
        return (ann, id)
    }

    /// `runner.runDue()` on a thread of its own; the semaphore is signalled once it returns.
    private func runDueInBackground(_ runner: JobRunner) -> DispatchSemaphore {
        let ran = DispatchSemaphore(value: 0)
        Thread {
            _ = try? runner.runDue()
            ran.signal()
        }.start()
        return ran
    }

    /// Waits, 8 s at most, until the receiver holds the delivery's request.
    private func waitForTheHeldRequest() {
        let deadline = Date().addingTimeInterval(8)
        while receiver.requests.isEmpty && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(receiver.requests.count, 1, "the delivery is running")
    }

    /// A delivery that outlasts its job's lease (the runner's 60 s) keeps the lease while its runner
    /// renews it: another runner claims nothing, and the one request is recorded as delivered on
    /// its first attempt. Without the renewal, the other runner takes the job at 61 s.
    func testARunningJobKeepsItsLeaseWhileItsRunnerRenewsIt() throws {
        let gate = DispatchSemaphore(value: 0)
        let (ann, id) = try queueAHeldDelivery(gate)
        let reports = Collected<TestApp.JobReport>()
        let runner = try t.jobRunner(reports: reports)
        XCTAssertEqual(runner.renewLeases(), 0, "nothing runs yet")
        let ran = runDueInBackground(runner)
        waitForTheHeldRequest()

        t.clock.advance(seconds: 20)
        XCTAssertEqual(runner.renewLeases(), 0, "a third of the lease gone: not yet")
        t.clock.advance(seconds: 20)
        XCTAssertEqual(runner.renewLeases(), 1, "past half of it")
        t.clock.advance(seconds: 40)
        let later = t.clock.clock.now()
        let taken = try t.store.write { try $0.claimJobs(runner: "another-node", now: later, until: later.adding(seconds: 60), limit: 10) }
        XCTAssertEqual(taken.map(\.kind), [], "80 s after the claim, the renewed lease still holds")

        gate.signal()
        XCTAssertEqual(ran.wait(timeout: .now() + 15), .success)
        XCTAssertEqual(reports.all.map(\.outcome), [.succeeded], "\(reports.all)")
        let delivered = try XCTUnwrap(deliveries(ann, id).first)
        XCTAssertEqual(delivered["status"], "succeeded")
        XCTAssertEqual(delivered["attempts"], 1)
        XCTAssertEqual(receiver.requests.count, 1)
        XCTAssertEqual(runner.renewLeases(), 0, "a finished job's lease is not renewed")
    }

    /// A job that runs for longer than `maxRunSeconds` has hung, most likely: its runner reports it
    /// and stops renewing, so another runner takes it once its last lease runs out.
    func testAJobRunningPastTheLongestRunIsLeftToLapse() throws {
        let gate = DispatchSemaphore(value: 0)
        defer { gate.signal() }
        _ = try queueAHeldDelivery(gate)
        let reports = Collected<TestApp.JobReport>()
        let runner = try t.jobRunner(reports: reports) { $0.maxRunSeconds = 600 }
        let ran = runDueInBackground(runner)
        waitForTheHeldRequest()

        t.clock.advance(seconds: 590)
        XCTAssertEqual(runner.renewLeases(), 1, "within the longest run")
        t.clock.advance(seconds: 11)
        XCTAssertEqual(runner.renewLeases(), 0, "past it")
        XCTAssertEqual(reports.all.map(\.outcome), [.running])
        XCTAssertTrue(reports.all.first?.error?.contains("still running after 600 s") ?? false, "\(reports.all)")
        t.clock.advance(seconds: 50)
        let later = t.clock.clock.now()
        let taken = try t.store.write { try $0.claimJobs(runner: "another-node", now: later, until: later.adding(seconds: 60), limit: 10) }
        XCTAssertEqual(taken.map(\.kind), [.webhookDelivery], "its last lease ran out at 650 s")
        gate.signal()
        XCTAssertEqual(ran.wait(timeout: .now() + 15), .success)
        XCTAssertEqual(reports.all.last?.error, "lease lost before the outcome was recorded")
    }

    /// `stop` waits for the jobs in hand, and their leases are still renewed meanwhile: a job that
    /// outlasts its lease during the drain is not taken by another runner.
    func testLeasesAreRenewedWhileTheRunnerDrainsOnStop() throws {
        let gate = DispatchSemaphore(value: 0)
        defer { gate.signal() }
        _ = try queueAHeldDelivery(gate)
        let reports = Collected<TestApp.JobReport>()
        let runner = try t.jobRunner(reports: reports) { $0.interval = 0.1 }
        runner.start()
        defer { runner.stop() }  // Returns at once after the stop below; stops the runner if an assertion threw first.
        waitForTheHeldRequest()
        func leaseEnd() throws -> Int64 {
            try t.sql.scalarInt("SELECT locked_until FROM jobs WHERE kind = 'webhook_delivery' AND status = 'running'")
        }
        let firstEnd = try leaseEnd()
        let stopped = DispatchSemaphore(value: 0)
        Thread {
            runner.stop()
            stopped.signal()
        }.start()
        XCTAssertEqual(stopped.wait(timeout: .now() + 0.5), .timedOut, "stop waits for the delivery")
        t.clock.advance(seconds: 40)
        let renewedBy = Date().addingTimeInterval(5)
        while try leaseEnd() == firstEnd && Date() < renewedBy { usleep(20_000) }
        XCTAssertEqual(try leaseEnd(), t.clock.clock.now().adding(seconds: 60).millisecondsSinceEpoch, "renewed during the drain")
        gate.signal()
        XCTAssertEqual(stopped.wait(timeout: .now() + 15), .success)
        // Only the delivery's: had the stop come late, the 40 s could have let a hold-expiry pass in.
        XCTAssertEqual(reports.all.filter { $0.kind == .webhookDelivery }.map(\.outcome), [.succeeded], "\(reports.all)")
    }

    func testAReceiverThatAlwaysFailsIsDeadAfterEightAttemptsThenARetryDeliversIt() throws {
        let healthy = Atomic<Bool>(false)
        receiver = try WebhookReceiver { _ in healthy.load(ordering: .relaxed) ? 204 : 500 }
        var ann = t.member()
        let (id, _) = try register(ann)
        t.deposit(ann, t.openAccount(ann), 10)
        for _ in 0..<8 {
            try t.runJobs()
            t.clock.advance(seconds: 5_000)
        }
        ann.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
        var delivery = try XCTUnwrap(deliveries(ann, id).first)
        XCTAssertEqual(delivery["status"], "dead")
        XCTAssertEqual(delivery["attempts"], 8)
        XCTAssertEqual(delivery["last_status_code"], 500)
        XCTAssertEqual(delivery["next_attempt_at"], JSONValue.null)
        try t.runJobs()
        XCTAssertEqual(receiver.requests.count, 8, "a dead delivery is not tried again by itself")
        let did = try XCTUnwrap(delivery["id"]?.stringValue)
        healthy.store(true, ordering: .relaxed)
        let retried = t.post("/v1/webhooks/\(id)/deliveries/\(did)/retry", [:], token: ann.accessToken)
        XCTAssertEqual(retried.status, 202, retried.json.serializedString)
        XCTAssertEqual(retried["status"], "pending")
        try t.runJobs()
        delivery = try XCTUnwrap(deliveries(ann, id).first)
        XCTAssertEqual(delivery["status"], "succeeded")
        XCTAssertEqual(delivery["last_status_code"], 204)
        XCTAssertEqual(t.post("/v1/webhooks/\(id)/deliveries/\(did)/retry", [:], token: ann.accessToken).code, "invalid_transition")
    }

    /// A delivery whose webhook is disabled before its next attempt is dead, not succeeded: it
    /// was never delivered, is not tried again by itself, and a retry after re-enabling sends it.
    func testADeliveryForAWebhookDisabledSinceIsDeadAndARetryAfterReEnablingDeliversIt() throws {
        let healthy = Atomic<Bool>(false)
        receiver = try WebhookReceiver { _ in healthy.load(ordering: .relaxed) ? 200 : 500 }
        var ann = t.member()
        let (id, _) = try register(ann)
        t.deposit(ann, t.openAccount(ann), 10)
        try t.runJobs()
        XCTAssertEqual(deliveries(ann, id).first?["status"], "failed")
        XCTAssertEqual(t.send(.patch, "/v1/webhooks/\(id)", body: ["status": "disabled"], token: ann.accessToken)["status"], "disabled")
        healthy.store(true, ordering: .relaxed)
        t.clock.advance(seconds: 60)
        try t.runJobs()
        var delivery = try XCTUnwrap(deliveries(ann, id).first)
        XCTAssertEqual(delivery["status"], "dead")
        XCTAssertEqual(delivery["attempts"], 2)
        XCTAssertEqual(delivery["last_error"], "the webhook is deleted or disabled")
        XCTAssertEqual(receiver.requests.count, 1, "nothing was sent to a disabled webhook")
        t.clock.advance(seconds: 5_000)
        try t.runJobs()
        XCTAssertEqual(receiver.requests.count, 1, "a dead delivery is not tried again by itself")
        ann.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!

        XCTAssertEqual(t.send(.patch, "/v1/webhooks/\(id)", body: ["status": "enabled"], token: ann.accessToken)["status"], "enabled")
        let did = try XCTUnwrap(delivery["id"]?.stringValue)
        XCTAssertEqual(t.post("/v1/webhooks/\(id)/deliveries/\(did)/retry", [:], token: ann.accessToken).status, 202)
        try t.runJobs()
        delivery = try XCTUnwrap(deliveries(ann, id).first)
        XCTAssertEqual(delivery["status"], "succeeded")
        XCTAssertEqual(receiver.requests.count, 2)
    }

    func testARotatedSecretSignsBesideTheNewOneForADay() throws {
        receiver = try WebhookReceiver()
        let ann = t.member()
        let (id, old) = try register(ann)
        let rotated = t.post("/v1/webhooks/\(id)/rotate-secret", [:], token: ann.accessToken)
        XCTAssertEqual(rotated.status, 200)
        let new = try XCTUnwrap(rotated["secret"]?.stringValue)
        XCTAssertNotEqual(new, old)
        let a = t.openAccount(ann)
        t.deposit(ann, a, 10)
        try t.runJobs()
        var request = try XCTUnwrap(receiver.requests.last)
        var (time, v1) = signatures(request)
        XCTAssertEqual(v1, [hmac(new, time, request.body), hmac(old, time, request.body)])

        t.clock.advance(seconds: 86_400 + 1)
        var later = ann
        later.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
        t.deposit(later, a, 10)
        try t.runJobs()
        request = try XCTUnwrap(receiver.requests.last)
        (time, v1) = signatures(request)
        XCTAssertEqual(v1, [hmac(new, time, request.body)], "the old secret stopped signing after 24 h")
    }

    /// Each replaced secret signs for its own day (API.md: one `v1=` per live secret), so a second
    /// rotation does not cut the first one's overlap short; the list is bounded.
    func testEverySecretARotationReplacedSignsForItsOwnDay() throws {
        receiver = try WebhookReceiver()
        var ann = t.member()
        let (id, first) = try register(ann)
        let a = t.openAccount(ann)
        var secrets = [first]
        func rotate() throws -> String {
            let reply = t.post("/v1/webhooks/\(id)/rotate-secret", [:], token: ann.accessToken)
            XCTAssertEqual(reply.status, 200)
            return try XCTUnwrap(reply["secret"]?.stringValue)
        }
        func signedWith() throws -> [String] {
            t.deposit(ann, a, 10)
            try t.runJobs()
            let request = try XCTUnwrap(receiver.requests.last)
            return signatures(request).1.map { signature in
                secrets.first { hmac($0, signatures(request).0, request.body) == signature } ?? "an unknown secret"
            }
        }
        func later(hours: Int64) {
            t.clock.advance(seconds: hours * 3_600)
            ann.accessToken = t.post("/v1/auth/login", ["email": .string(ann.email), "password": .string(ann.password)])["access_token"]!.stringValue!
        }
        let second = try rotate()
        secrets.append(second)
        later(hours: 12)
        let third = try rotate()
        secrets.append(third)
        XCTAssertEqual(try signedWith(), [third, second, first], "newest first, the first still in its day")
        later(hours: 13)
        XCTAssertEqual(try signedWith(), [third, second], "the first secret's day is over")
        later(hours: 12)
        XCTAssertEqual(try signedWith(), [third])

        for _ in 0..<(Webhook.maxRetiredSecrets + 2) { secrets.append(try rotate()) }
        let signing = try signedWith()
        XCTAssertEqual(signing.count, Webhook.maxRetiredSecrets + 1, "the current secret and at most \(Webhook.maxRetiredSecrets) replaced ones")
        XCTAssertEqual(signing, Array(secrets.suffix(Webhook.maxRetiredSecrets + 1).reversed()), "the newest are kept")
    }

    func testDisablingUpdatingAndDeletingAndBadRequests() throws {
        receiver = try WebhookReceiver()
        let ann = t.member()
        let (id, _) = try register(ann)
        XCTAssertEqual(t.send(.patch, "/v1/webhooks/\(id)", body: ["status": "disabled"], token: ann.accessToken)["status"], "disabled")
        let a = t.openAccount(ann)
        t.deposit(ann, a, 10)
        try t.runJobs()
        XCTAssertEqual(receiver.requests.count, 0, "a disabled webhook gets nothing")
        let patched = t.send(.patch, "/v1/webhooks/\(id)", body: ["status": "enabled", "events": ["hold.created"]], token: ann.accessToken)
        XCTAssertEqual(patched["events"], ["hold.created"])
        t.deposit(ann, a, 10)
        XCTAssertEqual(t.post("/v1/holds", ["account_id": .string(a), "amount": 5], token: ann.accessToken).status, 201)
        try t.runJobs()
        XCTAssertEqual(receiver.requests.compactMap { try? JSONParser.parse($0.body)["type"]?.stringValue }, ["hold.created"])
        XCTAssertEqual(t.send(.delete, "/v1/webhooks/\(id)", token: ann.accessToken).status, 204)
        XCTAssertEqual(t.get("/v1/webhooks/\(id)", token: ann.accessToken).code, "not_found")
        XCTAssertEqual(try t.auditEvents(action: .webhookCreate).count, 1)
        XCTAssertEqual(try t.auditEvents(action: .webhookUpdate).count, 2)
        XCTAssertEqual(try t.auditEvents(action: .webhookDelete).count, 1)

        let bad = t.post("/v1/webhooks", ["url": "not a url", "events": ["transfer.melted"]], token: ann.accessToken)
        XCTAssertEqual(bad.code, "validation_failed")
        XCTAssertEqual(t.post("/v1/webhooks", ["url": "ftp://example.com/x", "events": ["*"]], token: ann.accessToken).code, "webhook_url_not_allowed")
        XCTAssertEqual(t.post("/v1/webhooks", ["url": .string(receiver.url), "events": []], token: ann.accessToken).code, "validation_failed")
    }

    /// With private targets off (production's default), URLs that reach this machine or its
    /// network are refused when registered. Only names are resolved; nothing is connected to.
    /// A rotation racing a DELETE, and a PATCH that disables racing one that changes the events,
    /// each from its own worker, a dozen times. On PostgreSQL the rotation found the webhook gone
    /// after its own read and trapped (taking the process down), and the second PATCH wrote the
    /// status it had read over the disable.
    func testConcurrentChangesOfOneWebhookNeitherTrapNorUndoEachOther() throws {
        receiver = try WebhookReceiver()
        let ann = t.member()
        for _ in 0..<12 {
            let (id, _) = try register(ann)
            let statuses = t.sendAtOnce([
                (.post, "/v1/webhooks/\(id)/rotate-secret", "{}", ann.accessToken), (.delete, "/v1/webhooks/\(id)", "", ann.accessToken),
            ])
            XCTAssertTrue([200, 404].contains(statuses[0]) && [204, 404].contains(statuses[1]), "\(statuses)")
            XCTAssertEqual(t.get("/v1/webhooks/\(id)", token: ann.accessToken).status, 404)
        }
        for _ in 0..<12 {
            let (id, _) = try register(ann)
            let statuses = t.sendAtOnce([
                (.patch, "/v1/webhooks/\(id)", #"{"status":"disabled"}"#, ann.accessToken),
                (.patch, "/v1/webhooks/\(id)", #"{"events":["hold.created"]}"#, ann.accessToken),
            ])
            XCTAssertEqual(statuses, [200, 200])
            let final = t.get("/v1/webhooks/\(id)", token: ann.accessToken)
            XCTAssertEqual(final["status"], "disabled")
            XCTAssertEqual(final["events"], ["hold.created"])
        }
    }

    func testPrivateLoopbackAndLinkLocalTargetsAreRefusedWhenPrivateTargetsAreOff() throws {
        t = try makeApp(webhooks: WebhookSettings())
        let ann = t.member()
        for url in [
            "https://127.0.0.1/hook", "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook",
            "https://localhost/hook", "https://192.168.1.20/hook", "https://[fd00::1]/hook", "https://[::ffff:127.0.0.1]/hook",
            "https://[64:ff9b::a9fe:a9fe]/hook", "https://[2002:a00:1::1]/hook", "https://[::127.0.0.1]/hook", "https://2130706433/hook",
        ] {
            let reply = t.post("/v1/webhooks", ["url": .string(url), "events": ["*"]], token: ann.accessToken)
            XCTAssertEqual(reply.code, "webhook_url_not_allowed", url)
            XCTAssertFalse(reply.json.serializedString.contains("resolves to 1"), "the answer names no internal address")
        }
        XCTAssertEqual(
            t.post("/v1/webhooks", ["url": "http://203.0.113.9/hook", "events": ["*"]], token: ann.accessToken).code, "webhook_url_not_allowed",
            "plain HTTP is for development and tests")
    }

    /// A refused URL is a 422 like any refusal: kept under its Idempotency-Key and replayed, even
    /// though the URL is resolved before the write.
    func testARefusedURLIsKeptUnderItsIdempotencyKey() throws {
        t = try makeApp(webhooks: WebhookSettings())
        let ann = t.member()
        let body: JSONValue = ["url": "https://10.0.0.1/hook", "events": ["*"]]
        let first = t.send(.post, "/v1/webhooks", body: body, token: ann.accessToken, headers: ["Idempotency-Key": "hook-1"])
        XCTAssertEqual(first.code, "webhook_url_not_allowed")
        XCTAssertNil(first.response.headerFields[.idempotentReplayed])
        let again = t.send(.post, "/v1/webhooks", body: body, token: ann.accessToken, headers: ["Idempotency-Key": "hook-1"])
        XCTAssertEqual(again.code, "webhook_url_not_allowed")
        XCTAssertEqual(again.response.headerFields[.idempotentReplayed], "true")
        XCTAssertEqual(again["detail"], first["detail"])
        let other = t.send(
            .post, "/v1/webhooks", body: ["url": "https://10.0.0.2/hook", "events": ["*"]], token: ann.accessToken,
            headers: ["Idempotency-Key": "hook-1"])
        XCTAssertEqual(other.code, "idempotency_key_mismatch")
        XCTAssertEqual(t.get("/v1/webhooks", token: ann.accessToken)["data"]?.arrayValue?.count, 0)
        XCTAssertEqual(t.post("/v1/webhooks", body, token: ann.accessToken).code, "webhook_url_not_allowed", "without a key, as before")
    }

    /// Support and admins read every user's webhooks and their deliveries (API.md: support has
    /// read-only access to everything); only the owner changes one, and to anyone else it is not found.
    func testSupportAndAdminsReadEveryonesWebhooksButOnlyTheOwnerChangesOne() throws {
        receiver = try WebhookReceiver()
        let ann = t.member()
        let bob = t.member()
        let (id, _) = try register(ann)
        t.deposit(ann, t.openAccount(ann), 10)
        try t.runJobs()
        for (reader, refusal) in [(try t.member(role: .support), "forbidden"), (try t.member(role: .admin), "not_found")] {
            XCTAssertEqual(t.get("/v1/webhooks/\(id)", token: reader.accessToken)["url"], .string(receiver.url))
            XCTAssertNil(t.get("/v1/webhooks/\(id)", token: reader.accessToken)["secret"], "the secret is never shown again")
            XCTAssertEqual(t.get("/v1/webhooks", token: reader.accessToken)["data"]?.arrayValue?.map { $0["id"] }, [.string(id)])
            XCTAssertEqual(t.get("/v1/webhooks/\(id)/deliveries", token: reader.accessToken)["data"]?.arrayValue?.first?["status"], "succeeded")
            // Support only reads (403 to any change); an admin changes only their own webhooks.
            XCTAssertEqual(t.send(.patch, "/v1/webhooks/\(id)", body: ["status": "disabled"], token: reader.accessToken).code, refusal)
            XCTAssertEqual(t.send(.delete, "/v1/webhooks/\(id)", token: reader.accessToken).code, refusal)
            XCTAssertEqual(t.send(.post, "/v1/webhooks/\(id)/rotate-secret", token: reader.accessToken).code, refusal)
        }
        let support = try t.member(role: .support)
        XCTAssertEqual(t.post("/v1/webhooks", ["url": .string(receiver.url), "events": ["*"]], token: support.accessToken).code, "forbidden")
        XCTAssertEqual(t.get("/v1/webhooks/\(id)", token: bob.accessToken).code, "not_found")
        XCTAssertEqual(t.get("/v1/webhooks/\(id)/deliveries", token: bob.accessToken).code, "not_found")
        XCTAssertEqual(t.get("/v1/webhooks", token: bob.accessToken)["data"]?.arrayValue?.count, 0)
        XCTAssertEqual(t.get("/v1/webhooks/\(id)", token: ann.accessToken)["status"], "enabled")
    }

    /// Existence and ownership (404) come before the URL's rule (422): a URL that would be
    /// refused tells nothing about someone else's webhook, nor about one that does not exist.
    func testChangingTheURLOfAnotherUsersWebhookIsNotFoundWhateverTheURL() throws {
        receiver = try WebhookReceiver()
        let ann = t.member()
        let bob = t.member()
        let (id, _) = try register(ann)
        for url in ["https://127.0.0.1/hook", "ftp://example.com/x", .string(receiver.url)] as [JSONValue] {
            XCTAssertEqual(t.send(.patch, "/v1/webhooks/\(id)", body: ["url": url], token: bob.accessToken).code, "not_found", "\(url)")
            XCTAssertEqual(t.send(.patch, "/v1/webhooks/no-such-webhook", body: ["url": url], token: ann.accessToken).code, "not_found", "\(url)")
        }
        XCTAssertEqual(t.send(.patch, "/v1/webhooks/\(id)", body: ["url": "ftp://example.com/x"], token: ann.accessToken).code, "webhook_url_not_allowed")
    }
}

extension WebhookTests {
    /// A URL allowed when registered is checked again at every delivery: a runner whose private
    /// targets are off refuses the loopback receiver before connecting, and records why.
    func testTheTargetIsCheckedAgainAtDelivery() throws {
        receiver = try WebhookReceiver()
        let ann = t.member()
        let (id, _) = try register(ann)
        t.deposit(ann, t.openAccount(ann), 10)
        var closed = WebhookSettings()
        closed.allowPlainHTTP = true
        let reports = try t.runJobs(webhooks: closed)
        XCTAssertTrue(reports.contains { $0.kind == .webhookDelivery && $0.outcome == .failed }, "\(reports)")
        XCTAssertEqual(receiver.requests.count, 0, "no connection was opened")
        let delivery = try XCTUnwrap(deliveries(ann, id).first)
        XCTAssertEqual(delivery["status"], "failed")
        XCTAssertEqual(delivery["last_status_code"], JSONValue.null)
        XCTAssertTrue(delivery["last_error"]?.stringValue?.contains("loopback") == true, delivery.serializedString)
    }
}

extension WebhookTests {
    /// The relay hands each event on once: run again from the start it adds nothing, and a
    /// webhook registered after an event never receives it, even one of the same millisecond (the
    /// clock stands still here; comparing times delivered the first deposit now and then).
    func testTheRelayHandsEachEventOnOnceAndOnlyToWebhooksThatExisted() throws {
        receiver = try WebhookReceiver()
        let ann = t.member()
        let a = t.openAccount(ann)
        t.clock.stop()
        t.deposit(ann, a, 10)
        let (id, _) = try register(ann)
        t.deposit(ann, a, 20)
        try t.runJobs()
        XCTAssertEqual(receiver.requests.compactMap { try? JSONParser.parse($0.body)["data"]?["amount"] }, [20], "the first deposit came before it")
        try t.sql.run("UPDATE outbox_cursors SET last_event_id = NULL")
        try t.runJobs()
        XCTAssertEqual(receiver.requests.count, 1, "relayed again from the start, nothing is delivered twice")
        XCTAssertEqual(deliveries(ann, id).count, 1)
    }
}

final class WebhookTestsOnPostgres: WebhookTests {
    override class var backend: TestBackend { .postgres }
    func testRunsOnPostgreSQL() { XCTAssertNotNil(t.sql.postgres) }
}
