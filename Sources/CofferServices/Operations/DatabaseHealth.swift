import CofferStore

/// What the health checks ask of the database: does this worker's store answer.
public struct DatabaseHealth {
    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    public var isUp: Bool { store.ping() }
}
