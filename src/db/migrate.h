/*
 * migrate.h — numbered, forward-only schema migrations (schema/NNNN_*.sql),
 * compiled into the binary by scripts/embed_schema.py. Each runs in one
 * transaction that also records its number in PRAGMA user_version.
 */
#ifndef VK_MIGRATE_H
#define VK_MIGRATE_H

#include <sqlite3.h>

#include "core/err.h"

typedef struct store_migration {
    int version;
    const char *name;
    const char *sql;
} store_migration;

extern const store_migration store_migrations[];
extern const int store_migrations_count;
/* The newest migration's version: the schema this binary writes. Numbers
 * may have gaps, so this is not store_migrations_count. */
extern const int store_migrations_latest;

/* Apply every migration newer than the database's version. *from and *to
 * report the versions before and after (either may be NULL). */
vk_err store_migrate_db(sqlite3 *db, int *from, int *to, vk_errinfo *ei);
int store_migrate_version(sqlite3 *db);

#endif
