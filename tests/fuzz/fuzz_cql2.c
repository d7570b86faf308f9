/*
 * fuzz_cql2.c — libFuzzer target for the CQL2 parser and SQL compiler.
 *
 * Every input is parsed (cql2_parse checks UTF-8 itself; invalid input
 * must be refused); a parsed tree is compiled against a fixed queryables
 * table; and the compiled condition is prepared, bound and run by a real
 * SQLite with SpatiaLite, inside a subquery (the deepest context the
 * compiler budgets for). Beyond the sanitizers, it aborts when:
 *   - an error is not VK_EPARAM on field "filter" (or VK_ENOMEM), or its
 *     message is not valid UTF-8 or does not start with "filter: ";
 *   - the SQL holds a quote, a semicolon or a comment (no value may ever
 *     reach the SQL text);
 *   - the statement does not prepare (syntax, parser stack, expression
 *     depth), its highest placeholder is not the last parameter, a bind
 *     fails, or a step fails;
 *   - a geometry literal is not WKB that SpatiaLite reads.
 *
 * Build and run:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src tests/fuzz/fuzz_cql2.c \
 *     src/features/cql2.c src/features/cql2_sql.c src/gis/wkt.c src/core/err.c src/core/buf.c \
 *     src/core/arena.c src/core/clock.c $(pkg-config --cflags --libs spatialite sqlite3) \
 *     -lm -o /tmp/fuzz_cql2
 *   cp -r tests/fuzz/cql2 /tmp/cql2corpus
 *   /tmp/fuzz_cql2 -max_total_time=60 -max_len=4096 /tmp/cql2corpus
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spatialite.h>

#include "features/cql2.h"
#include "features/cql2_sql.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const cql2_queryable Q[] = {
    {"category", "f.category", CQL2_Q_STRING},
    {"status", "f.status", CQL2_Q_STRING},
    {"s", "f.status", CQL2_Q_STRING},
    {"created", "f.created_at", CQL2_Q_DATETIME},
    {"t", "f.created_at", CQL2_Q_DATETIME},
    {"votes", "f.votes", CQL2_Q_INTEGER},
    {"v", "f.votes", CQL2_Q_INTEGER},
    {"score", "f.score", CQL2_Q_NUMBER},
    {"public", "f.public", CQL2_Q_BOOLEAN},
    {"geometry", "f.geom", CQL2_Q_GEOMETRY},
    {"g", "f.geom", CQL2_Q_GEOMETRY},
    {"district", "d.code", CQL2_Q_STRING},
    {"lower name", "lower(f.category)", CQL2_Q_STRING},
};
#define NQ (sizeof Q / sizeof Q[0])
#define FIRST 3

static sqlite3 *db;
static sqlite3_stmt *wkb_check;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_cql2: %s: %s\n", what, detail ? detail : "");
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    void *cache = spatialite_alloc_connection(); /* kept for the process */
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        die("open", NULL);
    spatialite_init_ex(db, cache, 0);
    const char *setup =
        "CREATE TABLE f(id INTEGER PRIMARY KEY, category TEXT, status TEXT, created_at TEXT,"
        " votes INTEGER, score REAL, public INTEGER, district_id INTEGER, geom BLOB);"
        "CREATE TABLE d(id INTEGER PRIMARY KEY, code TEXT);"
        "INSERT INTO d VALUES (1, 'K1');"
        "INSERT INTO f VALUES (1, 'lighting', 'received', '2024-03-01T08:00:00Z', 5, 1.5, 1, 1,"
        " GeomFromText('POINT(24.94 60.17)', 4326)),"
        " (2, 'a*b', NULL, NULL, NULL, NULL, NULL, NULL, NULL);";
    char *err = NULL;
    if (sqlite3_exec(db, setup, NULL, NULL, &err) != SQLITE_OK)
        die("setup", err);
    if (sqlite3_prepare_v2(db, "SELECT GeomFromWKB(?1, 4326) IS NOT NULL", -1, &wkb_check, NULL) !=
        SQLITE_OK)
        die("prepare wkb check", sqlite3_errmsg(db));
    return 0;
}

static void check_error(vk_err rc, const vk_errinfo *ei)
{
    if (rc != VK_EPARAM && rc != VK_ENOMEM)
        die("unexpected error code", vk_err_code(rc));
    if (strcmp(ei->field, "filter") != 0)
        die("error field is not 'filter'", ei->field);
    if (strncmp(ei->message, "filter: ", 8) != 0)
        die("error message does not start with 'filter: '", ei->message);
    if (!vk_utf8_valid(ei->message, strlen(ei->message), NULL))
        die("error message is not UTF-8", NULL);
}

static void check_geometries(const cql2_params *ps)
{
    for (int i = 0; i < ps->n; i++) {
        if (ps->items[i].kind != CQL2_P_BLOB)
            continue;
        sqlite3_reset(wkb_check);
        sqlite3_bind_blob(wkb_check, 1, ps->items[i].blob, (int)ps->items[i].len, SQLITE_STATIC);
        if (sqlite3_step(wkb_check) != SQLITE_ROW || sqlite3_column_int(wkb_check, 0) != 1)
            die("SpatiaLite cannot read a geometry literal", NULL);
        sqlite3_clear_bindings(wkb_check);
    }
}

static void run_sql(const char *cond, const cql2_params *ps)
{
    vk_buf b;
    vk_buf_init(&b, 1 << 22);
    vk_buf_puts(&b, "SELECT json_object('n', (SELECT count(*) FROM f LEFT JOIN d ON d.id = "
                    "f.district_id WHERE f.id > ?1 AND f.id < ?2 AND ");
    vk_buf_puts(&b, cond);
    vk_buf_puts(&b, "))");
    if (!vk_buf_ok(&b))
        die("statement buffer", NULL);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, b.data, -1, &st, NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    if (sqlite3_bind_parameter_count(st) != FIRST - 1 + ps->n)
        die("placeholders do not match the parameters", cond);
    sqlite3_bind_int(st, 1, 0);
    sqlite3_bind_int(st, 2, 100);
    if (cql2_sql_bind(st, ps, FIRST) != SQLITE_OK)
        die("bind", sqlite3_errmsg(db));
    if (sqlite3_step(st) != SQLITE_ROW)
        die("step", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    vk_buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    int utf8 = vk_utf8_valid(text, size, NULL);
    vk_arena a;
    vk_arena_init(&a, 64u << 20);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    cql2_expr *e = NULL;
    vk_err rc = cql2_parse(text, size, &a, &e, &ei);
    if (rc) {
        check_error(rc, &ei);
    } else if (!utf8 || size > CQL2_MAX_TEXT || !e) {
        die("accepted a filter it must refuse", NULL);
    } else {
        vk_buf sql;
        vk_buf_init(&sql, 1 << 20);
        cql2_params ps = {0};
        rc = cql2_sql_compile(e, Q, NQ, FIRST, &sql, &ps, &a, &ei);
        if (rc) {
            check_error(rc, &ei);
        } else {
            if (!sql.data || strpbrk(sql.data, "'\";") || strstr(sql.data, "--") ||
                strstr(sql.data, "/*"))
                die("suspicious SQL", sql.data);
            check_geometries(&ps);
            run_sql(sql.data, &ps);
        }
        vk_buf_fini(&sql);
    }
    vk_arena_fini(&a);
    return 0;
}
