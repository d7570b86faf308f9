/* results_filter.c — cross-filters of survey results: read from the query
 * (docs/survey-results.md, "Query parameters") and applied to a snapshot. */
#include "survey/results_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "survey/store.h"

#define FILTER_MAX_CHARS 2000

void results_filter_init(results_filter *f)
{
    memset(f, 0, sizeof *f);
}

void results_opts_init(results_opts *o)
{
    memset(o, 0, sizeof *o);
    o->hex_size = RESULTS_HEX_DEFAULT;
    o->texts = RESULTS_TEXTS_DEFAULT;
    o->staff = 1;
}

/* ---- reading ---- */

/* What a filter may ask of a question's type. */
typedef enum { ASK_NONE, ASK_KEYS, ASK_NUMBER, ASK_DATE, ASK_CONSENT } ask_kind;

static ask_kind ask_of(const survey_elem *el)
{
    const char *t = el->type->name;
    if (!strcmp(t, "single-choice") || !strcmp(t, "multi-choice") || !strcmp(t, "place-choice"))
        return ASK_KEYS;
    if (!strcmp(t, "scale") || !strcmp(t, "number"))
        return ASK_NUMBER;
    if (!strcmp(t, "date"))
        return ASK_DATE;
    if (!strcmp(t, "consent"))
        return ASK_CONSENT;
    return ASK_NONE;
}

static int is_number(const char *s, double *out)
{
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v) || strspn(s, "+-0123456789.") != strlen(s))
        return 0;
    *out = v;
    return 1;
}

/* A key offered by the question: a choice key or, for place-choice, one of
 * its places. */
static int offers_key(const survey_def *def, const survey_elem *el, const char *v)
{
    if (!strcmp(el->type->name, "place-choice")) {
        const json_t *list = json_object_get(el->json, "places");
        if (!list)
            return qt_has_key(json_object_get(def->doc, "places"), v);
        for (size_t i = 0; i < json_array_size(list); i++)
            if (!strcmp(json_string_value(json_array_get(list, i)), v))
                return 1;
        return 0;
    }
    return qt_has_key(json_object_get(el->json, "choices"), v);
}

/* One end of a range ("" open) as a number or a date's day. */
static int range_end(ask_kind k, const char *s, double *out, double open)
{
    if (!*s) {
        *out = open;
        return 1;
    }
    if (k == ASK_DATE) {
        int ok;
        if (strlen(s) != 10 || !qt_is_date(s))
            return 0;
        *out = rs_days(s, &ok);
        return ok;
    }
    return is_number(s, out);
}

static vk_err bad_filter(vk_errinfo *ei, const char *fmt, const char *a, const char *b)
{
    return vk_fail(ei, VK_EPARAM, "filter", fmt, a, b);
}

static vk_err read_cond(const survey_def *def, char *part, results_cond *c, vk_errinfo *ei)
{
    char *colon = strchr(part, ':');
    if (!colon || colon == part || !colon[1])
        return bad_filter(ei, "filter: '%s%s' is not QUESTION:VALUE", part, "");
    *colon = '\0';
    char *vals = colon + 1;
    const survey_elem *el = survey_def_find(def, part);
    if (!el || el->parent >= 0)
        return bad_filter(ei, "filter: there is no question '%s'%s", part,
                          el ? " outside a map question" : "");
    ask_kind k = ask_of(el);
    if (k == ASK_NONE)
        return bad_filter(ei, "filter: question '%s' is a %s; filters take choice, place, "
                              "scale, number, date and consent questions",
                          part, el->type->name);
    c->question = el->key;
    char *dots = strstr(vals, "..");
    if (dots && (k == ASK_NUMBER || k == ASK_DATE)) {
        *dots = '\0';
        if (!range_end(k, vals, &c->lo, -INFINITY) || !range_end(k, dots + 2, &c->hi, INFINITY) ||
            (!*vals && !dots[2]))
            return bad_filter(ei, "filter: '%s' needs a range LO..HI of %s", part,
                              k == ASK_DATE ? "dates YYYY-MM-DD" : "numbers");
        if (c->lo > c->hi)
            return bad_filter(ei, "filter: the range of '%s' ends before it starts%s", part, "");
        c->has_range = 1;
        return VK_OK;
    }
    if (k == ASK_DATE)
        return bad_filter(ei, "filter: '%s' needs a range of dates FROM..TO%s", part, "");
    char *save = NULL;
    for (char *v = strtok_r(vals, "|", &save); v; v = strtok_r(NULL, "|", &save)) {
        if (c->nvalues == RESULTS_MAX_VALUES)
            return bad_filter(ei, "filter: too many values for '%s'%s", part, "");
        double num;
        int ok = !strcmp(v, "_skip") && k != ASK_CONSENT;
        if (!ok && k == ASK_KEYS)
            ok = offers_key(def, el, v) ||
                 (!strcmp(v, "_other") && json_is_true(json_object_get(el->json, "other")));
        else if (!ok && k == ASK_NUMBER)
            ok = is_number(v, &num);
        else if (!ok && k == ASK_CONSENT)
            ok = !strcmp(v, "true");
        if (!ok)
            return vk_fail(ei, VK_EPARAM, "filter", "filter: '%s' is not a value of question '%s'",
                           v, part);
        c->values[c->nvalues++] = v;
    }
    if (!c->nvalues)
        return bad_filter(ei, "filter: '%s' has no value%s", part, "");
    return VK_OK;
}

static vk_err read_date(const char *name, const char *v, char out[11], vk_errinfo *ei)
{
    if (!v)
        return VK_OK;
    if (strlen(v) != 10 || !qt_is_date(v))
        return vk_fail(ei, VK_EPARAM, name, "%s must be a date YYYY-MM-DD", name);
    memcpy(out, v, 11);
    return VK_OK;
}

vk_err results_filter_parse(vk_ctx *ctx, const survey_def *def, const char *filter,
                            const char *district, const char *from, const char *to,
                            vk_arena *a, results_filter *out, vk_errinfo *ei)
{
    results_filter_init(out);
    vk_err e;
    if (filter) {
        if (strlen(filter) > FILTER_MAX_CHARS)
            return vk_fail(ei, VK_EPARAM, "filter", "filter is longer than %d characters",
                           FILTER_MAX_CHARS);
        char *copy = vk_arena_strdup(a, filter), *save = NULL;
        if (!copy)
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
            if (out->nconds == RESULTS_MAX_CONDS)
                return vk_fail(ei, VK_EPARAM, "filter", "filter: at most %d questions",
                               RESULTS_MAX_CONDS);
            results_cond *c = &out->conds[out->nconds];
            for (int i = 0; i < out->nconds; i++)
                if (!strncmp(out->conds[i].question, p, strlen(out->conds[i].question)) &&
                    p[strlen(out->conds[i].question)] == ':')
                    return bad_filter(ei, "filter: question '%s' is named twice%s",
                                      out->conds[i].question, "");
            if ((e = read_cond(def, p, c, ei)))
                return e;
            out->nconds++;
        }
        if (!out->nconds)
            return vk_fail(ei, VK_EPARAM, "filter", "filter is empty");
    }
    if (district) {
        char *copy = vk_arena_strdup(a, district), *save = NULL;
        if (!copy)
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
            if (out->ndistricts == RESULTS_MAX_DISTRICTS)
                return vk_fail(ei, VK_EPARAM, "district", "district: at most %d codes",
                               RESULTS_MAX_DISTRICTS);
            if (strlen(p) > 64 || survey_store_district_id(ctx->store, p) <= 0)
                return vk_fail(ei, VK_EPARAM, "district", "there is no district '%.64s'", p);
            out->districts[out->ndistricts++] = p;
        }
        if (!out->ndistricts)
            return vk_fail(ei, VK_EPARAM, "district", "district is empty");
    }
    if ((e = read_date("from", from, out->from, ei)) || (e = read_date("to", to, out->to, ei)))
        return e;
    if (out->from[0] && out->to[0] && strcmp(out->from, out->to) > 0)
        return vk_fail(ei, VK_EPARAM, "to", "to is before from");
    return VK_OK;
}

/* ---- applying ---- */

/* A condition resolved against a column. */
typedef struct cond_ix {
    const rs_col *col;
    uint8_t *key_ok; /* nkeys + 1 (the last: "other") */
    int skip;
    int nnums;
    double nums[RESULTS_MAX_VALUES];
    int has_range;
    double lo, hi;
    int consent;
} cond_ix;

static int cond_holds(const cond_ix *c, size_t r)
{
    const rs_col *col = c->col;
    if (col->state[r] == RS_SKIPPED)
        return c->skip;
    if (col->state[r] != RS_ANSWERED)
        return 0;
    if (c->key_ok) {
        for (uint32_t i = col->off[r]; i < col->off[r + 1]; i++)
            if (c->key_ok[col->codes[i]])
                return 1;
        return 0;
    }
    double v = col->num[r];
    if (c->has_range)
        return v >= c->lo && v <= c->hi;
    if (c->consent)
        return v == 1;
    for (int i = 0; i < c->nnums; i++)
        if (v == c->nums[i])
            return 1;
    return 0;
}

static int district_wanted(const rs_snap *s, const results_filter *f, int32_t d)
{
    if (d < 0)
        return 0;
    for (int i = 0; i < f->ndistricts; i++)
        if (!strcmp(s->districts[d].code, f->districts[i]))
            return 1;
    return 0;
}

vk_err rs_mask_make(const rs_snap *s, const results_filter *f, vk_arena *a, rs_mask *m,
                    vk_errinfo *ei)
{
    m->keep = vk_arena_alloc(a, s->nresp + 1);
    m->feat_keep = vk_arena_alloc(a, s->nfeat + 1);
    cond_ix *cx = vk_arena_alloc(a, (size_t)(f->nconds + 1) * sizeof *cx);
    if (!m->keep || !m->feat_keep || !cx)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    memset(cx, 0, (size_t)(f->nconds + 1) * sizeof *cx);
    for (int i = 0; i < f->nconds; i++) {
        const results_cond *c = &f->conds[i];
        long col = rs_col_find(s, c->question);
        if (col < 0)
            return vk_fail(ei, VK_EPARAM, "filter", "filter: there is no question '%s'",
                           c->question);
        cond_ix *x = &cx[i];
        x->col = &s->cols[col];
        x->has_range = c->has_range;
        x->lo = c->lo;
        x->hi = c->hi;
        int keys = x->col->kind == RS_SINGLE || x->col->kind == RS_MULTI ||
                   x->col->kind == RS_PLACE;
        if (keys) {
            x->key_ok = vk_arena_alloc(a, (size_t)x->col->nkeys + 1);
            if (!x->key_ok)
                return vk_fail(ei, VK_ENOMEM, "", NULL);
            memset(x->key_ok, 0, (size_t)x->col->nkeys + 1);
        }
        for (int v = 0; v < c->nvalues; v++) {
            const char *val = c->values[v];
            if (!strcmp(val, "_skip"))
                x->skip = 1;
            else if (keys && !strcmp(val, "_other"))
                x->key_ok[x->col->nkeys] = 1;
            else if (keys && rs_key_index(x->col, val) >= 0)
                x->key_ok[rs_key_index(x->col, val)] = 1;
            else if (x->col->kind == RS_CONSENT)
                x->consent = 1;
            else if (!keys)
                x->nums[x->nnums++] = strtod(val, NULL);
        }
    }
    int ok;
    int32_t from = f->from[0] ? rs_days(f->from, &ok) : INT32_MIN;
    int32_t to = f->to[0] ? rs_days(f->to, &ok) : INT32_MAX;
    m->n = 0;
    for (size_t r = 0; r < s->nresp; r++) {
        int keep = s->resp[r].day >= from && s->resp[r].day <= to;
        for (int i = 0; keep && i < f->nconds; i++)
            keep = cond_holds(&cx[i], r);
        m->keep[r] = (uint8_t)keep;
    }
    /* Districts: a respondent counts when a feature of theirs lies in one. */
    if (f->ndistricts) {
        uint8_t *in = vk_arena_alloc(a, s->nresp + 1);
        if (!in)
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        memset(in, 0, s->nresp + 1);
        for (size_t j = 0; j < s->nfeat; j++) {
            int here = district_wanted(s, f, s->feat[j].district);
            m->feat_keep[j] = (uint8_t)here;
            if (here)
                in[s->feat[j].resp] = 1;
        }
        for (size_t r = 0; r < s->nresp; r++)
            m->keep[r] = m->keep[r] && in[r];
    } else {
        memset(m->feat_keep, 1, s->nfeat + 1);
    }
    for (size_t j = 0; j < s->nfeat; j++)
        m->feat_keep[j] = m->feat_keep[j] && m->keep[s->feat[j].resp];
    for (size_t r = 0; r < s->nresp; r++)
        m->n += m->keep[r];
    return VK_OK;
}
