/// The business rules of moving money, pure and in API.md's order: `account_not_active`,
/// `currency_mismatch`, `same_account`, `insufficient_funds`, `limit_exceeded`. The ledger calls
/// them inside its write transaction, on balances read under the write lock.
public enum LedgerRules {
    public struct Outflow: Sendable {
        public let available: Int64
        /// Withdrawals and transfers out already made today (UTC).
        public let usedToday: Int64
        public let dailyLimit: Int64

        public init(available: Int64, usedToday: Int64, dailyLimit: Int64) {
            self.available = available
            self.usedToday = usedToday
            self.dailyLimit = dailyLimit
        }
    }

    public static func requireActive(_ accounts: Account...) throws(AppError) {
        for account in accounts where account.status != .active {
            throw AppError(
                .accountNotActive, "Account \(account.id) is \(account.status.rawValue).",
                details: ["account_id": .string(account.id), "status": .string(account.status.rawValue)])
        }
    }

    public static func requireCurrency(_ requested: Currency?, matches held: Currency) throws(AppError) {
        guard let requested, requested != held else { return }
        throw AppError(
            .currencyMismatch, "The account holds \(held.code), not \(requested.code).",
            details: ["account_currency": .string(held.code), "requested_currency": .string(requested.code)])
    }

    public static func requireSameCurrency(from: Account, to: Account) throws(AppError) {
        guard from.currency != to.currency else { return }
        throw AppError(
            .currencyMismatch, "Cannot transfer \(from.currency.code) to an account in \(to.currency.code).",
            details: ["from_currency": .string(from.currency.code), "to_currency": .string(to.currency.code)])
    }

    public static func requireDistinct(from: Account, to: Account) throws(AppError) {
        guard from.id == to.id else { return }
        throw AppError(.sameAccount, "The source and destination accounts are the same.")
    }

    public static func requireOutflowAllowed(_ amount: Int64, _ outflow: Outflow) throws(AppError) {
        guard amount <= outflow.available else {
            throw AppError(
                .insufficientFunds, "Available balance \(outflow.available) is less than the requested \(amount).",
                details: ["available": .int(outflow.available), "requested": .int(amount)])
        }
        let remaining = outflow.dailyLimit - outflow.usedToday
        guard amount <= remaining else {
            throw AppError(
                .limitExceeded, "The daily outgoing limit of \(outflow.dailyLimit) leaves \(max(0, remaining)) today; \(amount) was requested.",
                details: [
                    "limit": .int(outflow.dailyLimit), "used_today": .int(outflow.usedToday),
                    "remaining": .int(max(0, remaining)), "requested": .int(amount),
                ])
        }
    }

    /// A balance after a credit; one above `maxBalance` (`COFFER_MAX_BALANCE`) is refused, so every
    /// stored balance and every sum of them stays far inside 64 bits.
    public static func credited(_ account: Account, by amount: Int64, maxBalance: Int64) throws(AppError) -> Int64 {
        guard let result = account.balance.addingChecked(amount), result <= maxBalance else {
            throw AppError(
                .balanceLimitExceeded, "A credit of \(amount) would take the balance above \(maxBalance).",
                details: ["account_id": .string(account.id), "max_balance": .int(maxBalance), "requested": .int(amount)])
        }
        return result
    }
}
