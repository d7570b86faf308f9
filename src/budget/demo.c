/*
 * demo.c — the demo round (demo.h): Imatra's participatory budget with
 * proposals from seed 000 (the Huvikumpu playground, bus stops, summer
 * flowers…) in fi/sv/en, reviewed and merged into projects, voted on,
 * set to the results phase by hand, and the winners' implementation
 * followed. The round document passes budget_round_parse and every
 * ballot budget_ballot_check, as through the routes; the rows are written
 * with the routes' own statements (budget/sql.h).
 *
 * The file names projects by a key of its own and proposals by their
 * index, and gives ballots as patterns with a count: the same data every
 * time, readable by a person.
 */
#include "budget/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "budget/ballot.h"
#include "budget/round.h"
#include "budget/sql.h"
#include "core/clock.h"
#include "core/jsonfile.h"
#include "core/sha256.h"

#define DEMO_FILE "imatra.json"
#define DEMO_PROJECTS 64

typedef struct demo {
    vk_ctx *ctx;
    budget_round r;
    int64_t round_id;
    int nprojects;
    const char *keys[DEMO_PROJECTS];
    int64_t ids[DEMO_PROJECTS];
} demo;

static vk_err in_file(vk_errinfo *ei, vk_err e, const char *what)
{
    char field[sizeof ei->field], msg[sizeof ei->message];
    snprintf(field, sizeof field, "%s", ei->field);
    snprintf(msg, sizeof msg, "%s", ei->message);
    return vk_fail(ei, e, field, "seeds/budgeting/%s: %s: %s", DEMO_FILE, what, msg);
}

static const char *text(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The phase's start shifted by hours, as stored times are written. */
static void phase_at(const demo *d, budget_phase p, int64_t hours, char out[VK_RFC3339_LEN])
{
    vk_rfc3339_of(vk_rfc3339_seconds(d->r.starts[p]) + hours * 3600, out);
}

/* A point [lon, lat] inside the municipality as WKB, and its district. */
static vk_err place(demo *d, const json_t *point, unsigned char **wkb, size_t *n,
                    char district[48], vk_errinfo *ei)
{
    json_t *geom = json_pack("{s:s, s:O}", "type", "Point", "coordinates", point);
    gis_geom *g = NULL;
    vk_err e = geom ? gis_geom_from_geojson(d->ctx->gis, geom, "point", &g, ei)
                    : vk_fail(ei, VK_ENOMEM, "", NULL);
    json_decref(geom);
    if (!e)
        e = gis_geom_check_inside(d->ctx->gis, g, "point", ei);
    if (!e && gis_geom_to_wkb(d->ctx->gis, g, wkb, n) != VK_OK)
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    int64_t did = e ? 0 : gis_geom_district(d->ctx->gis, g);
    gis_geom_free(d->ctx->gis, g);
    district[0] = '\0';
    if (!e && did)
        e = db_scan(d->ctx->store, &budget_sql, SQL_DISTRICT_CODE, DB_ARGS(DB_INT(did)),
                    DB_OUTS(DB_COPY_TO(district, 48)), NULL, "reading a district", ei);
    return e;
}

/* The key of the area whose districts include district, NULL when none. */
static const char *area_of(const demo *d, const char *district)
{
    for (int i = 0; district[0] && i < d->r.nareas; i++) {
        size_t k;
        const json_t *c;
        json_array_foreach(d->r.areas[i].districts, k, c) if (!strcmp(json_string_value(c),
                                                                      district)) return d->r
            .areas[i]
            .key;
    }
    return NULL;
}

static int category_ok(const demo *d, const char *category)
{
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(d->r.doc, "categories"), i, c) if (category &&
                                                                          !strcmp(text(c, "key"),
                                                                                  category)) return 1;
    return 0;
}

static vk_err demo_round(demo *d, json_t *doc, const char *phase, const char *now, vk_errinfo *ei)
{
    vk_err e = budget_round_parse(d->ctx->gis, json_object_get(doc, "round"), &d->r, ei);
    if (e)
        return in_file(ei, e, "round");
    for (int i = 0; i < d->r.nareas; i++) {
        size_t k;
        const json_t *c;
        json_array_foreach(d->r.areas[i].districts, k, c) {
            int64_t n = 0;
            if ((e = db_int64(d->ctx->store, &budget_sql, SQL_DISTRICT_EXISTS,
                              DB_ARGS(DB_TEXT(json_string_value(c))), &n, "reading districts", ei)))
                return e;
            if (!n)
                return in_file(ei, vk_fail(ei, VK_EVALUE, "areas", "no district '%s'",
                                           json_string_value(c)),
                               "round");
        }
    }
    if (budget_phase_parse(phase) < 0)
        return in_file(ei, vk_fail(ei, VK_EVALUE, "phase", "not a phase"), "phase");
    char *text_doc = json_dumps(d->r.doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text_doc)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    e = db_run(d->ctx->store, &budget_sql, SQL_ROUND_INSERT,
               DB_ARGS(DB_TEXT(d->r.slug), DB_TEXT(text_doc), DB_TEXT(now), DB_TEXT("demo")),
               "saving the demo round", ei);
    free(text_doc);
    d->round_id = db_last_id(d->ctx->store);
    if (!e)
        e = db_run(d->ctx->store, &budget_sql, SQL_ROUND_PUBLISH,
                   DB_ARGS(DB_INT(d->round_id), DB_TEXT(now)), "publishing the demo round", ei);
    if (!e)
        e = db_run(d->ctx->store, &budget_sql, SQL_ROUND_SET_PHASE,
                   DB_ARGS(DB_INT(d->round_id), DB_TEXT(phase), DB_TEXT(now)),
                   "setting the demo round's phase", ei);
    return e;
}

/* One proposal: placed, supported by `supports` browsers, reviewed. */
static vk_err demo_proposal(demo *d, size_t i, const json_t *p, int64_t *id, vk_errinfo *ei)
{
    unsigned char *wkb = NULL;
    size_t n = 0;
    char district[48] = "", created[VK_RFC3339_LEN], reviewed[VK_RFC3339_LEN];
    const json_t *point = json_object_get(p, "point");
    vk_err e = VK_OK;
    if (point)
        e = place(d, point, &wkb, &n, district, ei);
    else if (text(p, "district"))
        snprintf(district, sizeof district, "%s", text(p, "district"));
    const char *area = e ? NULL : area_of(d, district);
    if (!e && !area)
        e = vk_fail(ei, VK_EVALUE, point ? "point" : "district", "in none of the round's areas");
    if (!e && !category_ok(d, text(p, "category")))
        e = vk_fail(ei, VK_EVALUE, "category", "not a category of the round");
    if (!e && (!text(p, "title") || !text(p, "description") || !text(p, "language")))
        e = vk_fail(ei, VK_EMISSING, "title", "a proposal has a title, description and language");
    phase_at(d, BUDGET_PROPOSALS, 24 * 2 * (int64_t)i + 9, created);
    if (!e)
        e = db_run(d->ctx->store, &budget_sql, SQL_PROPOSAL_INSERT,
                   DB_ARGS(DB_INT(d->round_id), DB_TEXT(text(p, "title")),
                           DB_TEXT(text(p, "description")), DB_TEXT(text(p, "category")),
                           DB_TEXT(text(p, "language")), DB_TEXT(point ? "geometry" : "district"),
                           DB_TEXT(district), DB_TEXT(area), DB_TEXT(created),
                           wkb ? DB_BLOB(wkb, n) : DB_NULL),
                   "saving a demo proposal", ei);
    free(wkb);
    *id = db_last_id(d->ctx->store);
    int64_t supports = json_integer_value(json_object_get(p, "supports"));
    for (int64_t k = 0; !e && k < supports; k++) {
        char seed[64], browser[65];
        snprintf(seed, sizeof seed, "demo:%zu:%lld", i, (long long)k);
        vk_sha256_hex_of(seed, strlen(seed), browser);
        e = db_run(d->ctx->store, &budget_sql, SQL_SUPPORT_INSERT,
                   DB_ARGS(DB_INT(*id), DB_TEXT(browser), DB_TEXT(created)), "saving a support", ei);
        if (!e)
            e = db_run(d->ctx->store, &budget_sql, SQL_SUPPORT_COUNT, DB_ARGS(DB_INT(*id)),
                       "counting a support", ei);
    }
    const json_t *r = json_object_get(p, "review");
    phase_at(d, BUDGET_REVIEW, 24 + 3 * (int64_t)i, reviewed);
    if (!e && r)
        e = db_run(d->ctx->store, &budget_sql, SQL_PROPOSAL_REVIEW,
                   DB_ARGS(DB_INT(*id), DB_INT(json_is_true(json_object_get(r, "feasible"))),
                           DB_TEXT(text(r, "reason")),
                           DB_INT(json_integer_value(json_object_get(r, "cost"))),
                           DB_TEXT(text(r, "unit")), DB_TEXT(reviewed)),
                   "reviewing a demo proposal", ei);
    return e;
}

/* One project, merging proposals (indices into their ids). */
static vk_err demo_project(demo *d, size_t i, const json_t *p, const int64_t *proposal_ids,
                           size_t nproposals, vk_errinfo *ei)
{
    const char *key = text(p, "key"), *area = text(p, "area");
    const budget_area *a = area ? budget_round_area(&d->r, area) : NULL;
    int64_t cost = json_integer_value(json_object_get(p, "cost"));
    if (!key || d->nprojects == DEMO_PROJECTS)
        return vk_fail(ei, VK_EMISSING, "key", "a project has a key (at most %d projects)",
                       DEMO_PROJECTS);
    if (!a)
        return vk_fail(ei, VK_EVALUE, "area", "not an area of the round");
    if (cost < 1 || cost > a->budget)
        return vk_fail(ei, VK_EVALUE, "cost", "the cost is 1 to the area's budget");
    if (!category_ok(d, text(p, "category")))
        return vk_fail(ei, VK_EVALUE, "category", "not a category of the round");
    unsigned char *wkb = NULL;
    size_t n = 0;
    char district[48] = "", created[VK_RFC3339_LEN];
    vk_err e = place(d, json_object_get(p, "point"), &wkb, &n, district, ei);
    const char *in = e ? NULL : area_of(d, district);
    if (!e && (!in || strcmp(in, area)))
        e = vk_fail(ei, VK_EVALUE, "point", "the point is not in the area '%s'", area);
    char *title = json_dumps(json_object_get(p, "title"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *desc = json_dumps(json_object_get(p, "description"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!e && (!title || !desc || !text(json_object_get(p, "title"), "fi")))
        e = vk_fail(ei, VK_EMISSING, "title", "a project has a title {fi, sv, en} and a description");
    phase_at(d, BUDGET_REVIEW, 24 * 7 + (int64_t)i, created);
    if (!e)
        e = db_run(d->ctx->store, &budget_sql, SQL_PROJECT_INSERT,
                   DB_ARGS(DB_INT(d->round_id), DB_TEXT(title), DB_TEXT(desc),
                           DB_TEXT(text(p, "category")), DB_TEXT(area), DB_TEXT(district),
                           DB_INT(cost), DB_TEXT(text(p, "unit")), DB_TEXT(created),
                           DB_BLOB(wkb, n)),
                   "saving a demo project", ei);
    free(title);
    free(desc);
    free(wkb);
    if (e)
        return e;
    int64_t id = db_last_id(d->ctx->store);
    d->keys[d->nprojects] = key;
    d->ids[d->nprojects++] = id;
    size_t k;
    const json_t *x;
    json_array_foreach(json_object_get(p, "proposals"), k, x) {
        json_int_t pi = json_integer_value(x);
        if (!json_is_integer(x) || pi < 0 || (size_t)pi >= nproposals)
            return vk_fail(ei, VK_EVALUE, "proposals", "proposals[%zu] is not a proposal's index", k);
        if ((e = db_run(d->ctx->store, &budget_sql, SQL_PROPOSAL_MERGE,
                        DB_ARGS(DB_INT(proposal_ids[pi]), DB_INT(id), DB_INT(d->round_id)),
                        "merging a demo proposal", ei)))
            return e;
        if (db_changes(d->ctx->store) != 1)
            return vk_fail(ei, VK_ECONFLICT, "proposals", "proposal %lld is in two projects",
                           (long long)pi);
    }
    return VK_OK;
}

static int64_t project_id(const demo *d, const char *key)
{
    for (int i = 0; key && i < d->nprojects; i++)
        if (!strcmp(d->keys[i], key))
            return d->ids[i];
    return 0;
}

/* The ballots: each pattern `count` times, checked once under the rule. */
static vk_err demo_ballots(demo *d, const json_t *b, int *ballots, vk_errinfo *ei)
{
    budget_projects p = {0};
    vk_err e = budget_projects_load(d->ctx->store, d->round_id, &p, ei);
    const json_t *ages = json_object_get(b, "age_groups"), *postals = json_object_get(b, "postal_codes");
    if (!e && (!json_array_size(ages) || !json_array_size(postals)))
        e = vk_fail(ei, VK_EMISSING, "ballots", "ballots need age_groups and postal_codes");
    size_t i, nth = 0;
    const json_t *pat;
    json_array_foreach(json_object_get(b, "patterns"), i, pat) {
        if (e)
            break;
        json_t *ballot = json_pack("{s:s?, s:[]}", "area", text(pat, "area"), "projects");
        size_t k;
        const json_t *key;
        json_array_foreach(json_object_get(pat, "projects"), k, key) {
            int64_t id = project_id(d, json_string_value(key));
            if (!id) {
                e = vk_fail(ei, VK_EVALUE, "projects", "patterns[%zu]: no project '%s'", i,
                            json_string_value(key) ? json_string_value(key) : "?");
                break;
            }
            json_array_append_new(json_object_get(ballot, "projects"), json_integer(id));
        }
        budget_choice c = {0};
        if (!e && (e = budget_ballot_check(&d->r, &p, ballot, &c, ei)))
            in_file(ei, e, "a ballot pattern breaks the rule");
        json_int_t count = json_integer_value(json_object_get(pat, "count"));
        for (json_int_t n = 0; !e && n < count; n++, nth++) {
            char submitted[VK_RFC3339_LEN], seed[48], browser[65];
            /* Spread over the three weeks of voting. */
            phase_at(d, BUDGET_VOTING, (int64_t)(nth * 7 % (20 * 24)) + 1, submitted);
            snprintf(seed, sizeof seed, "demo-voter:%zu", nth);
            vk_sha256_hex_of(seed, strlen(seed), browser);
            e = db_run(d->ctx->store, &budget_sql, SQL_VOTER_INSERT,
                       DB_ARGS(DB_INT(d->round_id), DB_TEXT(browser)), "noting a demo voter", ei);
            if (!e)
                e = db_run(d->ctx->store, &budget_sql, SQL_BALLOT_INSERT,
                           DB_ARGS(DB_INT(d->round_id), DB_TEXT(c.area), DB_TEXT("open"),
                                   DB_TEXT(c.text), DB_INT(c.total),
                                   DB_TEXT(json_string_value(json_array_get(ages, nth % json_array_size(ages)))),
                                   DB_TEXT(json_string_value(json_array_get(postals, nth % json_array_size(postals)))),
                                   DB_NULL, DB_NULL, DB_NULL, DB_INT(1), DB_TEXT(submitted)),
                           "saving a demo ballot", ei);
            if (!e)
                ++*ballots;
        }
        free(c.text);
        json_decref(ballot);
    }
    budget_projects_fini(&p);
    return e;
}

/* The winners' status and their dated updates. */
static vk_err demo_implementation(demo *d, const json_t *list, vk_errinfo *ei)
{
    size_t i;
    const json_t *u;
    json_array_foreach(list, i, u) {
        int64_t id = project_id(d, text(u, "project"));
        const char *status = text(u, "status"), *at = text(u, "at");
        char *body = json_dumps(json_object_get(u, "text"), JSON_COMPACT | JSON_PRESERVE_ORDER);
        vk_err e = VK_OK;
        if (!id || !status || !at || !body)
            e = vk_fail(ei, VK_EVALUE, "implementation",
                        "implementation[%zu]: a project's key, a status, at and text", i);
        if (!e)
            e = db_run(d->ctx->store, &budget_sql, SQL_PROJECT_STATUS,
                       DB_ARGS(DB_INT(id), DB_TEXT(status), DB_NULL, DB_TEXT(at)),
                       "saving a demo status", ei);
        if (!e)
            e = db_run(d->ctx->store, &budget_sql, SQL_PROJECT_UPDATE_INSERT,
                       DB_ARGS(DB_INT(id), DB_TEXT(at), DB_TEXT(status), DB_TEXT(body),
                               DB_TEXT("[]")),
                       "saving a demo update", ei);
        free(body);
        if (e)
            return e;
    }
    return VK_OK;
}

static vk_err demo_all(demo *d, json_t *doc, int *ballots, vk_errinfo *ei)
{
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    const char *phase = text(doc, "phase");
    vk_err e = demo_round(d, doc, phase ? phase : "", now, ei);
    const json_t *props = json_object_get(doc, "proposals");
    size_t n = json_array_size(props), i;
    int64_t *ids = calloc(n ? n : 1, sizeof *ids);
    if (!e && !ids)
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    for (i = 0; !e && i < n; i++)
        if ((e = demo_proposal(d, i, json_array_get(props, i), &ids[i], ei))) {
            char what[32];
            snprintf(what, sizeof what, "proposals[%zu]", i);
            in_file(ei, e, what);
        }
    const json_t *projects = json_object_get(doc, "projects");
    for (i = 0; !e && i < json_array_size(projects); i++)
        if ((e = demo_project(d, i, json_array_get(projects, i), ids, n, ei))) {
            char what[32];
            snprintf(what, sizeof what, "projects[%zu]", i);
            in_file(ei, e, what);
        }
    free(ids);
    if (!e)
        e = demo_ballots(d, json_object_get(doc, "ballots"), ballots, ei);
    if (!e && (e = demo_implementation(d, json_object_get(doc, "implementation"), ei)))
        in_file(ei, e, "implementation");
    return e;
}

vk_err budget_demo_load(vk_ctx *ctx, const char *seeds_dir, int *rounds, int *ballots,
                        vk_errinfo *ei)
{
    *rounds = *ballots = 0;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/budgeting", seeds_dir);
    /* As for walks/ and surveys/: no budgeting/, no demo round. */
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return VK_OK;
    json_t *doc = NULL;
    vk_err e = vk_json_load_file(dir, DEMO_FILE, &doc, ei);
    if (e)
        return e;
    int64_t taken = 0;
    const char *slug = text(json_object_get(doc, "round"), "slug");
    e = db_int64(ctx->store, &budget_sql, SQL_ROUND_EXISTS, DB_ARGS(DB_TEXT(slug ? slug : "")),
                 &taken, "looking for the demo round", ei);
    if (e || taken) {
        json_decref(doc);
        return e; /* once: never over a round already there */
    }
    demo d;
    memset(&d, 0, sizeof d);
    d.ctx = ctx;
    int own = 0;
    e = store_begin_own(ctx->store, &own, ei);
    if (!e)
        e = demo_all(&d, doc, ballots, ei);
    e = store_end_own(ctx->store, own, e, ei);
    budget_round_fini(&d.r);
    json_decref(doc);
    if (e)
        *ballots = 0;
    else
        *rounds = 1;
    return e;
}
