/* store_stats.c — the SQL behind aggregate statistics (see store_stats.h). */
#include "stats/store_stats.h"

#include <stdio.h>
#include <string.h>

#include "stats/sql.h"

DB_SLICE_DEFINE(stats_sql, STATS_SQL)

typedef struct stamp_out {
    int64_t *seq, *pending, *reference;
    char *at;
} stamp_out;

static vk_err stamp_read(void *arg, db_row *row)
{
    stamp_out *o = arg;
    *o->seq = db_col_int64(row, 0);
    const char *t = db_col_text(row, 1);
    snprintf(o->at, 32, "%s", t ? t : "");
    *o->pending = db_col_int64(row, 2);
    *o->reference = db_col_int64(row, 3);
    return VK_OK;
}

vk_err store_stats_stamp(store_conn *c, int64_t since, int64_t *seq, char at[32],
                         int64_t *pending, int64_t *reference, vk_errinfo *ei)
{
    stamp_out o = {seq, pending, reference, at};
    return db_first(c, &stats_sql, SQL_STATS_STAMP, DB_ARGS(DB_INT(since)), stamp_read, &o, NULL,
                    "reading the change stamp", ei);
}

typedef struct row_walk {
    store_stats_row_fn fn;
    void (*id_fn)(void *arg, int64_t id);
    void *arg;
} row_walk;

static int stats_row(void *arg, db_row *row)
{
    row_walk *w = arg;
    store_stats_row r;
    memset(&r, 0, sizeof r);
    r.seq = db_col_int64(row, 0);
    r.id = db_col_int64(row, 1); /* 0 (NULL): reference data changed */
    r.present = !db_col_is_null(row, 2) && db_col_int(row, 3) == 0 && !db_col_is_null(row, 4);
    r.created = db_col_text(row, 4);
    r.first_answered = db_col_text(row, 5);
    r.closed = db_col_text(row, 6);
    r.status = db_col_text(row, 7);
    r.category = db_col_text(row, 8);
    r.district_id = db_col_int64(row, 9);
    r.unit_id = db_col_int64(row, 10);
    r.lon = db_col_double(row, 11);
    r.lat = db_col_double(row, 12);
    r.area_id = db_col_int64(row, 13);
    return w->fn(w->arg, &r);
}

vk_err store_stats_rows(store_conn *c, int full, int64_t since, store_stats_row_fn fn, void *arg,
                        vk_errinfo *ei)
{
    row_walk w = {fn, NULL, arg};
    if (full)
        return db_each(c, &stats_sql, SQL_STATS_ALL, DB_NO_ARGS, stats_row, &w,
                       "reading items for statistics", ei);
    return db_each(c, &stats_sql, SQL_STATS_CHANGED, DB_ARGS(DB_INT(since)), stats_row, &w,
                   "reading items for statistics", ei);
}

static int id_row(void *arg, db_row *row)
{
    row_walk *w = arg;
    w->id_fn(w->arg, db_col_int64(row, 0));
    return 0;
}

vk_err store_stats_bbox_ids(store_conn *c, const double bbox[4], void (*fn)(void *arg, int64_t id),
                            void *arg, vk_errinfo *ei)
{
    row_walk w = {NULL, fn, arg};
    return db_each(c, &stats_sql, SQL_STATS_BBOX_IDS,
                   DB_ARGS(DB_REAL(bbox[0]), DB_REAL(bbox[1]), DB_REAL(bbox[2]), DB_REAL(bbox[3])),
                   id_row, &w, "selecting items in a box", ei);
}
