#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call: one fixed-argument wrapper per use. */

/* Memory statistics take a global mutex on every allocation of every connection; Coffer never
   reads them. Only valid before SQLite initialises (before the first connection opens). */
static inline int coffer_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The committer's WAL file under Coffer's buffering VFS (CofferSQLite's BufferedWAL): SQLite sees
   `base`; the unix VFS's own file object follows this struct in the same allocation. The layout is
   declared here so that it is C's, not Swift's. */
typedef struct coffer_buffered_wal_file {
    sqlite3_file base;
    sqlite3_file *unix_file;
    unsigned char *buffer;
    sqlite3_int64 start;
    int length;
    int capacity;
} coffer_buffered_wal_file;
