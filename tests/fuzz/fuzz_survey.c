/*
 * fuzz_survey.c — libFuzzer target for survey definitions and responses
 * (questions/types.c, survey/definition.c, survey/response.c).
 *
 * Every input that is JSON is checked as a survey definition, and as a
 * response to each demo survey (tests/fixtures/surveys/, loaded once with
 * the municipality and districts from geo/). A definition that is
 * accepted is also compared with itself as a new version and answered
 * with an empty response. Beyond the sanitizers, it aborts when a refusal
 * is VK_EINTERNAL, has no message, is not valid UTF-8, or (for responses)
 * names no place: a response's field is one of its members or starts
 * with "answers"; and when an accepted response yields rows it did not
 * answer (a feature row without its question).
 *
 * Build and run: scripts/fuzz.sh (corpus: tests/fuzz/survey/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "survey/definition.h"
#include "survey/response.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gis_ctx *G;
static survey_def *defs[3];
static gis_ctx *areas[3];
static json_t *docs[3];
static char codes[32][32];
static size_t n_codes;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_survey: %s: %s\n", what, detail ? detail : "");
    abort();
}

static int64_t district_id(void *ud, const char *code)
{
    (void)ud;
    for (size_t i = 0; i < n_codes; i++)
        if (strcmp(codes[i], code) == 0)
            return (int64_t)i + 1;
    return 0;
}

static void load_areas(const char *path, int boundary)
{
    json_error_t jerr;
    json_t *fc = json_load_file(path, 0, &jerr);
    if (!fc)
        die("cannot read", path);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(fc, "features"), i, f) {
        gis_geom *g = NULL;
        unsigned char *wkb = NULL;
        size_t n = 0;
        vk_errinfo ei;
        if (gis_geom_from_geojson(G, json_object_get(f, "geometry"), "geometry", &g, &ei) ||
            gis_geom_to_wkb(G, g, &wkb, &n))
            die("cannot load an area of", path);
        if (boundary) {
            gis_set_boundary(G, wkb, n, &ei);
        } else if (n_codes < 32) {
            const char *c = json_string_value(json_object_get(json_object_get(f, "properties"), "code"));
            snprintf(codes[n_codes], sizeof codes[0], "%s", c ? c : "");
            n_codes++;
            gis_add_district(G, (int64_t)n_codes, wkb, n, &ei);
        }
        free(wkb);
        gis_geom_free(G, g);
    }
    json_decref(fc);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char *const names[] = {"safe-route-to-school.json", "neighbourhood-geobudget.json",
                                        "how-to-take-part.json"};
    if (gis_ctx_new(&G) != VK_OK)
        die("gis_ctx_new", NULL);
    load_areas(VK_SOURCE_DIR "/geo/boundary.geojson", 1);
    load_areas(VK_SOURCE_DIR "/geo/districts.geojson", 0);
    for (int i = 0; i < 3; i++) {
        char path[512];
        json_error_t jerr;
        vk_errinfo ei;
        snprintf(path, sizeof path, "%s/tests/fixtures/surveys/%s", VK_SOURCE_DIR, names[i]);
        docs[i] = json_load_file(path, 0, &jerr);
        if (!docs[i] || survey_def_parse(G, docs[i], &defs[i], &ei) != VK_OK ||
            survey_def_area_ctx(defs[i], &areas[i], &ei) != VK_OK)
            die("cannot load the demo survey", path);
    }
    return 0;
}

static void check_refusal(vk_err e, const vk_errinfo *ei, int response)
{
    if (e == VK_OK || e == VK_ENOMEM)
        return;
    if (e == VK_EINTERNAL)
        die("internal error", ei->message);
    if (!ei->message[0])
        die("a refusal without a message", vk_err_code(e));
    if (!vk_utf8_valid(ei->message, strlen(ei->message), NULL) ||
        !vk_utf8_valid(ei->field, strlen(ei->field), NULL))
        die("a refusal that is not UTF-8", ei->field);
    if (response) {
        static const char *const members[] = {"", "id", "version", "language", "started"};
        int ok = strncmp(ei->field, "answers", 7) == 0;
        for (int i = 0; i < 5 && !ok; i++)
            ok = strcmp(ei->field, members[i]) == 0;
        /* an unknown envelope member is named as itself */
        ok = ok || e == VK_EUNKNOWN_FIELD;
        if (!ok)
            die("a response refusal names no answer", ei->field);
    }
}

static void answer(const survey_def *d, gis_ctx *area, const json_t *resp)
{
    survey_env env = {G, area, district_id, NULL};
    survey_norm n;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    survey_norm_init(&n);
    vk_err e = survey_response_check(d, resp, &env, &n, &ei);
    check_refusal(e, &ei, 1);
    if (e == VK_OK) {
        for (size_t i = 0; i < n.features.n; i++)
            if (!n.features.v[i].question || !survey_def_find(d, n.features.v[i].question))
                die("a feature row without its question", NULL);
        for (size_t i = 0; i < n.n_answers; i++)
            if (!json_object_get(json_object_get(resp, "answers"), n.answers[i].question))
                die("an answer row for nothing answered", n.answers[i].question);
    } else if (n.n_answers || n.features.n) {
        die("rows left after a refusal", NULL);
    }
    survey_norm_fini(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return 0;
    survey_def *d = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    vk_err e = survey_def_parse(G, doc, &d, &ei);
    check_refusal(e, &ei, 0);
    if (e == VK_OK) {
        vk_errinfo_clear(&ei);
        if (survey_def_check_change(d, d, &ei) != VK_OK)
            die("a survey orphans its own answers", ei.field);
        gis_ctx *area = NULL;
        if (survey_def_area_ctx(d, &area, &ei) != VK_OK)
            die("an accepted area has no context", ei.message);
        json_t *empty = json_pack("{s:s, s:i, s:{}}", "id", "0b7e7a36-5d5c-4d0f-9f7a-2c1f1e7e1f11",
                                  "version", 1, "answers");
        answer(d, area, empty);
        json_decref(empty);
        gis_ctx_free(area);
        survey_def_free(d);
    }
    for (int i = 0; i < 3; i++)
        answer(defs[i], areas[i], doc);
    json_decref(doc);
    return 0;
}
