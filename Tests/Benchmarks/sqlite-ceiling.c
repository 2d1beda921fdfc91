/* The raw ceiling for one-row writes: SQLite's C API, WAL, synchronous=NORMAL, one prepared INSERT reused,
 * each row in its own transaction (what an un-batched server would do) and 1000 rows per transaction. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static double run(sqlite3 *db, sqlite3_stmt *insert, int rows, int per_tx) {
    double start = now();
    for (int i = 0; i < rows; i += per_tx) {
        sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
        for (int j = 0; j < per_tx; j++) {
            sqlite3_bind_int(insert, 1, i + j);
            sqlite3_bind_text(insert, 2, "{\"name\":\"bench\",\"scopes\":[\"read\"]}", -1, SQLITE_STATIC);
            if (sqlite3_step(insert) != SQLITE_DONE) { fprintf(stderr, "insert failed: %s\n", sqlite3_errmsg(db)); exit(1); }
            sqlite3_reset(insert);
        }
        sqlite3_exec(db, "COMMIT", 0, 0, 0);
    }
    return rows / (now() - start);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s FILE.db\n", argv[0]); return 2; }
    sqlite3 *db;
    sqlite3_stmt *insert;
    sqlite3_open(argv[1], &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE IF NOT EXISTS rows (n INTEGER, body TEXT)", 0, 0, 0);
    sqlite3_prepare_v3(db, "INSERT INTO rows (n, body) VALUES (?, ?)", -1, SQLITE_PREPARE_PERSISTENT, &insert, 0);
    printf("%.0f %.0f\n", run(db, insert, 50000, 1), run(db, insert, 500000, 1000));
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return 0;
}
