/*
 * publish_results.c — GET /api/v1/surveys/{slug}/results: the public
 * figures of a survey (docs/survey-publish.md).
 *
 * A snapshot holds the answers the public figures need, one slot per
 * respondent, made when the survey's stamp (version, responses, the
 * publication's revision) changes. A view is a mask over respondents; its
 * figures are one flat vector of counts of respondents (the layout is
 * fixed per snapshot), so the view, the views with one condition fewer
 * and privacy.h's rules line up cell by cell.
 */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "gis/crs.h"
#include "gis/hex.h"
#include "http/params.h"
#include "survey/cache.h"
#include "survey/privacy.h"
#include "survey/publish.h"
#include "survey/publish_internal.h"
#include "survey/publish_sql.h"
#include "survey/store.h"

#define CONDITIONS_MAX 2
#define ANSWERS_KEPT 64   /* cached public answers (all surveys, all queries) */
#define SNAPS_KEPT 16     /* surveys with a snapshot */
#define QUERY_MAX 400
#define DISTRICTS_MAX 1024

typedef enum { PK_CHOICE, PK_MULTI, PK_SCALE, PK_NUMBER, PK_MATRIX, PK_TEXT, PK_MAP, PK_BUDGET,
               PK_COUNT } pkind;

typedef struct pfeat {
    int32_t resp, dist, cell; /* respondent slot; district index or -1; hex cell or -1 */
    double x, y;              /* EPSG:3067 of the centroid (with a geometry) */
    char *geojson;            /* the geometry, kept only for public, unsnapped questions */
} pfeat;

typedef struct pquest {
    const survey_elem *el;
    pkind kind;
    const char **keys; /* choices, places, items or matrix columns */
    int nkeys;
    const char **rows; /* matrix rows */
    int nrows;
    int lo, hi;        /* scale */
    int32_t *val;      /* choice index (nkeys: other) / scale value − lo / matrix column; −1 none */
    uint8_t *bits;     /* multi, budget: slot × (nkeys + 1), the last "other" */
    uint8_t *answered;
    double *num;
    pfeat *feats;
    size_t nfeats, capfeats;
    uint32_t *by_dist, *by_cell; /* feature indices sorted by (district|cell, respondent) */
    size_t nby_dist, nby_cell;
    int32_t (*cells)[2];         /* the hex cells drawn in, (q, r) */
    double (*centre)[2];         /* their centres, lon/lat */
    int ncells;
    int public_q;
    json_t *texts;               /* approved texts (strings, or {followup, text}) */
    size_t off;                  /* its first cell in a view's vector */
} pquest;

typedef struct psnap {
    int64_t survey_id;
    char stamp[96];
    int64_t built_us, cost_us; /* when it was made (monotonic) and how long it took */
    int64_t version;
    int k, snap, hex_size;
    pub_settings set;
    int64_t *rids;
    size_t nresp;
    pquest *q;
    int nq;
    int ndist;
    int64_t *dist_id;
    char **dist_code, **dist_name; /* name: {"fi","sv","en"} JSON */
    size_t ncells;                 /* a view's vector length */
} psnap;

/* ---- building a snapshot ---- */

static void quest_free(pquest *q)
{
    free(q->keys);
    free(q->rows);
    free(q->val);
    free(q->bits);
    free(q->answered);
    free(q->num);
    for (size_t i = 0; i < q->nfeats; i++)
        free(q->feats[i].geojson);
    free(q->feats);
    free(q->by_dist);
    free(q->by_cell);
    free(q->cells);
    free(q->centre);
    json_decref(q->texts);
}

static void snap_free(psnap *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nq; i++)
        quest_free(&s->q[i]);
    free(s->q);
    free(s->rids);
    for (int i = 0; i < s->ndist; i++) {
        free(s->dist_code[i]);
        free(s->dist_name[i]);
    }
    free(s->dist_id);
    free(s->dist_code);
    free(s->dist_name);
    pub_settings_fini(&s->set);
    free(s);
}

/* The keys of a list member (choices, rows, columns, items) of el, or of
 * the survey's places for a place-choice. */
static int list_keys(const json_t *list, const char ***out)
{
    size_t n = json_array_size(list), i;
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out)
        return -1;
    int k = 0;
    const json_t *c;
    json_array_foreach((json_t *)list, i, c) {
        const char *key = json_is_string(c) ? json_string_value(c)
                                             : json_string_value(json_object_get(c, "key"));
        if (key)
            (*out)[k++] = key;
    }
    return k;
}

static int key_index(const pquest *q, const char *key)
{
    for (int i = 0; key && i < q->nkeys; i++)
        if (strcmp(q->keys[i], key) == 0)
            return i;
    return -1;
}

static int row_index(const pquest *q, const char *key)
{
    for (int i = 0; key && i < q->nrows; i++)
        if (strcmp(q->rows[i], key) == 0)
            return i;
    return -1;
}

static int kind_of(const survey_elem *el, pkind *k)
{
    const char *t = el->type->name;
    static const struct {
        const char *name;
        pkind kind;
    } m[] = {{"single-choice", PK_CHOICE}, {"multi-choice", PK_MULTI}, {"place-choice", PK_MULTI},
             {"scale", PK_SCALE},          {"number", PK_NUMBER},      {"matrix", PK_MATRIX},
             {"text", PK_TEXT},            {"budget", PK_BUDGET},      {"geobudget", PK_MAP},
             {"ranking", PK_COUNT},        {"date", PK_COUNT}};
    if (el->type->flags & QT_MAP) {
        *k = PK_MAP;
        return 1;
    }
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(t, m[i].name) == 0) {
            *k = m[i].kind;
            return 1;
        }
    return 0;
}

static size_t quest_cells(const pquest *q, int ndist)
{
    switch (q->kind) {
    case PK_CHOICE: return (size_t)q->nkeys + 2;
    case PK_MULTI: return (size_t)q->nkeys + 3;
    case PK_SCALE: return (size_t)(q->hi - q->lo + 1) + 1;
    case PK_MATRIX: return (size_t)q->nrows * ((size_t)q->nkeys + 1);
    case PK_BUDGET: return (size_t)q->nkeys + 2;
    case PK_MAP: return 2 + (size_t)ndist + (size_t)q->ncells;
    default: return 2;
    }
}

/* The questions the public figures cover, with their storage. */
static int quests_init(psnap *s, const survey_def *d, const char *public_questions)
{
    json_t *pub = json_loads(public_questions ? public_questions : "[]", 0, NULL);
    s->q = calloc(d->n_elems ? d->n_elems : 1, sizeof *s->q);
    if (!s->q) {
        json_decref(pub);
        return -1;
    }
    size_t n = s->nresp ? s->nresp : 1;
    for (size_t i = 0; i < d->n_elems; i++) {
        const survey_elem *el = &d->elems[i];
        pkind kind;
        if (el->parent >= 0 || !(el->type->flags & QT_QUESTION) || !kind_of(el, &kind) ||
            pub_is_personal(d, el->key))
            continue;
        pquest *q = &s->q[s->nq++];
        q->el = el;
        q->kind = kind;
        const json_t *j = el->json;
        const char *list = kind == PK_MATRIX ? "columns" : kind == PK_BUDGET ? "items" : "choices";
        const json_t *keys = json_object_get(j, list);
        if (strcmp(el->type->name, "place-choice") == 0 && !json_is_array(keys))
            keys = json_object_get(d->doc, "places");
        q->nkeys = list_keys(keys, &q->keys);
        q->nrows = list_keys(json_object_get(j, "rows"), &q->rows);
        q->lo = (int)json_integer_value(json_object_get(j, "min"));
        q->hi = (int)json_integer_value(json_object_get(j, "max"));
        if (kind == PK_SCALE && (q->hi < q->lo || q->hi - q->lo > 100))
            q->hi = q->lo;
        size_t per = kind == PK_MATRIX ? (size_t)(q->nrows > 0 ? q->nrows : 1) : 1;
        q->answered = calloc(n, 1);
        q->val = malloc(n * per * sizeof *q->val);
        q->num = kind == PK_NUMBER ? malloc(n * sizeof *q->num) : NULL;
        q->bits = (kind == PK_MULTI || kind == PK_BUDGET) ? calloc(n * ((size_t)q->nkeys + 1), 1)
                                                         : NULL;
        q->texts = json_array();
        if (q->nkeys < 0 || q->nrows < 0 || !q->answered || !q->val || !q->texts ||
            (kind == PK_NUMBER && !q->num) ||
            ((kind == PK_MULTI || kind == PK_BUDGET) && !q->bits)) {
            json_decref(pub);
            return -1;
        }
        for (size_t r = 0; r < n * per; r++)
            q->val[r] = -1;
        size_t pi;
        const json_t *pk;
        json_array_foreach(pub, pi, pk) {
            if (json_is_string(pk) && strcmp(json_string_value(pk), el->key) == 0)
                q->public_q = 1;
        }
    }
    json_decref(pub);
    return 0;
}

static pquest *quest_find(psnap *s, const char *key)
{
    for (int i = 0; key && i < s->nq; i++)
        if (strcmp(s->q[i].el->key, key) == 0)
            return &s->q[i];
    return NULL;
}

static long slot_of(const psnap *s, int64_t rid)
{
    size_t lo = 0, hi = s->nresp;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->rids[mid] < rid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nresp && s->rids[lo] == rid ? (long)lo : -1;
}

/* One stored answer into its question's slot. */
static void take_answer(pquest *q, long slot, const json_t *v)
{
    size_t nb = (size_t)q->nkeys + 1;
    switch (q->kind) {
    case PK_CHOICE:
        if (json_is_string(v) && key_index(q, json_string_value(v)) >= 0)
            q->val[slot] = key_index(q, json_string_value(v));
        else if (json_is_object(v))
            q->val[slot] = q->nkeys;
        else
            return;
        break;
    case PK_MULTI: {
        size_t i;
        const json_t *c;
        json_array_foreach((json_t *)v, i, c) {
            int k = json_is_object(c) ? q->nkeys : key_index(q, json_string_value(c));
            if (k >= 0)
                q->bits[(size_t)slot * nb + (size_t)k] = 1;
        }
        break;
    }
    case PK_BUDGET: {
        const char *key;
        const json_t *c;
        json_object_foreach((json_t *)v, key, c) {
            int k = key_index(q, key);
            if (k >= 0 && json_integer_value(c) > 0)
                q->bits[(size_t)slot * nb + (size_t)k] = 1;
        }
        break;
    }
    case PK_SCALE:
        if (!json_is_integer(v) || json_integer_value(v) < q->lo || json_integer_value(v) > q->hi)
            return;
        q->val[slot] = (int32_t)(json_integer_value(v) - q->lo);
        break;
    case PK_NUMBER:
        if (!json_is_number(v))
            return;
        q->num[slot] = json_number_value(v);
        break;
    case PK_MATRIX: {
        const char *key;
        const json_t *c;
        json_object_foreach((json_t *)v, key, c) {
            int r = row_index(q, key), k = key_index(q, json_string_value(c));
            if (r >= 0 && k >= 0)
                q->val[(size_t)slot * (size_t)q->nrows + (size_t)r] = k;
        }
        break;
    }
    case PK_MAP:
        return; /* answered by its features */
    default:
        break;
    }
    q->answered[slot] = 1;
}

typedef struct rid_reader {
    psnap *s;
    size_t cap;
} rid_reader;

static int read_response(void *arg, db_row *row)
{
    rid_reader *rr = arg;
    psnap *s = rr->s;
    if (s->nresp == rr->cap) {
        size_t cap = rr->cap ? rr->cap * 2 : 256;
        int64_t *n = realloc(s->rids, cap * sizeof *n);
        if (!n)
            return 1;
        s->rids = n;
        rr->cap = cap;
    }
    s->rids[s->nresp++] = db_col_int64(row, 0);
    return 0;
}

static int read_answer(void *arg, db_row *row)
{
    psnap *s = arg;
    long slot = slot_of(s, db_col_int64(row, 0));
    pquest *q = quest_find(s, db_col_text(row, 1));
    if (slot < 0 || !q || db_col_int(row, 3))
        return 0; /* skipped: no answer */
    const char *v = db_col_text(row, 2);
    json_t *j = v ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
    if (j)
        take_answer(q, slot, j);
    json_decref(j);
    return 0;
}

typedef struct feat_reader {
    psnap *s;
    gis_proj *proj;
    int failed;
} feat_reader;

static int dist_index(const psnap *s, int64_t id)
{
    for (int i = 0; id && i < s->ndist; i++)
        if (s->dist_id[i] == id)
            return i;
    return -1;
}

static int read_feature(void *arg, db_row *row)
{
    feat_reader *fr = arg;
    psnap *s = fr->s;
    long slot = slot_of(s, db_col_int64(row, 0));
    pquest *q = quest_find(s, db_col_text(row, 1));
    if (slot < 0 || !q || q->kind != PK_MAP)
        return 0;
    if (q->nfeats == q->capfeats) {
        size_t cap = q->capfeats ? q->capfeats * 2 : 64;
        pfeat *nf = realloc(q->feats, cap * sizeof *nf);
        if (!nf)
            return fr->failed = 1;
        q->feats = nf;
        q->capfeats = cap;
    }
    pfeat *f = &q->feats[q->nfeats++];
    memset(f, 0, sizeof *f);
    f->resp = (int32_t)slot;
    f->dist = dist_index(s, db_col_int64(row, 2));
    f->cell = -1;
    if (db_col_int(row, 3)) {
        f->x = db_col_double(row, 4);
        f->y = db_col_double(row, 5);
        if (gis_proj_from_storage(fr->proj, GIS_CRS_3067, &f->x, &f->y) == VK_OK)
            f->cell = 0; /* placed in build_cells */
        if (q->public_q && !s->snap && !db_col_is_null(row, 6) &&
            !(f->geojson = strdup(db_col_text(row, 6))))
            return fr->failed = 1;
    }
    q->answered[slot] = 1;
    return 0;
}

static int read_district(void *arg, db_row *row)
{
    psnap *s = arg;
    if (s->ndist == DISTRICTS_MAX)
        return 1;
    int i = s->ndist;
    s->dist_id[i] = db_col_int64(row, 0);
    s->dist_code[i] = db_col_dup(row, 1);
    json_t *name = json_pack("{ss ss ss}", "fi", db_col_text(row, 2), "sv",
                             db_col_text(row, 3), "en", db_col_text(row, 4));
    s->dist_name[i] = name ? json_dumps(name, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(name);
    s->ndist++;
    return !s->dist_code[i] || !s->dist_name[i];
}

static int read_text(void *arg, db_row *row)
{
    psnap *s = arg;
    pquest *q = quest_find(s, db_col_text(row, 0));
    if (!q)
        return 0;
    json_t *t = db_col_is_null(row, 1)
                    ? json_string(db_col_text(row, 2))
                    : json_pack("{ss ss}", "followup", db_col_text(row, 1), "text",
                                db_col_text(row, 2));
    return t ? json_array_append_new(q->texts, t) != 0 : 0;
}

/* Sort feature indices by (group, respondent). */
static const pquest *sort_q;
static int sort_by_dist;

static int cmp_feat(const void *a, const void *b)
{
    const pfeat *fa = &sort_q->feats[*(const uint32_t *)a], *fb = &sort_q->feats[*(const uint32_t *)b];
    int ga = sort_by_dist ? fa->dist : fa->cell, gb = sort_by_dist ? fb->dist : fb->cell;
    if (ga != gb)
        return ga < gb ? -1 : 1;
    return (fa->resp > fb->resp) - (fa->resp < fb->resp);
}

static int cmp_cell(const void *a, const void *b)
{
    const int32_t *ca = a, *cb = b;
    if (ca[0] != cb[0])
        return ca[0] < cb[0] ? -1 : 1;
    return (ca[1] > cb[1]) - (ca[1] < cb[1]);
}

/* The hex cells of a map question, and its features sorted by district
 * and by cell. qsort's comparator reads sort_q: the caller holds
 * build_lock (snap_get). */
static int build_cells(pquest *q, const gis_hex_grid *g, gis_proj *proj)
{
    size_t n = q->nfeats ? q->nfeats : 1;
    q->cells = malloc(n * sizeof *q->cells);
    q->by_dist = malloc(n * sizeof *q->by_dist);
    q->by_cell = malloc(n * sizeof *q->by_cell);
    if (!q->cells || !q->by_dist || !q->by_cell)
        return -1;
    size_t nc = 0;
    for (size_t i = 0; i < q->nfeats; i++) {
        pfeat *f = &q->feats[i];
        if (f->cell < 0)
            continue;
        gis_hex_cell_of(g, f->x, f->y, &q->cells[nc][0], &q->cells[nc][1]);
        nc++;
    }
    qsort(q->cells, nc, sizeof *q->cells, cmp_cell);
    size_t u = 0;
    for (size_t i = 0; i < nc; i++)
        if (u == 0 || cmp_cell(q->cells[u - 1], q->cells[i]) != 0)
            memcpy(q->cells[u++], q->cells[i], sizeof q->cells[0]);
    q->ncells = (int)u;
    q->centre = malloc((u ? u : 1) * sizeof *q->centre);
    if (!q->centre)
        return -1;
    for (size_t i = 0; i < u; i++) {
        double x, y;
        gis_hex_center(g, q->cells[i][0], q->cells[i][1], &x, &y);
        if (gis_proj_to_storage(proj, GIS_CRS_3067, &x, &y) != VK_OK)
            x = y = 0;
        q->centre[i][0] = x;
        q->centre[i][1] = y;
    }
    for (size_t i = 0; i < q->nfeats; i++) {
        pfeat *f = &q->feats[i];
        if (f->cell < 0)
            continue;
        int32_t c[2];
        gis_hex_cell_of(g, f->x, f->y, &c[0], &c[1]);
        int32_t(*hit)[2] = bsearch(c, q->cells, u, sizeof *q->cells, cmp_cell);
        f->cell = hit ? (int32_t)(hit - q->cells) : -1;
    }
    q->nby_dist = q->nby_cell = 0;
    for (size_t i = 0; i < q->nfeats; i++) {
        if (q->feats[i].dist >= 0)
            q->by_dist[q->nby_dist++] = (uint32_t)i;
        if (q->feats[i].cell >= 0)
            q->by_cell[q->nby_cell++] = (uint32_t)i;
    }
    sort_q = q;
    sort_by_dist = 1;
    qsort(q->by_dist, q->nby_dist, sizeof *q->by_dist, cmp_feat);
    sort_by_dist = 0;
    qsort(q->by_cell, q->nby_cell, sizeof *q->by_cell, cmp_feat);
    return 0;
}

static vk_err snap_build(vk_ctx *ctx, int64_t survey_id, const survey_def *d,
                         const char *public_questions, const char *stamp, psnap **out,
                         vk_errinfo *ei)
{
    *out = NULL;
    psnap *s = calloc(1, sizeof *s);
    if (!s)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    s->survey_id = survey_id;
    snprintf(s->stamp, sizeof s->stamp, "%s", stamp);
    vk_err e = pub_settings_get(ctx->store, survey_id, &s->set, ei);
    if (e) {
        free(s);
        return e;
    }
    s->k = s->set.k;
    s->snap = s->set.snap;
    s->hex_size = s->set.hex_size;
    rid_reader rr = {s, 0};
    if ((e = db_each(ctx->store, &publish_sql, SQL_PUB_RESPONSES, DB_ARGS(DB_INT(survey_id)),
                     read_response, &rr, "reading responses", ei)))
        goto fail;
    /* Districts: at most a few hundred in a municipality. */
    s->dist_id = calloc(DISTRICTS_MAX, sizeof *s->dist_id);
    s->dist_code = calloc(DISTRICTS_MAX, sizeof *s->dist_code);
    s->dist_name = calloc(DISTRICTS_MAX, sizeof *s->dist_name);
    if (!s->dist_id || !s->dist_code || !s->dist_name || quests_init(s, d, public_questions)) {
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
        goto fail;
    }
    if ((e = db_each(ctx->store, &publish_sql, SQL_PUB_DISTRICTS, DB_NO_ARGS, read_district, s,
                     "reading districts", ei)) ||
        (e = db_each(ctx->store, &publish_sql, SQL_PUB_ANSWERS, DB_ARGS(DB_INT(survey_id)),
                     read_answer, s, "reading answers", ei)))
        goto fail;
    feat_reader fr = {s, ctx->proj, 0};
    if ((e = db_each(ctx->store, &publish_sql, SQL_PUB_FEATURES,
                     DB_ARGS(DB_INT(survey_id), DB_INT(!s->snap)), read_feature, &fr,
                     "reading drawn features", ei)))
        goto fail;
    char *qs = NULL, *fs = NULL;
    json_t *tq = json_array(), *tf = json_array();
    for (size_t i = 0; i < d->n_elems; i++)
        if (strcmp(d->elems[i].type->name, "text") == 0 && !pub_is_personal(d, d->elems[i].key))
            json_array_append_new(d->elems[i].parent < 0 ? tq : tf,
                                  json_string(d->elems[i].key));
    qs = json_dumps(tq, JSON_COMPACT);
    fs = json_dumps(tf, JSON_COMPACT);
    json_decref(tq);
    json_decref(tf);
    if (!qs || !fs)
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e)
        e = db_each(ctx->store, &publish_sql, SQL_PUB_TEXTS_APPROVED,
                    DB_ARGS(DB_INT(survey_id), DB_TEXT(qs), DB_TEXT(fs)), read_text, s,
                    "reading approved texts", ei);
    free(qs);
    free(fs);
    if (e)
        goto fail;
    if (fr.failed) {
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
        goto fail;
    }
    gis_hex_grid g;
    gis_hex_grid_init(&g, s->hex_size);
    s->ncells = 1;
    for (int i = 0; i < s->nq; i++) {
        pquest *q = &s->q[i];
        if (q->kind == PK_MAP && build_cells(q, &g, ctx->proj)) {
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
            goto fail;
        }
        q->off = s->ncells;
        s->ncells += quest_cells(q, s->ndist);
    }
    *out = s;
    return VK_OK;
fail:
    snap_free(s);
    return e;
}

/* ---- a view's figures ---- */

/* Distinct respondents in mask per group of the sorted index. */
static void count_groups(const pquest *q, const uint32_t *idx, size_t n, int by_dist,
                         const uint8_t *mask, int64_t *out)
{
    int32_t last_g = -1, last_r = -1;
    for (size_t i = 0; i < n; i++) {
        const pfeat *f = &q->feats[idx[i]];
        int32_t g = by_dist ? f->dist : f->cell;
        if (g == last_g && f->resp == last_r)
            continue;
        last_g = g;
        last_r = f->resp;
        if (mask[f->resp])
            out[g]++;
    }
}

/* The counts of the view mask into v (s->ncells, zeroed here). */
static void view_count(const psnap *s, const uint8_t *mask, int64_t *v)
{
    memset(v, 0, s->ncells * sizeof *v);
    for (size_t r = 0; r < s->nresp; r++)
        v[0] += mask[r];
    for (int i = 0; i < s->nq; i++) {
        const pquest *q = &s->q[i];
        int64_t *c = v + q->off;
        size_t nb = (size_t)q->nkeys + 1;
        int64_t answered = 0;
        for (size_t r = 0; r < s->nresp; r++) {
            if (!mask[r])
                continue;
            answered += q->answered[r];
            switch (q->kind) {
            case PK_CHOICE:
            case PK_SCALE:
                if (q->val[r] >= 0)
                    c[q->val[r]]++;
                break;
            case PK_MULTI:
            case PK_BUDGET:
                for (size_t k = 0; k < (q->kind == PK_MULTI ? nb : nb - 1); k++)
                    c[k] += q->bits[r * nb + k];
                break;
            case PK_MATRIX:
                for (int row = 0; row < q->nrows; row++) {
                    int32_t col = q->val[r * (size_t)q->nrows + (size_t)row];
                    c[(size_t)row * nb + (size_t)(col >= 0 ? col : q->nkeys)]++;
                }
                break;
            default:
                break;
            }
        }
        int64_t none = v[0] - answered;
        switch (q->kind) {
        case PK_CHOICE: c[q->nkeys + 1] = none; break;
        case PK_MULTI: c[q->nkeys + 1] = answered; c[q->nkeys + 2] = none; break;
        case PK_SCALE: c[q->hi - q->lo + 1] = none; break;
        case PK_BUDGET: c[q->nkeys] = answered; c[q->nkeys + 1] = none; break;
        case PK_MATRIX: break; /* each row's last cell: no answer to that row */
        case PK_MAP:
            c[0] = answered;
            c[1] = none;
            count_groups(q, q->by_dist, q->nby_dist, 1, mask, c + 2);
            count_groups(q, q->by_cell, q->nby_cell, 0, mask, c + 2 + s->ndist);
            break;
        default: c[0] = answered; c[1] = none; break;
        }
    }
}

/* Secondary suppression of the cells [off, off + n), a table adding up to
 * a shown total; bound: the whole survey's counts (NULL for that view). */
static int secondary(priv_cell *cells, const int64_t *bound, size_t off, size_t n)
{
    return priv_secondary(cells + off, n, bound ? bound + off : NULL) < 0;
}

/* Every table whose cells add up to a shown total. 1 when one of them
 * cannot hide a lone suppressed cell. */
static int partitions(const psnap *s, priv_cell *cells, const int64_t *bound)
{
    int failed = 0;
    for (int i = 0; i < s->nq; i++) {
        const pquest *q = &s->q[i];
        size_t o = q->off, nk = (size_t)q->nkeys;
        switch (q->kind) {
        case PK_CHOICE: failed |= secondary(cells, bound, o, nk + 2); break;
        case PK_MULTI: failed |= secondary(cells, bound, o + nk + 1, 2); break;
        case PK_SCALE: failed |= secondary(cells, bound, o, (size_t)(q->hi - q->lo) + 2); break;
        case PK_BUDGET: failed |= secondary(cells, bound, o + nk, 2); break;
        case PK_MATRIX:
            for (int r = 0; r < q->nrows; r++)
                failed |= secondary(cells, bound, o + (size_t)r * (nk + 1), nk + 1);
            break;
        default: failed |= secondary(cells, bound, o, 2); break;
        }
    }
    return failed;
}

/* The view's cells with every rule of privacy.h applied; parents[0], when
 * given, is the whole survey. 1 when a table of the view would give a
 * hidden cell away whatever else is hidden (the view is then refused). */
static int protect(const psnap *s, const int64_t *view, int64_t *const *parents, int nparents,
                   priv_cell *out)
{
    for (size_t i = 0; i < s->ncells; i++) {
        out[i].n = view[i];
        out[i].state = PRIV_SHOWN;
    }
    priv_primary(out, s->ncells, s->k);
    for (int p = 0; p < nparents; p++)
        priv_difference(out, parents[p], s->ncells, s->k);
    return partitions(s, out, nparents ? parents[0] : NULL);
}

/* ---- the answer ---- */

typedef struct condition {
    const char *param; /* "filter" or "district" */
    long cell;         /* the group it picks as a cell of the view without it; −1 none */
    uint8_t *mask;
    json_t *echo;      /* QUESTION: VALUE */
} condition;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void put_cell(vk_buf *b, const char *key, const priv_cell *c, int k)
{
    vk_json_key(b, key);
    priv_put(b, c, k);
}

static void put_keyed(vk_buf *b, const char *member, const char *const *keys, int n,
                      const priv_cell *c, int k)
{
    vk_json_key(b, member);
    vk_buf_putc(b, '[');
    for (int i = 0; i < n; i++) {
        vk_json_open(b);
        vk_json_member_str(b, "key", keys[i]);
        put_cell(b, "count", &c[i], k);
        vk_buf_putc(b, '}');
    }
    vk_buf_putc(b, ']');
}

static void put_number(vk_buf *b, const char *key, int shown, double v)
{
    vk_json_key(b, key);
    if (shown && isfinite(v))
        vk_json_num(b, round(v * 100) / 100);
    else
        vk_buf_puts(b, "null");
}

static void put_scale(vk_buf *b, const pquest *q, const priv_cell *c, int k)
{
    int n = q->hi - q->lo + 1, all_shown = 1;
    int64_t total = 0;
    double sum = 0;
    vk_buf_puts(b, ",\"distribution\":[");
    for (int i = 0; i < n; i++) {
        vk_json_open(b);
        vk_buf_printf(b, "\"value\":%d", q->lo + i);
        put_cell(b, "count", &c[i], k);
        vk_buf_putc(b, '}');
        all_shown &= c[i].state == PRIV_SHOWN;
        total += c[i].n;
        sum += (double)c[i].n * (q->lo + i);
    }
    vk_buf_putc(b, ']');
    /* With a cell hidden, the mean would be one more equation to solve
     * the hidden cells with: no mean or median then. */
    int shown = all_shown && total > 0;
    double median = 0;
    for (int i = 0, seen = 0; shown && i < n; i++) {
        seen += (int)c[i].n;
        if (2 * (int64_t)seen >= total) {
            median = q->lo + i;
            break;
        }
    }
    put_number(b, "mean", shown, total ? sum / (double)total : 0);
    put_number(b, "median", shown, median);
    put_cell(b, "no_answer", &c[n], k);
}

static void put_numeric(vk_buf *b, const psnap *s, const pquest *q, const uint8_t *mask,
                        const priv_cell *c)
{
    put_cell(b, "respondents", &c[0], s->k);
    size_t n = 0;
    double *v = c[0].state == PRIV_SHOWN && c[0].n ? malloc((size_t)c[0].n * sizeof *v) : NULL;
    double sum = 0;
    for (size_t r = 0; v && r < s->nresp && n < (size_t)c[0].n; r++)
        if (mask[r] && q->answered[r]) {
            v[n++] = q->num[r];
            sum += q->num[r];
        }
    if (v)
        qsort(v, n, sizeof *v, cmp_double);
    double median = n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : 0;
    put_number(b, "median", v && n, median);
    put_number(b, "mean", v && n, n ? sum / (double)n : 0);
    free(v);
}

/* A map question's drawn features: null unless the question is public;
 * snapped, a point per hexagon of at least k; else as drawn (only in the
 * view without conditions). h: the question's hexagon cells. */
static void put_features(vk_buf *b, const psnap *s, const pquest *q, const priv_cell *h,
                         int whole)
{
    int k = s->k;
    vk_buf_puts(b, ",\"features\":");
    if (!q->public_q || (!s->snap && !whole)) {
        vk_buf_puts(b, "null");
    } else {
        vk_buf_printf(b, "{\"type\":\"FeatureCollection\",\"snapped\":%s,\"features\":[",
                      s->snap ? "true" : "false");
        if (s->snap) {
            for (int i = 0; i < q->ncells; i++) {
                if (h[i].state != PRIV_SHOWN || h[i].n < k)
                    continue;
                vk_json_next(b);
                vk_buf_puts(b, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
                               "\"coordinates\":[");
                vk_json_coord(b, q->centre[i][0], 6);
                vk_buf_putc(b, ',');
                vk_json_coord(b, q->centre[i][1], 6);
                vk_buf_printf(b, "]},\"properties\":{\"count\":%lld}}", (long long)h[i].n);
            }
        } else {
            for (size_t i = 0; i < q->nfeats; i++) {
                if (!q->feats[i].geojson)
                    continue;
                vk_json_next(b);
                vk_buf_printf(b, "{\"type\":\"Feature\",\"geometry\":%s,\"properties\":{}}",
                              q->feats[i].geojson);
            }
        }
        vk_buf_puts(b, "]}");
    }
}

/* features: 0 leaves the drawn features out (features=false: a page that
 * draws only the grid need not carry every drawing; they stay in the
 * question's downloads and its OGC API collection, which a map reads per
 * view). */
static void put_map(vk_buf *b, const psnap *s, const pquest *q, const priv_cell *c, int whole,
                    int features)
{
    int k = s->k;
    put_cell(b, "respondents", &c[0], k);
    vk_buf_puts(b, ",\"districts\":[");
    for (int i = 0; i < s->ndist; i++) {
        vk_json_open(b);
        vk_json_member_str(b, "code", s->dist_code[i]);
        vk_buf_printf(b, ",\"name\":%s", s->dist_name[i]);
        put_cell(b, "count", &c[2 + i], k);
        vk_buf_putc(b, '}');
    }
    const priv_cell *h = c + 2 + s->ndist;
    vk_buf_printf(b, "],\"hexagons\":{\"size\":%d,\"crs\":\"EPSG:3067\",\"cells\":[", s->hex_size);
    for (int i = 0; i < q->ncells; i++) {
        if (h[i].n == 0 && h[i].state == PRIV_SHOWN)
            continue;
        vk_json_open(b);
        vk_buf_printf(b, "\"q\":%d,\"r\":%d,\"center\":[", q->cells[i][0], q->cells[i][1]);
        vk_json_coord(b, q->centre[i][0], 6);
        vk_buf_putc(b, ',');
        vk_json_coord(b, q->centre[i][1], 6);
        vk_buf_putc(b, ']');
        put_cell(b, "count", &h[i], k);
        vk_buf_putc(b, '}');
    }
    vk_buf_puts(b, "]}");
    if (features)
        put_features(b, s, q, h, whole);
    if (whole && json_array_size(q->texts)) {
        char *t = json_dumps(q->texts, JSON_COMPACT);
        if (t)
            vk_buf_printf(b, ",\"texts\":%s", t);
        free(t);
    }
}

static void put_results(vk_buf *b, const psnap *s, const char *slug, const condition *cond,
                        int ncond, const uint8_t *mask, const priv_cell *cells, const char *now,
                        int features)
{
    int k = s->k, whole = ncond == 0;
    vk_buf_putc(b, '{');
    vk_json_member_str(b, "slug", slug);
    vk_buf_printf(b, ",\"version\":%lld,\"k\":%d,\"filter\":", (long long)s->version, k);
    int filters = 0;
    const char *district = NULL;
    for (int i = 0; i < ncond; i++) {
        if (strcmp(cond[i].param, "district") == 0) {
            district = json_string_value(cond[i].echo);
            continue;
        }
        vk_buf_puts(b, filters++ ? "," : "{");
        const char *key;
        json_t *v;
        json_object_foreach(cond[i].echo, key, v) {
            vk_json_str(b, key, strlen(key));
            vk_buf_printf(b, ":\"%s\"", json_string_value(v));
        }
    }
    vk_buf_puts(b, filters ? "}" : "null");
    vk_json_member_str(b, "district", district);
    put_cell(b, "respondents", &cells[0], k);
    vk_buf_puts(b, ",\"what_we_did\":");
    if (pub_has_what_we_did(&s->set))
        pub_put_what_we_did(b, &s->set, now);
    else
        vk_buf_puts(b, "null");
    vk_buf_puts(b, ",\"questions\":[");
    for (int i = 0; i < s->nq; i++) {
        const pquest *q = &s->q[i];
        const priv_cell *c = cells + q->off;
        vk_json_open(b);
        vk_json_member_str(b, "key", q->el->key);
        vk_json_member_str(b, "type", q->el->type->name);
        switch (q->kind) {
        case PK_CHOICE:
        case PK_MULTI:
            put_keyed(b, "choices", q->keys, q->nkeys, c, k);
            put_cell(b, "other", &c[q->nkeys], k);
            put_cell(b, "no_answer", &c[q->nkeys + (q->kind == PK_MULTI ? 2 : 1)], k);
            break;
        case PK_SCALE:
            put_scale(b, q, c, k);
            break;
        case PK_NUMBER:
            put_numeric(b, s, q, mask, c);
            break;
        case PK_MATRIX:
            vk_buf_puts(b, ",\"rows\":[");
            for (int r = 0; r < q->nrows; r++) {
                const priv_cell *rc = c + (size_t)r * ((size_t)q->nkeys + 1);
                vk_json_open(b);
                vk_json_member_str(b, "key", q->rows[r]);
                put_keyed(b, "columns", q->keys, q->nkeys, rc, k);
                put_cell(b, "no_answer", &rc[q->nkeys], k);
                vk_buf_putc(b, '}');
            }
            vk_buf_putc(b, ']');
            break;
        case PK_BUDGET:
            put_cell(b, "respondents", &c[q->nkeys], k);
            put_keyed(b, "items", q->keys, q->nkeys, c, k);
            break;
        case PK_MAP:
            put_map(b, s, q, c, whole, features);
            break;
        case PK_TEXT:
            put_cell(b, "respondents", &c[0], k);
            if (whole) {
                char *t = json_dumps(q->texts, JSON_COMPACT);
                vk_buf_printf(b, ",\"texts\":%s", t ? t : "[]");
                free(t);
            }
            break;
        default:
            put_cell(b, "respondents", &c[0], k);
        }
        vk_buf_putc(b, '}');
    }
    vk_buf_puts(b, "]}");
}

/* ---- filters ---- */

/* QUESTION:VALUE into a mask over the snapshot's respondents. */
static vk_err parse_filter(const psnap *s, const char *item, condition *c, vk_errinfo *ei)
{
    const char *colon = strchr(item, ':');
    char key[48];
    if (!colon || (size_t)(colon - item) >= sizeof key)
        return vk_fail(ei, VK_EPARAM, "filter", "filter is QUESTION:VALUE[,QUESTION:VALUE]");
    memcpy(key, item, (size_t)(colon - item));
    key[colon - item] = '\0';
    const char *value = colon + 1;
    const pquest *q = quest_find((psnap *)s, key);
    if (!q || (q->kind != PK_CHOICE && q->kind != PK_MULTI && q->kind != PK_SCALE))
        return vk_fail(ei, VK_EPARAM, "filter",
                       "filter names a choice, place-choice or scale question of the survey");
    int idx = -1;
    if (q->kind == PK_SCALE) {
        char *end;
        long v = strtol(value, &end, 10);
        if (*value && !*end && v >= q->lo && v <= q->hi)
            idx = (int)(v - q->lo);
    } else {
        idx = key_index(q, value);
    }
    if (idx < 0)
        return vk_fail(ei, VK_EPARAM, "filter", "the question has no such answer to filter by");
    c->param = "filter";
    c->cell = (long)q->off + idx;
    c->mask = calloc(s->nresp ? s->nresp : 1, 1);
    c->echo = json_pack("{ss}", key, value);
    if (!c->mask || !c->echo)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    size_t nb = (size_t)q->nkeys + 1;
    for (size_t r = 0; r < s->nresp; r++)
        c->mask[r] = q->kind == PK_MULTI ? q->bits[r * nb + (size_t)idx] : q->val[r] == idx;
    return VK_OK;
}

static vk_err parse_district(const psnap *s, const char *code, condition *c, vk_errinfo *ei)
{
    int d = -1;
    for (int i = 0; i < s->ndist; i++)
        if (strcmp(s->dist_code[i], code) == 0)
            d = i;
    if (d < 0)
        return vk_fail(ei, VK_EPARAM, "district", "there is no such district");
    c->param = "district";
    c->cell = -1;
    c->mask = calloc(s->nresp ? s->nresp : 1, 1);
    c->echo = json_string(code);
    if (!c->mask || !c->echo)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    for (int i = 0; i < s->nq; i++) {
        const pquest *q = &s->q[i];
        if (q->kind != PK_MAP)
            continue;
        for (size_t f = 0; f < q->nfeats; f++)
            if (q->feats[f].dist == d)
                c->mask[q->feats[f].resp] = 1;
    }
    return VK_OK;
}

/* The respondents every condition but `skip` keeps (skip −1: all). */
static void and_masks(const psnap *s, const condition *c, int n, int skip, uint8_t *out)
{
    memset(out, 1, s->nresp);
    for (int i = 0; i < n; i++)
        if (i != skip)
            for (size_t r = 0; r < s->nresp; r++)
                out[r] &= c[i].mask[r];
}

/* Why a view is refused, as a message. */
static vk_err refuse(const condition *cond, int ncond, const char *why, int k, vk_errinfo *ei)
{
    const char *param = cond[ncond - 1].param;
    if (ncond > 1 && strcmp(cond[0].param, cond[1].param) != 0)
        param = "filter";
    return vk_fail(ei, VK_EPARAM, param,
                   "this view %s fewer than %d respondents: it could single a person out, so "
                   "it is not shown",
                   why, k);
}

/* The public figures of the view the request asks for into b, or a
 * refusal. The caller holds the lock (s is shared).
 *
 * The views: 0 everyone; 1 (and 2) each condition alone; 3 both. A view
 * is allowed only where the group each condition picks is a cell shown
 * in the view without that condition, so filtering never reveals a
 * suppressed cell (not even one hidden as a secondary: its neighbours'
 * view would be the total's remainder). With two conditions every cell is
 * also checked against everyone and against the respondents who meet
 * neither condition (everyone − a − b + both), the one group the four
 * views give by inclusion–exclusion. */
static vk_err compute(const psnap *s, const vk_req *req, const char *slug, const char *now,
                      vk_buf *b, vk_errinfo *ei)
{
    const char *items[CONDITIONS_MAX + 1];
    int nf = 0;
    vk_err e = vk_param_list(req, "filter", QUERY_MAX, CONDITIONS_MAX + 1, items, &nf, ei);
    if (e)
        return e;
    int features = 1;
    if ((e = vk_param_bool(req, "features", &features, ei)))
        return e;
    const char *district = vk_req_param(req, "district");
    if (nf + (district != NULL) > CONDITIONS_MAX)
        return vk_fail(ei, VK_EPARAM, "filter",
                       "a public view takes at most %d conditions (filter and district)",
                       CONDITIONS_MAX);
    condition cond[CONDITIONS_MAX];
    memset(cond, 0, sizeof cond);
    int ncond = 0;
    for (int i = 0; i < nf && !e; i++)
        e = parse_filter(s, items[i], &cond[ncond++], ei);
    if (!e && district)
        e = parse_district(s, district, &cond[ncond++], ei);
    int nv = ncond == 0 ? 1 : ncond == 1 ? 2 : 4, last = nv - 1;
    size_t n = s->nresp ? s->nresp : 1;
    uint8_t *mask = malloc(n);
    int64_t *v[4] = {NULL, NULL, NULL, NULL}, *synth = NULL;
    priv_cell *pc[4] = {NULL, NULL, NULL, NULL};
    int bad = !mask;
    for (int i = 0; i < nv; i++) {
        v[i] = malloc(s->ncells * sizeof *v[i]);
        pc[i] = malloc(s->ncells * sizeof *pc[i]);
        bad |= !v[i] || !pc[i];
    }
    if (ncond == 2)
        bad |= !(synth = malloc(s->ncells * sizeof *synth));
    if (!e && bad)
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e) {
        memset(mask, 1, s->nresp);
        view_count(s, mask, v[0]);
        protect(s, v[0], NULL, 0, pc[0]);
        int stuck = 0; /* the asked view cannot hide a cell */
        for (int i = 0; i < ncond; i++) {
            and_masks(s, cond, ncond, ncond == 2 ? 1 - i : -1, mask);
            view_count(s, mask, v[i + 1]);
            stuck |= protect(s, v[i + 1], &v[0], 1, pc[i + 1]) && ncond == 1;
        }
        int64_t parents[3];
        int np = 0;
        if (ncond == 2) {
            and_masks(s, cond, ncond, -1, mask);
            view_count(s, mask, v[3]);
            for (size_t c = 0; c < s->ncells; c++)
                synth[c] = v[0][c] - v[1][c] - v[2][c] + 2 * v[3][c];
            int64_t *par[] = {v[0], v[1], v[2], synth};
            stuck |= protect(s, v[3], par, 4, pc[3]);
            parents[np++] = v[1][0];
            parents[np++] = v[2][0];
            parents[np++] = synth[0];
        }
        /* A condition's group must be a shown cell without it. */
        int hidden = 0;
        for (int i = 0; i < ncond; i++) {
            long c = cond[i].cell;
            if (c < 0)
                continue;
            hidden |= pc[0][c].state != PRIV_SHOWN;
            if (ncond == 2)
                hidden |= pc[(1 - i) + 1][c].state != PRIV_SHOWN;
        }
        priv_view why = priv_view_check(v[last][0], (int64_t)s->nresp, parents, np, s->k);
        if (why == PRIV_VIEW_SMALL)
            e = refuse(cond, ncond, "covers", s->k, ei);
        else if (why == PRIV_VIEW_COMPLEMENT)
            e = refuse(cond, ncond, "leaves out", s->k, ei);
        else if (why == PRIV_VIEW_DIFFERENCE)
            e = refuse(cond, ncond, "differs from a view with one condition fewer by", s->k, ei);
        else if (hidden || stuck)
            e = vk_fail(ei, VK_EPARAM, cond[ncond - 1].param,
                        "the group this filter picks is a hidden figure (fewer than %d, or "
                        "hidden to protect one), so it cannot be filtered by",
                        s->k);
        else
            put_results(b, s, slug, cond, ncond, mask, pc[last], now, features);
    }
    for (int i = 0; i < CONDITIONS_MAX; i++) {
        free(cond[i].mask);
        json_decref(cond[i].echo);
    }
    for (int i = 0; i < 4; i++) {
        free(v[i]);
        free(pc[i]);
    }
    free(synth);
    free(mask);
    return e;
}

/* ---- the cache and the route ---- */

typedef struct kept_answer {
    int64_t survey_id;
    char stamp[96];
    char query[QUERY_MAX + 16];
    char *json;
    size_t len;
} kept_answer;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER; /* snap_get */
static psnap *snaps[SNAPS_KEPT];
static kept_answer kept[ANSWERS_KEPT];
static int kept_next;

void survey_publish_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SNAPS_KEPT; i++) {
        snap_free(snaps[i]);
        snaps[i] = NULL;
    }
    for (int i = 0; i < ANSWERS_KEPT; i++) {
        free(kept[i].json);
        memset(&kept[i], 0, sizeof kept[i]);
    }
    pthread_mutex_unlock(&lock);
}

/* The kept snapshot of the survey at stamp, or NULL. Under the lock. */
static psnap *snap_find(int64_t survey_id, const char *stamp)
{
    for (int i = 0; i < SNAPS_KEPT; i++)
        if (snaps[i] && snaps[i]->survey_id == survey_id && strcmp(snaps[i]->stamp, stamp) == 0)
            return snaps[i];
    return NULL;
}

/* The snapshot of the survey at stamp, made when missing or stale. Called
 * and returning with the lock held; the lock is let go while a snapshot
 * is made (a large survey's takes seconds), so answers kept for other
 * queries and surveys are served meanwhile. Snapshots are made one at a
 * time (build_lock; build_cells' sort needs it too), and one made by
 * another request meanwhile is taken as it is. Lock order: build_lock,
 * then lock. */
static vk_err snap_get(vk_ctx *ctx, const survey_row *r, const survey_def *d, const char *stamp,
                       psnap **out, vk_errinfo *ei)
{
    if ((*out = snap_find(r->id, stamp)))
        return VK_OK;
    pthread_mutex_unlock(&lock);
    pthread_mutex_lock(&build_lock);
    pthread_mutex_lock(&lock);
    *out = snap_find(r->id, stamp);
    pthread_mutex_unlock(&lock);
    psnap *s = NULL;
    vk_err e = VK_OK;
    if (!*out) {
        int64_t t0 = vk_monotonic_us();
        e = snap_build(ctx, r->id, d, r->public_questions, stamp, &s, ei);
        if (!e) {
            s->built_us = vk_monotonic_us();
            s->cost_us = s->built_us - t0;
            s->version = r->version;
        }
    }
    pthread_mutex_unlock(&build_lock);
    pthread_mutex_lock(&lock);
    if (e || !s) {
        /* made meanwhile: look again, it may have gone since */
        if (!e && !(*out = snap_find(r->id, stamp)))
            return snap_get(ctx, r, d, stamp, out, ei);
        return e;
    }
    int slot = -1;
    for (int i = 0; slot < 0 && i < SNAPS_KEPT; i++)
        if (snaps[i] && snaps[i]->survey_id == r->id)
            slot = i;
    for (int i = 0; slot < 0 && i < SNAPS_KEPT; i++)
        if (!snaps[i])
            slot = i;
    if (slot < 0)
        slot = (int)(r->id % SNAPS_KEPT);
    snap_free(snaps[slot]);
    snaps[slot] = s;
    *out = s;
    return VK_OK;
}

/* FNV-1a: short names for long texts in an ETag (not a defence). */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* 1 when If-None-Match lists etag (or is *). */
static int etag_matches(const char *header, const char *etag)
{
    return header && (strcmp(header, "*") == 0 || strstr(header, etag) != NULL);
}

/* The kept snapshot's stamp for stamp when it may stand in for it
 * (survey_snap_keep, survey/cache.h). */
static void keep_recent(int64_t survey_id, char stamp[96])
{
    int64_t now = vk_monotonic_us();
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SNAPS_KEPT; i++) {
        const psnap *s = snaps[i];
        if (s && s->survey_id == survey_id &&
            survey_snap_keep(s->stamp, stamp, s->built_us, s->cost_us, now)) {
            snprintf(stamp, 96, "%s", s->stamp);
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

/* The survey at slug whose results are out now: its row (survey_row_fini
 * it on success), its published definition and the stamp of its public
 * figures. A survey that does not exist or is a draft is 404; results not
 * out yet are 403, or 404 with hidden_404 (a collection or a download
 * that does not exist until then). */
static vk_err results_open(vk_ctx *ctx, const char *slug, int hidden_404, survey_row *r,
                           const survey_cached **sc, char stamp[96], vk_errinfo *ei)
{
    int found = 0;
    vk_err e = VK_OK;
    if (strlen(slug) <= SURVEY_SLUG_MAX && (e = survey_store_get(ctx->store, slug, r, &found, ei)))
        return e;
    if (!found)
        return vk_fail(ei, VK_ENOT_FOUND, "slug", "there is no such survey");
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    pub_settings set;
    int64_t version = 0, count = 0, maxid = 0, revision = 0;
    char updated[1024] = ""; /* staff edits: public questions, versions, states */
    int out = 0;
    *sc = NULL;
    if (r->version >= 1 && !(e = pub_settings_get(ctx->store, r->id, &set, ei))) {
        out = pub_results_out(&set, now);
        pub_settings_fini(&set);
    }
    if (!e && r->version < 1)
        e = vk_fail(ei, VK_ENOT_FOUND, "slug", "there is no such survey");
    if (!e && !out)
        e = hidden_404 ? vk_fail(ei, VK_ENOT_FOUND, "slug",
                                 "the results of this survey are not public yet")
                       : vk_fail(ei, VK_EFORBIDDEN, "results",
                                 "the results of this survey are not public yet");
    if (!e)
        e = survey_cache_get(ctx->store, ctx->gis, r->id, r->version, sc, ei);
    if (!e && !*sc)
        e = vk_fail(ei, VK_EINTERNAL, "", "the survey's version is missing");
    if (!e)
        e = db_scan(ctx->store, &publish_sql, SQL_PUB_STAMP, DB_ARGS(DB_INT(r->id)),
                    DB_OUTS(DB_I64_TO(&version), DB_I64_TO(&count), DB_I64_TO(&maxid),
                            DB_I64_TO(&revision), DB_COPY_TO(updated, sizeof updated)),
                    NULL, "reading a survey", ei);
    if (e) {
        survey_row_fini(r);
        return e;
    }
    /* the last staff edit and the public questions, as a hash; after the
     * '_' what the responses change */
    uint64_t uh = fnv1a(updated);
    snprintf(stamp, 96, "%lld.%lld.%llx_%lld.%lld", (long long)version, (long long)revision,
             (unsigned long long)uh, (long long)count, (long long)maxid);
    keep_recent(r->id, stamp);
    return VK_OK;
}

vk_err api_survey_results_public(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"filter", "district", "features", NULL};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (e)
        return e;
    const char *slug = req->nargs ? req->args[0] : "";
    survey_row r;
    const survey_cached *sc = NULL;
    char stamp[96], query[QUERY_MAX + 16];
    if ((e = results_open(ctx, slug, 0, &r, &sc, stamp, &ctx->err)))
        return e;
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    const char *f = vk_req_param(req, "filter"), *d = vk_req_param(req, "district");
    const char *fs = vk_req_param(req, "features");
    snprintf(query, sizeof query, "%.*s|%.*s|%.5s", QUERY_MAX / 2, f ? f : "", 64, d ? d : "",
             fs ? fs : "");
    /* The ETag names the stamp and the query. */
    uint64_t h = fnv1a(query);
    char etag[160];
    snprintf(etag, sizeof etag, "\"pr%lld-%s-%016llx\"", (long long)r.id, stamp,
             (unsigned long long)h);
    char *tag = vk_arena_strdup(req->arena, etag);
    if (tag)
        vk_resp_header(resp, "ETag", tag);
    vk_resp_header(resp, "Cache-Control", "no-cache");
    if (etag_matches(req->if_none_match, etag)) {
        resp->status = 304;
        survey_row_fini(&r);
        return VK_OK;
    }
    pthread_mutex_lock(&lock);
    for (int i = 0; i < ANSWERS_KEPT; i++) {
        kept_answer *k = &kept[i];
        if (k->json && k->survey_id == r.id && !strcmp(k->stamp, stamp) && !strcmp(k->query, query)) {
            vk_buf_add(&resp->body, k->json, k->len);
            pthread_mutex_unlock(&lock);
            survey_row_fini(&r);
            return VK_OK;
        }
    }
    psnap *s = NULL;
    e = snap_get(ctx, &r, sc->def, stamp, &s, &ctx->err);
    if (!e)
        e = compute(s, req, slug, now, &resp->body, &ctx->err);
    if (!e && vk_buf_ok(&resp->body)) {
        kept_answer *k = &kept[kept_next];
        kept_next = (kept_next + 1) % ANSWERS_KEPT;
        free(k->json);
        k->json = malloc(resp->body.len ? resp->body.len : 1);
        if (k->json) {
            memcpy(k->json, resp->body.data, resp->body.len);
            k->len = resp->body.len;
            k->survey_id = r.id;
            snprintf(k->stamp, sizeof k->stamp, "%s", stamp);
            snprintf(k->query, sizeof k->query, "%s", query);
        }
    }
    pthread_mutex_unlock(&lock);
    survey_row_fini(&r);
    return e;
}

/* ---- the map figures for OGC API and the downloads ---- */

static const char *text_fi(const json_t *t)
{
    return json_is_string(t) ? json_string_value(t) : json_string_value(json_object_get(t, "fi"));
}

static char *arena_dup(vk_arena *a, const char *s)
{
    return vk_arena_strdup(a, s ? s : "");
}

/* The whole survey's cells of q into out (a copy in a). Under the lock. */
static vk_err map_copy(vk_arena *a, const psnap *s, const pquest *q, const priv_cell *cells,
                       pub_map *out)
{
    const priv_cell *c = cells + q->off;
    out->k = s->k;
    out->hex_size = s->hex_size;
    out->type = q->el->type->name;
    out->districts = vk_arena_alloc(a, sizeof *out->districts * (size_t)(s->ndist + 1));
    out->hexagons = vk_arena_alloc(a, sizeof *out->hexagons * (size_t)(q->ncells + 1));
    if (!out->districts || !out->hexagons)
        return VK_ENOMEM;
    for (int i = 0; i < s->ndist; i++) {
        pub_area *d = &out->districts[out->ndistricts++];
        memset(d, 0, sizeof *d);
        d->district_id = s->dist_id[i];
        d->code = arena_dup(a, s->dist_code[i]);
        d->name = arena_dup(a, s->dist_name[i]);
        d->cell = c[2 + i];
        if (!d->code || !d->name)
            return VK_ENOMEM;
    }
    const priv_cell *h = c + 2 + s->ndist;
    for (int i = 0; i < q->ncells; i++) {
        if (h[i].n == 0 && h[i].state == PRIV_SHOWN)
            continue; /* as put_map: an empty cell is not listed */
        pub_area *x = &out->hexagons[out->nhexagons++];
        memset(x, 0, sizeof *x);
        x->q = q->cells[i][0];
        x->r = q->cells[i][1];
        x->lon = q->centre[i][0];
        x->lat = q->centre[i][1];
        x->cell = h[i];
    }
    return VK_OK;
}

vk_err survey_publish_map(vk_ctx *ctx, vk_arena *a, const char *slug, const char *question,
                          pub_map *out, vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    survey_row r;
    const survey_cached *sc = NULL;
    char stamp[96];
    vk_err e = results_open(ctx, slug, 1, &r, &sc, stamp, ei);
    if (e)
        return e;
    char etag[160];
    snprintf(etag, sizeof etag, "\"pm%lld-%s\"", (long long)r.id, stamp);
    out->etag = vk_arena_strdup(a, etag);
    out->slug = vk_arena_strdup(a, slug);
    out->question = vk_arena_strdup(a, question);
    const char *stitle = text_fi(json_object_get(sc->def->doc, "title"));
    pthread_mutex_lock(&lock);
    psnap *s = NULL;
    e = snap_get(ctx, &r, sc->def, stamp, &s, ei);
    const pquest *q = e ? NULL : quest_find(s, question);
    int64_t *v = NULL;
    priv_cell *pc = NULL;
    uint8_t *mask = NULL;
    if (!e && (!q || q->kind != PK_MAP))
        e = vk_fail(ei, VK_ENOT_FOUND, "question", "the survey has no such map question");
    if (!e) {
        /* The view without conditions, as compute() makes it. */
        v = malloc(s->ncells * sizeof *v);
        pc = malloc(s->ncells * sizeof *pc);
        mask = malloc(s->nresp ? s->nresp : 1);
        if (!v || !pc || !mask) {
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
        } else {
            memset(mask, 1, s->nresp);
            view_count(s, mask, v);
            protect(s, v, NULL, 0, pc);
            if (map_copy(a, s, q, pc, out))
                e = vk_fail(ei, VK_ENOMEM, "", NULL);
            const char *qt = text_fi(json_object_get(q->el->json, "text"));
            size_t n = strlen(stitle ? stitle : slug) + strlen(qt ? qt : question) + 3;
            char *t = vk_arena_alloc(a, n);
            if (t)
                snprintf(t, n, "%s: %s", stitle ? stitle : slug, qt ? qt : question);
            out->title = t;
        }
    }
    pthread_mutex_unlock(&lock);
    free(v);
    free(pc);
    free(mask);
    survey_row_fini(&r);
    if (!e && (!out->etag || !out->slug || !out->question || !out->title))
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    return e;
}

static int read_slug(void *arg, db_row *row)
{
    json_t *list = arg;
    return json_array_append_new(list, json_string(db_col_text(row, 0))) != 0;
}

vk_err survey_publish_maps_each(vk_ctx *ctx, pub_map_fn fn, void *arg, vk_errinfo *ei)
{
    /* The slugs first: no statement stays open while each is read. */
    json_t *slugs = json_array();
    if (!slugs)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    vk_err e = db_each(ctx->store, &publish_sql, SQL_PUB_SURVEYS, DB_NO_ARGS, read_slug, slugs,
                       "listing surveys", ei);
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    size_t i;
    json_t *js;
    int stop = 0;
    json_array_foreach(slugs, i, js) {
        if (e || stop)
            break;
        survey_row r;
        int found = 0;
        if ((e = survey_store_get(ctx->store, json_string_value(js), &r, &found, ei)) || !found)
            continue;
        pub_settings set;
        int out = 0;
        if (!(e = pub_settings_get(ctx->store, r.id, &set, ei))) {
            out = pub_results_out(&set, now);
            pub_settings_fini(&set);
        }
        const survey_cached *sc = NULL;
        if (!e && out)
            e = survey_cache_get(ctx->store, ctx->gis, r.id, r.version, &sc, ei);
        const char *stitle = sc ? text_fi(json_object_get(sc->def->doc, "title")) : NULL;
        for (size_t k = 0; !e && sc && !stop && k < sc->def->n_elems; k++) {
            const survey_elem *el = &sc->def->elems[k];
            if (el->parent >= 0 || !(el->type->flags & QT_MAP) || pub_is_personal(sc->def, el->key))
                continue;
            const char *qt = text_fi(json_object_get(el->json, "text"));
            char title[512];
            snprintf(title, sizeof title, "%s: %s", stitle ? stitle : r.slug, qt ? qt : el->key);
            stop = fn(arg, r.slug, el->key, title);
        }
        survey_row_fini(&r);
    }
    json_decref(slugs);
    return e;
}
