/* The bulk-write ceiling for `make bench`: the SQL of Coffer's transfers and nothing else, run
 * against a database that `coffer migrate` created (the same tables, indexes, triggers and
 * pragmas: WAL, synchronous=FULL, foreign keys), BATCH transfers per transaction, for SECONDS.
 * Per transfer it makes the statements the ledger engine makes: both accounts read, pending holds
 * and today's outflow summed, the transfer and its two postings inserted, both balances moved
 * and read back, the outflow total raised, one audit row. Prints transfers per second.
 *   cc -O2 -o sqlite_batch sqlite_batch.c -lsqlite3 && ./sqlite_batch DB BATCH SECONDS */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static sqlite3 *db;

static void check(int rc, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL), sql);
    return statement;
}

/* Binds text and integer arguments by a format string ('t' or 'i'), steps to the end, resets. */
static void run(sqlite3_stmt *statement, const char *types, ...) {
    __builtin_va_list args;
    __builtin_va_start(args, types);
    for (int i = 0; types[i]; i++) {
        if (types[i] == 't') sqlite3_bind_text(statement, i + 1, __builtin_va_arg(args, const char *), -1, SQLITE_TRANSIENT);
        else sqlite3_bind_int64(statement, i + 1, __builtin_va_arg(args, long long));
    }
    __builtin_va_end(args);
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {}
    check(rc, sqlite3_sql(statement));
    sqlite3_reset(statement);
}

static double now(void) {
    struct timespec spec;
    clock_gettime(CLOCK_MONOTONIC, &spec);
    return spec.tv_sec + spec.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s DB BATCH SECONDS\n", argv[0]);
        return 2;
    }
    int batch = atoi(argv[2]);
    double seconds = atof(argv[3]);
    check(sqlite3_open(argv[1], &db), "open");
    check(sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000", 0, 0, 0), "pragmas");
    long long t = (long long)time(NULL) * 1000;
    check(sqlite3_exec(db,
        "INSERT INTO users (id, email, password_hash, role, status, password_changed_at, created_at) VALUES ('u', 'ceiling@bench', 'x', 'user', 'active', 0, 0);"
        "INSERT INTO account_holders VALUES ('h', 'u', 'C', 'B', '1980-01-01', 0);"
        "INSERT INTO accounts (id, holder_id, kind, type, currency, balance, status, created_at)"
        "  VALUES ('a0', 'h', 'customer', 'checking', 'USD', 1000000000000, 'active', 0),"
        "         ('a1', 'h', 'customer', 'checking', 'USD', 1000000000000, 'active', 0),"
        "         ('a2', 'h', 'customer', 'checking', 'USD', 1000000000000, 'active', 0),"
        "         ('a3', 'h', 'customer', 'checking', 'USD', 1000000000000, 'active', 0);", 0, 0, 0), "setup");
    sqlite3_stmt *account = prepare(
        "SELECT a.id, a.holder_id, h.user_id, a.type, a.currency, a.balance, a.status, a.created_at, a.metadata, a.last_posted_at "
        "FROM accounts a JOIN account_holders h ON h.id = a.holder_id WHERE a.id = ? AND a.kind = 'customer'");
    sqlite3_stmt *holds = prepare(
        "SELECT COALESCE(SUM(amount), 0) FROM holds WHERE account_id = ? AND status = 'pending' AND expires_at > ?");
    sqlite3_stmt *outflow = prepare("SELECT COALESCE(SUM(total), 0) FROM daily_outflows WHERE account_id = ? AND day = ?");
    sqlite3_stmt *transfer = prepare(
        "INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, description, created_at) VALUES (?, ?, ?, ?, 'USD', NULL, ?)");
    sqlite3_stmt *posting = prepare(
        "INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, description, transfer_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, 'USD', ?, NULL, ?, ?)");
    sqlite3_stmt *move = prepare(
        "UPDATE accounts SET balance = balance + ?, posting_count = posting_count + 1, last_posted_at = max(last_posted_at, ?) WHERE id = ?");
    sqlite3_stmt *balance = prepare("SELECT balance FROM accounts WHERE id = ?");
    sqlite3_stmt *daily = prepare(
        "INSERT INTO daily_outflows (account_id, day, total) VALUES (?, ?, ?) "
        "ON CONFLICT (account_id, day) DO UPDATE SET total = total + excluded.total");
    sqlite3_stmt *audit = prepare(
        "INSERT INTO audit_events (id, at, actor_id, action, target_type, target_id, outcome, request_id, ip) "
        "VALUES (?, ?, 'u', 'transfer.create', 'transfer', ?, 'success', 'r', '127.0.0.1')");
    long long n = 0, day = t / 86400000;
    char id[48], entry[48], out[48], in[48], event[48];
    double start = now();
    while (now() - start < seconds) {
        check(sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0), "begin");
        for (int i = 0; i < batch; i++, n++) {
            const char *from = (const char *[]){"a0", "a1", "a2", "a3"}[n % 4];
            const char *to = (const char *[]){"a0", "a1", "a2", "a3"}[(n + 1) % 4];
            long long amount = n % 100 + 1;
            snprintf(id, sizeof id, "t-%lld", n);
            snprintf(entry, sizeof entry, "e-%lld", n);
            snprintf(out, sizeof out, "o-%lld", n);
            snprintf(in, sizeof in, "i-%lld", n);
            snprintf(event, sizeof event, "v-%lld", n);
            run(account, "t", from);
            run(account, "t", to);
            run(outflow, "ti", from, day);
            run(holds, "ti", from, t);
            run(transfer, "tttii", id, from, to, amount, t);
            run(posting, "ttttiiti", out, entry, from, "transfer_out", -amount, 0LL, id, t);
            run(move, "iit", -amount, t, from);
            run(balance, "t", from);
            run(posting, "ttttiiti", in, entry, to, "transfer_in", amount, 0LL, id, t);
            run(move, "iit", amount, t, to);
            run(balance, "t", to);
            run(daily, "tii", from, day, amount);
            run(audit, "tit", event, t, id);
        }
        check(sqlite3_exec(db, "COMMIT", 0, 0, 0), "commit");
    }
    double elapsed = now() - start;
    printf("%.0f\n", n / elapsed);
    return 0;
}
