import CofferCore
import CofferStore

/// How a store failure reaches a client: a database that is busy past its timeout or cannot be
/// reached is a temporary outage (503 with Retry-After), not a bug. Anything else is left to the
/// application's 500.
public enum StoreFailures {
    public static func catalogueError(for error: any Error) -> AppError? {
        guard let storeError = error as? StoreError, storeError.isTemporary else { return nil }
        return AppError(.serviceUnavailable, retryAfterSeconds: 1)
    }
}
