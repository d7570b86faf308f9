/*
 * wkt.c — the WKT reader: tokens from the caller's lexer in, ISO WKB out.
 *
 * Counts (positions in a line, rings in a polygon, members of a MULTI*)
 * are not known until their ")" is read, so a zero is written first and
 * patched afterwards. The coordinates are written exactly as given: the
 * reader does not know the CRS or its axis order.
 */
#include "gis/wkt.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { WKB_POINT = 1, WKB_LINESTRING, WKB_POLYGON, WKB_MULTIPOINT, WKB_MULTILINESTRING,
       WKB_MULTIPOLYGON };

static const struct {
    const char *name;
    uint32_t type;
} types[] = {{"POINT", WKB_POINT},           {"LINESTRING", WKB_LINESTRING},
             {"POLYGON", WKB_POLYGON},       {"MULTIPOINT", WKB_MULTIPOINT},
             {"MULTILINESTRING", WKB_MULTILINESTRING}, {"MULTIPOLYGON", WKB_MULTIPOLYGON}};

/* ---------------------------------------------------------------------- */
/* WKB writing                                                             */

static void put_u32(vk_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    vk_buf_add(b, x, 4);
}

static void put_f64(vk_buf *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(u >> (8 * i));
    vk_buf_add(b, x, 8);
}

static void put_header(vk_buf *b, uint32_t type)
{
    vk_buf_putc(b, 1); /* little-endian */
    put_u32(b, type);
}

/* Reserve a count to be patched later; returns its offset. */
static size_t put_count(vk_buf *b)
{
    size_t off = b->len;
    put_u32(b, 0);
    return off;
}

static void patch_count(vk_buf *b, size_t off, uint32_t n)
{
    if (!vk_buf_ok(b))
        return;
    unsigned char *d = (unsigned char *)b->data + off;
    d[0] = (unsigned char)n;
    d[1] = (unsigned char)(n >> 8);
    d[2] = (unsigned char)(n >> 16);
    d[3] = (unsigned char)(n >> 24);
}

void gis_wkb_put_box(vk_buf *out, const double box[4])
{
    const double ring[5][2] = {{box[0], box[1]}, {box[2], box[1]}, {box[2], box[3]},
                               {box[0], box[3]}, {box[0], box[1]}};
    put_header(out, WKB_POLYGON);
    put_u32(out, 1);
    put_u32(out, 5);
    for (int i = 0; i < 5; i++) {
        put_f64(out, ring[i][0]);
        put_f64(out, ring[i][1]);
    }
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */

typedef struct {
    gis_wkt_lexer *lx;
    vk_buf *b;
    int *vertices;
    int max_vertices;
} reader;

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Does t begin with the word w (given in upper case), ignoring ASCII case? */
static int word_prefix(const gis_wkt_tok *t, const char *w)
{
    size_t n = strlen(w);
    if (t->kind != GIS_WKT_WORD || t->len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)t->text[i]) != lower((unsigned char)w[i]))
            return 0;
    return 1;
}

/* Is t the word w? */
static int word(const gis_wkt_tok *t, const char *w)
{
    return t->len == strlen(w) && word_prefix(t, w);
}

static vk_err fail(reader *r, size_t pos, int found, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static vk_err fail(reader *r, size_t pos, int found, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return r->lx->fail(r->lx, pos, msg, found);
}

static vk_err expect(reader *r, gis_wkt_kind k, const char *what)
{
    if (r->lx->cur.kind != k)
        return fail(r, r->lx->cur.pos, 1, "%s", what);
    return r->lx->next(r->lx);
}

static vk_err number(reader *r, double *v)
{
    if (r->lx->cur.kind != GIS_WKT_NUMBER)
        return fail(r, r->lx->cur.pos, 1, "expected a coordinate (a number)");
    vk_err rc = r->lx->number(r->lx, v);
    return rc ? rc : r->lx->next(r->lx);
}

/* "x y" */
static vk_err coord(reader *r, double *x, double *y)
{
    size_t pos = r->lx->cur.pos;
    vk_err rc = number(r, x);
    if (!rc)
        rc = number(r, y);
    if (rc)
        return rc;
    if (r->lx->cur.kind == GIS_WKT_NUMBER)
        return fail(r, r->lx->cur.pos, 0,
                    "only 2D coordinates (x y) are supported; found a third number");
    if (++*r->vertices > r->max_vertices)
        return fail(r, pos, 0, "the geometry has too many vertices (at most %d)", r->max_vertices);
    put_f64(r->b, *x);
    put_f64(r->b, *y);
    return VK_OK;
}

/* "(x y, x y, …)" as a count and the coordinates; a ring must be closed. */
static vk_err points(reader *r, const char *what, int ring)
{
    size_t start = r->lx->cur.pos;
    vk_err rc = expect(r, GIS_WKT_LPAREN, "expected '(' before the coordinates");
    if (rc)
        return rc;
    size_t off = put_count(r->b);
    uint32_t n = 0;
    double x0 = 0, y0 = 0, x = 0, y = 0;
    for (;;) {
        if ((rc = coord(r, &x, &y)))
            return rc;
        if (n++ == 0) {
            x0 = x;
            y0 = y;
        }
        if (r->lx->cur.kind != GIS_WKT_COMMA)
            break;
        if ((rc = r->lx->next(r->lx)))
            return rc;
    }
    if ((rc = expect(r, GIS_WKT_RPAREN, "expected ',' or ')' after a coordinate pair")))
        return rc;
    patch_count(r->b, off, n);
    if (ring && (n < 4 || x != x0 || y != y0))
        return fail(r, start, 0,
                    "a polygon ring needs at least 4 positions and must end where it starts");
    if (!ring && n < 2)
        return fail(r, start, 0, "a %s needs at least 2 positions", what);
    return VK_OK;
}

/* "(" item { "," item } ")" as a count and the items; open and close are
 * the messages for a missing "(" and for a missing "," or ")". */
static vk_err list_of(reader *r, const char *open, const char *close,
                      vk_err (*item)(reader *, uint32_t), uint32_t type)
{
    vk_err rc = expect(r, GIS_WKT_LPAREN, open);
    if (rc)
        return rc;
    size_t off = put_count(r->b);
    uint32_t n = 0;
    for (;;) {
        if ((rc = item(r, type)))
            return rc;
        n++;
        if (r->lx->cur.kind != GIS_WKT_COMMA)
            break;
        if ((rc = r->lx->next(r->lx)))
            return rc;
    }
    patch_count(r->b, off, n);
    return expect(r, GIS_WKT_RPAREN, close);
}

static vk_err ring(reader *r, uint32_t type)
{
    (void)type;
    return points(r, "ring", 1);
}

/* "((ring), (ring), …)" */
static vk_err polygon_body(reader *r)
{
    return list_of(r, "expected '(' before the rings of a polygon",
                   "expected ',' or ')' after a polygon ring", ring, 0);
}

/* One member of a MULTI*, with its own header. A MULTIPOINT member may
 * be bare (MULTIPOINT(1 2, 3 4)) or in parentheses (MULTIPOINT((1 2))). */
static vk_err multi_member(reader *r, uint32_t type)
{
    double x, y;
    vk_err rc;
    switch (type) {
    case WKB_MULTIPOINT:
        put_header(r->b, WKB_POINT);
        if (r->lx->cur.kind != GIS_WKT_LPAREN)
            return coord(r, &x, &y);
        if ((rc = r->lx->next(r->lx)) || (rc = coord(r, &x, &y)))
            return rc;
        return expect(r, GIS_WKT_RPAREN, "expected ')' after the point's coordinates");
    case WKB_MULTILINESTRING:
        put_header(r->b, WKB_LINESTRING);
        return points(r, "LINESTRING", 0);
    default:
        put_header(r->b, WKB_POLYGON);
        return polygon_body(r);
    }
}

/* The WKB type named by t; 0 with *rc set when t is a WKT name we refuse
 * (GEOMETRYCOLLECTION, POINTZ, …), 0 with *rc VK_ENOT_FOUND otherwise. */
static uint32_t type_of(reader *r, const gis_wkt_tok *t, vk_err *rc)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (word(t, types[i].name))
            return types[i].type;
    if (word(t, "GEOMETRYCOLLECTION")) {
        *rc = fail(r, t->pos, 0, "GEOMETRYCOLLECTION is not supported here");
        return 0;
    }
    /* POINTZ, POLYGONM, …: a known name with a Z/M suffix */
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t n = strlen(types[i].name);
        if (t->len > n && t->len <= n + 2 && word_prefix(t, types[i].name)) {
            *rc = fail(r, t->pos, 0, "only 2D geometries are supported (no Z or M)");
            return 0;
        }
    }
    *rc = VK_ENOT_FOUND;
    return 0;
}

vk_err gis_wkt_read(gis_wkt_lexer *lx, int *vertices, int max_vertices, vk_buf *out)
{
    reader r = {.lx = lx, .b = out, .vertices = vertices, .max_vertices = max_vertices};
    vk_err rc = VK_OK;
    uint32_t type = type_of(&r, &lx->cur, &rc);
    if (!type)
        return rc;
    if ((rc = lx->next(lx)))
        return rc;
    if (word(&lx->cur, "Z") || word(&lx->cur, "M") || word(&lx->cur, "ZM"))
        return fail(&r, lx->cur.pos, 0, "only 2D geometries are supported (no Z or M)");
    if (word(&lx->cur, "EMPTY"))
        return fail(&r, lx->cur.pos, 0, "empty geometries are not supported");
    put_header(out, type);
    switch (type) {
    case WKB_POINT: {
        double x, y;
        if ((rc = expect(&r, GIS_WKT_LPAREN, "expected '(' after POINT")) || (rc = coord(&r, &x, &y)))
            return rc;
        return expect(&r, GIS_WKT_RPAREN, "expected ')' after the point's coordinates");
    }
    case WKB_LINESTRING:
        return points(&r, "LINESTRING", 0);
    case WKB_POLYGON:
        return polygon_body(&r);
    default: /* MULTI*: "(" member { "," member } ")" */
        return list_of(&r, "expected '(' after the geometry type",
                       "expected ',' or ')' after a member of the geometry", multi_member, type);
    }
}
