import CofferCore
import CofferHTTP
import CofferServices

/// `/v1/webhooks`: a user's endpoints for events, their secrets and their deliveries.
struct WebhookHandlers {
    let webhooks: WebhookService
    let authenticator: Authenticator
    let writes: IdempotentResponses

    func register(in router: inout Router) {
        router.add(.post, "/v1/webhooks") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let url = fields.string("url", maxLength: 2000)
            let events = Self.eventTypes(&fields, required: true)
            let description = fields.description()
            try fields.finish()
            let write = try writes.request(context, principal: principal)
            if let earlier = try writes.earlierAnswer(context, write) { return earlier }
            // Resolved here, before the write transaction: DNS may be slow, the committer must not wait
            // on it. A refused URL is thrown inside the write, so an Idempotency-Key keeps that 422
            // as it keeps every refusal (API.md "Idempotency").
            let checked = Result { try webhooks.checkedURL(url!) }
            return try writes.run(
                context, write,
                perform: { tx in
                    try webhooks.create(
                        in: tx, url: checked.get(), events: events!, description: description, by: principal, origin: context.origin)
                },
                render: { webhook in
                    var response = Response.json(Self.json(webhook, secret: true), status: .created)
                    response.headerFields[.location] = "/v1/webhooks/\(webhook.id)"
                    return response
                })
        }
        router.add(.get, "/v1/webhooks") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: [])
            return .json(Representation.list(try webhooks.list(for: principal, page: query.page), request: query.page) { Self.json($0) })
        }
        router.add(.get, "/v1/webhooks/{id}") { context in
            let principal = try authenticator.principal(&context)
            return .json(Self.json(try webhooks.webhook(context.parameter("id"), for: principal)))
        }
        router.add(.patch, "/v1/webhooks/{id}") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            var fields = try RequestBody.fields(of: context.request)
            let url = fields.string("url", required: false, maxLength: 2000)
            let events = Self.eventTypes(&fields, required: false)
            let status = fields.choice("status", of: Webhook.Status.allCases.map(\.rawValue), required: false).flatMap(Webhook.Status.init)
            if fields.problems.isEmpty, url == nil, events == nil, status == nil { fields.fail("url", "or events or status is required") }
            try fields.finish()
            let webhook = try webhooks.update(context.parameter("id"), url: url, events: events, status: status, by: principal, origin: context.origin)
            return .json(Self.json(webhook))
        }
        router.add(.delete, "/v1/webhooks/{id}") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            try webhooks.delete(context.parameter("id"), by: principal, origin: context.origin)
            return Response(status: .noContent)
        }
        router.add(.post, "/v1/webhooks/{id}/rotate-secret") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            try RequestBody.emptyOrObject(context.request)
            return .json(Self.json(try webhooks.rotateSecret(context.parameter("id"), by: principal, origin: context.origin), secret: true))
        }
        router.add(.get, "/v1/webhooks/{id}/deliveries") { context in
            let principal = try authenticator.principal(&context)
            let query = try ListQuery(context.request, filters: [], keyset: "deliveries")
            let page = try webhooks.deliveries(context.parameter("id"), for: principal, page: query.page)
            return .json(Representation.list(page, request: query.page, Self.json(delivery:)))
        }
        router.add(.post, "/v1/webhooks/{id}/deliveries/{did}/retry") { context in
            let principal = try authenticator.principal(&context, roles: [.user, .admin])
            try RequestBody.emptyOrObject(context.request)
            let delivery = try webhooks.retryDelivery(context.parameter("did"), of: context.parameter("id"), by: principal)
            return .json(Self.json(delivery: delivery), status: .accepted)
        }
    }

    /// `events`: a non-empty array of event types, or `["*"]` for every type.
    static func eventTypes(_ fields: inout FieldReader, required: Bool) -> [String]? {
        guard let elements = fields.array("events", required: required) else { return nil }
        let names = elements.compactMap(\.stringValue)
        let known = Set(EventType.allCases.map(\.rawValue))
        guard !names.isEmpty, names.count == elements.count, names == ["*"] || names.allSatisfy(known.contains) else {
            fields.fail("events", "must be [\"*\"] or a non-empty list of event types (\(EventType.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        var distinct: [String] = []
        for name in names where !distinct.contains(name) { distinct.append(name) }
        return distinct
    }

    /// The secret is shown only when it is new: at creation and rotation.
    static func json(_ webhook: Webhook, secret: Bool = false) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(webhook.id)), ("url", .string(webhook.url)), ("events", .array(webhook.events.map(JSONValue.string))),
            ("description", webhook.description.map(JSONValue.string) ?? .null), ("status", .string(webhook.status.rawValue)),
        ]
        if secret { members.append(("secret", .string(webhook.secret))) }
        members.append(("created_at", .string(webhook.createdAt.rfc3339)))
        return .object(members)
    }

    static func json(delivery: WebhookDelivery) -> JSONValue {
        [
            "id": .string(delivery.id), "event_id": .string(delivery.eventID), "event_type": .string(delivery.eventType),
            "status": .string(delivery.status.rawValue), "attempts": .int(delivery.attempts),
            "last_status_code": delivery.lastStatusCode.map { .int($0) } ?? .null, "last_error": delivery.lastError.map(JSONValue.string) ?? .null,
            "next_attempt_at": delivery.nextAttemptAt.map { .string($0.rfc3339) } ?? .null, "created_at": .string(delivery.createdAt.rfc3339),
        ]
    }
}
