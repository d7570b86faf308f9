/*
 * store.c — SQLite + SpatiaLite connections and the named statements.
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
#include "db/store_internal.h"
#include "core/clock.h"

/* Virtual-machine steps between two looks at the clock while a deadline is
 * armed: one GLOB over a 4 000-character text is a single step, so the
 * check must come often (a clock read costs ~20 ns; 500 steps ~10 µs). */
#define DEADLINE_STEPS 500

static const char *const sql_text[] = {
#define STORE_SQL_TEXT(name, sql) sql,
    STORE_SQL_LIST(STORE_SQL_TEXT)
#undef STORE_SQL_TEXT
};

static vk_err db_fail(store_conn *c, vk_errinfo *ei, const char *what)
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
    return db_fail(c, ei, what);
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
        db_fail(c, ei, "preparing a query");
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

/* The statement, prepared on first use and reset for reuse. */
static sqlite3_stmt *stmt_get(store_conn *c, store_sql_id id, vk_errinfo *ei)
{
    sqlite3_stmt *st = c->stmt[id];
    if (!st) {
        if (sqlite3_prepare_v3(c->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK) {
            db_fail(c, ei, "preparing a statement");
            return NULL;
        }
        c->stmt[id] = st;
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    return st;
}

sqlite3_stmt *store_stmt(store_conn *c, store_sql_id id, vk_errinfo *ei)
{
    return stmt_get(c, id, ei);
}

void store_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (i > sqlite3_bind_parameter_count(st))
        return;
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
    if (i <= sqlite3_bind_parameter_count(st))
        sqlite3_bind_int64(st, i, v);
}

static void bind_i64_or_null(sqlite3_stmt *st, int i, int64_t v)
{
    if (i > sqlite3_bind_parameter_count(st))
        return;
    if (v)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static vk_err exec(store_conn *c, const char *sql, vk_errinfo *ei)
{
    char *err = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        vk_fail(ei, VK_EDB, "", "%s", err ? err : sqlite3_errmsg(c->db));
        sqlite3_free(err);
        return VK_EDB;
    }
    return VK_OK;
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
    vk_err e = exec(c, SQL_SCRIPT_PRAGMAS, ei);
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
        return db_fail(c, ei, "checking spatial metadata");
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? VK_OK : db_fail(c, ei, "checking spatial metadata");
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
        e = exec(c, SQL_SCRIPT_INIT_SPATIAL, ei);
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
                   : exec(c, SQL_SCRIPT_INIT_SPATIAL, ei);
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
    if (store_migrate_version(c->db) != store_migrations_count) {
        store_close(c);
        return vk_fail(ei, VK_EDB, "", "%s is not migrated to schema %d", path,
                       store_migrations_count);
    }
    *out = c;
    return VK_OK;
}

vk_err store_open_existing(store_conn **out, const char *path, vk_errinfo *ei)
{
    return conn_open(out, path, SQLITE_OPEN_READWRITE, ei);
}

void store_close(store_conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < SQL__COUNT; i++)
        sqlite3_finalize(c->stmt[i]);
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
    free(c);
}

int store_schema_version(store_conn *c) { return store_migrate_version(c->db); }

int store_schema_latest(void) { return store_migrations_count; }

vk_err store_begin(store_conn *c, vk_errinfo *ei) { return exec(c, "BEGIN IMMEDIATE", ei); }

vk_err store_commit(store_conn *c, vk_errinfo *ei) { return exec(c, "COMMIT", ei); }

void store_rollback(store_conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Step a statement that returns no rows. */
vk_err store_step_done(store_conn *c, sqlite3_stmt *st, vk_errinfo *ei, const char *what)
{
    int rc = sqlite3_step(st);
    vk_err e = VK_OK;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = db_fail(c, ei, what);
    sqlite3_reset(st);
    return e;
}

vk_err store_ping(store_conn *c, int64_t *feedback_count, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_PING, ei);
    if (!st)
        return VK_EDB;
    if (sqlite3_step(st) != SQLITE_ROW)
        return db_fail(c, ei, "ping");
    *feedback_count = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return VK_OK;
}

/* ---- categories ---- */

vk_err store_category_each(store_conn *c, store_category_fn fn, void *arg, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_CATEGORY_LIST, ei);
    if (!st)
        return VK_EDB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_category cat = {
            col_text(st, 0),
            {col_text(st, 1), col_text(st, 2), col_text(st, 3)},
            {col_text(st, 4), col_text(st, 5), col_text(st, 6)},
            NULL,
        };
        if (fn(arg, &cat))
            break;
    }
    vk_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "categories");
    sqlite3_reset(st);
    return e;
}

vk_err store_category_exists(store_conn *c, const char *id, int *exists, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_CATEGORY_EXISTS, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    *exists = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "category");
}

vk_err store_category_put(store_conn *c, int sort, const store_category *cat, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_CATEGORY_PUT, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, cat->id);
    bind_i64(st, 2, sort);
    for (int i = 0; i < 3; i++) {
        store_bind_text(st, 3 + i, cat->name[i]);
        store_bind_text(st, 6 + i, cat->description[i] ? cat->description[i] : "");
    }
    store_bind_text(st, 9, cat->unit);
    return store_step_done(c, st, ei, "saving a category");
}

/* ---- category attributes ---- */

vk_err store_attribute_each(store_conn *c, const char *category, store_attribute_fn fn,
                            void *arg, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_ATTRIBUTE_LIST, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, category);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_attribute a = {
            col_text(st, 0),
            col_text(st, 1),
            col_text(st, 2),
            sqlite3_column_int(st, 3),
            sqlite3_column_int(st, 4),
            {col_text(st, 5), col_text(st, 6), col_text(st, 7)},
            col_text(st, 8),
        };
        if (fn(arg, &a))
            break;
    }
    vk_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "attributes");
    sqlite3_reset(st);
    return e;
}

vk_err store_attribute_put(store_conn *c, const store_attribute *a, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_ATTRIBUTE_PUT, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, a->category);
    store_bind_text(st, 2, a->code);
    bind_i64(st, 3, a->sort);
    store_bind_text(st, 4, a->datatype);
    bind_i64(st, 5, a->required ? 1 : 0);
    for (int i = 0; i < 3; i++)
        store_bind_text(st, 6 + i, a->description[i]);
    store_bind_text(st, 9, a->value_list);
    return store_step_done(c, st, ei, "saving a category attribute");
}

vk_err store_attribute_count(store_conn *c, int64_t *n, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_ATTRIBUTE_COUNT, ei);
    if (!st)
        return VK_EDB;
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VK_OK : db_fail(c, ei, "attributes");
}

/* ---- responsible units ---- */

vk_err store_unit_put(store_conn *c, const store_unit *u, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_UNIT_PUT, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, u->code);
    for (int i = 0; i < 3; i++)
        store_bind_text(st, 2 + i, u->name[i]);
    return store_step_done(c, st, ei, "saving a unit");
}

vk_err store_feedback_default_units(store_conn *c, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_FEEDBACK_DEFAULT_UNITS, ei);
    if (!st)
        return VK_EDB;
    return store_step_done(c, st, ei, "assigning default units");
}

vk_err store_unit_each(store_conn *c, store_unit_fn fn, void *arg, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_UNIT_LIST, ei);
    if (!st)
        return VK_EDB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_unit u = {sqlite3_column_int64(st, 0), col_text(st, 1),
                        {col_text(st, 2), col_text(st, 3), col_text(st, 4)}};
        if (fn(arg, &u))
            break;
    }
    vk_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "units");
    sqlite3_reset(st);
    return e;
}

/* ---- reference areas ---- */

static void area_bind(sqlite3_stmt *st, const store_area *a)
{
    store_bind_text(st, 1, a->code);
    for (int i = 0; i < 3; i++)
        store_bind_text(st, 2 + i, a->name[i]);
    sqlite3_bind_blob(st, 5, a->wkb, (int)a->wkb_len, SQLITE_STATIC);
    store_bind_text(st, 6, a->level ? a->level : "special");
}

static void area_read(sqlite3_stmt *st, store_area *a)
{
    a->id = sqlite3_column_int64(st, 0);
    a->code = col_text(st, 1);
    for (int i = 0; i < 3; i++)
        a->name[i] = col_text(st, 2 + i);
    a->level = col_text(st, 5);
    a->wkb = sqlite3_column_blob(st, 6);
    a->wkb_len = (size_t)sqlite3_column_bytes(st, 6);
}

vk_err store_boundary_put(store_conn *c, const store_area *m, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_BOUNDARY_PUT, ei);
    if (!st)
        return VK_EDB;
    area_bind(st, m);
    return store_step_done(c, st, ei, "saving the municipality boundary");
}

vk_err store_boundary_with(store_conn *c, store_area_fn fn, void *arg, int *found, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_BOUNDARY_GET, ei);
    if (!st)
        return VK_EDB;
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW) {
        /* Same columns as the area lists, with no level. */
        store_area m;
        m.id = sqlite3_column_int64(st, 0);
        m.code = col_text(st, 1);
        for (int i = 0; i < 3; i++)
            m.name[i] = col_text(st, 2 + i);
        m.level = NULL;
        m.wkb = sqlite3_column_blob(st, 5);
        m.wkb_len = (size_t)sqlite3_column_bytes(st, 5);
        if (fn)
            fn(arg, &m);
    }
    sqlite3_reset(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "reading the boundary");
}

vk_err store_boundary_extent(store_conn *c, double bbox[4], int *found, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_BOUNDARY_EXTENT, ei);
    if (!st)
        return VK_EDB;
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    for (int i = 0; *found && i < 4; i++)
        bbox[i] = sqlite3_column_double(st, i);
    sqlite3_reset(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "boundary extent");
}

vk_err store_area_put(store_conn *c, store_area_kind kind, const store_area *a, vk_errinfo *ei)
{
    sqlite3_stmt *st =
        stmt_get(c, kind == STORE_AREA_DISTRICT ? SQL_DISTRICT_PUT : SQL_AREA_PUT, ei);
    if (!st)
        return VK_EDB;
    area_bind(st, a);
    return store_step_done(c, st, ei, "saving an area");
}

vk_err store_area_each(store_conn *c, store_area_kind kind, store_area_fn fn, void *arg,
                       vk_errinfo *ei)
{
    sqlite3_stmt *st =
        stmt_get(c, kind == STORE_AREA_DISTRICT ? SQL_DISTRICT_LIST : SQL_AREA_LIST, ei);
    if (!st)
        return VK_EDB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_area a;
        area_read(st, &a);
        if (fn(arg, &a))
            break;
    }
    vk_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "areas");
    sqlite3_reset(st);
    return e;
}

vk_err store_district_id(store_conn *c, const char *code, int64_t *id, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_DISTRICT_ID, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, code);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "district");
}

vk_err store_areas_clear(store_conn *c, vk_errinfo *ei)
{
    return exec(c, SQL_SCRIPT_AREAS_CLEAR, ei);
}

/* ---- feedback ---- */

vk_err store_feedback_insert(store_conn *c, const store_feedback_new *f, int64_t *id,
                             vk_errinfo *ei)
{
    int own_tx = sqlite3_get_autocommit(c->db);
    vk_err e = own_tx ? store_begin(c, ei) : VK_OK;
    if (e)
        return e;
    sqlite3_stmt *st = stmt_get(c, SQL_FEEDBACK_INSERT, ei);
    if (!st) {
        e = VK_EDB;
        goto out;
    }
    store_bind_text(st, 1, f->category);
    store_bind_text(st, 2, f->description);
    store_bind_text(st, 3, f->place);
    store_bind_text(st, 4, f->status ? f->status : "received");
    store_bind_text(st, 5, f->resolution_reason);
    store_bind_text(st, 6, f->answer);
    store_bind_text(st, 7, f->answered_at);
    bind_i64_or_null(st, 8, f->district_id);
    store_bind_text(st, 9, f->created_at);
    store_bind_text(st, 10, f->updated_at);
    sqlite3_bind_blob(st, 11, f->wkb, (int)f->wkb_len, SQLITE_STATIC);
    bind_i64_or_null(st, 12, f->duplicate_of);
    store_bind_text(st, 13, f->forwarded_to);
    store_bind_text(st, 14, f->followup_hash);
    store_bind_text(st, 15, f->attributes);
    if ((e = store_step_done(c, st, ei, "saving feedback")))
        goto out;
    *id = sqlite3_last_insert_rowid(c->db);
    if (f->contact_name || f->contact_email || f->contact_phone) {
        st = stmt_get(c, SQL_CONTACT_INSERT, ei);
        if (!st) {
            e = VK_EDB;
            goto out;
        }
        bind_i64(st, 1, *id);
        store_bind_text(st, 2, f->contact_name);
        store_bind_text(st, 3, f->contact_email);
        store_bind_text(st, 4, f->contact_phone);
        if ((e = store_step_done(c, st, ei, "saving contact details")))
            goto out;
    }
out:
    if (own_tx) {
        if (!e)
            e = store_commit(c, ei);
        if (e)
            store_rollback(c);
    }
    return e;
}

vk_err store_feedback_reassign_districts(store_conn *c, store_district_of_fn fn, void *arg,
                                         int64_t *changed, vk_errinfo *ei)
{
    *changed = 0;
    sqlite3_stmt *list = NULL;
    /* Its own statement: the update below reuses the cached one while the
     * list is still stepping. */
    if (sqlite3_prepare_v2(c->db, sql_text[SQL_FEEDBACK_GEOMS], -1, &list, NULL) != SQLITE_OK)
        return db_fail(c, ei, "listing feedback geometries");
    vk_err e = VK_OK;
    int rc;
    while ((rc = sqlite3_step(list)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(list, 0);
        int64_t want = fn(arg, sqlite3_column_blob(list, 1), (size_t)sqlite3_column_bytes(list, 1));
        int64_t have = sqlite3_column_int64(list, 2);
        if (want == have)
            continue;
        sqlite3_stmt *up = stmt_get(c, SQL_FEEDBACK_SET_DISTRICT, ei);
        if (!up) {
            e = VK_EDB;
            break;
        }
        bind_i64(up, 1, id);
        bind_i64_or_null(up, 2, want);
        if ((e = store_step_done(c, up, ei, "re-assigning a district")))
            break;
        (*changed)++;
    }
    if (!e && rc != SQLITE_DONE)
        e = db_fail(c, ei, "re-assigning districts");
    sqlite3_finalize(list);
    return e;
}

/* ---- idempotency ---- */

char *store_col_dup(sqlite3_stmt *st, int i)
{
    const char *s = col_text(st, i);
    return s ? strdup(s) : NULL;
}

vk_err store_idem_get(store_conn *c, const char *scope, const char *key, int *found,
                      store_idem *out, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_IDEM_GET, ei);
    if (!st)
        return VK_EDB;
    memset(out, 0, sizeof *out);
    store_bind_text(st, 1, key);
    store_bind_text(st, 7, scope);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    vk_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "reading an idempotency key");
    if (rc == SQLITE_ROW) {
        out->request_hash = store_col_dup(st, 0);
        out->status = sqlite3_column_int(st, 1);
        out->location = store_col_dup(st, 2);
        out->body = store_col_dup(st, 3);
        if (!out->request_hash || !out->body) {
            store_idem_fini(out);
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
        }
    }
    sqlite3_reset(st);
    return e;
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
    sqlite3_stmt *st = stmt_get(c, SQL_IDEM_PUT, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, key);
    store_bind_text(st, 7, scope);
    store_bind_text(st, 2, r->request_hash);
    bind_i64(st, 3, r->status);
    store_bind_text(st, 4, r->location);
    store_bind_text(st, 5, r->body);
    store_bind_text(st, 6, now);
    return store_step_done(c, st, ei, "saving an idempotency key");
}

vk_err store_secret_get(store_conn *c, const char *name, unsigned char out[32], vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_SECRET_GET, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    vk_err e = VK_OK;
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
        memcpy(out, sqlite3_column_blob(st, 0), 32);
    else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        e = vk_fail(ei, VK_EDB, "", "the database has no secret '%s'", name);
    else
        e = db_fail(c, ei, "reading a server secret");
    sqlite3_reset(st);
    return e;
}

vk_err store_idem_purge(store_conn *c, const char *before, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_IDEM_PURGE, ei);
    if (!st)
        return VK_EDB;
    store_bind_text(st, 1, before);
    return store_step_done(c, st, ei, "forgetting old idempotency keys");
}

vk_err store_read_begin(store_conn *c, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_READ_BEGIN, ei);
    return st ? store_step_done(c, st, ei, "starting a read") : VK_EDB;
}

void store_read_end(store_conn *c)
{
    sqlite3_stmt *st = stmt_get(c, SQL_READ_END, NULL);
    if (st)
        store_step_done(c, st, NULL, "ending a read");
}

vk_err store_savepoint(store_conn *c, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_SAVEPOINT, ei);
    return st ? store_step_done(c, st, ei, "savepoint") : VK_EDB;
}

vk_err store_release(store_conn *c, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_RELEASE, ei);
    return st ? store_step_done(c, st, ei, "release") : VK_EDB;
}

void store_rollback_to(store_conn *c)
{
    sqlite3_stmt *st = stmt_get(c, SQL_ROLLBACK_TO, NULL);
    if (st)
        store_step_done(c, st, NULL, "rollback to");
    st = stmt_get(c, SQL_RELEASE, NULL);
    if (st)
        store_step_done(c, st, NULL, "release");
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
    char line[128];
    snprintf(line, sizeof line, "schema version: %d (this vaikuta knows up to %d)",
             store_migrate_version(c->db), store_migrations_count);
    report(arg, line);
    (void)ei;
    return VK_OK;
}

/* ---- the handling workflow ---- */

void store_feedback_state_fini(store_feedback_state *s)
{
    free(s->status);
    free(s->unit);
    free(s->resolution_reason);
    free(s->forwarded_to);
    free(s->answer);
    memset(s, 0, sizeof *s);
}

vk_err store_feedback_state_get(store_conn *c, int64_t id, int *found, store_feedback_state *out,
                                vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = stmt_get(c, SQL_FEEDBACK_STATE, ei);
    if (!st)
        return VK_EDB;
    bind_i64(st, 1, id);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    vk_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK
                                                        : db_fail(c, ei, "reading an item's state");
    if (rc == SQLITE_ROW) {
        out->status = store_col_dup(st, 0);
        out->unit_id = sqlite3_column_int64(st, 1);
        out->unit = store_col_dup(st, 2);
        out->resolution_reason = store_col_dup(st, 3);
        out->duplicate_of = sqlite3_column_int64(st, 4);
        out->forwarded_to = store_col_dup(st, 5);
        out->answer = store_col_dup(st, 6);
        if (!out->status) {
            store_feedback_state_fini(out);
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
        }
    }
    sqlite3_reset(st);
    return e;
}

/* One integer from a one-row query with one text or integer parameter. */
static vk_err query_i64(store_conn *c, store_sql_id id, const char *text, int64_t num,
                        int64_t *out, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, id, ei);
    if (!st)
        return VK_EDB;
    if (text)
        store_bind_text(st, 1, text);
    else
        bind_i64(st, 1, num);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    vk_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "a lookup");
    sqlite3_reset(st);
    return e;
}

vk_err store_feedback_exists(store_conn *c, int64_t id, int *exists, vk_errinfo *ei)
{
    int64_t v = 0;
    vk_err e = query_i64(c, SQL_FEEDBACK_EXISTS, NULL, id, &v, ei);
    *exists = v == 1;
    return e;
}

vk_err store_unit_id(store_conn *c, const char *code, int64_t *id, vk_errinfo *ei)
{
    return query_i64(c, SQL_UNIT_ID, code, 0, id, ei);
}

vk_err store_feedback_update(store_conn *c, int64_t id, const store_feedback_state *s,
                             const char *answer, const char *now, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_FEEDBACK_UPDATE, ei);
    if (!st)
        return VK_EDB;
    bind_i64(st, 1, id);
    store_bind_text(st, 2, s->status);
    store_bind_text(st, 3, s->resolution_reason);
    bind_i64_or_null(st, 4, s->duplicate_of);
    store_bind_text(st, 5, s->forwarded_to);
    bind_i64_or_null(st, 6, s->unit_id);
    store_bind_text(st, 7, answer);
    store_bind_text(st, 8, now);
    return store_step_done(c, st, ei, "updating feedback");
}

vk_err store_analyze_if_stale(store_conn *c, int *analyzed, vk_errinfo *ei)
{
    *analyzed = 0;
    sqlite3_stmt *st = stmt_get(c, SQL_HAS_STAT1, ei);
    if (!st)
        return VK_EDB;
    int rc = sqlite3_step(st);
    int have_stats = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db_fail(c, ei, "looking for planner statistics");
    if (have_stats) {
        /* Prepared here, not cached: sqlite_stat1 may not exist when the
         * cache's statements are first made, and this runs hourly. */
        if (sqlite3_prepare_v2(c->db, SQL_ONCE_ANALYZED_ROWS, -1, &st, NULL) != SQLITE_OK)
            return db_fail(c, ei, "reading planner statistics");
        rc = sqlite3_step(st);
        int64_t rows = sqlite3_column_int64(st, 0);
        int known = rc == SQLITE_ROW && sqlite3_column_type(st, 1) != SQLITE_NULL;
        int64_t then = known ? sqlite3_column_int64(st, 1) : 0;
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            return db_fail(c, ei, "reading planner statistics");
        if (known && rows <= 2 * then + 1000 && 2 * rows + 1000 >= then)
            return VK_OK;
    }
    vk_err e = exec(c, SQL_SCRIPT_ANALYZE, ei);
    *analyzed = e == VK_OK;
    return e;
}

vk_err store_event_add(store_conn *c, const store_event *ev, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_EVENT_ADD, ei);
    if (!st)
        return VK_EDB;
    bind_i64(st, 1, ev->feedback_id);
    store_bind_text(st, 2, ev->at);
    store_bind_text(st, 3, ev->actor);
    store_bind_text(st, 4, ev->kind);
    store_bind_text(st, 5, ev->before);
    store_bind_text(st, 6, ev->after);
    store_bind_text(st, 7, ev->public_answer);
    store_bind_text(st, 8, ev->internal_note);
    return store_step_done(c, st, ei, "saving a feedback event");
}

vk_err store_event_each(store_conn *c, int64_t feedback_id, store_event_fn fn, void *arg,
                        vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, SQL_EVENT_LIST_ITEM, ei);
    if (!st)
        return VK_EDB;
    bind_i64(st, 1, feedback_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_event ev = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                          col_text(st, 2), col_text(st, 3), col_text(st, 4), col_text(st, 5),
                          col_text(st, 6), col_text(st, 7), col_text(st, 8)};
        if (fn(arg, &ev))
            break;
    }
    vk_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? VK_OK : db_fail(c, ei, "feedback events");
    sqlite3_reset(st);
    return e;
}
