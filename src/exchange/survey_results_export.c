/*
 * survey_results_export.c — survey results as CSV and GeoPackage
 * (survey_results_export.h).
 *
 * Both start from the results document of survey/results.h, so a figure
 * in a file is the figure the JSON gives: the document is flattened into
 * long-form rows (one walk, written to CSV or to the GeoPackage's table
 * "figures"), and the map questions' grids and district counts become
 * layers.
 */
#include "exchange/survey_results_export.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/areas.h"
#include "exchange/export.h"
#include "exchange/gpkg.h"
#include "gis/hex.h"
#include "survey/layers.h"
#include "survey/results.h"

/* ---- the long-form rows ---- */

/* A row: question, figure, key, column (text or NULL), n, features, value
 * (JSON numbers or NULL). */
typedef struct fig_row {
    const char *question, *figure, *key, *column;
    const json_t *n, *features, *value;
} fig_row;

typedef void (*row_fn)(void *arg, const fig_row *r);

typedef struct walker {
    row_fn fn;
    void *arg;
} walker;

static void emit(walker *w, const char *q, const char *figure, const char *key, const char *column,
                 const json_t *n, const json_t *features, const json_t *value)
{
    fig_row r = {q, figure, key, column, n, features, value};
    w->fn(w->arg, &r);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const json_t *get(const json_t *o, const char *k)
{
    return json_object_get(o, k);
}

/* Rows of a list of {key, n, …} objects (choices, items …) with value
 * member vkey. */
static void keyed_rows(walker *w, const char *q, const char *figure, const json_t *list,
                       const char *vkey)
{
    size_t i;
    const json_t *o;
    json_array_foreach(list, i, o) {
        emit(w, q, figure, str(o, "key"), NULL, get(o, "n"), NULL, get(o, vkey));
    }
}

static void mean_median(walker *w, const char *q, const json_t *o)
{
    if (json_object_get(o, "mean"))
        emit(w, q, "mean", NULL, NULL, get(o, "n"), NULL, get(o, "mean"));
    if (json_object_get(o, "median") && json_is_number(get(o, "median")))
        emit(w, q, "median", NULL, NULL, get(o, "n"), NULL, get(o, "median"));
}

static void question_rows(walker *w, const char *q, const json_t *o);

static void map_rows(walker *w, const char *q, const json_t *o)
{
    size_t i;
    const json_t *x;
    emit(w, q, "features", NULL, NULL, get(o, "n"), get(o, "features"), NULL);
    json_array_foreach(get(o, "districts"), i, x) {
        emit(w, q, "district", str(x, "code") ? str(x, "code") : "", NULL, get(x, "n"),
             get(x, "features"), NULL);
    }
    json_array_foreach(get(o, "places"), i, x) {
        emit(w, q, "place", str(x, "key"), NULL, get(x, "n"), get(x, "features"), NULL);
    }
    json_array_foreach(get(get(o, "hex"), "cells"), i, x) {
        char cell[48];
        snprintf(cell, sizeof cell, "%lld/%lld", (long long)json_integer_value(get(x, "q")),
                 (long long)json_integer_value(get(x, "r")));
        emit(w, q, "hex", cell, NULL, get(x, "n"), get(x, "features"), NULL);
    }
    json_array_foreach(get(o, "followups"), i, x) {
        char fq[128];
        snprintf(fq, sizeof fq, "%s.%s", q, str(x, "key") ? str(x, "key") : "");
        question_rows(w, fq, x);
        size_t k;
        const json_t *d;
        json_array_foreach(get(x, "by_district"), k, d) {
            const char *code = str(d, "code") ? str(d, "code") : "";
            emit(w, fq, "district", code, NULL, get(d, "n"), get(d, "features"), NULL);
            const char *ck;
            const json_t *cv;
            json_object_foreach((json_t *)get(d, "choices"), ck, cv) {
                emit(w, fq, "district_choice", code, ck, cv, NULL, NULL);
            }
            if (json_is_number(get(d, "mean")))
                emit(w, fq, "district_mean", code, NULL, get(d, "n"), NULL, get(d, "mean"));
        }
    }
}

static void question_rows(walker *w, const char *q, const json_t *o)
{
    const char *type = str(o, "type");
    size_t i;
    const json_t *x;
    if (!type || json_is_true(get(o, "personal")))
        return;
    emit(w, q, "answered", NULL, NULL, get(o, "n"), get(o, "features"), NULL);
    emit(w, q, "skipped", NULL, NULL, get(o, "skipped"), NULL, NULL);
    if (!strcmp(type, "single-choice") || !strcmp(type, "multi-choice") ||
        !strcmp(type, "place-choice")) {
        keyed_rows(w, q, "choice", get(o, "choices"), "share");
        if (get(o, "other"))
            emit(w, q, "other", NULL, NULL, get(get(o, "other"), "n"), NULL,
                 get(get(o, "other"), "share"));
    } else if (!strcmp(type, "scale")) {
        json_array_foreach(get(o, "distribution"), i, x) {
            char v[32];
            snprintf(v, sizeof v, "%lld", (long long)json_integer_value(get(x, "value")));
            emit(w, q, "scale", v, NULL, get(x, "n"), NULL, get(x, "share"));
        }
        mean_median(w, q, o);
    } else if (!strcmp(type, "number")) {
        json_array_foreach(get(o, "distribution"), i, x) {
            char v[80];
            snprintf(v, sizeof v, "%.10g..%.10g", json_number_value(get(x, "from")),
                     json_number_value(get(x, "to")));
            emit(w, q, "bin", v, NULL, get(x, "n"), NULL, NULL);
        }
        mean_median(w, q, o);
    } else if (!strcmp(type, "date")) {
        json_array_foreach(get(o, "distribution"), i, x) {
            emit(w, q, "date", str(x, "value"), NULL, get(x, "n"), NULL, NULL);
        }
    } else if (!strcmp(type, "ranking")) {
        keyed_rows(w, q, "borda", get(o, "items"), "borda");
        keyed_rows(w, q, "mean_rank", get(o, "items"), "mean_rank");
    } else if (!strcmp(type, "matrix")) {
        json_array_foreach(get(o, "rows"), i, x) {
            size_t k;
            const json_t *c;
            json_array_foreach(get(x, "cells"), k, c) {
                emit(w, q, "matrix", str(x, "key"), str(c, "column"), get(c, "n"), NULL,
                     get(c, "share"));
            }
        }
    }
    if (get(o, "basket")) {
        keyed_rows(w, q, "amount", get(o, "items"), "amount");
        json_array_foreach(get(get(o, "basket"), "items"), i, x) {
            emit(w, q, "basket", json_string_value(x), NULL, NULL, NULL, NULL);
        }
    }
    if (get(o, "located"))
        map_rows(w, q, o);
}

static void document_rows(walker *w, const json_t *doc)
{
    const json_t *sum = get(doc, "summary");
    size_t i;
    const json_t *x;
    emit(w, "", "respondents", NULL, NULL, get(doc, "n"), NULL, get(doc, "total"));
    emit(w, "", "completion", NULL, NULL, get(get(sum, "completion"), "n"), NULL,
         get(get(sum, "completion"), "rate"));
    emit(w, "", "seconds", NULL, NULL, get(get(sum, "seconds"), "n"), NULL,
         get(get(sum, "seconds"), "median"));
    emit(w, "", "without_map", NULL, NULL, get(get(sum, "without_map"), "n"), NULL,
         get(get(sum, "without_map"), "share"));
    json_array_foreach(get(sum, "languages"), i, x) {
        emit(w, "", "language", str(x, "key"), NULL, get(x, "n"), NULL, NULL);
    }
    json_array_foreach(get(doc, "timeline"), i, x) {
        emit(w, "", "timeline", str(x, "date"), NULL, get(x, "n"), NULL, NULL);
    }
    json_array_foreach(get(doc, "questions"), i, x) {
        question_rows(w, str(x, "key"), x);
    }
}

/* ---- CSV ---- */

static const char *const csv_columns[] = {"question", "figure", "key", "column",
                                          "n", "features", "value"};

static void csv_number(vk_buf *b, const json_t *v)
{
    if (json_is_integer(v))
        vk_json_int(b, json_integer_value(v));
    else if (json_is_real(v))
        vk_buf_printf(b, "%.10g", json_real_value(v));
}

static void csv_row(void *arg, const fig_row *r)
{
    vk_buf *b = arg;
    const char *texts[] = {r->question, r->figure, r->key, r->column};
    for (int i = 0; i < 4; i++) {
        if (i)
            vk_buf_putc(b, ',');
        api_csv_field(b, texts[i] ? texts[i] : "");
    }
    const json_t *nums[] = {r->n, r->features, r->value};
    for (int i = 0; i < 3; i++) {
        vk_buf_putc(b, ',');
        csv_number(b, nums[i]);
    }
    vk_buf_puts(b, "\r\n");
}

static const char *const export_params[] = {"filter", "district", "from", "to", "size", NULL};

/* The request read and the results computed (every text, no cap). */
static vk_err compute(vk_ctx *ctx, const vk_req *req, vk_resp *resp, results_request *r,
                      json_t **doc, int *not_modified)
{
    vk_err e = results_request_read(ctx, req, export_params, r);
    *doc = NULL;
    *not_modified = 0;
    if (e)
        return e;
    if ((*not_modified = results_not_modified(req, resp, r->stamp)))
        return VK_OK;
    r->opts.texts = 0; /* texts are in responses.csv */
    return survey_results_compute(ctx, r->survey_id, r->def, &r->filter, &r->opts, doc,
                                  &ctx->err);
}

vk_err api_survey_results_csv(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    results_request r;
    json_t *doc;
    int current;
    vk_err e = compute(ctx, req, resp, &r, &doc, &current);
    if (e || current)
        return e;
    vk_buf *b = &resp->body;
    vk_buf_puts(b, "\xEF\xBB\xBF"); /* a BOM, so spreadsheets read UTF-8 */
    for (int i = 0; i < 7; i++) {
        if (i)
            vk_buf_putc(b, ',');
        vk_buf_puts(b, csv_columns[i]);
    }
    vk_buf_puts(b, "\r\n");
    walker w = {csv_row, b};
    document_rows(&w, doc);
    json_decref(doc);
    if (!vk_buf_ok(b))
        return vk_fail(&ctx->err, VK_ENOMEM, "", "the results are too large");
    api_export_attachment(req, resp, r.slug, "results.csv", EXPORT_CSV);
    return VK_OK;
}

/* ---- GeoPackage ---- */

typedef struct gpkg_results {
    vk_ctx *ctx;
    const vk_req *req;
    results_request *r;
    json_t *doc;
    survey_layers layers;
} gpkg_results;

static store_column col_of(const char *name, cql2_qtype t)
{
    return (store_column){name, "", t, NULL, NULL, 0};
}

/* Four columns in the request's arena (layers live until the file is
 * done); NULL without memory. */
static store_column *columns4(vk_arena *a, const char *const names[4], const cql2_qtype types[4])
{
    store_column *c = vk_arena_alloc(a, 4 * sizeof *c);
    for (int i = 0; c && i < 4; i++)
        c[i] = col_of(names[i], types[i]);
    return c;
}

static void set_num(store_value *v, const json_t *j)
{
    if (json_is_integer(j))
        *v = (store_value){STORE_INT, json_integer_value(j), 0, NULL, 0};
    else if (json_is_real(j))
        *v = (store_value){STORE_REAL, 0, json_real_value(j), NULL, 0};
    else
        *v = (store_value){STORE_NULL, 0, 0, NULL, 0};
}

static void set_text(store_value *v, const char *s)
{
    *v = s ? (store_value){STORE_TEXT, 0, 0, s, strlen(s)} : (store_value){STORE_NULL, 0, 0, NULL, 0};
}

/* The figures table: the CSV's rows. */
typedef struct fig_sink {
    store_gpkg *g;
    int64_t id;
    vk_err e;
    vk_errinfo *ei;
} fig_sink;

static void gpkg_row(void *arg, const fig_row *r)
{
    fig_sink *s = arg;
    if (s->e)
        return;
    store_value v[7];
    set_text(&v[0], r->question);
    set_text(&v[1], r->figure);
    set_text(&v[2], r->key);
    set_text(&v[3], r->column);
    set_num(&v[4], r->n);
    set_num(&v[5], r->features);
    set_num(&v[6], r->value);
    store_item it = {.id = ++s->id, .values = v};
    s->e = store_gpkg_add(s->g, &it, NULL, 0, s->ei);
}

/* ISO WKB of a closed ring polygon from xy (n points, not repeated). */
static size_t polygon_wkb(unsigned char *out, const double *xy, int n)
{
    size_t k = 0;
    uint32_t type = 3, rings = 1, pts = (uint32_t)n + 1;
    out[k++] = 1; /* little endian */
    memcpy(out + k, &type, 4);
    k += 4;
    memcpy(out + k, &rings, 4);
    k += 4;
    memcpy(out + k, &pts, 4);
    k += 4;
    for (int i = 0; i <= n; i++) {
        memcpy(out + k, &xy[(i % n) * 2], 8);
        memcpy(out + k + 8, &xy[(i % n) * 2 + 1], 8);
        k += 16;
    }
    return k;
}

static vk_err hex_layer(gpkg_results *j, store_gpkg *g, const char *q, const json_t *hex,
                        vk_errinfo *ei)
{
    static const char *const names[4] = {"q", "r", "n", "features"};
    static const cql2_qtype types[4] = {CQL2_Q_INTEGER, CQL2_Q_INTEGER, CQL2_Q_INTEGER,
                                        CQL2_Q_INTEGER};
    store_column *cols = columns4(j->req->arena, names, types);
    char *name = vk_arena_alloc(j->req->arena, strlen(q) + 8);
    store_collection *col = vk_arena_alloc(j->req->arena, sizeof *col);
    if (!cols || !name || !col)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    snprintf(name, strlen(q) + 8, "%s_hex", q);
    *col = (store_collection){.id = name, .title = name, .description = name,
                              .geometry_type = "Polygon", .id_sql = "", .columns = cols,
                              .ncolumns = 4};
    vk_err e = store_gpkg_add_layer(g, col, ei);
    gis_hex_grid grid;
    gis_hex_grid_init(&grid, json_number_value(get(hex, "size")));
    size_t i;
    const json_t *c;
    json_array_foreach(get(hex, "cells"), i, c) {
        if (e)
            break;
        double xy[12];
        unsigned char wkb[13 + 7 * 16];
        gis_hex_corners(&grid, (int32_t)json_integer_value(get(c, "q")),
                        (int32_t)json_integer_value(get(c, "r")), xy);
        size_t n = polygon_wkb(wkb, xy, 6);
        store_value v[4];
        set_num(&v[0], get(c, "q"));
        set_num(&v[1], get(c, "r"));
        set_num(&v[2], get(c, "n"));
        set_num(&v[3], get(c, "features"));
        store_item it = {.id = (int64_t)i + 1, .values = v};
        e = store_gpkg_add(g, &it, wkb, n, ei);
    }
    return e;
}

/* District polygons in EPSG:3067 with a question's counts. */
typedef struct district_job {
    gpkg_results *j;
    store_gpkg *g;
    const json_t *counts; /* the question's "districts" */
    int64_t id;
    vk_err e;
    vk_errinfo *ei;
} district_job;

static int district_row(void *arg, const store_area *a)
{
    district_job *d = arg;
    size_t i;
    const json_t *c, *hit = NULL;
    json_array_foreach(d->counts, i, c) {
        if (str(c, "code") && !strcmp(str(c, "code"), a->code))
            hit = c;
    }
    if (!hit)
        return 0;
    unsigned char *wkb = malloc(a->wkb_len);
    if (!wkb) {
        d->e = vk_fail(d->ei, VK_ENOMEM, "", NULL);
        return 1;
    }
    memcpy(wkb, a->wkb, a->wkb_len);
    if ((d->e = gis_proj_wkb_from_storage_en(d->j->ctx->proj, GIS_CRS_3067, wkb, a->wkb_len))) {
        free(wkb);
        vk_fail(d->ei, d->e, "", "a district could not be projected");
        return 1;
    }
    store_value v[4];
    set_text(&v[0], a->code);
    set_text(&v[1], a->name[0]);
    set_num(&v[2], get(hit, "n"));
    set_num(&v[3], get(hit, "features"));
    store_item it = {.id = ++d->id, .values = v};
    d->e = store_gpkg_add(d->g, &it, wkb, a->wkb_len, d->ei);
    free(wkb);
    return d->e != VK_OK;
}

static vk_err district_layer(gpkg_results *j, store_gpkg *g, const char *q, const json_t *counts,
                             vk_errinfo *ei)
{
    static const char *const names[4] = {"code", "name", "n", "features"};
    static const cql2_qtype types[4] = {CQL2_Q_STRING, CQL2_Q_STRING, CQL2_Q_INTEGER,
                                        CQL2_Q_INTEGER};
    store_column *cols = columns4(j->req->arena, names, types);
    char *name = vk_arena_alloc(j->req->arena, strlen(q) + 12);
    store_collection *col = vk_arena_alloc(j->req->arena, sizeof *col);
    if (!cols || !name || !col)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    snprintf(name, strlen(q) + 12, "%s_districts", q);
    *col = (store_collection){.id = name, .title = name, .description = name,
                              .geometry_type = "MultiPolygon", .id_sql = "", .columns = cols,
                              .ncolumns = 4};
    vk_err e = store_gpkg_add_layer(g, col, ei);
    district_job d = {j, g, counts, 0, VK_OK, ei};
    if (!e)
        e = store_area_each(j->ctx->store, STORE_AREA_DISTRICT, district_row, &d, ei);
    return e ? e : d.e;
}

static vk_err gpkg_build(void *arg, const char *path, vk_errinfo *ei)
{
    gpkg_results *j = arg;
    store_column fig_cols[7];
    for (int i = 0; i < 7; i++)
        fig_cols[i] = col_of(csv_columns[i], i < 4 ? CQL2_Q_STRING : CQL2_Q_NUMBER);
    /* A map question may be called "figures": the table then is not. */
    const char *table = survey_layers_find(&j->layers, "figures") ? "results_figures" : "figures";
    store_collection figures = {.id = table, .title = table, .description = table,
                                .id_sql = "", .columns = fig_cols, .ncolumns = 7};
    store_gpkg *g = NULL;
    vk_err e = store_gpkg_create(&g, path, &figures, 3067, ei);
    fig_sink sink = {g, 0, VK_OK, ei};
    walker w = {gpkg_row, &sink};
    if (!e) {
        document_rows(&w, j->doc);
        e = sink.e;
    }
    size_t i;
    const json_t *q;
    json_array_foreach(get(j->doc, "questions"), i, q) {
        if (e)
            break;
        const char *key = str(q, "key");
        const store_collection *layer = survey_layers_find(&j->layers, key);
        if (!layer || !get(q, "located"))
            continue;
        store_collection *col = vk_arena_alloc(j->req->arena, sizeof *col);
        if (!col) {
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
            break;
        }
        *col = *layer;
        col->id = key;
        if (!(e = store_gpkg_add_layer(g, col, ei)))
            e = api_export_gpkg_layer(j->ctx, layer, GIS_CRS_3067, g, ei);
        if (!e && get(q, "hex"))
            e = hex_layer(j, g, key, get(q, "hex"), ei);
        if (!e)
            e = district_layer(j, g, key, get(q, "districts"), ei);
    }
    if (g && e)
        store_gpkg_abort(g);
    else if (g)
        e = store_gpkg_finish(g, ei);
    return e;
}

vk_err api_survey_results_gpkg(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    results_request r;
    gpkg_results j = {ctx, req, &r, NULL, {0}};
    int current, found = 0;
    vk_err e = compute(ctx, req, resp, &r, &j.doc, &current);
    if (e || current)
        return e;
    if (!(e = survey_layers_load(ctx, req->arena, r.slug, 1, &j.layers, &found, &ctx->err)) &&
        !found)
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no published survey '%s'",
                    r.slug);
    if (!e) {
        api_export_attachment(req, resp, r.slug, "results.gpkg", EXPORT_GPKG);
        e = api_export_file(ctx, req, resp, gpkg_build, &j);
    }
    json_decref(j.doc);
    return e;
}
