/// What a `metadata_entries` row indexes; each owner's rows point at its ids.
public enum MetadataOwner: String, Sendable {
    case account, transaction, transfer, hold
}
