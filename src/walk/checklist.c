/* checklist.c — loading, checking and applying the walk checklist
 * (checklist.h). The lists are short (tens of entries), so lookups walk
 * the document rather than building indexes. */
#include "walk/checklist.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"

struct walk_checklist {
    json_t *doc;
    int version;
};

static const char *const grade_names[WALK_NGRADES] = {"vaara", "este", "haitta"};

int walk_grade_parse(const char *s)
{
    for (int i = 0; s && i < WALK_NGRADES; i++)
        if (strcmp(s, grade_names[i]) == 0)
            return i;
    return -1;
}

const char *walk_grade_name(int g)
{
    return g >= 0 && g < WALK_NGRADES ? grade_names[g] : "";
}

const char *walk_level_name(walk_level l)
{
    return l == WALK_ERIKOISTASO ? "erikoistaso" : "perustaso";
}

/* ---- lookups ---- */

static const json_t *keyed(const json_t *list, const char *key)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) {
        const char *k = json_string_value(json_object_get(v, "key"));
        if (k && key && strcmp(k, key) == 0)
            return v;
    }
    return NULL;
}

const json_t *walk_checklist_doc(const walk_checklist *cl)
{
    return cl->doc;
}

int walk_checklist_version(const walk_checklist *cl)
{
    return cl->version;
}

const json_t *walk_checklist_type(const walk_checklist *cl, const char *type)
{
    return keyed(json_object_get(cl->doc, "types"), type);
}

int walk_checklist_has_type(const walk_checklist *cl, const char *key)
{
    return walk_checklist_type(cl, key) != NULL;
}

int walk_checklist_has_group(const walk_checklist *cl, const char *key)
{
    return keyed(json_object_get(cl->doc, "groups"), key) != NULL;
}

int walk_checklist_has_surface(const walk_checklist *cl, const char *key)
{
    return keyed(json_object_get(cl->doc, "surfaces"), key) != NULL;
}

int walk_checklist_type_surface(const walk_checklist *cl, const char *type)
{
    return json_is_true(json_object_get(walk_checklist_type(cl, type), "surface"));
}

static int listed(const json_t *array, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(array, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    return 0;
}

/* ---- parsing ---- */

static vk_err need(const json_t *obj, const char *key, int (*is)(const json_t *), const char *path,
                   const char *what, vk_errinfo *ei)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return vk_fail(ei, VK_EMISSING, path, "%s needs \"%s\"", what, key);
    if (!is(v))
        return vk_fail(ei, VK_ETYPE, path, "\"%s\" of %s has the wrong type", key, what);
    return VK_OK;
}

static int is_array(const json_t *v) { return json_is_array(v); }
static int is_object(const json_t *v) { return json_is_object(v); }

/* The schema's key pattern: ^[a-z][a-z0-9_]{0,39}$. */
static int key_ok(const char *k)
{
    if (!k || !(k[0] >= 'a' && k[0] <= 'z') || strlen(k) > 40)
        return 0;
    return strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(k);
}

static vk_err check_text3(const json_t *t, const char *path, vk_errinfo *ei)
{
    static const char *const langs[] = {"fi", "sv", "en"};
    if (!json_is_object(t))
        return vk_fail(ei, VK_ETYPE, path, "%s must be an object {fi, sv, en}", path);
    for (int i = 0; i < 3; i++) {
        const char *s = json_string_value(json_object_get(t, langs[i]));
        if (!s || !*s)
            return vk_fail(ei, VK_EMISSING, path, "%s needs a non-empty \"%s\" text", path,
                           langs[i]);
    }
    return VK_OK;
}

/* A list of {key, label} entries with unique keys. */
static vk_err check_labelled(const json_t *doc, const char *name, vk_errinfo *ei)
{
    vk_err e = need(doc, name, is_array, name, "the checklist", ei);
    if (e)
        return e;
    const json_t *list = json_object_get(doc, name);
    size_t i;
    const json_t *v;
    char path[96];
    json_array_foreach(list, i, v) {
        const char *k = json_string_value(json_object_get(v, "key"));
        snprintf(path, sizeof path, "%s[%zu].key", name, i);
        if (!key_ok(k))
            return vk_fail(ei, VK_EVALUE, path, "%s is not a key (a-z, 0-9, _)", path);
        if (keyed(list, k) != v)
            return vk_fail(ei, VK_EVALUE, path, "the key '%s' is used twice", k);
        snprintf(path, sizeof path, "%s[%zu].label", name, i);
        if ((e = check_text3(json_object_get(v, "label"), path, ei)))
            return e;
    }
    return VK_OK;
}

static int bound(const json_t *obj, const char *key, double *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        return 0;
    *out = json_number_value(v);
    return 1;
}

static vk_err check_range(const json_t *obj, const char *path, vk_errinfo *ei)
{
    double lo, hi;
    int has_lo = bound(obj, "min", &lo), has_hi = bound(obj, "max", &hi);
    if (!has_lo && !has_hi)
        return vk_fail(ei, VK_EMISSING, path, "%s needs \"min\" or \"max\"", path);
    if (has_lo && has_hi && lo > hi)
        return vk_fail(ei, VK_EVALUE, path, "%s: min is more than max", path);
    return VK_OK;
}

static vk_err check_threshold(const json_t *doc, const json_t *type, const json_t *t,
                              const char *path, vk_errinfo *ei)
{
    char p[160];
    const char *m = json_string_value(json_object_get(t, "measure"));
    snprintf(p, sizeof p, "%.100s.measure", path);
    if (!m || !listed(json_object_get(type, "measures"), m))
        return vk_fail(ei, VK_EVALUE, p, "%s names no measure of its type", p);
    vk_err e = check_range(t, path, ei);
    if (e)
        return e;
    snprintf(p, sizeof p, "%.100s.grade", path);
    if (walk_grade_parse(json_string_value(json_object_get(t, "grade"))) < 0)
        return vk_fail(ei, VK_EVALUE, p, "%s must be vaara, este or haitta", p);
    const json_t *lv = json_object_get(t, "level");
    snprintf(p, sizeof p, "%.100s.level", path);
    if (lv && !(json_is_string(lv) && (strcmp(json_string_value(lv), "perustaso") == 0 ||
                                       strcmp(json_string_value(lv), "erikoistaso") == 0)))
        return vk_fail(ei, VK_EVALUE, p, "%s must be perustaso or erikoistaso", p);
    /* Only sourced thresholds are in the file: every one names its source
     * and the clause. */
    const char *src = json_string_value(json_object_get(t, "source"));
    snprintf(p, sizeof p, "%.100s.source", path);
    if (!src || !json_object_get(json_object_get(doc, "sources"), src))
        return vk_fail(ei, VK_EVALUE, p, "%s names no source of \"sources\"", p);
    const char *clause = json_string_value(json_object_get(t, "clause"));
    snprintf(p, sizeof p, "%.100s.clause", path);
    if (!clause || !*clause)
        return vk_fail(ei, VK_EMISSING, p, "%s: say where in the source the threshold is", p);
    const json_t *un = json_object_get(t, "unless");
    if (un) {
        snprintf(p, sizeof p, "%.100s.unless", path);
        const char *um = json_string_value(json_object_get(un, "measure"));
        if (!um || !listed(json_object_get(type, "measures"), um))
            return vk_fail(ei, VK_EVALUE, p, "%s names no measure of its type", p);
        if ((e = check_range(un, p, ei)))
            return e;
    }
    return VK_OK;
}

static vk_err check_doc(const json_t *doc, vk_errinfo *ei)
{
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "a checklist is a JSON object");
    const json_t *ver = json_object_get(doc, "version");
    if (!json_is_integer(ver) || json_integer_value(ver) < 1)
        return vk_fail(ei, VK_EVALUE, "version", "version must be a whole number >= 1");
    vk_err e;
    if ((e = check_labelled(doc, "grades", ei)) || (e = check_labelled(doc, "groups", ei)) ||
        (e = check_labelled(doc, "surfaces", ei)) || (e = check_labelled(doc, "types", ei)))
        return e;
    for (int g = 0; g < WALK_NGRADES; g++)
        if (!keyed(json_object_get(doc, "grades"), grade_names[g]))
            return vk_fail(ei, VK_EMISSING, "grades", "grades must be vaara, este and haitta");
    if ((e = need(doc, "sources", is_object, "sources", "the checklist", ei)) ||
        (e = need(doc, "measures", is_object, "measures", "the checklist", ei)))
        return e;
    const char *mk;
    const json_t *mv;
    char path[128];
    json_object_foreach((json_t *)json_object_get(doc, "measures"), mk, mv) {
        snprintf(path, sizeof path, "measures.%.60s", mk);
        if (!key_ok(mk))
            return vk_fail(ei, VK_EVALUE, path, "%s is not a key", path);
        double lo, hi;
        if (!bound(mv, "min", &lo) || !bound(mv, "max", &hi) || lo > hi)
            return vk_fail(ei, VK_EVALUE, path, "%s needs min <= max", path);
        snprintf(path, sizeof path, "measures.%.60s.label", mk);
        if ((e = check_text3(json_object_get(mv, "label"), path, ei)))
            return e;
    }
    size_t i, j;
    const json_t *type, *v;
    json_array_foreach(json_object_get(doc, "types"), i, type) {
        snprintf(path, sizeof path, "types[%zu]", i);
        if ((e = need(type, "measures", is_array, path, path, ei)) ||
            (e = need(type, "thresholds", is_array, path, path, ei)))
            return e;
        json_array_foreach(json_object_get(type, "measures"), j, v) {
            snprintf(path, sizeof path, "types[%zu].measures[%zu]", i, j);
            const char *m = json_string_value(v);
            if (!m || !json_object_get(json_object_get(doc, "measures"), m))
                return vk_fail(ei, VK_EVALUE, path, "%s is not one of \"measures\"", path);
        }
        json_array_foreach(json_object_get(type, "thresholds"), j, v) {
            snprintf(path, sizeof path, "types[%zu].thresholds[%zu]", i, j);
            if ((e = check_threshold(doc, type, v, path, ei)))
                return e;
        }
    }
    return VK_OK;
}

vk_err walk_checklist_parse(const char *text, size_t n, walk_checklist **out, vk_errinfo *ei)
{
    *out = NULL;
    json_t *doc = NULL;
    vk_err e = api_json_parse(text, n, &doc, ei);
    if (e)
        return e;
    if ((e = check_doc(doc, ei))) {
        json_decref(doc);
        return e;
    }
    walk_checklist *cl = calloc(1, sizeof *cl);
    if (!cl) {
        json_decref(doc);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    cl->doc = doc;
    cl->version = (int)json_integer_value(json_object_get(doc, "version"));
    *out = cl;
    return VK_OK;
}

void walk_checklist_free(walk_checklist *cl)
{
    if (!cl)
        return;
    json_decref(cl->doc);
    free(cl);
}

/* ---- the process's checklist ---- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static walk_checklist *embedded;
static vk_errinfo embedded_err;

static void load_embedded(void)
{
    if (walk_checklist_parse(walk_checklist_json, strlen(walk_checklist_json), &embedded,
                             &embedded_err))
        embedded = NULL;
}

const walk_checklist *walk_checklist_get(vk_errinfo *ei)
{
    pthread_once(&once, load_embedded);
    if (!embedded && ei)
        *ei = embedded_err;
    return embedded;
}

/* ---- measurements and verdicts ---- */

vk_err walk_checklist_check_measurements(const walk_checklist *cl, const char *type,
                                         const json_t *measurements, vk_errinfo *ei)
{
    if (!measurements || json_is_null(measurements))
        return VK_OK;
    if (!json_is_object(measurements))
        return vk_fail(ei, VK_ETYPE, "measurements", "measurements must be an object {measure: number}");
    const json_t *t = walk_checklist_type(cl, type);
    const json_t *defs = json_object_get(cl->doc, "measures");
    const char *k;
    const json_t *v;
    char field[96];
    json_object_foreach((json_t *)measurements, k, v) {
        snprintf(field, sizeof field, "measurements.%.60s", k);
        if (!t || !listed(json_object_get(t, "measures"), k))
            return vk_fail(ei, VK_EVALUE, field, "the type '%s' has no measurement '%.60s'",
                           type ? type : "", k);
        if (!json_is_number(v))
            return vk_fail(ei, VK_ETYPE, field, "%s must be a number", field);
        const json_t *d = json_object_get(defs, k);
        double x = json_number_value(v), lo = 0, hi = 0;
        bound(d, "min", &lo);
        bound(d, "max", &hi);
        if (!isfinite(x) || x < lo || x > hi)
            return vk_fail(ei, VK_EVALUE, field, "%s must be from %g to %g", field, lo, hi);
        if (json_is_true(json_object_get(d, "integer")) && x != floor(x))
            return vk_fail(ei, VK_EVALUE, field, "%s must be a whole number", field);
    }
    return VK_OK;
}

static int within(const json_t *range, double x)
{
    double lo, hi;
    if (bound(range, "min", &lo) && x < lo)
        return 0;
    if (bound(range, "max", &hi) && x > hi)
        return 0;
    return 1;
}

/* Whether threshold t applies at level to these measurements. */
static int applies(const json_t *t, walk_level level, const json_t *measurements)
{
    const char *lv = json_string_value(json_object_get(t, "level"));
    if (lv && strcmp(lv, walk_level_name(level)) != 0)
        return 0;
    /* "unless": skipped only when the other measurement is known and in
     * range; not knowing it is judged the strict way. */
    const json_t *un = json_object_get(t, "unless");
    if (un) {
        const json_t *other =
            json_object_get(measurements, json_string_value(json_object_get(un, "measure")));
        if (json_is_number(other) && within(un, json_number_value(other)))
            return 0;
    }
    return 1;
}

json_t *walk_verdicts(const walk_checklist *cl, const char *type, walk_level level,
                      const json_t *measurements)
{
    json_t *out = json_object();
    const json_t *t = walk_checklist_type(cl, type);
    if (!out || !t || !json_is_object(measurements))
        return out;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)measurements, k, v) {
        if (!json_is_number(v))
            continue;
        double x = json_number_value(v);
        json_t *limits = json_array();
        int worst = -1; /* index of the most severe grade breached */
        size_t i;
        const json_t *th;
        json_array_foreach(json_object_get(t, "thresholds"), i, th) {
            const char *m = json_string_value(json_object_get(th, "measure"));
            if (!m || strcmp(m, k) != 0 || !applies(th, level, measurements))
                continue;
            int breached = !within(th, x);
            int g = walk_grade_parse(json_string_value(json_object_get(th, "grade")));
            json_t *l = json_object();
            double b;
            if (bound(th, "min", &b))
                json_object_set_new(l, "min", json_real(b));
            if (bound(th, "max", &b))
                json_object_set_new(l, "max", json_real(b));
            json_object_set(l, "grade", json_object_get(th, "grade"));
            json_object_set(l, "source", json_object_get(th, "source"));
            json_object_set(l, "clause", json_object_get(th, "clause"));
            json_object_set_new(l, "breached", json_boolean(breached));
            json_array_append_new(limits, l);
            if (breached && g >= 0 && (worst < 0 || g < worst))
                worst = g;
        }
        json_t *one = json_object();
        json_object_set_new(one, "value", json_real(x));
        json_object_set_new(one, "verdict", json_string(json_array_size(limits) == 0 ? "no_threshold"
                                                        : worst < 0 ? "ok"
                                                                    : grade_names[worst]));
        json_object_set_new(one, "limits", limits);
        json_object_set_new(out, k, one);
    }
    return out;
}
