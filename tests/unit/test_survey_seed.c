/* test_survey_seed.c — generated survey responses (survey/seed.c): for
 * each demo survey of seeds/surveys/, thousands of generated responses all
 * pass survey_response_check, differ from each other, answer every
 * question somewhere, draw in many districts and answer some map
 * questions without the map. The municipality and its districts come from
 * a database set up as `vaikuta init` does (geo/ through the store).
 *
 * `test_survey_seed --emit SURVEY.json N SEED [P_GEOMETRY]` prints N
 * generated responses to version 1 of the survey, one JSON document a
 * line, each checked first (exit 1 if any fails): the request bodies of
 * bench/survey.sh.
 *
 * `test_survey_seed --store SURVEY.json N SEED` publishes the survey,
 * checks N generated responses (and so prepares their rows, as on the
 * request thread), then stores them as the writer does (a
 * transaction per 32, a savepoint, the resend lookup and the survey's state
 * per response) and prints the CPU time of this thread per response for
 * each phase: the writer's share of bench/survey.sh without the noise of a
 * loaded machine.
 */
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "db/areas.h"
#include "db/ctx.h"
#include "reference/reference.h"
#include "survey/definition.h"
#include "survey/response.h"
#include "survey/seed.h"
#include "survey/store.h"
#include "t.h"
#include "tmp.h"

#define SURVEYS VK_SOURCE_DIR "/seeds/surveys"
#define N_RESPONSES 3000
#define MAX_DISTRICTS 64

static vk_ctx *ctx;
static char codes[MAX_DISTRICTS][48];
static size_t n_codes;

static int remember(void *arg, const store_area *a)
{
    (void)arg;
    if (n_codes < MAX_DISTRICTS && a->id > 0 && a->id < MAX_DISTRICTS)
        snprintf(codes[a->id], sizeof codes[0], "%s", a->code), n_codes++;
    return 0;
}

static int64_t district_id(void *ud, const char *code)
{
    (void)ud;
    for (int64_t i = 1; i < MAX_DISTRICTS; i++)
        if (codes[i][0] && strcmp(codes[i], code) == 0)
            return i;
    return 0;
}

typedef struct survey_run {
    json_t *doc;
    survey_def *def;
    gis_ctx *area;
    survey_env env;
} survey_run;

static int run_open(const char *path, survey_run *r)
{
    vk_errinfo ei;
    json_error_t err;
    memset(r, 0, sizeof *r);
    if (!(r->doc = json_load_file(path, 0, &err))) {
        printf("# cannot read %s: %s\n", path, err.text);
        return 1;
    }
    if (survey_def_parse(ctx->gis, r->doc, &r->def, &ei) ||
        survey_def_area_ctx(r->def, &r->area, &ei)) {
        printf("# %s refused: %s %s\n", path, ei.field, ei.message);
        return 1;
    }
    r->env = (survey_env){ctx->gis, r->area, district_id, NULL};
    return 0;
}

static void run_close(survey_run *r)
{
    gis_ctx_free(r->area);
    survey_def_free(r->def);
    json_decref(r->doc);
}

/* Check one response; on failure say why once. */
static int passes(survey_run *r, const json_t *resp, survey_norm *n, int quiet)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    survey_norm_init(n);
    vk_err e = survey_response_check(r->def, resp, &r->env, n, &ei);
    if (e && !quiet) {
        char *s = json_dumps(resp, JSON_COMPACT);
        printf("#   refused %s %s: %s\n#   %s\n", vk_err_code(e), ei.field, ei.message, s);
        free(s);
    }
    return e == VK_OK;
}

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_survey(const char *file, uint64_t seed)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SURVEYS, file);
    survey_run r;
    if (run_open(path, &r)) {
        T_OK(0, "%s opens", file);
        run_close(&r);
        return;
    }
    survey_seed_opts o;
    survey_seed_opts_init(&o);
    o.now = vk_rfc3339_seconds("2026-12-05T10:00:00Z");
    survey_seed *g = NULL;
    vk_errinfo ei;
    T_EQ_INT(survey_seed_new(r.def, ctx->gis, r.area, ctx->store, &o, seed, &g, &ei), VK_OK,
             "%s: a generator", file);
    if (!g) {
        run_close(&r);
        return;
    }
    static uint64_t hashes[N_RESPONSES];
    size_t failed = 0, answered[256] = {0}, where[4] = {0}, skipped = 0, langs[3] = {0};
    int district_seen[MAX_DISTRICTS] = {0};
    int64_t t0 = vk_monotonic_us();
    for (size_t i = 0; i < N_RESPONSES; i++) {
        json_t *resp = NULL;
        survey_norm n;
        if (survey_seed_response(g, 1, &resp, &ei)) {
            failed++;
            continue;
        }
        char *a = json_dumps(json_object_get(resp, "answers"), JSON_COMPACT | JSON_SORT_KEYS);
        hashes[i] = a ? fnv(a) : 0;
        free(a);
        if (!passes(&r, resp, &n, failed > 0)) {
            failed++;
            json_decref(resp);
            continue;
        }
        const char *lang = json_string_value(json_object_get(resp, "language"));
        langs[lang[0] == 'f' ? 0 : lang[0] == 's' ? 1 : 2]++;
        for (size_t k = 0; k < n.n_answers; k++) {
            const survey_elem *el = survey_def_find(r.def, n.answers[k].question);
            if (el && el - r.def->elems < 256)
                answered[el - r.def->elems]++;
            skipped += (size_t)n.answers[k].skipped;
        }
        for (size_t k = 0; k < n.features.n; k++) {
            const qt_feature *f = &n.features.v[k];
            where[f->where]++;
            if (f->where == QT_AT_GEOMETRY && f->district_id > 0 && f->district_id < MAX_DISTRICTS)
                district_seen[f->district_id] = 1;
        }
        survey_norm_fini(&n);
        json_decref(resp);
    }
    double secs = (double)(vk_monotonic_us() - t0) / 1e6;
    T_EQ_INT(failed, 0, "%s: %d generated responses all pass survey_response_check (%.2f s)",
             file, N_RESPONSES, secs);
    qsort(hashes, N_RESPONSES, sizeof hashes[0], cmp_u64);
    size_t distinct = 1;
    for (size_t i = 1; i < N_RESPONSES; i++)
        distinct += hashes[i] != hashes[i - 1];
    T_OK(distinct > N_RESPONSES * 9 / 10, "%s: they vary (%zu distinct sets of answers)", file,
         distinct);
    size_t unanswered = 0;
    for (size_t k = 0; k < r.def->n_elems && k < 256; k++) {
        const survey_elem *el = &r.def->elems[k];
        if (el->parent < 0 && (el->type->flags & QT_QUESTION) && !answered[k]) {
            printf("#   never answered: %s\n", el->key);
            unanswered++;
        }
    }
    T_EQ_INT(unanswered, 0, "%s: every question is answered in some response", file);
    T_OK(langs[0] > langs[1] && langs[1] > 0 && langs[2] > 0,
         "%s: answered in fi (%zu), sv (%zu) and en (%zu)", file, langs[0], langs[1], langs[2]);
    int has_skip = 0, has_map = 0;
    for (size_t k = 0; k < r.def->n_elems; k++) {
        has_skip |= json_is_true(json_object_get(r.def->elems[k].json, "allow_skip")) &&
                    r.def->elems[k].parent < 0;
        has_map |= (r.def->elems[k].type->flags & QT_COUNTED) != 0;
    }
    if (has_skip)
        T_OK(skipped > 0, "%s: some questions are skipped (%zu)", file, skipped);
    if (has_map) {
        size_t districts = 0;
        for (int d = 0; d < MAX_DISTRICTS; d++)
            districts += (size_t)district_seen[d];
        T_OK(where[QT_AT_GEOMETRY] > where[QT_AT_DISTRICT] && where[QT_AT_DISTRICT] > 0 &&
                 where[QT_AT_WORDS] > 0 &&
                 (where[QT_AT_PLACE] > 0) == (json_object_get(r.doc, "places") != NULL),
             "%s: drawn (%zu) and given without the map: by district (%zu), place (%zu), in "
             "words (%zu)",
             file, where[0], where[1], where[2], where[3]);
        T_OK(districts >= 4, "%s: the drawings fall in %zu districts", file, districts);
    }
    survey_seed_free(g);
    run_close(&r);
}

/* Same seed, same responses; another seed, others. */
static void test_deterministic(void)
{
    survey_run r;
    if (run_open(SURVEYS "/safe-route-to-school.json", &r)) {
        T_OK(0, "safe-route-to-school.json opens");
        run_close(&r);
        return;
    }
    survey_seed *a = NULL, *b = NULL, *c = NULL;
    vk_errinfo ei;
    survey_seed_new(r.def, ctx->gis, r.area, ctx->store, NULL, 7, &a, &ei);
    survey_seed_new(r.def, ctx->gis, r.area, ctx->store, NULL, 7, &b, &ei);
    survey_seed_new(r.def, ctx->gis, r.area, ctx->store, NULL, 8, &c, &ei);
    int same = 1, other = 0;
    for (int i = 0; a && b && c && i < 20; i++) {
        json_t *x = NULL, *y = NULL, *z = NULL;
        survey_seed_response(a, 1, &x, &ei);
        survey_seed_response(b, 1, &y, &ei);
        survey_seed_response(c, 1, &z, &ei);
        same &= json_equal(x, y);
        other += !json_equal(x, z);
        json_decref(x);
        json_decref(y);
        json_decref(z);
    }
    T_OK(a && b && c && same, "the same seed gives the same responses");
    T_EQ_INT(other, 20, "another seed gives other responses");
    survey_seed_free(a);
    survey_seed_free(b);
    survey_seed_free(c);

    /* Every drawing as a geometry when asked to: the benchmark's bodies. */
    survey_seed_opts o;
    survey_seed_opts_init(&o);
    o.p_geometry = 1;
    survey_seed_new(r.def, ctx->gis, r.area, ctx->store, &o, 9, &a, &ei);
    size_t drawn = 0, other_way = 0, failed = 0;
    for (int i = 0; a && i < 300; i++) {
        json_t *x = NULL;
        survey_norm n;
        survey_seed_response(a, 1, &x, &ei);
        if (passes(&r, x, &n, failed > 0)) {
            for (size_t k = 0; k < n.features.n; k++)
                n.features.v[k].where == QT_AT_GEOMETRY ? drawn++ : other_way++;
            survey_norm_fini(&n);
        } else {
            failed++;
        }
        json_decref(x);
    }
    T_OK(a && !failed && drawn > 100 && other_way == 0,
         "p_geometry 1: every feature drawn (%zu drawn, %zu otherwise)", drawn, other_way);
    survey_seed_free(a);
    run_close(&r);
}

/* Copy file from to dir/name (for a seeds directory of the test's own). */
static int copy_file(const char *from, const char *dir, const char *name)
{
    char cmd[2600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/%s'", dir, from, dir, name);
    return system(cmd);
}

/* survey_seed_demo as --demo calls it: the three surveys published with
 * SURVEY_DEMO_RESPONSES each, once; a broken file adds nothing at all. */
static void test_demo(void)
{
    vk_errinfo ei;
    int surveys = -1, responses = -1;
    char seeds[600], dir[620];
    snprintf(seeds, sizeof seeds, "%s", t_path("seeds"));
    snprintf(dir, sizeof dir, "%s/surveys", seeds);
    copy_file(SURVEYS "/how-to-take-part.json", dir, "a.json");
    copy_file(VK_SOURCE_DIR "/tests/fixtures/surveys/broken.json", dir, "b.json");
    T_OK(survey_seed_demo(ctx, seeds, 10, &surveys, &responses, &ei) != VK_OK &&
             strstr(ei.message, "b.json") && surveys == 0 && responses == 0,
         "a broken demo survey is refused naming its file: %s", ei.message);
    int found = 1;
    survey_row row;
    survey_store_get(ctx->store, "miten-haluat-osallistua", &row, &found, &ei);
    T_EQ_INT(found, 0, "and the good one before it is not stored either (one transaction)");
    if (found)
        survey_row_fini(&row);
    T_EQ_INT(survey_seed_demo(ctx, t_path("nowhere"), 10, &surveys, &responses, &ei), VK_OK,
             "a seeds directory without surveys/ adds nothing");

    int64_t t0 = vk_monotonic_us();
    T_EQ_INT(survey_seed_demo(ctx, VK_SOURCE_DIR "/seeds", SURVEY_DEMO_RESPONSES, &surveys,
                              &responses, &ei),
             VK_OK, "--demo loads seeds/surveys/ (%.2f s)",
             (double)(vk_monotonic_us() - t0) / 1e6);
    T_EQ_INT(surveys, 3, "three demo surveys added");
    T_EQ_INT(responses, 3 * SURVEY_DEMO_RESPONSES, "with %d responses each", SURVEY_DEMO_RESPONSES);
    static const char *const slugs[] = {"turvallinen-koulutie", "lahiympariston-parannukset",
                                        "miten-haluat-osallistua"};
    for (int i = 0; i < 3; i++) {
        found = 0;
        survey_store_get(ctx->store, slugs[i], &row, &found, &ei);
        T_OK(found && strcmp(row.state, "published") == 0 && row.version == 1 &&
                 row.responses == SURVEY_DEMO_RESPONSES,
             "%s: published, version 1, %lld responses stored", slugs[i],
             found ? (long long)row.responses : -1LL);
        if (found)
            survey_row_fini(&row);
    }
    T_EQ_INT(survey_seed_demo(ctx, VK_SOURCE_DIR "/seeds", SURVEY_DEMO_RESPONSES, &surveys,
                              &responses, &ei),
             VK_OK, "--demo again");
    T_OK(surveys == 0 && responses == 0, "adds nothing (%d surveys, %d responses)", surveys,
         responses);
}

/* Print n checked responses of survey path, one a line. */
static int emit(const char *path, long n, uint64_t seed, double p_geometry)
{
    survey_run r;
    survey_seed *g = NULL;
    survey_seed_opts o;
    vk_errinfo ei;
    survey_seed_opts_init(&o);
    o.p_geometry = p_geometry;
    int rc = run_open(path, &r);
    if (!rc && survey_seed_new(r.def, ctx->gis, r.area, ctx->store, &o, seed, &g, &ei)) {
        fprintf(stderr, "emit: %s\n", ei.message);
        rc = 1;
    }
    for (long i = 0; !rc && i < n; i++) {
        json_t *resp = NULL;
        survey_norm norm;
        if (survey_seed_response(g, 1, &resp, &ei) || !passes(&r, resp, &norm, 0)) {
            rc = 1;
        } else {
            survey_norm_fini(&norm);
            char *s = json_dumps(resp, JSON_COMPACT | JSON_REAL_PRECISION(12));
            puts(s);
            free(s);
        }
        json_decref(resp);
    }
    survey_seed_free(g);
    run_close(&r);
    return rc;
}

static double thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

#define STORE_BATCH 32

/* --store: see the top of the file. */
static int store_bench(const char *path, long n, uint64_t seed)
{
    survey_run r;
    survey_seed *g = NULL;
    survey_seed_opts o;
    vk_errinfo ei;
    survey_seed_opts_init(&o);
    json_t **docs = calloc((size_t)n, sizeof *docs);
    survey_norm *norms = calloc((size_t)n, sizeof *norms);
    char *text = NULL;
    int64_t id = 0;
    int rc = !docs || !norms || run_open(path, &r);
    if (!rc) {
        const char *slug = json_string_value(json_object_get(r.doc, "slug"));
        text = json_dumps(r.doc, JSON_COMPACT);
        rc = !text || survey_seed_new(r.def, ctx->gis, r.area, ctx->store, &o, seed, &g, &ei) ||
             survey_store_create(ctx->store, slug, text, "bench", "2026-12-05T10:00:00Z", &id,
                                 &ei) ||
             survey_store_add_version(ctx->store, id, 1, text, "bench", "2026-12-05T10:00:00Z",
                                      &ei);
        if (rc)
            fprintf(stderr, "store: %s\n", ei.message);
    }
    for (long i = 0; !rc && i < n; i++)
        rc = survey_seed_response(g, 1, &docs[i], &ei) != VK_OK;
    double t0 = thread_cpu_us();
    for (long i = 0; !rc && i < n; i++)
        rc = !passes(&r, docs[i], &norms[i], 0);
    double t1 = thread_cpu_us();
    int64_t w0 = vk_monotonic_us();
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    for (long i = 0; !rc && i < n; i += STORE_BATCH) {
        rc = store_begin(ctx->store, &ei) != VK_OK;
        for (long j = i; !rc && j < n && j < i + STORE_BATCH; j++) {
            survey_stored_response old;
            char state[12];
            int64_t sid = 0, version = 0, row = 0;
            int found = 0;
            rc = store_savepoint(ctx->store, &ei) ||
                 survey_store_response_find(ctx->store, id, norms[j].id, &old, &found, &ei) ||
                 survey_store_head(ctx->store, json_string_value(json_object_get(r.doc, "slug")),
                                   &sid, state, &version, &found, &ei) ||
                 survey_store_response_insert(ctx->store, id, &norms[j], "bench", now, &row,
                                              &ei) ||
                 store_release(ctx->store, &ei);
        }
        rc = rc || store_commit(ctx->store, &ei) != VK_OK;
    }
    double t2 = thread_cpu_us();
    if (rc)
        fprintf(stderr, "store: %s %s\n", ei.field, ei.message);
    else
        printf("%ld responses: check %.0f µs, store %.0f µs CPU per response "
               "(store wall %.0f µs per response, a transaction per %d)\n",
               n, (t1 - t0) / (double)n, (t2 - t1) / (double)n,
               (double)(vk_monotonic_us() - w0) / (double)n, STORE_BATCH);
    for (long i = 0; i < n; i++) {
        survey_norm_fini(&norms[i]);
        json_decref(docs[i]);
    }
    free(norms);
    free(docs);
    free(text);
    survey_seed_free(g);
    if (docs && norms)
        run_close(&r);
    return rc;
}

int main(int argc, char **argv)
{
    static vk_config cfg;
    cfg.db_path = t_path("seed.sqlite");
    store_conn *store = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (store_open(&store, cfg.db_path, &ei) || vk_ctx_new(&ctx, &cfg, store, &ei) ||
        api_seed_reference(ctx, VK_SOURCE_DIR "/geo", VK_SOURCE_DIR "/seeds", &ei) ||
        store_area_each(ctx->store, STORE_AREA_DISTRICT, remember, NULL, &ei)) {
        printf("Bail out! cannot set up: %s\n", ei.message);
        return 1;
    }
    int rc;
    if (argc >= 5 && strcmp(argv[1], "--emit") == 0) {
        rc = emit(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 10),
                  argc >= 6 ? atof(argv[5]) : -1);
    } else if (argc >= 5 && strcmp(argv[1], "--store") == 0) {
        rc = store_bench(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 10));
    } else {
        T_OK(n_codes >= 10, "the districts of geo/ are loaded (%zu)", n_codes);
        test_survey("safe-route-to-school.json", 1);
        test_survey("neighbourhood-geobudget.json", 2);
        test_survey("how-to-take-part.json", 3);
        test_deterministic();
        test_demo();
        rc = t_done();
    }
    vk_ctx_free(ctx);
    t_cleanup();
    return rc;
}
