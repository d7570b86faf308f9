/*
 * wkt.h — read 2D Well-Known Text geometry (OGC 06-103r4) into ISO WKB,
 * little-endian.
 *
 * The reader works on tokens, not on text: the caller lexes. WKT mostly
 * sits inside another language (a CQL2 filter today), whose lexer already
 * knows where the text is, what a number looks like and how to word an
 * error with its own positions; the reader only knows the WKT grammar:
 *
 *   geometry = POINT "(" coord ")" | LINESTRING points | POLYGON rings
 *            | MULTIPOINT "(" ( coord | "(" coord ")" ) { "," … } ")"
 *            | MULTILINESTRING "(" points { "," points } ")"
 *            | MULTIPOLYGON "(" rings { "," rings } ")"
 *   points   = "(" coord { "," coord } ")"     rings = "(" points { "," points } ")"
 *   coord    = number number
 *
 * Type names are ASCII case-insensitive. Refused, with a message: Z/M
 * (a suffix, a separate word or a third number), EMPTY,
 * GEOMETRYCOLLECTION, rings that are open or have fewer than 4 positions,
 * lines with fewer than 2, and more vertices than the caller allows.
 */
#ifndef VK_WKT_H
#define VK_WKT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum {
    GIS_WKT_END,    /* no more input */
    GIS_WKT_WORD,   /* a name: POINT, EMPTY, Z, … */
    GIS_WKT_NUMBER,
    GIS_WKT_LPAREN,
    GIS_WKT_RPAREN,
    GIS_WKT_COMMA,
    GIS_WKT_OTHER,  /* anything else the caller's lexer knows */
} gis_wkt_kind;

typedef struct {
    gis_wkt_kind kind;
    const char *text; /* the token's bytes, borrowed from the caller */
    size_t len;
    size_t pos;       /* the caller's position, handed back in fail() */
} gis_wkt_tok;

/* The caller's lexer. The reader looks at cur, calls next() to move on and
 * number() to read the value of a GIS_WKT_NUMBER cur; every error it finds
 * goes through fail(), whose return value the reader returns. An error
 * from next() or number() is returned as is. */
typedef struct gis_wkt_lexer gis_wkt_lexer;
struct gis_wkt_lexer {
    gis_wkt_tok cur;
    vk_err (*next)(gis_wkt_lexer *lx);
    vk_err (*number)(gis_wkt_lexer *lx, double *out);
    /* msg happened at pos; when found, the caller adds " but found " and
     * its own description of cur (so "the end of the filter" can be said
     * in the caller's words). */
    vk_err (*fail)(gis_wkt_lexer *lx, size_t pos, const char *msg, int found);
};

/* Read the geometry whose type name is cur and append its WKB to out; cur
 * is left on the token after the geometry. *vertices counts positions
 * across calls (one filter may hold several geometries); more than
 * max_vertices in all is an error. Returns VK_OK, the caller's error, or
 * VK_ENOT_FOUND without calling fail() and without consuming anything
 * when cur does not name a WKT geometry at all, so the caller can accept
 * forms of its own (CQL2's BBOX) and word the error. out's own failure
 * (VK_ENOMEM) shows in vk_buf_ok(out), to be checked by the caller. */
vk_err gis_wkt_read(gis_wkt_lexer *lx, int *vertices, int max_vertices, vk_buf *out);

/* Append the WKB polygon of the box x1 y1 x2 y2: one ring of 5 positions,
 * counterclockwise from (x1, y1). */
void gis_wkb_put_box(vk_buf *out, const double box[4]);

#endif
