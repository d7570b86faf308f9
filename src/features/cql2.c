/*
 * cql2.c — the CQL2-text parser (OGC API - Features Part 3).
 *
 * A hand-written recursive-descent parser over the bytes of the filter
 * (never relying on a terminating NUL), with one token of lookahead. The
 * grammar, keywords case-insensitive:
 *
 *   filter    = or_expr END
 *   or_expr   = and_expr { OR and_expr }
 *   and_expr  = not_expr { AND not_expr }
 *   not_expr  = NOT not_expr | primary
 *   primary   = "(" or_expr ")" | spatial | predicate
 *   spatial   = S_INTERSECTS "(" property "," geometry ")"
 *   predicate = property ( ("=" | "<>" | "<" | ">" | "<=" | ">=") scalar
 *                        | [NOT] LIKE 'pattern'
 *                        | [NOT] IN "(" scalar { "," scalar } ")"
 *                        | [NOT] BETWEEN scalar AND scalar
 *                        | IS [NOT] NULL )
 *   scalar    = 'text' | number | TRUE | FALSE
 *             | TIMESTAMP "(" 'RFC 3339' ")" | DATE "(" 'YYYY-MM-DD' ")"
 *   geometry  = POINT | LINESTRING | POLYGON | MULTIPOINT | MULTILINESTRING
 *             | MULTIPOLYGON (WKT, 2D only) | BBOX "(" x1 "," y1 "," x2 "," y2 ")"
 *   property  = identifier | "double quoted" ("" inside is one ")
 *
 * Precedence is OR < AND < NOT < predicate. A value must come after the
 * property ("status = 'closed'", never "'closed' = status"); comparing two
 * properties is not supported.
 *
 * Why it cannot be crashed: the text is capped (CQL2_MAX_TEXT bytes) and
 * checked as UTF-8 first; every recursive entry (a "(" or a NOT) counts
 * against CQL2_MAX_DEPTH, so the C stack is bounded; AND/OR chains are
 * parsed by a loop and built into a balanced tree (a binary counter of
 * subtrees), so the tree depth, and the depth of the SQL compiled from it,
 * stays small (SQLite refuses expressions deeper than 1000) however long
 * the chain; nodes, IN lists and vertices have their own caps.
 *
 * Choices worth knowing:
 *   - strings escape a quote by doubling it (''); a backslash is an
 *     ordinary character here (LIKE gives it meaning later);
 *   - numbers are [+-]digits[.digits][e[+-]digits] (or .digits); hex,
 *     NaN and infinity are refused; strtod reads them, so the process must
 *     keep the C locale for LC_NUMERIC (Vaikuta never calls setlocale);
 *   - WKT is read by gis/wkt.c from this parser's tokens (so its errors
 *     carry filter positions): coordinates are 2D ("POINT Z", "POINT M",
 *     or a third number are refused with a message); polygon rings must
 *     be closed and have at least four positions; EMPTY and
 *     GEOMETRYCOLLECTION are refused;
 *   - BBOX must not cross the antimeridian (x1 <= x2, y1 <= y2);
 *   - cql2_expr.position is the 1-based character (code point) number of
 *     the property in the filter, the same number error messages show.
 */
#include "features/cql2.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "gis/wkt.h"

/* WKB of one filter's geometry: far more than CQL2_MAX_VERTICES needs. */
#define WKB_MAX (1u << 20)

typedef enum {
    T_EOF, T_IDENT, T_QIDENT, T_STRING, T_NUMBER,
    T_LPAREN, T_RPAREN, T_COMMA,
    T_EQ, T_NE, T_LT, T_GT, T_LE, T_GE,
} tok_kind;

typedef struct {
    tok_kind kind;
    size_t start, end; /* byte offsets into the text */
} tok;

typedef struct {
    const char *s;
    size_t len;
    vk_arena *arena;
    vk_errinfo *ei;
    int depth;
    int nodes;
    int vertices;
    tok cur;
} parser;

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */

/* The 1-based character number of byte offset pos. */
static size_t char_number(const parser *p, size_t pos)
{
    size_t n = 1;
    for (size_t i = 0; i < pos && i < p->len; i++)
        if (((unsigned char)p->s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static vk_err fail_at(parser *p, size_t pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static vk_err fail_at(parser *p, size_t pos, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return vk_fail(p->ei, VK_EPARAM, "filter", "filter: at character %zu: %s", char_number(p, pos),
                   msg);
}

static vk_err fail_nomem(parser *p)
{
    return vk_fail(p->ei, VK_ENOMEM, "filter", "filter: out of memory while reading the filter");
}

/* A short description of a token for "but found …". */
static void describe(const parser *p, const tok *t, char out[64])
{
    char sn[48];
    switch (t->kind) {
    case T_EOF:
        snprintf(out, 64, "the end of the filter");
        return;
    case T_STRING:
        snprintf(out, 64, "a text value");
        return;
    default:
        vk_utf8_snip(p->s + t->start, t->end - t->start, sn);
        snprintf(out, 64, "'%s'", sn);
        return;
    }
}

/* ---------------------------------------------------------------------- */
/* Lexer                                                                   */

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_ident_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}
static int is_ident_part(int c) { return is_ident_start(c) || is_digit(c) || c == '.' || c == ':'; }

static int at(const parser *p, size_t i) { return i < p->len ? (unsigned char)p->s[i] : -1; }

/* Lex one token at byte offset pos into *t. */
static vk_err lex(parser *p, size_t pos, tok *t)
{
    while (pos < p->len &&
           (p->s[pos] == ' ' || p->s[pos] == '\t' || p->s[pos] == '\n' || p->s[pos] == '\r'))
        pos++;
    t->start = pos;
    if (pos >= p->len) {
        t->kind = T_EOF;
        t->end = pos;
        return VK_OK;
    }
    int c = at(p, pos);
    size_t i = pos + 1;
    switch (c) {
    case '(': t->kind = T_LPAREN; break;
    case ')': t->kind = T_RPAREN; break;
    case ',': t->kind = T_COMMA; break;
    case '=': t->kind = T_EQ; break;
    case '<':
    case '>': /* < <= <> > >= */
        if (at(p, i) == '=')
            t->kind = c == '<' ? T_LE : T_GE;
        else if (c == '<' && at(p, i) == '>')
            t->kind = T_NE;
        else
            t->kind = c == '<' ? T_LT : T_GT;
        if (t->kind != T_LT && t->kind != T_GT)
            i++;
        break;
    case '!':
        if (at(p, i) == '=')
            return fail_at(p, pos, "'!=' is not CQL2; write <> for 'not equal'");
        return fail_at(p, pos, "unexpected character '!'");
    case '\'':
    case '"':
        for (;;) {
            if (i >= p->len)
                return fail_at(p, pos, c == '\'' ? "the text starting here has no closing quote (')"
                                                 : "the name starting here has no closing quote (\")");
            if (p->s[i] == '\0')
                return fail_at(p, i, "a NUL character is not allowed in a filter");
            if (at(p, i) == c) {
                if (at(p, i + 1) == c) {
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            i++;
        }
        t->kind = c == '\'' ? T_STRING : T_QIDENT;
        if (c == '"' && i - pos == 2)
            return fail_at(p, pos, "an empty property name (\"\") is not allowed");
        break;
    default:
        if (is_digit(c) || c == '.' || c == '+' || c == '-') {
            i = pos;
            if (c == '+' || c == '-')
                i++;
            int before = 0, after = 0;
            while (is_digit(at(p, i))) {
                i++;
                before++;
            }
            if (at(p, i) == '.') {
                i++;
                while (is_digit(at(p, i))) {
                    i++;
                    after++;
                }
            }
            if (before + after == 0)
                return fail_at(p, pos, "unexpected character '%c'", c);
            if (at(p, i) == 'e' || at(p, i) == 'E') {
                i++;
                if (at(p, i) == '+' || at(p, i) == '-')
                    i++;
                if (!is_digit(at(p, i)))
                    return fail_at(p, pos, "invalid number: an exponent needs digits");
                while (is_digit(at(p, i)))
                    i++;
            }
            if (i < p->len && (is_ident_part(at(p, i)) || at(p, i) == '.' || at(p, i) == '\'' ||
                               at(p, i) == '"')) {
                char sn[48];
                size_t e = i;
                while (e < p->len && (is_ident_part(at(p, e)) || at(p, e) == '.'))
                    e++;
                vk_utf8_snip(p->s + pos, (e > i ? e : i + 1) - pos, sn);
                return fail_at(p, pos,
                               "invalid number '%s' (numbers are written like 12, -3.5 or 1e3)", sn);
            }
            t->kind = T_NUMBER;
        } else if (is_ident_start(c)) {
            while (is_ident_part(at(p, i)))
                i++;
            t->kind = T_IDENT;
        } else {
            if (c == 0)
                return fail_at(p, pos, "a NUL character is not allowed in a filter");
            if (c < 0x20 || c == 0x7F)
                return fail_at(p, pos, "unexpected control character (code %d)", c);
            return fail_at(p, pos, "unexpected character '%c'", c);
        }
    }
    t->end = i;
    return VK_OK;
}

static vk_err advance(parser *p) { return lex(p, p->cur.end, &p->cur); }

/* The token after the current one, without consuming anything. */
static vk_err peek2(parser *p, tok *t) { return lex(p, p->cur.end, t); }

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Is t the keyword w (given in upper case), ignoring ASCII case? */
static int kw(const parser *p, const tok *t, const char *w)
{
    if (t->kind != T_IDENT)
        return 0;
    size_t n = strlen(w);
    if (t->end - t->start != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)p->s[t->start + i]) != lower((unsigned char)w[i]))
            return 0;
    return 1;
}

static const char *const reserved[] = {"AND", "OR", "NOT", "LIKE", "IN", "BETWEEN",
                                       "IS", "NULL", "TRUE", "FALSE"};

static int is_reserved(const parser *p, const tok *t)
{
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (kw(p, t, reserved[i]))
            return 1;
    return 0;
}

static vk_err expect(parser *p, tok_kind k, const char *what)
{
    if (p->cur.kind != k) {
        char d[64];
        describe(p, &p->cur, d);
        return fail_at(p, p->cur.start, "%s but found %s", what, d);
    }
    return advance(p);
}

/* ---------------------------------------------------------------------- */
/* Tree building                                                           */

static vk_err new_node(parser *p, cql2_kind kind, size_t pos, cql2_expr **out)
{
    if (++p->nodes > CQL2_MAX_NODES)
        return fail_at(p, pos, "the filter has too many conditions (at most %d parts)",
                       CQL2_MAX_NODES);
    cql2_expr *e = vk_arena_alloc(p->arena, sizeof *e);
    if (!e)
        return fail_nomem(p);
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->position = (int)char_number(p, pos);
    *out = e;
    return VK_OK;
}

static vk_err enter(parser *p, size_t pos)
{
    if (++p->depth > CQL2_MAX_DEPTH)
        return fail_at(p, pos,
                       "the filter is nested too deeply (at most %d levels of parentheses and NOT)",
                       CQL2_MAX_DEPTH);
    return VK_OK;
}

/* A chain "a AND b AND c …" built as a balanced tree: a binary counter of
 * complete subtrees whose sizes strictly decrease from bottom to top, so
 * the stack never holds more than log2(CQL2_MAX_NODES) + 1 entries. AND
 * and OR are associative (also in SQL's three-valued logic), so the shape
 * does not change the meaning. */
typedef struct {
    struct {
        cql2_expr *e;
        int rank;
    } st[16];
    int n;
    cql2_kind kind;
} chain;

static vk_err chain_join(parser *p, chain *c, size_t pos)
{
    cql2_expr *j;
    vk_err rc = new_node(p, c->kind, pos, &j);
    if (rc)
        return rc;
    j->left = c->st[c->n - 2].e;
    j->right = c->st[c->n - 1].e;
    j->position = j->left->position;
    c->st[c->n - 2].e = j;
    c->st[c->n - 2].rank++;
    c->n--;
    return VK_OK;
}

static vk_err chain_push(parser *p, chain *c, cql2_expr *e, size_t pos)
{
    if (c->n >= (int)(sizeof c->st / sizeof c->st[0]))
        return fail_at(p, pos, "the filter has too many conditions");
    c->st[c->n].e = e;
    c->st[c->n].rank = 0;
    c->n++;
    while (c->n >= 2 && c->st[c->n - 1].rank == c->st[c->n - 2].rank) {
        vk_err rc = chain_join(p, c, pos);
        if (rc)
            return rc;
    }
    return VK_OK;
}

static vk_err chain_finish(parser *p, chain *c, size_t pos, cql2_expr **out)
{
    while (c->n >= 2) {
        vk_err rc = chain_join(p, c, pos);
        if (rc)
            return rc;
    }
    *out = c->st[0].e;
    return VK_OK;
}

/* ---------------------------------------------------------------------- */
/* Literals                                                                */

/* The text of a quoted token without its quotes, the doubled quote
 * collapsed. The input was checked as UTF-8 and we only cut at ASCII
 * quotes, so the result is valid UTF-8. */
static vk_err unquote(parser *p, const tok *t, const char **out)
{
    char q = p->s[t->start];
    size_t n = t->end - t->start - 2;
    char *r = vk_arena_alloc(p->arena, n + 1);
    if (!r)
        return fail_nomem(p);
    size_t k = 0;
    for (size_t i = t->start + 1; i < t->end - 1; i++) {
        r[k++] = p->s[i];
        if (p->s[i] == q)
            i++; /* the second of a doubled quote */
    }
    r[k] = '\0';
    *out = r;
    return VK_OK;
}

static vk_err number_value(parser *p, const tok *t, double *out)
{
    char *copy = vk_arena_strndup(p->arena, p->s + t->start, t->end - t->start);
    if (!copy)
        return fail_nomem(p);
    char *end;
    double d = strtod(copy, &end);
    if (end != copy + (t->end - t->start))
        return fail_at(p, t->start, "invalid number");
    if (!isfinite(d))
        return fail_at(p, t->start, "the number is too large");
    *out = d;
    return VK_OK;
}

static int valid_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !is_digit((unsigned char)s[i]))
            return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* TIMESTAMP('…') or DATE('…'); the current token is the keyword and the
 * next one is "(". */
static vk_err parse_temporal(parser *p, cql2_literal *lit, int is_date)
{
    const char *name = is_date ? "DATE" : "TIMESTAMP";
    vk_err rc = advance(p);
    if (!rc)
        rc = advance(p); /* the "(" */
    if (rc)
        return rc;
    if (p->cur.kind != T_STRING) {
        char d[64];
        describe(p, &p->cur, d);
        return fail_at(p, p->cur.start, "expected a quoted %s inside %s(…) but found %s",
                       is_date ? "date like '2025-05-31'" : "date-time like '2025-05-31T12:00:00Z'",
                       name, d);
    }
    tok st = p->cur;
    const char *text;
    if ((rc = unquote(p, &st, &text)))
        return rc;
    if (is_date) {
        if (!valid_date(text)) {
            char sn[48];
            vk_utf8_snip(text, strlen(text), sn);
            return fail_at(p, st.start, "'%s' is not a date; write DATE('YYYY-MM-DD')", sn);
        }
        lit->kind = CQL2_LIT_DATE;
        lit->text = text;
    } else {
        char norm[VK_RFC3339_LEN];
        if (vk_rfc3339_normalise(text, norm) != 0 || strlen(norm) != 20) {
            char sn[48];
            vk_utf8_snip(text, strlen(text), sn);
            return fail_at(p, st.start,
                           "'%s' is not an RFC 3339 date-time; write TIMESTAMP('2025-05-31T12:00:00Z')",
                           sn);
        }
        lit->kind = CQL2_LIT_TIMESTAMP;
        if (!(lit->text = vk_arena_strdup(p->arena, norm)))
            return fail_nomem(p);
    }
    if ((rc = advance(p)))
        return rc;
    char what[48];
    snprintf(what, sizeof what, "expected ')' to close %s(", name);
    return expect(p, T_RPAREN, what);
}

static const char *const geometry_words[] = {"POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
                                             "MULTILINESTRING", "MULTIPOLYGON", "BBOX",
                                             "GEOMETRYCOLLECTION"};

static int is_geometry_word(const parser *p, const tok *t)
{
    for (size_t i = 0; i < sizeof geometry_words / sizeof geometry_words[0]; i++)
        if (kw(p, t, geometry_words[i]))
            return 1;
    return 0;
}

/* A value after `after` (an operator or keyword, for the message). */
static vk_err parse_scalar(parser *p, cql2_literal *lit, const char *after)
{
    memset(lit, 0, sizeof *lit);
    tok t = p->cur;
    char d[64];
    vk_err rc;
    switch (t.kind) {
    case T_STRING:
        lit->kind = CQL2_LIT_STRING;
        if ((rc = unquote(p, &t, &lit->text)))
            return rc;
        return advance(p);
    case T_NUMBER:
        lit->kind = CQL2_LIT_NUMBER;
        if ((rc = number_value(p, &t, &lit->number)))
            return rc;
        return advance(p);
    case T_IDENT: {
        if (kw(p, &t, "TRUE") || kw(p, &t, "FALSE")) {
            lit->kind = CQL2_LIT_BOOL;
            lit->boolean = kw(p, &t, "TRUE");
            return advance(p);
        }
        if (kw(p, &t, "NULL"))
            return fail_at(p, t.start, "NULL is not a value to compare with; write 'property IS NULL'");
        tok nx;
        if ((rc = peek2(p, &nx)))
            return rc;
        if (nx.kind == T_LPAREN) {
            if (kw(p, &t, "TIMESTAMP"))
                return parse_temporal(p, lit, 0);
            if (kw(p, &t, "DATE"))
                return parse_temporal(p, lit, 1);
            if (is_geometry_word(p, &t))
                return fail_at(p, t.start,
                               "a geometry can only be used in S_INTERSECTS(property, geometry)");
            describe(p, &t, d);
            return fail_at(p, t.start, "the function %s is not supported here", d);
        }
        if (is_reserved(p, &t)) {
            describe(p, &t, d);
            return fail_at(p, t.start, "expected a value after %s but found %s", after, d);
        }
        describe(p, &t, d);
        return fail_at(p, t.start,
                       "expected a value after %s but found the name %s; comparing two properties "
                       "is not supported (quote text values with single quotes)",
                       after, d);
    }
    case T_QIDENT:
        return fail_at(p, t.start,
                       "expected a value after %s but found a \"quoted\" property name; text "
                       "values take single quotes",
                       after);
    case T_EOF:
        return fail_at(p, t.start, "expected a value after %s but the filter ended", after);
    default:
        return fail_at(p, t.start, "expected a value after %s", after);
    }
}

/* ---------------------------------------------------------------------- */
/* Geometry: WKT through gis/wkt.c, plus CQL2's BBOX                       */

/* The CQL2 lexer as the WKT reader sees it: the reader's pointer is the
 * address of lx, so the callbacks find their parser beside it. */
typedef struct {
    gis_wkt_lexer lx;
    parser *p;
} wkt_lexer;

static void wkt_sync(wkt_lexer *w)
{
    const tok *t = &w->p->cur;
    gis_wkt_kind k;
    switch (t->kind) {
    case T_EOF: k = GIS_WKT_END; break;
    case T_IDENT: k = GIS_WKT_WORD; break;
    case T_NUMBER: k = GIS_WKT_NUMBER; break;
    case T_LPAREN: k = GIS_WKT_LPAREN; break;
    case T_RPAREN: k = GIS_WKT_RPAREN; break;
    case T_COMMA: k = GIS_WKT_COMMA; break;
    default: k = GIS_WKT_OTHER; break;
    }
    w->lx.cur = (gis_wkt_tok){k, w->p->s + t->start, t->end - t->start, t->start};
}

static vk_err wkt_next(gis_wkt_lexer *lx)
{
    wkt_lexer *w = (wkt_lexer *)lx;
    vk_err rc = advance(w->p);
    if (!rc)
        wkt_sync(w);
    return rc;
}

static vk_err wkt_number(gis_wkt_lexer *lx, double *out)
{
    wkt_lexer *w = (wkt_lexer *)lx;
    return number_value(w->p, &w->p->cur, out);
}

static vk_err wkt_fail(gis_wkt_lexer *lx, size_t pos, const char *msg, int found)
{
    parser *p = ((wkt_lexer *)lx)->p;
    if (!found)
        return fail_at(p, pos, "%s", msg);
    char d[64];
    describe(p, &p->cur, d);
    return fail_at(p, pos, "%s but found %s", msg, d);
}

static vk_err bbox_number(parser *p, double *v)
{
    if (p->cur.kind != T_NUMBER) {
        char d[64];
        describe(p, &p->cur, d);
        return fail_at(p, p->cur.start, "expected a coordinate (a number) but found %s", d);
    }
    vk_err rc = number_value(p, &p->cur, v);
    return rc ? rc : advance(p);
}

/* BBOX(x1, y1, x2, y2) as the polygon of its corners; the current token
 * is BBOX. */
static vk_err parse_bbox(parser *p, vk_buf *b)
{
    size_t pos = p->cur.start;
    double v[4];
    vk_err rc;
    if ((rc = advance(p)) || (rc = expect(p, T_LPAREN, "expected '(' after BBOX")))
        return rc;
    for (int i = 0; i < 4; i++) {
        if (i && (rc = expect(p, T_COMMA, "expected ',' between the four numbers of BBOX")))
            return rc;
        if ((rc = bbox_number(p, &v[i])))
            return rc;
    }
    if (p->cur.kind == T_COMMA)
        return fail_at(p, p->cur.start,
                       "BBOX takes four numbers (x1, y1, x2, y2); 3D boxes are not supported");
    if ((rc = expect(p, T_RPAREN, "expected ')' after the four numbers of BBOX")))
        return rc;
    if (v[0] > v[2] || v[1] > v[3])
        return fail_at(p, pos,
                       "BBOX(x1, y1, x2, y2) needs x1 <= x2 and y1 <= y2 (boxes across the "
                       "antimeridian are not supported)");
    if ((p->vertices += 5) > CQL2_MAX_VERTICES)
        return fail_at(p, pos, "the geometry has too many vertices (at most %d)", CQL2_MAX_VERTICES);
    gis_wkb_put_box(b, v);
    return VK_OK;
}

/* The current token names a geometry; write its WKB into b. */
static vk_err read_geometry(parser *p, vk_buf *b)
{
    wkt_lexer w = {.lx = {.next = wkt_next, .number = wkt_number, .fail = wkt_fail}, .p = p};
    wkt_sync(&w);
    vk_err rc = gis_wkt_read(&w.lx, &p->vertices, CQL2_MAX_VERTICES, b);
    if (rc != VK_ENOT_FOUND)
        return rc;
    if (kw(p, &p->cur, "BBOX"))
        return parse_bbox(p, b);
    char d[64];
    describe(p, &p->cur, d);
    return fail_at(p, p->cur.start,
                   "expected a geometry such as POLYGON((…)), POINT(x y) or BBOX(x1, y1, x2, y2) "
                   "but found %s",
                   d);
}

static vk_err parse_geometry(parser *p, cql2_literal *lit)
{
    vk_buf b;
    vk_buf_init(&b, WKB_MAX);
    vk_err rc = read_geometry(p, &b);
    if (!rc && !vk_buf_ok(&b))
        rc = fail_nomem(p);
    if (!rc) {
        unsigned char *w = vk_arena_alloc(p->arena, b.len);
        if (!w) {
            rc = fail_nomem(p);
        } else {
            memcpy(w, b.data, b.len);
            memset(lit, 0, sizeof *lit);
            lit->kind = CQL2_LIT_GEOMETRY;
            lit->wkb = w;
            lit->wkb_len = b.len;
        }
    }
    vk_buf_fini(&b);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Conditions                                                              */

static vk_err parse_or(parser *p, cql2_expr **out);

static vk_err parse_property(parser *p, const char **name, size_t *pos)
{
    tok t = p->cur;
    *pos = t.start;
    vk_err rc;
    if (t.kind == T_QIDENT) {
        if ((rc = unquote(p, &t, name)))
            return rc;
    } else {
        if (!(*name = vk_arena_strndup(p->arena, p->s + t.start, t.end - t.start)))
            return fail_nomem(p);
    }
    return advance(p);
}

static vk_err parse_in_list(parser *p, cql2_expr *e)
{
    vk_err rc = expect(p, T_LPAREN, "expected '(' after IN");
    if (rc)
        return rc;
    int cap = 8, n = 0;
    cql2_literal *v = vk_arena_alloc(p->arena, (size_t)cap * sizeof *v);
    if (!v)
        return fail_nomem(p);
    for (;;) {
        if (n == CQL2_MAX_LIST)
            return fail_at(p, p->cur.start, "an IN list can hold at most %d values", CQL2_MAX_LIST);
        if (n == cap) {
            cql2_literal *w = vk_arena_alloc(p->arena, (size_t)cap * 2 * sizeof *w);
            if (!w)
                return fail_nomem(p);
            memcpy(w, v, (size_t)n * sizeof *v);
            v = w;
            cap *= 2;
        }
        if ((rc = parse_scalar(p, &v[n], n ? "',' in the IN list" : "IN (")))
            return rc;
        n++;
        if (p->cur.kind != T_COMMA)
            break;
        if ((rc = advance(p)))
            return rc;
    }
    e->values = v;
    e->nvalues = n;
    return expect(p, T_RPAREN, "expected ',' or ')' in the IN list");
}

static vk_err parse_predicate(parser *p, cql2_expr **out)
{
    const char *name;
    size_t pos;
    vk_err rc = parse_property(p, &name, &pos);
    if (rc)
        return rc;
    cql2_expr *e;
    tok t = p->cur;
    static const struct {
        tok_kind k;
        cql2_op op;
        const char *text;
    } ops[] = {{T_EQ, CQL2_EQ, "'='"}, {T_NE, CQL2_NE, "'<>'"}, {T_LT, CQL2_LT, "'<'"},
               {T_GT, CQL2_GT, "'>'"}, {T_LE, CQL2_LE, "'<='"}, {T_GE, CQL2_GE, "'>='"}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (t.kind != ops[i].k)
            continue;
        if ((rc = new_node(p, CQL2_CMP, pos, &e)) || (rc = advance(p)))
            return rc;
        e->op = ops[i].op;
        e->property = name;
        if (!(e->values = vk_arena_alloc(p->arena, sizeof *e->values)))
            return fail_nomem(p);
        e->nvalues = 1;
        if ((rc = parse_scalar(p, e->values, ops[i].text)))
            return rc;
        *out = e;
        return VK_OK;
    }
    int negated = 0;
    if (kw(p, &t, "NOT")) {
        negated = 1;
        if ((rc = advance(p)))
            return rc;
        t = p->cur;
        if (!kw(p, &t, "LIKE") && !kw(p, &t, "IN") && !kw(p, &t, "BETWEEN")) {
            char d[64];
            describe(p, &t, d);
            return fail_at(p, t.start, "expected LIKE, IN or BETWEEN after NOT but found %s", d);
        }
    }
    if (kw(p, &t, "LIKE")) {
        if ((rc = new_node(p, CQL2_LIKE, pos, &e)) || (rc = advance(p)))
            return rc;
        if (p->cur.kind != T_STRING) {
            char d[64];
            describe(p, &p->cur, d);
            return fail_at(p, p->cur.start,
                           "expected a pattern in single quotes after LIKE but found %s", d);
        }
        if (!(e->values = vk_arena_alloc(p->arena, sizeof *e->values)))
            return fail_nomem(p);
        if ((rc = parse_scalar(p, e->values, "LIKE")))
            return rc;
        e->nvalues = 1;
    } else if (kw(p, &t, "IN")) {
        if ((rc = new_node(p, CQL2_IN, pos, &e)) || (rc = advance(p)) ||
            (rc = parse_in_list(p, e)))
            return rc;
    } else if (kw(p, &t, "BETWEEN")) {
        if ((rc = new_node(p, CQL2_BETWEEN, pos, &e)) || (rc = advance(p)))
            return rc;
        if (!(e->values = vk_arena_alloc(p->arena, 2 * sizeof *e->values)))
            return fail_nomem(p);
        e->nvalues = 2;
        if ((rc = parse_scalar(p, &e->values[0], "BETWEEN")))
            return rc;
        if (!kw(p, &p->cur, "AND")) {
            char d[64];
            describe(p, &p->cur, d);
            return fail_at(p, p->cur.start,
                           "expected AND between the two values of BETWEEN but found %s", d);
        }
        if ((rc = advance(p)) || (rc = parse_scalar(p, &e->values[1], "BETWEEN … AND")))
            return rc;
    } else if (kw(p, &t, "IS")) {
        if ((rc = new_node(p, CQL2_ISNULL, pos, &e)) || (rc = advance(p)))
            return rc;
        if (kw(p, &p->cur, "NOT")) {
            negated = 1;
            if ((rc = advance(p)))
                return rc;
        }
        if (!kw(p, &p->cur, "NULL")) {
            char d[64];
            describe(p, &p->cur, d);
            return fail_at(p, p->cur.start, "expected NULL after IS%s but found %s",
                           negated ? " NOT" : "", d);
        }
        if ((rc = advance(p)))
            return rc;
    } else {
        char d[64], sn[48];
        describe(p, &t, d);
        vk_utf8_snip(name, strlen(name), sn);
        if (t.kind == T_EOF)
            return fail_at(p, t.start,
                           "expected an operator (=, <>, <, >, <=, >=, LIKE, IN, BETWEEN or IS) "
                           "after the property '%s' but the filter ended",
                           sn);
        return fail_at(p, t.start,
                       "expected an operator (=, <>, <, >, <=, >=, LIKE, IN, BETWEEN or IS) after "
                       "the property '%s' but found %s",
                       sn, d);
    }
    e->negated = negated;
    e->property = name;
    *out = e;
    return VK_OK;
}

/* S_INTERSECTS(property, geometry); the current token is S_INTERSECTS. */
static vk_err parse_spatial(parser *p, cql2_expr **out)
{
    size_t fpos = p->cur.start;
    vk_err rc;
    if ((rc = advance(p)) || (rc = advance(p))) /* the name and "(" */
        return rc;
    tok t = p->cur;
    if (t.kind == T_IDENT) {
        tok nx;
        if ((rc = peek2(p, &nx)))
            return rc;
        if (nx.kind == T_LPAREN && is_geometry_word(p, &t))
            return fail_at(p, t.start,
                           "S_INTERSECTS takes the property first, then the geometry: "
                           "S_INTERSECTS(geometry, POLYGON((…)))");
        if (is_reserved(p, &t)) {
            char d[64];
            describe(p, &t, d);
            return fail_at(p, t.start, "expected a property name in S_INTERSECTS but found %s", d);
        }
    } else if (t.kind != T_QIDENT) {
        char d[64];
        describe(p, &t, d);
        return fail_at(p, t.start, "expected a property name in S_INTERSECTS but found %s", d);
    }
    cql2_expr *e;
    if ((rc = new_node(p, CQL2_INTERSECTS, t.start, &e)) ||
        (rc = parse_property(p, &e->property, &fpos)) ||
        (rc = expect(p, T_COMMA, "expected ',' after the property in S_INTERSECTS")))
        return rc;
    if (!(e->values = vk_arena_alloc(p->arena, sizeof *e->values)))
        return fail_nomem(p);
    e->nvalues = 1;
    if (p->cur.kind == T_IDENT) {
        tok nx;
        if ((rc = peek2(p, &nx)))
            return rc;
        if (nx.kind != T_LPAREN && !is_geometry_word(p, &p->cur))
            return fail_at(p, p->cur.start,
                           "the second argument of S_INTERSECTS must be a geometry such as "
                           "POLYGON((…)) or BBOX(x1, y1, x2, y2), not a property");
    }
    if ((rc = parse_geometry(p, e->values)))
        return rc;
    if ((rc = expect(p, T_RPAREN, "expected ')' to close S_INTERSECTS(")))
        return rc;
    *out = e;
    return VK_OK;
}

static vk_err literal_first(parser *p, size_t pos)
{
    return fail_at(p, pos,
                   "a condition must start with a property name: write property = value, not "
                   "value = property");
}

static vk_err parse_primary(parser *p, cql2_expr **out)
{
    tok t = p->cur;
    char d[64];
    vk_err rc;
    switch (t.kind) {
    case T_LPAREN:
        if ((rc = enter(p, t.start)) || (rc = advance(p)) || (rc = parse_or(p, out)))
            return rc;
        if (p->cur.kind != T_RPAREN) {
            describe(p, &p->cur, d);
            return fail_at(p, p->cur.start,
                           "expected ')' to close the '(' at character %zu but found %s",
                           char_number(p, t.start), d);
        }
        p->depth--;
        return advance(p);
    case T_IDENT: {
        tok nx;
        if ((rc = peek2(p, &nx)))
            return rc;
        if (nx.kind == T_LPAREN) {
            if (kw(p, &t, "S_INTERSECTS"))
                return parse_spatial(p, out);
            if (kw(p, &t, "DATE") || kw(p, &t, "TIMESTAMP") || is_geometry_word(p, &t))
                return literal_first(p, t.start);
            describe(p, &t, d);
            return fail_at(p, t.start,
                           "the function %s is not supported; the only function is S_INTERSECTS", d);
        }
        if (kw(p, &t, "TRUE") || kw(p, &t, "FALSE") || kw(p, &t, "NULL"))
            return literal_first(p, t.start);
        if (is_reserved(p, &t)) {
            describe(p, &t, d);
            return fail_at(p, t.start,
                           "expected a condition but found the keyword %s (a property with that "
                           "name must be written in double quotes)",
                           d);
        }
        return parse_predicate(p, out);
    }
    case T_QIDENT:
        return parse_predicate(p, out);
    case T_STRING:
    case T_NUMBER:
        return literal_first(p, t.start);
    case T_EOF:
        return fail_at(p, t.start, "expected a condition but the filter ended");
    default:
        describe(p, &t, d);
        return fail_at(p, t.start, "expected a condition but found %s", d);
    }
}

static vk_err parse_not(parser *p, cql2_expr **out)
{
    if (!kw(p, &p->cur, "NOT"))
        return parse_primary(p, out);
    size_t pos = p->cur.start;
    cql2_expr *e, *child;
    vk_err rc;
    if ((rc = enter(p, pos)) || (rc = advance(p)) || (rc = parse_not(p, &child)) ||
        (rc = new_node(p, CQL2_NOT, pos, &e)))
        return rc;
    p->depth--;
    e->left = child;
    *out = e;
    return VK_OK;
}

/* sub { word sub }: the AND chain of NOTs, the OR chain of ANDs. */
static vk_err parse_chain(parser *p, cql2_kind kind, const char *word,
                          vk_err (*sub)(parser *, cql2_expr **), cql2_expr **out)
{
    chain c = {.n = 0, .kind = kind};
    cql2_expr *e;
    size_t pos = p->cur.start;
    vk_err rc = sub(p, &e);
    if (rc || (rc = chain_push(p, &c, e, pos)))
        return rc;
    while (kw(p, &p->cur, word)) {
        pos = p->cur.start;
        if ((rc = advance(p)) || (rc = sub(p, &e)) || (rc = chain_push(p, &c, e, pos)))
            return rc;
    }
    return chain_finish(p, &c, pos, out);
}

static vk_err parse_and(parser *p, cql2_expr **out)
{
    return parse_chain(p, CQL2_AND, "AND", parse_not, out);
}

static vk_err parse_or(parser *p, cql2_expr **out)
{
    return parse_chain(p, CQL2_OR, "OR", parse_and, out);
}

vk_err cql2_parse(const char *text, size_t len, vk_arena *arena, cql2_expr **out, vk_errinfo *ei)
{
    *out = NULL;
    if (len > CQL2_MAX_TEXT)
        return vk_fail(ei, VK_EPARAM, "filter", "filter: the filter is too long (at most %d bytes)",
                       CQL2_MAX_TEXT);
    if (len && !text)
        return vk_fail(ei, VK_EINTERNAL, "filter", NULL);
    if (!vk_utf8_valid(text ? text : "", len, NULL))
        return vk_fail(ei, VK_EPARAM, "filter", "filter: the filter is not valid UTF-8");
    parser p = {.s = text ? text : "", .len = len, .arena = arena, .ei = ei};
    vk_err rc = lex(&p, 0, &p.cur);
    if (rc)
        return rc;
    if (p.cur.kind == T_EOF)
        return fail_at(&p, 0, "the filter is empty");
    cql2_expr *e;
    if ((rc = parse_or(&p, &e)))
        return rc;
    if (p.cur.kind != T_EOF) {
        char d[64];
        describe(&p, &p.cur, d);
        if (p.cur.kind == T_RPAREN)
            return fail_at(&p, p.cur.start, "unexpected ')' without a matching '('");
        return fail_at(&p, p.cur.start,
                       "unexpected %s after a complete condition; join conditions with AND or OR",
                       d);
    }
    *out = e;
    return VK_OK;
}
