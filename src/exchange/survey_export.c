/*
 * survey_export.c — a survey's answers as GeoPackage, CSV and GeoJSON
 * (survey_export.h).
 *
 * The wide table (one row per response) is read from one query that gives
 * a response's answers one after another: a row is complete when the
 * response id changes, so only one response is ever held, whatever their
 * number.
 */
#include "exchange/survey_export.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/roles.h"
#include "db/stmt.h"
#include "exchange/export.h"
#include "exchange/gpkg.h"
#include "http/params.h"
#include "survey/layers.h"

#define CHUNK (64 * 1024)
#define CRS_WHY "use CRS84, EPSG:4326, EPSG:3067 or EPSG:3879"

/* ---- the wide table ---- */

static const store_column response_columns[] = {
    {"response", "", CQL2_Q_STRING, "The response's id", NULL, 0},
    {"submitted", "", CQL2_Q_DATETIME, "When it was sent", NULL, 0},
    {"version", "", CQL2_Q_INTEGER, "The survey version it answered", NULL, 0},
    {"language", "", CQL2_Q_STRING, "fi, sv or en", NULL, 0},
};
#define NRESPONSE ((int)(sizeof response_columns / sizeof response_columns[0]))

typedef struct wide {
    const survey_layers *s;
    store_collection table; /* the columns, as a collection without geometry */
    store_column *cols;
    int ncols;
    int *first;            /* per question: its first column */
    store_value *values;
    store_item item;
    vk_arena row;          /* the current row's texts */
    db_row *cur;           /* survey_answers_cursor */
    int pending;           /* cur stands on the next response's first row */
    int ended;             /* cur is done: stepping again would start over */
} wide;

/* a + sep + b in the arena. */
static char *join(vk_arena *a, const char *x, const char *sep, const char *y)
{
    size_t n = strlen(x) + strlen(sep) + strlen(y) + 1;
    char *s = vk_arena_alloc(a, n);
    if (s)
        snprintf(s, n, "%s%s%s", x, sep, y);
    return s;
}

static char *name2(vk_arena *a, const char *key, const char *suffix)
{
    return join(a, key, ".", suffix);
}

static store_column column(const char *name, cql2_qtype type)
{
    return (store_column){name, "", type, NULL, NULL, 0};
}

/* A question's own column: its key, unless a response column has that
 * name (a question keyed "language": answer_language, as the layers name
 * such follow-ups). */
static const char *own_name(vk_arena *a, const char *key)
{
    for (int i = 0; i < NRESPONSE; i++)
        if (strcmp(response_columns[i].name, key) == 0)
            return join(a, "answer", "_", key);
    return key;
}

/* The table's columns from the survey's questions (arena a). */
static vk_err wide_columns(wide *w, vk_arena *a, const char *name)
{
    const survey_layers *s = w->s;
    int n = NRESPONSE;
    for (int i = 0; i < s->nquestions; i++)
        n += (s->questions[i].kind == SURVEY_COL_CHOICE ? s->questions[i].nchoices : 1) +
             s->questions[i].other;
    w->cols = vk_arena_alloc(a, sizeof *w->cols * (size_t)n);
    w->first = vk_arena_alloc(a, sizeof *w->first * (size_t)(s->nquestions + 1));
    w->values = vk_arena_alloc(a, sizeof *w->values * (size_t)n);
    if (!w->cols || !w->first || !w->values)
        return VK_ENOMEM;
    memcpy(w->cols, response_columns, sizeof response_columns);
    n = NRESPONSE;
    for (int i = 0; i < s->nquestions; i++) {
        const survey_question *q = &s->questions[i];
        w->first[i] = n;
        const char *own = own_name(a, q->key);
        if (!own)
            return VK_ENOMEM;
        switch (q->kind) {
        case SURVEY_COL_NUMBER: w->cols[n++] = column(own, CQL2_Q_NUMBER); break;
        case SURVEY_COL_BOOL: w->cols[n++] = column(own, CQL2_Q_INTEGER); break;
        case SURVEY_COL_CHOICE:
            for (int c = 0; c < q->nchoices; c++)
                if (!(w->cols[n++] = column(name2(a, q->key, q->choices[c]), CQL2_Q_INTEGER)).name)
                    return VK_ENOMEM;
            break;
        default: w->cols[n++] = column(own, CQL2_Q_STRING);
        }
        if (q->other && !(w->cols[n++] = column(name2(a, q->key, "other"), CQL2_Q_STRING)).name)
            return VK_ENOMEM;
    }
    w->ncols = n;
    w->table = (store_collection){.id = name, .title = name, .description = name,
                                  .id_sql = "", .columns = w->cols, .ncolumns = n};
    w->item.values = w->values;
    return VK_OK;
}

static vk_err wide_open(wide *w, store_conn *c, const survey_layers *s, vk_arena *a,
                        const char *name, vk_errinfo *ei)
{
    memset(w, 0, sizeof *w);
    w->s = s;
    vk_arena_init(&w->row, 0);
    if (wide_columns(w, a, name))
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    w->cur = survey_answers_cursor(c, s->id, ei);
    return w->cur ? VK_OK : VK_EDB;
}

static void wide_close(wide *w)
{
    if (w->cur)
        db_cursor_end(w->cur);
    w->cur = NULL;
    vk_arena_fini(&w->row);
}

static void set_text(wide *w, int col, const char *text)
{
    w->values[col].type = text ? STORE_TEXT : STORE_NULL;
    w->values[col].text = text ? vk_arena_strdup(&w->row, text) : NULL;
    w->values[col].len = text ? strlen(text) : 0;
    if (text && !w->values[col].text)
        w->values[col].type = STORE_NULL;
}

static void set_int(wide *w, int col, int64_t v)
{
    w->values[col].type = STORE_INT;
    w->values[col].i = v;
}

/* "other, what?" as {"other": text}: 1 and its text into the other column. */
static int put_other(wide *w, const survey_question *q, int col, const json_t *v)
{
    const char *other = json_string_value(json_object_get(v, "other"));
    if (!other || !q->other)
        return 0;
    set_text(w, col, other);
    return 1;
}

/* One answer (value: its JSON text) into the row's columns. */
static void wide_answer(wide *w, int qi, const char *text)
{
    const survey_question *q = &w->s->questions[qi];
    int col = w->first[qi];
    int other_col = col + (q->kind == SURVEY_COL_CHOICE ? q->nchoices : 1);
    json_error_t jerr;
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, &jerr) : NULL;
    if (!v)
        return;
    switch (q->kind) {
    case SURVEY_COL_NUMBER:
        if (json_is_integer(v)) {
            set_int(w, col, json_integer_value(v));
        } else if (json_is_real(v)) {
            w->values[col].type = STORE_REAL;
            w->values[col].d = json_real_value(v);
        }
        break;
    case SURVEY_COL_BOOL:
        if (json_is_boolean(v))
            set_int(w, col, json_is_true(v));
        break;
    case SURVEY_COL_TEXT:
        if (json_is_string(v))
            set_text(w, col, json_string_value(v));
        else if (put_other(w, q, other_col, v))
            set_text(w, col, "other");
        else
            set_text(w, col, text);
        break;
    case SURVEY_COL_CHOICE: {
        size_t i;
        const json_t *c;
        for (int k = 0; k < q->nchoices; k++)
            set_int(w, col + k, 0);
        json_array_foreach(v, i, c) {
            for (int k = 0; json_is_string(c) && k < q->nchoices; k++)
                if (strcmp(json_string_value(c), q->choices[k]) == 0)
                    set_int(w, col + k, 1);
            put_other(w, q, other_col, c);
        }
        break;
    }
    default: set_text(w, col, text);
    }
    json_decref(v);
}

static int question_index(const survey_layers *s, const char *key)
{
    for (int i = 0; key && i < s->nquestions; i++)
        if (strcmp(s->questions[i].key, key) == 0)
            return i;
    return -1;
}

/* The next response as w->item: 1, 0 at the end, -1 on error (ei). */
static int wide_next(wide *w, vk_errinfo *ei)
{
    if (w->ended)
        return 0;
    int rc = w->pending ? 1 : db_cursor_step(w->cur);
    w->pending = 0;
    w->ended = rc == 0;
    if (rc <= 0) {
        if (rc < 0)
            vk_fail(ei, VK_EDB, "", "reading the answers failed");
        return rc;
    }
    vk_arena_reset(&w->row);
    for (int i = 0; i < w->ncols; i++)
        w->values[i].type = STORE_NULL;
    int64_t id = db_col_int64(w->cur, 0);
    w->item.id = id;
    set_text(w, 0, db_col_text(w->cur, 1));
    set_text(w, 1, db_col_text(w->cur, 2));
    set_int(w, 2, db_col_int64(w->cur, 3));
    set_text(w, 3, db_col_text(w->cur, 4));
    do {
        int qi = question_index(w->s, db_col_text(w->cur, 5));
        if (qi >= 0 && !db_col_int(w->cur, 7))
            wide_answer(w, qi, db_col_text(w->cur, 6));
        rc = db_cursor_step(w->cur);
    } while (rc == 1 && db_col_int64(w->cur, 0) == id);
    if (rc < 0) {
        vk_fail(ei, VK_EDB, "", "reading the answers failed");
        return -1;
    }
    w->pending = rc == 1;
    w->ended = rc == 0;
    return 1;
}

/* ---- requests ---- */

/* The survey of the path for staff who may read surveys (planner, council,
 * admin), its collections in arena a. */
static vk_err load(vk_ctx *ctx, const vk_req *req, vk_arena *a, survey_layers *s, gis_crs *crs)
{
    static const char *const known[] = {"crs", NULL};
    vk_err e = vk_req_only_params(req, known, &ctx->err);
    if (e)
        return e;
    if (!req->staff || req->staff->role == VK_ROLE_MODERATOR)
        return vk_fail(&ctx->err, VK_EFORBIDDEN, "",
                       "survey exports are for planners, the council and admins");
    if (crs && (e = vk_param_crs(req, "crs", CRS_WHY, crs, &ctx->err)))
        return e;
    int found = 0;
    e = survey_layers_load(ctx, a, req->args[0], 1, s, &found, &ctx->err);
    if (!e && !found)
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "slug", "there is no published survey '%.64s'",
                    vk_utf8_valid(req->args[0], strlen(req->args[0]), NULL) ? req->args[0] : "?");
    return e;
}

/* Export one collection chosen by pick from the loaded survey. */
static vk_err export_collection(vk_ctx *ctx, const vk_req *req, vk_resp *resp,
                                api_export_format fmt, const char *question, const char *file)
{
    api_export_held *h = api_export_held_new();
    if (!h)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    survey_layers s;
    gis_crs crs;
    vk_err e = load(ctx, req, api_export_held_arena(h), &s, &crs);
    const store_collection *col = NULL;
    if (!e)
        col = question ? survey_layers_find(&s, question) : &s.features;
    if (!e && !col)
        e = vk_fail(&ctx->err, VK_ENOT_FOUND, "question", "the survey has no map question '%.40s'",
                    vk_utf8_valid(question, strlen(question), NULL) ? question : "?");
    if (e) {
        api_export_held_free(h);
        return e;
    }
    e = api_export_held_send(h, ctx, resp, col, fmt, crs);
    if (!e) /* s lives in h's arena, alive until the download ends */
        api_export_attachment(req, resp, s.slug, file, fmt);
    return e;
}

vk_err api_survey_export_features(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    return export_collection(ctx, req, resp, EXPORT_CSV, NULL, "features.csv");
}

vk_err api_survey_export_geojson(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    char file[64];
    snprintf(file, sizeof file, "%.40s.geojson", req->args[1]);
    return export_collection(ctx, req, resp, EXPORT_GEOJSON, req->args[1], file);
}

/* responses.csv: the wide table streamed from a connection of its own. */
typedef struct responses_csv {
    vk_arena arena;
    vk_ctx *ctx;  /* owned */
    survey_layers s;
    wide w;
    vk_buf pending;
    size_t pos;
    int finished;
} responses_csv;

static void csv_header(responses_csv *r)
{
    vk_buf_puts(&r->pending, "\xEF\xBB\xBF");
    for (int i = 0; i < r->w.ncols; i++) {
        if (i)
            vk_buf_putc(&r->pending, ',');
        api_csv_field(&r->pending, r->w.cols[i].name);
    }
    vk_buf_puts(&r->pending, "\r\n");
}

static long responses_read(void *arg, char *buf, size_t max)
{
    responses_csv *r = arg;
    vk_errinfo ei;
    if (r->pos == r->pending.len) {
        vk_buf_reset(&r->pending);
        r->pos = 0;
        while (r->pending.len < CHUNK && !r->finished) {
            int rc = wide_next(&r->w, &ei);
            if (rc < 0)
                return -1;
            if (rc == 0) {
                r->finished = 1;
                break;
            }
            for (int i = 0; i < r->w.ncols; i++) {
                if (i)
                    vk_buf_putc(&r->pending, ',');
                api_csv_value(&r->pending, &r->w.values[i]);
            }
            vk_buf_puts(&r->pending, "\r\n");
        }
        if (!vk_buf_ok(&r->pending))
            return -1;
    }
    size_t n = r->pending.len - r->pos;
    if (n > max)
        n = max;
    memcpy(buf, r->pending.data + r->pos, n);
    r->pos += n;
    return (long)n;
}

static void responses_close(void *arg)
{
    responses_csv *r = arg;
    wide_close(&r->w);
    vk_ctx_free(r->ctx);
    vk_buf_fini(&r->pending);
    vk_arena_fini(&r->arena);
    free(r);
}

vk_err api_survey_export_responses(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    responses_csv *r = calloc(1, sizeof *r);
    if (!r)
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    vk_arena_init(&r->arena, 0);
    vk_buf_init(&r->pending, 256u * 1024 * 1024);
    vk_arena_init(&r->w.row, 0);
    api_export_slot *slot = NULL;
    vk_err e = load(ctx, req, &r->arena, &r->s, NULL);
    if (!e)
        e = api_export_reserve(ctx, resp, &slot);
    if (!e)
        e = vk_ctx_open(&r->ctx, ctx->cfg, &ctx->err);
    if (!e)
        e = wide_open(&r->w, r->ctx->store, &r->s, &r->arena, "answers", &ctx->err);
    if (e) {
        api_export_release(slot);
        responses_close(r);
        return e;
    }
    csv_header(r);
    api_export_attachment(req, resp, r->s.slug, "responses.csv", EXPORT_CSV);
    api_export_send(slot, resp, responses_read, responses_close, r);
    return VK_OK;
}

/* export.gpkg: built into a temporary file, then sent. */
typedef struct gpkg_job {
    vk_ctx *ctx;
    const vk_req *req;
    const survey_layers *s;
    gis_crs crs;
} gpkg_job;

static vk_err gpkg_build(void *arg, const char *path, vk_errinfo *ei)
{
    gpkg_job *j = arg;
    const survey_layers *s = j->s;
    int srid = gis_crs_epsg(j->crs);
    store_gpkg *g = NULL;
    vk_err e = VK_OK;
    for (int i = 0; !e && i < s->nlayers; i++) {
        /* The layer is named after its question. */
        store_collection *col = vk_arena_alloc(j->req->arena, sizeof *col);
        if (!col) {
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
            break;
        }
        *col = s->layers[i];
        col->id = s->layer_questions[i];
        e = i == 0 ? store_gpkg_create(&g, path, col, srid, ei) : store_gpkg_add_layer(g, col, ei);
        if (!e)
            e = api_export_gpkg_layer(j->ctx, &s->layers[i], j->crs, g, ei);
    }
    wide w;
    /* A map question may be called "answers": the table then is not. */
    const char *table = survey_layers_find(s, "answers") ? "other_answers" : "answers";
    if (!e)
        e = wide_open(&w, j->ctx->store, s, j->req->arena, table, ei);
    else
        memset(&w, 0, sizeof w);
    if (!e)
        e = g ? store_gpkg_add_layer(g, &w.table, ei)
              : store_gpkg_create(&g, path, &w.table, srid, ei);
    int rc = 0;
    while (!e && (rc = wide_next(&w, ei)) == 1)
        e = store_gpkg_add(g, &w.item, NULL, 0, ei);
    if (!e && rc < 0)
        e = VK_EDB;
    wide_close(&w);
    if (g && e)
        store_gpkg_abort(g);
    else if (g)
        e = store_gpkg_finish(g, ei);
    return e;
}

vk_err api_survey_export_gpkg(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    survey_layers s;
    gis_crs crs;
    vk_err e = load(ctx, req, req->arena, &s, &crs);
    if (e)
        return e;
    gpkg_job job = {ctx, req, &s, crs};
    api_export_attachment(req, resp, s.slug, "export.gpkg", EXPORT_GPKG);
    return api_export_file(ctx, req, resp, gpkg_build, &job);
}
