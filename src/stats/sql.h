/*
 * sql.h — the statements of aggregate statistics (the slice stats_sql):
 * the change log of schema 0007 and the public fields of public items
 * (hidden = 0) only; nothing here reads descriptions or contact details.
 */
#ifndef VK_STATS_SQL_H
#define VK_STATS_SQL_H

#include "db/stmt.h"

/* An item's place is its representative point: the point itself, else a
 * point on its surface. */
#define STATS_POINT_X "CASE WHEN GeometryType(f.geom) = 'POINT' THEN MbrMinX(f.geom) " \
                      "ELSE X(PointOnSurface(f.geom)) END"
#define STATS_POINT_Y "CASE WHEN GeometryType(f.geom) = 'POINT' THEN MbrMinY(f.geom) " \
                      "ELSE Y(PointOnSurface(f.geom)) END"
/* The first accessibility area (by id) covering the point p.x, p.y. */
#define STATS_AREA_OF                                                                \
    "(SELECT a.id FROM accessibility_area a WHERE a.id IN (SELECT pkid FROM "        \
    "idx_accessibility_area_geom WHERE xmin <= p.x AND xmax >= p.x AND ymin <= p.y " \
    "AND ymax >= p.y) AND ST_Covers(a.geom, MakePoint(p.x, p.y, 4326)) = 1 "         \
    "ORDER BY a.id LIMIT 1)"
#define STATS_ITEM_COLS                                                              \
    "f.id, f.hidden, f.created_at, f.first_answered_at, f.closed_at, f.status, "     \
    "f.category, f.district_id, f.unit_id, " STATS_POINT_X " AS x, " STATS_POINT_Y " AS y"
#define STATS_SQL(X)                                                                 \
    X(SQL_STATS_STAMP,                                                               \
      "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'stats_change'), 0), " \
      "(SELECT at FROM stats_change ORDER BY seq DESC LIMIT 1), "                    \
      "(SELECT count(*) FROM stats_change WHERE seq > ?1), "                         \
      "(SELECT count(*) FROM stats_change WHERE seq > ?1 AND feedback_id IS NULL)")  \
    X(SQL_STATS_ALL,                                                                 \
      "SELECT 0, p.id, p.*, " STATS_AREA_OF " FROM (SELECT " STATS_ITEM_COLS         \
      " FROM feedback f WHERE f.hidden = 0) p")                                      \
    X(SQL_STATS_CHANGED,                                                             \
      "SELECT c.seq, c.feedback_id, p.*, " STATS_AREA_OF " FROM stats_change c LEFT JOIN (SELECT " \
      STATS_ITEM_COLS " FROM feedback f) p ON p.id = c.feedback_id "                 \
      "WHERE c.seq > ?1 ORDER BY c.seq")                                             \
    X(SQL_STATS_BBOX_IDS,                                                            \
      "SELECT f.id FROM feedback f WHERE f.id IN (SELECT pkid FROM idx_feedback_geom " \
      "WHERE xmin <= ?3 AND xmax >= ?1 AND ymin <= ?4 AND ymax >= ?2) AND f.hidden = 0 " \
      "AND (CASE WHEN GeometryType(f.geom) = 'POINT' THEN "                          \
      "MbrIntersects(f.geom, BuildMbr(?1, ?2, ?3, ?4, 4326)) "                       \
      "ELSE Intersects(f.geom, BuildMbr(?1, ?2, ?3, ?4, 4326)) END) = 1")
DB_SLICE_ENUM(stats_sql_id, STATS_SQL)
extern const db_slice stats_sql;

#endif
