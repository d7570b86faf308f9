/*
 * definition.c — check a survey definition, index its elements, and hold
 * the version rule (see definition.h).
 *
 * The document is checked top-down in one pass (survey members, area,
 * places, pages and their elements through the type table), then the
 * rules that need the whole survey: keys unique across it, conditions
 * naming earlier questions only, consents naming real questions. The
 * index keeps elements in document order, so "earlier" is "smaller index".
 */
#include "survey/definition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

#define MAX_PAGES 50
#define MAX_PAGE_ELEMENTS 100
#define MAX_PLACES 500
#define MAX_COND_DEPTH 8
#define MAX_COND_TERMS 20

static const char *str_member(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ------------------------------------------------------------------ */
/* Survey members                                                      */
/* ------------------------------------------------------------------ */

static int slug_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int alnum = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');
        if (!alnum && (s[i] != '-' || i == 0 || i == n - 1))
            return 0;
    }
    return 1;
}

static vk_err check_time(const json_t *doc, const char *k, char *norm, vk_errinfo *ei)
{
    const json_t *v = json_object_get(doc, k);
    norm[0] = '\0';
    if (!v)
        return VK_OK;
    if (!json_is_string(v) || vk_rfc3339_normalise(json_string_value(v), norm) != 0)
        return vk_fail(ei, VK_EVALUE, k, "\"%s\" must be an RFC 3339 date-time, e.g. "
                                         "2026-12-01T08:00:00+02:00", k);
    return VK_OK;
}

/* A GeoJSON polygon or point checked by GEOS; *wkb when wanted. */
static vk_err check_geometry(gis_ctx *g, const json_t *geom, const char *path, int allow_point,
                             unsigned char **wkb, size_t *n, vk_errinfo *ei)
{
    gis_geom *gg = NULL;
    vk_err e = gis_geom_from_geojson(g, geom, path, &gg, ei);
    if (e != VK_OK)
        return e;
    const char *t = gis_geom_type(gg);
    if (strcmp(t, "Polygon") != 0 && strcmp(t, "MultiPolygon") != 0 &&
        !(allow_point && strcmp(t, "Point") == 0))
        e = vk_fail(ei, VK_EGEOM_TYPE, path, "this must be a %sPolygon or MultiPolygon, not a %s",
                    allow_point ? "Point, " : "", t);
    if (e == VK_OK && wkb) {
        e = gis_geom_to_wkb(g, gg, wkb, n);
        if (e != VK_OK)
            e = vk_fail(ei, e, path, NULL);
    }
    gis_geom_free(g, gg);
    return e;
}

/* Item i of the keyed list name ("places", "pages"): qt_check_keyed with
 * its path into p, then its text member text (QT_TEXT_MAX; required or
 * not), which both lists' items carry. */
static vk_err check_item(const json_t *list, size_t i, const char *name,
                         const char *const *members, const char *what, const char *text,
                         int required, char p[QT_PATH_MAX], vk_errinfo *ei)
{
    char q[QT_PATH_MAX];
    qt_pathf(p, "%s[%zu]", name, i);
    vk_err e = qt_check_keyed(list, i, p, name, members, what, ei);
    if (e != VK_OK)
        return e;
    qt_pathf(q, "%s.%s", p, text);
    return qt_check_text(json_array_get(list, i), text, q, QT_TEXT_MAX, required, ei);
}

static vk_err check_places(gis_ctx *g, const json_t *places, vk_errinfo *ei)
{
    static const char *const members[] = {"key", "name", "description", "geometry", NULL};
    char p[QT_PATH_MAX], q[QT_PATH_MAX];
    if (!places)
        return VK_OK;
    if (!json_is_array(places))
        return vk_fail(ei, VK_ETYPE, "places", "\"places\" must be an array");
    if (json_array_size(places) > MAX_PLACES)
        return vk_fail(ei, VK_EVALUE, "places", "at most %d places", MAX_PLACES);
    size_t i;
    const json_t *pl;
    json_array_foreach(places, i, pl) {
        vk_err e = check_item(places, i, "places", members,
                              "a place is an object {\"key\", \"name\", \"geometry\"}", "name",
                              1, p, ei);
        if (e != VK_OK)
            return e;
        qt_pathf(q, "%s.description", p);
        if ((e = qt_check_text(pl, "description", q, QT_LONG_TEXT_MAX, 0, ei)) != VK_OK)
            return e;
        qt_pathf(q, "%s.geometry", p);
        if ((e = check_geometry(g, json_object_get(pl, "geometry"), q, 1, NULL, NULL, ei)) != VK_OK)
            return e;
    }
    return VK_OK;
}

/* ------------------------------------------------------------------ */
/* The index                                                           */
/* ------------------------------------------------------------------ */

static vk_err add_elem(survey_def *d, size_t *cap, const json_t *el, size_t page, long parent,
                       const char *path, vk_errinfo *ei)
{
    if (d->n_elems == *cap) {
        size_t c = *cap ? *cap * 2 : 32;
        survey_elem *v = realloc(d->elems, c * sizeof *v);
        if (!v)
            return vk_fail(ei, VK_ENOMEM, path, NULL);
        d->elems = v;
        *cap = c;
    }
    survey_elem *s = &d->elems[d->n_elems++];
    s->key = str_member(el, "key");
    s->type = qt_type_of(el);
    s->json = el;
    s->page = page;
    s->parent = parent;
    snprintf(s->path, sizeof s->path, "%s", path);
    return VK_OK;
}

static long find_index(const survey_def *d, const char *key)
{
    for (size_t i = 0; key && i < d->n_elems; i++)
        if (strcmp(d->elems[i].key, key) == 0)
            return (long)i;
    return -1;
}

const survey_elem *survey_def_find(const survey_def *d, const char *key)
{
    long i = find_index(d, key);
    return i < 0 ? NULL : &d->elems[i];
}

static vk_err check_pages(survey_def *d, const json_t *pages, const qt_defenv *env,
                          vk_errinfo *ei)
{
    static const char *const members[] = {"key", "title", "show_if", "elements", NULL};
    char p[QT_PATH_MAX], q[QT_PATH_MAX];
    size_t cap = 0;
    if (!pages)
        return vk_fail(ei, VK_EMISSING, "pages", "a survey needs \"pages\"");
    if (!json_is_array(pages))
        return vk_fail(ei, VK_ETYPE, "pages", "\"pages\" must be an array");
    if (json_array_size(pages) < 1 || json_array_size(pages) > MAX_PAGES)
        return vk_fail(ei, VK_EVALUE, "pages", "a survey has 1 to %d pages", MAX_PAGES);
    size_t i, j, k;
    const json_t *pg, *el, *fu;
    json_array_foreach(pages, i, pg) {
        vk_err e = check_item(pages, i, "pages", members,
                              "a page is an object {\"key\", \"elements\"}", "title", 0, p, ei);
        if (e != VK_OK)
            return e;
        const json_t *els = json_object_get(pg, "elements");
        qt_pathf(q, "%s.elements", p);
        if (!els)
            return vk_fail(ei, VK_EMISSING, q, "a page needs \"elements\"");
        if (!json_is_array(els) || json_array_size(els) < 1 ||
            json_array_size(els) > MAX_PAGE_ELEMENTS)
            return vk_fail(ei, VK_ETYPE, q, "\"elements\" is an array of 1 to %d elements",
                           MAX_PAGE_ELEMENTS);
        d->n_pages = i + 1;
        json_array_foreach(els, j, el) {
            qt_pathf(q, "pages[%zu].elements[%zu]", i, j);
            if ((e = qt_check_element(el, q, 0, env, ei)) != VK_OK)
                return e;
            long parent = (long)d->n_elems;
            if ((e = add_elem(d, &cap, el, i, -1, q, ei)) != VK_OK)
                return e;
            json_array_foreach(json_object_get(el, "followups"), k, fu) {
                qt_pathf(q, "pages[%zu].elements[%zu].followups[%zu]", i, j, k);
                if ((e = add_elem(d, &cap, fu, i, parent, q, ei)) != VK_OK)
                    return e;
            }
        }
    }
    /* Keys name answers, conditions and export columns: one meaning each. */
    for (i = 0; i < d->n_elems; i++) {
        long first = find_index(d, d->elems[i].key);
        if (first != (long)i) {
            qt_pathf(q, "%s.key", d->elems[i].path);
            return vk_fail(ei, VK_EVALUE, q, "the key '%s' is already used by %s", d->elems[i].key,
                           d->elems[first].path);
        }
    }
    return VK_OK;
}

/* ------------------------------------------------------------------ */
/* Conditions                                                          */
/* ------------------------------------------------------------------ */

/* Who may be named: elements before `before` (an index; for a page, its
 * first element) that are not follow-ups, or earlier follow-ups of the
 * same question when parent ≥ 0. */
typedef struct cond_scope {
    const survey_def *d;
    size_t before;
    long parent;
} cond_scope;

static vk_err check_leaf(const cond_scope *s, const json_t *c, const char *path, vk_errinfo *ei)
{
    static const char *const members[] = {"question", "op", "value", NULL};
    char p[QT_PATH_MAX];
    vk_err e = qt_check_members(c, path, members, NULL, ei);
    if (e != VK_OK)
        return e;
    const char *need[] = {"question", "op", "value"};
    for (int i = 0; i < 3; i++) {
        if (!json_object_get(c, need[i])) {
            qt_pathf(p, "%s.%s", path, need[i]);
            return vk_fail(ei, VK_EMISSING, p,
                           "a condition is {\"question\", \"op\", \"value\"}, {\"all\": […]} or "
                           "{\"any\": […]}");
        }
    }
    qt_pathf(p, "%s.question", path);
    if ((e = qt_check_key(json_object_get(c, "question"), p, ei)) != VK_OK)
        return e;
    const char *key = str_member(c, "question");
    long i = find_index(s->d, key);
    if (i < 0)
        return vk_fail(ei, VK_EVALUE, p, "the survey has no question '%s'", key);
    const survey_elem *q = &s->d->elems[i];
    int earlier = (size_t)i < s->before &&
                  (q->parent < 0 || (s->parent >= 0 && q->parent == s->parent));
    if (!earlier)
        return vk_fail(ei, VK_EVALUE, p,
                       "a condition may name only questions asked before it ('%s' is not)", key);
    unsigned f = q->type->flags;
    if (!(f & QT_QUESTION))
        return vk_fail(ei, VK_EVALUE, p, "'%s' is a %s, not a question", key, q->type->name);
    const char *op = str_member(c, "op");
    const json_t *v = json_object_get(c, "value");
    qt_pathf(p, "%s.op", path);
    if (!op)
        return vk_fail(ei, VK_ETYPE, p, "\"op\" must be a string");
    int is_chosen = strcmp(op, "chosen") == 0 || strcmp(op, "not_chosen") == 0;
    int is_count = strcmp(op, "drawn_at_least") == 0;
    static const char *const numeric[] = {"eq", "ne", "lt", "le", "gt", "ge"};
    int is_num = 0;
    for (int k = 0; k < 6; k++)
        is_num |= strcmp(op, numeric[k]) == 0;
    if (!is_chosen && !is_count && !is_num)
        return vk_fail(ei, VK_EVALUE, p, "'%.20s' is not an operator: chosen, not_chosen, eq, ne, "
                                         "lt, le, gt, ge or drawn_at_least", op);
    if ((is_chosen && !(f & QT_CHOSEN)) || (is_num && !(f & QT_NUMERIC)) ||
        (is_count && !(f & QT_COUNTED)))
        return vk_fail(ei, VK_EVALUE, p, "'%s' does not apply to '%s' (a %s question)", op, key,
                       q->type->name);
    qt_pathf(p, "%s.value", path);
    if (is_chosen) {
        const char *k = json_string_value(v);
        const json_t *keys = strcmp(q->type->name, "place-choice") == 0
                                 ? json_object_get(s->d->doc, "places")
                                 : json_object_get(q->json, "choices");
        if (!k)
            return vk_fail(ei, VK_ETYPE, p, "the value of \"%s\" is a choice key", op);
        if (!qt_has_key(keys, k))
            return vk_fail(ei, VK_EVALUE, p, "'%s' has no choice '%.40s'", key, k);
        return VK_OK;
    }
    if (!json_is_number(v))
        return vk_fail(ei, VK_ETYPE, p, "the value of \"%s\" is a number", op);
    if (is_count && (!json_is_integer(v) || json_integer_value(v) < 0))
        return vk_fail(ei, VK_EVALUE, p, "the value of drawn_at_least is a whole number ≥ 0");
    return VK_OK;
}

static vk_err check_cond(const cond_scope *s, const json_t *c, const char *path, int depth,
                         vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    if (!json_is_object(c))
        return vk_fail(ei, VK_ETYPE, path, "a condition is an object");
    if (depth > MAX_COND_DEPTH)
        return vk_fail(ei, VK_EVALUE, path, "conditions nest at most %d deep", MAX_COND_DEPTH);
    static const char *const groups[] = {"all", "any"};
    for (int g = 0; g < 2; g++) {
        const json_t *list = json_object_get(c, groups[g]);
        if (!list)
            continue;
        if (json_object_size(c) != 1)
            return vk_fail(ei, VK_EUNKNOWN_FIELD, path, "\"%s\" stands alone in its condition",
                           groups[g]);
        qt_pathf(p, "%s.%s", path, groups[g]);
        if (!json_is_array(list) || json_array_size(list) < 1 ||
            json_array_size(list) > MAX_COND_TERMS)
            return vk_fail(ei, VK_ETYPE, p, "\"%s\" is an array of 1 to %d conditions", groups[g],
                           MAX_COND_TERMS);
        size_t i;
        const json_t *t;
        json_array_foreach(list, i, t) {
            qt_pathf(p, "%s.%s[%zu]", path, groups[g], i);
            vk_err e = check_cond(s, t, p, depth + 1, ei);
            if (e != VK_OK)
                return e;
        }
        return VK_OK;
    }
    return check_leaf(s, c, path, ei);
}

static vk_err check_conditions(const survey_def *d, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    const json_t *pages = json_object_get(d->doc, "pages");
    size_t first = 0; /* index of the page's first element */
    for (size_t pg = 0; pg < d->n_pages; pg++) {
        const json_t *c = json_object_get(json_array_get(pages, pg), "show_if");
        if (c) {
            cond_scope s = {d, first, -1};
            qt_pathf(p, "pages[%zu].show_if", pg);
            vk_err e = check_cond(&s, c, p, 0, ei);
            if (e != VK_OK)
                return e;
        }
        while (first < d->n_elems && d->elems[first].page == pg)
            first++;
    }
    for (size_t i = 0; i < d->n_elems; i++) {
        const survey_elem *el = &d->elems[i];
        const json_t *c = json_object_get(el->json, "show_if");
        if (!c)
            continue;
        /* a follow-up sees its earlier siblings and what came before its question */
        cond_scope s = {d, i, el->parent};
        qt_pathf(p, "%s.show_if", el->path);
        vk_err e = check_cond(&s, c, p, 0, ei);
        if (e != VK_OK)
            return e;
    }
    return VK_OK;
}

/* Every key a consent names is a question of this survey. */
static vk_err check_consents(const survey_def *d, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    for (size_t i = 0; i < d->n_elems; i++) {
        size_t k;
        const json_t *v;
        json_array_foreach(json_object_get(d->elems[i].json, "personal"), k, v) {
            const survey_elem *q = survey_def_find(d, json_string_value(v));
            qt_pathf(p, "%s.personal[%zu]", d->elems[i].path, k);
            if (!q || !(q->type->flags & QT_QUESTION) || q == &d->elems[i])
                return vk_fail(ei, VK_EVALUE, p, "the survey has no other question '%s'",
                               json_string_value(v));
            if (q->parent >= 0) /* stored apart per response, not per feature */
                return vk_fail(ei, VK_EVALUE, p,
                               "'%s' is a follow-up: personal data is asked outside map questions",
                               q->key);
            if (d->elems[i].parent >= 0)
                return vk_fail(ei, VK_EVALUE, p, "a follow-up consent cannot name personal data");
        }
    }
    return VK_OK;
}

/* ------------------------------------------------------------------ */
/* Parse                                                               */
/* ------------------------------------------------------------------ */

void survey_def_free(survey_def *d)
{
    if (!d)
        return;
    json_decref(d->doc);
    free(d->elems);
    free(d->area_wkb);
    free(d);
}

vk_err survey_def_parse(gis_ctx *g, const json_t *doc, survey_def **out, vk_errinfo *ei)
{
    static const char *const members[] = {"slug",  "title", "intro",     "thanks", "opens",
                                          "closes", "area", "area_rule", "places", "pages",
                                          NULL};
    *out = NULL;
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "a survey is a JSON object");
    vk_err e = qt_check_members(doc, "", members, NULL, ei);
    if (e != VK_OK)
        return e;
    const json_t *slug = json_object_get(doc, "slug");
    if (!slug)
        return vk_fail(ei, VK_EMISSING, "slug", "a survey needs its \"slug\"");
    if (!slug_ok(json_string_value(slug)))
        return vk_fail(ei, VK_EVALUE, "slug",
                       "a slug is 1 to 64 lower-case letters, digits and '-', not starting or "
                       "ending with '-'");
    char opens[VK_RFC3339_LEN], closes[VK_RFC3339_LEN];
    if ((e = qt_check_text(doc, "title", "title", QT_TEXT_MAX, 1, ei)) != VK_OK ||
        (e = qt_check_text(doc, "intro", "intro", QT_LONG_TEXT_MAX, 0, ei)) != VK_OK ||
        (e = qt_check_text(doc, "thanks", "thanks", QT_LONG_TEXT_MAX, 0, ei)) != VK_OK ||
        (e = check_time(doc, "opens", opens, ei)) != VK_OK ||
        (e = check_time(doc, "closes", closes, ei)) != VK_OK)
        return e;
    if (opens[0] && closes[0] && strcmp(opens, closes) >= 0)
        return vk_fail(ei, VK_EVALUE, "closes", "\"closes\" must be after \"opens\"");
    const json_t *rule = json_object_get(doc, "area_rule");
    const char *rs = json_string_value(rule);
    if (rule && (!rs || (strcmp(rs, "inside") != 0 && strcmp(rs, "outside") != 0)))
        return vk_fail(ei, VK_EVALUE, "area_rule", "\"area_rule\" is \"inside\" or \"outside\"");

    survey_def *d = calloc(1, sizeof *d);
    if (!d)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    d->doc = json_incref((json_t *)doc);
    d->slug = json_string_value(slug);
    d->area_outside = rs && strcmp(rs, "outside") == 0;
    memcpy(d->opens, opens, sizeof d->opens);
    memcpy(d->closes, closes, sizeof d->closes);
    const json_t *area = json_object_get(doc, "area");
    const json_t *places = json_object_get(doc, "places");
    qt_defenv env = {places};
    if (area)
        e = check_geometry(g, area, "area", 0, &d->area_wkb, &d->area_len, ei);
    if (e == VK_OK)
        e = check_places(g, places, ei);
    if (e == VK_OK)
        e = check_pages(d, json_object_get(doc, "pages"), &env, ei);
    if (e == VK_OK)
        e = check_conditions(d, ei);
    if (e == VK_OK)
        e = check_consents(d, ei);
    if (e != VK_OK) {
        survey_def_free(d);
        return e;
    }
    *out = d;
    return VK_OK;
}

int survey_def_window(const survey_def *d, const char *now)
{
    /* normalised UTC texts of one layout compare as times */
    if (d->opens[0] && strcmp(now, d->opens) < 0)
        return -1;
    if (d->closes[0] && strcmp(now, d->closes) >= 0)
        return 1;
    return 0;
}

vk_err survey_def_area_ctx(const survey_def *d, gis_ctx **out, vk_errinfo *ei)
{
    *out = NULL;
    if (!d->area_wkb)
        return VK_OK;
    gis_ctx *g = NULL;
    vk_err e = gis_ctx_new(&g);
    if (e != VK_OK)
        return vk_fail(ei, e, "area", NULL);
    if ((e = gis_set_boundary(g, d->area_wkb, d->area_len, ei)) != VK_OK ||
        (e = gis_add_district(g, 1, d->area_wkb, d->area_len, ei)) != VK_OK) {
        gis_ctx_free(g);
        return e;
    }
    *out = g;
    return VK_OK;
}

/* ------------------------------------------------------------------ */
/* Versions                                                            */
/* ------------------------------------------------------------------ */

/* Every key of old[member] is still in new[member]. */
static vk_err keys_kept(const json_t *old_parent, const json_t *new_parent, const char *member,
                        const char *old_path, const char *what, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    const json_t *olds = json_object_get(old_parent, member);
    const json_t *news = json_object_get(new_parent, member);
    size_t i;
    const json_t *o;
    json_array_foreach(olds, i, o) {
        const char *k = str_member(o, "key");
        if (!qt_has_key(news, k)) {
            if (old_path[0])
                qt_pathf(p, "%s.%s[%zu]", old_path, member, i);
            else
                qt_pathf(p, "%s[%zu]", member, i);
            return vk_fail(ei, VK_ESURVEY_ORPHANS, p,
                           "the %s '%s' was removed, but answers to the published version may "
                           "name it (%s in the published version)",
                           what, k, p);
        }
    }
    return VK_OK;
}

vk_err survey_def_check_change(const survey_def *published, const survey_def *proposed,
                               vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    vk_err e = keys_kept(published->doc, proposed->doc, "places", "", "place", ei);
    if (e != VK_OK)
        return e;
    for (size_t i = 0; i < published->n_elems; i++) {
        const survey_elem *o = &published->elems[i];
        if (!(o->type->flags & QT_QUESTION))
            continue; /* info and section hold no answers */
        const survey_elem *n = survey_def_find(proposed, o->key);
        if (!n)
            return vk_fail(ei, VK_ESURVEY_ORPHANS, o->path,
                           "the question '%s' was removed, but answers to it are stored (%s in "
                           "the published version)",
                           o->key, o->path);
        qt_pathf(p, "%s.type", n->path);
        if (o->type != n->type)
            return vk_fail(ei, VK_ESURVEY_ORPHANS, p,
                           "'%s' was a %s question: its type cannot change once answered",
                           o->key, o->type->name);
        const char *was = o->parent >= 0 ? published->elems[o->parent].key : NULL;
        const char *is = n->parent >= 0 ? proposed->elems[n->parent].key : NULL;
        if ((was || is) && (!was || !is || strcmp(was, is) != 0))
            return vk_fail(ei, VK_ESURVEY_ORPHANS, n->path,
                           "'%s' cannot move %s a map question's follow-ups once answered",
                           o->key, was ? "out of" : "into");
        qt_pathf(p, "%s.required", n->path);
        if (!json_is_true(json_object_get(o->json, "required")) &&
            json_is_true(json_object_get(n->json, "required")))
            return vk_fail(ei, VK_ESURVEY_ORPHANS, p,
                           "'%s' was optional: making it required would leave the answers "
                           "already given incomplete",
                           o->key);
        if (json_is_true(json_object_get(o->json, "other")) &&
            !json_is_true(json_object_get(n->json, "other"))) {
            qt_pathf(p, "%s.other", n->path);
            return vk_fail(ei, VK_ESURVEY_ORPHANS, p,
                           "'%s' offered \"other\": answers may hold one", o->key);
        }
        static const char *const lists[] = {"choices", "rows", "columns", "items"};
        static const char *const what[] = {"choice", "row", "column", "budget item"};
        for (int k = 0; k < 4; k++)
            if ((e = keys_kept(o->json, n->json, lists[k], o->path, what[k], ei)) != VK_OK)
                return e;
    }
    return VK_OK;
}
