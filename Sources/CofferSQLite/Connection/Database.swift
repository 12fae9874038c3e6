import CSQLite3
import CofferStore

#if canImport(Glibc)
import Glibc
#endif

/// One SQLite connection: owns the `sqlite3*` handle and its cached statements, and turns every
/// result code into a `StoreError`. A connection belongs to one thread at a time (each
/// cofferd worker opens its own), so it is deliberately not `Sendable`.
public final class Database {
    public struct Options: Sendable {
        public var synchronous: String
        public var busyTimeoutMs: Int
        /// Where this connection's writes go: the process's one committer (group commit). Nil for
        /// a connection that writes itself (the committer's own writer, the CLI, migrations).
        public var committer: GroupCommitter?
        /// The page cache's size; nil keeps SQLite's default (2 MiB).
        public var cacheKiB: Int?
        /// False for a backup file: it stays one self-contained file in rollback-journal mode,
        /// with no -wal or -shm beside it.
        public var writeAheadLog = true
        /// How many WAL pages a commit may leave before it copies them into the database (SQLite's
        /// `wal_autocheckpoint`); nil keeps SQLite's 1,000.
        public var checkpointPages: Int?

        public init(
            synchronous: String = "FULL", busyTimeoutMs: Int = 5000, committer: GroupCommitter? = nil, cacheKiB: Int? = nil,
            writeAheadLog: Bool = true
        ) {
            self.writeAheadLog = writeAheadLog
            self.synchronous = synchronous
            self.busyTimeoutMs = busyTimeoutMs
            self.committer = committer
            self.cacheKiB = cacheKiB
        }
    }

    let handle: OpaquePointer
    public let path: String
    private let committer: GroupCommitter?
    /// Whether this connection writes itself (no committer): what a migration that changes the
    /// connection's own settings around its transaction needs.
    public var writesItself: Bool { committer == nil }
    private var statements: [StatementKey: Statement] = [:]
    private var inTransaction = false
    /// True inside `write { }` or a batch: savepoints need it.
    private var inWriteTransaction = false

    /// Opens (creating if needed) the database file and sets every pragma explicitly rather than
    /// trusting compile-time defaults.
    public init(path: String, options: Options = Options()) throws(StoreError) {
        _ = Self.processConfiguration
        Self.createPrivately(path)
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &handle, flags, Self.vfs(options))
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw StoreError(sqliteResultCode: rc, message: "cannot open \(path): \(message)")
        }
        self.handle = handle
        self.path = path
        self.committer = options.committer
        sqlite3_busy_timeout(handle, Int32(options.busyTimeoutMs))
        if options.writeAheadLog {
            try enableWriteAheadLog(busyTimeoutMs: options.busyTimeoutMs)
        } else {
            try execute("PRAGMA journal_mode = DELETE")
        }
        try execute("PRAGMA synchronous = \(options.synchronous)")
        try execute("PRAGMA foreign_keys = ON")
        // Savepoint and statement journals and other temporary files stay in memory: as files
        // they were four in five of the writer's write(2) calls (strace under transfer load), for
        // data that never has to survive the process.
        try execute("PRAGMA temp_store = MEMORY")
        if let cacheKiB = options.cacheKiB { try execute("PRAGMA cache_size = -\(max(64, cacheKiB))") }
        if let pages = options.checkpointPages { try execute("PRAGMA wal_autocheckpoint = \(max(1, pages))") }
        // A file that is not a database only fails on first read; fail here instead, at open.
        _ = try scalarInt("SELECT count(*) FROM sqlite_schema")
    }

    /// A connection whose every commit syncs the WAL writes it through `BufferedWAL`; nil is
    /// SQLite's default (unix) VFS. Nothing changes `synchronous` after `init`.
    private static func vfs(_ options: Options) -> String? {
        let syncsEveryCommit = ["FULL", "EXTRA"].contains(options.synchronous.uppercased())
        guard options.writeAheadLog, syncsEveryCommit, BufferedWAL.isRegistered else { return nil }
        return BufferedWAL.name
    }

    /// Process-wide settings, applied once before the first connection opens (SQLite refuses
    /// them afterwards; then they are simply not applied, which changes speed, not behaviour).
    private static let processConfiguration: Void = {
        _ = coffer_sqlite3_disable_memory_statistics()
    }()

    /// SQLite creates a missing file with the process umask (often 0644: anyone on the machine could
    /// read the password hashes). Creating it first, empty and 0600, makes every process that opens
    /// a database (cofferd, the CLI, tests) private by default; SQLite gives the WAL and shared-memory
    /// files the same mode as the database. An existing file is left as it is.
    private static func createPrivately(_ path: String) {
        guard !path.isEmpty, path != ":memory:" else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
    }

    /// Switching a new file to WAL needs an exclusive lock and SQLite does not call the busy
    /// handler for it, so two processes opening a fresh database at once would see SQLITE_BUSY.
    /// Retry for as long as the busy timeout allows.
    private func enableWriteAheadLog(busyTimeoutMs: Int) throws(StoreError) {
        let retryMs = 10
        var waitedMs = 0
        while true {
            do {
                try execute("PRAGMA journal_mode = WAL")
                return
            } catch  where error.kind == .busy && waitedMs < busyTimeoutMs {
                usleep(useconds_t(retryMs * 1000))
                waitedMs += retryMs
            }
        }
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    func error(_ rc: Int32, sql: String?) -> StoreError {
        StoreError(sqliteResultCode: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    private func statement(_ sql: String) throws(StoreError) -> Statement {
        // SQLite ends a transaction by itself on some errors (a full disk, an I/O error). Had the
        // caller carried on, its next statements would run and commit one by one, outside it.
        guard !inTransaction || sqlite3_get_autocommit(handle) == 0 else {
            throw StoreError(.unavailable, "the transaction ended before its end")
        }
        let key = StatementKey(sql: sql)
        if let cached = statements[key] { return cached }
        let prepared = try Statement(database: self, sql: sql)
        statements[key] = prepared
        return prepared
    }

    /// Runs one or more statements that take no arguments and return no rows (DDL, pragmas).
    public func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw StoreError(sqliteResultCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Runs a statement with arguments; returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ arguments: [SQLiteValue] = []) throws(StoreError) -> Int {
        let stmt = try statement(sql)
        try stmt.bind(arguments)
        defer { stmt.reset() }
        while try stmt.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Calls `body` for each result row, in order.
    public func forEachRow(_ sql: String, _ arguments: [SQLiteValue] = [], _ body: (Row) throws -> Void) throws {
        let stmt = try statement(sql)
        try stmt.bind(arguments)
        defer { stmt.reset() }
        while try stmt.step() { try body(stmt.row()) }
    }

    /// Maps every result row through `transform`.
    public func query<T>(_ sql: String, _ arguments: [SQLiteValue] = [], _ transform: (Row) throws -> T) throws -> [T] {
        var rows: [T] = []
        try forEachRow(sql, arguments) { rows.append(try transform($0)) }
        return rows
    }

    /// The first row mapped through `transform`, or nil when there is none.
    public func queryFirst<T>(_ sql: String, _ arguments: [SQLiteValue] = [], _ transform: (Row) throws -> T) throws -> T? {
        let stmt = try statement(sql)
        try stmt.bind(arguments)
        defer { stmt.reset() }
        guard try stmt.step() else { return nil }
        return try transform(stmt.row())
    }

    public func scalarInt(_ sql: String, _ arguments: [SQLiteValue] = []) throws(StoreError) -> Int64 {
        let stmt = try statement(sql)
        try stmt.bind(arguments)
        defer { stmt.reset() }
        guard try stmt.step() else { return 0 }
        return stmt.row().int64(0)
    }

    /// The VFS this connection's main database file was opened through.
    var vfsName: String? {
        var vfs: UnsafeMutablePointer<sqlite3_vfs>?
        guard sqlite3_file_control(handle, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) == SQLITE_OK, let name = vfs?.pointee.zName else { return nil }
        return String(cString: name)
    }

    /// Answers whether the database is reachable, as the health check defines it.
    public func ping() -> Bool {
        (try? scalarInt("SELECT 1")) == 1
    }

    /// Runs `body` in a write transaction and returns once it is committed: `body`'s changes are
    /// all there or none is, and a transaction can never be left open. With a committer, `body`
    /// runs on the committer's writer connection in the next batch (group commit); without one, in
    /// a `BEGIN IMMEDIATE` transaction of this connection (the write lock is taken up front, so two
    /// writers never deadlock on a lock upgrade).
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        precondition(!inTransaction, "nested write transactions are not supported")
        if let committer { return try committer.perform(body) }
        return try transaction("BEGIN IMMEDIATE", writing: true, body)
    }

    // MARK: Batches, for the committer

    // The committer's statements run through the statement cache (`run`), not `execute`, which
    // would parse them again for every job.
    func beginBatch() throws {
        precondition(!inTransaction, "a batch starts outside any transaction")
        try run("BEGIN IMMEDIATE")
        inTransaction = true
        inWriteTransaction = true
    }

    /// What became of a job run without a savepoint of its own.
    enum BareJobOutcome {
        case succeeded
        /// It threw having changed no row: there is nothing to undo. SQLite undoes a statement
        /// that fails by itself, so only the rows of statements that completed count.
        case refusedUnchanged
        /// It threw after changing rows, which only a rollback of the whole batch undoes.
        case refusedAfterChanges
    }

    /// Runs one job of the batch with no savepoint. A savepoint copies every page the job first
    /// touches into SQLite's sub-journal, even when the job succeeds (BENCHMARKS.md); almost every
    /// job either succeeds or is refused before it writes anything, and the committer undoes and
    /// repeats the batch in the rare other case. Throws when the batch's transaction is no longer
    /// open (SQLite ends it by itself on some errors): the jobs after it must not run outside it.
    ///
    /// Jobs change rows through INSERT, UPDATE and DELETE only (no DDL, no pragmas), which is what
    /// `sqlite3_total_changes64` counts; rows a rolled-back savepoint undid are taken off it.
    func runBare(_ run: (Database) -> Bool) throws -> BareJobOutcome {
        let changesBefore = netChanges
        let succeeded = run(self)
        guard sqlite3_get_autocommit(handle) == 0 else {
            throw StoreError(.unavailable, "the batch's transaction ended inside a job")
        }
        if succeeded { return .succeeded }
        return netChanges == changesBefore ? .refusedUnchanged : .refusedAfterChanges
    }

    /// Rows changed on this connection and still in place as far as savepoints go: a job that
    /// threw after a savepoint undid all it had changed (an atomic transfer batch) left nothing.
    private var netChanges: Int64 { sqlite3_total_changes64(handle) - changesUndone }
    private var changesUndone: Int64 = 0

    /// Runs one job of the batch in its own savepoint, released when the job succeeded and rolled
    /// back when it failed; throws only when the savepoint itself fails.
    func inJobSavepoint(_ run: (Database) -> Bool) throws {
        try self.run("SAVEPOINT coffer_job")
        if run(self) {
            try self.run("RELEASE coffer_job")
        } else {
            try self.run("ROLLBACK TO coffer_job")
            try self.run("RELEASE coffer_job")
        }
    }

    func commitBatch() throws {
        try run("COMMIT")
        inTransaction = false
        inWriteTransaction = false
    }

    func rollbackBatch() {
        try? execute("ROLLBACK")
        inTransaction = false
        inWriteTransaction = false
    }

    /// Runs `body` in a read transaction, so every query in it sees one consistent snapshot.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        precondition(!inTransaction, "nested transactions are not supported")
        return try transaction("BEGIN DEFERRED", writing: false, body)
    }

    private func transaction<T>(_ begin: String, writing: Bool, _ body: (Database) throws -> T) throws -> T {
        try run(begin)
        inTransaction = true
        inWriteTransaction = writing
        defer {
            inTransaction = false
            inWriteTransaction = false
        }
        do {
            let result = try body(self)
            try run("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a savepoint of the current write transaction: if it throws, only its
    /// own changes are undone and the transaction stays open.
    public func savepoint<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        precondition(inWriteTransaction, "savepoints live inside a write transaction")
        let (changesAtStart, undoneAtStart) = (sqlite3_total_changes64(handle), changesUndone)
        try run("SAVEPOINT coffer_step")
        do {
            let result = try body(self)
            try run("RELEASE coffer_step")
            return result
        } catch {
            try run("ROLLBACK TO coffer_step")
            try run("RELEASE coffer_step")
            // Everything since the savepoint began is undone, nested savepoints' rows included.
            changesUndone = undoneAtStart + (sqlite3_total_changes64(handle) - changesAtStart)
            throw error
        }
    }
}
