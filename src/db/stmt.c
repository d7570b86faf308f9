/*
 * stmt.c — the statement cache by (slice, index) and the bind/step/check
 * idiom every store function used to write out by hand (see stmt.h).
 */
#include "db/stmt.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_internal.h"

/* The connection's prepared statements of slice s, made on first use. */
static sqlite3_stmt **slice_stmts(store_conn *c, const db_slice *s, vk_errinfo *ei)
{
    for (int i = 0; i < c->nslices; i++)
        if (c->slices[i].slice == s)
            return c->slices[i].stmt;
    if (c->nslices == STORE_MAX_SLICES) {
        vk_fail(ei, VK_EDB, "", "too many statement slices (%s)", s->name);
        return NULL;
    }
    sqlite3_stmt **stmt = calloc((size_t)s->count, sizeof *stmt);
    if (!stmt) {
        vk_fail(ei, VK_ENOMEM, "", NULL);
        return NULL;
    }
    c->slices[c->nslices].slice = s;
    c->slices[c->nslices++].stmt = stmt;
    return stmt;
}

void store_slices_close(store_conn *c)
{
    for (int i = 0; i < c->nslices; i++) {
        for (int j = 0; j < c->slices[i].slice->count; j++)
            sqlite3_finalize(c->slices[i].stmt[j]);
        free(c->slices[i].stmt);
    }
    c->nslices = 0;
}

/* The statement, prepared on first use, else reset and unbound. */
static sqlite3_stmt *stmt_get(store_conn *c, const db_slice *s, int id, vk_errinfo *ei)
{
    sqlite3_stmt **all = slice_stmts(c, s, ei);
    if (!all)
        return NULL;
    sqlite3_stmt *st = all[id];
    if (!st) {
        if (sqlite3_prepare_v3(c->db, s->sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK) {
            db_fail(c, "preparing a statement", ei);
            return NULL;
        }
        all[id] = st;
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    return st;
}

static void bind(sqlite3_stmt *st, const db_arg *args, int nargs)
{
    int have = sqlite3_bind_parameter_count(st);
    for (int i = 0; i < nargs && i < have; i++) {
        const db_arg *a = &args[i];
        int null = a->type == DB_ARG_NULL || (a->type == DB_ARG_TEXT && !a->p) ||
                   (a->type == DB_ARG_ID && !a->i);
        if (null) {
            sqlite3_bind_null(st, i + 1);
            continue;
        }
        switch (a->type) {
        case DB_ARG_NULL:
            break;
        case DB_ARG_TEXT:
            sqlite3_bind_text(st, i + 1, a->p, -1, SQLITE_STATIC);
            break;
        case DB_ARG_ID:
        case DB_ARG_INT:
            sqlite3_bind_int64(st, i + 1, a->i);
            break;
        case DB_ARG_REAL:
            sqlite3_bind_double(st, i + 1, a->d);
            break;
        case DB_ARG_BLOB:
            sqlite3_bind_blob(st, i + 1, a->p, (int)a->n, SQLITE_STATIC);
            break;
        }
    }
}

static sqlite3_stmt *prepare_bound(store_conn *c, const db_slice *s, int id, const db_arg *args,
                                   int nargs, vk_errinfo *ei)
{
    sqlite3_stmt *st = stmt_get(c, s, id, ei);
    if (st)
        bind(st, args, nargs);
    return st;
}

static int step_ok(int rc) { return rc == SQLITE_ROW || rc == SQLITE_DONE; }

vk_err db_run(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
              const char *what, vk_errinfo *ei)
{
    sqlite3_stmt *st = prepare_bound(c, s, id, args, nargs, ei);
    if (!st)
        return VK_EDB;
    int rc = sqlite3_step(st);
    vk_err e = step_ok(rc) ? VK_OK : db_fail(c, what, ei);
    sqlite3_reset(st);
    return e;
}

vk_err db_first(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
                db_read_fn fn, void *arg, int *found, const char *what, vk_errinfo *ei)
{
    if (found)
        *found = 0;
    sqlite3_stmt *st = prepare_bound(c, s, id, args, nargs, ei);
    if (!st)
        return VK_EDB;
    int rc = sqlite3_step(st);
    vk_err e = step_ok(rc) ? VK_OK : db_fail(c, what, ei);
    if (rc == SQLITE_ROW) {
        if (found)
            *found = 1;
        vk_err re = fn ? fn(arg, st) : VK_OK;
        if (re)
            e = vk_fail(ei, re, "", NULL);
    }
    sqlite3_reset(st);
    return e;
}

vk_err db_each(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
               db_row_fn fn, void *arg, const char *what, vk_errinfo *ei)
{
    sqlite3_stmt *st = prepare_bound(c, s, id, args, nargs, ei);
    if (!st)
        return VK_EDB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(arg, st))
            break;
    vk_err e = step_ok(rc) ? VK_OK : db_fail(c, what, ei);
    sqlite3_reset(st);
    return e;
}

typedef struct scan {
    const db_out *outs;
    int n;
} scan;

static vk_err scan_row(void *arg, db_row *row)
{
    scan *sc = arg;
    vk_err e = VK_OK;
    for (int i = 0; i < sc->n; i++) {
        const db_out *o = &sc->outs[i];
        switch (o->type) {
        case DB_OUT_I64: *(int64_t *)o->p = db_col_int64(row, i); break;
        case DB_OUT_INT: *(int *)o->p = db_col_int(row, i); break;
        case DB_OUT_REAL: *(double *)o->p = db_col_double(row, i); break;
        case DB_OUT_COPY: db_col_copy(row, i, o->p, o->n); break;
        case DB_OUT_DUP:
            *(char **)o->p = db_col_dup(row, i);
            if (!*(char **)o->p && !db_col_is_null(row, i))
                e = VK_ENOMEM;
            break;
        }
    }
    return e;
}

vk_err db_scan(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
               const db_out *outs, int nouts, int *found, const char *what, vk_errinfo *ei)
{
    scan sc = {outs, nouts};
    vk_err e = db_first(c, s, id, args, nargs, scan_row, &sc, found, what, ei);
    if (e)
        db_outs_free(outs, nouts);
    return e;
}

void db_outs_free(const db_out *outs, int nouts)
{
    for (int i = 0; i < nouts; i++)
        if (outs[i].type == DB_OUT_DUP) {
            free(*(char **)outs[i].p);
            *(char **)outs[i].p = NULL;
        }
}

static vk_err read_int64(void *arg, db_row *row)
{
    *(int64_t *)arg = sqlite3_column_int64(row, 0);
    return VK_OK;
}

vk_err db_int64(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
                int64_t *out, const char *what, vk_errinfo *ei)
{
    *out = 0;
    return db_first(c, s, id, args, nargs, read_int64, out, NULL, what, ei);
}

int64_t db_changes(store_conn *c) { return sqlite3_changes64(c->db); }

int64_t db_last_id(store_conn *c) { return sqlite3_last_insert_rowid(c->db); }

int db_in_transaction(store_conn *c) { return !sqlite3_get_autocommit(c->db); }

db_constraint db_last_constraint(store_conn *c)
{
    switch (sqlite3_extended_errcode(c->db)) {
    case SQLITE_CONSTRAINT_UNIQUE: return DB_CONSTRAINT_UNIQUE;
    case SQLITE_CONSTRAINT_CHECK: return DB_CONSTRAINT_CHECK;
    default:
        return (sqlite3_errcode(c->db) & 0xff) == SQLITE_CONSTRAINT ? DB_CONSTRAINT_OTHER
                                                                     : DB_CONSTRAINT_NONE;
    }
}

db_row *db_cursor(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
                  vk_errinfo *ei)
{
    return prepare_bound(c, s, id, args, nargs, ei);
}

int db_cursor_step(db_row *row)
{
    int rc = sqlite3_step(row);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

void db_cursor_end(db_row *row)
{
    if (row)
        sqlite3_reset(row);
}

/* ---- columns ---- */

const char *db_col_text(db_row *row, int i) { return (const char *)sqlite3_column_text(row, i); }

int64_t db_col_int64(db_row *row, int i) { return sqlite3_column_int64(row, i); }

int db_col_int(db_row *row, int i) { return sqlite3_column_int(row, i); }

double db_col_double(db_row *row, int i) { return sqlite3_column_double(row, i); }

const void *db_col_blob(db_row *row, int i) { return sqlite3_column_blob(row, i); }

size_t db_col_bytes(db_row *row, int i) { return (size_t)sqlite3_column_bytes(row, i); }

int db_col_is_null(db_row *row, int i) { return sqlite3_column_type(row, i) == SQLITE_NULL; }

char *db_col_dup(db_row *row, int i)
{
    const char *s = db_col_text(row, i);
    return s ? strdup(s) : NULL;
}

void db_col_copy(db_row *row, int i, char *dst, size_t n)
{
    const char *s = db_col_text(row, i);
    snprintf(dst, n, "%s", s ? s : "");
}

vk_err db_exec_file(sqlite3 *db, const char *sql, vk_err code, const char *prefix,
                    vk_errinfo *ei)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        vk_fail(ei, code, "", "%s%s", prefix, err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return code;
    }
    return VK_OK;
}
