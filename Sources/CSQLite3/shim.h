#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call: one fixed-argument wrapper per use. */

/* Memory statistics take a global mutex on every allocation of every connection; Coffer never
   reads them. Only valid before SQLite initialises (before the first connection opens). */
static inline int coffer_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
