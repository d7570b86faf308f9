/* results_snapshot.c — the columnar snapshot of a survey's answers, built
 * once and shared until its stamp moves (results_internal.h). */
#include "survey/results_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "db/stmt.h"
#include "gis/crs.h"
#include "survey/cache.h"

DB_SLICE_DEFINE(results_sql, RESULTS_SQL)

/* Arena cap of one snapshot: far above 10 000 responses with 50 000
 * features (about 20 MB). */
#define SNAP_ARENA_MAX ((size_t)1 << 30)

/* ---- small helpers ---- */

int32_t rs_days(const char *s, int *ok)
{
    int y, m, d;
    *ok = 0;
    if (!s || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *ok = 1;
    return era * 146097 + doe - 719468;
}

void rs_date(int32_t days, char out[11])
{
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp + (mp < 10 ? 3 : -9);
    unsigned yy = (unsigned)(y + (m <= 2)) % 10000u, mm = (unsigned)m % 13u, dd = (unsigned)d % 32u;
    out[0] = (char)('0' + yy / 1000);
    out[1] = (char)('0' + yy / 100 % 10);
    out[2] = (char)('0' + yy / 10 % 10);
    out[3] = (char)('0' + yy % 10);
    out[4] = '-';
    out[5] = (char)('0' + mm / 10);
    out[6] = (char)('0' + mm % 10);
    out[7] = '-';
    out[8] = (char)('0' + dd / 10);
    out[9] = (char)('0' + dd % 10);
    out[10] = '\0';
}

long rs_col_find(const rs_snap *s, const char *key)
{
    for (size_t i = 0; i < s->ncols; i++)
        if (strcmp(s->cols[i].el->key, key) == 0)
            return (long)i;
    return -1;
}

int rs_key_index(const rs_col *c, const char *key)
{
    if (!key)
        return -1;
    for (int i = 0; i < c->nkeys; i++)
        if (strcmp(c->keys[i], key) == 0)
            return i;
    return -1;
}

static int column_index(const rs_col *c, const char *key)
{
    for (int i = 0; key && i < c->ncolumns; i++)
        if (strcmp(c->columns[i], key) == 0)
            return i;
    return -1;
}

/* ---- columns from the definition ---- */

static const struct {
    const char *type;
    rs_kind kind;
} kinds[] = {
    {"single-choice", RS_SINGLE}, {"multi-choice", RS_MULTI}, {"place-choice", RS_PLACE},
    {"scale", RS_SCALE},          {"number", RS_NUMBER},      {"text", RS_TEXT},
    {"ranking", RS_RANKING},      {"matrix", RS_MATRIX},      {"date", RS_DATE},
    {"consent", RS_CONSENT},      {"budget", RS_BUDGET},      {"map-point", RS_MAP},
    {"map-line", RS_MAP},         {"map-area", RS_MAP},       {"geobudget", RS_GEOBUDGET},
};

static int kind_of(const char *type, rs_kind *k)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].type, type) == 0) {
            *k = kinds[i].kind;
            return 1;
        }
    return 0;
}

/* Is key named in the "personal" list of some consent? */
static int is_personal(const survey_def *def, const char *key)
{
    for (size_t i = 0; i < def->n_elems; i++) {
        const json_t *list = json_object_get(def->elems[i].json, "personal");
        for (size_t k = 0; k < json_array_size(list); k++)
            if (strcmp(json_string_value(json_array_get(list, k)), key) == 0)
                return 1;
    }
    return 0;
}

static const json_t *survey_place(const json_t *places, const char *key)
{
    size_t i;
    const json_t *p;
    json_array_foreach(places, i, p) {
        if (strcmp(json_string_value(json_object_get(p, "key")), key) == 0)
            return p;
    }
    return NULL;
}

/* The keyed list member of el (choices, rows, items …) into keys and text. */
static vk_err keyed(vk_arena *a, const json_t *list, const char *label, int *n,
                    const char ***keys, const json_t ***text)
{
    *n = (int)json_array_size(list);
    *keys = vk_arena_alloc(a, (size_t)(*n + 1) * sizeof **keys);
    *text = vk_arena_alloc(a, (size_t)(*n + 1) * sizeof **text);
    if (!*keys || !*text)
        return VK_ENOMEM;
    for (int i = 0; i < *n; i++) {
        const json_t *it = json_array_get(list, (size_t)i);
        (*keys)[i] = json_string_value(json_object_get(it, "key"));
        (*text)[i] = json_object_get(it, label);
    }
    return VK_OK;
}

static vk_err make_columns(rs_snap *s, vk_errinfo *ei)
{
    const survey_def *def = s->def;
    vk_arena *a = &s->arena;
    s->cols = vk_arena_alloc(a, (def->n_elems + 1) * sizeof *s->cols);
    if (!s->cols)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    /* Where each element landed, for follow-ups' parents. */
    long *col_of = vk_arena_alloc(a, (def->n_elems + 1) * sizeof *col_of);
    if (!col_of)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    for (size_t i = 0; i < def->n_elems; i++) {
        const survey_elem *el = &def->elems[i];
        rs_kind k;
        col_of[i] = -1;
        if (!(el->type->flags & QT_QUESTION) || !kind_of(el->type->name, &k))
            continue;
        rs_col *c = &s->cols[s->ncols];
        memset(c, 0, sizeof *c);
        c->el = el;
        c->kind = k;
        c->parent = el->parent >= 0 ? col_of[el->parent] : -1;
        c->personal = is_personal(def, el->key);
        c->other = json_is_true(json_object_get(el->json, "other"));
        vk_err e = VK_OK;
        const json_t *j = el->json;
        if (k == RS_SINGLE || k == RS_MULTI || k == RS_RANKING) {
            e = keyed(a, json_object_get(j, "choices"), "text", &c->nkeys, &c->keys, &c->key_text);
        } else if (k == RS_MATRIX) {
            if (!(e = keyed(a, json_object_get(j, "rows"), "text", &c->nkeys, &c->keys,
                            &c->key_text)))
                e = keyed(a, json_object_get(j, "columns"), "text", &c->ncolumns, &c->columns,
                          &c->column_text);
        } else if (k == RS_BUDGET || k == RS_GEOBUDGET) {
            const json_t *items = json_object_get(j, "items");
            e = keyed(a, items, "text", &c->nkeys, &c->keys, &c->key_text);
            c->cost = e ? NULL : vk_arena_alloc(a, (size_t)(c->nkeys + 1) * sizeof *c->cost);
            if (!e && !c->cost)
                e = VK_ENOMEM;
            for (int m = 0; !e && m < c->nkeys; m++)
                c->cost[m] = json_number_value(
                    json_object_get(json_array_get(items, (size_t)m), "cost"));
        } else if (k == RS_PLACE) {
            /* Its "places", or without them every place of the survey. */
            const json_t *list = json_object_get(j, "places");
            if (!list) {
                e = keyed(a, s->places, "name", &c->nkeys, &c->keys, &c->key_text);
            } else {
                c->nkeys = (int)json_array_size(list);
                c->keys = vk_arena_alloc(a, (size_t)(c->nkeys + 1) * sizeof *c->keys);
                c->key_text = vk_arena_alloc(a, (size_t)(c->nkeys + 1) * sizeof *c->key_text);
                if (!c->keys || !c->key_text)
                    e = VK_ENOMEM;
            }
            for (int m = 0; list && !e && m < c->nkeys; m++) {
                c->keys[m] = json_string_value(json_array_get(list, (size_t)m));
                c->key_text[m] = json_object_get(survey_place(s->places, c->keys[m]), "name");
            }
        }
        if (e)
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        col_of[i] = (long)s->ncols++;
    }
    return VK_OK;
}

/* ---- reading the rows ---- */

typedef struct loader {
    rs_snap *s;
    vk_ctx *ctx;
    vk_err err;
    size_t cap;
    /* answers as read, before they are laid out per column */
    struct raw {
        int32_t resp, col;
        int skipped;
        json_t *value;
    } *raw;
    size_t nraw, rawcap;
    /* follow-up answers of each feature (json objects), by feature */
    json_t **fanswers;
} loader;

static int read_response(void *arg, db_row *row)
{
    loader *l = arg;
    rs_snap *s = l->s;
    if (s->nresp == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        rs_resp *v = realloc(s->resp, cap * sizeof *v);
        if (!v) {
            l->err = VK_ENOMEM;
            return 1;
        }
        s->resp = v;
        l->cap = cap;
    }
    rs_resp *r = &s->resp[s->nresp];
    const char *uuid = db_col_text(row, 1), *sub = db_col_text(row, 4),
               *lang = db_col_text(row, 3);
    r->id = db_col_int64(row, 0);
    r->uuid = vk_arena_strdup(&s->arena, uuid ? uuid : "");
    r->submitted = vk_arena_strdup(&s->arena, sub ? sub : "");
    if (!r->uuid || !r->submitted) {
        l->err = VK_ENOMEM;
        return 1;
    }
    r->version = db_col_int64(row, 2);
    r->lang = lang && strcmp(lang, "sv") == 0 ? 1 : lang && strcmp(lang, "en") == 0 ? 2 : 0;
    int ok;
    r->day = rs_days(r->submitted, &ok);
    r->seconds = db_col_is_null(row, 5) ? -1 : (int32_t)db_col_int64(row, 5);
    r->without_map = (int32_t)db_col_int64(row, 6);
    s->nresp++;
    return 0;
}

static long resp_index(const rs_snap *s, int64_t id)
{
    size_t lo = 0, hi = s->nresp;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->resp[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nresp && s->resp[lo].id == id ? (long)lo : -1;
}

static int read_answer(void *arg, db_row *row)
{
    loader *l = arg;
    long r = resp_index(l->s, db_col_int64(row, 0));
    const char *q = db_col_text(row, 1);
    long c = q ? rs_col_find(l->s, q) : -1;
    if (r < 0 || c < 0 || l->s->cols[c].parent >= 0)
        return 0; /* a response of a moment ago, or a question since removed: not counted */
    if (l->nraw == l->rawcap) {
        size_t cap = l->rawcap ? l->rawcap * 2 : 4096;
        struct raw *v = realloc(l->raw, cap * sizeof *v);
        if (!v) {
            l->err = VK_ENOMEM;
            return 1;
        }
        l->raw = v;
        l->rawcap = cap;
    }
    const char *text = db_col_text(row, 2);
    json_t *value = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    if (!value)
        return 0;
    l->raw[l->nraw++] = (struct raw){(int32_t)r, (int32_t)c, db_col_int(row, 3), value};
    return 0;
}

static int read_district(void *arg, db_row *row)
{
    loader *l = arg;
    rs_snap *s = l->s;
    rs_district *d = &s->districts[s->ndistricts];
    d->id = db_col_int64(row, 0);
    d->code = vk_arena_strdup(&s->arena, db_col_text(row, 1) ? db_col_text(row, 1) : "");
    for (int i = 0; i < 3; i++)
        d->name[i] =
            vk_arena_strdup(&s->arena, db_col_text(row, 2 + i) ? db_col_text(row, 2 + i) : "");
    if (!d->code || !d->name[0] || !d->name[1] || !d->name[2]) {
        l->err = VK_ENOMEM;
        return 1;
    }
    s->ndistricts++;
    return 0;
}

static int32_t district_index(const rs_snap *s, int64_t id)
{
    for (size_t i = 0; id > 0 && i < s->ndistricts; i++)
        if (s->districts[i].id == id)
            return (int32_t)i;
    return -1;
}

static int place_index(const rs_snap *s, const char *key)
{
    size_t i;
    const json_t *p;
    json_array_foreach(s->places, i, p) {
        const char *k = json_string_value(json_object_get(p, "key"));
        if (key && k && strcmp(k, key) == 0)
            return (int)i;
    }
    return -1;
}

static int read_feature(void *arg, db_row *row)
{
    loader *l = arg;
    rs_snap *s = l->s;
    long r = resp_index(s, db_col_int64(row, 0));
    const char *q = db_col_text(row, 1);
    long c = q ? rs_col_find(s, q) : -1;
    if (r < 0 || c < 0 || (s->cols[c].kind != RS_MAP && s->cols[c].kind != RS_GEOBUDGET))
        return 0;
    if (s->nfeat == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4096;
        rs_feature *v = realloc(s->feat, cap * sizeof *v);
        json_t **fa = realloc(l->fanswers, cap * sizeof *fa);
        if (v)
            s->feat = v;
        if (fa)
            l->fanswers = fa;
        if (!v || !fa) {
            l->err = VK_ENOMEM;
            return 1;
        }
        l->cap = cap;
    }
    rs_feature *f = &s->feat[s->nfeat];
    const char *located = db_col_text(row, 3);
    f->resp = (int32_t)r;
    f->col = (int32_t)c;
    f->idx = db_col_int(row, 2);
    f->where = !located ? QT_AT_WORDS
               : strcmp(located, "geometry") == 0 ? QT_AT_GEOMETRY
               : strcmp(located, "district") == 0 ? QT_AT_DISTRICT
               : strcmp(located, "place") == 0    ? QT_AT_PLACE
                                                  : QT_AT_WORDS;
    f->district = district_index(s, db_col_int64(row, 4));
    f->place = place_index(s, db_col_text(row, 5));
    f->item = rs_key_index(&s->cols[c], db_col_text(row, 6));
    f->x = f->y = NAN;
    if (!db_col_is_null(row, 8) && !db_col_is_null(row, 9)) {
        double x = db_col_double(row, 8), y = db_col_double(row, 9);
        if (gis_proj_from_storage(l->ctx->proj, GIS_CRS_3067, &x, &y) == VK_OK) {
            f->x = x;
            f->y = y;
        }
    }
    const char *answers = db_col_text(row, 7);
    l->fanswers[s->nfeat] = answers ? json_loads(answers, 0, NULL) : NULL;
    s->nfeat++;
    return 0;
}

static int feature_cmp(const void *pa, const void *pb)
{
    const rs_feature *a = pa, *b = pb;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    if (a->resp != b->resp)
        return a->resp < b->resp ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* ---- laying answers out per column ---- */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* One answer's codes into out (room for cap), returning how many; the
 * number or text into *num / *text. */
static int parse_value(const rs_col *c, const json_t *v, int32_t *out, int cap, double *num,
                       const char **text, vk_arena *a)
{
    int n = 0;
    size_t i;
    const json_t *x;
    switch (c->kind) {
    case RS_SINGLE:
        if (json_is_string(v)) {
            int k = rs_key_index(c, json_string_value(v));
            if (k >= 0 && n < cap)
                out[n++] = k;
        } else if (json_is_object(v) && n < cap) {
            out[n++] = c->nkeys;
            *text = vk_arena_strdup(a, or_empty(json_string_value(json_object_get(v, "other"))));
        }
        break;
    case RS_MULTI:
    case RS_PLACE:
    case RS_RANKING:
        json_array_foreach(v, i, x) {
            if (json_is_string(x)) {
                int k = rs_key_index(c, json_string_value(x));
                if (k >= 0 && n < cap)
                    out[n++] = k;
            } else if (json_is_object(x) && n < cap) {
                out[n++] = c->nkeys;
                *text = vk_arena_strdup(a, or_empty(json_string_value(json_object_get(x, "other"))));
            }
        }
        break;
    case RS_MATRIX:
        for (int r = 0; r < c->nkeys && n < cap; r++)
            out[n++] = column_index(c, json_string_value(json_object_get(v, c->keys[r])));
        break;
    case RS_BUDGET:
        for (int r = 0; r < c->nkeys && n < cap; r++)
            out[n++] = (int32_t)json_integer_value(json_object_get(v, c->keys[r]));
        break;
    case RS_SCALE:
    case RS_NUMBER:
        *num = json_number_value(v);
        break;
    case RS_DATE: {
        int ok;
        int32_t d = rs_days(json_string_value(v), &ok);
        *num = ok ? d : NAN;
        break;
    }
    case RS_CONSENT:
        *num = json_is_true(v);
        break;
    case RS_TEXT:
        *text = vk_arena_strdup(a, or_empty(json_string_value(v)));
        break;
    case RS_MAP:
    case RS_GEOBUDGET:
        break; /* answered through features */
    }
    return n;
}

/* Room for the codes of one answer of c. */
static int code_cap(const rs_col *c)
{
    return c->nkeys + 2;
}

/* Fill column c's rows; row i's answer is value_of(i). */
static vk_err fill_column(rs_snap *s, rs_col *c, size_t nrows, json_t *const *values,
                          const uint8_t *skipped)
{
    vk_arena *a = &s->arena;
    c->nrows = nrows;
    c->state = vk_arena_alloc(a, nrows + 1);
    c->off = vk_arena_alloc(a, (nrows + 1) * sizeof *c->off);
    c->num = vk_arena_alloc(a, (nrows + 1) * sizeof *c->num);
    c->text = vk_arena_alloc(a, (nrows + 1) * sizeof *c->text);
    if (!c->state || !c->off || !c->num || !c->text)
        return VK_ENOMEM;
    size_t total = 0;
    int cap = code_cap(c);
    for (size_t i = 0; i < nrows; i++)
        if (values[i])
            total += (size_t)cap;
    int32_t *tmp = malloc((total + 1) * sizeof *tmp);
    if (!tmp)
        return VK_ENOMEM;
    size_t used = 0;
    int allow_skip = json_is_true(json_object_get(c->el->json, "allow_skip"));
    for (size_t i = 0; i < nrows; i++) {
        c->off[i] = (uint32_t)used;
        c->num[i] = NAN;
        c->text[i] = NULL;
        c->state[i] = RS_NONE;
        if (skipped && skipped[i]) {
            c->state[i] = RS_SKIPPED;
            continue;
        }
        const json_t *v = values[i];
        if (!v || json_is_null(v))
            continue;
        /* "skip" is a skip only where the author allows one (a text may
         * say "skip"); top-level skips also come flagged by the store. */
        if (allow_skip && json_is_string(v) && strcmp(json_string_value(v), "skip") == 0) {
            c->state[i] = RS_SKIPPED;
            continue;
        }
        c->state[i] = RS_ANSWERED;
        used += (size_t)parse_value(c, v, tmp + used, cap, &c->num[i], &c->text[i], a);
    }
    c->off[nrows] = (uint32_t)used;
    c->codes = vk_arena_alloc(a, (used + 1) * sizeof *c->codes);
    if (c->codes)
        memcpy(c->codes, tmp, used * sizeof *tmp);
    free(tmp);
    return c->codes ? VK_OK : VK_ENOMEM;
}

static vk_err layout(loader *l)
{
    rs_snap *s = l->s;
    size_t n = s->nresp > s->nfeat ? s->nresp : s->nfeat;
    json_t **values = calloc(n + 1, sizeof *values);
    uint8_t *skipped = calloc(n + 1, 1);
    if (!values || !skipped) {
        free(values);
        free(skipped);
        return VK_ENOMEM;
    }
    /* Raw answers grouped by column: sort indices by column. */
    vk_err e = VK_OK;
    for (size_t c = 0; !e && c < s->ncols; c++) {
        rs_col *col = &s->cols[c];
        if (col->parent >= 0)
            continue;
        memset(values, 0, (n + 1) * sizeof *values);
        memset(skipped, 0, n + 1);
        for (size_t i = 0; i < l->nraw; i++) {
            if (l->raw[i].col != (int32_t)c)
                continue;
            values[l->raw[i].resp] = l->raw[i].value;
            skipped[l->raw[i].resp] = (uint8_t)(l->raw[i].skipped != 0);
        }
        if (col->kind == RS_MAP || col->kind == RS_GEOBUDGET) {
            /* Answered through features: mark those who drew. */
            if ((e = fill_column(s, col, s->nresp, values, skipped)))
                break;
            for (size_t f = col->feat_lo; f < col->feat_hi; f++)
                col->state[s->feat[f].resp] = RS_ANSWERED;
        } else {
            e = fill_column(s, col, s->nresp, values, skipped);
        }
    }
    /* Follow-ups: rows are the parent's features. */
    for (size_t c = 0; !e && c < s->ncols; c++) {
        rs_col *col = &s->cols[c];
        if (col->parent < 0)
            continue;
        const rs_col *p = &s->cols[col->parent];
        size_t rows = p->feat_hi - p->feat_lo;
        for (size_t i = 0; i < rows; i++) {
            json_t *fa = l->fanswers[p->feat_lo + i];
            values[i] = fa ? json_object_get(fa, col->el->key) : NULL;
            skipped[i] = 0;
        }
        e = fill_column(s, col, rows, values, skipped);
    }
    free(values);
    free(skipped);
    return e;
}

/* ---- building ---- */

typedef struct stamp_row {
    int64_t responses, last, drafts, version, districts;
} stamp_row;

static vk_err read_stamp(vk_ctx *ctx, int64_t survey_id, stamp_row *r, char out[64],
                         vk_errinfo *ei)
{
    memset(r, 0, sizeof *r);
    vk_err e = db_scan(ctx->store, &results_sql, SQL_RES_STAMP, DB_ARGS(DB_INT(survey_id)),
                       DB_OUTS(DB_I64_TO(&r->responses), DB_I64_TO(&r->last),
                               DB_I64_TO(&r->drafts), DB_I64_TO(&r->version),
                               DB_I64_TO(&r->districts)),
                       NULL, "survey results", ei);
    if (!e)
        /* after the '_' what responses and drafts change (survey_snap_keep) */
        snprintf(out, 64, "s%lld-v%lld-a%lld_r%lld-%lld-d%lld", (long long)survey_id,
                 (long long)r->version, (long long)r->districts, (long long)r->responses,
                 (long long)r->last, (long long)r->drafts);
    return e;
}


static void snap_free(rs_snap *s)
{
    if (!s)
        return;
    free(s->resp);
    free(s->feat);
    vk_arena_fini(&s->arena);
    free(s);
}

static void loader_fini(loader *l)
{
    for (size_t i = 0; i < l->nraw; i++)
        json_decref(l->raw[i].value);
    free(l->raw);
    for (size_t i = 0; l->fanswers && i < l->s->nfeat; i++)
        json_decref(l->fanswers[i]);
    free(l->fanswers);
}

/* A feature's answers travel with it through the sort. */
typedef struct feat_pair {
    rs_feature f;
    json_t *answers;
} feat_pair;

static int pair_cmp(const void *a, const void *b)
{
    return feature_cmp(&((const feat_pair *)a)->f, &((const feat_pair *)b)->f);
}

static vk_err sort_features(loader *l)
{
    rs_snap *s = l->s;
    if (s->nfeat < 2)
        goto ranges;
    feat_pair *p = malloc(s->nfeat * sizeof *p);
    if (!p)
        return VK_ENOMEM;
    for (size_t i = 0; i < s->nfeat; i++)
        p[i] = (feat_pair){s->feat[i], l->fanswers[i]};
    qsort(p, s->nfeat, sizeof *p, pair_cmp);
    for (size_t i = 0; i < s->nfeat; i++) {
        s->feat[i] = p[i].f;
        l->fanswers[i] = p[i].answers;
    }
    free(p);
ranges:
    for (size_t i = 0; i < s->nfeat;) {
        size_t j = i;
        while (j < s->nfeat && s->feat[j].col == s->feat[i].col)
            j++;
        s->cols[s->feat[i].col].feat_lo = i;
        s->cols[s->feat[i].col].feat_hi = j;
        i = j;
    }
    return VK_OK;
}

static vk_err build(vk_ctx *ctx, int64_t survey_id, const survey_def *def, const char *stamp,
                    int64_t drafts, rs_snap **out, vk_errinfo *ei)
{
    rs_snap *s = calloc(1, sizeof *s);
    if (!s)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    vk_arena_init(&s->arena, SNAP_ARENA_MAX);
    s->survey_id = survey_id;
    s->def = def;
    s->drafts = drafts;
    snprintf(s->stamp, sizeof s->stamp, "%s", stamp);
    s->places = json_object_get(def->doc, "places");
    loader l = {.s = s, .ctx = ctx};
    store_conn *c = ctx->store;
    int64_t nd = 0;
    vk_err e = make_columns(s, ei);
    if (!e)
        e = store_read_begin(c, ei);
    if (e) {
        snap_free(s);
        return e;
    }
    stamp_row st;
    char now_stamp[64];
    if (!(e = read_stamp(ctx, survey_id, &st, now_stamp, ei))) {
        nd = st.districts;
        s->version = st.version;
        s->districts = vk_arena_alloc(&s->arena, (size_t)(nd + 1) * sizeof *s->districts);
        if (!s->districts)
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    if (!e)
        e = db_each(c, &results_sql, SQL_RES_DISTRICTS, DB_NO_ARGS, read_district, &l,
                    "districts", ei);
    if (!e && !l.err && s->ndistricts > (size_t)nd)
        e = vk_fail(ei, VK_EINTERNAL, "", "the districts changed while read");
    if (!e && !l.err)
        e = db_each(c, &results_sql, SQL_RES_RESPONSES, DB_ARGS(DB_INT(survey_id)),
                    read_response, &l, "survey responses", ei);
    if (!e && !l.err)
        e = db_each(c, &results_sql, SQL_RES_ANSWERS, DB_ARGS(DB_INT(survey_id)), read_answer,
                    &l, "survey answers", ei);
    l.cap = 0;
    if (!e && !l.err)
        e = db_each(c, &results_sql, SQL_RES_FEATURES, DB_ARGS(DB_INT(survey_id)),
                    read_feature, &l, "survey features", ei);
    store_read_end(c);
    if (!e && l.err)
        e = vk_fail(ei, l.err, "", NULL);
    if (!e && (e = sort_features(&l)))
        vk_fail(ei, e, "", NULL);
    if (!e && (e = layout(&l)))
        vk_fail(ei, e, "", NULL);
    loader_fini(&l);
    if (e) {
        snap_free(s);
        return e;
    }
    *out = s;
    return VK_OK;
}

/* ---- the cache: one current snapshot per survey ---- */

#define CACHE_MAX 32

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static rs_snap *cache[CACHE_MAX];

/* The stamp of the snapshot to serve: the survey's now, or a large
 * survey's kept snapshot's while only responses came (survey/cache.h). */
static vk_err current_stamp(vk_ctx *ctx, int64_t survey_id, stamp_row *r, char out[64],
                            vk_errinfo *ei)
{
    vk_err e = read_stamp(ctx, survey_id, r, out, ei);
    if (e)
        return e;
    int64_t now = vk_monotonic_us();
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_MAX; i++) {
        const rs_snap *s = cache[i];
        if (s && s->survey_id == survey_id &&
            survey_snap_keep(s->stamp, out, s->built_us, s->cost_us, now)) {
            snprintf(out, 64, "%s", s->stamp);
            break;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return VK_OK;
}

vk_err results_stamp(vk_ctx *ctx, int64_t survey_id, char out[64], vk_errinfo *ei)
{
    stamp_row r;
    return current_stamp(ctx, survey_id, &r, out, ei);
}

vk_err rs_acquire(vk_ctx *ctx, int64_t survey_id, const survey_def *def, rs_snap **out,
                  vk_errinfo *ei)
{
    char stamp[64];
    stamp_row r;
    vk_err e = current_stamp(ctx, survey_id, &r, stamp, ei);
    if (e)
        return e;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_MAX; i++) {
        rs_snap *s = cache[i];
        if (s && s->survey_id == survey_id && s->def == def && strcmp(s->stamp, stamp) == 0) {
            s->refs++;
            pthread_mutex_unlock(&cache_lock);
            *out = s;
            return VK_OK;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    /* Built outside the lock: two requests may build at once, the later
     * replaces the earlier (both are correct). Without the request's query
     * deadline, as the statistics snapshot: shared work bounded by the
     * data, which a request cut short would leave for the next to redo. */
    rs_snap *s = NULL;
    int64_t deadline = store_deadline_get(ctx->store);
    store_deadline_set(ctx->store, 0);
    int64_t t0 = vk_monotonic_us();
    e = build(ctx, survey_id, def, stamp, r.drafts, &s, ei);
    store_deadline_set(ctx->store, deadline);
    if (e)
        return e;
    s->built_us = vk_monotonic_us();
    s->cost_us = s->built_us - t0;
    s->refs = 2; /* the cache's and the caller's */
    rs_snap *old = NULL;
    pthread_mutex_lock(&cache_lock);
    int slot = -1;
    for (int i = 0; i < CACHE_MAX; i++)
        if (cache[i] && cache[i]->survey_id == survey_id) {
            slot = i;
            break;
        }
    for (int i = 0; slot < 0 && i < CACHE_MAX; i++)
        if (!cache[i])
            slot = i;
    if (slot < 0)
        slot = (int)((uint64_t)survey_id % CACHE_MAX); /* full: evict one */
    old = cache[slot];
    cache[slot] = s;
    if (old && --old->refs > 0)
        old = NULL;
    pthread_mutex_unlock(&cache_lock);
    snap_free(old);
    *out = s;
    return VK_OK;
}

void rs_release(rs_snap *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&cache_lock);
    int last = --s->refs == 0;
    pthread_mutex_unlock(&cache_lock);
    if (last)
        snap_free(s);
}

void results_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_MAX; i++) {
        rs_snap *s = cache[i];
        cache[i] = NULL;
        if (s && --s->refs == 0)
            snap_free(s);
    }
    pthread_mutex_unlock(&cache_lock);
}
