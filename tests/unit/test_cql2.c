/* test_cql2.c — the CQL2-text parser and its SQL compiler: exact SQL and
 * parameters for many filters, every error with its position, the caps
 * (depth, nodes, list, values, length), and the compiled conditions run
 * against a real in-memory SQLite with SpatiaLite loaded. */
#include <sqlite3.h>

#include <spatialite.h> /* after sqlite3.h, which it needs */
#include <stdint.h>
#include <stdlib.h>

#include "features/cql2.h"
#include "features/cql2_sql.h"
#include "t.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

static const cql2_queryable Q[] = {
    {"category", "f.category", CQL2_Q_STRING},
    {"status", "f.status", CQL2_Q_STRING},
    {"created_at", "f.created_at", CQL2_Q_DATETIME},
    {"votes", "f.votes", CQL2_Q_INTEGER},
    {"v", "f.votes", CQL2_Q_INTEGER},
    {"score", "f.score", CQL2_Q_NUMBER},
    {"public", "f.public", CQL2_Q_BOOLEAN},
    {"geom", "f.geom", CQL2_Q_GEOMETRY},
    {"district code", "f.district", CQL2_Q_STRING},
};
#define NQ (sizeof Q / sizeof Q[0])

/* One filter through parse and compile. sql and params are described in
 * out/pdesc; on failure out holds "ERR <code> <field>: <message>". */
typedef struct {
    char sql[16384];
    char params[4096];
    vk_err rc;
    vk_errinfo ei;
} result;

static void describe_params(const cql2_params *ps, char *out, size_t outsz)
{
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < ps->n && k + 64 < outsz; i++) {
        const cql2_param *p = &ps->items[i];
        if (i)
            out[k++] = '|';
        switch (p->kind) {
        case CQL2_P_TEXT:
            k += (size_t)snprintf(out + k, outsz - k, "T:%.200s", p->text);
            break;
        case CQL2_P_DOUBLE:
            k += (size_t)snprintf(out + k, outsz - k, "D:%.17g", p->d);
            break;
        case CQL2_P_INT:
            k += (size_t)snprintf(out + k, outsz - k, "I:%lld", (long long)p->i);
            break;
        case CQL2_P_BLOB:
            k += (size_t)snprintf(out + k, outsz - k, "B:%zu", p->len);
            break;
        }
        if (k >= outsz)
            k = outsz - 1;
    }
}

static void run_filter_n(const char *filter, size_t len, int first, result *r)
{
    vk_arena a;
    vk_arena_init(&a, 0);
    vk_errinfo_clear(&r->ei);
    r->sql[0] = r->params[0] = '\0';
    cql2_expr *e;
    r->rc = cql2_parse(filter, len, &a, &e, &r->ei);
    if (!r->rc) {
        vk_buf b;
        vk_buf_init(&b, 1 << 20);
        cql2_params ps = {0};
        r->rc = cql2_sql_compile(e, Q, NQ, first, &b, &ps, &a, &r->ei);
        if (!r->rc) {
            snprintf(r->sql, sizeof r->sql, "%s", b.data);
            describe_params(&ps, r->params, sizeof r->params);
        }
        vk_buf_fini(&b);
    }
    if (r->rc)
        snprintf(r->sql, sizeof r->sql, "ERR %s %s: %s", vk_err_code(r->rc), r->ei.field,
                 r->ei.message);
    vk_arena_fini(&a);
}

static result R; /* big: keep it off the stack */

/* The filter as a one-line TAP test name: control characters shown as
 * spaces, at most 80 bytes. */
static const char *name_of(const char *filter, size_t len)
{
    static char name[96];
    size_t k = len < 80 ? len : 80;
    while (k > 0 && k < len && ((unsigned char)filter[k] & 0xC0) == 0x80)
        k--; /* cut at a character boundary */
    for (size_t i = 0; i < k; i++)
        name[i] = (unsigned char)filter[i] < 0x20 ? ' ' : filter[i];
    name[k] = '\0';
    return name;
}

static void check_sql(const char *filter, int first, const char *want_sql, const char *want_params)
{
    run_filter_n(filter, strlen(filter), first, &R);
    T_EQ_STR(R.sql, want_sql, "SQL of: %s", name_of(filter, strlen(filter)));
    if (want_params)
        T_EQ_STR(R.params, want_params, "  params of: %s", name_of(filter, strlen(filter)));
}

/* The filter must fail with VK_EPARAM on "filter" and a message holding
 * want (which usually starts with the position). */
static void check_err_n(const char *filter, size_t len, const char *want)
{
    run_filter_n(filter, len, 1, &R);
    int ok = R.rc == VK_EPARAM && strcmp(R.ei.field, "filter") == 0 &&
             strncmp(R.ei.message, "filter: ", 8) == 0 && strstr(R.ei.message, want) != NULL;
    T_OK(ok, "error for: %s", name_of(filter, len));
    if (!ok)
        printf("#   got '%s'\n#   want it to contain '%s'\n", R.sql, want);
}

static void check_err(const char *filter, const char *want) { check_err_n(filter, strlen(filter), want); }

/* ---------------------------------------------------------------------- */

static void test_sql_text(void)
{
    check_sql("category = 'lighting' AND status IN ('received','closed')", 3,
              "((f.category = ?3) AND (f.status IN (?4, ?5)))", "T:lighting|T:received|T:closed");
    check_sql("votes >= 10", 1, "(f.votes >= ?1)", "I:10");
    check_sql("votes < 2.5", 1, "(f.votes < ?1)", "D:2.5");
    check_sql("votes = 5.0", 1, "(f.votes = ?1)", "I:5");
    check_sql("votes > -3", 1, "(f.votes > ?1)", "I:-3");
    check_sql("votes > 1e30", 1, "(f.votes > ?1)", "D:1e+30");
    check_sql("score <> -1e3", 1, "(f.score <> ?1)", "D:-1000");
    check_sql("score = .5", 1, "(f.score = ?1)", "D:0.5");
    check_sql("score = 5.", 1, "(f.score = ?1)", "D:5");
    check_sql("score = +3", 1, "(f.score = ?1)", "D:3");
    check_sql("score=1E-2", 1, "(f.score = ?1)", "D:0.01");
    check_sql("score <= 0", 1, "(f.score <= ?1)", "D:0");
    check_sql("public = TRUE", 1, "(f.public = ?1)", "I:1");
    check_sql("public <> false", 1, "(f.public <> ?1)", "I:0");
    check_sql("created_at > TIMESTAMP('2024-03-01T12:00:00+02:00')", 1, "(f.created_at > ?1)",
              "T:2024-03-01T10:00:00Z");
    check_sql("created_at < timestamp('2024-03-01 12:00:00.75z')", 1, "(f.created_at < ?1)",
              "T:2024-03-01T12:00:00Z");
    check_sql("created_at = DATE('2024-03-01')", 1, "(substr(f.created_at, 1, 10) = ?1)",
              "T:2024-03-01");
    check_sql("created_at >= date('2024-02-29')", 1, "(substr(f.created_at, 1, 10) >= ?1)",
              "T:2024-02-29");
    check_sql("category LIKE 'Light%'", 1, "(f.category GLOB ?1)", "T:Light*");
    check_sql("category NOT LIKE 'a\\%b\\_c_*?[x]%'", 1, "(f.category NOT GLOB ?1)",
              "T:a%b_c?[*][?][[]x]*");
    check_sql("category LIKE 'a\\\\b\\x'", 1, "(f.category GLOB ?1)", "T:a\\bx");
    check_sql("category LIKE ''", 1, "(f.category GLOB ?1)", "T:");
    check_sql("votes BETWEEN 1 AND 5", 1, "(f.votes BETWEEN ?1 AND ?2)", "I:1|I:5");
    check_sql("votes NOT BETWEEN 1 AND 5.5", 1, "(f.votes NOT BETWEEN ?1 AND ?2)", "I:1|D:5.5");
    check_sql("created_at BETWEEN DATE('2024-03-01') AND DATE('2024-03-02')", 1,
              "(substr(f.created_at, 1, 10) BETWEEN ?1 AND ?2)", "T:2024-03-01|T:2024-03-02");
    check_sql("created_at BETWEEN DATE('2024-03-01') AND TIMESTAMP('2024-03-02T00:00:00Z')", 1,
              "(substr(f.created_at, 1, 10) >= ?1 AND f.created_at <= ?2)",
              "T:2024-03-01|T:2024-03-02T00:00:00Z");
    check_sql("created_at NOT BETWEEN TIMESTAMP('2024-03-02T00:00:00Z') AND DATE('2024-03-05')", 1,
              "(f.created_at < ?1 OR substr(f.created_at, 1, 10) > ?2)",
              "T:2024-03-02T00:00:00Z|T:2024-03-05");
    check_sql("created_at IN (DATE('2024-03-01'), DATE('2024-03-02'))", 1,
              "(substr(f.created_at, 1, 10) IN (?1, ?2))", "T:2024-03-01|T:2024-03-02");
    check_sql("votes NOT IN (1, 2.5, -3)", 1, "(f.votes NOT IN (?1, ?2, ?3))", "I:1|D:2.5|I:-3");
    check_sql("public IN (TRUE)", 1, "(f.public IN (?1))", "I:1");
    check_sql("status IS NULL", 1, "(f.status IS NULL)", "");
    check_sql("status IS NOT NULL", 1, "(f.status IS NOT NULL)", "");
    check_sql("geom IS NULL", 1, "(f.geom IS NULL)", "");
    /* NOT is pushed down into the conditions (exact, also with NULLs) */
    check_sql("NOT status = 'closed'", 1, "(f.status <> ?1)", "T:closed");
    check_sql("NOT NOT status = 'closed'", 1, "(f.status = ?1)", "T:closed");
    check_sql("NOT votes < 1", 1, "(f.votes >= ?1)", "I:1");
    check_sql("NOT votes >= 1", 1, "(f.votes < ?1)", "I:1");
    check_sql("NOT votes > 1", 1, "(f.votes <= ?1)", "I:1");
    check_sql("NOT votes <= 1", 1, "(f.votes > ?1)", "I:1");
    check_sql("NOT votes <> 1", 1, "(f.votes = ?1)", "I:1");
    check_sql("NOT category LIKE 'a%'", 1, "(f.category NOT GLOB ?1)", "T:a*");
    check_sql("NOT category NOT LIKE 'a%'", 1, "(f.category GLOB ?1)", "T:a*");
    check_sql("NOT votes IN (1)", 1, "(f.votes NOT IN (?1))", "I:1");
    check_sql("NOT votes NOT BETWEEN 1 AND 2", 1, "(f.votes BETWEEN ?1 AND ?2)", "I:1|I:2");
    check_sql("NOT status IS NULL", 1, "(f.status IS NOT NULL)", "");
    check_sql("NOT created_at BETWEEN DATE('2024-03-01') AND TIMESTAMP('2024-03-02T00:00:00Z')", 1,
              "(substr(f.created_at, 1, 10) < ?1 OR f.created_at > ?2)",
              "T:2024-03-01|T:2024-03-02T00:00:00Z");
    check_sql("NOT S_INTERSECTS(geom, POINT(1 2))", 1,
              "(MbrIntersects(f.geom, GeomFromWKB(?1, 4326)) = 0 OR "
              "Intersects(f.geom, GeomFromWKB(?1, 4326)) = 0)",
              "B:21");
    /* AND binds tighter than OR; the most nested operand is written first */
    check_sql("status = 'a' OR status = 'b' AND votes = 1", 1,
              "((f.status = ?1) AND (f.votes = ?2) OR (f.status = ?3))", "T:b|I:1|T:a");
    check_sql("status = 'a' AND votes = 1 OR status = 'b'", 1,
              "((f.status = ?1) AND (f.votes = ?2) OR (f.status = ?3))", "T:a|I:1|T:b");
    check_sql("status = 'a' AND (votes = 1 OR status = 'b')", 1,
              "(((f.votes = ?1) OR (f.status = ?2)) AND (f.status = ?3))", "I:1|T:b|T:a");
    check_sql("(status = 'a' OR status = 'b') AND votes = 1", 1,
              "(((f.status = ?1) OR (f.status = ?2)) AND (f.votes = ?3))", "T:a|T:b|I:1");
    check_sql("NOT status = 'a' AND votes = 1", 1, "((f.status <> ?1) AND (f.votes = ?2))",
              "T:a|I:1");
    check_sql("NOT (status = 'a' AND votes = 1)", 1, "((f.status <> ?1) OR (f.votes <> ?2))",
              "T:a|I:1");
    check_sql("NOT (status = 'a' OR NOT votes = 1)", 1, "((f.status <> ?1) AND (f.votes = ?2))",
              "T:a|I:1");
    check_sql("NOT (status = 'a' AND (votes = 1 OR votes = 2))", 1,
              "((f.votes <> ?1) AND (f.votes <> ?2) OR (f.status <> ?3))", "I:1|I:2|T:a");
    check_sql("((((votes = 1))))", 1, "(f.votes = ?1)", "I:1");
    check_sql("(status = 'a' OR status = 'b') AND votes = 1 AND votes = 2", 1,
              "(((f.status = ?1) OR (f.status = ?2)) AND ((f.votes = ?3) AND (f.votes = ?4)))",
              "T:a|T:b|I:1|I:2");
    check_sql("votes = 1 AND (status = 'a' OR status = 'b') AND votes = 2", 1,
              "(((f.status = ?1) OR (f.status = ?2)) AND ((f.votes = ?3) AND (f.votes = ?4)))",
              "T:a|T:b|I:1|I:2");
    /* chains are written flat */
    check_sql("v = 1 AND v = 2 AND v = 3", 1, "((f.votes = ?1) AND (f.votes = ?2) AND (f.votes = ?3))",
              "I:1|I:2|I:3");
    check_sql("v = 1 OR v = 2 OR (v = 3 OR v = 4)", 1,
              "((f.votes = ?1) OR (f.votes = ?2) OR (f.votes = ?3) OR (f.votes = ?4))",
              "I:1|I:2|I:3|I:4");
    /* keywords in any case, quoted names, escapes, white space */
    check_sql("status in ('x') aNd NoT votes between 1 AnD 2 oR category like 'x' Or status is not null",
              1,
              "((f.status IN (?1)) AND (f.votes NOT BETWEEN ?2 AND ?3) OR ((f.category GLOB ?4) "
              "OR (f.status IS NOT NULL)))",
              "T:x|I:1|I:2|T:x");
    check_sql("\"district code\" = 'K1'", 1, "(f.district = ?1)", "T:K1");
    check_sql("\"status\" = 'it''s ''quoted'''", 1, "(f.status = ?1)", "T:it's 'quoted'");
    check_sql("status = ''''", 1, "(f.status = ?1)", "T:'");
    check_sql("status = ''", 1, "(f.status = ?1)", "T:");
    check_sql("category = 'äiti € 𝄞'", 1, "(f.category = ?1)", "T:äiti € 𝄞");
    check_sql("\tvotes\n>=\r\n1 ", 1, "(f.votes >= ?1)", "I:1");
    check_sql("votes>=1and(votes<=2)", 1, "ERR invalid_parameter filter: filter: at character 8: "
                                          "invalid number '1and' (numbers are written like 12, -3.5 "
                                          "or 1e3)",
              NULL);
    check_sql("votes>=1 and(votes<=2)", 1, "((f.votes >= ?1) AND (f.votes <= ?2))", "I:1|I:2");
    check_sql("category='a'AND status='b'", 1, "((f.category = ?1) AND (f.status = ?2))", "T:a|T:b");
    check_sql("S_INTERSECTS(geom, POINT(1 2))", 1,
              "(MbrIntersects(f.geom, GeomFromWKB(?1, 4326)) = 1 AND "
              "Intersects(f.geom, GeomFromWKB(?1, 4326)) = 1)",
              "B:21");
    check_sql("s_intersects(\"geom\", bbox(0, 0, 1, 1)) AND votes = 1", 2,
              "((MbrIntersects(f.geom, GeomFromWKB(?2, 4326)) = 1 AND "
              "Intersects(f.geom, GeomFromWKB(?2, 4326)) = 1) AND (f.votes = ?3))",
              "B:93|I:1");

    /* the text is read by length, never to a NUL */
    const char *longer = "votes = 1 this part is not passed";
    run_filter_n(longer, 9, 1, &R);
    T_EQ_STR(R.sql, "(f.votes = ?1)", "only len bytes are read");
    char exact[5] = {'v', '=', '1', '2', '3'}; /* no terminating NUL */
    run_filter_n(exact, sizeof exact, 1, &R);
    T_EQ_STR(R.params, "I:123", "a filter without a NUL at the end");
    char str_end[7] = {'s', '=', '\'', 'a', 'b', '\'', 'X'};
    run_filter_n(str_end, 6, 1, &R);
    T_OK(R.rc == VK_EPARAM, "unknown property 's' from unterminated buffer (no overread)");
}

static void test_errors(void)
{
    /* the example of the brief: the position counts characters from 1 */
    check_err("status = 'ok' OR votes = )", "filter: at character 26: expected a value after '='");
    check_err("votes = 1 AND votes = ", "at character 23: expected a value after '=' but the filter ended");
    check_err("category = 'ää' AND = 1", "at character 21: expected a condition but found '='");
    check_err("", "at character 1: the filter is empty");
    check_err("  \t\n", "the filter is empty");
    check_err("category = 'abc", "at character 12: the text starting here has no closing quote");
    check_err("\"abc = 1", "at character 1: the name starting here has no closing quote");
    check_err("\"\" = 1", "at character 1: an empty property name");
    check_err("category != 'a'", "at character 10: '!=' is not CQL2; write <> for 'not equal'");
    check_err("votes ! 1", "unexpected character '!'");
    check_err("votes ~ 1", "at character 7: unexpected character '~'");
    check_err("votes = 1 ;", "at character 11: unexpected character ';'");
    check_err("votes = 1 # x", "unexpected character '#'");
    check_err("votes = \x01", "unexpected control character (code 1)");
    check_err("'a' = category", "at character 1: a condition must start with a property name: "
                                "write property = value, not value = property");
    check_err("1 = votes", "at character 1: a condition must start with a property name");
    check_err("TRUE = public", "at character 1: a condition must start with a property name");
    check_err("DATE('2024-01-01') = created_at", "at character 1: a condition must start");
    check_err("POINT(1 2) = geom", "at character 1: a condition must start");
    check_err("votes = 1 votes = 2",
              "at character 11: unexpected 'votes' after a complete condition; join conditions "
              "with AND or OR");
    check_err("(votes = 1",
              "at character 11: expected ')' to close the '(' at character 1 but found the end of the "
              "filter");
    check_err("votes = 1)", "at character 10: unexpected ')' without a matching '('");
    check_err("votes = 0x10", "at character 9: invalid number '0x10'");
    check_err("votes = 1.2.3", "at character 9: invalid number '1.2.3'");
    check_err("votes = 12abc", "invalid number '12abc'");
    check_err("votes = 1e", "at character 9: invalid number: an exponent needs digits");
    check_err("votes = 1e+", "an exponent needs digits");
    check_err("votes = -", "at character 9: unexpected character '-'");
    check_err("votes = .", "unexpected character '.'");
    check_err("votes = NaN", "at character 9: expected a value after '=' but found the name 'NaN'");
    check_err("votes = inf", "expected a value after '=' but found the name 'inf'");
    check_err("votes = -Infinity", "unexpected character '-'");
    check_err("votes = 1e999", "at character 9: the number is too large");
    check_err("votes = -1e400", "the number is too large");
    check_err("votes = NULL", "at character 9: NULL is not a value to compare with; write "
                              "'property IS NULL'");
    check_err("votes = AND", "expected a value after '=' but found 'AND'");
    check_err("votes = votes", "comparing two properties is not supported");
    check_err("category = \"lighting\"", "found a \"quoted\" property name; text values take "
                                         "single quotes");
    check_err("votes = (1)", "at character 9: expected a value after '='");
    check_err("votes IS 1", "at character 10: expected NULL after IS but found '1'");
    check_err("votes IS NOT 1", "expected NULL after IS NOT but found '1'");
    check_err("votes NOT = 1", "at character 11: expected LIKE, IN or BETWEEN after NOT but found '='");
    check_err("votes IN ()", "at character 11: expected a value after IN (");
    check_err("votes IN (1, 2", "at character 15: expected ',' or ')' in the IN list but found the end");
    check_err("votes IN (1,)", "expected a value after ',' in the IN list");
    check_err("votes IN 1", "at character 10: expected '(' after IN but found '1'");
    check_err("votes BETWEEN 1 OR 2", "at character 17: expected AND between the two values of "
                                      "BETWEEN but found 'OR'");
    check_err("votes BETWEEN 1 AND", "expected a value after BETWEEN … AND but the filter ended");
    check_err("category LIKE 5", "at character 15: expected a pattern in single quotes after LIKE "
                                 "but found '5'");
    check_err("category LIKE category", "expected a pattern in single quotes after LIKE");
    check_err("votes", "at character 6: expected an operator (=, <>, <, >, <=, >=, LIKE, IN, BETWEEN "
                       "or IS) after the property 'votes' but the filter ended");
    check_err("votes 5", "after the property 'votes' but found '5'");
    check_err("AND votes = 1", "at character 1: expected a condition but found the keyword 'AND'");
    check_err("votes = 1 AND", "at character 14: expected a condition but the filter ended");
    check_err("votes = 1 AND OR votes = 2", "at character 15: expected a condition but found the "
                                            "keyword 'OR'");
    check_err("votes = 1 OR )", "expected a condition but found ')'");
    check_err("NOT", "expected a condition but the filter ended");
    check_err("()", "at character 2: expected a condition but found ')'");
    check_err("votes = 1 AND (status = 'a' OR (category = 'b')",
              "expected ')' to close the '(' at character 15");
    check_err("created_at = TIMESTAMP('2024-13-01T00:00:00Z')",
              "at character 24: '2024-13-01T00:00:00Z' is not an RFC 3339 date-time; write "
              "TIMESTAMP('2025-05-31T12:00:00Z')");
    check_err("created_at = TIMESTAMP('2024-03-01')", "is not an RFC 3339 date-time");
    check_err("created_at = TIMESTAMP('2024-03-01T00:00:00')", "is not an RFC 3339 date-time");
    check_err("created_at = TIMESTAMP('0000-01-01T00:00:00+01:00')", "is not an RFC 3339 date-time");
    check_err("created_at = DATE('2023-02-29')", "at character 19: '2023-02-29' is not a date; "
                                                 "write DATE('YYYY-MM-DD')");
    check_err("created_at = DATE('2024-02-30')", "is not a date");
    check_err("created_at = DATE('2024-04-31')", "is not a date");
    check_err("created_at = DATE('2024-1-01')", "is not a date");
    check_err("created_at = DATE('2024-01-01T00:00:00Z')", "is not a date");
    check_err("created_at = DATE(2024)", "at character 19: expected a quoted date like '2025-05-31' "
                                         "inside DATE(…) but found '2024'");
    check_err("created_at = DATE('2024-02-29'", "expected ')' to close DATE( but found the end");
    check_err("created_at = TIMESTAMP('2024-02-29T00:00:00Z' 1", "expected ')' to close TIMESTAMP(");
    check_err("created_at = DATE", "expected a value after '=' but found the name 'DATE'");
    check_err("category = UPPER('a')", "at character 12: the function 'UPPER' is not supported here");
    check_err("S_CONTAINS(geom, POINT(1 2))",
              "at character 1: the function 'S_CONTAINS' is not supported; the only function is "
              "S_INTERSECTS");
    check_err("CASEI(category) = 'a'", "the function 'CASEI' is not supported");
    check_err("S_INTERSECTS(POINT(1 2), geom)",
              "at character 14: S_INTERSECTS takes the property first, then the geometry");
    check_err("S_INTERSECTS(geom, other)",
              "at character 20: the second argument of S_INTERSECTS must be a geometry");
    check_err("S_INTERSECTS('geom', POINT(1 2))", "expected a property name in S_INTERSECTS but found "
                                                  "a text value");
    check_err("S_INTERSECTS(AND, POINT(1 2))", "expected a property name in S_INTERSECTS but found 'AND'");
    check_err("S_INTERSECTS(geom POINT(1 2))", "at character 19: expected ',' after the property in "
                                               "S_INTERSECTS but found 'POINT'");
    check_err("S_INTERSECTS(geom, POINT(1 2)", "expected ')' to close S_INTERSECTS( but found the end");
    check_err("S_INTERSECTS(geom, POINT Z (1 2 3))",
              "at character 26: only 2D geometries are supported (no Z or M)");
    check_err("S_INTERSECTS(geom, POINTZM(1 2 3 4))", "only 2D geometries are supported");
    check_err("S_INTERSECTS(geom, POLYGON M ((0 0 0, 1 0 0, 1 1 0, 0 0 0)))",
              "only 2D geometries are supported");
    check_err("S_INTERSECTS(geom, POINT(1 2 3))",
              "at character 30: only 2D coordinates (x y) are supported; found a third number");
    check_err("S_INTERSECTS(geom, POINT EMPTY)", "at character 26: empty geometries are not supported");
    check_err("S_INTERSECTS(geom, POINT(1))", "expected a coordinate (a number) but found ')'");
    check_err("S_INTERSECTS(geom, POINT(1, 2))", "expected a coordinate (a number) but found ','");
    check_err("S_INTERSECTS(geom, POINT(1 2, 3 4))", "expected ')' after the point's coordinates");
    check_err("S_INTERSECTS(geom, POINT 1 2)", "expected '(' after POINT but found '1'");
    check_err("S_INTERSECTS(geom, LINESTRING(0 0))",
              "at character 30: a LINESTRING needs at least 2 positions");
    check_err("S_INTERSECTS(geom, LINESTRING(0 0 1 1))", "found a third number");
    check_err("S_INTERSECTS(geom, POLYGON((0 0, 1 0, 1 1, 0 1)))",
              "at character 28: a polygon ring needs at least 4 positions and must end where it starts");
    check_err("S_INTERSECTS(geom, POLYGON((0 0, 1 0, 0 0)))", "a polygon ring needs at least 4");
    check_err("S_INTERSECTS(geom, POLYGON(0 0, 1 0, 1 1, 0 0))", "expected '(' before the coordinates");
    check_err("S_INTERSECTS(geom, MULTIPOLYGON((0 0, 1 0, 1 1, 0 0)))",
              "expected '(' before the coordinates");
    check_err("S_INTERSECTS(geom, MULTIPOINT())", "expected a coordinate (a number) but found ')'");
    check_err("S_INTERSECTS(geom, MULTILINESTRING((0 0, 1 1), (2 2)))", "needs at least 2 positions");
    check_err("S_INTERSECTS(geom, BBOX(2,0,1,1))",
              "at character 20: BBOX(x1, y1, x2, y2) needs x1 <= x2 and y1 <= y2");
    check_err("S_INTERSECTS(geom, BBOX(0,2,1,1))", "needs x1 <= x2 and y1 <= y2");
    check_err("S_INTERSECTS(geom, BBOX(0,0,0,1,1,1))", "3D boxes are not supported");
    check_err("S_INTERSECTS(geom, BBOX(0 0 1 1))", "expected ',' between the four numbers of BBOX");
    check_err("S_INTERSECTS(geom, BBOX(0,0,1))", "expected ',' between the four numbers of BBOX");
    check_err("S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(1 2)))",
              "GEOMETRYCOLLECTION is not supported here");
    check_err("S_INTERSECTS(geom, CIRCLE(1 2))", "expected a geometry such as POLYGON((…))");
    check_err("S_INTERSECTS(geom, 'POINT(1 2)')", "expected a geometry such as");
    check_err("S_INTERSECTS(geom, POINT(NaN 2))", "expected a coordinate (a number) but found 'NaN'");
    check_err("S_INTERSECTS(geom, POINT(1e999 2))", "the number is too large");
    check_err("geom = POINT(1 2)", "at character 8: a geometry can only be used in S_INTERSECTS");
    check_err("votes IN (1, BBOX(0,0,1,1))", "a geometry can only be used in S_INTERSECTS");

    /* bytes the caller should have refused, refused again here */
    check_err_n("category = '\xff'", 15, "the filter is not valid UTF-8");
    check_err_n("category = 'a\0b'", 16, "at character 14: a NUL character is not allowed");
    check_err_n("votes = 1\0", 10, "at character 10: a NUL character is not allowed");
    check_err_n("\"a\0b\" = 1", 9, "a NUL character is not allowed");

    /* messages quote at most ~40 bytes of user text, cut at a character */
    check_err("votes = 1 AND ääääääääääääääääääääääääääääää = 1",
              "unknown property 'ääääääääääääääääääää…'");
    T_OK(vk_utf8_valid(R.ei.message, strlen(R.ei.message), NULL), "truncated message is UTF-8");
}

static void test_compile_errors(void)
{
    check_err("x = 1", "filter: at character 1: unknown property 'x'; the queryables are listed at "
                       "the collection's /queryables");
    check_err("votes = 1 AND x = 2", "at character 15: unknown property 'x'");
    check_err("Category = 'a'", "unknown property 'Category' (names are case-sensitive: did you "
                                "mean 'category'?)");
    check_err("\"district\" = 'a'", "unknown property 'district'");
    check_err("S_INTERSECTS(shape, POINT(1 2))", "at character 14: unknown property 'shape'");
    check_err("votes = 'a'", "at character 1: 'votes' holds whole numbers; compare it with a number, "
                             "not with a text");
    check_err("score = TRUE", "'score' holds numbers; compare it with a number, not with TRUE/FALSE");
    check_err("category = 1", "'category' holds text; compare it with a text in single quotes, "
                              "not with a number");
    check_err("category = DATE('2024-01-01')", "not with a DATE");
    check_err("created_at = '2024-01-01T00:00:00Z'",
              "'created_at' holds dates and times; compare it with TIMESTAMP('…') or DATE('…'), "
              "not with a text");
    check_err("created_at > 5", "not with a number");
    check_err("public = 1", "'public' holds true/false values; compare it with TRUE or FALSE, not "
                            "with a number");
    check_err("public < TRUE", "only = and <> apply to 'public', which holds true/false values");
    check_err("public BETWEEN FALSE AND TRUE", "BETWEEN does not apply to 'public'");
    check_err("votes LIKE '1%'", "at character 1: LIKE works only on text; 'votes' holds whole numbers");
    check_err("created_at LIKE '2024%'", "LIKE works only on text");
    check_err("S_INTERSECTS(category, POINT(1 2))",
              "at character 14: S_INTERSECTS needs a geometry property; 'category' holds text");
    check_err("geom = 'x'", "'geom' is a geometry; filter it with S_INTERSECTS(geom, …)");
    check_err("geom IN ('x')", "'geom' is a geometry");
    check_err("votes IN (1, 'a')", "'votes' holds whole numbers; compare it with a number, not with a text");
    check_err("created_at IN (DATE('2024-01-01'), TIMESTAMP('2024-01-01T00:00:00Z'))",
              "an IN list on a date-time property must hold only DATEs or only TIMESTAMPs");
    check_err("category LIKE 'abc\\'", "a LIKE pattern cannot end with a single '\\'");
    check_err("votes BETWEEN 1 AND 'x'", "not with a text");
    /* LIKE patterns are capped (GLOB backtracks: cost grows with length × text) */
    {
        char f[300];
        snprintf(f, sizeof f, "category LIKE '%%%0100d'", 0);
        check_err(f, "at most 100 characters and 8 wildcards (% or _); this one has 101 and 1");
        snprintf(f, sizeof f, "category LIKE '%%%099d'", 0);
        check_sql(f, 1, "(f.category GLOB ?1)", NULL);
        check_err("category LIKE '%a%b%c%d%e%f%g%h%'", "this one has 17 and 9");
        check_sql("category LIKE '%a%b%c%d_'", 1, "(f.category GLOB ?1)", NULL);
        check_sql("category LIKE '\\%\\%\\%\\%\\%\\%\\%\\%\\%'", 1,
                  "(f.category GLOB ?1)", NULL);
    }

    /* compile_ex names the queryables URL */
    vk_arena a;
    vk_arena_init(&a, 0);
    vk_errinfo ei;
    cql2_expr *e;
    vk_buf b;
    vk_buf_init(&b, 4096);
    cql2_params ps = {0};
    T_OK(cql2_parse("nope = 1", 8, &a, &e, &ei) == VK_OK, "parse of an unknown property succeeds");
    T_EQ_INT(cql2_sql_compile_ex(e, Q, NQ, 1, &b, &ps, &a,
                                 "https://example.org/collections/feedback/queryables", &ei),
             VK_EPARAM, "compile_ex fails");
    T_EQ_STR(ei.message,
             "filter: at character 1: unknown property 'nope'; the queryables are listed at "
             "https://example.org/collections/feedback/queryables",
             "compile_ex names the URL");

    /* two compiles append to the same params and number on */
    vk_buf_reset(&b);
    T_OK(cql2_parse("votes = 1", 9, &a, &e, &ei) == VK_OK &&
             cql2_sql_compile(e, Q, NQ, 4, &b, &ps, &a, &ei) == VK_OK,
         "first compile");
    vk_buf_puts(&b, " AND ");
    T_OK(cql2_parse("status IN ('a', 'b')", 20, &a, &e, &ei) == VK_OK &&
             cql2_sql_compile(e, Q, NQ, 4, &b, &ps, &a, &ei) == VK_OK,
         "second compile into the same params");
    T_EQ_STR(b.data, "(f.votes = ?4) AND (f.status IN (?5, ?6))", "numbering continues");
    T_EQ_INT(ps.n, 3, "three params");
    /* a failed compile leaves sql and params as they were */
    size_t len0 = b.len;
    T_OK(cql2_parse("votes = 2 AND x = 1", 19, &a, &e, &ei) == VK_OK &&
             cql2_sql_compile(e, Q, NQ, 4, &b, &ps, &a, &ei) == VK_EPARAM,
         "third compile fails late");
    T_OK(b.len == len0 && ps.n == 3 && strcmp(b.data, "(f.votes = ?4) AND (f.status IN (?5, ?6))") == 0,
         "failed compile rolled back sql and params");
    /* a tiny SQL cap */
    vk_buf small;
    vk_buf_init(&small, 8);
    cql2_params ps2 = {0};
    T_OK(cql2_parse("votes = 2 AND status = 'a'", 26, &a, &e, &ei) == VK_OK, "parse");
    T_EQ_INT(cql2_sql_compile(e, Q, NQ, 1, &small, &ps2, &a, &ei), VK_EPARAM, "SQL over its cap");
    T_OK(strstr(ei.message, "too long once compiled") != NULL, "  says so");
    vk_buf_fini(&small);
    T_EQ_INT(cql2_sql_compile(e, Q, NQ, 0, &b, &ps, &a, &ei), VK_EINTERNAL, "first_index 0 refused");
    vk_buf_fini(&b);
    vk_arena_fini(&a);
}

/* ---------------------------------------------------------------------- */

static char *repeat(const char *head, const char *piece, int n, const char *sep, const char *tail)
{
    size_t len = strlen(head) + (size_t)n * (strlen(piece) + strlen(sep)) + strlen(tail) + 1;
    char *s = malloc(len), *p = s;
    p += sprintf(p, "%s", head);
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%s%s", i ? sep : "", piece);
    sprintf(p, "%s", tail);
    return s;
}

static void test_limits(void)
{
    /* depth bombs fail cleanly (no stack overflow under ASan) */
    char *s = repeat("", "(", 100000, "", "");
    check_err(s, "filter: the filter is too long (at most 8192 bytes)");
    free(s);
    s = repeat("", "NOT ", 100000, "", "votes = 1");
    check_err(s, "filter: the filter is too long");
    free(s);
    /* … and within the length cap the depth cap stops them */
    s = repeat("", "(", 8000, "", "");
    check_err(s, "at character 65: the filter is nested too deeply (at most 64 levels of "
                 "parentheses and NOT)");
    free(s);
    s = repeat("", "(", 8000, "", "votes = 1");
    check_err(s, "nested too deeply");
    free(s);
    s = repeat("", "NOT ", 2000, "", "votes = 1");
    check_err(s, "at character 257: the filter is nested too deeply");
    free(s);
    s = repeat("", "NOT (", 1600, "", "");
    check_err(s, "nested too deeply");
    free(s);
    s = repeat("", "v=1 AND (", 800, "", "");
    check_err(s, "nested too deeply");
    free(s);
    s = repeat("", "(", 64, "", "votes = 1");
    char *t = repeat(s, ")", 64, "", "");
    check_sql(t, 1, "(f.votes = ?1)", "I:1");
    free(s);
    free(t);
    s = repeat("", "(", 65, "", "votes = 1");
    t = repeat(s, ")", 65, "", "");
    check_err(t, "at character 65: the filter is nested too deeply");
    free(s);
    free(t);
    s = repeat("", "NOT ", 64, "", "votes = 1");
    run_filter_n(s, strlen(s), 1, &R);
    T_OK(R.rc == VK_OK, "64 NOTs are fine");
    free(s);
    s = repeat("", "NOT (", 32, "", "votes = 1");
    t = repeat(s, ")", 32, "", "");
    run_filter_n(t, strlen(t), 1, &R);
    T_OK(R.rc == VK_OK, "32 x NOT ( … ) is 64 levels: fine");
    free(s);
    free(t);

    /* length */
    s = repeat("", "votes = 1", 1, "", "");
    char *big = malloc(CQL2_MAX_TEXT + 2);
    memset(big, ' ', CQL2_MAX_TEXT + 1);
    memcpy(big, "votes = 1", 9);
    big[CQL2_MAX_TEXT + 1] = '\0';
    run_filter_n(big, CQL2_MAX_TEXT, 1, &R);
    T_OK(R.rc == VK_OK, "exactly CQL2_MAX_TEXT bytes are accepted");
    check_err_n(big, CQL2_MAX_TEXT + 1, "filter: the filter is too long (at most 8192 bytes)");
    free(big);
    free(s);

    /* a 10001-vertex linestring cannot even be written within the text cap */
    s = repeat("S_INTERSECTS(geom, LINESTRING(", "1 1", 10001, ",", "))");
    check_err(s, "the filter is too long");
    free(s);
    /* but a long one that fits is fine, and round-trips through SpatiaLite below */
    s = repeat("S_INTERSECTS(geom, LINESTRING(", "1 1", 2000, ",", "))");
    run_filter_n(s, strlen(s), 1, &R);
    T_EQ_STR(R.params, "B:32009", "2000-vertex linestring");
    free(s);

    /* a long flat chain is a balanced tree: 1000 conditions, 1999 nodes */
    s = repeat("", "v=1", 1000, " OR ", "");
    run_filter_n(s, strlen(s), 1, &R);
    T_OK(R.rc == VK_OK && strlen(R.sql) > 1000, "1000-condition OR chain (1999 nodes)");
    free(s);
    s = repeat("", "v=1", 1001, " OR ", "");
    check_err(s, "the filter has too many conditions (at most 2000 parts)");
    free(s);
    s = repeat("", "v=1", 667, " AND ", "");
    run_filter_n(s, strlen(s), 1, &R);
    T_OK(R.rc == VK_OK, "667-condition AND chain");
    free(s);

    /* IN list cap and the parameter cap */
    s = repeat("v IN (", "1", 1000, ",", ")");
    run_filter_n(s, strlen(s), 1, &R);
    T_OK(R.rc == VK_OK, "IN list of 1000 values");
    free(s);
    s = repeat("v IN (", "1", 1001, ",", ")");
    check_err(s, "at character 2007: an IN list can hold at most 1000 values");
    free(s);
    s = repeat("v IN (", "1", 1000, ",", ")");
    t = malloc(4 * strlen(s) + 20);
    sprintf(t, "%s OR %s OR %s", s, s, s);
    check_err(t, "the filter has too many values (at most 2100)");
    free(s);
    free(t);
}

/* ---------------------------------------------------------------------- */

static void test_wkb(void)
{
    vk_arena a;
    vk_arena_init(&a, 0);
    vk_errinfo ei;
    cql2_expr *e = NULL, *e2 = NULL;
    const char *f = "S_INTERSECTS(geom, POINT(1 -2.5))";
    T_OK(cql2_parse(f, strlen(f), &a, &e, &ei) == VK_OK, "parse POINT");
    static const unsigned char point[] = {1,    1,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
                                          0,    0,    0, 0, 0, 0, 4, 0xC0};
    T_OK(e && e->kind == CQL2_INTERSECTS && e->nvalues == 1 && e->values[0].wkb_len == sizeof point &&
             memcmp(e->values[0].wkb, point, sizeof point) == 0,
         "POINT(1 -2.5) is ISO WKB, little-endian");
    T_EQ_STR(e ? e->property : NULL, "geom", "property recorded");
    T_EQ_INT(e ? e->position : -1, 14, "position of the property");

    f = "S_INTERSECTS(geom, MULTIPOINT(1 2, 3 4))";
    const char *f2 = "S_INTERSECTS(geom, MULTIPOINT((1 2), (3 4)))";
    T_OK(cql2_parse(f, strlen(f), &a, &e, &ei) == VK_OK &&
             cql2_parse(f2, strlen(f2), &a, &e2, &ei) == VK_OK,
         "both MULTIPOINT forms parse");
    T_OK(e && e2 && e->values[0].wkb_len == e2->values[0].wkb_len &&
             memcmp(e->values[0].wkb, e2->values[0].wkb, e->values[0].wkb_len) == 0 &&
             e->values[0].wkb_len == 9 + 2 * 21,
         "the two MULTIPOINT forms give the same WKB");

    f = "S_INTERSECTS(geom, BBOX(0, 1, 2, 3))";
    f2 = "S_INTERSECTS(geom, POLYGON((0 1, 2 1, 2 3, 0 3, 0 1)))";
    T_OK(cql2_parse(f, strlen(f), &a, &e, &ei) == VK_OK &&
             cql2_parse(f2, strlen(f2), &a, &e2, &ei) == VK_OK,
         "BBOX and its polygon parse");
    T_OK(e && e2 && e->values[0].wkb_len == e2->values[0].wkb_len &&
             memcmp(e->values[0].wkb, e2->values[0].wkb, e->values[0].wkb_len) == 0,
         "BBOX is the polygon of its corners");

    f = "votes = 1 AND status LIKE 'x'";
    T_OK(cql2_parse(f, strlen(f), &a, &e, &ei) == VK_OK && e->kind == CQL2_AND &&
             e->left->kind == CQL2_CMP && e->left->position == 1 &&
             e->right->kind == CQL2_LIKE && e->right->position == 15,
         "tree shape and positions");
    vk_arena_fini(&a);
}

/* ---------------------------------------------------------------------- */
/* Against SpatiaLite                                                      */

static sqlite3 *db;

static void db_exec(const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        printf("# setup failed: %s\n", err ? err : "?");
        sqlite3_free(err);
        exit(1);
    }
}

/* The ids of the rows matching filter, "1,2,3"; "ERR …" on failure. The
 * condition is placed after two other parameters to test first_index. */
static void ids(const char *filter, char *out, size_t outsz)
{
    vk_arena a;
    vk_arena_init(&a, 0);
    vk_errinfo ei;
    cql2_expr *e;
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    cql2_params ps = {0};
    vk_buf_puts(&b, "SELECT id FROM f WHERE id >= ?1 AND id <= ?2 AND ");
    snprintf(out, outsz, "ERR");
    if (cql2_parse(filter, strlen(filter), &a, &e, &ei) != VK_OK ||
        cql2_sql_compile(e, Q, NQ, 3, &b, &ps, &a, &ei) != VK_OK) {
        snprintf(out, outsz, "ERR %s", ei.message);
        goto done;
    }
    vk_buf_puts(&b, " ORDER BY id");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, b.data, -1, &st, NULL) != SQLITE_OK) {
        snprintf(out, outsz, "ERR prepare: %s", sqlite3_errmsg(db));
        goto done;
    }
    sqlite3_bind_int(st, 1, 0);
    sqlite3_bind_int(st, 2, 1000);
    if (cql2_sql_bind(st, &ps, 3) != SQLITE_OK) {
        snprintf(out, outsz, "ERR bind: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        goto done;
    }
    size_t k = 0;
    out[0] = '\0';
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k + 16 < outsz)
        k += (size_t)snprintf(out + k, outsz - k, "%s%d", k ? "," : "", sqlite3_column_int(st, 0));
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        snprintf(out, outsz, "ERR step: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
done:
    vk_buf_fini(&b);
    vk_arena_fini(&a);
}

/* The filter's condition inside a subquery, the deepest context the
 * compiler budgets for: "" when it prepares and runs, else the error. */
static void in_subquery(const char *filter, char *out, size_t outsz)
{
    vk_arena a;
    vk_arena_init(&a, 0);
    vk_errinfo ei;
    cql2_expr *e;
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    cql2_params ps = {0};
    vk_buf_puts(&b, "SELECT json_object('n', (SELECT count(*) FROM f WHERE f.id > ?1 AND f.id < ?2 AND ");
    snprintf(out, outsz, "ERR");
    if (cql2_parse(filter, strlen(filter), &a, &e, &ei) != VK_OK ||
        cql2_sql_compile(e, Q, NQ, 3, &b, &ps, &a, &ei) != VK_OK) {
        snprintf(out, outsz, "ERR %s", ei.message);
    } else {
        vk_buf_puts(&b, "))");
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, b.data, -1, &st, NULL) != SQLITE_OK) {
            snprintf(out, outsz, "ERR prepare: %s", sqlite3_errmsg(db));
        } else {
            sqlite3_bind_int(st, 1, 0);
            sqlite3_bind_int(st, 2, 1000);
            if (cql2_sql_bind(st, &ps, 3) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
                snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(st, 0));
            else
                snprintf(out, outsz, "ERR run: %s", sqlite3_errmsg(db));
            sqlite3_finalize(st);
        }
    }
    vk_buf_fini(&b);
    vk_arena_fini(&a);
}

/* "a AND (b OR c AND (d OR … leaf))": one OR inside an AND per level of
 * parentheses, the costliest shape for SQLite's parser stack. Here every
 * level lets rows with votes through to the leaf. */
static char *ladder_fmt(int levels, const char *leaf, const char *fmt)
{
    char *s = malloc(strlen(leaf) + 1);
    strcpy(s, leaf);
    for (int i = 0; i < levels; i++) {
        char *t = malloc(strlen(s) + 64);
        sprintf(t, fmt, s);
        free(s);
        s = t;
    }
    return s;
}

static char *ladder(int levels, const char *leaf)
{
    return ladder_fmt(levels, leaf, "votes >= 0 AND (status = 'none' OR %s)");
}

static void check_ids(const char *filter, const char *want)
{
    char got[8192];
    ids(filter, got, sizeof got);
    T_EQ_STR(got, want, "rows of: %s", name_of(filter, strlen(filter)));
}

static void test_execute(void)
{
    void *cache = spatialite_alloc_connection();
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        printf("# cannot open SQLite\n");
        exit(1);
    }
    spatialite_init_ex(db, cache, 0);
    db_exec("CREATE TABLE f(id INTEGER PRIMARY KEY, category TEXT, status TEXT, created_at TEXT,"
            " votes INTEGER, score REAL, public INTEGER, district TEXT, geom BLOB)");
    db_exec("INSERT INTO f VALUES"
            " (1, 'lighting', 'received', '2024-03-01T08:00:00Z', 5, 1.5, 1, 'K1',"
            "  GeomFromText('POINT(24.94 60.17)', 4326)),"
            " (2, 'Lighting', 'closed', '2024-03-01T23:30:00Z', 0, 0, 0, 'K2',"
            "  GeomFromText('POINT(25.5 60.5)', 4326)),"
            " (3, 'snow_ice', 'in_progress', '2024-03-02T00:00:00Z', 12, -2, 1, 'K1',"
            "  GeomFromText('POINT(24.95 60.18)', 4326)),"
            " (4, 'snowXice', 'received', '2024-02-28T12:00:00Z', NULL, NULL, 0, NULL, NULL),"
            " (5, '100%', NULL, NULL, 3, 3, NULL, 'K3', GeomFromText('POINT(26 61)', 4326)),"
            " (6, '100x', 'closed', '2024-03-05T10:00:00Z', 7, 7.25, 1, 'K1',"
            "  GeomFromText('POINT(24.96 60.16)', 4326)),"
            " (7, 'a*b[c]?', 'received', '2024-03-10T00:00:00Z', 1, 1, 0, 'K2',"
            "  GeomFromText('POINT(30 65)', 4326)),"
            " (8, 'aZZbcQ', 'received', '2024-03-10T00:00:00Z', 1, 1, 0, 'K2',"
            "  GeomFromText('POINT(30 65)', 4326)),"
            " (9, 'äiti', 'received', '2024-03-10T00:00:00Z', 2, 2, 0, 'K2',"
            "  GeomFromText('LINESTRING(24.0 60.0, 24.5 60.5)', 4326)),"
            " (10, 'a\\b', 'closed', '2024-03-11T00:00:00Z', 4, 4, 1, 'K3', NULL)");

    /* LIKE: case-sensitive, wildcards, escapes, GLOB metacharacters */
    check_ids("category = 'lighting'", "1");
    check_ids("category LIKE 'lighting'", "1");
    check_ids("category LIKE 'Light%'", "2");
    check_ids("category LIKE '%ighting'", "1,2");
    check_ids("category LIKE 'LIGHTING'", "");
    check_ids("category LIKE 'snow_ice'", "3,4");
    check_ids("category LIKE 'snow\\_ice'", "3");
    check_ids("category LIKE '100\\%'", "5");
    check_ids("category LIKE '100%'", "5,6");
    check_ids("category LIKE '100_'", "5,6");
    check_ids("category LIKE 'a*b[c]?'", "7");
    check_ids("category LIKE 'a%b%c%'", "7,8");
    check_ids("category LIKE '_iti'", "9");
    check_ids("category LIKE 'a\\\\b'", "10");
    check_ids("category LIKE '%'", "1,2,3,4,5,6,7,8,9,10");
    check_ids("category NOT LIKE '%i%'", "5,6,7,8,10");
    /* IN, NOT IN, NOT and NULLs (three-valued: unknown is never returned) */
    check_ids("status IN ('received','closed')", "1,2,4,6,7,8,9,10");
    check_ids("status NOT IN ('received')", "2,3,6,10");
    check_ids("NOT (status = 'received')", "2,3,6,10");
    check_ids("NOT status = 'received'", "2,3,6,10");
    check_ids("status <> 'received'", "2,3,6,10");
    check_ids("NOT NOT status = 'closed'", "2,6,10");
    check_ids("status IS NULL", "5");
    check_ids("votes IS NULL", "4");
    check_ids("geom IS NULL", "4,10");
    check_ids("created_at IS NOT NULL AND geom IS NOT NULL", "1,2,3,6,7,8,9");
    check_ids("\"district code\" = 'K3'", "5,10");
    /* numbers */
    check_ids("votes BETWEEN 3 AND 7", "1,5,6,10");
    check_ids("votes NOT BETWEEN 3 AND 7", "2,3,7,8,9");
    check_ids("votes > 2.5", "1,3,5,6,10");
    check_ids("votes = 5.0", "1");
    check_ids("votes IN (0, 12, 99)", "2,3");
    check_ids("score < 0", "3");
    check_ids("score >= 7.25", "6");
    check_ids("public = TRUE", "1,3,6,10");
    check_ids("public = FALSE", "2,4,7,8,9");
    check_ids("public <> TRUE", "2,4,7,8,9");
    /* DATE vs TIMESTAMP */
    check_ids("created_at = DATE('2024-03-01')", "1,2");
    check_ids("created_at < TIMESTAMP('2024-03-01T12:00:00+02:00')", "1,4");
    check_ids("created_at > TIMESTAMP('2024-03-01T23:00:00Z')", "2,3,6,7,8,9,10");
    check_ids("created_at >= DATE('2024-03-02')", "3,6,7,8,9,10");
    check_ids("created_at <= DATE('2024-03-01')", "1,2,4");
    check_ids("created_at < DATE('2024-03-01')", "4");
    check_ids("created_at = TIMESTAMP('2024-03-02T02:00:00+02:00')", "3");
    check_ids("created_at BETWEEN DATE('2024-03-01') AND DATE('2024-03-02')", "1,2,3");
    check_ids("created_at NOT BETWEEN DATE('2024-03-01') AND TIMESTAMP('2024-03-05T10:00:00Z')",
              "4,7,8,9,10");
    check_ids("created_at IN (DATE('2024-03-01'), DATE('2024-03-11'))", "1,2,10");
    /* S_INTERSECTS */
    check_ids("S_INTERSECTS(geom, POLYGON((24.9 60.1, 25.0 60.1, 25.0 60.2, 24.9 60.2, 24.9 60.1)))",
              "1,3,6");
    check_ids("S_INTERSECTS(geom, BBOX(24.9, 60.1, 25.0, 60.2))", "1,3,6");
    check_ids("NOT S_INTERSECTS(geom, BBOX(24.9, 60.1, 25.0, 60.2))", "2,5,7,8,9");
    check_ids("S_INTERSECTS(geom, POLYGON((24.9 60.1, 25.0 60.1, 25.0 60.2, 24.9 60.2, 24.9 60.1),"
              " (24.93 60.16, 24.945 60.16, 24.945 60.175, 24.93 60.175, 24.93 60.16)))",
              "3,6");
    check_ids("S_INTERSECTS(geom, LINESTRING(24.0 60.5, 24.5 60.0))", "9");
    check_ids("S_INTERSECTS(geom, POINT(30 65))", "7,8");
    check_ids("S_INTERSECTS(geom, MULTIPOINT((30 65), (26 61)))", "5,7,8");
    check_ids("S_INTERSECTS(geom, MULTIPOINT(30 65, 26 61))", "5,7,8");
    check_ids("S_INTERSECTS(geom, MULTILINESTRING((24.0 60.5, 24.5 60.0), (29 64, 31 66)))", "7,8,9");
    check_ids("S_INTERSECTS(geom, MULTIPOLYGON(((24.9 60.1, 25.0 60.1, 25.0 60.2, 24.9 60.2, 24.9 60.1)),"
              " ((25.4 60.4, 25.6 60.4, 25.6 60.6, 25.4 60.6, 25.4 60.4))))",
              "1,2,3,6");
    check_ids("S_INTERSECTS(geom, BBOX(0, 0, 1, 1))", "");
    check_ids("S_INTERSECTS(geom, BBOX(24.9, 60.1, 25.0, 60.2)) AND votes > 5", "3,6");
    /* mixtures */
    check_ids("category LIKE '%ing' AND (votes > 1 OR status = 'closed')", "1,2");
    check_ids("category LIKE '%ing' AND votes > 1 OR status = 'closed'", "1,2,6,10");

    /* every geometry kind reads back in SpatiaLite as written */
    static const struct {
        const char *filter, *wkt;
    } shapes[] = {
        {"S_INTERSECTS(geom, POINT(1 2))", "POINT(1 2)"},
        {"S_INTERSECTS(geom, LINESTRING(0 0, 1 1, 2 0.5))", "LINESTRING(0 0, 1 1, 2 0.5)"},
        {"S_INTERSECTS(geom, POLYGON((0 0, 4 0, 4 4, 0 0), (1 0.5, 2 0.5, 2 1, 1 0.5)))",
         "POLYGON((0 0, 4 0, 4 4, 0 0), (1 0.5, 2 0.5, 2 1, 1 0.5))"},
        {"S_INTERSECTS(geom, MULTIPOINT((1 2), 3 4))", "MULTIPOINT(1 2, 3 4)"},
        {"S_INTERSECTS(geom, MULTILINESTRING((0 0, 1 1), (2 2, 3 3, 4 4)))",
         "MULTILINESTRING((0 0, 1 1), (2 2, 3 3, 4 4))"},
        {"S_INTERSECTS(geom, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), "
         "(5.1 5.1, 5.2 5.1, 5.2 5.2, 5.1 5.1))))",
         "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.1 5.1, 5.2 5.1, 5.2 5.2, "
         "5.1 5.1)))"},
        {"S_INTERSECTS(geom, BBOX(-1, -2, 3, 4.5))", "POLYGON((-1 -2, 3 -2, 3 4.5, -1 4.5, -1 -2))"},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        vk_arena a;
        vk_arena_init(&a, 0);
        vk_errinfo ei;
        cql2_expr *e;
        char got[512] = "ERR";
        if (cql2_parse(shapes[i].filter, strlen(shapes[i].filter), &a, &e, &ei) == VK_OK) {
            sqlite3_stmt *st;
            if (sqlite3_prepare_v2(db, "SELECT AsText(GeomFromWKB(?1, 4326))", -1, &st, NULL) ==
                SQLITE_OK) {
                sqlite3_bind_blob(st, 1, e->values[0].wkb, (int)e->values[0].wkb_len, SQLITE_STATIC);
                if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
                    snprintf(got, sizeof got, "%s", (const char *)sqlite3_column_text(st, 0));
                sqlite3_finalize(st);
            }
        }
        T_EQ_STR(got, shapes[i].wkt, "SpatiaLite reads back %s", shapes[i].wkt);
        vk_arena_fini(&a);
    }

    /* long chains stay within SQLite's expression depth (1000) */
    char *s = repeat("", "v=1", 1000, " OR ", "");
    check_ids(s, "7,8");
    free(s);
    s = repeat("", "v>=0", 900, " AND ", "");
    check_ids(s, "1,2,3,5,6,7,8,9,10");
    free(s);
    s = repeat("", "(", 64, "", "votes = 5");
    char *t = repeat(s, " OR votes = 7)", 64, "", "");
    check_ids(t, "1,6");
    free(s);
    free(t);
    s = repeat("", "NOT ", 64, "", "votes = 5");
    check_ids(s, "1");
    free(s);
    s = repeat("v IN (", "1", 1000, ",", ")");
    check_ids(s, "7,8");
    free(s);

    /* the deepest filters the parser takes still run inside a subquery */
    char got[1024];
    s = ladder(64, "S_INTERSECTS(geom, BBOX(24.9, 60.1, 25.0, 60.2))");
    in_subquery(s, got, sizeof got);
    T_EQ_STR(got, "{\"n\":3}", "64-level ladder ending in S_INTERSECTS runs in a subquery");
    free(s);
    s = ladder(65, "votes = 5");
    check_err(s, "the filter is nested too deeply (at most 64 levels");
    free(s);
    s = repeat("", "NOT ", 64, "", "S_INTERSECTS(geom, BBOX(24.9, 60.1, 25.0, 60.2))");
    in_subquery(s, got, sizeof got);
    T_EQ_STR(got, "{\"n\":3}", "64 NOTs over S_INTERSECTS run in a subquery");
    free(s);
    s = repeat("", "NOT (votes = 1 AND ", 32, "", "votes = 5");
    t = repeat(s, ")", 32, "", "");
    in_subquery(t, got, sizeof got);
    T_EQ_STR(got, "{\"n\":7}", "32 x NOT (… AND …) runs in a subquery");
    free(s);
    free(t);
    /* … while several of them side by side are refused, cleanly */
    s = ladder_fmt(62, "v=5", "v>=0 AND (v=9 OR %s)");
    t = malloc(4 * strlen(s) + 64);
    sprintf(t, "(%s) OR (%s) OR (%s) OR (%s)", s, s, s, s);
    in_subquery(t, got, sizeof got);
    T_EQ_STR(got, "ERR filter: the filter is nested too deeply to run; use fewer levels of parentheses",
             "four 62-level ladders side by side are refused");
    free(s);
    free(t);
    s = ladder(62, "votes = 5");
    t = malloc(2 * strlen(s) + 64);
    sprintf(t, "(%s) OR (%s)", s, s);
    in_subquery(t, got, sizeof got);
    T_EQ_STR(got, "{\"n\":1}", "two 62-level ladders run");
    free(s);
    free(t);
    s = repeat("S_INTERSECTS(geom, LINESTRING(", "30 65", 1000, ",", "))");
    check_ids(s, "7,8");
    free(s);

    sqlite3_close(db);
    spatialite_cleanup_ex(cache);
}

/* Inputs the fuzzer found or that once broke an earlier draft. */
static void test_regressions(void)
{
    check_err("S_INTERSECTS(geom,", "expected a geometry such as");
    check_err("S_INTERSECTS(", "expected a property name in S_INTERSECTS but found the end");
    check_err("S_INTERSECTS", "after the property 'S_INTERSECTS' but the filter ended");
    check_err("\"S_INTERSECTS\"(geom, POINT(1 2))", "expected an operator");
    check_err("votes IN (DATE(", "expected a quoted date like");
    check_err("created_at = TIMESTAMP(''", "is not an RFC 3339 date-time");
    check_err("created_at = TIMESTAMP('2024-03-01T00:00:00+0')", "is not an RFC 3339 date-time");
}

int main(void)
{
    test_sql_text();
    test_errors();
    test_compile_errors();
    test_limits();
    test_wkb();
    test_execute();
    test_regressions();
    return t_done();
}
