/*
 * items.c — item queries and feature output shared by every collection
 * endpoint. Every condition a request asks for (property filters, CQL2)
 * becomes one CQL2 tree, compiled once into bound SQL; bbox and datetime
 * go to the store's indexed conditions.
 */
#include "features/items.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include <jansson.h>
#include "core/json.h"
#include "http/params.h"
#include "features/count_grid.h"

void api_items_init(api_items *it, const store_collection *col)
{
    memset(it, 0, sizeof *it);
    it->col = col;
    it->q.limit = ITEMS_LIMIT_DEFAULT;
    it->crs = GIS_CRS_CRS84;
    it->nprops = -1;
}

static cql2_expr *new_expr(vk_arena *a, cql2_kind kind)
{
    cql2_expr *e = vk_arena_alloc(a, sizeof *e);
    if (e)
        memset(e, 0, sizeof *e);
    if (e)
        e->kind = kind;
    return e;
}

cql2_expr *api_items_and(vk_arena *a, cql2_expr *filter, cql2_expr *e)
{
    if (!filter)
        return e;
    if (!e)
        return filter;
    cql2_expr *and = new_expr(a, CQL2_AND);
    if (and) {
        and->left = filter;
        and->right = e;
    }
    return and;
}

cql2_expr *api_items_or(vk_arena *a, cql2_expr *l, cql2_expr *r)
{
    cql2_expr *or = l && r ? new_expr(a, CQL2_OR) : NULL;
    if (or) {
        or->left = l;
        or->right = r;
    }
    return or;
}

cql2_expr *api_items_is_null(vk_arena *a, const char *property, int negated)
{
    cql2_expr *e = new_expr(a, CQL2_ISNULL);
    if (e) {
        e->property = property;
        e->negated = negated;
    }
    return e;
}

cql2_expr *api_items_eq_text(vk_arena *a, const char *property, const char *value)
{
    cql2_expr *e = new_expr(a, CQL2_CMP);
    cql2_literal *lit = vk_arena_alloc(a, sizeof *lit);
    if (!e || !lit)
        return NULL;
    memset(lit, 0, sizeof *lit);
    lit->kind = CQL2_LIT_STRING;
    lit->text = value;
    e->op = CQL2_EQ;
    e->property = property;
    e->values = lit;
    e->nvalues = 1;
    return e;
}

/* property IN (n literals, zeroed for the caller to fill); NULL when n is
 * out of range or out of memory. */
static cql2_expr *new_in(vk_arena *a, const char *property, int n)
{
    if (n < 1 || n > CQL2_MAX_LIST)
        return NULL;
    cql2_expr *e = new_expr(a, CQL2_IN);
    cql2_literal *lits = vk_arena_alloc(a, sizeof *lits * (size_t)n);
    if (!e || !lits)
        return NULL;
    memset(lits, 0, sizeof *lits * (size_t)n);
    e->property = property;
    e->values = lits;
    e->nvalues = n;
    return e;
}

cql2_expr *api_items_in_list(vk_arena *a, const char *property, const char *list)
{
    int n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    cql2_expr *e = new_in(a, property, n);
    if (!e)
        return NULL;
    cql2_literal *lits = e->values;
    const char *p = list;
    for (int i = 0; i < n; i++) {
        size_t len = strcspn(p, ",");
        lits[i].kind = CQL2_LIT_STRING;
        lits[i].text = vk_arena_strndup(a, p, len);
        if (!lits[i].text)
            return NULL;
        p += len + (p[len] == ',');
    }
    return e;
}

cql2_expr *api_items_cmp_time(vk_arena *a, const char *property, cql2_op op,
                              const char *timestamp)
{
    cql2_expr *e = api_items_eq_text(a, property, timestamp);
    if (e) {
        e->op = op;
        e->values[0].kind = CQL2_LIT_TIMESTAMP;
    }
    return e;
}

cql2_expr *api_items_in_ids(vk_arena *a, const int64_t *ids, int n)
{
    cql2_expr *e = new_in(a, "id", n);
    if (!e)
        return NULL;
    for (int i = 0; i < n; i++) {
        e->values[i].kind = CQL2_LIT_NUMBER;
        e->values[i].number = (double)ids[i];
    }
    return e;
}

void api_items_near(api_items *it, double lon, double lat, double r)
{
    /* Metres per degree are at least 110 574 m of latitude and
     * 111 320·cos(lat) of longitude; 1 % extra covers the ellipsoid. */
    double dlat = r / 110574.0 * 1.01 + 1e-7;
    double c = cos(lat * M_PI / 180.0);
    double dlon = c > 0.01 ? r / (111320.0 * c) * 1.01 + 1e-7 : 180;
    it->q.has_bbox = 1;
    it->q.bbox[0] = fmax(lon - dlon, -180);
    it->q.bbox[1] = fmax(lat - dlat, -90);
    it->q.bbox[2] = fmin(lon + dlon, 180);
    it->q.bbox[3] = fmin(lat + dlat, 90);
    it->q.has_near = 1;
    it->q.near[0] = lon;
    it->q.near[1] = lat;
    it->q.near[2] = r;
}

/* Geometry literals come in the filter CRS; the store wants lon/lat. */
static vk_err transform_literals(vk_ctx *ctx, vk_arena *a, cql2_expr *e, gis_crs crs, int depth)
{
    if (!e || depth > CQL2_MAX_DEPTH + 2)
        return VK_OK;
    if (e->kind == CQL2_INTERSECTS && crs != GIS_CRS_CRS84) {
        for (int i = 0; i < e->nvalues; i++) {
            cql2_literal *lit = &e->values[i];
            if (lit->kind != CQL2_LIT_GEOMETRY)
                continue;
            unsigned char *copy = vk_arena_alloc(a, lit->wkb_len);
            if (!copy)
                return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
            memcpy(copy, lit->wkb, lit->wkb_len);
            if (gis_proj_wkb_to_storage(ctx->proj, crs, copy, lit->wkb_len) != VK_OK)
                return vk_fail(&ctx->err, VK_EPARAM, "filter",
                               "filter: a geometry cannot be transformed from %s", gis_crs_uri(crs));
            lit->wkb = copy;
        }
    }
    vk_err err = transform_literals(ctx, a, e->left, crs, depth + 1);
    return err ? err : transform_literals(ctx, a, e->right, crs, depth + 1);
}

vk_err api_items_compile(vk_ctx *ctx, const vk_req *req, api_items *it, gis_crs filter_crs)
{
    if (!it->filter)
        return VK_OK;
    const store_collection *col = it->col;
    int nstaff = it->q.staff_view ? store_feedback_staff_ncolumns : 0;
    int nfilters = it->q.staff_view ? store_feedback_staff_nfilters : 0;
    cql2_queryable *qs = vk_arena_alloc(
        req->arena, sizeof *qs * (size_t)(col->ncolumns + nstaff + nfilters + 2));
    if (!qs)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    for (int i = 0; i < col->ncolumns; i++)
        qs[i] = (cql2_queryable){col->columns[i].name, col->columns[i].sql, col->columns[i].type};
    qs[col->ncolumns] = (cql2_queryable){"geometry", col->geom_sql, CQL2_Q_GEOMETRY};
    size_t nq = (size_t)col->ncolumns + 1;
    for (int i = 0; i < nstaff + nfilters; i++) {
        const store_column *sc = i < nstaff ? &store_feedback_staff_columns[i]
                                            : &store_feedback_staff_filters[i - nstaff];
        qs[nq++] = (cql2_queryable){sc->name, sc->sql, sc->type};
    }
    /* Integer ids can be filtered (Open311 service_request_id lists). */
    if (!col->id_is_text)
        qs[nq++] = (cql2_queryable){"id", col->id_sql, CQL2_Q_INTEGER};
    vk_err e = transform_literals(ctx, req->arena, it->filter, filter_crs, 0);
    if (e)
        return e;
    vk_buf sql;
    vk_buf_init(&sql, 1 << 20);
    e = cql2_sql_compile(it->filter, qs, nq, STORE_ITEMS_FIRST_PARAM, &sql,
                         &it->params, req->arena, &ctx->err);
    if (!e && !vk_buf_ok(&sql))
        e = vk_fail(&ctx->err, VK_EPARAM, "filter", "filter is too large");
    if (!e) {
        it->q.where = vk_arena_strndup(req->arena, sql.data, sql.len);
        it->q.params = &it->params;
        if (!it->q.where)
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    vk_buf_fini(&sql);
    return e;
}

/* ---- the filters every items request and export accepts ---- */

static vk_err param_crs(vk_ctx *ctx, const vk_req *req, const char *name, gis_crs *out)
{
    return vk_param_crs(req, name, API_ITEMS_CRS_WHY, out, &ctx->err);
}

/* limit, offset and after: too large a limit is clamped, as the standard says. */
static vk_err param_int(vk_ctx *ctx, const vk_req *req, const char *name, long long min,
                        long long max, long long *out)
{
    return vk_param_int(req, name, min, max, VK_PARAM_CLAMP, out, &ctx->err);
}

static vk_err param_datetime(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    vk_interval t;
    vk_err e = vk_param_interval(req, "datetime", &t, &ctx->err);
    if (e || !t.given)
        return e;
    memcpy(it->time_start, t.start, sizeof t.start);
    memcpy(it->time_end, t.end, sizeof t.end);
    if (!it->col->time_sql)
        return vk_fail(&ctx->err, VK_EPARAM, "datetime",
                       "datetime: the items of %s have no time to filter by", it->col->id);
    it->q.time_start = t.start[0] ? it->time_start : NULL;
    it->q.time_end = t.end[0] ? it->time_end : NULL;
    return VK_OK;
}

/* sortby=+a,-b: queryables only, ascending unless '-'; pages then go by
 * offset (the next link's keyset is by id). */
static vk_err param_sortby(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    const char *keys[16];
    int n = 0;
    vk_errinfo *ei = &ctx->err;
    vk_err e = vk_param_list(req, "sortby", 1000, 16, keys, &n, ei);
    if (e || !n)
        return e;
    if (it->q.after)
        return vk_fail(ei, VK_EPARAM, "after",
                       "after pages in id order; with sortby, page with offset (the next link does)");
    vk_buf o;
    vk_buf_init(&o, 8192);
    for (int k = 0; k < n; k++) {
        const char *name = keys[k];
        int desc = name[0] == '-';
        if (name[0] == '-' || name[0] == '+' || name[0] == ' ') /* '+' arrives as ' ' decoded */
            name++;
        int c = 0;
        while (c < it->col->ncolumns && strcmp(it->col->columns[c].name, name) != 0)
            c++;
        if (c == it->col->ncolumns || it->col->columns[c].json) {
            vk_buf_fini(&o);
            const char *shown = vk_utf8_valid(name, strlen(name), NULL) && strlen(name) < 64 ? name : "?";
            return vk_fail(ei, VK_EPARAM, "sortby",
                           "sortby: %s is not a property to sort %s by; see its queryables", shown,
                           it->col->id);
        }
        vk_buf_printf(&o, "%s%s %s", k ? ", " : "", it->col->columns[c].sql, desc ? "DESC" : "ASC");
    }
    it->q.order_sql = vk_buf_ok(&o) ? vk_arena_strdup(req->arena, o.data) : NULL;
    vk_buf_fini(&o);
    return it->q.order_sql ? VK_OK : vk_fail(ei, VK_ENOMEM, "", NULL);
}

/* properties=a,b: only these properties in each feature. */
static vk_err param_properties(vk_ctx *ctx, const vk_req *req, api_items *it)
{
    const char *names[64];
    int n = 0;
    vk_err e = vk_param_list(req, "properties", 4000, 64, names, &n, &ctx->err);
    if (e || !vk_req_param(req, "properties"))
        return e;
    it->nprops = 0;
    for (int k = 0; k < n; k++) {
        int c = 0;
        while (c < it->col->ncolumns && strcmp(it->col->columns[c].name, names[k]) != 0)
            c++;
        if (c == it->col->ncolumns) {
            const char *shown =
                vk_utf8_valid(names[k], strlen(names[k]), NULL) && strlen(names[k]) < 64 ? names[k] : "?";
            return vk_fail(&ctx->err, VK_EPARAM, "properties",
                           "properties: %s is not a property of %s; see its queryables", shown,
                           it->col->id);
        }
        it->props[it->nprops++] = c;
        it->q.columns |= c < 64 ? (uint64_t)1 << c : 0;
    }
    /* Only these are read from the database, not merely written. */
    it->q.some_columns = it->col->ncolumns <= 64;
    return VK_OK;
}

/* A bbox across the antimeridian: its two boxes as a CQL2 condition
 * (the R*Tree takes one box), in CRS84 like the storage. */
static vk_err antimeridian_filter(vk_ctx *ctx, const vk_req *req, api_items *it,
                                  double boxes[2][4], gis_crs filter_crs)
{
    vk_errinfo *ei = &ctx->err;
    if (filter_crs != GIS_CRS_CRS84)
        return vk_fail(ei, VK_EPARAM, "bbox",
                       "a bbox across the antimeridian cannot be combined with a filter-crs other "
                       "than CRS84; split the box in two requests");
    char text[400];
    snprintf(text, sizeof text,
             "S_INTERSECTS(geometry, BBOX(%.17g, %.17g, %.17g, %.17g)) OR "
             "S_INTERSECTS(geometry, BBOX(%.17g, %.17g, %.17g, %.17g))",
             boxes[0][0], boxes[0][1], boxes[0][2], boxes[0][3], boxes[1][0], boxes[1][1],
             boxes[1][2], boxes[1][3]);
    cql2_expr *f = NULL;
    vk_err e = cql2_parse(text, strlen(text), req->arena, &f, ei);
    if (e)
        return vk_fail(ei, VK_EPARAM, "bbox", "bbox: %s", ei->message);
    if (!(it->filter = api_items_and(req->arena, it->filter, f)))
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    return VK_OK;
}

/* A property filter (?category=lighting): text compared as it is, other
 * types through the CQL2 parser as a literal. A comma list of text is any
 * of them (?status=received,in_progress). */
static vk_err property_filter(vk_ctx *ctx, const vk_req *req, api_items *it,
                              const store_column *c, const char *v)
{
    vk_errinfo *ei = &ctx->err;
    cql2_expr *eq = NULL;
    if (c->type == CQL2_Q_STRING) {
        eq = api_items_eq_text(req->arena, c->name, v);
    } else {
        size_t n = strlen(c->name) + strlen(v) + 32;
        char *text = vk_arena_alloc(req->arena, n);
        if (text && c->type == CQL2_Q_DATETIME)
            snprintf(text, n, "\"%s\" = TIMESTAMP('%s')", c->name, v);
        else if (text)
            snprintf(text, n, "\"%s\" = %s", c->name, v);
        if (!text || strchr(v, '\'') || cql2_parse(text, strlen(text), req->arena, &eq, ei) != VK_OK)
            return vk_fail(ei, VK_EPARAM, c->name, "%s: not a valid value", c->name);
    }
    if (!eq || !(it->filter = api_items_and(req->arena, it->filter, eq)))
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    return VK_OK;
}

vk_err api_items_params(vk_ctx *ctx, const vk_req *req, api_items *it, int flags,
                        const char *const *extra)
{
    static const char *const fixed[] = {"bbox", "bbox-crs", "datetime", "crs", "filter",
                                        "filter-lang", "filter-crs", NULL};
    static const char *const paging[] = {"limit", "offset", "after", "sortby", "properties", NULL};
    const store_collection *col = it->col;
    vk_errinfo *ei = &ctx->err;
    if (req->params_overflow)
        return vk_fail(ei, VK_EPARAM, "", "too many query parameters");
    /* Unknown parameters are errors; queryable names are property filters. */
    for (int i = 0; i < req->nparams; i++) {
        const char *k = req->params[i].key;
        int known = 0;
        for (int f = 0; fixed[f] && !known; f++)
            known = strcmp(k, fixed[f]) == 0;
        for (int f = 0; (flags & API_ITEMS_PAGING) && paging[f] && !known; f++)
            known = strcmp(k, paging[f]) == 0;
        for (int f = 0; extra && extra[f] && !known; f++)
            known = strcmp(k, extra[f]) == 0;
        for (int c = 0; c < col->ncolumns && !known; c++) {
            if (strcmp(k, col->columns[c].name) != 0)
                continue;
            known = 1;
            vk_err e = property_filter(ctx, req, it, &col->columns[c], req->params[i].value);
            if (e)
                return e;
        }
        if (!known) {
            const char *shown = vk_utf8_valid(k, strlen(k), NULL) && strlen(k) < 64 ? k : "?";
            return vk_fail(ei, VK_EUNKNOWN_PARAM, shown,
                           "unknown query parameter '%s'; see /ogcapi/api for what is accepted",
                           shown);
        }
    }
    vk_err e;
    gis_crs bbox_crs, filter_crs;
    if (flags & API_ITEMS_PAGING) {
        long long limit = ITEMS_LIMIT_DEFAULT, offset = 0, after = 0;
        if ((e = param_int(ctx, req, "limit", 1, ITEMS_LIMIT_MAX, &limit)) ||
            (e = param_int(ctx, req, "offset", 0, INT64_MAX / 2, &offset)) ||
            (e = param_int(ctx, req, "after", 0, INT64_MAX / 2, &after)))
            return e;
        it->q.limit = limit;
        it->q.offset = offset;
        it->q.after = col->id_is_text ? 0 : after;
        if ((e = param_sortby(ctx, req, it)) || (e = param_properties(ctx, req, it)))
            return e;
    } else {
        it->q.limit = -1;
    }
    if ((e = param_crs(ctx, req, "crs", &it->crs)) ||
        (e = param_crs(ctx, req, "bbox-crs", &bbox_crs)) ||
        (e = param_crs(ctx, req, "filter-crs", &filter_crs)) || (e = param_datetime(ctx, req, it)))
        return e;
    double boxes[2][4];
    int nboxes = 0;
    if ((e = vk_param_bbox_split(req, "bbox", ctx->proj, bbox_crs, 1, boxes, &nboxes, ei)))
        return e;
    if (!nboxes && vk_req_param(req, "bbox-crs"))
        return vk_fail(ei, VK_EPARAM, "bbox-crs", "bbox-crs is given without a bbox");
    if (nboxes == 1) {
        memcpy(it->q.bbox, boxes[0], sizeof boxes[0]);
        it->q.has_bbox = 1;
    } else if (nboxes == 2 && (e = antimeridian_filter(ctx, req, it, boxes, filter_crs))) {
        return e;
    }
    const char *lang = vk_req_param(req, "filter-lang");
    if (lang && strcmp(lang, "cql2-text") != 0)
        return vk_fail(ei, VK_EPARAM, "filter-lang", "filter-lang: only cql2-text is supported");
    const char *filter = vk_req_param(req, "filter");
    if (filter) {
        size_t n = strlen(filter);
        cql2_expr *f = NULL;
        if (n > CQL2_MAX_TEXT)
            return vk_fail(ei, VK_EPARAM, "filter", "filter is longer than %d bytes", CQL2_MAX_TEXT);
        if (!vk_utf8_valid(filter, n, NULL))
            return vk_fail(ei, VK_EPARAM, "filter", "filter is not valid UTF-8");
        if ((e = cql2_parse(filter, n, req->arena, &f, ei)))
            return e;
        if (!(it->filter = api_items_and(req->arena, it->filter, f)))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    return api_items_compile(ctx, req, it, filter_crs);
}

void api_item_value(vk_buf *b, const store_value *v, int json)
{
    /* A JSON column holds text that the database checked (json_valid). */
    if (json && v->type == STORE_TEXT && v->text) {
        vk_buf_add(b, v->text, v->len);
        return;
    }
    switch (v->type) {
    case STORE_INT: vk_json_int(b, v->i); break;
    case STORE_REAL: vk_json_num(b, v->d); break;
    case STORE_TEXT:
        if (v->text)
            vk_json_str(b, v->text, v->len);
        else
            vk_buf_add(b, "null", 4);
        break;
    default: vk_buf_puts(b, "null");
    }
}

vk_err api_item_write(vk_ctx *ctx, const api_items *it, const store_item *item, vk_buf *b)
{
    const store_collection *col = it->col;
    vk_buf_puts(b, "{\"type\":\"Feature\",\"id\":");
    if (col->id_is_text)
        vk_json_str_or_null(b, item->id_text);
    else
        vk_json_int(b, item->id);
    vk_buf_puts(b, ",\"geometry\":");
    /* No geometry (a survey answer placed by district or in words): null. */
    vk_err e = VK_OK;
    if (!item->wkb)
        vk_buf_puts(b, "null");
    else
        e = it->crs == GIS_CRS_CRS84
                ? gis_wkb_to_geojson(item->wkb, item->wkb_len, b)
                : gis_wkb_to_geojson_crs(ctx->proj, it->crs, item->wkb, item->wkb_len, b);
    if (e)
        return e;
    vk_buf_puts(b, ",\"properties\":{");
    int n = it->nprops < 0 ? col->ncolumns : it->nprops;
    /* No printf per value: this runs for every feature of every page. */
    for (int k = 0; k < n; k++) {
        int i = it->nprops < 0 ? k : it->props[k];
        vk_json_key(b, col->columns[i].name);
        api_item_value(b, &item->values[i], col->columns[i].json);
    }
    for (int i = 0; it->q.staff_view && i < store_feedback_staff_ncolumns; i++) {
        vk_json_key(b, store_feedback_staff_columns[i].name);
        api_item_value(b, &item->values[col->ncolumns + i], store_feedback_staff_columns[i].json);
    }
    if (it->q.has_near && it->q.near_order) {
        vk_json_key(b, "distance_m");
        vk_json_int(b, (int64_t)llround(item->distance));
    }
    vk_buf_putc(b, '}');
    if (it->links_path) {
        char num[VK_FMT_INT_SIZE];
        vk_fmt_int(num, item->id);
        api_item_links(b, it->links_base, it->links_path, it->links_title,
                       col->id_is_text ? (item->id_text ? item->id_text : "") : num);
    }
    vk_buf_putc(b, '}');
    return vk_buf_ok(b) ? VK_OK : VK_ENOMEM;
}

const char *api_base_url(const vk_req *req)
{
    return req->base_url ? req->base_url : "http://127.0.0.1";
}

/* Percent-encode a query component. */
static void url_encode(vk_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (; *p; p++) {
        if (isalnum(*p) || strchr("-_.~", *p))
            continue;
        vk_buf_add(b, run, (size_t)(p - run));
        char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        vk_buf_add(b, esc, 3);
        run = p + 1;
    }
    vk_buf_add(b, run, (size_t)(p - run));
}

/* A link href: base + path + the request's parameters, with offset,
 * limit and (for keyset paging) after set anew. */
static void write_href(vk_buf *b, const vk_req *req, const char *path, int64_t offset, int64_t limit,
                       int64_t after)
{
    vk_buf url;
    vk_buf_init(&url, 64 * 1024);
    vk_buf_puts(&url, api_base_url(req));
    vk_buf_puts(&url, path);
    char sep = '?';
    for (int i = 0; i < req->nparams; i++) {
        const char *k = req->params[i].key;
        if (strcmp(k, "offset") == 0 || strcmp(k, "limit") == 0 || strcmp(k, "after") == 0)
            continue;
        vk_buf_putc(&url, sep);
        sep = '&';
        url_encode(&url, k);
        vk_buf_putc(&url, '=');
        url_encode(&url, req->params[i].value);
    }
    vk_buf_printf(&url, "%climit=%lld", sep, (long long)limit);
    if (offset > 0)
        vk_buf_printf(&url, "&offset=%lld", (long long)offset);
    if (after > 0)
        vk_buf_printf(&url, "&after=%lld", (long long)after);
    vk_json_str(b, url.data ? url.data : "", url.data ? url.len : 0);
    vk_buf_fini(&url);
}

void api_item_links(vk_buf *b, const char *base, const char *path, const char *title,
                    const char *id)
{
    vk_buf_puts(b, ",\"links\":[{\"href\":\"");
    vk_buf_puts(b, base);
    vk_buf_puts(b, path);
    vk_buf_puts(b, "/items/");
    url_encode(b, id);
    vk_buf_puts(b, "\",\"rel\":\"self\",\"type\":\"application/geo+json\",\"title\":"
                   "\"This item\"},{\"href\":\"");
    vk_buf_puts(b, base);
    vk_buf_puts(b, path);
    vk_buf_puts(b, "\",\"rel\":\"collection\",\"type\":\"application/json\",\"title\":");
    vk_json_str_or_null(b, title);
    vk_buf_puts(b, "}]");
}

typedef struct {
    vk_ctx *ctx;
    const api_items *it;
    vk_buf *b;
    int64_t n;
    int64_t last_id; /* for the next link's keyset */
    vk_err err;
} collection_writer;

static int write_first(void *arg, const store_item *item)
{
    collection_writer *w = arg;
    w->n = 1;
    w->err = api_item_write(w->ctx, w->it, item, w->b);
    return 1;
}

vk_err api_items_write_one(vk_ctx *ctx, api_items *it, vk_buf *out, int *found)
{
    collection_writer w = {ctx, it, out, 0, 0, VK_OK};
    it->q.limit = 1;
    vk_err e = store_items_each(ctx->store, it->col, &it->q, write_first, &w, &ctx->err);
    if (!e && w.err)
        e = vk_fail(&ctx->err, w.err, "", NULL);
    *found = w.n > 0;
    return e;
}

static int write_one(void *arg, const store_item *item)
{
    collection_writer *w = arg;
    if (w->n++)
        vk_buf_putc(w->b, ',');
    w->last_id = item->id;
    w->err = api_item_write(w->ctx, w->it, item, w->b);
    return w->err != VK_OK;
}

vk_err api_items_write_collection(vk_ctx *ctx, const vk_req *req, api_items *it,
                                  const char *self_path, vk_resp *resp)
{
    /* numberMatched counts the whole selection, not what is after the key. */
    int64_t matched = 0;
    store_items_query all = it->q;
    all.after = 0;
    int handled = 0;
    /* A box with a filter or datetime: the count grid also picks the page
     * (the same ids the SQL would give in id order), so SQLite reads only
     * the page's rows instead of walking the box until `limit` match. */
    store_items_query page = it->q;
    int64_t *ids = NULL, nids = 0;
    int select = page.has_bbox && !store_items_rtree_order(&page) && !page.order_sql &&
                 !page.has_near && page.limit >= 0;
    vk_err e = select ? count_grid_select(ctx->counts, ctx->store, it->col, &page, it->filter,
                                          COUNT_GRID_BY_ID, &matched, &ids, NULL, &nids, &handled,
                                          &ctx->err)
                      : count_grid_count(ctx->counts, ctx->store, it->col, &all, it->filter,
                                         &matched, &handled, &ctx->err);
    if (!e && !handled)
        e = store_items_count(ctx->store, it->col, &all, &matched, &ctx->err);
    if (!e && select && handled) {
        vk_buf list;
        vk_buf_init(&list, 64 * 1024 * 1024);
        vk_buf_putc(&list, '[');
        for (int64_t i = 0; i < nids; i++)
            vk_buf_printf(&list, "%s%lld", i ? "," : "", (long long)ids[i]);
        vk_buf_putc(&list, ']');
        page.ids_json = vk_buf_ok(&list) ? vk_arena_strndup(req->arena, list.data, list.len) : NULL;
        page.offset = 0;
        page.after = 0;
        page.limit = -1;
        vk_buf_fini(&list);
        if (!page.ids_json)
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    }
    free(ids);
    if (e)
        return e;
    vk_buf *b = &resp->body;
    resp->content_type = "application/geo+json";
    vk_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    collection_writer w = {ctx, it, b, 0, 0, VK_OK};
    e = store_items_each(ctx->store, it->col, &page, write_one, &w, &ctx->err);
    if (!e && w.err)
        e = vk_fail(&ctx->err, w.err, "", NULL);
    if (e)
        return e;
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    vk_buf_printf(b, "],\"numberMatched\":%lld,\"numberReturned\":%lld,\"timeStamp\":\"%s\",\"links\":[",
                  (long long)matched, (long long)w.n, now);
    int64_t limit = it->q.limit, offset = it->q.offset;
    vk_buf_puts(b, "{\"rel\":\"self\",\"type\":\"application/geo+json\",\"title\":\"this page\",\"href\":");
    write_href(b, req, self_path, offset, limit, it->q.after);
    vk_buf_putc(b, '}');
    if (offset + w.n < matched && w.n > 0) {
        /* Integer ids page by key: the next page starts after the last id
         * at the cost of an index seek, however deep it is. */
        vk_buf_puts(b, ",{\"rel\":\"next\",\"type\":\"application/geo+json\",\"title\":\"next page\",\"href\":");
        int keyset = !it->col->id_is_text && !store_items_rtree_order(&it->q) && !it->q.order_sql;
        write_href(b, req, self_path, offset + w.n, limit, keyset ? w.last_id : 0);
        vk_buf_putc(b, '}');
    }
    if (offset > 0) {
        vk_buf_puts(b, ",{\"rel\":\"prev\",\"type\":\"application/geo+json\",\"title\":\"previous page\",\"href\":");
        write_href(b, req, self_path, offset > limit ? offset - limit : 0, limit, 0);
        vk_buf_putc(b, '}');
    }
    vk_buf_puts(b, "]}");
    if (it->crs != GIS_CRS_CRS84 || strncmp(self_path, "/ogcapi", 7) == 0) {
        char *crs = vk_arena_alloc(req->arena, 128);
        if (crs) {
            snprintf(crs, 128, "<%s>", gis_crs_uri(it->crs));
            vk_resp_header(resp, "Content-Crs", crs);
        }
    }
    return VK_OK;
}

/* ---- collections with items code of their own ---- */

vk_err api_entry_params(vk_ctx *ctx, const vk_req *req, const char *col_id, int single,
                        unsigned can, const char *const *extra, const char *why,
                        api_entry_query *out)
{
    static const char *const page[] = {"limit", "offset", "bbox", "bbox-crs", "crs", "f",
                                       "properties", "datetime", "filter", "filter-lang",
                                       "filter-crs", "sortby", NULL};
    static const char *const one[] = {"crs", "f", NULL};
    vk_errinfo *ei = &ctx->err;
    memset(out, 0, sizeof *out);
    out->limit = ITEMS_LIMIT_DEFAULT;
    out->nprops = -1;
    if (req->params_overflow)
        return vk_fail(ei, VK_EPARAM, "", "too many query parameters");
    for (int i = 0; i < req->nparams; i++) {
        const char *k = req->params[i].key;
        int known = 0;
        for (const char *const *p = single ? one : page; *p && !known; p++)
            known = strcmp(*p, k) == 0;
        for (const char *const *p = extra; p && *p && !known; p++)
            known = strcmp(*p, k) == 0;
        if (!known) {
            const char *shown = vk_utf8_valid(k, strlen(k), NULL) && strlen(k) < 64 ? k : "?";
            return vk_fail(ei, VK_EUNKNOWN_PARAM, shown,
                           "unknown query parameter '%s'; see /ogcapi/api for what is accepted",
                           shown);
        }
    }
    const char *f = vk_req_param(req, "f");
    if (f && strcmp(f, "json") && strcmp(f, "geojson") && strcmp(f, "application/json") &&
        strcmp(f, "application/geo+json"))
        return vk_fail(ei, VK_EPARAM, "f", "f: only json is offered");
    static const char *const refused[] = {"datetime", "filter", "filter-lang", "filter-crs",
                                          "sortby"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (vk_req_param(req, refused[i]))
            return vk_fail(ei, VK_EPARAM, refused[i], "%s: %s %s", refused[i], col_id, why);
    vk_err e;
    gis_crs bbox_crs = GIS_CRS_CRS84;
    const char *crs_why = "unsupported CRS; use one of those listed in the collection's crs";
    if ((e = vk_param_crs(req, "crs", crs_why, &out->crs, ei)))
        return e;
    if (single)
        return VK_OK;
    if ((e = vk_param_int(req, "limit", 1, ITEMS_LIMIT_MAX, VK_PARAM_CLAMP, &out->limit, ei)) ||
        (e = vk_param_int(req, "offset", 0, INT32_MAX, VK_PARAM_CLAMP, &out->offset, ei)) ||
        (e = vk_param_crs(req, "bbox-crs", crs_why, &bbox_crs, ei)))
        return e;
    if (vk_req_param(req, "bbox") && !(can & API_ENTRY_BBOX))
        return vk_fail(ei, VK_EPARAM, "bbox", "bbox: %s %s", col_id, why);
    if ((e = vk_param_bbox_split(req, "bbox", ctx->proj, bbox_crs, 1, out->boxes, &out->nboxes,
                                 ei)))
        return e;
    if (!out->nboxes && vk_req_param(req, "bbox-crs"))
        return vk_fail(ei, VK_EPARAM, "bbox-crs", "bbox-crs is given without a bbox");
    if (vk_req_param(req, "properties") &&
        (e = vk_param_list(req, "properties", 4000, API_ENTRY_MAX_PROPS, out->props, &out->nprops,
                           ei)))
        return e;
    return VK_OK;
}

int api_entry_box_meets(const api_entry_query *q, const double box[4])
{
    if (!q->nboxes)
        return 1;
    for (int i = 0; i < q->nboxes; i++) {
        const double *b = q->boxes[i];
        if (box[0] <= b[2] && b[0] <= box[2] && box[1] <= b[3] && b[1] <= box[3])
            return 1;
    }
    return 0;
}

vk_err api_entry_feature_done(vk_ctx *ctx, const vk_req *req, vk_buf *b, size_t start,
                              const api_entry_query *q, const char *col_id,
                              const char *col_title, const char *feature_id)
{
    if (!vk_buf_ok(b) || b->len < start + 2)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    if (q->nprops >= 0) {
        /* Small features (areas, cells): parse, keep the asked ones, write back. */
        json_t *feat = json_loadb(b->data + start, b->len - start, 0, NULL);
        json_t *props = json_object_get(feat, "properties"), *kept = json_object();
        for (int i = 0; feat && kept && i < q->nprops; i++) {
            json_t *v = json_object_get(props, q->props[i]);
            if (!v) {
                json_decref(feat);
                json_decref(kept);
                const char *n = q->props[i];
                const char *shown = vk_utf8_valid(n, strlen(n), NULL) && strlen(n) < 64 ? n : "?";
                return vk_fail(&ctx->err, VK_EPARAM, "properties",
                               "properties: %s is not a property of %s; see its queryables",
                               shown, col_id);
            }
            json_object_set(kept, q->props[i], v);
        }
        char *text = NULL;
        if (feat && kept && json_object_set_new(feat, "properties", kept) == 0)
            text = json_dumps(feat, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        else
            json_decref(kept);
        json_decref(feat);
        if (!text)
            return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
        b->len = start;
        vk_buf_puts(b, text);
        free(text);
    }
    char path[200];
    snprintf(path, sizeof path, "/ogcapi/collections/%s", col_id);
    b->len--; /* reopen the feature object */
    api_item_links(b, api_base_url(req), path, col_title, feature_id);
    vk_buf_putc(b, '}');
    return vk_buf_ok(b) ? VK_OK : vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
}

void api_entry_page_end(vk_buf *b, const vk_req *req, const char *self_path,
                        const api_entry_query *q, int64_t written, int64_t matched)
{
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    vk_buf_printf(b, ",\"numberMatched\":%lld,\"numberReturned\":%lld,\"timeStamp\":\"%s\","
                     "\"links\":[{\"rel\":\"self\",\"type\":\"application/geo+json\","
                     "\"title\":\"this page\",\"href\":",
                  (long long)matched, (long long)written, now);
    write_href(b, req, self_path, q->offset, q->limit, 0);
    vk_buf_putc(b, '}');
    if (q->offset + written < matched && written > 0) {
        vk_buf_puts(b, ",{\"rel\":\"next\",\"type\":\"application/geo+json\",\"title\":"
                       "\"next page\",\"href\":");
        write_href(b, req, self_path, q->offset + written, q->limit, 0);
        vk_buf_putc(b, '}');
    }
    if (q->offset > 0) {
        vk_buf_puts(b, ",{\"rel\":\"prev\",\"type\":\"application/geo+json\",\"title\":"
                       "\"previous page\",\"href\":");
        write_href(b, req, self_path, q->offset > q->limit ? q->offset - q->limit : 0, q->limit, 0);
        vk_buf_putc(b, '}');
    }
    vk_buf_putc(b, ']');
}
