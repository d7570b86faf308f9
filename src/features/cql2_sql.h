/*
 * cql2_sql.h — compile a CQL2 expression tree into an SQL condition with
 * bound parameters (never literal values in the SQL text), checking every
 * property against the collection's queryables and every literal against
 * the property's type.
 */
#ifndef VK_CQL2_SQL_H
#define VK_CQL2_SQL_H

#include <sqlite3.h>

#include "features/cql2.h"
#include "core/buf.h"

typedef enum {
    CQL2_Q_STRING, CQL2_Q_NUMBER, CQL2_Q_INTEGER, CQL2_Q_DATETIME, CQL2_Q_BOOLEAN,
    CQL2_Q_GEOMETRY,
} cql2_qtype;

/* A property a filter may use: its public name, the SQL expression it
 * stands for (e.g. "f.category", "d.code", "f.created_at", "f.geom") and
 * its type. DATETIME columns hold RFC 3339 UTC text, so they compare as
 * text; a DATE literal compares against the first 10 characters. */
typedef struct cql2_queryable {
    const char *name;
    const char *sql;
    cql2_qtype type;
} cql2_queryable;

typedef enum { CQL2_P_TEXT, CQL2_P_DOUBLE, CQL2_P_INT, CQL2_P_BLOB } cql2_param_kind;

typedef struct cql2_param {
    cql2_param_kind kind;
    const char *text;
    double d;
    int64_t i;
    const unsigned char *blob;
    size_t len;
} cql2_param;

#define CQL2_MAX_PARAMS 2100

typedef struct cql2_params {
    cql2_param *items; /* arena-allocated array of CQL2_MAX_PARAMS */
    int n;
} cql2_params;

/* Append "(condition)" to sql. Placeholders are numbered ?N from
 * first_index on, in the order of params (which this appends to). Geometry
 * literals must already be in EPSG:4326 lon/lat (the caller transforms);
 * S_INTERSECTS becomes "Intersects(col, GeomFromWKB(?N, 4326)) = 1"
 * guarded by an MBR test. Unknown property → VK_EPARAM field "filter",
 * message "unknown property 'x'; the queryables are listed at …/queryables";
 * a literal of the wrong type → VK_EPARAM naming property and type. */
vk_err cql2_sql_compile(const cql2_expr *e, const cql2_queryable *q, size_t nq, int first_index,
                        vk_buf *sql, cql2_params *params, vk_arena *arena, vk_errinfo *ei);

/* As cql2_sql_compile, naming queryables_url (e.g.
 * "https://example.org/collections/feedback/queryables", borrowed for the
 * call) in the unknown-property message; NULL says "the collection's
 * /queryables". cql2_sql_compile is this with NULL. */
vk_err cql2_sql_compile_ex(const cql2_expr *e, const cql2_queryable *q, size_t nq, int first_index,
                           vk_buf *sql, cql2_params *params, vk_arena *arena,
                           const char *queryables_url, vk_errinfo *ei);

/* Bind params[0..n) to st from first_index on. */
int cql2_sql_bind(sqlite3_stmt *st, const cql2_params *params, int first_index);

#endif
