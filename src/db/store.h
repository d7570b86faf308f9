/*
 * store.h — the database engine: connections, migrations, transactions
 * and savepoints, the request deadline, backup and check.
 *
 * A store_conn is one SQLite connection with SpatiaLite loaded and the
 * named statements of every slice (db/stmt.h), each prepared on first
 * use and kept for the connection's life. A connection belongs to one
 * worker at a time. Each feature's store functions live in its folder
 * (feedback/store_feedback.h, reference/store_reference.h, …); the seam a
 * second engine plugs into is written down in docs/database.md.
 *
 * Row structs returned by the readers hold pointers BORROWED from SQLite:
 * valid until the next call on the same iterator or connection.
 */
#ifndef VK_STORE_H
#define VK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct store_conn store_conn;

/* ---- lifecycle ---- */

/* Open (creating it when missing, with SpatiaLite metadata) the database at
 * path and bring its schema up to date. Refuses a database newer than this
 * binary (VK_ESCHEMA_NEWER). Caller closes with store_close(). */
vk_err store_open(store_conn **out, const char *path, vk_errinfo *ei);
/* Open an existing, already migrated database (a worker's connection). */
vk_err store_open_worker(store_conn **out, const char *path, vk_errinfo *ei);
/* Open an existing database as it is, any schema version, changing
 * nothing (backup, check). */
vk_err store_open_existing(store_conn **out, const char *path, vk_errinfo *ei);
/* Read the database file through a memory map of up to bytes (0: off):
 * pages are read in place instead of copied into the connection's cache.
 * The mapped pages are the kernel's page cache, shared and reclaimable,
 * not the process's own memory. */
vk_err store_mmap(store_conn *c, int64_t bytes, vk_errinfo *ei);
void store_close(store_conn *c);

/* A consistent copy of the open database into out (which must not exist),
 * with SQLite's online backup: readers and the writer go on meanwhile. */
vk_err store_backup(store_conn *c, const char *out, vk_errinfo *ei);

/* Integrity, foreign keys and spatial indexes. Each finding goes to
 * report(arg, line) in plain words; *problems counts them. */
vk_err store_check(store_conn *c, void (*report)(void *arg, const char *line), void *arg,
                   int *problems, vk_errinfo *ei);

/* Schema version now in the database, and the newest this binary knows. */
int store_schema_version(store_conn *c);
int store_schema_latest(void);

/* Run a script of several statements, named in a sql.h (never built from
 * input). */
vk_err store_exec(store_conn *c, const char *script, vk_errinfo *ei);

vk_err store_begin(store_conn *c, vk_errinfo *ei);
vk_err store_commit(store_conn *c, vk_errinfo *ei);
void store_rollback(store_conn *c);
/* A write that is its own transaction unless its caller is in one (a
 * writer job is): store_begin_own begins one only then, saying so in *own;
 * store_end_own ends what it began, committing when e is VK_OK and else
 * rolling back, and returns e or the commit's failure. */
vk_err store_begin_own(store_conn *c, int *own, vk_errinfo *ei);
vk_err store_end_own(store_conn *c, int own, vk_err e, vk_errinfo *ei);
/* A read transaction (deferred BEGIN … COMMIT), so that several
 * statements see one snapshot. */
vk_err store_read_begin(store_conn *c, vk_errinfo *ei);
void store_read_end(store_conn *c);

/* A deadline for everything this connection runs from now on (a request's
 * whole handling): past deadline_us (vk_monotonic_us time) the running
 * statement is interrupted and fails with VK_EQUERY_TIMEOUT. 0 disarms.
 * store_deadline_hit tells whether the armed deadline interrupted one. */
void store_deadline_set(store_conn *c, int64_t deadline_us);
int64_t store_deadline_get(const store_conn *c);
int store_deadline_hit(const store_conn *c);

/* A cheap query that proves the database answers. */
vk_err store_ping(store_conn *c, int64_t *feedback_count, vk_errinfo *ei);

/* ANALYZE when the planner has no statistics yet or feedback has since
 * more than doubled or halved (give or take 1000 rows); *analyzed says
 * whether it ran. Without statistics SQLite takes any matching index as
 * selective, e.g. sorting half a million rows of status=received for an
 * inbox page instead of walking the inbox index. */
vk_err store_analyze_if_stale(store_conn *c, int *analyzed, vk_errinfo *ei);

/* ---- idempotency keys and server secrets (the writer's) ---- */

typedef struct store_idem {
    char *request_hash; /* hex SHA-256 */
    int status;
    char *location;     /* may be NULL */
    char *body;
} store_idem;

/* Keys belong to a client: scope names it (schema 0011: "t:" and a token
 * id, or "a:" and a keyed hash of the address); the same key in another
 * scope is another key. */
/* The remembered response for key in scope; *found 0 if none. The strings
 * are copies: caller frees with store_idem_fini(). */
vk_err store_idem_get(store_conn *c, const char *scope, const char *key, int *found,
                      store_idem *out, vk_errinfo *ei);
void store_idem_fini(store_idem *r);
vk_err store_idem_put(store_conn *c, const char *scope, const char *key, const store_idem *r,
                      const char *now, vk_errinfo *ei);

/* The server's 32-byte secret called name (schema 0011, server_secret)
 * into out; VK_EDB when there is none. */
vk_err store_secret_get(store_conn *c, const char *name, unsigned char out[32], vk_errinfo *ei);
/* Forget responses older than `before` (RFC 3339). */
vk_err store_idem_purge(store_conn *c, const char *before, vk_errinfo *ei);

/* A savepoint around one job of a batch, so a failing job is undone alone. */
vk_err store_savepoint(store_conn *c, vk_errinfo *ei);
vk_err store_release(store_conn *c, vk_errinfo *ei);
void store_rollback_to(store_conn *c);

#endif
