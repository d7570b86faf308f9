/* store_stats.c — the SQL behind aggregate statistics (see store_stats.h). */
#include "stats/store_stats.h"

#include <string.h>

#include "stats/sql.h"

DB_SLICE_DEFINE(stats_sql, STATS_SQL)

vk_err store_stats_stamp(store_conn *c, int64_t since, int64_t *seq, char at[32],
                         int64_t *pending, int64_t *reference, vk_errinfo *ei)
{
    return db_scan(c, &stats_sql, SQL_STATS_STAMP, DB_ARGS(DB_INT(since)),
                   DB_OUTS(DB_I64_TO(seq), DB_COPY_TO(at, 32), DB_I64_TO(pending),
                           DB_I64_TO(reference)),
                   NULL, "reading the change stamp", ei);
}

static int stats_row(void *arg, db_row *row)
{
    db_walk *w = arg;
    store_stats_row r = {
        .seq = db_col_int64(row, 0),
        .id = db_col_int64(row, 1), /* 0 (NULL): reference data changed */
        .present = !db_col_is_null(row, 2) && db_col_int(row, 3) == 0 && !db_col_is_null(row, 4),
        .created = db_col_text(row, 4),
        .first_answered = db_col_text(row, 5),
        .closed = db_col_text(row, 6),
        .status = db_col_text(row, 7),
        .category = db_col_text(row, 8),
        .district_id = db_col_int64(row, 9),
        .unit_id = db_col_int64(row, 10),
        .area_id = db_col_int64(row, 13),
        .lon = db_col_double(row, 11),
        .lat = db_col_double(row, 12),
    };
    return ((store_stats_row_fn)w->fn)(w->arg, &r);
}

vk_err store_stats_rows(store_conn *c, int full, int64_t since, store_stats_row_fn fn, void *arg,
                        vk_errinfo *ei)
{
    db_walk w = DB_WALK(fn, arg);
    if (full)
        return db_each(c, &stats_sql, SQL_STATS_ALL, DB_NO_ARGS, stats_row, &w,
                       "reading items for statistics", ei);
    return db_each(c, &stats_sql, SQL_STATS_CHANGED, DB_ARGS(DB_INT(since)), stats_row, &w,
                   "reading items for statistics", ei);
}

static int id_row(void *arg, db_row *row)
{
    db_walk *w = arg;
    ((void (*)(void *, int64_t))w->fn)(w->arg, db_col_int64(row, 0));
    return 0;
}

vk_err store_stats_bbox_ids(store_conn *c, const double bbox[4], void (*fn)(void *arg, int64_t id),
                            void *arg, vk_errinfo *ei)
{
    db_walk w = DB_WALK(fn, arg);
    return db_each(c, &stats_sql, SQL_STATS_BBOX_IDS,
                   DB_ARGS(DB_REAL(bbox[0]), DB_REAL(bbox[1]), DB_REAL(bbox[2]), DB_REAL(bbox[3])),
                   id_row, &w, "selecting items in a box", ei);
}
