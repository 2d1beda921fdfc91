#ifndef LEADLINE_CSQLITE_SHIM_H
#define LEADLINE_CSQLITE_SHIM_H

/* sqlite3_config is C-variadic, so Swift cannot call it: this typed wrapper can be. */
#include <sqlite3.h>

/* Keeps statement and savepoint journals in memory up to `bytes`, then spills them to a temporary file.
   Only takes effect before SQLite is initialised (before the first connection); answers SQLITE_MISUSE after. */
static inline int leadline_sqlite_journal_spill(int bytes) {
    return sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, bytes);
}

/* Whether SQLite counts its memory use (SQLITE_CONFIG_MEMSTATUS, on by default): counting takes a process-wide mutex
   on every allocation, some ten per row written. Leadline reads no such counts. Same timing rule as above. */
static inline int leadline_sqlite_memory_statistics(int on) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on);
}

#endif
