/*
 * round.c — the check of a round's document and its phase (round.h).
 */
#include "budget/round.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"

static const char *const phase_names[BUDGET_PHASES] = {
    "upcoming", "proposals", "review", "voting", "results", "implementation"};

const char *budget_phase_name(budget_phase p)
{
    return p < BUDGET_PHASES ? phase_names[p] : "upcoming";
}

int budget_phase_parse(const char *name)
{
    for (int i = 0; name && i < BUDGET_PHASES; i++)
        if (strcmp(name, phase_names[i]) == 0)
            return i;
    return -1;
}

const char *budget_rule_name(budget_rule r)
{
    return r == BUDGET_KNAPSACK ? "knapsack" : r == BUDGET_APPROVAL ? "approval" : "points";
}

const char *budget_method_name(budget_method m)
{
    return m == BUDGET_MES ? "mes" : "greedy";
}

budget_phase budget_round_phase(const budget_round *r, const char *by_hand, const char *now)
{
    int p = budget_phase_parse(by_hand);
    if (p >= 0)
        return (budget_phase)p;
    budget_phase at = BUDGET_UPCOMING;
    for (int i = BUDGET_PROPOSALS; i < BUDGET_PHASES; i++)
        if (strcmp(r->starts[i], now) <= 0)
            at = (budget_phase)i;
    return at;
}

const budget_area *budget_round_area(const budget_round *r, const char *key)
{
    for (int i = 0; key && i < r->nareas; i++)
        if (strcmp(r->areas[i].key, key) == 0)
            return &r->areas[i];
    return NULL;
}

static const char *const age_groups[] = {"under-12", "12-14", "15-17", "18-29", "30-44",
                                         "45-64",    "65-74", "75+",   NULL};
static const int age_upper[] = {11, 14, 17, 29, 44, 64, 74, 200};

int budget_age_group_ok(const char *group, int min_age)
{
    for (int i = 0; group && age_groups[i]; i++)
        if (strcmp(group, age_groups[i]) == 0)
            return min_age < 0 || age_upper[i] >= min_age;
    return -1;
}

/* ---- the check ---- */

static int key_ok(const char *s, size_t max, int hyphen_ends)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    if (!hyphen_ends && (s[0] == '-' || s[n - 1] == '-'))
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* {fi, sv?, en?}: fi required when required. */
static vk_err check_texts(const json_t *doc, const char *key, int required, size_t max,
                          vk_errinfo *ei)
{
    static const char *const langs[] = {"fi", "sv", "en", NULL};
    const json_t *t = json_object_get(doc, key);
    if (!t && !required)
        return VK_OK;
    if (!t)
        return vk_fail(ei, VK_EMISSING, key, "\"%s\" is required: {\"fi\": …, \"sv\": …, \"en\": …}",
                       key);
    if (!json_is_object(t))
        return vk_fail(ei, VK_ETYPE, key, "\"%s\" is an object of texts by language", key);
    vk_err e = api_json_keys_prefixed(t, key, langs, ei);
    for (int i = 0; !e && langs[i]; i++) {
        char field[64];
        snprintf(field, sizeof field, "%s.%s", key, langs[i]);
        const char *s;
        e = api_json_text_named(t, langs[i], field, i == 0, max, max > 200, &s, ei);
    }
    return e;
}

static vk_err int_member(const json_t *obj, const char *key, const char *field, int required,
                         long long lo, long long hi, long long dflt, long long *out,
                         vk_errinfo *ei)
{
    const json_t *v = json_object_get(obj, key);
    *out = dflt;
    if (!v && !required)
        return VK_OK;
    if (!v)
        return vk_fail(ei, VK_EMISSING, field, "\"%s\" is required", field);
    if (!json_is_integer(v))
        return vk_fail(ei, VK_ETYPE, field, "\"%s\" must be a whole number", field);
    *out = json_integer_value(v);
    if (*out < lo || *out > hi)
        return vk_fail(ei, VK_EVALUE, field, "\"%s\" must be from %lld to %lld", field, lo, hi);
    return VK_OK;
}

static vk_err check_area(gis_ctx *g, json_t *a, int i, budget_area *out, vk_errinfo *ei)
{
    static const char *const keys[] = {"key", "name", "budget", "districts", "geometry", NULL};
    char field[64];
    snprintf(field, sizeof field, "areas[%d]", i);
    if (!json_is_object(a))
        return vk_fail(ei, VK_ETYPE, field, "an area is an object");
    vk_err e = api_json_keys_prefixed(a, field, keys, ei);
    if (e)
        return e;
    const char *key = json_string_value(json_object_get(a, "key"));
    snprintf(field, sizeof field, "areas[%d].key", i);
    if (!key_ok(key, BUDGET_KEY_MAX, 1))
        return vk_fail(ei, VK_EVALUE, field, "an area's key is 1-32 of a-z, 0-9, - and _");
    snprintf(out->key, sizeof out->key, "%s", key);
    snprintf(field, sizeof field, "areas[%d].name", i);
    const json_t *name = json_object_get(a, "name");
    if (name && !json_is_object(name))
        return vk_fail(ei, VK_ETYPE, field, "an area's name is {\"fi\", \"sv\", \"en\"}");
    snprintf(field, sizeof field, "areas[%d].budget", i);
    long long b;
    if ((e = int_member(a, "budget", field, 1, 1, BUDGET_BUDGET_MAX, 0, &b, ei)))
        return e;
    out->budget = b;
    const json_t *d = json_object_get(a, "districts");
    json_t *geom = json_object_get(a, "geometry");
    if (d && geom)
        return vk_fail(ei, VK_EVALUE, field, "an area has districts or a geometry, not both");
    if (d) {
        snprintf(field, sizeof field, "areas[%d].districts", i);
        if (!json_is_array(d) || json_array_size(d) == 0 || json_array_size(d) > 100)
            return vk_fail(ei, VK_ETYPE, field, "districts is a list of 1-100 district codes");
        size_t k;
        const json_t *c;
        json_array_foreach(d, k, c) if (!json_is_string(c) || json_string_length(c) > 40)
            return vk_fail(ei, VK_EVALUE, field, "a district code is a string");
        out->districts = d;
    }
    if (geom) {
        snprintf(field, sizeof field, "areas[%d].geometry", i);
        if (g) {
            gis_geom *gg = NULL;
            if ((e = gis_geom_from_geojson(g, geom, field, &gg, ei)))
                return e;
            const char *t = gis_geom_type(gg);
            int poly = strcmp(t, "Polygon") == 0 || strcmp(t, "MultiPolygon") == 0;
            gis_geom_free(g, gg);
            if (!poly)
                return vk_fail(ei, VK_EGEOM_TYPE, field, "an area is a Polygon or MultiPolygon");
        } else if (!json_is_object(geom)) {
            return vk_fail(ei, VK_ETYPE, field, "a geometry is a GeoJSON object");
        }
        out->geometry = geom;
    }
    return VK_OK;
}

static vk_err check_areas(gis_ctx *g, budget_round *r, vk_errinfo *ei)
{
    json_t *areas = json_object_get(r->doc, "areas");
    if (!areas) {
        /* One area for the whole round, written out so that readers never
         * have to special-case its absence. */
        json_t *a = json_pack("[{s:s, s:{s:s, s:s, s:s}, s:I}]", "key", "all", "name", "fi",
                              "Koko kaupunki", "sv", "Hela staden", "en", "The whole city",
                              "budget", (json_int_t)r->budget);
        if (!a || json_object_set_new(r->doc, "areas", a))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        areas = a;
    }
    if (!json_is_array(areas) || json_array_size(areas) == 0 ||
        json_array_size(areas) > BUDGET_AREAS_MAX)
        return vk_fail(ei, VK_ETYPE, "areas", "areas is a list of 1-%d areas", BUDGET_AREAS_MAX);
    int64_t sum = 0;
    size_t i;
    json_t *a;
    json_array_foreach(areas, i, a)
    {
        vk_err e = check_area(g, a, (int)i, &r->areas[i], ei);
        if (e)
            return e;
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->areas[j].key, r->areas[i].key) == 0)
                return vk_fail(ei, VK_EVALUE, "areas", "the area key '%s' is used twice",
                               r->areas[i].key);
        sum += r->areas[i].budget;
        r->nareas = (int)i + 1;
    }
    if (sum > r->budget)
        return vk_fail(ei, VK_EVALUE, "areas",
                       "the areas' budgets sum to %lld, more than the round's %lld",
                       (long long)sum, (long long)r->budget);
    return VK_OK;
}

static vk_err check_phases(budget_round *r, vk_errinfo *ei)
{
    json_t *ph = json_object_get(r->doc, "phases");
    if (!ph)
        return vk_fail(ei, VK_EMISSING, "phases", "\"phases\" gives each phase's start");
    if (!json_is_object(ph))
        return vk_fail(ei, VK_ETYPE, "phases", "\"phases\" is an object");
    vk_err e = api_json_keys_prefixed(ph, "phases", phase_names + 1, ei);
    if (e)
        return e;
    for (int i = BUDGET_PROPOSALS; i < BUDGET_PHASES; i++) {
        char field[64];
        snprintf(field, sizeof field, "phases.%s", phase_names[i]);
        json_t *p = json_object_get(ph, phase_names[i]);
        if (!p)
            return vk_fail(ei, VK_EMISSING, field, "every phase needs its start");
        static const char *const keys[] = {"starts", NULL};
        if (!json_is_object(p))
            return vk_fail(ei, VK_ETYPE, field, "a phase is {\"starts\": date-time}");
        if ((e = api_json_keys_prefixed(p, field, keys, ei)))
            return e;
        snprintf(field, sizeof field, "phases.%s.starts", phase_names[i]);
        const char *s = json_string_value(json_object_get(p, "starts"));
        if (!s || vk_rfc3339_normalise(s, r->starts[i]) != 0)
            return vk_fail(ei, VK_EVALUE, field, "a phase starts at an RFC 3339 date-time");
        if (i > BUDGET_PROPOSALS && strcmp(r->starts[i], r->starts[i - 1]) <= 0)
            return vk_fail(ei, VK_EVALUE, field, "each phase starts after the one before it");
        if (json_object_set_new(p, "starts", json_string(r->starts[i])))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    r->starts[BUDGET_UPCOMING][0] = '\0';
    return VK_OK;
}

static vk_err check_voting(budget_round *r, vk_errinfo *ei)
{
    const json_t *v = json_object_get(r->doc, "voting");
    if (!v)
        return vk_fail(ei, VK_EMISSING, "voting", "\"voting\" gives the rule");
    if (!json_is_object(v))
        return vk_fail(ei, VK_ETYPE, "voting", "\"voting\" is an object");
    const char *rule = json_string_value(json_object_get(v, "rule"));
    long long a = 0, b = 0;
    vk_err e;
    if (rule && strcmp(rule, "knapsack") == 0) {
        static const char *const keys[] = {"rule", "min_share", NULL};
        r->rule = BUDGET_KNAPSACK;
        if ((e = api_json_keys_prefixed(v, "voting", keys, ei)) ||
            (e = int_member(v, "min_share", "voting.min_share", 0, 0, 100, 0, &a, ei)))
            return e;
        r->min_share = (int)a;
    } else if (rule && strcmp(rule, "approval") == 0) {
        static const char *const keys[] = {"rule", "min", "max", NULL};
        r->rule = BUDGET_APPROVAL;
        if ((e = api_json_keys_prefixed(v, "voting", keys, ei)) ||
            (e = int_member(v, "min", "voting.min", 1, 1, 100, 0, &a, ei)) ||
            (e = int_member(v, "max", "voting.max", 1, 1, 100, 0, &b, ei)))
            return e;
        if (a > b)
            return vk_fail(ei, VK_EVALUE, "voting.min", "min must be at most max");
        r->min_picks = (int)a;
        r->max_picks = (int)b;
    } else if (rule && strcmp(rule, "points") == 0) {
        static const char *const keys[] = {"rule", "points", NULL};
        r->rule = BUDGET_POINTS;
        if ((e = api_json_keys_prefixed(v, "voting", keys, ei)) ||
            (e = int_member(v, "points", "voting.points", 1, 1, 1000, 0, &a, ei)))
            return e;
        r->points = (int)a;
    } else {
        return vk_fail(ei, VK_EVALUE, "voting.rule", "the rule is knapsack, approval or points");
    }
    return VK_OK;
}

static vk_err check_voters(budget_round *r, vk_errinfo *ei)
{
    const json_t *v = json_object_get(r->doc, "voters");
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 3)
        return vk_fail(ei, v ? VK_ETYPE : VK_EMISSING, "voters",
                       "\"voters\" lists one or more of codes, open and paper");
    size_t i;
    const json_t *k;
    json_array_foreach(v, i, k)
    {
        const char *s = json_string_value(k);
        int bit = !s ? 0 : strcmp(s, "codes") == 0 ? BUDGET_VOTER_CODES
                         : strcmp(s, "open") == 0  ? BUDGET_VOTER_OPEN
                         : strcmp(s, "paper") == 0 ? BUDGET_VOTER_PAPER
                                                    : 0;
        if (!bit || (r->voters & bit))
            return vk_fail(ei, VK_EVALUE, "voters", "voters are codes, open and paper, each once");
        r->voters |= bit;
    }
    return VK_OK;
}

static vk_err check_categories(const json_t *doc, vk_errinfo *ei)
{
    const json_t *c = json_object_get(doc, "categories");
    if (!c)
        return VK_OK;
    if (!json_is_array(c) || json_array_size(c) > 50)
        return vk_fail(ei, VK_ETYPE, "categories", "categories is a list of at most 50");
    size_t i, j;
    const json_t *x;
    json_array_foreach(c, i, x)
    {
        const char *key = json_string_value(json_object_get(x, "key"));
        if (!json_is_object(x) || !key_ok(key, BUDGET_KEY_MAX, 1) ||
            !json_is_object(json_object_get(x, "name")))
            return vk_fail(ei, VK_EVALUE, "categories",
                           "categories[%zu] is {\"key\": a-z0-9_-, \"name\": {fi, sv, en}}", i);
        for (j = 0; j < i; j++)
            if (strcmp(key, json_string_value(json_object_get(json_array_get(c, j), "key"))) == 0)
                return vk_fail(ei, VK_EVALUE, "categories", "the category '%s' is listed twice",
                               key);
    }
    return VK_OK;
}

vk_err budget_round_parse(gis_ctx *g, json_t *doc, budget_round *r, vk_errinfo *ei)
{
    static const char *const keys[] = {"slug",   "title",  "description", "budget",
                                       "areas",  "categories", "phases",  "voting",
                                       "voters", "min_age", "method",     NULL};
    memset(r, 0, sizeof *r);
    r->min_age = -1;
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "a round is a JSON object");
    r->doc = json_incref(doc);
    vk_err e = api_json_keys(doc, keys, ei);
    if (e)
        return e;
    const char *slug = json_string_value(json_object_get(doc, "slug"));
    if (!json_object_get(doc, "slug"))
        return vk_fail(ei, VK_EMISSING, "slug", "a round needs its slug");
    if (!key_ok(slug, BUDGET_SLUG_MAX, 0) || strchr(slug, '_'))
        return vk_fail(ei, VK_EVALUE, "slug",
                       "the slug is 1-64 of a-z, 0-9 and inner hyphens");
    snprintf(r->slug, sizeof r->slug, "%s", slug);
    long long n;
    if ((e = check_texts(doc, "title", 1, 200, ei)) ||
        (e = check_texts(doc, "description", 0, 4000, ei)) ||
        (e = int_member(doc, "budget", "budget", 1, 1, BUDGET_BUDGET_MAX, 0, &n, ei)))
        return e;
    r->budget = n;
    if ((e = check_areas(g, r, ei)) || (e = check_categories(doc, ei)) ||
        (e = check_phases(r, ei)) || (e = check_voting(r, ei)) || (e = check_voters(r, ei)) ||
        (e = int_member(doc, "min_age", "min_age", 0, 0, 18, -1, &n, ei)))
        return e;
    r->min_age = (int)n;
    const char *m = json_string_value(json_object_get(doc, "method"));
    if (!json_object_get(doc, "method"))
        return vk_fail(ei, VK_EMISSING, "method", "a round chooses its method: greedy or mes");
    if (!m || (strcmp(m, "greedy") && strcmp(m, "mes")))
        return vk_fail(ei, VK_EVALUE, "method", "the method is greedy or mes");
    r->method = strcmp(m, "mes") == 0 ? BUDGET_MES : BUDGET_GREEDY;
    return VK_OK;
}

void budget_round_fini(budget_round *r)
{
    json_decref(r->doc);
    memset(r, 0, sizeof *r);
}
