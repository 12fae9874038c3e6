import CofferCore
import CofferOutbound
import CofferStore

/// A user's webhook endpoints (API.md "Events and webhooks"): register, read, change, delete,
/// rotate the secret, and read and retry deliveries. Each user sees only their own; another's is
/// "not found".
public struct WebhookService {
    let store: any Store
    let settings: WebhookSettings
    let clock: Clock

    public init(store: any Store, settings: WebhookSettings, clock: Clock = .system) {
        self.store = store
        self.settings = settings
        self.clock = clock
    }

    /// A URL that passed `checkedURL`: only such a one is registered.
    public struct CheckedURL: Sendable {
        let url: String
    }

    /// The URL as it may be registered: its scheme allowed and every address it resolves to
    /// public (unless private targets are on). Resolving opens no connection, but may wait on
    /// DNS: callers check before their write transaction, never inside it.
    public func checkedURL(_ url: String) throws -> CheckedURL {
        do {
            let target = try WebhookTarget.parse(url, allowPlainHTTP: settings.allowPlainHTTP)
            _ = try target.address(allowPrivate: settings.allowPrivateTargets)
            return CheckedURL(url: target.url)
        } catch {
            throw AppError(.webhookURLNotAllowed, "The webhook URL \(error).", details: ["url": .string(url), "reason": .string("\(error)")])
        }
    }

    public func create(
        in tx: WriteTransaction, url: CheckedURL, events: [String], description: String?, by principal: Principal, origin: RequestOrigin
    ) throws -> Webhook {
        let now = clock.now()
        let webhook = Webhook(
            id: Identifier.make(at: now), userID: principal.userID, url: url.url, events: events, description: description,
            status: .enabled, secret: WebhookSignature.newSecret(), createdAt: now)
        try tx.db.insertWebhook(webhook)
        try AuditRecorder(origin: origin, clock: clock).record(tx.db, .webhookCreate, actor: principal.userID, target: ("webhook", webhook.id))
        return webhook
    }

    /// Support and admins read every user's webhooks (API.md: support has read-only access to
    /// everything); only the owner changes one.
    public func webhook(_ id: String, for principal: Principal) throws -> Webhook {
        try store.read { db in try visible(id, principal, db) }
    }

    public func list(for principal: Principal, page: PageRequest) throws -> Page<Webhook> {
        try store.read { db in try db.webhooks(userID: principal.role.seesEverything ? nil : principal.userID, page: page) }
    }

    public func update(
        _ id: String, url: String?, events: [String]?, status: Webhook.Status?, by principal: Principal, origin: RequestOrigin
    ) throws -> Webhook {
        // Existence and ownership (404) come before the URL's rule (422), but the URL is resolved
        // outside the write transaction: someone else's webhook is refused by this read first.
        if url != nil { _ = try store.read { db in try own(id, principal, db) } }
        let checked = try url.map(checkedURL)
        return try store.write { db in
            let changed = try ownLocked(id, principal, db).with(url: checked?.url, events: events, status: status)
            try db.updateWebhook(changed)
            try AuditRecorder(origin: origin, clock: clock).record(db, .webhookUpdate, actor: principal.userID, target: ("webhook", id))
            return changed
        }
    }

    public func delete(_ id: String, by principal: Principal, origin: RequestOrigin) throws {
        try store.write { db in
            _ = try ownLocked(id, principal, db)
            try db.deleteWebhook(id: id, at: clock.now())
            try AuditRecorder(origin: origin, clock: clock).record(db, .webhookDelete, actor: principal.userID, target: ("webhook", id))
        }
    }

    /// A new secret; the old one keeps signing beside it for 24 hours, as do those replaced before
    /// it within their own 24 hours.
    public func rotateSecret(_ id: String, by principal: Principal, origin: RequestOrigin) throws -> Webhook {
        try store.write { db in
            // Locked, so a DELETE or another rotation cannot commit between this read and the write.
            let current = try ownLocked(id, principal, db)
            try db.rotateWebhookSecret(id: id, to: WebhookSignature.newSecret(), retired: current.retiring(at: clock.now()))
            try AuditRecorder(origin: origin, clock: clock).record(db, .webhookRotateSecret, actor: principal.userID, target: ("webhook", id))
            guard let rotated = try db.webhook(id: id) else { throw AppError(.notFound, "There is no webhook with this id.") }
            return rotated
        }
    }

    public func deliveries(_ id: String, for principal: Principal, page: PageRequest) throws -> Page<WebhookDelivery> {
        try store.read { db in
            _ = try visible(id, principal, db)
            return try db.deliveries(webhookID: id, page: page)
        }
    }

    /// A dead or failed delivery is tried again now, with fresh attempts.
    public func retryDelivery(_ deliveryID: String, of id: String, by principal: Principal) throws -> WebhookDelivery {
        try store.write { db in
            _ = try ownLocked(id, principal, db)
            guard let delivery = try db.delivery(id: deliveryID), delivery.webhookID == id else {
                throw AppError(.notFound, "There is no delivery with this id.")
            }
            guard try db.retryJob(id: delivery.jobID, at: clock.now()), let queued = try db.delivery(id: deliveryID) else {
                throw AppError(
                    .invalidTransition, "Only a dead or failed delivery can be retried; this one is \(delivery.status.rawValue).",
                    details: ["status": .string(delivery.status.rawValue)])
            }
            return queued
        }
    }

    private func visible(_ id: String, _ principal: Principal, _ db: any StoreReader) throws -> Webhook {
        guard let webhook = try db.webhook(id: id), webhook.userID == principal.userID || principal.role.seesEverything else {
            throw AppError(.notFound, "There is no webhook with this id.")
        }
        return webhook
    }

    /// Someone else's webhook is "not found" to a change, whoever asks.
    private func own(_ id: String, _ principal: Principal, _ db: any StoreReader) throws -> Webhook {
        try owned(db.webhook(id: id), by: principal)
    }

    /// The caller's own webhook, held until the transaction ends: on PostgreSQL a concurrent PATCH
    /// or DELETE then waits instead of writing over this change (or deleting it half-way).
    private func ownLocked(_ id: String, _ principal: Principal, _ db: any StoreWriter) throws -> Webhook {
        try owned(db.webhookForUpdate(id: id), by: principal)
    }

    private func owned(_ webhook: Webhook?, by principal: Principal) throws -> Webhook {
        guard let webhook, webhook.userID == principal.userID else {
            throw AppError(.notFound, "There is no webhook with this id.")
        }
        return webhook
    }
}
