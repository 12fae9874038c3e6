/// A page request as every list endpoint takes it: `limit`/`offset`, or an opaque keyset
/// `cursor` on lists that grow without bound.
public struct PageRequest: Sendable, Equatable {
    public let limit: Int
    public let offset: Int
    /// The sequence number to continue below (newest-first lists) or above (oldest-first).
    public let after: Int64?

    public init(limit: Int, offset: Int, after: Int64? = nil) {
        self.limit = limit
        self.offset = offset
        self.after = after
    }
}

public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let total: Int
    /// Where the next page starts, when there is one and the list is keyset-paged.
    public let nextAfter: Int64?

    public init(items: [Item], total: Int, nextAfter: Int64?) {
        self.items = items
        self.total = total
        self.nextAfter = nextAfter
    }
}

extension Page {
    /// A keyset page from rows fetched with `LIMIT limit + 1`: the extra row, when present, only
    /// says there is more, and the last kept row's sequence is where the next page starts.
    public static func keyset(_ rows: [(sequence: Int64, item: Item)], limit: Int, total: Int) -> Page {
        let more = rows.count > limit
        let kept = more ? Array(rows.prefix(limit)) : rows
        return Page(items: kept.map(\.item), total: total, nextAfter: more ? kept.last?.sequence : nil)
    }
}
