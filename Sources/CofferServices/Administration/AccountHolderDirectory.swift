import CofferCore
import CofferStore

/// Account holders as each role may see them: a user only their own, support and admin all.
public struct AccountHolderDirectory {
    let db: Database

    public init(db: Database) {
        self.db = db
    }

    public func list(for principal: Principal, page: PageRequest) throws -> Page<AccountHolder> {
        try db.read { db in try db.accountHolders(userID: principal.role.seesEverything ? nil : principal.userID, page: page) }
    }

    /// Someone else's holder is "not found", never "forbidden", so ids cannot be probed.
    public func holder(id: String, for principal: Principal) throws -> AccountHolder {
        guard let holder = try db.accountHolder(id: id), principal.role.seesEverything || holder.userID == principal.userID else {
            throw AppError(.notFound, "There is no account holder with this id.")
        }
        return holder
    }
}
