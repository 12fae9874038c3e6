import CofferCore
import CofferOutbound
import CofferStore
import CoreMetrics

/// One attempt at a `webhook_delivery` job: read what to send, check the target again, POST it
/// (outside any transaction, 10 s at most), record what the receiver answered. Anything but a
/// 2xx throws, so the job runner backs off and, after the last attempt, declares it dead; a
/// webhook deleted or disabled since the event makes it dead at once.
struct WebhookDelivering {
    let settings: WebhookSettings
    let clock: Clock

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    func deliver(_ job: Job, on store: any Store) throws {
        guard let deliveryID = job.payload["delivery_id"]?.stringValue else { throw Refused(description: "the job names no delivery") }
        let found = try store.read { db -> (WebhookDelivery, Webhook?, Event)? in
            guard let delivery = try db.delivery(id: deliveryID), let event = try db.event(id: delivery.eventID) else { return nil }
            return (delivery, try db.webhook(id: delivery.webhookID), event)
        }
        guard let (delivery, webhook, event) = found else { throw Refused(description: "the delivery or its event is gone") }
        guard let webhook, webhook.status == .enabled else {
            // Deleted or disabled since: nothing was sent, and nothing will be by itself. Dead,
            // not succeeded, so the deliveries list says so and a retry after re-enabling sends it.
            let reason = "the webhook is deleted or disabled"
            try store.write { try $0.recordDeliveryAttempt(id: delivery.id, statusCode: nil, error: reason) }
            Self.count("skipped")
            throw FinalFailure(description: reason)
        }
        let outcome: OutboundPost.Outcome
        do {
            let target = try WebhookTarget.parse(webhook.url, allowPlainHTTP: settings.allowPlainHTTP)
            let address = try target.address(allowPrivate: settings.allowPrivateTargets)
            let body = event.json.serialized()
            let now = clock.now()
            outcome = OutboundPost.post(
                url: target.url, port: target.port, address: address,
                headers: [
                    ("Content-Type", "application/json"), ("User-Agent", "Coffer-Webhooks/\(CofferVersion.current)"),
                    ("Coffer-Event-Id", event.id),
                    ("Coffer-Signature", WebhookSignature.header(secrets: webhook.signingSecrets(at: now), at: now, body: body)),
                ], body: body, timeoutSeconds: settings.timeoutSeconds)
        } catch {
            outcome = .failed("URL not allowed: \(error)")
        }
        switch outcome {
        case let .answered(status) where (200...299).contains(status):
            Self.count("delivered")
            try store.write { try $0.recordDeliveryAttempt(id: delivery.id, statusCode: status, error: nil) }
        case let .answered(status):
            Self.count("rejected")
            try store.write { try $0.recordDeliveryAttempt(id: delivery.id, statusCode: status, error: "the receiver answered \(status)") }
            throw Refused(description: "the receiver answered \(status)")
        case let .failed(reason):
            Self.count("unreachable")
            try store.write { try $0.recordDeliveryAttempt(id: delivery.id, statusCode: nil, error: reason) }
            throw Refused(description: reason)
        }
    }

    /// Attempts by outcome: `delivered` (2xx), `rejected` (any other answer), `unreachable` (no
    /// answer, or a URL no longer allowed), `skipped` (the webhook is gone or disabled). A delivery
    /// that runs out of attempts, or is skipped, shows in
    /// `coffer_jobs_finished_total{kind="webhook_delivery",outcome="dead"}`.
    private static func count(_ outcome: String) {
        Counter(label: "coffer_webhook_deliveries_total", dimensions: [("outcome", outcome)]).increment()
    }
}
