/*
 * cql2_sql.c — a CQL2 expression tree compiled to an SQLite/SpatiaLite
 * condition.
 *
 * The SQL text holds only the queryables' own `sql` expressions, fixed
 * keywords and ?N placeholders; every value the user wrote travels as a
 * bound parameter, so no filter can change the shape of the statement.
 * Placeholders are numbered in the order they appear in the SQL text.
 *
 * Two passes. The first checks every property and literal (in the order
 * of the filter text, so the first mistake is the one reported) and turns
 * the tree into negation normal form with flat AND/OR lists; the second
 * writes the SQL. The output, by example:
 *
 *   a = 1                   (f.a = ?1)          every condition in ( )
 *   a AND b AND c           ((…) AND (…) AND (…))
 *   a OR b AND c            ((…) AND (…) OR (…))   AND binds tighter than
 *                                                  OR, so no ( ) needed
 *   (a OR b) AND c          (((…) OR (…)) AND (…))
 *   (a OR b) AND c AND d    (((…) OR (…)) AND ((…) AND (…)))
 *   NOT a = 1               (f.a <> ?1)         NOT is pushed down to the
 *   NOT (a = 1 AND b < 2)   ((f.a <> ?1) OR (f.b >= ?2))   conditions
 *   p LIKE 'x%'             (f.p GLOB ?1)       NOT LIKE → NOT GLOB
 *   p IN (1, 2)             (f.p IN (?1, ?2))   NOT IN
 *   p BETWEEN 1 AND 2       (f.p BETWEEN ?1 AND ?2)   NOT BETWEEN
 *   p IS NULL               (f.p IS NULL)       IS NOT NULL
 *   t = DATE('2025-05-31')  (substr(f.t, 1, 10) = ?1)
 *   S_INTERSECTS(g, …)      (MbrIntersects(f.g, GeomFromWKB(?1, 4326)) = 1
 *                            AND Intersects(f.g, GeomFromWKB(?1, 4326)) = 1)
 *   NOT S_INTERSECTS(g, …)  (MbrIntersects(…) = 0 OR Intersects(…) = 0)
 *
 * Why the rewriting: SQLite limits two depths. Its parser (3.40) has a
 * fixed stack of 100 entries and fails with "parser stack overflow" on
 * deeper SQL; every open "(" costs one entry and every unfinished "x AND"
 * two. And an expression tree may be at most 1000 deep, while "a OR b OR
 * c …" is a tree as deep as the list is long. A filter nested 64 levels
 * deep, or a list of 1000 values, written naïvely, breaks one or the
 * other. So: NOTs vanish into the conditions; lists of one operator are
 * written flat, in chunks of at most 32 (a list of 1000 becomes 32
 * parenthesised chunks); only an OR inside an AND gets parentheses; and
 * when a list holds a nested operand, the most deeply nested one is
 * written first (before anything is pending on the parser stack) and the
 * rest after it in parentheses (so it is not buried under the list). The
 * compiler computes both depths of what it writes and refuses a filter
 * needing more than SQL_STACK_BUDGET (80) parser entries, which leaves
 * room for the statement around it: the condition may sit inside one
 * subquery (measured in tests/unit/test_cql2.c and checked by the fuzzer
 * for every filter it accepts). The parser-stack count is exact or an
 * overestimate; the expression depth is an estimate (SQLite's optimizer
 * adds a few levels: at most 12 over 2600 random filters), which is why
 * its budget, SQL_HEIGHT_BUDGET (500), is half SQLite's limit. Filters
 * from cql2_parse stay far below it (about 200 at the deepest); it guards
 * trees built by hand. A 64-level filter like "a AND (b OR c AND (d OR
 * …))" needs 78 entries and is accepted; several of them side by side
 * are not.
 *
 * Semantics worth knowing:
 *   - NULL follows SQL's three-valued logic: a comparison with a missing
 *     value is unknown, NOT unknown is unknown, and a row is returned only
 *     when the whole filter is true. So "NOT status = 'x'" leaves out rows
 *     without a status, as "status <> 'x'" does. The rewriting keeps this
 *     exactly (De Morgan holds in three-valued logic; NOT (a < b) is
 *     a >= b, SQLite ordering values of all types totally). SpatiaLite
 *     answers -1, not NULL, for a missing geometry; "= 1" and "= 0" both
 *     leave such rows out, so NOT S_INTERSECTS skips them too.
 *   - LIKE is case-sensitive as CQL2 requires. SQLite's LIKE folds ASCII
 *     case, so the pattern is rewritten for GLOB: % → *, _ → ?, \x → x
 *     taken literally, and GLOB's own * ? [ are bracketed ([*] [?] [[]).
 *   - DATETIME properties hold RFC 3339 UTC text "YYYY-MM-DDTHH:MM:SSZ",
 *     so a TIMESTAMP compares as text; a DATE compares with the first ten
 *     characters, i.e. the UTC day: "t = DATE('2025-05-31')" is the whole
 *     day. DATETIME takes only TIMESTAMP(…) and DATE(…), never a plain
 *     string, so "t > '2025'" is a type error rather than a surprise.
 *   - INTEGER properties take an integral number as an integer parameter
 *     and any other number as a double (SQLite compares them numerically).
 *     BOOLEAN properties hold 1/0, take TRUE/FALSE, and only = and <>.
 *   - A queryable's `sql` is pasted as is: make it a column or a function
 *     call on columns (each "(" in it is budgeted as a nested call), not a
 *     subquery.
 */
#include "features/cql2_sql.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Parser-stack entries the condition may need (see above). */
#ifndef SQL_STACK_BUDGET
#define SQL_STACK_BUDGET 80
#endif
/* Expression depth the condition may have (SQLite allows 1000). */
#ifndef SQL_HEIGHT_BUDGET
#define SQL_HEIGHT_BUDGET 500
#endif
/* Entries one condition needs at most: S_INTERSECTS, measured, is 12. */
#define LEAF_COST 12
/* Expression depth of one condition: S_INTERSECTS is 5. */
#define LEAF_HEIGHT 6
/* Operands written flat in one list before it is split into chunks. */
#define CHUNK 32
/* A LIKE pattern's cost: SQLite's GLOB backtracks, so matching '%' and a
 * long literal against a long text takes time in the product of their
 * lengths (a 4 000-character pattern over 4 000-character descriptions was
 * ~11 ms per row). Real searches are words; these caps keep one row under
 * a millisecond, and the query deadline bounds the rest. */
#define LIKE_MAX_CHARS 100
#define LIKE_MAX_WILDCARDS 8
/* The tree from cql2_parse is far shallower; this only guards hand-made
 * trees against unbounded recursion. */
#define COMPILE_MAX_DEPTH 512

enum { S_LEAF, S_AND, S_OR, S_ROOT };

/* A node of the normalised tree. */
typedef struct snode snode;
struct snode {
    int op;                   /* S_LEAF, S_AND, S_OR */
    int neg;                  /* leaf: the condition is negated */
    const cql2_expr *e;       /* leaf */
    const cql2_queryable *qq; /* leaf */
    const char *glob;         /* LIKE leaf: the GLOB pattern */
    snode **kids;             /* AND, OR: two or more, deepest first */
    int nkids;
    int split;                /* AND, OR: kids[0] op (kids[1..]) */
    int cost;                 /* parser-stack entries, without its own ( ) */
    int height;               /* depth of its SQL expression tree */
};

typedef struct {
    const cql2_queryable *q;
    size_t nq;
    int first;
    vk_buf *sql;
    cql2_params *params;
    vk_arena *arena;
    const char *qurl;
    vk_errinfo *ei;
} compiler;

/* ---------------------------------------------------------------------- */
/* Messages                                                                */


static vk_err fail_at(compiler *c, const cql2_expr *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static vk_err fail_at(compiler *c, const cql2_expr *e, const char *fmt, ...)
{
    char msg[440];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return vk_fail(c->ei, VK_EPARAM, "filter", "filter: at character %d: %s", e->position, msg);
}

static vk_err fail_internal(compiler *c, const char *what)
{
    return vk_fail(c->ei, VK_EINTERNAL, "filter", "filter: %s", what);
}

static vk_err fail_nomem(compiler *c)
{
    return vk_fail(c->ei, VK_ENOMEM, "filter", "filter: out of memory");
}

#define LIT(k) (1u << (k))

/* A queryable's type: the literals it is compared with (a geometry with
 * none: only S_INTERSECTS), and how messages name what it holds and what
 * it is compared with. */
static const struct {
    unsigned lits; /* LIT(kind) bits */
    const char *holds, *wants;
} qtype_words[] = {
    [CQL2_Q_STRING] = {LIT(CQL2_LIT_STRING), "text", "a text in single quotes"},
    [CQL2_Q_NUMBER] = {LIT(CQL2_LIT_NUMBER), "numbers", "a number"},
    [CQL2_Q_INTEGER] = {LIT(CQL2_LIT_NUMBER), "whole numbers", "a number"},
    [CQL2_Q_DATETIME] = {LIT(CQL2_LIT_TIMESTAMP) | LIT(CQL2_LIT_DATE), "dates and times",
                         "TIMESTAMP('…') or DATE('…')"},
    [CQL2_Q_BOOLEAN] = {LIT(CQL2_LIT_BOOL), "true/false values", "TRUE or FALSE"},
    [CQL2_Q_GEOMETRY] = {0, "geometries", "S_INTERSECTS"},
};

static int qtype_known(cql2_qtype t)
{
    return (unsigned)t < sizeof qtype_words / sizeof qtype_words[0];
}

static const char *holds(cql2_qtype t) { return qtype_known(t) ? qtype_words[t].holds : "values"; }
static const char *wants(cql2_qtype t) { return qtype_known(t) ? qtype_words[t].wants : "a value"; }

static const char *lit_name(cql2_lit_kind k)
{
    switch (k) {
    case CQL2_LIT_STRING: return "a text";
    case CQL2_LIT_NUMBER: return "a number";
    case CQL2_LIT_BOOL: return "TRUE/FALSE";
    case CQL2_LIT_TIMESTAMP: return "a TIMESTAMP";
    case CQL2_LIT_DATE: return "a DATE";
    case CQL2_LIT_GEOMETRY: return "a geometry";
    }
    return "a value";
}

static int name_eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* ---------------------------------------------------------------------- */
/* Checking                                                                */

static vk_err lookup(compiler *c, const cql2_expr *e, const cql2_queryable **out)
{
    if (!e->property)
        return fail_internal(c, "a condition has no property");
    for (size_t i = 0; i < c->nq; i++) {
        if (c->q[i].name && c->q[i].sql && strcmp(c->q[i].name, e->property) == 0) {
            *out = &c->q[i];
            return VK_OK;
        }
    }
    char sn[48], hint[120] = "";
    vk_utf8_snip(e->property, strlen(e->property), sn);
    for (size_t i = 0; i < c->nq; i++) {
        if (c->q[i].name && name_eq_nocase(c->q[i].name, e->property)) {
            char qn[48];
            vk_utf8_snip(c->q[i].name, strlen(c->q[i].name), qn);
            snprintf(hint, sizeof hint, " (names are case-sensitive: did you mean '%s'?)", qn);
            break;
        }
    }
    char url[200];
    if (c->qurl)
        snprintf(url, sizeof url, "%.190s", c->qurl);
    else
        snprintf(url, sizeof url, "the collection's /queryables");
    return fail_at(c, e, "unknown property '%s'%s; the queryables are listed at %s", sn, hint, url);
}

/* Literal l as a parameter for property qq (a comparison, IN or BETWEEN
 * value), and whether it is a DATE compared with a date-time. */
static vk_err convert(compiler *c, const cql2_expr *e, const cql2_queryable *qq,
                      const cql2_literal *l, cql2_param *pp, int *is_date)
{
    char sn[48];
    memset(pp, 0, sizeof *pp);
    *is_date = 0;
    if (qq->type == CQL2_Q_GEOMETRY) {
        vk_utf8_snip(qq->name, strlen(qq->name), sn);
        return fail_at(c, e, "'%s' is a geometry; filter it with S_INTERSECTS(%s, …)", sn, sn);
    }
    if (!qtype_known(qq->type) || !(qtype_words[qq->type].lits & LIT(l->kind))) {
        vk_utf8_snip(qq->name, strlen(qq->name), sn);
        return fail_at(c, e, "'%s' holds %s; compare it with %s, not with %s", sn, holds(qq->type),
                       wants(qq->type), lit_name(l->kind));
    }
    switch (l->kind) {
    case CQL2_LIT_NUMBER: {
        /* A whole number for a whole-number property binds as one. */
        double d = l->number;
        if (qq->type == CQL2_Q_INTEGER && d == floor(d) && d >= -9223372036854775808.0 &&
            d < 9223372036854775808.0) {
            pp->kind = CQL2_P_INT;
            pp->i = (int64_t)d;
        } else {
            pp->kind = CQL2_P_DOUBLE;
            pp->d = d;
        }
        break;
    }
    case CQL2_LIT_BOOL:
        pp->kind = CQL2_P_INT;
        pp->i = l->boolean ? 1 : 0;
        break;
    default: /* a text, TIMESTAMP or DATE */
        pp->kind = CQL2_P_TEXT;
        pp->text = l->text;
        *is_date = l->kind == CQL2_LIT_DATE;
        break;
    }
    if (pp->kind == CQL2_P_TEXT && !pp->text)
        return fail_internal(c, "a text value is missing");
    return VK_OK;
}

/* CQL2 LIKE pattern → GLOB pattern (see the file comment). */
static vk_err like_to_glob(compiler *c, const cql2_expr *e, const char *pat, const char **out)
{
    size_t n = strlen(pat), chars = 0;
    int wild = 0;
    for (size_t i = 0; i < n; i++) {
        chars += ((unsigned char)pat[i] & 0xC0) != 0x80;
        if (pat[i] == '\\' && i + 1 < n)
            i++, chars++;
        else if (pat[i] == '%' || pat[i] == '_')
            wild++;
    }
    if (chars > LIKE_MAX_CHARS || wild > LIKE_MAX_WILDCARDS)
        return fail_at(c, e,
                       "a LIKE pattern may have at most %d characters and %d wildcards (%% or _); "
                       "this one has %zu and %d",
                       LIKE_MAX_CHARS, LIKE_MAX_WILDCARDS, chars, wild);
    char *g = vk_arena_alloc(c->arena, 3 * n + 1);
    if (!g)
        return fail_nomem(c);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = pat[i];
        if (ch == '%') {
            g[k++] = '*';
            continue;
        }
        if (ch == '_') {
            g[k++] = '?';
            continue;
        }
        if (ch == '\\') {
            if (++i == n)
                return fail_at(c, e,
                               "a LIKE pattern cannot end with a single '\\'; write '\\\\' for a "
                               "backslash, '\\%%' for a percent sign, '\\_' for an underscore");
            ch = pat[i];
        }
        if (ch == '*' || ch == '?' || ch == '[') {
            g[k++] = '[';
            g[k++] = ch;
            g[k++] = ']';
        } else {
            g[k++] = ch;
        }
    }
    g[k] = '\0';
    *out = g;
    return VK_OK;
}

static vk_err need_values(compiler *c, const cql2_expr *e, int n)
{
    if (!e->values || e->nvalues < n)
        return fail_internal(c, "a condition is missing its value");
    return VK_OK;
}

/* Check one condition completely, so that writing it cannot fail except
 * for the parameter cap. */
static vk_err check_leaf(compiler *c, snode *n)
{
    const cql2_expr *e = n->e;
    const cql2_queryable *qq = NULL;
    cql2_param pp;
    char sn[48];
    int is_date, first_date = 0;
    vk_err rc;
    if ((rc = lookup(c, e, &qq)))
        return rc;
    n->qq = qq;
    vk_utf8_snip(qq->name, strlen(qq->name), sn);
    switch (e->kind) {
    case CQL2_CMP:
        if ((rc = need_values(c, e, 1)))
            return rc;
        if (qq->type == CQL2_Q_BOOLEAN && e->op != CQL2_EQ && e->op != CQL2_NE)
            return fail_at(c, e, "only = and <> apply to '%s', which holds true/false values", sn);
        return convert(c, e, qq, &e->values[0], &pp, &is_date);
    case CQL2_LIKE:
        if ((rc = need_values(c, e, 1)))
            return rc;
        if (qq->type != CQL2_Q_STRING)
            return fail_at(c, e, "LIKE works only on text; '%s' holds %s", sn, holds(qq->type));
        if (e->values[0].kind != CQL2_LIT_STRING || !e->values[0].text)
            return fail_at(c, e, "LIKE needs a text pattern in single quotes, not %s",
                           lit_name(e->values[0].kind));
        return like_to_glob(c, e, e->values[0].text, &n->glob);
    case CQL2_IN:
        if ((rc = need_values(c, e, 1)))
            return rc;
        for (int i = 0; i < e->nvalues; i++) {
            if ((rc = convert(c, e, qq, &e->values[i], &pp, &is_date)))
                return rc;
            if (i == 0)
                first_date = is_date;
            else if (is_date != first_date)
                return fail_at(c, e,
                               "an IN list on a date-time property must hold only DATEs or only "
                               "TIMESTAMPs");
        }
        return VK_OK;
    case CQL2_BETWEEN:
        if ((rc = need_values(c, e, 2)))
            return rc;
        if (qq->type == CQL2_Q_BOOLEAN)
            return fail_at(c, e, "BETWEEN does not apply to '%s', which holds true/false values", sn);
        if ((rc = convert(c, e, qq, &e->values[0], &pp, &is_date)))
            return rc;
        return convert(c, e, qq, &e->values[1], &pp, &is_date);
    case CQL2_ISNULL:
        return VK_OK;
    case CQL2_INTERSECTS:
        if ((rc = need_values(c, e, 1)))
            return rc;
        if (qq->type != CQL2_Q_GEOMETRY)
            return fail_at(c, e, "S_INTERSECTS needs a geometry property; '%s' holds %s", sn,
                           holds(qq->type));
        if (e->values[0].kind != CQL2_LIT_GEOMETRY || !e->values[0].wkb || !e->values[0].wkb_len ||
            e->values[0].wkb_len > (size_t)0x7fffffff)
            return fail_at(c, e, "S_INTERSECTS needs a geometry, not %s",
                           lit_name(e->values[0].kind));
        return VK_OK;
    default:
        return fail_internal(c, "unknown kind of condition");
    }
}

/* Levels of parentheses in the property's SQL: each is budgeted as a
 * nested function call (three parser entries, one level of depth). */
static int sql_nesting(const cql2_queryable *qq)
{
    int d = 0, max = 0;
    for (const char *s = qq->sql; *s; s++) {
        if (*s == '(' && ++d > max)
            max = d;
        else if (*s == ')' && d > 0)
            d--;
    }
    return max > 20 ? 20 : max;
}

/* The cost of kid k written inside a list of operator op. */
static int kid_cost(int op, const snode *k)
{
    return k->cost + (op == S_AND && k->op == S_OR ? 1 : 0);
}

/* A list: kids[lo..hi) joined by op, flat when there are at most CHUNK,
 * else as at most CHUNK parenthesised chunks of equal power-of-CHUNK size
 * (so a list of 1000 is 32 chunks of 32). */
static int chunk_size(int n)
{
    int s = 1;
    while (s * CHUNK < n)
        s *= CHUNK;
    return s;
}

/* The parser cost and expression depth of such a list. In "e0 op e1 op
 * … e(m-1)" e0 is read with nothing pending and every later operand
 * behind "x op" (two entries); SQLite builds it left-deep, so e0 sits
 * m - 1 operators down and ei (i >= 1) m - i. */
static void list_plan(snode *const *kids, int lo, int hi, int op, int *cost, int *height)
{
    int s = chunk_size(hi - lo), m = 0, c0 = 0, rest = 0;
    int hs[CHUNK] = {0};
    for (int j = lo; j < hi; j += s, m++) {
        int ec, eh, end = j + s < hi ? j + s : hi;
        if (end - j == 1) {
            ec = kid_cost(op, kids[j]);
            eh = kids[j]->height;
        } else {
            list_plan(kids, j, end, op, &ec, &eh);
            ec += 1; /* its ( */
        }
        if (m == 0)
            c0 = ec;
        else if (ec > rest)
            rest = ec;
        hs[m] = eh;
    }
    *cost = m > 1 && rest + 2 > c0 ? rest + 2 : c0;
    int h = hs[0] + m - 1;
    for (int i = 1; i < m; i++)
        if (hs[i] + m - i > h)
            h = hs[i] + m - i;
    *height = h;
}

/* e under `neg` NOTs, normalised: NOTs pushed into the conditions, lists
 * of one operator flattened, the costliest operand first. */
static vk_err build(compiler *c, const cql2_expr *e, int neg, int depth, snode **out)
{
    while (e && e->kind == CQL2_NOT) {
        e = e->left;
        neg = !neg;
        if (++depth > COMPILE_MAX_DEPTH)
            break;
    }
    if (!e)
        return fail_internal(c, "an empty condition");
    if (depth > COMPILE_MAX_DEPTH)
        return fail_at(c, e, "the filter is nested too deeply");
    snode *n = vk_arena_alloc(c->arena, sizeof *n);
    if (!n)
        return fail_nomem(c);
    memset(n, 0, sizeof *n);
    vk_err rc;
    if (e->kind != CQL2_AND && e->kind != CQL2_OR) {
        n->op = S_LEAF;
        n->neg = neg;
        n->e = e;
        if ((rc = check_leaf(c, n)))
            return rc;
        n->cost = LEAF_COST + 3 * sql_nesting(n->qq);
        n->height = LEAF_HEIGHT + sql_nesting(n->qq);
        *out = n;
        return VK_OK;
    }
    /* De Morgan: NOT (a AND b) = NOT a OR NOT b, also with unknowns */
    n->op = (e->kind == CQL2_AND) != neg ? S_AND : S_OR;
    snode *l, *r;
    if ((rc = build(c, e->left, neg, depth + 1, &l)) || (rc = build(c, e->right, neg, depth + 1, &r)))
        return rc;
    int nl = l->op == n->op ? l->nkids : 1, nr = r->op == n->op ? r->nkids : 1;
    n->kids = vk_arena_alloc(c->arena, (size_t)(nl + nr) * sizeof *n->kids);
    if (!n->kids)
        return fail_nomem(c);
    if (l->op == n->op)
        memcpy(n->kids, l->kids, (size_t)nl * sizeof *n->kids);
    else
        n->kids[0] = l;
    if (r->op == n->op)
        memcpy(n->kids + nl, r->kids, (size_t)nr * sizeof *n->kids);
    else
        n->kids[nl] = r;
    n->nkids = nl + nr;
    /* A list of plain conditions is written as it came. Otherwise the
     * costliest operand goes first: while it is read nothing of this list
     * is pending on the parser stack; and the rest follows in ( ), so the
     * first is one operator down, not buried under the whole list. */
    int leaves = 1;
    for (int i = 0; i < n->nkids; i++)
        if (n->kids[i]->op != S_LEAF)
            leaves = 0;
    if (leaves) {
        list_plan(n->kids, 0, n->nkids, n->op, &n->cost, &n->height);
        *out = n;
        return VK_OK;
    }
    int m = 0;
    for (int i = 1; i < n->nkids; i++)
        if (kid_cost(n->op, n->kids[i]) > kid_cost(n->op, n->kids[m]))
            m = i;
    snode *top = n->kids[m];
    memmove(n->kids + 1, n->kids, (size_t)m * sizeof *n->kids);
    n->kids[0] = top;
    if (n->nkids == 2) {
        list_plan(n->kids, 0, 2, n->op, &n->cost, &n->height);
        *out = n;
        return VK_OK;
    }
    int rc_cost, rc_height;
    list_plan(n->kids, 1, n->nkids, n->op, &rc_cost, &rc_height);
    n->split = 1;
    n->cost = kid_cost(n->op, top);
    if (rc_cost + 1 + 2 > n->cost)
        n->cost = rc_cost + 1 + 2;
    n->height = 1 + (top->height > rc_height ? top->height : rc_height);
    *out = n;
    return VK_OK;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */

static vk_err add_param(compiler *c, const cql2_expr *e, const cql2_param *pp, int *index)
{
    cql2_params *ps = c->params;
    if (!ps->items) {
        ps->items = vk_arena_alloc(c->arena, CQL2_MAX_PARAMS * sizeof *ps->items);
        if (!ps->items)
            return fail_nomem(c);
        ps->n = 0;
    }
    if (ps->n >= CQL2_MAX_PARAMS)
        return fail_at(c, e, "the filter has too many values (at most %d)", CQL2_MAX_PARAMS);
    ps->items[ps->n] = *pp;
    *index = c->first + ps->n;
    ps->n++;
    return VK_OK;
}

/* Convert (checked before, cannot fail) and bind literal l. */
static vk_err value(compiler *c, const snode *n, const cql2_literal *l, int *index, int *is_date)
{
    cql2_param pp;
    vk_err rc = convert(c, n->e, n->qq, l, &pp, is_date);
    return rc ? rc : add_param(c, n->e, &pp, index);
}

static void put_lhs(compiler *c, const cql2_queryable *qq, int is_date)
{
    if (is_date)
        vk_buf_printf(c->sql, "substr(%s, 1, 10)", qq->sql);
    else
        vk_buf_puts(c->sql, qq->sql);
}

static const char *op_text(cql2_op op)
{
    switch (op) {
    case CQL2_EQ: return "=";
    case CQL2_NE: return "<>";
    case CQL2_LT: return "<";
    case CQL2_GT: return ">";
    case CQL2_LE: return "<=";
    case CQL2_GE: return ">=";
    }
    return "=";
}

/* NOT (a op b) = a op' b, also when a is NULL (both unknown). */
static cql2_op op_negate(cql2_op op)
{
    switch (op) {
    case CQL2_EQ: return CQL2_NE;
    case CQL2_NE: return CQL2_EQ;
    case CQL2_LT: return CQL2_GE;
    case CQL2_GT: return CQL2_LE;
    case CQL2_LE: return CQL2_GT;
    case CQL2_GE: return CQL2_LT;
    }
    return op;
}

static vk_err emit_leaf(compiler *c, const snode *n)
{
    const cql2_expr *e = n->e;
    const cql2_queryable *qq = n->qq;
    int negate = (e->negated != 0) != (n->neg != 0);
    const char *not = negate ? "NOT " : "";
    int idx, idx2, is_date, is_date2;
    vk_err rc;
    switch (e->kind) {
    case CQL2_CMP:
        if ((rc = value(c, n, &e->values[0], &idx, &is_date)))
            return rc;
        vk_buf_putc(c->sql, '(');
        put_lhs(c, qq, is_date);
        vk_buf_printf(c->sql, " %s ?%d)", op_text(negate ? op_negate(e->op) : e->op), idx);
        return VK_OK;
    case CQL2_LIKE: {
        cql2_param pp = {.kind = CQL2_P_TEXT, .text = n->glob};
        if ((rc = add_param(c, e, &pp, &idx)))
            return rc;
        vk_buf_printf(c->sql, "(%s %sGLOB ?%d)", qq->sql, not, idx);
        return VK_OK;
    }
    case CQL2_IN:
        for (int i = 0; i < e->nvalues; i++) {
            if ((rc = value(c, n, &e->values[i], &idx, &is_date)))
                return rc;
            if (i == 0) {
                vk_buf_putc(c->sql, '(');
                put_lhs(c, qq, is_date);
                vk_buf_printf(c->sql, " %sIN (", not);
            } else {
                vk_buf_puts(c->sql, ", ");
            }
            vk_buf_printf(c->sql, "?%d", idx);
        }
        vk_buf_puts(c->sql, "))");
        return VK_OK;
    case CQL2_BETWEEN:
        if ((rc = value(c, n, &e->values[0], &idx, &is_date)) ||
            (rc = value(c, n, &e->values[1], &idx2, &is_date2)))
            return rc;
        vk_buf_putc(c->sql, '(');
        if (is_date == is_date2) {
            put_lhs(c, qq, is_date);
            vk_buf_printf(c->sql, " %sBETWEEN ?%d AND ?%d)", not, idx, idx2);
        } else { /* a DATE and a TIMESTAMP bound: each compares its own way */
            put_lhs(c, qq, is_date);
            vk_buf_printf(c->sql, *not ? " < ?%d OR " : " >= ?%d AND ", idx);
            put_lhs(c, qq, is_date2);
            vk_buf_printf(c->sql, *not ? " > ?%d)" : " <= ?%d)", idx2);
        }
        return VK_OK;
    case CQL2_ISNULL:
        vk_buf_printf(c->sql, "(%s IS %sNULL)", qq->sql, not);
        return VK_OK;
    case CQL2_INTERSECTS: {
        cql2_param pp = {.kind = CQL2_P_BLOB, .blob = e->values[0].wkb,
                         .len = e->values[0].wkb_len};
        if ((rc = add_param(c, e, &pp, &idx)))
            return rc;
        const char *is = negate ? "0" : "1", *join = negate ? "OR" : "AND";
        vk_buf_printf(c->sql,
                      "(MbrIntersects(%s, GeomFromWKB(?%d, 4326)) = %s %s "
                      "Intersects(%s, GeomFromWKB(?%d, 4326)) = %s)",
                      qq->sql, idx, is, join, qq->sql, idx, is);
        return VK_OK;
    }
    default:
        return fail_internal(c, "unknown kind of condition");
    }
}

static vk_err emit(compiler *c, const snode *n, int parent);

/* Write kids[lo..hi) as list_plan describes. */
static vk_err emit_list(compiler *c, snode *const *kids, int lo, int hi, int op)
{
    int s = chunk_size(hi - lo);
    for (int j = lo; j < hi; j += s) {
        int end = j + s < hi ? j + s : hi;
        vk_err rc;
        if (j > lo)
            vk_buf_puts(c->sql, op == S_AND ? " AND " : " OR ");
        if (end - j == 1) {
            rc = emit(c, kids[j], op);
        } else {
            vk_buf_putc(c->sql, '(');
            rc = emit_list(c, kids, j, end, op);
            vk_buf_putc(c->sql, ')');
        }
        if (rc)
            return rc;
    }
    return VK_OK;
}

static vk_err emit(compiler *c, const snode *n, int parent)
{
    if (n->op == S_LEAF)
        return emit_leaf(c, n);
    int paren = parent == S_ROOT || (parent == S_AND && n->op == S_OR);
    vk_err rc;
    if (paren)
        vk_buf_putc(c->sql, '(');
    if (n->split) {
        if ((rc = emit(c, n->kids[0], n->op)))
            return rc;
        vk_buf_puts(c->sql, n->op == S_AND ? " AND (" : " OR (");
        if ((rc = emit_list(c, n->kids, 1, n->nkids, n->op)))
            return rc;
        vk_buf_putc(c->sql, ')');
    } else if ((rc = emit_list(c, n->kids, 0, n->nkids, n->op))) {
        return rc;
    }
    if (paren)
        vk_buf_putc(c->sql, ')');
    return VK_OK;
}

vk_err cql2_sql_compile_ex(const cql2_expr *e, const cql2_queryable *q, size_t nq, int first_index,
                           vk_buf *sql, cql2_params *params, vk_arena *arena,
                           const char *queryables_url, vk_errinfo *ei)
{
    if (first_index < 1 || !sql || !params || !arena || (nq && !q))
        return vk_fail(ei, VK_EINTERNAL, "filter", "filter: bad arguments to the compiler");
    compiler c = {.q = q, .nq = nq, .first = first_index, .sql = sql, .params = params,
                  .arena = arena, .qurl = queryables_url, .ei = ei};
    size_t mark = sql->len;
    int nparams = params->items ? params->n : 0;
    snode *root;
    vk_err rc = build(&c, e, 0, 0, &root);
    if (!rc) {
        int cost = root->cost + (root->op == S_LEAF ? 0 : 1);
        if (cost > SQL_STACK_BUDGET || root->height > SQL_HEIGHT_BUDGET)
            rc = vk_fail(ei, VK_EPARAM, "filter",
                         "filter: the filter is nested too deeply to run; use fewer levels of "
                         "parentheses");
    }
    if (!rc)
        rc = emit(&c, root, S_ROOT);
    if (!rc && !vk_buf_ok(sql))
        rc = vk_buf_over_cap(sql)
                 ? vk_fail(ei, VK_EPARAM, "filter", "filter: the filter is too long once compiled")
                 : fail_nomem(&c);
    if (rc) {
        /* leave sql and params as they were (a failed buffer stays failed) */
        if (vk_buf_ok(sql) && sql->data) {
            sql->len = mark;
            sql->data[mark] = '\0';
        }
        if (params->items)
            params->n = nparams;
    }
    return rc;
}

vk_err cql2_sql_compile(const cql2_expr *e, const cql2_queryable *q, size_t nq, int first_index,
                        vk_buf *sql, cql2_params *params, vk_arena *arena, vk_errinfo *ei)
{
    return cql2_sql_compile_ex(e, q, nq, first_index, sql, params, arena, NULL, ei);
}

int cql2_sql_bind(sqlite3_stmt *st, const cql2_params *params, int first_index)
{
    /* SQLITE_STATIC: the values live in the request's arena, which
     * outlives every use of the statement for that request. */
    for (int i = 0; i < params->n; i++) {
        const cql2_param *pp = &params->items[i];
        int idx = first_index + i, rc;
        switch (pp->kind) {
        case CQL2_P_TEXT:
            rc = sqlite3_bind_text(st, idx, pp->text, -1, SQLITE_STATIC);
            break;
        case CQL2_P_DOUBLE:
            rc = sqlite3_bind_double(st, idx, pp->d);
            break;
        case CQL2_P_INT:
            rc = sqlite3_bind_int64(st, idx, (sqlite3_int64)pp->i);
            break;
        case CQL2_P_BLOB:
            if (pp->len > (size_t)0x7fffffff)
                return SQLITE_TOOBIG;
            rc = sqlite3_bind_blob(st, idx, pp->blob, (int)pp->len, SQLITE_STATIC);
            break;
        default:
            return SQLITE_MISUSE;
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}
