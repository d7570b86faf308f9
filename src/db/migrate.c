/* migrate.c — the migrations runner. */
#include "db/migrate.h"

#include <stdio.h>

int store_migrate_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int count_rows(void *arg, int ncol, char **values, char **names)
{
    (void)ncol, (void)values, (void)names;
    ++*(int *)arg;
    return 0;
}

vk_err store_migrate_db(sqlite3 *db, int *from, int *to, vk_errinfo *ei)
{
    int v = store_migrate_version(db);
    if (v < 0)
        return vk_fail(ei, VK_EDB, "", "cannot read the schema version: %s", sqlite3_errmsg(db));
    if (from)
        *from = v;
    if (to)
        *to = v;
    if (v > store_migrations_latest)
        return vk_fail(ei, VK_ESCHEMA_NEWER, "",
                       "the database has schema version %d but this vaikuta knows only up to %d; "
                       "use a newer vaikuta (the database was not changed)",
                       v, store_migrations_latest);
    for (int i = 0; i < store_migrations_count; i++) {
        const store_migration *m = &store_migrations[i];
        if (m->version <= v)
            continue;
        char *err = NULL;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", m->version);
        /* Foreign keys off while a migration runs (a no-op inside a
         * transaction, so before BEGIN): rebuilding a table drops the old
         * one, which would otherwise cascade into the tables that refer to
         * it. The references are checked before the commit instead. */
        sqlite3_exec(db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
        int bad_refs = 0;
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(db, m->sql, NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(db, "PRAGMA foreign_key_check", count_rows, &bad_refs, &err) !=
                SQLITE_OK ||
            bad_refs != 0 ||
            sqlite3_exec(db, pragma, NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
            vk_fail(ei, VK_EDB, "", "migration %s failed: %s", m->name,
                    err ? err
                    : bad_refs ? "it would leave references between tables broken"
                               : sqlite3_errmsg(db));
            sqlite3_free(err);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
            return VK_EDB;
        }
        sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
        if (to)
            *to = m->version;
    }
    return VK_OK;
}
