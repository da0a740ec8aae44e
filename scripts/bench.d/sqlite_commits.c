/* The limit Loket's topups on SQLite are measured against (scripts/bench): the
 * disk's rate of durable commits (WAL, synchronous=FULL) of what a topup must
 * make durable at least once — one claim row and one balance update — one
 * after another.  Usage: sqlite_commits FILE SECONDS; prints commits/s. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char** argv)
{
    if (argc != 3) return 2;
    sqlite3* db;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE IF NOT EXISTS claims (id INTEGER PRIMARY KEY, ref TEXT UNIQUE, price INTEGER);"
                     "CREATE TABLE IF NOT EXISTS balances (id INTEGER PRIMARY KEY, balance INTEGER);"
                     "INSERT OR IGNORE INTO balances VALUES (1, 1000000000000);", 0, 0, 0);
    sqlite3_stmt *claim, *debit;
    sqlite3_prepare_v2(db, "INSERT INTO claims (ref, price) VALUES (?, 2000)", -1, &claim, 0);
    sqlite3_prepare_v2(db, "UPDATE balances SET balance = balance - 2000 WHERE id = 1", -1, &debit, 0);
    double end = now() + atof(argv[2]), start = now();
    long n = 0;
    char ref[32];
    while (now() < end)
    {
        sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
        snprintf(ref, sizeof ref, "r%ld", n);
        sqlite3_bind_text(claim, 1, ref, -1, SQLITE_TRANSIENT);
        sqlite3_step(claim);
        sqlite3_reset(claim);
        sqlite3_step(debit);
        sqlite3_reset(debit);
        if (sqlite3_exec(db, "COMMIT", 0, 0, 0) != SQLITE_OK) return 1;
        ++n;
    }
    printf("%.0f\n", n / (now() - start));
    sqlite3_close(db);
    return 0;
}
