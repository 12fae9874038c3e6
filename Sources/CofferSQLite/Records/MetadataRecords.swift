import CofferCore
import CofferStore

extension Database {
    /// Indexes an owner's metadata for list filters, in the transaction that writes the owner;
    /// `replacing` drops what the owner had first (an account's `PATCH`).
    func indexMetadata(_ metadata: Metadata, owner: MetadataOwner, id: String, replacing: Bool = false) throws {
        if replacing {
            try run("DELETE FROM metadata_entries WHERE owner = ? AND owner_id = ?", [.text(owner.rawValue), .text(id)])
        }
        for (key, value) in metadata.sortedEntries {
            try run(
                "INSERT INTO metadata_entries (owner, key, value, owner_id) VALUES (?, ?, ?, ?)",
                [.text(owner.rawValue), .text(key), .text(value), .text(id)])
        }
    }
}
