/*
 * store_internal.h — the SQLite connection struct and its statement
 * caches: what db/ shares, and the feature query engine
 * (features/collections.c), which builds its SQL from filters, reads
 * beside it. Features with named statements use db/stmt.h instead.
 */
#ifndef VK_STORE_INTERNAL_H
#define VK_STORE_INTERNAL_H

#include <sqlite3.h>

#include "db/stmt.h"
#include "db/store.h"

#define STORE_CACHE_SIZE 48
#define STORE_MAX_COLLECTIONS 16
#define STORE_MAX_SLICES 32 /* statement slices: db/ and one per feature */

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
    struct {
        const db_slice *slice; /* borrowed: a feature's static slice */
        sqlite3_stmt **stmt;   /* owned: slice->count, prepared on first use */
    } slices[STORE_MAX_SLICES];
    int nslices;
    store_cached cache[STORE_CACHE_SIZE];
    uint64_t cache_clock;
    store_extent extents[STORE_MAX_COLLECTIONS];
    int64_t deadline_us; /* monotonic time the current request must end by; 0 = none */
    int deadline_hit;    /* the progress handler interrupted a statement */
    void *labels;        /* features/labels.c: the category, unit and district
                          * names; one block, freed with free() */
};

/* A statement for dynamic SQL (filters), prepared once per distinct text
 * and kept; reset and unbound on return. Borrowed: do not finalize. */
sqlite3_stmt *store_cached_stmt(store_conn *c, const char *sql, vk_errinfo *ei);
vk_err store_db_fail(store_conn *c, vk_errinfo *ei, const char *what);
/* Finalize the connection's named statements (store_close). */
void store_slices_close(store_conn *c);

/* The hexagon grid's SQL functions on db (hex_sql.c); −1 on failure. */
int db_hex_functions(struct sqlite3 *db);

#endif
