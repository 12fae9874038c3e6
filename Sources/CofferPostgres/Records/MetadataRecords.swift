import CofferCore
import CofferStore

extension PostgresSession {
    /// Indexes an owner's metadata for list filters, in the transaction that writes the owner;
    /// `replacing` drops what the owner had first (an account's `PATCH`).
    func indexMetadata(_ metadata: Metadata, owner: MetadataOwner, id: String, replacing: Bool = false) throws {
        if replacing {
            try deferredWrite("DELETE FROM metadata_entries WHERE owner = $1 AND owner_id = $2", [.text(owner.rawValue), .text(id)])
        }
        for (key, value) in metadata.sortedEntries {
            try deferredWrite(
                "INSERT INTO metadata_entries (owner, key, value, owner_id) VALUES ($1, $2, $3, $4)",
                [.text(owner.rawValue), .text(key), .text(value), .text(id)])
        }
    }
}
