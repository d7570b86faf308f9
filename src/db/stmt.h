/*
 * stmt.h — statement slices, and the bind/step/check idiom written once.
 *
 * A feature owns its SQL. It lists its named statements in its own sql.h
 * with an X-macro and declares them a slice of the statement list:
 *
 *     #define FEEDBACK_SQL(X) X(SQL_FEEDBACK_INSERT, "INSERT …") …
 *     DB_SLICE_ENUM(feedback_sql_id, FEEDBACK_SQL)
 *     extern const db_slice feedback_sql;
 *
 * and defines the slice in one of its .c files:
 *
 *     DB_SLICE_DEFINE(feedback_sql, FEEDBACK_SQL)
 *
 * A connection prepares a statement the first time it runs, by (slice,
 * index), and keeps it for the connection's life (see docs/database.md).
 * Nothing registers a slice: adding a feature edits no file of db/.
 *
 * A statement runs through db_run (no rows), db_first (one row), db_each
 * (every row) or db_int64 (one number); each binds the arguments, steps,
 * turns a failure into "what: <engine message>" on ei, and resets the
 * statement before it returns, so no reader keeps a snapshot open. Rows
 * are read with db_col_*; their pointers are BORROWED until the callback
 * returns.
 */
#ifndef VK_DB_STMT_H
#define VK_DB_STMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/store.h"

/* ---- slices ---- */

typedef struct db_slice {
    const char *name;       /* for messages */
    int count;
    const char *const *sql; /* count statements, indexed by the slice's enum */
} db_slice;

#define DB_SLICE_ENUM_ITEM_(name, sql) name,
#define DB_SLICE_TEXT_ITEM_(name, sql) sql,
#define DB_SLICE_ENUM(type, LIST) typedef enum { LIST(DB_SLICE_ENUM_ITEM_) } type;
#define DB_SLICE_DEFINE(var, LIST)                                                   \
    static const char *const var##_text_[] = {LIST(DB_SLICE_TEXT_ITEM_)};            \
    const db_slice var = {#var, (int)(sizeof var##_text_ / sizeof var##_text_[0]),   \
                          var##_text_};

/* ---- arguments: bound to ?1, ?2, … in order ---- */

typedef enum { DB_ARG_NULL, DB_ARG_TEXT, DB_ARG_INT, DB_ARG_ID, DB_ARG_REAL, DB_ARG_BLOB } db_arg_type;

typedef struct db_arg {
    db_arg_type type;
    int64_t i;
    double d;
    const void *p; /* text or blob, borrowed until the call returns */
    size_t n;      /* blob length */
} db_arg;

#define DB_NULL ((db_arg){DB_ARG_NULL, 0, 0, NULL, 0})
/* Text; a NULL pointer binds NULL. */
#define DB_TEXT(s) ((db_arg){DB_ARG_TEXT, 0, 0, (s), 0})
#define DB_INT(v) ((db_arg){DB_ARG_INT, (v), 0, NULL, 0})
/* A row id where 0 means none: 0 binds NULL. */
#define DB_ID(v) ((db_arg){DB_ARG_ID, (v), 0, NULL, 0})
#define DB_REAL(v) ((db_arg){DB_ARG_REAL, 0, (v), NULL, 0})
#define DB_BLOB(ptr, len) ((db_arg){DB_ARG_BLOB, 0, 0, (ptr), (len)})
/* The argument list of a call: DB_ARGS(DB_INT(id), DB_TEXT(name)). An
 * argument past the statement's last parameter is skipped. */
#define DB_ARGS(...)                                                                 \
    (const db_arg[]){__VA_ARGS__}, (int)(sizeof(db_arg[]){__VA_ARGS__} / sizeof(db_arg))
#define DB_NO_ARGS NULL, 0

/* ---- running a named statement ---- */

/* A row of a running statement; borrowed until the callback returns. */
typedef struct sqlite3_stmt db_row;
/* db_each's callback: ≠ 0 stops the walk (not an error). */
typedef int (*db_row_fn)(void *arg, db_row *row);
/* db_first's callback: a non-VK_OK code (e.g. VK_ENOMEM) fails the call
 * with that code's standard message. */
typedef vk_err (*db_read_fn)(void *arg, db_row *row);

/* A statement that returns no rows we read (or whose rows are ignored). */
vk_err db_run(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
              const char *what, vk_errinfo *ei);
/* The first row, if any, through fn; *found (may be NULL) says whether
 * there was one. */
vk_err db_first(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
                db_read_fn fn, void *arg, int *found, const char *what, vk_errinfo *ei);
/* Every row through fn, until fn returns ≠ 0. */
vk_err db_each(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
               db_row_fn fn, void *arg, const char *what, vk_errinfo *ei);
/* ---- the first row into variables ---- */

typedef enum { DB_OUT_I64, DB_OUT_INT, DB_OUT_REAL, DB_OUT_COPY, DB_OUT_DUP } db_out_type;

typedef struct db_out {
    db_out_type type;
    void *p;  /* where the column goes */
    size_t n; /* DB_OUT_COPY: the buffer's size */
} db_out;

/* Column i of the row goes to the i-th out. SQL NULL reads as 0, "" or
 * NULL. A DB_DUP_TO string is malloc'd: the caller frees it; when the
 * call fails, every DB_DUP_TO out is NULL. */
#define DB_I64_TO(ptr) ((db_out){DB_OUT_I64, (ptr), 0})
#define DB_INT_TO(ptr) ((db_out){DB_OUT_INT, (ptr), 0})
#define DB_REAL_TO(ptr) ((db_out){DB_OUT_REAL, (ptr), 0})
#define DB_COPY_TO(buf, size) ((db_out){DB_OUT_COPY, (buf), (size)})
#define DB_DUP_TO(pptr) ((db_out){DB_OUT_DUP, (pptr), 0})
#define DB_OUTS(...)                                                                 \
    (const db_out[]){__VA_ARGS__}, (int)(sizeof(db_out[]){__VA_ARGS__} / sizeof(db_out))

/* The first row, if any, into outs; *found (may be NULL) says whether
 * there was one (the outs are untouched when not). */
vk_err db_scan(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
               const db_out *outs, int nouts, int *found, const char *what, vk_errinfo *ei);
/* Free every DB_DUP_TO string of outs and set it to NULL: the fini of a
 * record read through the same outs (db_scan does it when it fails). */
void db_outs_free(const db_out *outs, int nouts);

/* A caller's typed callback carried through db_each to the slice's row
 * reader, which casts fn back to the type it was given as. */
typedef struct db_walk {
    void (*fn)(void);
    void *arg;
} db_walk;
#define DB_WALK(f, a) ((db_walk){(void (*)(void))(f), (a)})

/* The first column of the first row as an integer; 0 when there is no row. */
vk_err db_int64(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
                int64_t *out, const char *what, vk_errinfo *ei);

/* Rows changed by the last write, and the row id of the last insert. */
int64_t db_changes(store_conn *c);
int64_t db_last_id(store_conn *c);
/* 1 inside a transaction (BEGIN … not yet committed). */
int db_in_transaction(store_conn *c);
/* The constraint the last failed write broke, else DB_CONSTRAINT_NONE. */
typedef enum { DB_CONSTRAINT_NONE, DB_CONSTRAINT_UNIQUE, DB_CONSTRAINT_CHECK, DB_CONSTRAINT_OTHER } db_constraint;
db_constraint db_last_constraint(store_conn *c);

/* ---- a cursor, for the rare reader that steps two statements at once ---- */

/* The named statement, prepared on first use, reset and unbound, with
 * args bound. Borrowed: end with db_cursor_end (an open one pins a
 * snapshot). NULL on failure (ei set). */
db_row *db_cursor(store_conn *c, const db_slice *s, int id, const db_arg *args, int nargs,
                  vk_errinfo *ei);
/* 1 on a row, 0 at the end, -1 on failure. */
int db_cursor_step(db_row *row);
void db_cursor_end(db_row *row);
/* Fail with "what: <engine message>" (VK_EQUERY_TIMEOUT past the deadline). */
vk_err db_fail(store_conn *c, const char *what, vk_errinfo *ei);

/* ---- columns of a row (0-based) ---- */

const char *db_col_text(db_row *row, int i); /* NULL for SQL NULL */
int64_t db_col_int64(db_row *row, int i);    /* 0 for SQL NULL */
int db_col_int(db_row *row, int i);
double db_col_double(db_row *row, int i);
const void *db_col_blob(db_row *row, int i);
size_t db_col_bytes(db_row *row, int i);
int db_col_is_null(db_row *row, int i);
/* A malloc'd copy of column i's text, NULL for SQL NULL (or out of
 * memory). Caller frees. */
char *db_col_dup(db_row *row, int i);
/* Column i's text into dst (n bytes, cut to fit), "" for SQL NULL. */
void db_col_copy(db_row *row, int i, char *dst, size_t n);

/* ---- another SQLite file (a GeoPackage) ---- */

struct sqlite3;
/* Run a script on db; on failure code with "<prefix><engine message>". */
vk_err db_exec_file(struct sqlite3 *db, const char *sql, vk_err code, const char *prefix,
                    vk_errinfo *ei);

#endif
