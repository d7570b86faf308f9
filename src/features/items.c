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
#include "features/count_grid.h"

void api_items_init(api_items *it, const store_collection *col)
{
    memset(it, 0, sizeof *it);
    it->col = col;
    it->q.limit = ITEMS_LIMIT_DEFAULT;
    it->crs = GIS_CRS_CRS84;
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

void api_item_value(vk_buf *b, const store_value *v, int json)
{
    /* A JSON column holds text that the database checked (json_valid). */
    if (json && v->type == STORE_TEXT && v->text) {
        vk_buf_puts(b, v->text);
        return;
    }
    switch (v->type) {
    case STORE_INT: vk_json_int(b, v->i); break;
    case STORE_REAL: vk_json_num(b, v->d); break;
    case STORE_TEXT: vk_json_str_or_null(b, v->text); break;
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
    for (int i = 0; i < col->ncolumns; i++) {
        vk_buf_printf(b, "%s\"%s\":", i ? "," : "", col->columns[i].name);
        api_item_value(b, &item->values[i], col->columns[i].json);
    }
    for (int i = 0; it->q.staff_view && i < store_feedback_staff_ncolumns; i++) {
        vk_buf_printf(b, ",\"%s\":", store_feedback_staff_columns[i].name);
        api_item_value(b, &item->values[col->ncolumns + i], store_feedback_staff_columns[i].json);
    }
    if (it->q.has_near && it->q.near_order)
        vk_buf_printf(b, ",\"distance_m\":%lld", (long long)llround(item->distance));
    vk_buf_puts(b, "}}");
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
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-_.~", *p)) {
            vk_buf_putc(b, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            vk_buf_add(b, esc, 3);
        }
    }
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
    vk_err e = count_grid_count(ctx->counts, ctx->store, it->col, &all, it->filter, &matched,
                                &handled, &ctx->err);
    if (!e && !handled)
        e = store_items_count(ctx->store, it->col, &all, &matched, &ctx->err);
    if (e)
        return e;
    vk_buf *b = &resp->body;
    resp->content_type = "application/geo+json";
    vk_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    collection_writer w = {ctx, it, b, 0, 0, VK_OK};
    e = store_items_each(ctx->store, it->col, &it->q, write_one, &w, &ctx->err);
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
        int keyset = !it->col->id_is_text && !store_items_rtree_order(&it->q);
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
