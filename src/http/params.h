/*
 * params.h — the query-parameter layer: whole numbers, numbers, booleans,
 * CRS, date-times and intervals, bounding boxes and comma lists, read from
 * a request's query with the same errors everywhere.
 *
 * Every function reads the first value of parameter name. An absent
 * parameter is not an error: the output is left as the caller set it (its
 * default) and VK_OK comes back. A bad one gives VK_EPARAM (VK_ENOMEM for
 * the arena) with name as the field and a sentence in ei.
 */
#ifndef VK_HTTP_PARAMS_H
#define VK_HTTP_PARAMS_H

#include "core/clock.h"
#include "core/err.h"
#include "gis/crs.h"
#include "http/request.h"

/* What a value outside [min, max] does, and how the error says it. */
typedef enum {
    /* Refused: "NAME must be between MIN and MAX". */
    VK_PARAM_BETWEEN,
    /* Refused: "NAME must be from MIN to MAX" ("a whole number from" for
     * integers, which then also say it for every malformed value). */
    VK_PARAM_FROM_TO,
    /* Below min refused ("NAME must be at least MIN"), above max clamped
     * to max: OGC API's rule for limit. */
    VK_PARAM_CLAMP,
} vk_param_bounds;

/* A whole number: an optional '-' and digits, nothing else (no '+',
 * spaces or fraction); one that overflows is refused, or clamped with
 * VK_PARAM_CLAMP. */
vk_err vk_param_int(const vk_req *req, const char *name, long long min, long long max,
                    vk_param_bounds bounds, long long *out, vk_errinfo *ei);
/* A finite decimal number in [lo, hi] ("NAME must be a number"). */
vk_err vk_param_number(const vk_req *req, const char *name, double lo, double hi,
                       vk_param_bounds bounds, double *out, vk_errinfo *ei);
/* The same for a value s read elsewhere (a form field), named name. */
vk_err vk_param_number_value(const char *s, const char *name, double lo, double hi,
                             vk_param_bounds bounds, double *out, vk_errinfo *ei);
/* true or false, into *out as 1 or 0. */
vk_err vk_param_bool(const vk_req *req, const char *name, int *out, vk_errinfo *ei);
/* A CRS URI or code gis_crs_parse knows; absent is CRS84. The error is
 * "NAME: " followed by why (which differs between APIs). */
vk_err vk_param_crs(const vk_req *req, const char *name, const char *why, gis_crs *out,
                    vk_errinfo *ei);

/* One end of a time range as text: an RFC 3339 date-time, or a date
 * (YYYY-MM-DD) meaning the day's first second, or with is_end its last.
 * Normalised to UTC seconds into out; -1 when it is neither. */
int vk_param_time_text(const char *s, size_t n, int is_end, char out[VK_RFC3339_LEN]);
/* A date or date-time parameter as vk_param_time_text reads it; out is ""
 * when absent. The error is "NAME must be " followed by what. */
vk_err vk_param_time(const vk_req *req, const char *name, int is_end, const char *what,
                     char out[VK_RFC3339_LEN], vk_errinfo *ei);

/* An OGC API datetime: an instant (a date is the whole day) or an
 * interval start/end where ".." or "" leaves an end open. */
typedef struct {
    int given;                   /* the parameter was there */
    char start[VK_RFC3339_LEN];  /* "" when open */
    char end[VK_RFC3339_LEN];    /* "" when open */
} vk_interval;
vk_err vk_param_interval(const vk_req *req, const char *name, vk_interval *out, vk_errinfo *ei);

/* A bbox of 4 (or, with allow6, 6: the heights are dropped) numbers in
 * crs, lower corner first, transformed into the storage lon/lat envelope
 * out. *has is 1 when the parameter was given. */
vk_err vk_param_bbox(const vk_req *req, const char *name, gis_proj *proj, gis_crs crs,
                     int allow6, double out[4], int *has, vk_errinfo *ei);

/* vk_param_bbox, but a box in a geographic CRS (CRS84, EPSG:4326) whose
 * west edge lies east of its east edge crosses the antimeridian, as OGC
 * API - Features Part 1 allows: it comes back as two boxes (west edge to
 * 180, -180 to east edge), *n 2; otherwise *n is 0 (absent) or 1. */
vk_err vk_param_bbox_split(const vk_req *req, const char *name, gis_proj *proj, gis_crs crs,
                           int allow6, double out[2][4], int *n, vk_errinfo *ei);

/* A comma list of at most max_chars characters and max_items values, none
 * empty, split into items (arena strings, borrowed until the request
 * ends); *n is 0 when absent. */
vk_err vk_param_list(const vk_req *req, const char *name, size_t max_chars, int max_items,
                     const char **items, int *n, vk_errinfo *ei);

#endif
