import CofferCore

extension StoredUser {
    /// Columns: id, email, role, status, created_at, password_hash, plan.
    public init(row: some RecordRow) {
        guard let role = Role(rawValue: row.text(2)), let status = UserStatus(rawValue: row.text(3)), let plan = Plan(rawValue: row.text(6))
        else {
            preconditionFailure("users row with unknown role, status or plan")
        }
        self.init(
            user: User(id: row.text(0), email: row.text(1), role: role, status: status, plan: plan, createdAt: row.timestamp(4)),
            passwordHash: row.text(5))
    }
}

extension AccountHolder {
    /// Columns: id, user_id, first_name, last_name, dob, created_at.
    public init(row: some RecordRow) {
        guard let dob = CivilDate(iso8601: row.text(4)) else { preconditionFailure("account_holders row with a malformed dob") }
        self.init(
            id: row.text(0), userID: row.text(1), firstName: row.text(2), lastName: row.text(3), dateOfBirth: dob,
            createdAt: row.timestamp(5))
    }
}

extension Account {
    /// Columns: id, holder_id, the holder's user_id, type, currency, balance, status, created_at,
    /// metadata.
    public init(row: some RecordRow) {
        guard let type = AccountType(rawValue: row.text(3)), let currency = Currency(code: row.text(4)),
            let status = AccountStatus(rawValue: row.text(6))
        else {
            preconditionFailure("accounts row with unknown type, currency or status")
        }
        self.init(
            id: row.text(0), holderID: row.text(1), ownerUserID: row.text(2), type: type, currency: currency,
            balance: row.int64(5), status: status, createdAt: row.timestamp(7), metadata: Metadata(storedText: row.optionalText(8)))
    }

    /// Columns: those of `init(row:)`, then the sum of the account's pending holds.
    public init(rowWithPendingHolds row: some RecordRow) {
        self = Account(row: row).with(pendingHolds: row.int64(9))
    }
}

extension Card {
    /// Columns: id, account_id, type, last4, exp_month, exp_year, status, created_at.
    public init(row: some RecordRow) {
        guard let type = CardType(rawValue: row.text(2)), let status = CardStatus(rawValue: row.text(6)) else {
            preconditionFailure("cards row with unknown type or status")
        }
        self.init(
            id: row.text(0), accountID: row.text(1), type: type, last4: row.text(3), expiryMonth: Int(row.int64(4)),
            expiryYear: Int(row.int64(5)), status: status, createdAt: row.timestamp(7))
    }
}

extension LedgerTransaction {
    /// Columns: seq, id, account_id, type, amount (signed), currency, balance_after, description,
    /// transfer_id, created_at, metadata, reverses_id, reversed_by.
    public init(row: some RecordRow) {
        guard let type = TransactionType(rawValue: row.text(3)), let currency = Currency(code: row.text(5)) else {
            preconditionFailure("postings row with unknown type or currency")
        }
        self.init(
            id: row.text(1), accountID: row.text(2), type: type, amount: abs(row.int64(4)), currency: currency,
            balanceAfter: row.int64(6), description: row.optionalText(7), transferID: row.optionalText(8), createdAt: row.timestamp(9),
            metadata: Metadata(storedText: row.optionalText(10)), reversesID: row.optionalText(11), reversedBy: row.optionalText(12))
    }
}

extension Transfer {
    /// Columns: seq, id, from_account_id, to_account_id, amount, currency, description, created_at,
    /// metadata, reverses_id, reversed_by.
    public init(row: some RecordRow) {
        guard let currency = Currency(code: row.text(5)) else { preconditionFailure("transfers row with unknown currency") }
        self.init(
            id: row.text(1), fromAccountID: row.text(2), toAccountID: row.text(3), amount: row.int64(4), currency: currency,
            description: row.optionalText(6), createdAt: row.timestamp(7), metadata: Metadata(storedText: row.optionalText(8)),
            reversesID: row.optionalText(9), reversedBy: row.optionalText(10))
    }
}

extension Hold {
    /// Columns: id, account_id, card_id, amount, captured_amount, currency, status, description,
    /// metadata, expires_at, created_at, updated_at.
    public init(row: some RecordRow) {
        guard let currency = Currency(code: row.text(5)), let status = HoldStatus(rawValue: row.text(6)) else {
            preconditionFailure("holds row with unknown currency or status")
        }
        self.init(
            id: row.text(0), accountID: row.text(1), cardID: row.optionalText(2), amount: row.int64(3), capturedAmount: row.int64(4),
            currency: currency, storedStatus: status, description: row.optionalText(7), metadata: Metadata(storedText: row.optionalText(8)),
            expiresAt: row.timestamp(9), createdAt: row.timestamp(10), updatedAt: row.timestamp(11))
    }
}

extension AuditEvent {
    /// Columns: seq, id, at, actor_id, action, target_type, target_id, outcome, reason,
    /// request_id, ip, server_request_id.
    public init(row: some RecordRow) {
        guard let action = Action(rawValue: row.text(4)), let outcome = Outcome(rawValue: row.text(7)) else {
            preconditionFailure("audit_events row with unknown action or outcome")
        }
        self.init(
            id: row.text(1), at: row.timestamp(2), actorID: row.optionalText(3), action: action, targetType: row.optionalText(5),
            targetID: row.optionalText(6), outcome: outcome, reason: row.optionalText(8), requestID: row.optionalText(9),
            serverRequestID: row.optionalText(11), ip: row.optionalText(10))
    }
}

extension StoredRefreshToken {
    /// Columns: id, family_id, user_id, issued_at, expires_at, rotated_at, revoked_at.
    public init(row: some RecordRow) {
        self.init(
            id: row.text(0), familyID: row.text(1), userID: row.text(2), issuedAt: row.timestamp(3), expiresAt: row.timestamp(4),
            rotatedAt: row.optionalTimestamp(5), revokedAt: row.optionalTimestamp(6))
    }
}

extension IdempotencyRecord {
    /// Columns: fingerprint, status, headers, body.
    public init(row: some RecordRow) {
        self.init(fingerprint: row.blob(0), response: StoredResponse(status: Int(row.int64(1)), headers: row.text(2), body: row.blob(3)))
    }
}

extension Event {
    /// The columns `init(row:)` reads, in its order.
    public static let storedColumns = "id, type, created_at, data, user_id, other_user_id, seq"

    public init(row: some RecordRow) {
        guard let type = EventType(rawValue: row.text(1)), let data = try? JSONParser.parse(row.text(3)) else {
            preconditionFailure("events row with an unknown type or unreadable data")
        }
        self.init(
            id: row.text(0), type: type, createdAt: row.timestamp(2), data: data,
            userIDs: [row.text(4)] + (row.optionalText(5).map { [$0] } ?? []), seq: row.int64(6))
    }
}

extension OutboxEntry {
    /// The columns `init(row:)` reads, in its order.
    public static let storedColumns = "id, type, user_id, other_user_id, seq"

    public init(row: some RecordRow) {
        guard let type = EventType(rawValue: row.text(1)) else { preconditionFailure("events row with an unknown type") }
        self.init(id: row.text(0), type: type, userIDs: [row.text(2)] + (row.optionalText(3).map { [$0] } ?? []), seq: row.int64(4))
    }
}

extension Job {
    /// Columns: id, kind, payload, run_key, status, attempts, max_attempts, run_at, last_error, created_at.
    public init(row: some RecordRow) {
        guard let kind = JobKind(rawValue: row.text(1)), let status = JobStatus(rawValue: row.text(4)),
            let payload = try? JSONParser.parse(row.text(2))
        else {
            preconditionFailure("jobs row with an unknown kind or status, or unreadable payload")
        }
        self.init(
            id: row.text(0), kind: kind, payload: payload, runKey: row.optionalText(3), status: status, attempts: Int(row.int64(5)),
            maxAttempts: Int(row.int64(6)), runAt: row.timestamp(7), lastError: row.optionalText(8), createdAt: row.timestamp(9))
    }
}

extension Webhook {
    /// The columns `init(row:)` reads, in its order; `events` and `retired_secrets` are JSON arrays.
    public static let storedColumns = """
        id, user_id, url, events, description, status, secret, retired_secrets, created_at, after_event_seq
        """

    public init(row: some RecordRow) {
        guard let status = Webhook.Status(rawValue: row.text(5)), case let .array(events)? = try? JSONParser.parse(row.text(3)),
            let retired = RetiredSecret.list(storedText: row.text(7))
        else {
            preconditionFailure("webhooks row with an unknown status, or unreadable events or retired secrets")
        }
        self.init(
            id: row.text(0), userID: row.text(1), url: row.text(2), events: events.compactMap(\.stringValue), description: row.optionalText(4),
            status: status, secret: row.text(6), retiredSecrets: retired, createdAt: row.timestamp(8), afterEventSeq: row.int64(9))
    }
}

extension WebhookDelivery {
    /// Columns: id, webhook_id, event_id, event_type, job_id, the job's status and attempts,
    /// last_status_code, last_error, the job's run_at, created_at.
    public init(row: some RecordRow) {
        guard let job = JobStatus(rawValue: row.text(5)) else { preconditionFailure("jobs row with an unknown status") }
        let status: WebhookDelivery.Status =
            switch job {
            case .queued, .running: .pending
            case .succeeded: .succeeded
            case .failed: .failed
            case .dead: .dead
            }
        self.init(
            id: row.text(0), webhookID: row.text(1), eventID: row.text(2), eventType: row.text(3), jobID: row.text(4), status: status,
            attempts: Int(row.int64(6)), lastStatusCode: row.isNull(7) ? nil : Int(row.int64(7)), lastError: row.optionalText(8),
            nextAttemptAt: status == .pending || status == .failed ? row.timestamp(9) : nil, createdAt: row.timestamp(10))
    }
}

extension ScheduledTransfer {
    /// Columns: id, user_id, from_account_id, to_account_id, amount, currency, description, metadata,
    /// start_date, interval, end_date, status, next_run_on, created_at (dates as days since the epoch).
    public init(row: some RecordRow) {
        guard let interval = Interval(rawValue: row.text(9)), let status = Status(rawValue: row.text(11)) else {
            preconditionFailure("scheduled_transfers row with an unknown interval or status")
        }
        self.init(
            id: row.text(0), userID: row.text(1), fromAccountID: row.text(2), toAccountID: row.text(3), amount: row.int64(4),
            currency: row.optionalText(5).flatMap(Currency.init(code:)), description: row.optionalText(6),
            metadata: Metadata(storedText: row.optionalText(7)), startDate: CivilDate(daysSinceEpoch: row.int64(8)), interval: interval,
            endDate: row.isNull(10) ? nil : CivilDate(daysSinceEpoch: row.int64(10)), status: status,
            nextRunOn: row.isNull(12) ? nil : CivilDate(daysSinceEpoch: row.int64(12)), createdAt: row.timestamp(13))
    }
}

extension ScheduledRun {
    /// Columns: id, schedule_id, run_on, outcome, transfer_id, error_code, error_message, created_at.
    public init(row: some RecordRow) {
        guard let outcome = Outcome(rawValue: row.text(3)) else { preconditionFailure("scheduled_transfer_runs row with an unknown outcome") }
        self.init(
            id: row.text(0), scheduleID: row.text(1), runOn: CivilDate(daysSinceEpoch: row.int64(2)), outcome: outcome,
            transferID: row.optionalText(4), errorCode: row.optionalText(5), errorMessage: row.optionalText(6), createdAt: row.timestamp(7))
    }
}

extension Export {
    /// Columns: id, user_id, account_id, from_date, to_date, group_by, format, status, progress,
    /// rows, error, expires_at, created_at.
    public init(row: some RecordRow) {
        guard let grouping = Grouping(rawValue: row.text(5)), let format = Format(rawValue: row.text(6)),
            let status = Status(rawValue: row.text(7))
        else { preconditionFailure("exports row with an unknown grouping, format or status") }
        self.init(
            id: row.text(0), userID: row.text(1), accountID: row.optionalText(2), from: CivilDate(daysSinceEpoch: row.int64(3)),
            to: CivilDate(daysSinceEpoch: row.int64(4)), groupBy: grouping, format: format, status: status, progress: Int(row.int64(8)),
            rows: Int(row.int64(9)), error: row.optionalText(10), expiresAt: row.optionalTimestamp(11), createdAt: row.timestamp(12))
    }
}
