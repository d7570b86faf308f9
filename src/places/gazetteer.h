/*
 * gazetteer.h — finding a place by its name or address, and the address
 * nearest to a position (issue 16; docs/places.md).
 *
 * The gazetteer is addresses (street + number + postcode + municipality,
 * in Finnish and Swedish where the source has both), the streets derived
 * from them, and named places. Names are searched through an FTS5 trigram
 * index: the candidates share any trigram with the query and are re-ranked
 * here by how the query matches the name's beginning (a prefix, a prefix
 * within one or two edits, a part of the name), so "koskenp", "Kosknparras"
 * and "parras" all find Koskenparras. Reverse lookup reads the address
 * points of a box round the position through an R*Tree and keeps the
 * nearest within the radius.
 */
#ifndef VK_PLACES_GAZETTEER_H
#define VK_PLACES_GAZETTEER_H

#include <stdint.h>

#include "core/err.h"
#include "db/store.h"

#define GAZ_MAX_RESULTS 20
#define GAZ_QUERY_MAX 200     /* bytes of q */
#define GAZ_REVERSE_RADIUS_M 100.0

typedef enum { GAZ_STREET, GAZ_ADDRESS, GAZ_PLACE } gaz_kind;
const char *gaz_kind_name(gaz_kind k);

/* One found place; the strings are owned by the result (NULL when the
 * source has none). */
typedef struct gaz_place {
    int64_t id;             /* the name's or the address's row */
    gaz_kind kind;
    char *name[2];          /* street or place name: [0] Finnish, [1] Swedish */
    char *number;           /* the house number of an address */
    char *postcode;
    char *municipality[2];
    double lon, lat;        /* EPSG:4326 */
    char *district_code;
    char *district_name[3]; /* fi, sv, en */
    int matched_sv;         /* the query matched the Swedish name */
    double score;           /* lower is better (search); metres (reverse) */
} gaz_place;

void gaz_place_fini(gaz_place *p);
/* The label in lang ("fi", "sv", "en": en reads the Finnish names, as
 * street names are not translated), e.g. "Koskenparras 3, 55100 Imatra".
 * Written into out (n bytes, cut to fit). */
void gaz_place_label(const gaz_place *p, const char *lang, char *out, size_t n);
/* The district's name in lang, or NULL. */
const char *gaz_place_district_name(const gaz_place *p, const char *lang);

/* Search q (UTF-8, at most GAZ_QUERY_MAX bytes): the best matches first,
 * at most max (≤ GAZ_MAX_RESULTS) into out, their number in *n. A query
 * with a house number ("Koskenparras 3") gives the address where the
 * street has it, else the street. Each out[i] is to be freed with
 * gaz_place_fini. */
vk_err gaz_search(store_conn *c, const char *q, int max, gaz_place *out, int *n,
                  vk_errinfo *ei);
/* The nearest address within radius_m metres of (lon, lat); *found 0 when
 * none (out untouched). Free out with gaz_place_fini. */
vk_err gaz_reverse(store_conn *c, double lon, double lat, double radius_m, gaz_place *out,
                   int *found, vk_errinfo *ei);

/* ---- loading (tools: the CLI's own connection) ---- */

/* One row of the loader's input (see gaz_load_csv). */
typedef struct gaz_row {
    const char *street[2], *number, *postcode, *municipality[2];
    const char *place[2]; /* a named place instead of an address */
    double lon, lat;      /* EPSG:4326 */
    const char *district_code; /* may be NULL */
} gaz_row;

/* Replace the whole gazetteer: gaz_load_begin clears it (inside the
 * caller's transaction), gaz_load_row adds one row, gaz_load_finish
 * derives the streets and builds the indexes. */
vk_err gaz_load_begin(store_conn *c, vk_errinfo *ei);
vk_err gaz_load_row(store_conn *c, const gaz_row *r, vk_errinfo *ei);
vk_err gaz_load_finish(store_conn *c, int64_t *addresses, int64_t *streets, int64_t *places,
                       vk_errinfo *ei);

/* ---- text helpers (exposed for the tests) ---- */

/* Lower-case fold of UTF-8 s into code points (Latin-1 letters and the
 * ASCII ones; other characters as they are). At most max; returns how many. */
int gaz_fold(const char *s, uint32_t *out, int max);
/* The least edit distance (insert, delete, substitute, swap of neighbours)
 * between q and any beginning of name. */
int gaz_prefix_distance(const uint32_t *q, int nq, const uint32_t *name, int nn);

#endif
