/// The statement cache's key: the SQL text, compared in full but hashed by its length and its
/// first and last bytes. Every statement a request runs is looked up by its text, hundreds of
/// bytes each, and hashing them whole was 3% of a transfer's instructions (callgrind). Texts that
/// agree in all three only share a bucket; equality still decides.
struct StatementKey: Hashable {
    let sql: String

    static let edgeBytes = 24

    static func == (lhs: StatementKey, rhs: StatementKey) -> Bool { lhs.sql == rhs.sql }

    func hash(into hasher: inout Hasher) {
        let utf8 = sql.utf8
        hasher.combine(utf8.count)
        let hashed: Void? = utf8.withContiguousStorageIfAvailable { bytes in
            let edge = Swift.min(Self.edgeBytes, bytes.count)
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.prefix(edge))))
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.suffix(edge))))
        }
        // A text not stored contiguously (bridged, in principle) is hashed the ordinary way.
        if hashed == nil { hasher.combine(sql) }
    }
}
