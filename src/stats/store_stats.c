/* stats.c — the SQL behind aggregate statistics (see stats.h). */
#include "stats/store_stats.h"

#include <string.h>
#include <stdio.h>

#include "db/store_internal.h"

vk_err store_stats_stamp(store_conn *c, int64_t since, int64_t *seq, char at[32],
                         int64_t *pending, int64_t *reference, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_STATS_STAMP, ei);
    if (!st)
        return VK_EDB;
    sqlite3_bind_int64(st, 1, since);
    int rc = sqlite3_step(st);
    vk_err e = VK_OK;
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        const char *t = (const char *)sqlite3_column_text(st, 1);
        snprintf(at, 32, "%s", t ? t : "");
        *pending = sqlite3_column_int64(st, 2);
        *reference = sqlite3_column_int64(st, 3);
    } else {
        e = store_db_fail(c, ei, "reading the change stamp");
    }
    sqlite3_reset(st);
    return e;
}

static const char *text_or_null(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

vk_err store_stats_rows(store_conn *c, int full, int64_t since, store_stats_row_fn fn, void *arg,
                        vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, full ? SQL_STATS_ALL : SQL_STATS_CHANGED, ei);
    if (!st)
        return VK_EDB;
    if (!full)
        sqlite3_bind_int64(st, 1, since);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_stats_row r;
        memset(&r, 0, sizeof r);
        r.seq = sqlite3_column_int64(st, 0);
        r.id = sqlite3_column_int64(st, 1); /* 0 (NULL): reference data changed */
        r.present = sqlite3_column_type(st, 2) != SQLITE_NULL && sqlite3_column_int(st, 3) == 0 &&
                    sqlite3_column_type(st, 4) != SQLITE_NULL;
        r.created = text_or_null(st, 4);
        r.first_answered = text_or_null(st, 5);
        r.closed = text_or_null(st, 6);
        r.status = text_or_null(st, 7);
        r.category = text_or_null(st, 8);
        r.district_id = sqlite3_column_int64(st, 9);
        r.unit_id = sqlite3_column_int64(st, 10);
        r.lon = sqlite3_column_double(st, 11);
        r.lat = sqlite3_column_double(st, 12);
        r.area_id = sqlite3_column_int64(st, 13);
        if (fn(arg, &r))
            break;
    }
    vk_err e = rc == SQLITE_ROW || rc == SQLITE_DONE ? VK_OK : store_db_fail(c, ei, "reading items for statistics");
    sqlite3_reset(st);
    return e;
}

vk_err store_stats_bbox_ids(store_conn *c, const double bbox[4], void (*fn)(void *arg, int64_t id),
                            void *arg, vk_errinfo *ei)
{
    sqlite3_stmt *st = store_stmt(c, SQL_STATS_BBOX_IDS, ei);
    if (!st)
        return VK_EDB;
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(st, 1 + i, bbox[i]);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, sqlite3_column_int64(st, 0));
    vk_err e = rc == SQLITE_DONE ? VK_OK : store_db_fail(c, ei, "selecting items in a box");
    sqlite3_reset(st);
    return e;
}
