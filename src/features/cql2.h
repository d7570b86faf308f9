/*
 * cql2.h — OGC API - Features Part 3: CQL2 text filters, parsed into a
 * small expression tree by a hand-written, bounded recursive-descent
 * parser that cannot be crashed by any input (length, depth, node and list
 * caps; every error is a VK_EPARAM on field "filter" with the character
 * position). The tree is compiled to SQL by store/cql2_sql.c.
 *
 * Supported: AND, OR, NOT, parentheses; = <> < > <= >=; [NOT] LIKE with
 * % and _; [NOT] IN (…); [NOT] BETWEEN … AND …; IS [NOT] NULL;
 * S_INTERSECTS(property, <WKT geometry>) (also BBOX(x1,y1,x2,y2) as a
 * literal in S_INTERSECTS); literals: 'text' ('' escapes a quote),
 * numbers, TRUE/FALSE, TIMESTAMP('RFC 3339'), DATE('YYYY-MM-DD').
 * Property names: identifiers, or "double quoted". Keywords are
 * case-insensitive.
 */
#ifndef VK_CQL2_H
#define VK_CQL2_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

#define CQL2_MAX_TEXT 8192     /* characters of filter text */
#define CQL2_MAX_DEPTH 64      /* nesting of parentheses / NOT / AND / OR */
#define CQL2_MAX_NODES 2000    /* nodes in the tree */
#define CQL2_MAX_LIST 1000     /* values in one IN list */
#define CQL2_MAX_VERTICES 10000

typedef enum {
    CQL2_AND, CQL2_OR, CQL2_NOT,
    CQL2_CMP,        /* prop op literal */
    CQL2_LIKE,       /* prop [NOT] LIKE 'pattern' */
    CQL2_IN,         /* prop [NOT] IN (literals) */
    CQL2_BETWEEN,    /* prop [NOT] BETWEEN lo AND hi */
    CQL2_ISNULL,     /* prop IS [NOT] NULL */
    CQL2_INTERSECTS, /* S_INTERSECTS(prop, geometry) */
} cql2_kind;

typedef enum { CQL2_EQ, CQL2_NE, CQL2_LT, CQL2_GT, CQL2_LE, CQL2_GE } cql2_op;

typedef enum {
    CQL2_LIT_STRING, CQL2_LIT_NUMBER, CQL2_LIT_BOOL, CQL2_LIT_TIMESTAMP, CQL2_LIT_DATE,
    CQL2_LIT_GEOMETRY,
} cql2_lit_kind;

typedef struct cql2_literal {
    cql2_lit_kind kind;
    const char *text;          /* STRING: the unescaped text; TIMESTAMP: normalised
                                * RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ"; DATE: "YYYY-MM-DD" */
    double number;             /* NUMBER */
    int boolean;               /* BOOL */
    const unsigned char *wkb;  /* GEOMETRY: ISO WKB, 2D, little-endian, coordinates
                                * exactly as written (axis order of the filter CRS) */
    size_t wkb_len;
} cql2_literal;

typedef struct cql2_expr cql2_expr;
struct cql2_expr {
    cql2_kind kind;
    int negated;               /* NOT LIKE / NOT IN / NOT BETWEEN / IS NOT NULL */
    cql2_op op;                /* CMP */
    const char *property;      /* CMP, LIKE, IN, BETWEEN, ISNULL, INTERSECTS */
    int position;              /* character offset of the property, for errors */
    cql2_literal *values;      /* CMP: 1; LIKE: 1; BETWEEN: 2; IN: nvalues; INTERSECTS: 1 */
    int nvalues;
    cql2_expr *left, *right;   /* AND, OR: both; NOT: left */
};

/* Parse filter text of len bytes (must be valid UTF-8). All memory comes
 * from arena (borrowed until it is reset). */
vk_err cql2_parse(const char *text, size_t len, vk_arena *arena, cql2_expr **out,
                  vk_errinfo *ei);

#endif
