/*
 * params.c — the query-parameter layer (see params.h). The messages are
 * the ones each API has always sent; where APIs word an error their own
 * way (CRS, date-times, bounds), the caller passes the words.
 */
#include "http/params.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parsing stops at this length: enough for any date-time with a long
 * fraction, and bounded for the stack copies below. */
#define TIME_TEXT_MAX 64

vk_err vk_param_int(const vk_req *req, const char *name, long long min, long long max,
                    vk_param_bounds bounds, long long *out, vk_errinfo *ei)
{
    const char *s = vk_req_param(req, name);
    if (!s)
        return VK_OK;
    const char *d = s + (s[0] == '-');
    int syntax = *d && strspn(d, "0123456789") == strlen(d);
    errno = 0;
    long long v = syntax ? strtoll(s, NULL, 10) : 0;
    int overflow = errno == ERANGE;
    if (bounds == VK_PARAM_FROM_TO) {
        if (!syntax || overflow || v < min || v > max)
            return vk_fail(ei, VK_EPARAM, name, "%s must be a whole number from %lld to %lld",
                           name, min, max);
    } else if (!syntax || (overflow && (bounds != VK_PARAM_CLAMP || v < 0))) {
        return vk_fail(ei, VK_EPARAM, name, "%s must be a whole number", name);
    } else if (bounds == VK_PARAM_BETWEEN && (v < min || v > max)) {
        return vk_fail(ei, VK_EPARAM, name, "%s must be between %lld and %lld", name, min, max);
    } else if (v < min) {
        return vk_fail(ei, VK_EPARAM, name, "%s must be at least %lld", name, min);
    }
    *out = v > max ? max : v;
    return VK_OK;
}

vk_err vk_param_number(const vk_req *req, const char *name, double lo, double hi,
                       vk_param_bounds bounds, double *out, vk_errinfo *ei)
{
    const char *s = vk_req_param(req, name);
    return s ? vk_param_number_value(s, name, lo, hi, bounds, out, ei) : VK_OK;
}

vk_err vk_param_number_value(const char *s, const char *name, double lo, double hi,
                             vk_param_bounds bounds, double *out, vk_errinfo *ei)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || isspace((unsigned char)*s))
        return vk_fail(ei, VK_EPARAM, name, "%s must be a number", name);
    if (bounds == VK_PARAM_CLAMP && v < lo)
        return vk_fail(ei, VK_EPARAM, name, "%s must be at least %g", name, lo);
    if (bounds != VK_PARAM_CLAMP && (v < lo || v > hi))
        return vk_fail(ei, VK_EPARAM, name,
                       bounds == VK_PARAM_BETWEEN ? "%s must be between %g and %g"
                                                  : "%s must be from %g to %g",
                       name, lo, hi);
    *out = v > hi ? hi : v;
    return VK_OK;
}

vk_err vk_param_bool(const vk_req *req, const char *name, int *out, vk_errinfo *ei)
{
    const char *s = vk_req_param(req, name);
    if (!s)
        return VK_OK;
    if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0)
        return vk_fail(ei, VK_EPARAM, name, "%s must be true or false", name);
    *out = s[0] == 't';
    return VK_OK;
}

vk_err vk_param_crs(const vk_req *req, const char *name, const char *why, gis_crs *out,
                    vk_errinfo *ei)
{
    const char *s = vk_req_param(req, name);
    *out = GIS_CRS_CRS84;
    if (s && gis_crs_parse(s, out))
        return vk_fail(ei, VK_EPARAM, name, "%s: %s", name, why);
    return VK_OK;
}

int vk_param_time_text(const char *s, size_t n, int is_end, char out[VK_RFC3339_LEN])
{
    char tmp[TIME_TEXT_MAX + 16];
    if (n >= TIME_TEXT_MAX)
        return -1;
    if (n == 10)
        snprintf(tmp, sizeof tmp, "%.10sT%s", s, is_end ? "23:59:59Z" : "00:00:00Z");
    else
        snprintf(tmp, sizeof tmp, "%.*s", (int)n, s);
    return vk_rfc3339_normalise(tmp, out);
}

vk_err vk_param_time(const vk_req *req, const char *name, int is_end, const char *what,
                     char out[VK_RFC3339_LEN], vk_errinfo *ei)
{
    const char *s = vk_req_param(req, name);
    out[0] = '\0';
    if (s && vk_param_time_text(s, strlen(s), is_end, out)) {
        out[0] = '\0';
        return vk_fail(ei, VK_EPARAM, name, "%s must be %s", name, what);
    }
    return VK_OK;
}

/* One end of an interval; "" or ".." is open (out ""). */
static int interval_end(const char *s, size_t n, int is_end, char out[VK_RFC3339_LEN])
{
    out[0] = '\0';
    if (n == 0 || (n == 2 && s[0] == '.' && s[1] == '.'))
        return 0;
    return vk_param_time_text(s, n, is_end, out);
}

vk_err vk_param_interval(const vk_req *req, const char *name, vk_interval *out, vk_errinfo *ei)
{
    const char *s = vk_req_param(req, name);
    memset(out, 0, sizeof *out);
    if (!s)
        return VK_OK;
    out->given = 1;
    const char *slash = strchr(s, '/');
    int bad;
    if (!slash) {
        /* An instant: that second, or the whole day for a date. */
        bad = interval_end(s, strlen(s), 0, out->start) ||
              interval_end(s, strlen(s), 1, out->end) || !out->start[0];
    } else {
        bad = strchr(slash + 1, '/') ||
              interval_end(s, (size_t)(slash - s), 0, out->start) ||
              interval_end(slash + 1, strlen(slash + 1), 1, out->end) ||
              (!out->start[0] && !out->end[0]); /* an interval needs at least one end */
        if (!bad && out->start[0] && out->end[0] && strcmp(out->start, out->end) > 0)
            return vk_fail(ei, VK_EPARAM, name, "%s: the interval ends before it starts", name);
    }
    if (bad)
        return vk_fail(ei, VK_EPARAM, name,
                       "%s must be an RFC 3339 instant or an interval start/end, with .. for an open end",
                       name);
    return VK_OK;
}

/* vk_param_bbox and vk_param_bbox_split: with split, a geographic box
 * whose west edge is east of its east edge becomes two (*n 2). */
static vk_err read_bbox(const vk_req *req, const char *name, gis_proj *proj, gis_crs crs,
                        int allow6, int split, double out[2][4], int *nboxes, vk_errinfo *ei)
{
    const char *s = vk_req_param(req, name);
    *nboxes = 0;
    if (!s)
        return VK_OK;
    double v[6];
    int n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        errno = 0;
        if (n == 6 || !*p || isspace((unsigned char)*p))
            return vk_fail(ei, VK_EPARAM, name, "%s must be %s numbers separated by commas", name,
                           allow6 ? "4 or 6" : "4");
        v[n++] = strtod(p, &end);
        if (end == p || errno || !isfinite(v[n - 1]))
            return vk_fail(ei, VK_EPARAM, name, "%s: number %d is not a number", name, n);
        if (*end == '\0')
            break;
        if (*end != ',')
            return vk_fail(ei, VK_EPARAM, name, "%s must be numbers separated by commas", name);
        p = end + 1;
    }
    if (n != 4 && !(allow6 && n == 6))
        return vk_fail(ei, VK_EPARAM, name, "%s must have %s numbers, not %d", name,
                       allow6 ? "4 or 6" : "4", n);
    double in[4] = {v[0], v[1], v[n == 6 ? 3 : 2], v[n == 6 ? 4 : 3]};
    int geographic = crs == GIS_CRS_CRS84 || crs == GIS_CRS_4326;
    int xy = crs != GIS_CRS_4326; /* EPSG:4326 is latitude first */
    int lon_a = xy ? 0 : 1, lon_b = xy ? 2 : 3; /* where the longitudes are */
    int crosses = geographic && in[lon_a] > in[lon_b];
    if (in[1 - lon_a] > in[3 - lon_a] || (!crosses && in[lon_a] > in[lon_b]) || (crosses && !split))
        return vk_fail(ei, VK_EPARAM, name,
                       crosses ? "%s: the lower corner must come first (boxes across the "
                                 "antimeridian are not supported)"
                               : "%s: the lower corner must come first",
                       name);
    if (geographic) {
        double lon0 = in[lon_a], lat0 = in[1 - lon_a];
        double lon1 = in[lon_b], lat1 = in[3 - lon_a];
        if (lon0 < -180 || lon0 > 180 || lon1 < -180 || lon1 > 180 || lat0 < -90 || lat1 > 90)
            return vk_fail(ei, VK_EPARAM, name,
                           "%s is outside -180…180 longitude or -90…90 latitude", name);
    }
    /* Across the antimeridian (OGC API Part 1): west edge to 180, and -180
     * to the east edge. */
    double parts[2][4];
    memcpy(parts[0], in, sizeof in);
    memcpy(parts[1], in, sizeof in);
    if (crosses) {
        parts[0][lon_b] = 180;
        parts[1][lon_a] = -180;
    }
    for (int i = 0; i < 1 + crosses; i++)
        if (gis_proj_bbox_to_storage(proj, crs, parts[i], out[i]) != VK_OK)
            return vk_fail(ei, VK_EPARAM, name, "%s cannot be transformed from %s", name,
                           gis_crs_uri(crs));
    *nboxes = 1 + crosses;
    return VK_OK;
}

vk_err vk_param_bbox(const vk_req *req, const char *name, gis_proj *proj, gis_crs crs,
                     int allow6, double out[4], int *has, vk_errinfo *ei)
{
    double boxes[2][4];
    vk_err e = read_bbox(req, name, proj, crs, allow6, 0, boxes, has, ei);
    if (!e && *has)
        memcpy(out, boxes[0], sizeof boxes[0]);
    return e;
}

vk_err vk_param_bbox_split(const vk_req *req, const char *name, gis_proj *proj, gis_crs crs,
                           int allow6, double out[2][4], int *n, vk_errinfo *ei)
{
    return read_bbox(req, name, proj, crs, allow6, 1, out, n, ei);
}

vk_err vk_param_list(const vk_req *req, const char *name, size_t max_chars, int max_items,
                     const char **items, int *n, vk_errinfo *ei)
{
    const char *s = vk_req_param(req, name);
    *n = 0;
    if (!s)
        return VK_OK;
    size_t len = strlen(s);
    if (len == 0 || len > max_chars || s[0] == ',' || s[len - 1] == ',' || strstr(s, ",,"))
        return vk_fail(ei, VK_EPARAM, name, "%s must be a comma-separated list", name);
    for (const char *p = s; *p;) {
        size_t k = strcspn(p, ",");
        if (*n == max_items)
            return vk_fail(ei, VK_EPARAM, name, "%s: at most %d values", name, max_items);
        if (!(items[(*n)++] = vk_arena_strndup(req->arena, p, k)))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        p += k + (p[k] == ',');
    }
    return VK_OK;
}
