#ifndef LEADLINE_CSQLITE_SHIM_H
#define LEADLINE_CSQLITE_SHIM_H

/* sqlite3_config is C-variadic, so Swift cannot call it: this typed wrapper can be. */
#include <sqlite3.h>

/* Keeps statement and savepoint journals in memory up to `bytes`, then spills them to a temporary file.
   Only takes effect before SQLite is initialised (before the first connection); answers SQLITE_MISUSE after. */
static inline int leadline_sqlite_journal_spill(int bytes) {
    return sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, bytes);
}

#endif
