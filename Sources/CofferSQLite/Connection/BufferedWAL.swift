import CSQLite3

#if canImport(Glibc)
import Glibc
#endif

/// The unix VFS, except that a connection's WAL writes are gathered in a buffer and handed on in
/// as few writes as it takes. Every connection whose commits sync the WAL opens it (`Database`);
/// only the committer's writer writes much, and a connection that never writes never allocates
/// the buffer.
///
/// SQLite writes each WAL frame with two `pwrite(2)` calls, its 24-byte header and then the page.
/// A group commit of ~70 pages was ~140 system calls; `strace -c` under transfer load counted 9
/// `pwrite` per transfer, and perf put them at 5.5% of the machine's CPU. Here a commit's frames
/// reach the file in a handful of writes.
///
/// Why this is safe: the buffer is written out before the WAL is synced, read, truncated, sized,
/// controlled or closed, in the order the writes were made. With `synchronous` FULL or EXTRA,
/// SQLite syncs the WAL before it publishes a commit to readers (the wal-index header), so no
/// other connection can look for a frame that is still in the buffer, and a commit is on disk
/// exactly when it was without the buffer. With NORMAL, commits are published without a sync, so
/// `Database` never opens this VFS then.
enum BufferedWAL {
    static let name = "coffer-buffered-wal"

    /// The unix VFS writes at most 0x1ffff bytes at a time: it masks a write's length with that
    /// value, so a longer write is cut short and answered as SQLITE_FULL.
    static let capacity: Int32 = 0x1ffff

    /// Registers the VFS once (not as the default); false if SQLite has no default VFS to wrap.
    static let isRegistered: Bool = {
        guard let unix = sqlite3_vfs_find(nil) else { return false }
        let vfs = UnsafeMutablePointer<sqlite3_vfs>.allocate(capacity: 1)
        vfs.initialize(to: unix.pointee)
        vfs.pointee.pNext = nil
        vfs.pointee.zName = UnsafePointer(strdup(name))
        vfs.pointee.pAppData = UnsafeMutableRawPointer(unix)
        vfs.pointee.szOsFile = Int32(MemoryLayout<coffer_buffered_wal_file>.stride) + unix.pointee.szOsFile
        vfs.pointee.xOpen = open
        return sqlite3_vfs_register(vfs, 0) == SQLITE_OK
    }()

    /// Every file but a WAL is the unix VFS's own, opened in place; a WAL is wrapped.
    private static let open:
        @convention(c) (
            UnsafeMutablePointer<sqlite3_vfs>?, sqlite3_filename?, UnsafeMutablePointer<sqlite3_file>?, Int32, UnsafeMutablePointer<Int32>?
        ) -> Int32 = { vfs, name, file, flags, outFlags in
            guard let unix = vfs?.pointee.pAppData?.assumingMemoryBound(to: sqlite3_vfs.self), let unixOpen = unix.pointee.xOpen, let file
            else { return SQLITE_MISUSE }
            guard flags & SQLITE_OPEN_WAL != 0 else { return unixOpen(unix, name, file, flags, outFlags) }
            let wal = UnsafeMutableRawPointer(file).bindMemory(to: coffer_buffered_wal_file.self, capacity: 1)
            let unixFile = UnsafeMutableRawPointer(wal + 1).bindMemory(to: sqlite3_file.self, capacity: 1)
            wal.initialize(
                to: coffer_buffered_wal_file(base: sqlite3_file(pMethods: nil), unix_file: unixFile, buffer: nil, start: 0, length: 0, capacity: 0))
            unixFile.pointee.pMethods = nil
            let rc = unixOpen(unix, name, unixFile, flags, outFlags)
            guard rc == SQLITE_OK, unixFile.pointee.pMethods != nil else {
                if let close = unixFile.pointee.pMethods?.pointee.xClose { _ = close(unixFile) }
                return rc == SQLITE_OK ? SQLITE_CANTOPEN : rc
            }
            wal.pointee.base.pMethods = UnsafePointer(methods)
            return SQLITE_OK
        }

    /// Version 1: a WAL is never memory-mapped and has no shared memory of its own (that is the
    /// database file's), so SQLite asks it for neither. Filled in once, then only read.
    nonisolated(unsafe) private static let methods: UnsafeMutablePointer<sqlite3_io_methods> = {
        let methods = UnsafeMutablePointer<sqlite3_io_methods>.allocate(capacity: 1)
        methods.initialize(to: sqlite3_io_methods())
        methods.pointee.iVersion = 1
        methods.pointee.xClose = { file in
            guard let wal = walFile(file) else { return SQLITE_MISUSE }
            let flushed = flush(wal)
            let closed = unixMethods(wal).xClose!(wal.pointee.unix_file)
            free(wal.pointee.buffer)
            wal.pointee.buffer = nil
            return flushed != SQLITE_OK ? flushed : closed
        }
        methods.pointee.xRead = { file, destination, amount, offset in afterFlush(file) { $0.xRead!($1, destination, amount, offset) } }
        methods.pointee.xWrite = { file, source, amount, offset in
            guard let wal = walFile(file), let source else { return SQLITE_MISUSE }
            if wal.pointee.length > 0, offset == wal.pointee.start + sqlite3_int64(wal.pointee.length),
                amount <= wal.pointee.capacity - wal.pointee.length
            {
                append(wal, source, amount)
                return SQLITE_OK
            }
            let flushed = flush(wal)
            guard flushed == SQLITE_OK else { return flushed }
            if wal.pointee.buffer == nil, let buffer = malloc(Int(capacity)) {
                wal.pointee.buffer = buffer.assumingMemoryBound(to: UInt8.self)
                wal.pointee.capacity = capacity
            }
            // Without a buffer (no memory for one) capacity stays 0 and every write goes straight through.
            guard wal.pointee.buffer != nil, amount <= wal.pointee.capacity else {
                return unixMethods(wal).xWrite!(wal.pointee.unix_file, source, amount, offset)
            }
            wal.pointee.start = offset
            append(wal, source, amount)
            return SQLITE_OK
        }
        methods.pointee.xTruncate = { file, size in afterFlush(file) { $0.xTruncate!($1, size) } }
        methods.pointee.xSync = { file, flags in afterFlush(file) { $0.xSync!($1, flags) } }
        methods.pointee.xFileSize = { file, size in afterFlush(file) { $0.xFileSize!($1, size) } }
        methods.pointee.xLock = { file, lock in unchanged(file) { $0.xLock!($1, lock) } }
        methods.pointee.xUnlock = { file, lock in unchanged(file) { $0.xUnlock!($1, lock) } }
        methods.pointee.xCheckReservedLock = { file, result in unchanged(file) { $0.xCheckReservedLock!($1, result) } }
        methods.pointee.xFileControl = { file, operation, argument in afterFlush(file) { $0.xFileControl!($1, operation, argument) } }
        methods.pointee.xSectorSize = { file in unchanged(file, orElse: 4096) { $0.xSectorSize!($1) } }
        methods.pointee.xDeviceCharacteristics = { file in unchanged(file, orElse: 0) { $0.xDeviceCharacteristics!($1) } }
        return methods
    }()

    private static func walFile(_ file: UnsafeMutablePointer<sqlite3_file>?) -> UnsafeMutablePointer<coffer_buffered_wal_file>? {
        file.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: coffer_buffered_wal_file.self) }
    }

    /// A call whose answer depends on what was written (reads, size, sync, truncation, controls):
    /// the buffer goes out first.
    private static func afterFlush(
        _ file: UnsafeMutablePointer<sqlite3_file>?, _ call: (sqlite3_io_methods, UnsafeMutablePointer<sqlite3_file>) -> Int32
    ) -> Int32 {
        guard let wal = walFile(file) else { return SQLITE_MISUSE }
        let flushed = flush(wal)
        guard flushed == SQLITE_OK else { return flushed }
        return call(unixMethods(wal), wal.pointee.unix_file)
    }

    /// A call that writes do not change (locks, sector size, device characteristics), made as is.
    private static func unchanged(
        _ file: UnsafeMutablePointer<sqlite3_file>?, orElse fallback: Int32 = SQLITE_MISUSE,
        _ call: (sqlite3_io_methods, UnsafeMutablePointer<sqlite3_file>) -> Int32
    ) -> Int32 {
        guard let wal = walFile(file) else { return fallback }
        return call(unixMethods(wal), wal.pointee.unix_file)
    }

    private static func unixMethods(_ wal: UnsafeMutablePointer<coffer_buffered_wal_file>) -> sqlite3_io_methods {
        wal.pointee.unix_file.pointee.pMethods.pointee
    }

    private static func append(_ wal: UnsafeMutablePointer<coffer_buffered_wal_file>, _ source: UnsafeRawPointer, _ amount: Int32) {
        precondition(amount >= 0 && wal.pointee.length + amount <= wal.pointee.capacity, "a WAL write beyond the buffer")
        (wal.pointee.buffer + Int(wal.pointee.length)).update(from: source.assumingMemoryBound(to: UInt8.self), count: Int(amount))
        wal.pointee.length += amount
    }

    /// The buffer is empty afterwards even when the write failed: SQLite answers the failure by
    /// rolling the transaction back, and a retry writes its frames again.
    private static func flush(_ wal: UnsafeMutablePointer<coffer_buffered_wal_file>) -> Int32 {
        guard wal.pointee.length > 0 else { return SQLITE_OK }
        let length = wal.pointee.length
        wal.pointee.length = 0
        return unixMethods(wal).xWrite!(wal.pointee.unix_file, wal.pointee.buffer, length, wal.pointee.start)
    }
}
