/*
 * test_wkt.c — unit tests for src/gis/wkt.c, the WKT reader: every type
 * with its WKB (shown as GeoJSON through gis_wkb_to_geojson), where the
 * reader stops, the vertex budget, and the refusals with the messages the
 * CQL2 filter shows (tests/unit/test_cql2.c asserts them in context).
 *
 * The reader takes tokens from its caller; the lexer here is the least a
 * caller needs: blanks, ( ) , numbers, words, and any other byte alone.
 */
#include "gis/wkt.h"

#include <stdlib.h>
#include <string.h>

#include "gis/gis.h"
#include "t.h"

typedef struct {
    gis_wkt_lexer lx; /* first: the reader's pointer is this struct's */
    const char *s;
    size_t len, end;  /* end: byte after cur */
    char msg[400];    /* the last error, "at N: …" */
    int fails;
} test_lexer;

static int is_num(int c) { return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+'; }
static int is_word(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }

static vk_err lex_next(gis_wkt_lexer *lx)
{
    test_lexer *t = (test_lexer *)lx;
    size_t i = t->end;
    while (i < t->len && t->s[i] == ' ')
        i++;
    size_t start = i;
    gis_wkt_kind k = GIS_WKT_OTHER;
    if (i >= t->len) {
        k = GIS_WKT_END;
    } else if (is_num((unsigned char)t->s[i])) {
        k = GIS_WKT_NUMBER;
        while (i < t->len && (is_num((unsigned char)t->s[i]) || t->s[i] == 'e'))
            i++;
    } else if (is_word((unsigned char)t->s[i])) {
        k = GIS_WKT_WORD;
        while (i < t->len && is_word((unsigned char)t->s[i]))
            i++;
    } else {
        k = t->s[i] == '(' ? GIS_WKT_LPAREN : t->s[i] == ')' ? GIS_WKT_RPAREN
            : t->s[i] == ',' ? GIS_WKT_COMMA : GIS_WKT_OTHER;
        i++;
    }
    t->end = i;
    t->lx.cur = (gis_wkt_tok){k, t->s + start, i - start, start};
    return VK_OK;
}

static vk_err lex_number(gis_wkt_lexer *lx, double *out)
{
    char tmp[64];
    size_t n = lx->cur.len < sizeof tmp - 1 ? lx->cur.len : sizeof tmp - 1;
    memcpy(tmp, lx->cur.text, n);
    tmp[n] = '\0';
    *out = strtod(tmp, NULL);
    return VK_OK;
}

static vk_err lex_fail(gis_wkt_lexer *lx, size_t pos, const char *msg, int found)
{
    test_lexer *t = (test_lexer *)lx;
    t->fails++;
    if (!found)
        snprintf(t->msg, sizeof t->msg, "at %zu: %s", pos, msg);
    else if (lx->cur.kind == GIS_WKT_END)
        snprintf(t->msg, sizeof t->msg, "at %zu: %s but found the end", pos, msg);
    else
        snprintf(t->msg, sizeof t->msg, "at %zu: %s but found '%.*s'", pos, msg, (int)lx->cur.len,
                 lx->cur.text);
    return VK_EPARAM;
}

static void lexer_init(test_lexer *t, const char *s)
{
    memset(t, 0, sizeof *t);
    t->lx.next = lex_next;
    t->lx.number = lex_number;
    t->lx.fail = lex_fail;
    t->s = s;
    t->len = strlen(s);
    lex_next(&t->lx);
}

/* Read wkt and compare its WKB, written as GeoJSON, with want. */
static void check_geojson(const char *wkt, const char *want)
{
    test_lexer t;
    lexer_init(&t, wkt);
    vk_buf wkb, js;
    vk_buf_init(&wkb, 1 << 20);
    vk_buf_init(&js, 1 << 20);
    int vertices = 0;
    vk_err e = gis_wkt_read(&t.lx, &vertices, 100, &wkb);
    T_EQ_STR(vk_err_code(e), "ok", "%s reads", wkt);
    if (e)
        printf("#   %s\n", t.msg);
    T_OK(t.lx.cur.kind == GIS_WKT_END, "%s: stops at the end", wkt);
    e = e ? e : gis_wkb_to_geojson((const unsigned char *)wkb.data, wkb.len, &js);
    vk_buf_putc(&js, '\0');
    T_EQ_STR(e ? "" : js.data, want, "%s as GeoJSON", wkt);
    vk_buf_fini(&wkb);
    vk_buf_fini(&js);
}

/* Read wkt and expect the error message want. */
static void check_err(const char *wkt, const char *want)
{
    test_lexer t;
    lexer_init(&t, wkt);
    vk_buf wkb;
    vk_buf_init(&wkb, 1 << 20);
    int vertices = 0;
    vk_err e = gis_wkt_read(&t.lx, &vertices, 100, &wkb);
    T_EQ_STR(vk_err_code(e), "invalid_parameter", "%s is refused", wkt);
    T_EQ_STR(t.msg, want, "%s: message", wkt);
    vk_buf_fini(&wkb);
}

static void test_types(void)
{
    check_geojson("POINT(1 -2.5)", "{\"type\":\"Point\",\"coordinates\":[1,-2.5]}");
    check_geojson("point (1 2)", "{\"type\":\"Point\",\"coordinates\":[1,2]}");
    check_geojson("LINESTRING(0 0, 1 1, 2 0.5)",
                  "{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1],[2,0.5]]}");
    check_geojson("POLYGON((0 0, 4 0, 4 4, 0 0), (1 0.5, 2 0.5, 2 1, 1 0.5))",
                  "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[4,0],[4,4],[0,0]],"
                  "[[1,0.5],[2,0.5],[2,1],[1,0.5]]]}");
    check_geojson("MULTIPOINT(1 2, 3 4)",
                  "{\"type\":\"MultiPoint\",\"coordinates\":[[1,2],[3,4]]}");
    check_geojson("MULTIPOINT((1 2), 3 4)",
                  "{\"type\":\"MultiPoint\",\"coordinates\":[[1,2],[3,4]]}");
    check_geojson("MULTILINESTRING((0 0, 1 1), (2 2, 3 3, 4 4))",
                  "{\"type\":\"MultiLineString\",\"coordinates\":[[[0,0],[1,1]],[[2,2],[3,3],[4,4]]]}");
    check_geojson("MultiPolygon(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), "
                  "(5.1 5.1, 5.2 5.1, 5.2 5.2, 5.1 5.1)))",
                  "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],"
                  "[[[5,5],[6,5],[6,6],[5,5]],[[5.1,5.1],[5.2,5.1],[5.2,5.2],[5.1,5.1]]]]}");

    /* the exact bytes: ISO WKB, little-endian */
    test_lexer t;
    lexer_init(&t, "POINT(1 -2.5)");
    vk_buf wkb;
    vk_buf_init(&wkb, 1024);
    int vertices = 0;
    static const unsigned char point[] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
                                          0, 0, 0, 0, 0, 0, 4, 0xC0};
    T_OK(gis_wkt_read(&t.lx, &vertices, 10, &wkb) == VK_OK && wkb.len == sizeof point &&
             memcmp(wkb.data, point, sizeof point) == 0,
         "POINT(1 -2.5) is ISO WKB, little-endian");
    vk_buf_fini(&wkb);
}

static void test_stop_and_budget(void)
{
    test_lexer t;
    vk_buf wkb;
    vk_buf_init(&wkb, 1 << 20);
    int vertices = 0;
    lexer_init(&t, "LINESTRING(0 0, 1 1) AND x");
    T_OK(gis_wkt_read(&t.lx, &vertices, 10, &wkb) == VK_OK, "a line followed by more text");
    T_OK(t.lx.cur.kind == GIS_WKT_WORD && t.lx.cur.pos == 21 && t.lx.cur.len == 3,
         "the reader stops on the token after the geometry");
    T_EQ_INT(vertices, 2, "two vertices counted");

    /* the budget spans calls: 2 used, 3 more fit, the fourth does not */
    lexer_init(&t, "MULTIPOINT(1 1, 2 2, 3 3, 4 4)");
    vk_err e = gis_wkt_read(&t.lx, &vertices, 5, &wkb);
    T_EQ_STR(vk_err_code(e), "invalid_parameter", "over the vertex budget");
    T_EQ_STR(t.msg, "at 26: the geometry has too many vertices (at most 5)", "message names the cap");

    /* not WKT at all: nothing read, nothing reported, for the caller to handle */
    size_t len = wkb.len;
    const char *others[] = {"BBOX(0, 0, 1, 1)", "CIRCLE(1 2)", "(1 2)", "POIN(1 2)"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        lexer_init(&t, others[i]);
        e = gis_wkt_read(&t.lx, &vertices, 100, &wkb);
        T_OK(e == VK_ENOT_FOUND && t.fails == 0 && t.lx.cur.pos == 0 && wkb.len == len,
             "%s: not found, nothing consumed or written", others[i]);
    }
    vk_buf_fini(&wkb);

    /* the box helper writes the polygon of the corners */
    vk_buf a, b;
    vk_buf_init(&a, 1024);
    vk_buf_init(&b, 1024);
    gis_wkb_put_box(&a, (const double[4]){0, 1, 2, 3});
    lexer_init(&t, "POLYGON((0 1, 2 1, 2 3, 0 3, 0 1))");
    vertices = 0;
    T_OK(gis_wkt_read(&t.lx, &vertices, 10, &b) == VK_OK && a.len == b.len &&
             memcmp(a.data, b.data, a.len) == 0,
         "a box is the polygon of its corners");
    vk_buf_fini(&a);
    vk_buf_fini(&b);
}

static void test_refused(void)
{
    check_err("POINT Z (1 2 3)", "at 6: only 2D geometries are supported (no Z or M)");
    check_err("POINTZM(1 2 3 4)", "at 0: only 2D geometries are supported (no Z or M)");
    check_err("POLYGON M ((0 0 0, 1 0 0, 1 1 0, 0 0 0))",
              "at 8: only 2D geometries are supported (no Z or M)");
    check_err("POINT(1 2 3)", "at 10: only 2D coordinates (x y) are supported; found a third number");
    check_err("POINT EMPTY", "at 6: empty geometries are not supported");
    check_err("MULTIPOLYGON empty", "at 13: empty geometries are not supported");
    check_err("POINT(1)", "at 7: expected a coordinate (a number) but found ')'");
    check_err("POINT(1, 2)", "at 7: expected a coordinate (a number) but found ','");
    check_err("POINT(NaN 2)", "at 6: expected a coordinate (a number) but found 'NaN'");
    check_err("POINT(1 2, 3 4)", "at 9: expected ')' after the point's coordinates but found ','");
    check_err("POINT 1 2", "at 6: expected '(' after POINT but found '1'");
    check_err("POINT(1 2", "at 9: expected ')' after the point's coordinates but found the end");
    check_err("LINESTRING(0 0)", "at 10: a LINESTRING needs at least 2 positions");
    check_err("LINESTRING(0 0 1 1)",
              "at 15: only 2D coordinates (x y) are supported; found a third number");
    check_err("POLYGON((0 0, 1 0, 1 1, 0 1))",
              "at 8: a polygon ring needs at least 4 positions and must end where it starts");
    check_err("POLYGON((0 0, 1 0, 0 0))",
              "at 8: a polygon ring needs at least 4 positions and must end where it starts");
    check_err("POLYGON(0 0, 1 0, 1 1, 0 0)", "at 8: expected '(' before the coordinates but found '0'");
    check_err("POLYGON 0", "at 8: expected '(' before the rings of a polygon but found '0'");
    check_err("POLYGON((0 0, 1 0, 1 1, 0 0) (1 1)",
              "at 29: expected ',' or ')' after a polygon ring but found '('");
    check_err("MULTIPOLYGON((0 0, 1 0, 1 1, 0 0)))",
              "at 14: expected '(' before the coordinates but found '0'");
    check_err("MULTIPOINT()", "at 11: expected a coordinate (a number) but found ')'");
    check_err("MULTIPOINT 1", "at 11: expected '(' after the geometry type but found '1'");
    check_err("MULTIPOINT(1 2 ; 3 4)",
              "at 15: expected ',' or ')' after a member of the geometry but found ';'");
    check_err("MULTILINESTRING((0 0, 1 1), (2 2))", "at 28: a LINESTRING needs at least 2 positions");
    check_err("LINESTRING(0 0; 1 1)",
              "at 14: expected ',' or ')' after a coordinate pair but found ';'");
    check_err("GEOMETRYCOLLECTION(POINT(1 2))", "at 0: GEOMETRYCOLLECTION is not supported here");
}

int main(void)
{
    test_types();
    test_stop_and_budget();
    test_refused();
    return t_done();
}
