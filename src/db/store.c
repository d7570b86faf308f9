/*
 * store.c — the database engine: SQLite + SpatiaLite connections, their
 * deadline, transactions and savepoints, backup and check, the health
 * ping, planner statistics, and the writer's idempotency keys. Features'
 * statements live in their folders (db/stmt.h).
 *
 * Durability: WAL with synchronous=FULL, so a commit that returned is on
 * disk. Foreign keys on. A busy timeout lets concurrent writers queue
 * instead of failing at once.
 */
#include "db/store.h"

#include <sqlite3.h>
#include <spatialite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/migrate.h"
#include "db/sql.h"
#include "db/stmt.h"
#include "db/store_internal.h"
#include "core/clock.h"

/* Virtual-machine steps between two looks at the clock while a deadline is
 * armed: one GLOB over a 4 000-character text is a single step, so the
 * check must come often (a clock read costs ~20 ns; 500 steps ~10 µs). */
#define DEADLINE_STEPS 500

DB_SLICE_DEFINE(db_sql, DB_SQL)

vk_err db_fail(store_conn *c, const char *what, vk_errinfo *ei)
{
    int rc = sqlite3_errcode(c->db);
    if (c->deadline_hit)
        return vk_fail(ei, VK_EQUERY_TIMEOUT, "",
                       "the query took longer than the server allows; narrow the filter, "
                       "bbox or limit");
    /* Busy or locked after the timeout: the database is there, just slow. */
    return vk_fail(ei, VK_EDB, "", "%s: %s%s", what, sqlite3_errmsg(c->db),
                   (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? " (busy)" : "");
}

static int deadline_passed(void *arg)
{
    store_conn *c = arg;
    if (c->deadline_us && vk_monotonic_us() > c->deadline_us) {
        c->deadline_hit = 1;
        return 1; /* SQLite interrupts the statement: SQLITE_INTERRUPT */
    }
    return 0;
}

void store_deadline_set(store_conn *c, int64_t deadline_us)
{
    c->deadline_us = deadline_us;
    c->deadline_hit = 0;
    sqlite3_progress_handler(c->db, deadline_us ? DEADLINE_STEPS : 0,
                             deadline_us ? deadline_passed : NULL, c);
}

int64_t store_deadline_get(const store_conn *c) { return c->deadline_us; }

int store_deadline_hit(const store_conn *c) { return c->deadline_hit; }

vk_err store_db_fail(store_conn *c, vk_errinfo *ei, const char *what)
{
    return db_fail(c, what, ei);
}

sqlite3_stmt *store_cached_stmt(store_conn *c, const char *sql, vk_errinfo *ei)
{
    store_cached *victim = &c->cache[0];
    for (int i = 0; i < STORE_CACHE_SIZE; i++) {
        store_cached *e = &c->cache[i];
        if (e->sql && strcmp(e->sql, sql) == 0) {
            e->used = ++c->cache_clock;
            sqlite3_reset(e->stmt);
            sqlite3_clear_bindings(e->stmt);
            return e->stmt;
        }
        if (!e->sql || e->used < victim->used)
            victim = e;
        if (!e->sql)
            break;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        db_fail(c, "preparing a query", ei);
        return NULL;
    }
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        vk_fail(ei, VK_ENOMEM, "", NULL);
        return NULL;
    }
    sqlite3_finalize(victim->stmt);
    free(victim->sql);
    victim->sql = copy;
    victim->stmt = st;
    victim->used = ++c->cache_clock;
    return st;
}

vk_err store_exec(store_conn *c, const char *script, vk_errinfo *ei)
{
    return db_exec_file(c->db, script, VK_EDB, "", ei);
}

static vk_err conn_open(store_conn **out, const char *path, int flags, vk_errinfo *ei)
{
    store_conn *c = calloc(1, sizeof *c);
    if (!c)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        vk_fail(ei, VK_EDB, "", "cannot open %s: %s", path,
                c->db ? sqlite3_errmsg(c->db) : "out of memory");
        store_close(c);
        return VK_EDB;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, 10000);
    c->spatialite = spatialite_alloc_connection();
    spatialite_init_ex(c->db, c->spatialite, 0);
    if (db_hex_functions(c->db)) {
        vk_fail(ei, VK_ENOMEM, "", "cannot add the hexagon functions to %s", path);
        store_close(c);
        return VK_ENOMEM;
    }
    vk_err e = store_exec(c, SQL_SCRIPT_PRAGMAS, ei);
    if (e) {
        store_close(c);
        return e;
    }
    *out = c;
    return VK_OK;
}

static int file_is_empty_or_missing(const char *path)
{
    struct stat st;
    return stat(path, &st) != 0 || st.st_size == 0;
}

static vk_err has_spatial_metadata(store_conn *c, int *yes, vk_errinfo *ei)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT CheckSpatialMetaData()", -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, "checking spatial metadata", ei);
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? VK_OK : db_fail(c, "checking spatial metadata", ei);
}

vk_err store_open(store_conn **out, const char *path, vk_errinfo *ei)
{
    int fresh = file_is_empty_or_missing(path);
    store_conn *c = NULL;
    vk_err e = conn_open(&c, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, ei);
    if (e)
        return e;
    int spatial = 0;
    if (fresh) {
        /* One transaction: InitSpatialMetadata(1) inserts thousands of rows. */
        e = store_exec(c, SQL_SCRIPT_INIT_SPATIAL, ei);
    } else if (!(e = has_spatial_metadata(c, &spatial, ei)) && !spatial &&
               store_migrate_version(c->db) == 0) {
        int tables = 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) ==
                SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            tables = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        e = tables ? vk_fail(ei, VK_EDB, "",
                             "%s is an SQLite database but not a Vaikuta one (no SpatiaLite "
                             "metadata); refusing to change it",
                             path)
                   : store_exec(c, SQL_SCRIPT_INIT_SPATIAL, ei);
    }
    if (!e)
        e = store_migrate_db(c->db, NULL, NULL, ei);
    if (e) {
        store_close(c);
        return e;
    }
    *out = c;
    return VK_OK;
}

vk_err store_open_worker(store_conn **out, const char *path, vk_errinfo *ei)
{
    store_conn *c = NULL;
    vk_err e = conn_open(&c, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, ei);
    if (e)
        return e;
    if (store_migrate_version(c->db) != store_migrations_latest) {
        store_close(c);
        return vk_fail(ei, VK_EDB, "", "%s is not migrated to schema %d", path,
                       store_migrations_latest);
    }
    *out = c;
    return VK_OK;
}

vk_err store_mmap(store_conn *c, int64_t bytes, vk_errinfo *ei)
{
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA mmap_size = %lld", (long long)bytes);
    return db_exec_file(c->db, pragma, VK_EDB, "", ei);
}

vk_err store_open_existing(store_conn **out, const char *path, vk_errinfo *ei)
{
    return conn_open(out, path, SQLITE_OPEN_READWRITE, ei);
}

void store_close(store_conn *c)
{
    if (!c)
        return;
    store_slices_close(c);
    for (int i = 0; i < STORE_CACHE_SIZE; i++) {
        sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    if (c->db) {
        /* Fold the WAL back so the file alone is the whole database. */
        sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        sqlite3_close_v2(c->db);
    }
    if (c->spatialite)
        spatialite_cleanup_ex(c->spatialite);
    free(c->labels);
    free(c);
}

int store_schema_version(store_conn *c) { return store_migrate_version(c->db); }

int store_schema_latest(void) { return store_migrations_latest; }

vk_err store_begin(store_conn *c, vk_errinfo *ei) { return store_exec(c, "BEGIN IMMEDIATE", ei); }

vk_err store_commit(store_conn *c, vk_errinfo *ei) { return store_exec(c, "COMMIT", ei); }

void store_rollback(store_conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

vk_err store_begin_own(store_conn *c, int *own, vk_errinfo *ei)
{
    *own = sqlite3_get_autocommit(c->db) != 0;
    return *own ? store_begin(c, ei) : VK_OK;
}

vk_err store_end_own(store_conn *c, int own, vk_err e, vk_errinfo *ei)
{
    if (own) {
        if (!e)
            e = store_commit(c, ei);
        if (e)
            store_rollback(c);
    }
    return e;
}

/* Step a statement that returns no rows. */
vk_err store_ping(store_conn *c, int64_t *feedback_count, vk_errinfo *ei)
{
    return db_int64(c, &db_sql, SQL_PING, DB_NO_ARGS, feedback_count, "ping", ei);
}

/* ---- idempotency ---- */

vk_err store_idem_get(store_conn *c, const char *scope, const char *key, int *found,
                      store_idem *out, vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    return db_scan(c, &db_sql, SQL_IDEM_GET,
                   DB_ARGS(DB_TEXT(key), DB_NULL, DB_NULL, DB_NULL, DB_NULL, DB_NULL,
                           DB_TEXT(scope)),
                   DB_OUTS(DB_DUP_TO(&out->request_hash), DB_INT_TO(&out->status),
                           DB_DUP_TO(&out->location), DB_DUP_TO(&out->body)),
                   found, "reading an idempotency key", ei);
}

void store_idem_fini(store_idem *r)
{
    free(r->request_hash);
    free(r->location);
    free(r->body);
    memset(r, 0, sizeof *r);
}

vk_err store_idem_put(store_conn *c, const char *scope, const char *key, const store_idem *r,
                      const char *now, vk_errinfo *ei)
{
    return db_run(c, &db_sql, SQL_IDEM_PUT,
                  DB_ARGS(DB_TEXT(key), DB_TEXT(r->request_hash), DB_INT(r->status),
                          DB_TEXT(r->location), DB_TEXT(r->body), DB_TEXT(now), DB_TEXT(scope)),
                  "saving an idempotency key", ei);
}

static vk_err secret_read(void *arg, db_row *row)
{
    if (db_col_bytes(row, 0) != 32)
        return VK_EDB; /* not a secret: as if there were none */
    memcpy(arg, db_col_blob(row, 0), 32);
    return VK_OK;
}

vk_err store_secret_get(store_conn *c, const char *name, unsigned char out[32], vk_errinfo *ei)
{
    int found = 0;
    vk_err e = db_first(c, &db_sql, SQL_SECRET_GET, DB_ARGS(DB_TEXT(name)), secret_read, out,
                        &found, "reading a server secret", ei);
    if (found ? !e : e != VK_OK)
        return e; /* the secret, or the database failed */
    return vk_fail(ei, VK_EDB, "", "the database has no secret '%s'", name);
}

vk_err store_idem_purge(store_conn *c, const char *before, vk_errinfo *ei)
{
    return db_run(c, &db_sql, SQL_IDEM_PURGE, DB_ARGS(DB_TEXT(before)),
                  "forgetting old idempotency keys", ei);
}

/* ---- read transactions and savepoints ---- */

vk_err store_read_begin(store_conn *c, vk_errinfo *ei)
{
    return db_run(c, &db_sql, SQL_READ_BEGIN, DB_NO_ARGS, "starting a read", ei);
}

void store_read_end(store_conn *c)
{
    db_run(c, &db_sql, SQL_READ_END, DB_NO_ARGS, "ending a read", NULL);
}

vk_err store_savepoint(store_conn *c, vk_errinfo *ei)
{
    return db_run(c, &db_sql, SQL_SAVEPOINT, DB_NO_ARGS, "savepoint", ei);
}

vk_err store_release(store_conn *c, vk_errinfo *ei)
{
    return db_run(c, &db_sql, SQL_RELEASE, DB_NO_ARGS, "release", ei);
}

void store_rollback_to(store_conn *c)
{
    db_run(c, &db_sql, SQL_ROLLBACK_TO, DB_NO_ARGS, "rollback to", NULL);
    db_run(c, &db_sql, SQL_RELEASE, DB_NO_ARGS, "release", NULL);
}

/* ---- backup and check ---- */

vk_err store_backup(store_conn *c, const char *out, vk_errinfo *ei)
{
    struct stat st;
    if (stat(out, &st) == 0)
        return vk_fail(ei, VK_EIO, "", "%s exists already; not overwriting it", out);
    sqlite3 *dst = NULL;
    if (sqlite3_open_v2(out, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        vk_fail(ei, VK_EIO, "", "cannot create %s", out);
        sqlite3_close(dst);
        return VK_EIO;
    }
    /* One step over all pages: one read snapshot, so the copy is consistent
     * whatever commits meanwhile (WAL lets them go on). */
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->db, "main");
    int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
    if (b)
        sqlite3_backup_finish(b);
    vk_err e = VK_OK;
    if (rc != SQLITE_DONE)
        e = vk_fail(ei, VK_EIO, "", "backup failed: %s", sqlite3_errmsg(dst));
    else if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
        e = vk_fail(ei, VK_EIO, "", "backup: %s", sqlite3_errmsg(dst));
    sqlite3_close(dst);
    if (e)
        unlink(out);
    return e;
}

static void check_rows(store_conn *c, const char *sql, const char *what, int ok_when_single_ok,
                       void (*report)(void *, const char *), void *arg, int *problems)
{
    sqlite3_stmt *st = NULL;
    char line[600];
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(line, sizeof line, "%s: could not run (%s)", what, sqlite3_errmsg(c->db));
        report(arg, line);
        ++*problems;
        return;
    }
    int rows = 0, bad = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (ok_when_single_ok && v && strcmp(v, "ok") == 0)
            continue;
        bad++;
        int n = sqlite3_column_count(st);
        int used = snprintf(line, sizeof line, "%s: problem:", what);
        for (int i = 0; i < n && used > 0 && (size_t)used < sizeof line; i++) {
            const char *cv = (const char *)sqlite3_column_text(st, i);
            used += snprintf(line + used, sizeof line - (size_t)used, " %s", cv ? cv : "NULL");
        }
        report(arg, line);
    }
    sqlite3_finalize(st);
    if (!bad) {
        snprintf(line, sizeof line, "%s: ok", what);
        report(arg, line);
    }
    (void)rows;
    *problems += bad;
}

vk_err store_check(store_conn *c, void (*report)(void *arg, const char *line), void *arg,
                   int *problems, vk_errinfo *ei)
{
    *problems = 0;
    check_rows(c, "PRAGMA integrity_check", "database file integrity", 1, report, arg, problems);
    check_rows(c, "PRAGMA foreign_key_check", "references between tables", 0, report, arg, problems);
    static const char *const spatial[][2] = {
        {"SELECT CASE CheckSpatialIndex('feedback', 'geom') WHEN 1 THEN 'ok' ELSE 'the index does not match the rows' END",
         "spatial index of feedback"},
        {"SELECT CASE CheckSpatialIndex('district', 'geom') WHEN 1 THEN 'ok' ELSE 'the index does not match the rows' END",
         "spatial index of districts"},
        {"SELECT CASE CheckSpatialIndex('accessibility_area', 'geom') WHEN 1 THEN 'ok' ELSE 'the index does not match the rows' END",
         "spatial index of accessibility areas"},
    };
    for (size_t i = 0; i < sizeof spatial / sizeof spatial[0]; i++)
        check_rows(c, spatial[i][0], spatial[i][1], 1, report, arg, problems);
    /* Kept by triggers (schema/0025); the items list reads photos only
     * where it is above 0, so a wrong count hides approved photos. Each
     * row is an item whose count is wrong: id, kept, real. */
    check_rows(c,
               "SELECT f.id, f.photo_count, n FROM (SELECT f.id, f.photo_count, (SELECT count(*) "
               "FROM photo p WHERE p.owner_kind = 'feedback' AND p.owner_id = CAST(f.id AS TEXT) "
               "AND p.hidden = 0) AS n FROM feedback f) AS f WHERE f.photo_count <> n",
               "photo counts of feedback", 0, report, arg, problems);
    char line[128];
    snprintf(line, sizeof line, "schema version: %d (this vaikuta knows up to %d)",
             store_migrate_version(c->db), store_migrations_latest);
    report(arg, line);
    (void)ei;
    return VK_OK;
}

vk_err store_analyze_if_stale(store_conn *c, int *analyzed, vk_errinfo *ei)
{
    *analyzed = 0;
    int64_t have_stats = 0;
    vk_err e = db_int64(c, &db_sql, SQL_HAS_STAT1, DB_NO_ARGS, &have_stats,
                        "looking for planner statistics", ei);
    if (e)
        return e;
    if (have_stats > 0) {
        sqlite3_stmt *st = NULL;
        /* Prepared here, not cached: sqlite_stat1 may not exist when the
         * cache's statements are first made, and this runs hourly. */
        if (sqlite3_prepare_v2(c->db, SQL_ONCE_ANALYZED_ROWS, -1, &st, NULL) != SQLITE_OK)
            return db_fail(c, "reading planner statistics", ei);
        int rc = sqlite3_step(st);
        int64_t rows = sqlite3_column_int64(st, 0);
        int known = rc == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL;
        int64_t then = known ? sqlite3_column_int64(st, 1) : 0;
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            return db_fail(c, "reading planner statistics", ei);
        if (known && rows <= 2 * then + 1000 && 2 * rows + 1000 >= then)
            return VK_OK;
    }
    e = store_exec(c, SQL_SCRIPT_ANALYZE, ei);
    *analyzed = e == VK_OK;
    return e;
}

