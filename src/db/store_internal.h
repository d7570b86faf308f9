/*
 * store_internal.h — what the files of src/store/ share and nobody else
 * sees: the connection struct and its statement cache.
 */
#ifndef VK_STORE_INTERNAL_H
#define VK_STORE_INTERNAL_H

#include <sqlite3.h>

#include "db/sql.h"
#include "db/store.h"

#define STORE_CACHE_SIZE 48
#define STORE_MAX_COLLECTIONS 16

typedef struct store_cached {
    char *sql;          /* owned */
    sqlite3_stmt *stmt; /* owned */
    uint64_t used;      /* last use, for eviction */
} store_cached;

/* What a connection remembers of a collection until the data changes. */
typedef struct store_extent {
    int valid, found;
    long long data_version, changes;
    double bbox[4];
    char t0[32], t1[32];
    int total_valid;
    long long total_version, total_changes;
    int64_t total;
} store_extent;

struct store_conn {
    sqlite3 *db;
    void *spatialite; /* SpatiaLite's per-connection cache */
    sqlite3_stmt *stmt[SQL__COUNT];
    store_cached cache[STORE_CACHE_SIZE];
    uint64_t cache_clock;
    store_extent extents[STORE_MAX_COLLECTIONS];
    int64_t deadline_us; /* monotonic time the current request must end by; 0 = none */
    int deadline_hit;    /* the progress handler interrupted a statement */
};

/* A statement for dynamic SQL (filters), prepared once per distinct text
 * and kept; reset and unbound on return. Borrowed: do not finalize. */
sqlite3_stmt *store_cached_stmt(store_conn *c, const char *sql, vk_errinfo *ei);
vk_err store_db_fail(store_conn *c, vk_errinfo *ei, const char *what);
/* Bind text, or NULL for a NULL pointer; an index the statement does not
 * use is skipped. */
void store_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Step a statement that returns no rows we read, then reset it (never
 * leave one open: it would pin an old snapshot). */
vk_err store_step_done(store_conn *c, sqlite3_stmt *st, vk_errinfo *ei, const char *what);
/* A named statement of sql.h, prepared on first use, reset and unbound.
 * Borrowed: reset it when done (an open statement pins a snapshot). */
sqlite3_stmt *store_stmt(store_conn *c, store_sql_id id, vk_errinfo *ei);
/* A malloc'd copy of column i's text, NULL for SQL NULL (or out of memory). */
char *store_col_dup(sqlite3_stmt *st, int i);

#endif
