/// A page request as every list endpoint takes it: `limit`/`offset`, or an opaque keyset
/// `cursor` on lists that grow without bound.
public struct PageRequest: Sendable, Equatable {
    public let limit: Int
    public let offset: Int
    /// The id of the item to continue after, in the list's own order. Cursors carry an item the
    /// caller has already seen, never a bank-wide counter, so they tell nothing about anyone else.
    public let after: String?
    /// The list a cursor belongs to (`transactions`, `transfers`, …); a cursor of another list is refused.
    public let scope: String?

    public init(limit: Int, offset: Int, after: String? = nil, scope: String? = nil) {
        self.limit = limit
        self.offset = offset
        self.after = after
        self.scope = scope
    }
}

public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let total: Int
    /// Where the next page starts, when there is one and the list is keyset-paged.
    public let nextAfter: String?

    public init(items: [Item], total: Int, nextAfter: String?) {
        self.items = items
        self.total = total
        self.nextAfter = nextAfter
    }
}

extension Page {
    /// A keyset page from rows fetched with `LIMIT limit + 1`: the extra row, when present, only
    /// says there is more, and the last kept row's id is where the next page starts.
    /// The same, for items that carry their own id.
    public static func keyset(_ items: [Item], id: KeyPath<Item, String>, limit: Int, total: Int) -> Page {
        keyset(items.map { (id: $0[keyPath: id], item: $0) }, limit: limit, total: total)
    }

    /// A page of a feed that is polled (the outbox), from at most `limit` rows: the last
    /// item read is always where the next page starts, full page or not, so a poller that has read
    /// to the end still holds a cursor to ask again from and reads every item once. Only an empty
    /// page answers none (the poller keeps the cursor it asked with).
    public static func feed(_ items: [Item], id: KeyPath<Item, String>, limit: Int, total: Int) -> Page {
        let kept = Array(items.prefix(limit))
        return Page(items: kept, total: total, nextAfter: kept.last?[keyPath: id])
    }

    public static func keyset(_ rows: [(id: String, item: Item)], limit: Int, total: Int) -> Page {
        let more = rows.count > limit
        let kept = more ? Array(rows.prefix(limit)) : rows
        return Page(items: kept.map(\.item), total: total, nextAfter: more ? kept.last?.id : nil)
    }
}
