import CofferCore
import CofferStore

/// Account holders as each role may see them: a user only their own, support and admin all.
public struct AccountHolderDirectory {
    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    public func list(for principal: Principal, page: PageRequest) throws -> Page<AccountHolder> {
        try store.read { db in try db.accountHolders(userID: principal.role.seesEverything ? nil : principal.userID, page: page) }
    }

    /// Someone else's holder is "not found", never "forbidden", so ids cannot be probed.
    public func holder(id: String, for principal: Principal) throws -> AccountHolder {
        guard let holder = try store.readOnce({ try $0.accountHolder(id: id) }), principal.role.seesEverything || holder.userID == principal.userID else {
            throw AppError(.notFound, "There is no account holder with this id.")
        }
        return holder
    }
}
