/*
 * demo.c — the demo surveys of seeds/surveys/ with their generated
 * responses, loaded by --demo (see survey_seed_demo in seed.h). Stored
 * through survey/store.h as the staff routes publish a survey and the POST
 * route stores a response, after the same check.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/jsonfile.h"
#include "survey/response.h"
#include "survey/seed.h"
#include "survey/store.h"

#define DEMO_MAX_FILES 64
#define DEMO_DAYS 28 /* responses arrive over the last four weeks */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json names in dir, sorted; *n 0 when dir does not exist. Caller
 * frees each name and the array with free(). */
static char **json_names(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    char **names = d ? calloc(DEMO_MAX_FILES, sizeof *names) : NULL;
    struct dirent *de;
    while (names && *n < DEMO_MAX_FILES && (de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len > 5 && de->d_name[0] != '.' && strcmp(de->d_name + len - 5, ".json") == 0 &&
            (names[*n] = strdup(de->d_name)))
            ++*n;
    }
    if (d)
        closedir(d);
    if (names)
        qsort(names, *n, sizeof *names, cmp_names);
    return names;
}

/* ei's error again, prefixed with the file and what happened. */
static void in_file(vk_errinfo *ei, vk_err e, const char *file, const char *what)
{
    char field[sizeof ei->field], msg[sizeof ei->message];
    snprintf(field, sizeof field, "%s", ei->field);
    snprintf(msg, sizeof msg, "%s", ei->message);
    vk_fail(ei, e, field, "seeds/surveys/%s: %s: %s", file, what, msg);
}

/* The generated responses of one stored survey, submitted from `from`
 * to `to` (Unix seconds) in order. */
static vk_err demo_responses(vk_ctx *ctx, const survey_def *def, int64_t survey_id, int n,
                             int64_t from, int64_t to, const char *file, vk_errinfo *ei)
{
    gis_ctx *area = NULL;
    survey_seed *g = NULL;
    uint64_t seed = 1469598103934665603ULL; /* the slug's FNV-1a: the same data every time */
    for (const char *p = def->slug; *p; p++)
        seed = (seed ^ (unsigned char)*p) * 1099511628211ULL;
    vk_err e = survey_def_area_ctx(def, &area, ei);
    if (!e)
        e = survey_seed_new(def, ctx->gis, area, ctx->store, NULL, seed, &g, ei);
    survey_env env = {ctx->gis, area, survey_store_district_id, ctx->store};
    for (int i = 0; !e && i < n; i++) {
        int64_t at = from + (to - from) * i / (n > 1 ? n - 1 : 1);
        char submitted[VK_RFC3339_LEN];
        json_t *resp = NULL;
        survey_norm norm;
        survey_norm_init(&norm);
        vk_rfc3339_of(at, submitted);
        survey_seed_set_now(g, at);
        e = survey_seed_response(g, 1, &resp, ei);
        if (!e && (e = survey_response_check(def, resp, &env, &norm, ei)))
            in_file(ei, e, file, "a generated response refused");
        int64_t id;
        if (!e) /* generated data: its UUID stands for the body's hash */
            e = survey_store_response_insert(ctx->store, survey_id, &norm, norm.id, submitted,
                                             &id, ei);
        survey_norm_fini(&norm);
        json_decref(resp);
    }
    survey_seed_free(g);
    gis_ctx_free(area);
    return e;
}

/* Publish one demo survey with its responses unless its slug is taken;
 * *added 1 when it was added. */
static vk_err demo_survey(vk_ctx *ctx, const char *dir, const char *file, int per_survey,
                          int *added, vk_errinfo *ei)
{
    json_t *doc = NULL;
    survey_def *def = NULL;
    char *text = NULL, state[12];
    int64_t id = 0, version = 0;
    int found = 0;
    *added = 0;
    vk_err e = vk_json_load_file(dir, file, &doc, ei);
    if (!e && (e = survey_def_parse(ctx->gis, doc, &def, ei)))
        in_file(ei, e, file, "refused");
    if (!e)
        e = survey_store_head(ctx->store, def->slug, &id, state, &version, &found, ei);
    if (!e && !found) {
        char now[VK_RFC3339_LEN];
        vk_now_rfc3339(now);
        int64_t to = vk_rfc3339_seconds(now), from = to - DEMO_DAYS * 86400;
        int64_t opens = def->opens[0] ? vk_rfc3339_seconds(def->opens) : from;
        if (opens > from && opens < to)
            from = opens;
        if (!(text = json_dumps(doc, JSON_COMPACT)))
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
        if (!e)
            e = survey_store_create(ctx->store, def->slug, text, "demo", now, &id, ei);
        if (!e)
            e = survey_store_add_version(ctx->store, id, 1, text, "demo", now, ei);
        if (!e)
            e = demo_responses(ctx, def, id, per_survey, from, to, file, ei);
        *added = !e;
    }
    free(text);
    survey_def_free(def);
    json_decref(doc);
    return e;
}

vk_err survey_seed_demo(vk_ctx *ctx, const char *seeds_dir, int per_survey, int *surveys,
                        int *responses, vk_errinfo *ei)
{
    char dir[1024];
    size_t n = 0;
    *surveys = *responses = 0;
    snprintf(dir, sizeof dir, "%s/surveys", seeds_dir);
    char **names = json_names(dir, &n);
    vk_err e = n ? store_begin(ctx->store, ei) : VK_OK;
    for (size_t i = 0; !e && i < n; i++) {
        int added = 0;
        e = demo_survey(ctx, dir, names[i], per_survey, &added, ei);
        *surveys += added;
    }
    if (n && !e)
        e = store_commit(ctx->store, ei);
    if (e) {
        if (n)
            store_rollback(ctx->store);
        *surveys = 0;
    }
    *responses = *surveys * per_survey;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return e;
}
