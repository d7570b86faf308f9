/*
 * load.c — the gazetteer from a CSV file (see load.h, docs/places.md).
 *
 * The file is UTF-8 with a header line naming its columns (any order; ','
 * or ';' between fields, as the header uses; RFC 4180 quoting within a
 * line). Each row is an address (street_fi and number) or a named place
 * (place_fi), at x, y in the CRS given.
 */
#include "places/load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "db/stmt.h"
#include "places/gazetteer.h"
#include "places/sql.h"

#define LINE_MAX_BYTES 8192
#define MAX_FIELDS 64

enum {
    C_STREET_FI, C_STREET_SV, C_NUMBER, C_POSTCODE, C_MUN_FI, C_MUN_SV,
    C_PLACE_FI, C_PLACE_SV, C_X, C_Y, C__COUNT
};
/* Column names, with the short forms the conversions in docs/places.md
 * may leave (street, municipality, name). */
static const char *const column_names[C__COUNT][2] = {
    {"street_fi", "street"}, {"street_sv", NULL},     {"number", "housenumber"},
    {"postcode", NULL},      {"municipality_fi", "municipality"}, {"municipality_sv", NULL},
    {"place_fi", "place"},   {"place_sv", NULL},      {"x", "lon"},
    {"y", "lat"},
};

/* Split line (modified in place) into fields; returns how many, or -1 on
 * an unclosed quote. */
static int split_line(char *line, char sep, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return n;
        char *out = p;
        f[n++] = out;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            while (*p && *p != sep)
                p++;
        } else {
            while (*p && *p != sep)
                *out++ = *p++;
        }
        char *next = *p == sep ? p + 1 : NULL;
        *out = '\0';
        /* trim blanks */
        char *s = f[n - 1];
        while (*s == ' ')
            s++;
        f[n - 1] = s;
        size_t len = strlen(s);
        while (len && s[len - 1] == ' ')
            s[--len] = '\0';
        if (!next)
            return n;
        p = next;
    }
}

static const char *value(char **f, int nf, const int *col, int c)
{
    if (col[c] < 0 || col[c] >= nf || !*f[col[c]])
        return NULL;
    return f[col[c]];
}

static int parse_double(const char *s, double *out)
{
    if (!s)
        return -1;
    char buf[64];
    size_t n = strlen(s);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s, n + 1);
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.'; /* a decimal comma, as Finnish spreadsheets write */
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || *end || errno)
        return -1;
    *out = v;
    return 0;
}

static vk_err district_code(vk_ctx *ctx, double lon, double lat, char *code, size_t n,
                            vk_errinfo *ei)
{
    code[0] = '\0';
    json_t *pt = json_pack("{s:s, s:[f, f]}", "type", "Point", "coordinates", lon, lat);
    if (!pt)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    gis_geom *g = NULL;
    vk_errinfo ignored;
    vk_errinfo_clear(&ignored);
    vk_err e = gis_geom_from_geojson(ctx->gis, pt, "", &g, &ignored);
    json_decref(pt);
    if (e)
        return VK_OK; /* not a usable point: no district */
    int64_t id = gis_geom_district(ctx->gis, g);
    gis_geom_free(ctx->gis, g);
    if (!id)
        return VK_OK;
    int found = 0;
    return db_scan(ctx->store, &places_sql, SQL_GAZ_DISTRICT_CODE, DB_ARGS(DB_INT(id)),
                   DB_OUTS(DB_COPY_TO(code, n)), &found, "a district", ei);
}

static vk_err load_lines(vk_ctx *ctx, FILE *fp, gis_crs crs, gaz_load_stats *st,
                         vk_errinfo *ei)
{
    char *line = malloc(LINE_MAX_BYTES);
    if (!line)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    char *f[MAX_FIELDS];
    int col[C__COUNT];
    char sep = ',';
    vk_err e = VK_OK;
    long lineno = 0;
    int have_header = 0;
    while (!e && fgets(line, LINE_MAX_BYTES, fp)) {
        lineno++;
        size_t len = strlen(line);
        if (len == LINE_MAX_BYTES - 1 && line[len - 1] != '\n') {
            e = vk_fail(ei, VK_ETOO_LONG, "", "line %ld is longer than %d bytes", lineno,
                        LINE_MAX_BYTES - 2);
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *text = line;
        if (lineno == 1 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
            (unsigned char)text[2] == 0xBF)
            text += 3; /* a byte-order mark */
        if (!*text)
            continue;
        if (!vk_utf8_valid(text, strlen(text), NULL)) {
            e = vk_fail(ei, VK_EVALUE, "", "line %ld is not UTF-8 (convert the file with "
                                           "iconv or ogr2ogr first)", lineno);
            break;
        }
        if (!have_header) {
            sep = strchr(text, ';') && !strchr(text, ',') ? ';' : ',';
            int nf = split_line(text, sep, f, MAX_FIELDS);
            for (int c = 0; c < C__COUNT; c++) {
                col[c] = -1;
                for (int i = 0; i < nf && col[c] < 0; i++)
                    for (int k = 0; k < 2; k++)
                        if (column_names[c][k] && strcasecmp(f[i], column_names[c][k]) == 0)
                            col[c] = i;
            }
            if (col[C_X] < 0 || col[C_Y] < 0 || (col[C_STREET_FI] < 0 && col[C_PLACE_FI] < 0)) {
                e = vk_fail(ei, VK_EMISSING, "header",
                            "the header line must name the columns x, y and street_fi (with "
                            "number) or place_fi; see docs/places.md");
                break;
            }
            have_header = 1;
            continue;
        }
        int nf = split_line(text, sep, f, MAX_FIELDS);
        if (nf < 0) {
            e = vk_fail(ei, VK_EVALUE, "", "line %ld: a quote is not closed", lineno);
            break;
        }
        gaz_row r;
        memset(&r, 0, sizeof r);
        r.street[0] = value(f, nf, col, C_STREET_FI);
        r.street[1] = value(f, nf, col, C_STREET_SV);
        r.number = value(f, nf, col, C_NUMBER);
        r.postcode = value(f, nf, col, C_POSTCODE);
        r.municipality[0] = value(f, nf, col, C_MUN_FI);
        r.municipality[1] = value(f, nf, col, C_MUN_SV);
        r.place[0] = value(f, nf, col, C_PLACE_FI);
        r.place[1] = value(f, nf, col, C_PLACE_SV);
        if (!r.place[0] && (!r.street[0] || !r.number)) {
            st->skipped++; /* a building without an address */
            continue;
        }
        double x, y;
        if (parse_double(value(f, nf, col, C_X), &x) || parse_double(value(f, nf, col, C_Y), &y)) {
            e = vk_fail(ei, VK_EVALUE, "x", "line %ld: x and y must be numbers", lineno);
            break;
        }
        if (crs == GIS_CRS_3879) { /* its authority order is northing first */
            double t = x;
            x = y;
            y = t;
        }
        if (crs != GIS_CRS_CRS84 && crs != GIS_CRS_4326) {
            if ((e = gis_proj_to_storage(ctx->proj, crs, &x, &y))) {
                e = vk_fail(ei, e, "x", "line %ld: the position cannot be transformed", lineno);
                break;
            }
        }
        if (!(x >= -180 && x <= 180 && y >= -90 && y <= 90)) {
            e = vk_fail(ei, VK_EGEOM_COORD, "x",
                        "line %ld: %g, %g is not a longitude and latitude; is --crs right?",
                        lineno, x, y);
            break;
        }
        r.lon = x;
        r.lat = y;
        char code[64];
        if ((e = district_code(ctx, x, y, code, sizeof code, ei)))
            break;
        r.district_code = code[0] ? code : NULL;
        if ((e = gaz_load_row(ctx->store, &r, ei))) {
            char why[sizeof ei->message];
            snprintf(why, sizeof why, "%s", ei->message);
            vk_fail(ei, e, "", "line %ld: %s", lineno, why);
        }
    }
    if (!e && ferror(fp))
        e = vk_fail(ei, VK_EIO, "", "the file could not be read");
    if (!e && !have_header)
        e = vk_fail(ei, VK_EMISSING, "header", "the file is empty: no header line");
    free(line);
    return e;
}

vk_err gaz_load_csv(vk_ctx *ctx, const char *path, gis_crs crs, gaz_load_stats *st,
                    vk_errinfo *ei)
{
    memset(st, 0, sizeof *st);
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!fp)
        return vk_fail(ei, VK_EIO, "", "%s: %s", path, strerror(errno));
    vk_err e = store_begin(ctx->store, ei);
    if (!e)
        e = gaz_load_begin(ctx->store, ei);
    if (!e)
        e = load_lines(ctx, fp, crs, st, ei);
    if (!e)
        e = gaz_load_finish(ctx->store, &st->addresses, &st->streets, &st->places, ei);
    if (!e)
        e = store_commit(ctx->store, ei);
    else
        store_rollback(ctx->store);
    if (fp != stdin)
        fclose(fp);
    return e;
}

vk_err gaz_load_demo(vk_ctx *ctx, const char *geo_dir, int64_t *loaded, vk_errinfo *ei)
{
    *loaded = 0;
    int64_t a = 0, s = 0, p = 0;
    vk_err e = db_scan(ctx->store, &places_sql, SQL_GAZ_COUNTS, DB_NO_ARGS,
                       DB_OUTS(DB_I64_TO(&a), DB_I64_TO(&s), DB_I64_TO(&p)), NULL,
                       "counting the gazetteer", ei);
    if (e || a + p > 0)
        return e;
    char path[4096];
    snprintf(path, sizeof path, "%s/addresses.csv", geo_dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return VK_OK; /* a geo directory without a gazetteer */
    fclose(fp);
    gaz_load_stats st;
    if ((e = gaz_load_csv(ctx, path, GIS_CRS_CRS84, &st, ei)))
        return e;
    *loaded = st.addresses + st.places;
    return VK_OK;
}
