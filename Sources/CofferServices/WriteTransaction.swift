import CofferStore

/// The write transaction a service call runs in, as the layers above see it: they can pass it
/// from the idempotency wrapper to a service, and do nothing else with it (handlers never open
/// transactions and never reach the store).
public struct WriteTransaction {
    let db: any StoreWriter

    init(_ db: any StoreWriter) {
        self.db = db
    }
}
