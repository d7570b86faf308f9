/*
 * gazetteer.c — searching names and addresses, the nearest address, and
 * loading the gazetteer (see gazetteer.h and docs/places.md).
 *
 * Why trigrams and a re-rank here: a prefix index (FTS5 prefix queries)
 * finds "Koskenp" but not "Kosknparras", and an edit distance over every
 * name costs a scan. The trigram index turns a typo into a few missing
 * trigrams out of many, so the right name is among the best-ranked
 * candidates of an OR over the query's trigrams; the exact order a person
 * expects (the name that begins with what they typed first, then one edit
 * away, then a name that merely contains it) is decided in C on at most
 * GAZ_CANDIDATES rows.
 */
#include "places/gazetteer.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "places/sql.h"

DB_SLICE_DEFINE(places_sql, PLACES_SQL)

#define GAZ_CANDIDATES 100
#define GAZ_FOLD_MAX 100   /* code points of a name or query compared */
#define GAZ_TRIGRAMS 40    /* trigrams of a query OR'ed */

const char *gaz_kind_name(gaz_kind k)
{
    return k == GAZ_ADDRESS ? "address" : k == GAZ_PLACE ? "place" : "street";
}

void gaz_place_fini(gaz_place *p)
{
    if (!p)
        return;
    free(p->name[0]);
    free(p->name[1]);
    free(p->number);
    free(p->postcode);
    free(p->municipality[0]);
    free(p->municipality[1]);
    free(p->district_code);
    for (int i = 0; i < 3; i++)
        free(p->district_name[i]);
    memset(p, 0, sizeof *p);
}

static int lang_index(const char *lang) { return lang && strcmp(lang, "sv") == 0 ? 1 : 0; }

static const char *pick(char *const v[2], int i) { return v[i] && *v[i] ? v[i] : v[0]; }

void gaz_place_label(const gaz_place *p, const char *lang, char *out, size_t n)
{
    int li = lang_index(lang);
    const char *name = pick(p->name, li), *mun = pick(p->municipality, li);
    if (!name)
        name = "";
    if (p->kind == GAZ_ADDRESS)
        snprintf(out, n, "%s %s%s%s%s%s", name, p->number ? p->number : "",
                 p->postcode || mun ? "," : "", p->postcode ? " " : "",
                 p->postcode ? p->postcode : "", mun ? " " : "");
    else
        snprintf(out, n, "%s%s", name, mun ? ", " : "");
    if (mun) {
        size_t len = strlen(out);
        if (len < n)
            snprintf(out + len, n - len, "%s", mun);
    }
}

const char *gaz_place_district_name(const gaz_place *p, const char *lang)
{
    int i = lang && strcmp(lang, "sv") == 0 ? 1 : lang && strcmp(lang, "en") == 0 ? 2 : 0;
    return p->district_name[i] ? p->district_name[i] : p->district_name[0];
}

/* ---- text ---- */

/* The next code point of UTF-8 s (checked elsewhere; bad bytes read as
 * themselves), advancing *s. */
static uint32_t next_cp(const unsigned char **s)
{
    const unsigned char *p = *s;
    uint32_t c = p[0];
    int len = 1;
    if (c >= 0xF0 && p[1] && p[2] && p[3]) {
        c = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
        len = 4;
    } else if (c >= 0xE0 && p[1] && p[2]) {
        c = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        len = 3;
    } else if (c >= 0xC0 && p[1]) {
        c = ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu);
        len = 2;
    }
    *s = p + len;
    return c;
}

static uint32_t fold_cp(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) /* À..Þ but × */
        return c + 32;
    if (c == '-' || c == '.' || c == ',' || c == '\t')
        return ' '; /* "Itä-Siitola" and "Itä Siitola" alike */
    return c;
}

int gaz_fold(const char *s, uint32_t *out, int max)
{
    const unsigned char *p = (const unsigned char *)s;
    int n = 0;
    while (*p && n < max) {
        uint32_t c = fold_cp(next_cp(&p));
        if (c == ' ' && (n == 0 || out[n - 1] == ' '))
            continue; /* one space between words, none first */
        out[n++] = c;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    return n;
}

static int put_utf8(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static int imin(int a, int b) { return a < b ? a : b; }

int gaz_prefix_distance(const uint32_t *q, int nq, const uint32_t *name, int nn)
{
    /* Optimal string alignment distance, rows over q, columns over name;
     * the answer is the least of the last row: q against any beginning.
     * Three rolling rows (a swap looks two rows back). */
    int rows[3][GAZ_FOLD_MAX + 1] = {{0}}; /* 1.2 kB, not the whole matrix */
    int *back2 = rows[0], *back = rows[1], *cur = rows[2];
    nq = imin(nq, GAZ_FOLD_MAX);
    nn = imin(nn, GAZ_FOLD_MAX);
    for (int j = 0; j <= nn; j++)
        cur[j] = j;
    for (int i = 1; i <= nq; i++) {
        int *t = back2;
        back2 = back;
        back = cur;
        cur = t;
        cur[0] = i;
        for (int j = 1; j <= nn; j++) {
            int cost = q[i - 1] != name[j - 1];
            int v = imin(imin(back[j] + 1, cur[j - 1] + 1), back[j - 1] + cost);
            if (i > 1 && j > 1 && q[i - 1] == name[j - 2] && q[i - 2] == name[j - 1])
                v = imin(v, back2[j - 2] + 1);
            cur[j] = v;
        }
    }
    int best = cur[0];
    for (int j = 1; j <= nn; j++)
        best = imin(best, cur[j]);
    return best;
}

/* How well query q matches name: lower is better, < 0 when it does not. */
static double match_score(const uint32_t *q, int nq, const char *name)
{
    if (!name || !*name)
        return -1;
    uint32_t f[GAZ_FOLD_MAX];
    int nf = gaz_fold(name, f, GAZ_FOLD_MAX);
    double tail = (nf > nq ? nf - nq : 0) * 0.01; /* the shorter name first */
    if (nf >= nq && memcmp(f, q, (size_t)nq * sizeof *q) == 0)
        return tail;
    int allowed = nq <= 3 ? 0 : nq <= 6 ? 1 : 2;
    int d = allowed ? gaz_prefix_distance(q, nq, f, nf) : allowed + 1;
    if (d <= allowed)
        return 10.0 * d + tail;
    for (int s = 1; s + nq <= nf; s++) /* a part of the name: "parras" */
        if (memcmp(f + s, q, (size_t)nq * sizeof *q) == 0)
            return 5.0 + tail;
    return -1;
}

/* ---- rows ---- */

static char *dup_col(db_row *row, int i) { return db_col_dup(row, i); }

static void read_district(db_row *row, int first, gaz_place *p)
{
    p->district_code = dup_col(row, first);
    for (int i = 0; i < 3; i++)
        p->district_name[i] = dup_col(row, first + 1 + i);
}

static void read_name(db_row *row, gaz_place *p)
{
    memset(p, 0, sizeof *p);
    p->id = db_col_int64(row, 0);
    const char *kind = db_col_text(row, 1);
    p->kind = kind && strcmp(kind, "place") == 0 ? GAZ_PLACE : GAZ_STREET;
    p->name[0] = dup_col(row, 2);
    p->name[1] = dup_col(row, 3);
    p->municipality[0] = dup_col(row, 4);
    p->municipality[1] = dup_col(row, 5);
    p->postcode = dup_col(row, 6);
    p->lon = db_col_double(row, 7);
    p->lat = db_col_double(row, 8);
    read_district(row, 9, p);
}

static void read_address(db_row *row, gaz_place *p)
{
    memset(p, 0, sizeof *p);
    p->kind = GAZ_ADDRESS;
    p->id = db_col_int64(row, 0);
    p->name[0] = dup_col(row, 1);
    p->name[1] = dup_col(row, 2);
    p->number = dup_col(row, 3);
    p->postcode = dup_col(row, 4);
    p->municipality[0] = dup_col(row, 5);
    p->municipality[1] = dup_col(row, 6);
    p->lon = db_col_double(row, 7);
    p->lat = db_col_double(row, 8);
    read_district(row, 9, p);
}

/* ---- search ---- */

typedef struct {
    const uint32_t *q;
    int nq;
    gaz_place *c; /* candidates, scored */
    int n;
} candidates;

static int take_candidate(void *arg, db_row *row)
{
    candidates *cs = arg;
    if (cs->n == GAZ_CANDIDATES)
        return 1;
    int64_t id = db_col_int64(row, 0);
    for (int i = 0; i < cs->n; i++)
        if (cs->c[i].id == id)
            return 0; /* found by the substring pass already */
    const char *fi = db_col_text(row, 2), *sv = db_col_text(row, 3);
    double a = match_score(cs->q, cs->nq, fi), b = match_score(cs->q, cs->nq, sv);
    if (a < 0 && b < 0)
        return 0;
    gaz_place *p = &cs->c[cs->n++];
    read_name(row, p);
    p->matched_sv = b >= 0 && (a < 0 || b < a);
    p->score = p->matched_sv ? b : a;
    return 0;
}

static int by_score(const void *x, const void *y)
{
    const gaz_place *a = x, *b = y;
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    return strcmp(a->name[0] ? a->name[0] : "", b->name[0] ? b->name[0] : "");
}

/* The query split: the name words, and a house number ("3", "3 A", "12b")
 * if one follows them; what comes after (a postcode, the town) is left. */
static void split_query(const char *q, char *name, size_t nname, char *number, size_t nnum)
{
    name[0] = number[0] = '\0';
    size_t ln = 0, lnum = 0;
    const char *p = q;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        const char *w = p;
        while (*p && *p != ' ' && *p != ',' && *p != '\t')
            p++;
        size_t len = (size_t)(p - w);
        if (!len)
            break;
        if (isdigit((unsigned char)*w)) {
            if (ln == 0 || len > 8)
                break; /* a postcode or a number without a street */
            for (size_t i = 0; i < len && lnum + 1 < nnum; i++)
                if (w[i] != ' ')
                    number[lnum++] = (char)tolower((unsigned char)w[i]);
            /* "3 A": a single letter after the number belongs to it */
            const char *r = p;
            while (*r == ' ')
                r++;
            if (isalpha((unsigned char)r[0]) && (!r[1] || r[1] == ' ' || r[1] == ',') &&
                lnum + 1 < nnum) {
                number[lnum++] = (char)tolower((unsigned char)r[0]);
            }
            number[lnum] = '\0';
            break;
        }
        if (ln && ln + 1 < nname)
            name[ln++] = ' ';
        for (size_t i = 0; i < len && ln + 1 < nname; i++)
            name[ln++] = w[i];
        name[ln] = '\0';
    }
}

/* '"abc…"': the whole query as one phrase, which the trigram index
 * answers as "contains this text" (every trigram, in order). */
static void phrase_query(const uint32_t *q, int nq, vk_buf *b)
{
    vk_buf_putc(b, '"');
    for (int i = 0; i < nq; i++) {
        char u[4];
        if (q[i] == '"')
            vk_buf_putc(b, '"');
        vk_buf_add(b, u, (size_t)put_utf8(q[i], u));
    }
    vk_buf_putc(b, '"');
}

/* '"abc" OR "bcd" …' over the distinct trigrams of q. */
static void trigram_query(const uint32_t *q, int nq, vk_buf *b)
{
    int written = 0;
    for (int i = 0; i + 3 <= nq && written < GAZ_TRIGRAMS; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = q[j] == q[i] && q[j + 1] == q[i + 1] && q[j + 2] == q[i + 2];
        if (seen)
            continue;
        if (written++)
            vk_buf_puts(b, " OR ");
        vk_buf_putc(b, '"');
        for (int k = 0; k < 3; k++) {
            char u[4];
            if (q[i + k] == '"')
                vk_buf_putc(b, '"'); /* doubled inside a string */
            vk_buf_add(b, u, (size_t)put_utf8(q[i + k], u));
        }
        vk_buf_putc(b, '"');
    }
}

static long leading_int(const char *s)
{
    long v = 0;
    for (; isdigit((unsigned char)*s) && v < 100000000; s++)
        v = v * 10 + (*s - '0');
    return v;
}

typedef struct {
    gaz_place *p;
} addr_out;

static vk_err take_address(void *arg, db_row *row)
{
    read_address(row, ((addr_out *)arg)->p);
    return VK_OK;
}

vk_err gaz_search(store_conn *c, const char *q, int max, gaz_place *out, int *n,
                  vk_errinfo *ei)
{
    *n = 0;
    if (max > GAZ_MAX_RESULTS)
        max = GAZ_MAX_RESULTS;
    char name[GAZ_QUERY_MAX + 1], number[16];
    split_query(q, name, sizeof name, number, sizeof number);
    uint32_t fq[GAZ_FOLD_MAX];
    int nq = gaz_fold(name, fq, GAZ_FOLD_MAX);
    if (nq == 0 || max <= 0)
        return VK_OK;
    candidates cs = {fq, nq, calloc(GAZ_CANDIDATES, sizeof(gaz_place)), 0};
    if (!cs.c)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    vk_err e;
    if (nq < 3) {
        /* LIKE's own wildcards in the text are escaped. */
        char like[32];
        size_t k = 0;
        for (const char *s = name; *s && k + 2 < sizeof like; s++) {
            if (*s == '%' || *s == '_' || *s == '\\')
                like[k++] = '\\';
            like[k++] = *s;
        }
        like[k] = '\0';
        e = db_each(c, &places_sql, SQL_GAZ_SHORT, DB_ARGS(DB_TEXT(like), DB_INT(GAZ_CANDIDATES)),
                    take_candidate, &cs, "searching places", ei);
    } else {
        /* First the names that contain the query as typed: cheap (a phrase
         * of trigrams), and enough when the name is spelt right. Only when
         * no name begins with it, the OR of the trigrams finds names with
         * a typo (every name sharing a trigram is scored by bm25, the
         * costly part); those rank below any name that begins with the
         * query, so they are not needed when one does. */
        e = VK_OK;
        for (int pass = 0; pass < 2 && !e; pass++) {
            int begins = 0;
            for (int i = 0; i < cs.n && !begins; i++)
                begins = cs.c[i].score < 1.0;
            if (pass == 1 && (begins || cs.n >= max))
                break;
            vk_buf m;
            vk_buf_init(&m, 4096);
            if (pass == 0)
                phrase_query(fq, nq, &m);
            else
                trigram_query(fq, nq, &m);
            vk_buf_putc(&m, '\0');
            e = vk_buf_ok(&m) ? db_each(c, &places_sql, SQL_GAZ_FTS,
                                        DB_ARGS(DB_TEXT(m.data), DB_INT(GAZ_CANDIDATES)),
                                        take_candidate, &cs, "searching places", ei)
                              : vk_fail(ei, VK_ENOMEM, "", NULL);
            vk_buf_fini(&m);
        }
    }
    if (!e) {
        qsort(cs.c, (size_t)cs.n, sizeof *cs.c, by_score);
        for (int i = 0; i < cs.n && *n < max && !e; i++) {
            gaz_place *p = &cs.c[i];
            if (number[0] && p->kind == GAZ_STREET) {
                gaz_place a;
                addr_out ao = {&a};
                int found = 0;
                e = db_first(c, &places_sql, SQL_GAZ_NUMBER,
                             DB_ARGS(DB_INT(p->id), DB_TEXT(number), DB_INT(leading_int(number))),
                             take_address, &ao, &found, "finding an address", ei);
                if (!e && found) {
                    a.matched_sv = p->matched_sv;
                    a.score = p->score;
                    gaz_place_fini(p);
                    *p = a;
                }
            }
            out[(*n)++] = *p;
            memset(p, 0, sizeof *p);
        }
    }
    for (int i = 0; i < cs.n; i++)
        gaz_place_fini(&cs.c[i]);
    free(cs.c);
    if (e) {
        for (int i = 0; i < *n; i++)
            gaz_place_fini(&out[i]);
        *n = 0;
    }
    return e;
}

/* ---- reverse ---- */

#define METRES_PER_DEGREE 111320.0

typedef struct {
    double lon, lat, coslat, best;
    gaz_place *out;
    int found;
} nearest;

static int take_nearest(void *arg, db_row *row)
{
    nearest *s = arg;
    double dx = (db_col_double(row, 7) - s->lon) * s->coslat * METRES_PER_DEGREE;
    double dy = (db_col_double(row, 8) - s->lat) * METRES_PER_DEGREE;
    double d = sqrt(dx * dx + dy * dy);
    if (d > s->best)
        return 0;
    if (s->found)
        gaz_place_fini(s->out);
    read_address(row, s->out);
    s->out->score = d;
    s->best = d;
    s->found = 1;
    return 0;
}

vk_err gaz_reverse(store_conn *c, double lon, double lat, double radius_m, gaz_place *out,
                   int *found, vk_errinfo *ei)
{
    /* Metres to degrees at this latitude: a local equirectangular
     * approximation, well under a metre off within 100 m in Finland. */
    double coslat = cos(lat * M_PI / 180.0);
    if (coslat < 0.01)
        coslat = 0.01;
    double dlat = radius_m / METRES_PER_DEGREE, dlon = dlat / coslat;
    gaz_place best;
    memset(&best, 0, sizeof best);
    nearest s = {lon, lat, coslat, radius_m, &best, 0};
    vk_err e = db_each(c, &places_sql, SQL_GAZ_NEAR,
                       DB_ARGS(DB_REAL(lon - dlon), DB_REAL(lon + dlon), DB_REAL(lat - dlat),
                               DB_REAL(lat + dlat)),
                       take_nearest, &s, "finding the nearest address", ei);
    *found = !e && s.found;
    if (*found)
        *out = best;
    else
        gaz_place_fini(&best);
    return e;
}

/* ---- loading ---- */

vk_err gaz_load_begin(store_conn *c, vk_errinfo *ei)
{
    return store_exec(c, SQL_SCRIPT_GAZ_CLEAR, ei);
}

vk_err gaz_load_row(store_conn *c, const gaz_row *r, vk_errinfo *ei)
{
    if (r->place[0])
        return db_run(c, &places_sql, SQL_GAZ_PLACE_INSERT,
                      DB_ARGS(DB_TEXT(r->place[0]), DB_TEXT(r->place[1]),
                              DB_TEXT(r->municipality[0]), DB_TEXT(r->municipality[1]),
                              DB_TEXT(r->postcode), DB_REAL(r->lon), DB_REAL(r->lat),
                              DB_TEXT(r->district_code)),
                      "saving a place", ei);
    char key[32];
    size_t k = 0;
    for (const char *s = r->number; *s && k + 1 < sizeof key; s++)
        if (*s != ' ')
            key[k++] = (char)tolower((unsigned char)*s);
    key[k] = '\0';
    return db_run(c, &places_sql, SQL_GAZ_ADDRESS_INSERT,
                  DB_ARGS(DB_TEXT(r->street[0]), DB_TEXT(r->street[1]), DB_TEXT(r->number),
                          DB_TEXT(key), DB_INT(leading_int(r->number)), DB_TEXT(r->postcode),
                          DB_TEXT(r->municipality[0]), DB_TEXT(r->municipality[1]),
                          DB_REAL(r->lon), DB_REAL(r->lat), DB_TEXT(r->district_code)),
                  "saving an address", ei);
}

vk_err gaz_load_finish(store_conn *c, int64_t *addresses, int64_t *streets, int64_t *places,
                       vk_errinfo *ei)
{
    vk_err e = store_exec(c, SQL_SCRIPT_GAZ_FINISH, ei);
    if (e)
        return e;
    return db_scan(c, &places_sql, SQL_GAZ_COUNTS, DB_NO_ARGS,
                   DB_OUTS(DB_I64_TO(addresses), DB_I64_TO(streets), DB_I64_TO(places)), NULL,
                   "counting the gazetteer", ei);
}
