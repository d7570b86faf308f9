/* test_survey_results.c — the survey results engine (survey/results.c):
 * four hand-written responses to how-to-take-part whose every figure was
 * worked out by hand (choices, "other", skips, numbers and their bins, a
 * scale, a date, a ranking's Borda scores, a budget and its greedy basket,
 * a personal question hidden), cross-filters, the snapshot rebuilt when a
 * response or a draft arrives, the map figures of safe-route-to-school,
 * and the filter parser's refusals naming the parameter. */
#include <math.h>
#include <stdlib.h>

#include "db/ctx.h"
#include "reference/reference.h"
#include "survey/cache.h"
#include "survey/results.h"
#include "survey/store.h"
#include "t.h"
#include "tmp.h"

#define FIXTURES VK_SOURCE_DIR "/tests/fixtures/surveys/"

static vk_ctx *ctx;

static int64_t publish(const char *file, const survey_def **def)
{
    json_error_t jerr;
    json_t *doc = json_load_file(file, 0, &jerr);
    json_object_del(doc, "opens");
    json_object_del(doc, "closes");
    char *text = json_dumps(doc, JSON_COMPACT);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int64_t id = 0;
    const char *slug = json_string_value(json_object_get(doc, "slug"));
    survey_store_create(ctx->store, slug, text, "t", "2026-11-01T00:00:00Z", &id, &ei);
    survey_store_add_version(ctx->store, id, 1, text, "t", "2026-11-01T00:00:00Z", &ei);
    const survey_cached *sc = NULL;
    T_EQ_INT(survey_cache_get(ctx->store, ctx->gis, id, 1, &sc, &ei), VK_OK, "%s published", slug);
    *def = sc ? sc->def : NULL;
    free(text);
    json_decref(doc);
    return id;
}

/* Check and store one response given as JSON text, submitted at now. */
static void respond(int64_t sid, const survey_def *def, const char *json, const char *now)
{
    json_error_t jerr;
    json_t *r = json_loads(json, 0, &jerr);
    T_OK(r != NULL, "response JSON: %s", jerr.text);
    gis_ctx *area = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    survey_def_area_ctx(def, &area, &ei);
    survey_env env = {ctx->gis, area, survey_store_district_id, ctx->store};
    survey_norm n;
    survey_norm_init(&n);
    T_EQ_INT(survey_response_check(def, r, &env, &n, &ei), VK_OK, "checks: %s %s", ei.field,
             ei.message);
    int64_t rid;
    T_EQ_INT(survey_store_response_insert(ctx->store, sid, &n, now, now, &rid, &ei), VK_OK,
             "stored: %s", ei.message);
    survey_norm_fini(&n);
    gis_ctx_free(area);
    json_decref(r);
}

static json_t *compute(int64_t sid, const survey_def *def, const char *filter,
                       const char *from, const results_opts *o)
{
    results_filter f;
    vk_arena a;
    vk_arena_init(&a, 0);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    results_opts dflt;
    results_opts_init(&dflt);
    json_t *doc = NULL;
    T_EQ_INT(results_filter_parse(ctx, def, filter, NULL, from, NULL, &a, &f, &ei), VK_OK,
             "filter '%s' read: %s", filter ? filter : "", ei.message);
    T_EQ_INT(survey_results_compute(ctx, sid, def, &f, o ? o : &dflt, &doc, &ei), VK_OK,
             "computed: %s", ei.message);
    vk_arena_fini(&a);
    return doc;
}

static const json_t *question(const json_t *doc, const char *key)
{
    size_t i;
    const json_t *q;
    json_array_foreach(json_object_get(doc, "questions"), i, q) {
        if (!strcmp(json_string_value(json_object_get(q, "key")), key))
            return q;
    }
    return NULL;
}

/* The number at a JSON path of members and [indices]: "choices[1].n". */
static double at(const json_t *j, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = strtok(buf, "."); p && j; p = strtok(NULL, ".")) {
        char *br = strchr(p, '[');
        if (br)
            *br = '\0';
        if (*p)
            j = json_object_get(j, p);
        while (br && j) {
            j = json_array_get(j, strtoul(br + 1, NULL, 10));
            br = strchr(br + 1, '[');
        }
    }
    return j && json_is_number(j) ? json_number_value(j) : NAN;
}

#define R1 "{\"id\":\"10000000-0000-4000-8000-000000000001\",\"version\":1,\"language\":\"fi\"," \
    "\"started\":\"2026-12-01T09:30:00Z\",\"answers\":{\"age_group\":\"a30_64\",\"years_lived\":3," \
    "\"ways_now\":[\"resident_evening\",\"walk\",{\"other\":\"Kirjasto\"}]," \
    "\"evening_date\":\"2027-02-10\",\"influence\":3,\"why_not\":\"Ei aikaa\"," \
    "\"topics\":[\"planning\",\"environment\"],\"time_budget\":{\"survey\":2,\"evening\":2}," \
    "\"news_ok\":true,\"news_email\":\"a@example.org\"}}"
#define R2 "{\"id\":\"10000000-0000-4000-8000-000000000002\",\"version\":1,\"language\":\"sv\"," \
    "\"started\":\"2026-12-01T11:00:00Z\",\"answers\":{\"age_group\":\"under_18\",\"years_lived\":12," \
    "\"ways_now\":[\"online_survey\"],\"influence\":8," \
    "\"topics\":[\"environment\",\"planning\",\"culture\"]}}"
#define R3 "{\"id\":\"10000000-0000-4000-8000-000000000003\",\"version\":1,\"language\":\"en\"," \
    "\"answers\":{\"age_group\":\"skip\",\"ways_now\":[\"walk\",\"social_media\"],\"influence\":4," \
    "\"topics\":[\"culture\"],\"time_budget\":{\"council\":1}}}"
#define R4 "{\"id\":\"10000000-0000-4000-8000-000000000004\",\"version\":1,\"language\":\"fi\"," \
    "\"answers\":{\"age_group\":\"a65_plus\",\"years_lived\":40,\"ways_now\":[\"walk\"]," \
    "\"influence\":10,\"topics\":[\"planning\",\"services\",\"culture\",\"environment\"]," \
    "\"time_budget\":{\"council\":1,\"evening\":1}}}"

static void test_by_hand(void)
{
    const survey_def *def = NULL;
    int64_t sid = publish(FIXTURES "how-to-take-part.json", &def);
    if (!def)
        return;
    respond(sid, def, R1, "2026-12-01T10:00:00Z");
    respond(sid, def, R2, "2026-12-01T12:00:00Z");
    respond(sid, def, R3, "2026-12-02T09:00:00Z");
    respond(sid, def, R4, "2026-12-03T09:00:00Z");
    json_t *d = compute(sid, def, NULL, NULL, NULL);
    T_EQ_INT(at(d, "n"), 4, "four respondents");
    T_EQ_INT(at(d, "summary.seconds.n"), 2, "two sent started");
    T_EQ_INT(at(d, "summary.seconds.median"), 1800, "the lower middle of 1800 and 3600");
    T_EQ_INT(at(d, "timeline[0].n"), 2, "two on the first day");
    T_EQ_INT(json_array_size(json_object_get(d, "timeline")), 3, "three days");
    T_EQ_INT(at(d, "summary.languages[1].n"), 1, "one in Swedish");
    T_NEAR(at(d, "summary.completion.rate"), 1.0, 1e-12, "no drafts: all complete");

    const json_t *q = question(d, "age_group");
    T_EQ_INT(at(q, "n"), 3, "age: three answered");
    T_EQ_INT(at(q, "skipped"), 1, "one skipped");
    T_EQ_INT(at(q, "choices[0].n"), 1, "under 18: one");
    T_EQ_INT(at(q, "choices[1].n"), 0, "18-29: none");
    T_NEAR(at(q, "choices[3].share"), 1.0 / 3, 1e-12, "a share of those who answered");

    q = question(d, "years_lived");
    T_NEAR(at(q, "mean"), 55.0 / 3, 1e-9, "mean of 3, 12, 40");
    T_EQ_INT(at(q, "median"), 12, "median 12");
    T_EQ_INT(json_array_size(json_object_get(q, "distribution")), 10, "ten bins over 0-110");
    T_OK(at(q, "distribution[0].n") == 1 && at(q, "distribution[1].n") == 1 &&
             at(q, "distribution[2].n") == 0 && at(q, "distribution[3].n") == 1,
         "3 in 0-11, 12 in 11-22, 40 in 33-44");

    q = question(d, "ways_now");
    T_EQ_INT(at(q, "n"), 4, "all answered");
    T_EQ_INT(at(q, "picks"), 7, "seven picks");
    T_EQ_INT(at(q, "choices[2].n"), 3, "walk: three");
    T_EQ_INT(at(q, "other.n"), 1, "one other");
    T_EQ_STR(json_string_value(json_object_get(
                 json_array_get(json_object_get(json_object_get(q, "other"), "texts"), 0), "text")),
             "Kirjasto", "the other text");

    q = question(d, "evening_date");
    T_EQ_STR(json_string_value(json_object_get(q, "median")), "2027-02-10", "the one date");

    q = question(d, "influence");
    T_EQ_INT(json_array_size(json_object_get(q, "distribution")), 11, "every value 0-10");
    T_NEAR(at(q, "mean"), 6.25, 1e-12, "mean of 3, 8, 4, 10");
    T_EQ_INT(at(q, "median"), 4, "lower middle");
    T_EQ_INT(at(q, "distribution[10].n"), 1, "one gave 10");

    q = question(d, "why_not");
    T_EQ_INT(at(q, "n"), 1, "one text");
    T_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(q, "texts"), 0),
                                               "response")),
             "10000000-0000-4000-8000-000000000001", "with its response");

    q = question(d, "topics");
    T_OK(at(q, "items[0].borda") == 8 && at(q, "items[1].borda") == 2 &&
             at(q, "items[2].borda") == 5 && at(q, "items[3].borda") == 5,
         "Borda: planning 8, services 2, culture 5, environment 5");
    T_NEAR(at(q, "items[0].mean_rank"), 4.0 / 3, 1e-12, "planning's mean place");
    T_OK(at(q, "items[3].ranks[0]") == 1 && at(q, "items[3].ranks[3]") == 1,
         "environment first once, fourth once");

    q = question(d, "time_budget");
    T_EQ_INT(at(q, "n"), 3, "the under-18 never saw it");
    T_OK(at(q, "items[1].n") == 2 && at(q, "items[1].count") == 3 && at(q, "items[1].amount") == 15,
         "evening: two respondents, three units, 15");
    T_NEAR(at(q, "items[2].mean_amount"), 20.0 / 3, 1e-12, "council: 20 over three");
    const json_t *basket = json_object_get(json_object_get(q, "basket"), "items");
    T_OK(json_array_size(basket) == 3 &&
             !strcmp(json_string_value(json_array_get(basket, 0)), "evening") &&
             !strcmp(json_string_value(json_array_get(basket, 1)), "council") &&
             !strcmp(json_string_value(json_array_get(basket, 2)), "survey"),
         "basket: evening, council (a tie: definition order), then survey");
    T_EQ_INT(at(q, "basket.cost"), 17, "5 + 10 + 2");

    q = question(d, "news_email");
    T_OK(json_is_true(json_object_get(q, "personal")) && !json_object_get(q, "n"),
         "personal: no figures");
    T_EQ_INT(at(question(d, "news_ok"), "n"), 1, "one consent");
    const char *stamp = json_string_value(json_object_get(d, "stamp"));
    char first[64];
    snprintf(first, sizeof first, "%s", stamp ? stamp : "");
    json_decref(d);

    d = compute(sid, def, "ways_now:walk", NULL, NULL);
    T_EQ_INT(at(d, "n"), 3, "walkers: three");
    T_NEAR(at(question(d, "influence"), "mean"), 17.0 / 3, 1e-12, "their influence");
    T_EQ_INT(at(d, "total"), 4, "total unchanged");
    json_decref(d);
    d = compute(sid, def, "influence:..4,age_group:_skip|a30_64", NULL, NULL);
    T_EQ_INT(at(d, "n"), 2, "a range and a skip");
    json_decref(d);
    d = compute(sid, def, NULL, "2026-12-02", NULL);
    T_EQ_INT(at(d, "n"), 2, "from the second day");
    json_decref(d);
    results_opts o;
    results_opts_init(&o);
    o.question = "topics";
    o.staff = 0;
    d = compute(sid, def, NULL, NULL, &o);
    T_EQ_INT(json_array_size(json_object_get(d, "questions")), 1, "one question asked");
    json_decref(d);
    o.question = "why_not";
    d = compute(sid, def, NULL, NULL, &o);
    T_OK(!json_object_get(json_array_get(json_object_get(question(d, "why_not"), "texts"), 0),
                          "response"),
         "staff 0: texts without their response");
    json_decref(d);

    /* A draft and a fifth response: the stamp moves, the figures follow. */
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    survey_draft_data dr = {"10000000-0000-4000-8000-000000000009", 1, "fi", 0, "{}"};
    survey_store_draft_insert(ctx->store, "h", sid, &dr, "2026-12-03T10:00:00Z", &ei);
    respond(sid, def,
            "{\"id\":\"10000000-0000-4000-8000-000000000005\",\"version\":1,\"answers\":{"
            "\"age_group\":\"a18_29\",\"ways_now\":[\"workshop\"],\"influence\":0}}",
            "2026-12-04T09:00:00Z");
    d = compute(sid, def, NULL, NULL, NULL);
    T_OK(strcmp(json_string_value(json_object_get(d, "stamp")), first) != 0, "a new stamp");
    T_EQ_INT(at(d, "n"), 5, "five now");
    T_NEAR(at(d, "summary.completion.rate"), 5.0 / 6, 1e-12, "one draft of six");
    T_EQ_INT(at(question(d, "age_group"), "choices[1].n"), 1, "18-29: one");
    json_decref(d);
}

static void test_map(void)
{
    const survey_def *def = NULL;
    int64_t sid = publish(FIXTURES "safe-route-to-school.json", &def);
    if (!def)
        return;
    char *text = NULL;
    json_error_t jerr;
    json_t *r = json_load_file(FIXTURES "responses/safe-route-to-school.json", 0, &jerr);
    text = json_dumps(r, JSON_COMPACT);
    respond(sid, def, text, "2026-09-10T08:00:00Z");
    free(text);
    json_decref(r);
    json_t *d = compute(sid, def, NULL, NULL, NULL);
    const json_t *q = question(d, "unsafe_spots");
    T_OK(at(q, "n") == 1 && at(q, "features") == 3, "one respondent, three spots");
    T_OK(at(q, "located.geometry") == 1 && at(q, "located.district") == 1 &&
             at(q, "located.words") == 1,
         "drawn, by district, in words");
    T_EQ_INT(at(q, "without_map.n"), 1, "without the map");
    T_EQ_INT(at(q, "hex.cells[0].features"), 1, "the drawn one in a cell");
    T_EQ_INT(json_array_size(json_object_get(json_object_get(q, "hex"), "cells")), 1, "one cell");
    const json_t *fu = json_array_get(json_object_get(q, "followups"), 0);
    T_EQ_STR(json_string_value(json_object_get(fu, "key")), "why_unsafe", "the first follow-up");
    T_OK(at(fu, "n") == 1 && at(fu, "features") == 3 && at(fu, "other.n") == 1,
         "counted over the features, respondents distinct");
    const json_t *hu = json_array_get(json_object_get(q, "followups"), 1);
    T_OK(at(hu, "features") == 2 && at(hu, "mean") == 3, "how unsafe: 4 and 2");
    T_EQ_INT(at(question(d, "told_adult"), "skipped"), 1, "told_adult skipped");
    T_EQ_INT(at(question(d, "route"), "hex.cells[0].features"), 1, "a line in one cell");
    json_decref(d);

    results_filter f;
    results_filter_init(&f);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    json_t *hex = NULL;
    T_EQ_INT(survey_results_hex(ctx, sid, def, &f, "unsafe_spots", 250, &hex, &ei), VK_OK,
             "the grid as GeoJSON");
    const json_t *ring = json_array_get(json_object_get(json_object_get(
        json_array_get(json_object_get(hex, "features"), 0), "geometry"), "coordinates"), 0);
    T_EQ_INT(json_array_size(ring), 7, "a closed hexagon");
    T_OK(at(ring, "[0][0]") > 28 && at(ring, "[0][0]") < 29, "in lon/lat");
    json_decref(hex);
    T_EQ_INT(survey_results_hex(ctx, sid, def, &f, "mode", 250, &hex, &ei), VK_EPARAM,
             "not a map question");
    T_EQ_STR(ei.field, "question", "named");
}

static void test_refusals(void)
{
    const survey_def *def = NULL;
    const survey_cached *sc = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int64_t id, version;
    char state[12];
    int found;
    survey_store_head(ctx->store, "turvallinen-koulutie", &id, state, &version, &found, &ei);
    survey_cache_get(ctx->store, ctx->gis, id, 1, &sc, &ei);
    def = sc ? sc->def : NULL;
    if (!def)
        return;
    static const struct {
        const char *filter, *district, *from, *to, *field;
    } bad[] = {
        {"mode:boat", NULL, NULL, NULL, "filter"},   {"nope:x", NULL, NULL, NULL, "filter"},
        {"route:1", NULL, NULL, NULL, "filter"},     {"mode:", NULL, NULL, NULL, "filter"},
        {"feel_safe:3..1", NULL, NULL, NULL, "filter"}, {"grade:..", NULL, NULL, NULL, "filter"},
        {"mode:walk,mode:car", NULL, NULL, NULL, "filter"},
        {"why_unsafe:dark", NULL, NULL, NULL, "filter"}, {",", NULL, NULL, NULL, "filter"},
        {NULL, "atlantis", NULL, NULL, "district"},  {NULL, NULL, "2026-02-30", NULL, "from"},
        {NULL, NULL, NULL, "12/1/2026", "to"},       {NULL, NULL, "2026-12-02", "2026-12-01", "to"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        results_filter f;
        vk_arena a;
        vk_arena_init(&a, 0);
        vk_errinfo_clear(&ei);
        T_EQ_INT(results_filter_parse(ctx, def, bad[i].filter, bad[i].district, bad[i].from,
                                      bad[i].to, &a, &f, &ei),
                 VK_EPARAM, "refused: %s%s", bad[i].filter ? bad[i].filter : "", bad[i].field);
        T_EQ_STR(ei.field, bad[i].field, "names %s", bad[i].field);
        vk_arena_fini(&a);
    }
    results_filter f;
    vk_arena a;
    vk_arena_init(&a, 0);
    T_EQ_INT(results_filter_parse(ctx, def, "school:vuoksenniskan_koulu,feel_safe:2|4,grade:1..",
                                  "imatrankoski", "2026-01-01", "2026-12-31", &a, &f, &ei),
             VK_OK, "a good one: %s", ei.message);
    T_OK(f.nconds == 3 && f.conds[1].nvalues == 2 && f.conds[2].has_range &&
             isinf(f.conds[2].hi) && f.ndistricts == 1,
         "read as three conditions and a district");
    vk_arena_fini(&a);
}

/* When a large survey's kept snapshot may stand in for its state now
 * (survey/cache.h): only responses changed, it was slow to make, and it
 * is younger than the interval. */
static void test_snap_keep(void)
{
    const int64_t slow = SURVEY_SNAP_SLOW_US, keep = SURVEY_SNAP_KEEP_US, t = 1000000000;
    const char *kept = "s3-v2-a14_r100-400-d7";
    T_OK(survey_snap_keep(kept, "s3-v2-a14_r101-401-d7", t, slow, t + 1), "a response more: kept");
    T_OK(survey_snap_keep(kept, "s3-v2-a14_r100-400-d8", t, slow, t + keep - 1), "a draft more, just in time: kept");
    T_OK(!survey_snap_keep(kept, "s3-v2-a14_r101-401-d7", t, slow, t + keep), "the interval is over: made again");
    T_OK(!survey_snap_keep(kept, "s3-v2-a14_r101-401-d7", t, slow - 1, t + 1), "a quick one is made again at once");
    T_OK(!survey_snap_keep(kept, "s3-v3-a14_r101-401-d7", t, slow, t + 1), "a new version: at once");
    T_OK(!survey_snap_keep(kept, "s3-v2-a15_r100-400-d7", t, slow, t + 1), "new districts: at once");
    T_OK(!survey_snap_keep(kept, "s4-v2-a14_r100-400-d7", t, slow, t + 1), "another survey: never");
    T_OK(!survey_snap_keep("s3-v2-a1_r1-1-d1", "s3-v2-a14_r1-1-d1", t, slow, t + 1), "a prefix of the part is not the part");
    T_OK(!survey_snap_keep("abc", "abd", t, slow, t + 1), "no '_': only the same stamp");
    T_OK(survey_snap_keep("abc", "abc", t, slow, t + 1), "the same stamp");
}

int main(void)
{
    static vk_config cfg;
    cfg.db_path = t_path("results.sqlite");
    store_conn *store = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (store_open(&store, cfg.db_path, &ei) || vk_ctx_new(&ctx, &cfg, store, &ei) ||
        api_seed_reference(ctx, VK_SOURCE_DIR "/geo", VK_SOURCE_DIR "/seeds", &ei)) {
        printf("Bail out! cannot set up: %s\n", ei.message);
        return 1;
    }
    test_by_hand();
    test_map();
    test_refusals();
    test_snap_keep();
    results_cache_clear();
    survey_cache_clear();
    vk_ctx_free(ctx);
    t_cleanup();
    return t_done();
}
