/*
 * seed.c — reference areas (geo/), categories and units (seeds/).
 *
 * Reference data is loaded once into an empty database; `vaikuta
 * load-geo` replaces it later with official data. The demo feedback is
 * feedback's (feedback/seed.c).
 */
#include "questions/store_questions.h"
#include "reference/reference.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonfile.h"
#include "questions/questions.h"

static const char *prop_str(const json_t *props, const char *key)
{
    return json_string_value(json_object_get(props, key));
}

/* Read one area feature: code, names in three languages and a polygon. */
static vk_err read_area(vk_ctx *ctx, const json_t *feat, const char *name, size_t index,
                        store_area *a, unsigned char **wkb, vk_errinfo *ei)
{
    const json_t *props = json_object_get(feat, "properties");
    memset(a, 0, sizeof *a);
    a->code = prop_str(props, "code");
    a->name[0] = prop_str(props, "name_fi");
    a->name[1] = prop_str(props, "name_sv");
    a->name[2] = prop_str(props, "name_en");
    a->level = prop_str(props, "level");
    if (!a->code || !a->name[0])
        return vk_fail(ei, VK_EMISSING, name, "%s feature %zu: properties code and name_fi are required",
                       name, index);
    for (int i = 1; i < 3; i++)
        if (!a->name[i])
            a->name[i] = a->name[0];
    gis_geom *g = NULL;
    vk_err e = gis_geom_from_geojson(ctx->gis, json_object_get(feat, "geometry"), name, &g, ei);
    if (e)
        return vk_fail(ei, e, name, "%s feature %zu (%s): %s", name, index, a->code, ei->message);
    const char *type = gis_geom_type(g);
    if (strcmp(type, "Polygon") != 0 && strcmp(type, "MultiPolygon") != 0)
        e = vk_fail(ei, VK_EGEOM_TYPE, name, "%s feature %zu (%s) must be a Polygon or MultiPolygon",
                    name, index, a->code);
    if (!e)
        e = gis_geom_to_wkb(ctx->gis, g, wkb, &a->wkb_len);
    gis_geom_free(ctx->gis, g);
    a->wkb = *wkb;
    return e;
}

static vk_err load_areas(vk_ctx *ctx, const char *dir, vk_errinfo *ei)
{
    static const struct {
        const char *file;
        int kind; /* -1 = boundary */
    } layers[] = {
        {"boundary.geojson", -1},
        {"districts.geojson", STORE_AREA_DISTRICT},
        {"accessibility-areas.geojson", STORE_AREA_ACCESSIBILITY},
    };
    for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
        json_t *fc = NULL;
        const json_t *features;
        vk_err e = vk_json_load_file(dir, layers[l].file, &fc, ei);
        if (!e)
            e = vk_json_features(fc, layers[l].file, &features, ei);
        if (!e && layers[l].kind < 0 && json_array_size(features) != 1)
            e = vk_fail(ei, VK_EVALUE, layers[l].file, "%s must hold exactly one feature",
                        layers[l].file);
        for (size_t i = 0; !e && i < json_array_size(features); i++) {
            store_area a;
            unsigned char *wkb = NULL;
            e = read_area(ctx, json_array_get(features, i), layers[l].file, i, &a, &wkb, ei);
            if (!e)
                e = layers[l].kind < 0
                        ? store_boundary_put(ctx->store, &a, ei)
                        : store_area_put(ctx->store, (store_area_kind)layers[l].kind, &a, ei);
            free(wkb);
        }
        json_decref(fc);
        if (e)
            return e;
        /* Districts are checked against the boundary just loaded. */
        if (layers[l].kind < 0 && (e = vk_ctx_reload_areas(ctx, ei)))
            return e;
    }
    return vk_ctx_reload_areas(ctx, ei);
}

static int code_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 40 || *s < 'a' || *s > 'z')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* The languages of every seed text, in the order of the stores' arrays. */
static const char *const langs[3] = {"fi", "sv", "en"};

/* obj's member texts per language into out (NULL where there is none). */
static void read_texts(const json_t *obj, const char *member, const char *out[3])
{
    const json_t *texts = json_object_get(obj, member);
    for (int k = 0; k < 3; k++)
        out[k] = prop_str(texts, langs[k]);
}

static int names_ok(const json_t *names)
{
    for (int k = 0; k < 3; k++) {
        const char *s = prop_str(names, langs[k]);
        if (!s || !*s)
            return 0;
    }
    return 1;
}

/* A list's choices: non-empty, each a distinct code with names in fi, sv, en. */
static int values_ok(const json_t *values)
{
    size_t i;
    const json_t *v;
    if (!json_is_array(values) || json_array_size(values) == 0)
        return 0;
    json_array_foreach(values, i, v)
    {
        const char *key = prop_str(v, "key");
        if (!code_ok(key) || !names_ok(json_object_get(v, "name")) || json_object_size(v) != 2)
            return 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(prop_str(json_array_get(values, j), "key"), key) == 0)
                return 0;
    }
    return 1;
}

/* A category's "attributes": its own questions (Open311 service definition). */
static vk_err load_attributes(vk_ctx *ctx, const json_t *c, const char *id, vk_errinfo *ei)
{
    const json_t *list = json_object_get(c, "attributes");
    if (!list)
        return VK_OK;
    if (!json_is_array(list))
        return vk_fail(ei, VK_EVALUE, "categories.json", "category %s: attributes must be a list",
                       id);
    size_t i;
    const json_t *a;
    json_array_foreach(list, i, a)
    {
        store_attribute at = {id, prop_str(a, "code"), prop_str(a, "datatype"),
                              json_is_true(json_object_get(a, "required")),
                              (int)json_integer_value(json_object_get(a, "order")), {NULL}, NULL};
        const json_t *values = json_object_get(a, "values");
        int is_list = 0, type_ok = api_question_type_known(at.datatype, &is_list);
        read_texts(a, "description", at.description);
        if (!code_ok(at.code) || !type_ok || !names_ok(json_object_get(a, "description")) ||
            (is_list ? !values_ok(values) : values != NULL))
            return vk_fail(ei, VK_EVALUE, "categories.json",
                           "category %s attribute %zu needs a code (a-z, 0-9, _), a datatype "
                           "(string, number, datetime, text, singlevaluelist, multivaluelist), "
                           "a description in fi, sv and en, and for a list type its values "
                           "[{key, name}]",
                           id, i);
        char *text = is_list ? json_dumps(values, JSON_COMPACT) : NULL;
        vk_err e = is_list && !text ? vk_fail(ei, VK_ENOMEM, "", NULL) : VK_OK;
        at.value_list = text;
        if (!e)
            e = store_attribute_put(ctx->store, &at, ei);
        free(text);
        if (e)
            return e;
    }
    return VK_OK;
}

/* Each item of the seed file name's array key (non-empty) through fn, in
 * order, until one fails; flag is fn's own. */
typedef vk_err (*seed_item_fn)(vk_ctx *ctx, const json_t *item, size_t i, int flag,
                               vk_errinfo *ei);

static vk_err load_each(vk_ctx *ctx, const char *dir, const char *name, const char *key,
                        seed_item_fn fn, int flag, vk_errinfo *ei)
{
    json_t *doc = NULL;
    vk_err e = vk_json_load_file(dir, name, &doc, ei);
    const json_t *list = e ? NULL : json_object_get(doc, key);
    if (!e && (!json_is_array(list) || json_array_size(list) == 0))
        e = vk_fail(ei, VK_EVALUE, name, "%s needs a non-empty \"%s\" array", name, key);
    for (size_t i = 0; !e && i < json_array_size(list); i++)
        e = fn(ctx, json_array_get(list, i), i, flag, ei);
    json_decref(doc);
    return e;
}

/* Category i with its attributes; attributes_only for a database whose
 * categories came before schema 8. */
static vk_err load_category(vk_ctx *ctx, const json_t *c, size_t i, int attributes_only,
                            vk_errinfo *ei)
{
    store_category cat = {prop_str(c, "id"), {NULL}, {NULL}, prop_str(c, "unit")};
    read_texts(c, "name", cat.name);
    read_texts(c, "description", cat.description);
    if (!cat.id || !cat.name[0] || !cat.name[1] || !cat.name[2])
        return vk_fail(ei, VK_EMISSING, "categories.json",
                       "category %zu needs an id and a name in fi, sv and en", i);
    vk_err e = attributes_only ? VK_OK : store_category_put(ctx->store, (int)i, &cat, ei);
    return e ? e : load_attributes(ctx, c, cat.id, ei);
}

/* Unit i (units come first: each category names its default unit by code). */
static vk_err load_unit(vk_ctx *ctx, const json_t *u, size_t i, int flag, vk_errinfo *ei)
{
    (void)flag;
    store_unit unit = {0, prop_str(u, "code"), {NULL}, prop_str(u, "email")};
    read_texts(u, "name", unit.name);
    if (!unit.code || !unit.name[0] || !unit.name[1] || !unit.name[2])
        return vk_fail(ei, VK_EMISSING, "units.json",
                       "unit %zu needs a code and a name in fi, sv and en", i);
    return store_unit_put(ctx->store, &unit, ei);
}

static int count_unit(void *arg, const store_unit *unit)
{
    (void)unit;
    ++*(int *)arg;
    return 1;
}

static int count_one(void *arg, const store_category *cat)
{
    (void)cat;
    ++*(int *)arg;
    return 1;
}

vk_err api_seed_reference(vk_ctx *ctx, const char *geo_dir, const char *seeds_dir,
                          vk_errinfo *ei)
{
    int have_boundary = 0, have_categories = 0, have_units = 0;
    int64_t have_attributes = 0;
    vk_err e = store_boundary_with(ctx->store, NULL, NULL, &have_boundary, ei);
    if (!e)
        e = store_category_each(ctx->store, count_one, &have_categories, ei);
    if (!e)
        e = store_unit_each(ctx->store, count_unit, &have_units, ei);
    if (!e)
        e = store_attribute_count(ctx->store, &have_attributes, ei);
    if (e || (have_boundary && have_categories && have_units && have_attributes))
        return e;
    if ((e = store_begin(ctx->store, ei)))
        return e;
    if (!have_boundary)
        e = load_areas(ctx, geo_dir, ei);
    /* A database from before units (schema 4) gets them now, and its
     * categories their default units. */
    if (!e && !have_units)
        e = load_each(ctx, seeds_dir, "units.json", "units", load_unit, 0, ei);
    if (!e && (!have_categories || !have_units))
        e = load_each(ctx, seeds_dir, "categories.json", "categories", load_category, 0, ei);
    /* A database from before attributes (schema 8) gets its categories'
     * questions; seeds without any re-read them cheaply at each start. */
    else if (!e && !have_attributes)
        e = load_each(ctx, seeds_dir, "categories.json", "categories", load_category, 1, ei);
    if (!e && !have_units)
        e = store_feedback_default_units(ctx->store, ei);
    if (!e)
        e = store_commit(ctx->store, ei);
    if (e) {
        store_rollback(ctx->store);
        vk_ctx_reload_areas(ctx, NULL);
    }
    return e;
}

static int64_t district_of(void *arg, const unsigned char *wkb, size_t n)
{
    vk_ctx *ctx = arg;
    return gis_wkb_district(ctx->gis, wkb, n);
}

vk_err api_load_geo(vk_ctx *ctx, const char *dir, int64_t *reassigned, vk_errinfo *ei)
{
    vk_err e = store_begin(ctx->store, ei);
    if (e)
        return e;
    if (!(e = store_areas_clear(ctx->store, ei)) && !(e = vk_ctx_reload_areas(ctx, ei)) &&
        !(e = load_areas(ctx, dir, ei)) &&
        !(e = store_feedback_reassign_districts(ctx->store, district_of, ctx, reassigned, ei)))
        e = store_commit(ctx->store, ei);
    if (e) {
        store_rollback(ctx->store);
        vk_ctx_reload_areas(ctx, NULL);
    }
    return e;
}
