/*
 * response.c — check a survey response and normalise it (see response.h).
 *
 * Conditions name only earlier questions (the definition guarantees it),
 * so one walk in document order suffices: by the time a condition is
 * evaluated, every answer it can look at has been checked, and answers to
 * hidden questions have already been refused.
 */
#include "survey/response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "survey/store.h"

void survey_norm_init(survey_norm *n)
{
    memset(n, 0, sizeof *n);
    qt_features_init(&n->features);
}

void survey_norm_fini(survey_norm *n)
{
    for (size_t i = 0; i < n->n_answers; i++)
        free(n->answers[i].json);
    for (size_t i = 0; n->feature_data && i < n->features.n; i++) {
        free(n->feature_data[i].answers);
        free(n->feature_data[i].geom);
    }
    free(n->feature_data);
    free(n->answers);
    qt_features_fini(&n->features);
    survey_norm_init(n);
}

static int uuid_ok(const char *s)
{
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                     (s[i] >= 'A' && s[i] <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

/* Answers to top-level questions, for conditions. */
typedef struct top_scope {
    const survey_def *def;
    const json_t *answers;
} top_scope;

static const json_t *top_lookup(void *ud, const char *key, const json_t **elem)
{
    top_scope *s = ud;
    const survey_elem *el = survey_def_find(s->def, key);
    *elem = el ? el->json : NULL;
    return el && el->parent < 0 ? json_object_get(s->answers, key) : NULL;
}

/* The consent whose "personal" names key, or NULL. */
static const survey_elem *consent_for(const survey_def *def, const char *key)
{
    for (size_t i = 0; i < def->n_elems; i++) {
        size_t k;
        const json_t *v;
        json_array_foreach(json_object_get(def->elems[i].json, "personal"), k, v) {
            if (strcmp(json_string_value(v), key) == 0)
                return &def->elems[i];
        }
    }
    return NULL;
}

static vk_err envelope(const json_t *r, survey_norm *out, vk_errinfo *ei)
{
    static const char *const members[] = {"id", "version", "language", "started", "answers",
                                          NULL};
    if (!json_is_object(r))
        return vk_fail(ei, VK_ETYPE, "", "a response is a JSON object");
    vk_err e = qt_check_members(r, "", members, NULL, ei);
    if (e != VK_OK)
        return e;
    const json_t *id = json_object_get(r, "id");
    if (!id)
        return vk_fail(ei, VK_EMISSING, "id", "a response needs its \"id\" (a UUID)");
    if (!uuid_ok(json_string_value(id)))
        return vk_fail(ei, VK_EVALUE, "id", "\"id\" must be a UUID made by the client");
    const json_t *ver = json_object_get(r, "version");
    if (!ver)
        return vk_fail(ei, VK_EMISSING, "version", "a response names the survey \"version\"");
    if (!json_is_integer(ver) || json_integer_value(ver) < 1)
        return vk_fail(ei, VK_EVALUE, "version", "\"version\" is a whole number from 1");
    const json_t *lang = json_object_get(r, "language");
    const char *ls = lang ? json_string_value(lang) : "fi";
    if (!ls || (strcmp(ls, "fi") != 0 && strcmp(ls, "sv") != 0 && strcmp(ls, "en") != 0))
        return vk_fail(ei, VK_EVALUE, "language", "\"language\" is \"fi\", \"sv\" or \"en\"");
    const json_t *st = json_object_get(r, "started");
    if (st && (!json_is_string(st) || vk_rfc3339_normalise(json_string_value(st), out->started)))
        return vk_fail(ei, VK_EVALUE, "started", "\"started\" must be an RFC 3339 date-time");
    const json_t *answers = json_object_get(r, "answers");
    if (!answers)
        return vk_fail(ei, VK_EMISSING, "answers", "a response needs \"answers\"");
    if (!json_is_object(answers))
        return vk_fail(ei, VK_ETYPE, "answers", "\"answers\" is an object {question key: answer}");
    out->id = json_string_value(id);
    out->version = json_integer_value(ver);
    out->language = ls;
    return VK_OK;
}

static vk_err add_answer(survey_norm *out, size_t *cap, const survey_answer *a, const char *path,
                         vk_errinfo *ei)
{
    if (out->n_answers == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        survey_answer *v = realloc(out->answers, c * sizeof *v);
        if (!v)
            return vk_fail(ei, VK_ENOMEM, path, NULL);
        out->answers = v;
        *cap = c;
    }
    out->answers[out->n_answers++] = *a;
    return VK_OK;
}

static vk_err walk(const survey_def *def, const json_t *answers, const survey_env *senv,
                   survey_norm *out, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)answers, k, v) {
        const survey_elem *el = survey_def_find(def, k);
        qt_pathf(p, "answers.%s", k);
        if (!el || el->parent >= 0 || !(el->type->flags & QT_QUESTION))
            return vk_fail(ei, VK_EANSWER, p, "the survey has no question '%.40s'%s", k,
                           el && el->parent >= 0 ? " outside a map question's follow-ups" : "");
    }
    top_scope scope = {def, answers};
    qt_env env = {.gis = senv->gis,
                  .area = senv->area,
                  .area_outside = def->area_outside,
                  .places = json_object_get(def->doc, "places"),
                  .district_id = senv->district_id,
                  .district_ud = senv->district_ud,
                  .outer = top_lookup,
                  .outer_ud = &scope,
                  .features = &out->features};
    const json_t *pages = json_object_get(def->doc, "pages");
    size_t cap = 0, page = (size_t)-1;
    int page_shown = 1;
    for (size_t i = 0; i < def->n_elems; i++) {
        const survey_elem *el = &def->elems[i];
        if (el->parent >= 0)
            continue; /* follow-ups are checked with their feature */
        if (el->page != page) {
            page = el->page;
            const json_t *c = json_object_get(json_array_get(pages, page), "show_if");
            page_shown = !c || qt_condition_holds(c, top_lookup, &scope);
        }
        if (!(el->type->flags & QT_QUESTION))
            continue;
        const json_t *c = json_object_get(el->json, "show_if");
        int shown = page_shown && (!c || qt_condition_holds(c, top_lookup, &scope));
        const json_t *a = json_object_get(answers, el->key);
        qt_pathf(p, "answers.%s", el->key);
        if (qt_answer_empty(a)) {
            if (shown && json_is_true(json_object_get(el->json, "required")))
                return vk_fail(ei, VK_EANSWER, p, "an answer is required");
            continue;
        }
        if (!shown)
            return vk_fail(ei, VK_EANSWER, p, "this question is hidden by %s condition",
                           page_shown ? "its" : "its page's");
        survey_answer row = {el->key, el->type->name, a, 0, 0, 0, NULL};
        vk_err e = qt_check_answer(el->json, a, p, &env, &row.skipped, ei);
        if (e != VK_OK)
            return e;
        /* Map and geobudget answers are stored as their features. */
        row.as_feature = !row.skipped && ((el->type->flags & QT_MAP) ||
                                          strcmp(el->type->name, "geobudget") == 0);
        const survey_elem *consent = consent_for(def, el->key);
        if (consent) {
            row.personal = 1;
            if (!json_is_true(json_object_get(answers, consent->key)))
                return vk_fail(ei, VK_EANSWER, p,
                               "this answer is personal data: give the consent '%s' first, or "
                               "leave it out",
                               consent->key);
        }
        if ((e = add_answer(out, &cap, &row, p, ei)) != VK_OK)
            return e;
    }
    return VK_OK;
}

vk_err survey_response_check(const survey_def *def, const json_t *response,
                             const survey_env *env, survey_norm *out, vk_errinfo *ei)
{
    vk_err e = envelope(response, out, ei);
    if (e == VK_OK)
        e = walk(def, json_object_get(response, "answers"), env, out, ei);
    /* On the caller's thread (the request's), so the writer only binds. */
    if (e == VK_OK)
        e = survey_store_prepare(out, ei);
    if (e != VK_OK)
        survey_norm_fini(out);
    return e;
}
