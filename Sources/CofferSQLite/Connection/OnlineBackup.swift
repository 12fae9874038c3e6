import CSQLite3
import CofferStore

extension Database {
    /// Copies this live database into `destination` with SQLite's online backup API, a batch of
    /// pages at a time so a caller can show progress, while other connections and processes go on
    /// writing. The copy is one snapshot: this connection holds a read transaction across every
    /// step, and under WAL a writer never disturbs a reader's snapshot, so the backup neither
    /// restarts nor blocks cofferd.
    public func backup(into destination: Database, pagesPerStep: Int32 = 512, progress: (_ copied: Int, _ total: Int) -> Void) throws(StoreError) {
        try execute("BEGIN")
        do {
            _ = try scalarInt("SELECT count(*) FROM sqlite_schema")
            try copy(into: destination, pagesPerStep: pagesPerStep, progress: progress)
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        try execute("COMMIT")
    }

    private func copy(into destination: Database, pagesPerStep: Int32, progress: (Int, Int) -> Void) throws(StoreError) {
        guard let backup = sqlite3_backup_init(destination.handle, "main", handle, "main") else {
            throw destination.error(sqlite3_errcode(destination.handle), sql: nil)
        }
        var rc: Int32
        repeat {
            rc = sqlite3_backup_step(backup, pagesPerStep)
            let total = Int(sqlite3_backup_pagecount(backup))
            progress(total - Int(sqlite3_backup_remaining(backup)), total)
            // The destination is ours alone; busy can only be a passing lock on it.
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { sqlite3_sleep(5) }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        let finished = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finished == SQLITE_OK else {
            throw StoreError(
                sqliteResultCode: rc == SQLITE_DONE ? finished : rc, message: String(cString: sqlite3_errmsg(destination.handle)))
        }
    }
}
