/*
 * types.c — the survey element types: one row each, with the check of a
 * definition and of an answer (see types.h).
 *
 * Checks stop at the first refusal and name its JSON path, so an author
 * (or a respondent's client) can go straight to it. Definitions are
 * checked once, when written; answers on every response, so answer checks
 * only look at what the answer holds and never re-check the definition.
 */
#include "questions/types.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define MAX_CHOICES 100
#define MAX_ITEMS 100
#define MAX_FOLLOWUPS 20
#define MAX_FEATURES_CAP 50

/* ------------------------------------------------------------------ */
/* Small pieces                                                        */
/* ------------------------------------------------------------------ */

void qt_pathf(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, QT_PATH_MAX, fmt, ap); /* a cut path still points near the place */
    va_end(ap);
}

static void path_member(char *out, const char *path, const char *member)
{
    qt_pathf(out, "%s%s%s", path, path[0] ? "." : "", member);
}

static void path_index(char *out, const char *path, const char *member, size_t i)
{
    if (member)
        qt_pathf(out, "%s.%s[%zu]", path, member, i);
    else
        qt_pathf(out, "%s[%zu]", path, i);
}

static const char *str_member(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Characters in a JSON string (jansson strings are valid UTF-8). */
static size_t chars_of(const json_t *s)
{
    size_t n = 0;
    vk_utf8_valid(json_string_value(s), json_string_length(s), &n);
    return n;
}

int qt_has_key(const json_t *arr, const char *key)
{
    size_t i;
    const json_t *o;
    if (!key)
        return 0;
    json_array_foreach(arr, i, o) {
        const char *k = str_member(o, "key");
        if (k && strcmp(k, key) == 0)
            return 1;
    }
    return 0;
}

static const json_t *find_key(const json_t *arr, const char *key)
{
    size_t i;
    const json_t *o;
    json_array_foreach(arr, i, o) {
        const char *k = str_member(o, "key");
        if (k && key && strcmp(k, key) == 0)
            return o;
    }
    return NULL;
}

int qt_is_date(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

int qt_answer_empty(const json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0) ||
           (json_is_object(v) && json_object_size(v) == 0);
}

static int in_list(const char *const *list, const char *k)
{
    for (; list && *list; list++)
        if (strcmp(*list, k) == 0)
            return 1;
    return 0;
}

/* Only members in a or b; others are refused with code and why. */
static vk_err members_only(const json_t *obj, const char *path, const char *const *a,
                           const char *const *b, vk_err code, const char *why, vk_errinfo *ei)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        if (!in_list(a, k) && !in_list(b, k)) {
            char p[QT_PATH_MAX];
            path_member(p, path, k);
            return vk_fail(ei, code, p, "\"%.40s\" %s", k, why);
        }
    }
    return VK_OK;
}

vk_err qt_check_members(const json_t *obj, const char *path, const char *const *a,
                        const char *const *b, vk_errinfo *ei)
{
    return members_only(obj, path, a, b, VK_EUNKNOWN_FIELD, "is not accepted here", ei);
}

vk_err qt_check_key(const json_t *v, const char *path, vk_errinfo *ei)
{
    if (!v)
        return vk_fail(ei, VK_EMISSING, path, "a key is required");
    const char *s = json_string_value(v);
    if (!s)
        return vk_fail(ei, VK_ETYPE, path, "a key must be a string");
    size_t n = strlen(s);
    int ok = n >= 1 && n <= 40 && s[0] >= 'a' && s[0] <= 'z';
    for (size_t i = 1; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_';
    if (!ok)
        return vk_fail(ei, VK_EVALUE, path,
                       "a key is 1 to 40 lower-case letters, digits and '_', starting with a "
                       "letter");
    return VK_OK;
}

vk_err qt_check_text(const json_t *parent, const char *member, const char *path, size_t max,
                     int required, vk_errinfo *ei)
{
    static const char *const langs[] = {"fi", "sv", "en", NULL};
    const json_t *t = json_object_get(parent, member);
    if (!t)
        return required ? vk_fail(ei, VK_EMISSING, path, "a text is required here") : VK_OK;
    if (!json_is_object(t))
        return vk_fail(ei, VK_ETYPE, path,
                       "a text is an object with one text per language: {\"fi\": \"…\"}");
    vk_err e = members_only(t, path, langs, NULL, VK_EUNKNOWN_FIELD,
                            "is not a language here: texts are given in fi, sv and en", ei);
    if (e != VK_OK)
        return e;
    char p[QT_PATH_MAX];
    if (!json_object_get(t, "fi")) {
        path_member(p, path, "fi");
        return vk_fail(ei, VK_EMISSING, p, "the Finnish text (fi) is required");
    }
    for (int i = 0; langs[i]; i++) {
        const json_t *s = json_object_get(t, langs[i]);
        if (!s)
            continue;
        path_member(p, path, langs[i]);
        if (!json_is_string(s))
            return vk_fail(ei, VK_ETYPE, p, "a text must be a string");
        size_t n = chars_of(s);
        if (n == 0)
            return vk_fail(ei, VK_EVALUE, p, "a text must not be empty");
        if (n > max)
            return vk_fail(ei, VK_ETOO_LONG, p, "a text here is at most %zu characters", max);
    }
    return VK_OK;
}

/* An optional integer member in [lo, hi]; *out keeps def when absent. */
static vk_err int_member(const json_t *o, const char *k, const char *path, long long lo,
                         long long hi, long long *out, vk_errinfo *ei)
{
    const json_t *v = json_object_get(o, k);
    if (!v)
        return VK_OK;
    char p[QT_PATH_MAX];
    path_member(p, path, k);
    if (!json_is_integer(v))
        return vk_fail(ei, VK_ETYPE, p, "\"%s\" must be an integer", k);
    long long x = json_integer_value(v);
    if (x < lo || x > hi)
        return vk_fail(ei, VK_EVALUE, p, "\"%s\" must be from %lld to %lld", k, lo, hi);
    *out = x;
    return VK_OK;
}

static vk_err bool_member(const json_t *o, const char *k, const char *path, vk_errinfo *ei)
{
    const json_t *v = json_object_get(o, k);
    if (v && !json_is_boolean(v)) {
        char p[QT_PATH_MAX];
        path_member(p, path, k);
        return vk_fail(ei, VK_ETYPE, p, "\"%s\" must be true or false", k);
    }
    return VK_OK;
}

static int bool_of(const json_t *o, const char *k, int def)
{
    const json_t *v = json_object_get(o, k);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

static vk_err min_le_max(long long lo, long long hi, const char *path, const char *lo_name,
                         const char *hi_name, vk_errinfo *ei)
{
    if (lo <= hi)
        return VK_OK;
    char p[QT_PATH_MAX];
    path_member(p, path, lo_name);
    return vk_fail(ei, VK_EVALUE, p, "\"%s\" (%lld) is more than \"%s\" (%lld)", lo_name, lo,
                   hi_name, hi);
}

vk_err qt_check_keyed(const json_t *list, size_t i, const char *path, const char *name,
                      const char *const *members, const char *what, vk_errinfo *ei)
{
    char q[QT_PATH_MAX];
    const json_t *item = json_array_get(list, i);
    if (!json_is_object(item))
        return vk_fail(ei, VK_ETYPE, path, "%s", what);
    vk_err e = qt_check_members(item, path, members, NULL, ei);
    path_member(q, path, "key");
    if (e == VK_OK)
        e = qt_check_key(json_object_get(item, "key"), q, ei);
    if (e != VK_OK)
        return e;
    const char *k = str_member(item, "key");
    for (size_t j = 0; j < i; j++) /* earlier items passed: each has its key */
        if (strcmp(str_member(json_array_get(list, j), "key"), k) == 0)
            return vk_fail(ei, VK_EVALUE, q, "the key '%s' is already used by %s[%zu]", k, name,
                           j);
    return VK_OK;
}

vk_err qt_check_choices(const json_t *parent, const char *member, const char *path,
                        vk_errinfo *ei)
{
    static const char *const fields[] = {"key", "text", NULL};
    char p[QT_PATH_MAX], q[QT_PATH_MAX];
    const json_t *a = json_object_get(parent, member);
    path_member(p, path, member);
    if (!a)
        return vk_fail(ei, VK_EMISSING, p, "\"%s\" is required", member);
    if (!json_is_array(a))
        return vk_fail(ei, VK_ETYPE, p, "\"%s\" must be an array", member);
    if (json_array_size(a) < 1 || json_array_size(a) > MAX_CHOICES)
        return vk_fail(ei, VK_EVALUE, p, "give 1 to %d choices", MAX_CHOICES);
    size_t i;
    const json_t *c;
    json_array_foreach(a, i, c) {
        path_index(p, path, member, i);
        vk_err e = qt_check_keyed(a, i, p, member, fields,
                                  "a choice is an object {\"key\", \"text\"}", ei);
        path_member(q, p, "text");
        if (e != VK_OK || (e = qt_check_text(c, "text", q, QT_TEXT_MAX, 1, ei)) != VK_OK)
            return e;
    }
    return VK_OK;
}

/* An answer that does not fit its question: 422 invalid_answer. */
static vk_err answer_fail(vk_errinfo *ei, const char *path, const char *msg)
{
    return vk_fail(ei, VK_EANSWER, path, "%s", msg);
}

/* Is v one of the keys of the objects in arr; refuses naming path. */
static vk_err key_in(const json_t *v, const json_t *arr, const char *path, const char *what,
                     vk_errinfo *ei)
{
    const char *k = json_string_value(v);
    if (!k)
        return vk_fail(ei, VK_EANSWER, path, "%s key must be a string", what);
    if (!qt_has_key(arr, k))
        return vk_fail(ei, VK_EANSWER, path, "'%.40s' is not %s of this question", k, what);
    return VK_OK;
}

/* ------------------------------------------------------------------ */
/* Definitions                                                         */
/* ------------------------------------------------------------------ */

static const char *const common_members[] = {"key",        "type",    "text", "help",
                                             "required",   "allow_skip", "show_if", NULL};

static vk_err def_choice(const qt_type *t, const json_t *el, const char *path,
                         const qt_defenv *env, vk_errinfo *ei)
{
    vk_err e = qt_check_choices(el, "choices", path, ei);
    if (e == VK_OK)
        e = bool_member(el, "other", path, ei);
    if (e != VK_OK)
        return e;
    long long n = (long long)json_array_size(json_object_get(el, "choices")) +
                  bool_of(el, "other", 0);
    long long lo = 0, hi = n;
    if (strcmp(t->name, "single-choice") == 0) {
        char p[QT_PATH_MAX];
        const char *k = json_object_get(el, "min_picks") ? "min_picks"
                        : json_object_get(el, "max_picks") ? "max_picks"
                                                            : NULL;
        if (k) {
            path_member(p, path, k);
            return vk_fail(ei, VK_EUNKNOWN_FIELD, p, "\"%s\" is for multi-choice questions", k);
        }
        return VK_OK;
    }
    if ((e = int_member(el, "min_picks", path, 0, n, &lo, ei)) != VK_OK ||
        (e = int_member(el, "max_picks", path, 1, n, &hi, ei)) != VK_OK)
        return e;
    return min_le_max(lo, hi, path, "min_picks", "max_picks", ei);
}

static vk_err def_ranking(const qt_type *t, const json_t *el, const char *path,
                          const qt_defenv *env, vk_errinfo *ei)
{
    vk_err e = qt_check_choices(el, "choices", path, ei);
    return e == VK_OK ? bool_member(el, "rank_all", path, ei) : e;
}

static vk_err def_matrix(const qt_type *t, const json_t *el, const char *path,
                         const qt_defenv *env, vk_errinfo *ei)
{
    vk_err e = qt_check_choices(el, "rows", path, ei);
    return e == VK_OK ? qt_check_choices(el, "columns", path, ei) : e;
}

static vk_err def_scale(const qt_type *t, const json_t *el, const char *path,
                        const qt_defenv *env, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    long long lo = -1, hi = -1;
    vk_err e;
    if ((e = int_member(el, "min", path, 0, 1, &lo, ei)) != VK_OK ||
        (e = int_member(el, "max", path, 3, 10, &hi, ei)) != VK_OK)
        return e;
    if (lo < 0 || hi < 0) {
        path_member(p, path, lo < 0 ? "min" : "max");
        return vk_fail(ei, VK_EMISSING, p, "a scale needs \"min\" (0 or 1) and \"max\" (3 to 10)");
    }
    path_member(p, path, "min_label");
    if ((e = qt_check_text(el, "min_label", p, QT_TEXT_MAX, 0, ei)) != VK_OK)
        return e;
    path_member(p, path, "max_label");
    return qt_check_text(el, "max_label", p, QT_TEXT_MAX, 0, ei);
}

static vk_err def_number(const qt_type *t, const json_t *el, const char *path,
                         const qt_defenv *env, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    static const char *const ends[] = {"min", "max"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(el, ends[i]);
        if (v && !json_is_number(v)) {
            path_member(p, path, ends[i]);
            return vk_fail(ei, VK_ETYPE, p, "\"%s\" must be a number", ends[i]);
        }
    }
    const json_t *lo = json_object_get(el, "min"), *hi = json_object_get(el, "max");
    if (lo && hi && json_number_value(lo) > json_number_value(hi)) {
        path_member(p, path, "min");
        return vk_fail(ei, VK_EVALUE, p, "\"min\" (%g) is more than \"max\" (%g)",
                       json_number_value(lo), json_number_value(hi));
    }
    vk_err e = bool_member(el, "integer", path, ei);
    path_member(p, path, "unit");
    return e == VK_OK ? qt_check_text(el, "unit", p, QT_TEXT_MAX, 0, ei) : e;
}

static vk_err def_text(const qt_type *t, const json_t *el, const char *path,
                       const qt_defenv *env, vk_errinfo *ei)
{
    long long n = 500;
    vk_err e = bool_member(el, "multiline", path, ei);
    return e == VK_OK ? int_member(el, "max_length", path, 1, QT_LONG_TEXT_MAX, &n, ei) : e;
}

static vk_err def_date(const qt_type *t, const json_t *el, const char *path,
                       const qt_defenv *env, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    static const char *const ends[] = {"min", "max"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(el, ends[i]);
        if (v && !qt_is_date(json_string_value(v))) {
            path_member(p, path, ends[i]);
            return vk_fail(ei, VK_EVALUE, p, "\"%s\" must be a date \"YYYY-MM-DD\"", ends[i]);
        }
    }
    const char *lo = str_member(el, "min"), *hi = str_member(el, "max");
    if (lo && hi && strcmp(lo, hi) > 0) {
        path_member(p, path, "min");
        return vk_fail(ei, VK_EVALUE, p, "\"min\" (%s) is after \"max\" (%s)", lo, hi);
    }
    return VK_OK;
}

static vk_err def_consent(const qt_type *t, const json_t *el, const char *path,
                          const qt_defenv *env, vk_errinfo *ei)
{
    const json_t *a = json_object_get(el, "personal");
    char p[QT_PATH_MAX];
    if (!a)
        return VK_OK;
    path_member(p, path, "personal");
    if (!json_is_array(a))
        return vk_fail(ei, VK_ETYPE, p, "\"personal\" must be an array of question keys");
    size_t i;
    const json_t *k;
    json_array_foreach(a, i, k) {
        path_index(p, path, "personal", i);
        vk_err e = qt_check_key(k, p, ei);
        if (e != VK_OK)
            return e;
    }
    return VK_OK; /* that the keys name questions is the survey's check */
}

static vk_err def_place_choice(const qt_type *t, const json_t *el, const char *path,
                               const qt_defenv *env, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    size_t nplaces = json_array_size(env ? env->places : NULL);
    if (nplaces == 0) {
        path_member(p, path, "type");
        return vk_fail(ei, VK_EVALUE, p, "a place-choice question needs the survey's \"places\"");
    }
    const json_t *a = json_object_get(el, "places");
    if (a) {
        path_member(p, path, "places");
        if (!json_is_array(a) || json_array_size(a) == 0)
            return vk_fail(ei, VK_ETYPE, p, "\"places\" must be a non-empty array of place keys");
        nplaces = json_array_size(a);
        size_t i;
        const json_t *k;
        json_array_foreach(a, i, k) {
            path_index(p, path, "places", i);
            vk_err e = qt_check_key(k, p, ei);
            if (e != VK_OK)
                return e;
            if (!qt_has_key(env->places, json_string_value(k)))
                return vk_fail(ei, VK_EVALUE, p, "the survey has no place '%s'",
                               json_string_value(k));
        }
    }
    long long lo = 0, hi = (long long)nplaces;
    vk_err e;
    if ((e = int_member(el, "min_picks", path, 0, (long long)nplaces, &lo, ei)) != VK_OK ||
        (e = int_member(el, "max_picks", path, 1, (long long)nplaces, &hi, ei)) != VK_OK)
        return e;
    return min_le_max(lo, hi, path, "min_picks", "max_picks", ei);
}

static vk_err def_map(const qt_type *t, const json_t *el, const char *path,
                      const qt_defenv *env, vk_errinfo *ei)
{
    long long lo = 0, hi = 10;
    vk_err e;
    if ((e = int_member(el, "min_features", path, 0, MAX_FEATURES_CAP, &lo, ei)) != VK_OK ||
        (e = int_member(el, "max_features", path, 1, MAX_FEATURES_CAP, &hi, ei)) != VK_OK ||
        (e = min_le_max(lo, hi, path, "min_features", "max_features", ei)) != VK_OK)
        return e;
    const json_t *f = json_object_get(el, "followups");
    if (!f)
        return VK_OK;
    char p[QT_PATH_MAX];
    path_member(p, path, "followups");
    if (!json_is_array(f))
        return vk_fail(ei, VK_ETYPE, p, "\"followups\" must be an array of questions");
    if (json_array_size(f) > MAX_FOLLOWUPS)
        return vk_fail(ei, VK_EVALUE, p, "at most %d follow-up questions", MAX_FOLLOWUPS);
    size_t i;
    const json_t *q;
    json_array_foreach(f, i, q) {
        path_index(p, path, "followups", i);
        if ((e = qt_check_element(q, p, 1, env, ei)) != VK_OK)
            return e;
    }
    return VK_OK;
}

static vk_err def_budget(const qt_type *t, const json_t *el, const char *path,
                         const qt_defenv *env, vk_errinfo *ei)
{
    static const char *const item_members[] = {"key", "text", "description", "cost",
                                               "max_count", NULL};
    char p[QT_PATH_MAX], q[QT_PATH_MAX];
    const json_t *total = json_object_get(el, "total");
    path_member(p, path, "total");
    if (!total)
        return vk_fail(ei, VK_EMISSING, p, "a budget needs its \"total\"");
    if (!json_is_number(total) || json_number_value(total) <= 0)
        return vk_fail(ei, VK_EVALUE, p, "\"total\" must be a number above 0");
    const json_t *cur = json_object_get(el, "currency");
    if (cur) {
        const char *c = json_string_value(cur);
        path_member(p, path, "currency");
        if (!c || strlen(c) != 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' ||
            c[2] < 'A' || c[2] > 'Z')
            return vk_fail(ei, VK_EVALUE, p, "\"currency\" is a three-letter code such as EUR");
    }
    const json_t *items = json_object_get(el, "items");
    path_member(p, path, "items");
    if (!items)
        return vk_fail(ei, VK_EMISSING, p, "a budget needs its \"items\"");
    if (!json_is_array(items) || json_array_size(items) < 1 ||
        json_array_size(items) > MAX_ITEMS)
        return vk_fail(ei, VK_ETYPE, p, "\"items\" must be an array of 1 to %d items", MAX_ITEMS);
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it) {
        path_index(p, path, "items", i);
        vk_err e = qt_check_keyed(items, i, p, "items", item_members,
                                  "an item is an object {\"key\", \"text\", \"cost\"}", ei);
        if (e != VK_OK)
            return e;
        path_member(q, p, "text");
        if ((e = qt_check_text(it, "text", q, QT_TEXT_MAX, 1, ei)) != VK_OK)
            return e;
        path_member(q, p, "description");
        if ((e = qt_check_text(it, "description", q, QT_LONG_TEXT_MAX, 0, ei)) != VK_OK)
            return e;
        const json_t *cost = json_object_get(it, "cost");
        path_member(q, p, "cost");
        if (!cost)
            return vk_fail(ei, VK_EMISSING, q, "an item needs its \"cost\"");
        if (!json_is_number(cost) || json_number_value(cost) <= 0)
            return vk_fail(ei, VK_EVALUE, q, "\"cost\" must be a number above 0");
        if (json_number_value(cost) > json_number_value(total))
            return vk_fail(ei, VK_EVALUE, q,
                           "the item costs more than the whole budget: nobody could choose it");
        long long mc = 1;
        if ((e = int_member(it, "max_count", p, 1, 100, &mc, ei)) != VK_OK)
            return e;
    }
    return VK_OK;
}

static vk_err def_info(const qt_type *t, const json_t *el, const char *path,
                       const qt_defenv *env, vk_errinfo *ei)
{
    static const char *const image_members[] = {"src", "alt", NULL};
    char p[QT_PATH_MAX], q[QT_PATH_MAX];
    path_member(p, path, "text");
    vk_err e = qt_check_text(el, "text", p, QT_LONG_TEXT_MAX, 1, ei);
    const json_t *img = json_object_get(el, "image");
    if (e != VK_OK || !img)
        return e;
    path_member(p, path, "image");
    if (!json_is_object(img))
        return vk_fail(ei, VK_ETYPE, p, "\"image\" is an object {\"src\", \"alt\"}");
    if ((e = qt_check_members(img, p, image_members, NULL, ei)) != VK_OK)
        return e;
    const char *src = str_member(img, "src");
    path_member(q, p, "src");
    if (!src)
        return vk_fail(ei, VK_EMISSING, q, "an image needs \"src\"");
    if (src[0] != '/' && strncmp(src, "https://", 8) != 0)
        return vk_fail(ei, VK_EVALUE, q, "\"src\" is a path on this service (/media/…) or https");
    path_member(q, p, "alt");
    return qt_check_text(img, "alt", q, QT_TEXT_MAX, 1, ei);
}

static vk_err def_section(const qt_type *t, const json_t *el, const char *path,
                          const qt_defenv *env, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    path_member(p, path, "text");
    return qt_check_text(el, "text", p, QT_TEXT_MAX, 1, ei);
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */
/* ------------------------------------------------------------------ */

/* {"other": "text"}: 1..200 characters, one line. */
static vk_err other_answer(const json_t *el, const json_t *v, const char *path, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    if (!bool_of(el, "other", 0))
        return answer_fail(ei, path, "this question offers no \"other\"");
    const json_t *s = json_object_get(v, "other");
    path_member(p, path, "other");
    if (json_object_size(v) != 1 || !json_is_string(s))
        return answer_fail(ei, p, "\"other\" is given as {\"other\": \"text\"}");
    size_t n = chars_of(s);
    if (n == 0 || n > QT_OTHER_MAX || strpbrk(json_string_value(s), "\r\n"))
        return vk_fail(ei, VK_EANSWER, p, "\"other\" is one line of 1 to %d characters",
                       QT_OTHER_MAX);
    return VK_OK;
}

static vk_err ans_single(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                         qt_env *env, vk_errinfo *ei)
{
    if (json_is_object(v))
        return other_answer(el, v, path, ei);
    return key_in(v, json_object_get(el, "choices"), path, "a choice", ei);
}

/* Unique string keys of arr (an answer), each one of choices. */
static vk_err unique_keys(const json_t *v, const json_t *choices, const char *path,
                          const char *what, int allow_other, const json_t *el, vk_errinfo *ei)
{
    char p[QT_PATH_MAX];
    size_t i, others = 0;
    const json_t *c;
    /* more entries than keys means a repeat; refusing here bounds the
     * pairwise search below by the definition, not by the request */
    if (json_array_size(v) > json_array_size(choices) + (allow_other ? 1 : 0))
        return vk_fail(ei, VK_EANSWER, path, "more answers (%zu) than there are to give",
                       json_array_size(v));
    json_array_foreach(v, i, c) {
        path_index(p, path, NULL, i);
        vk_err e;
        if (allow_other && json_is_object(c)) {
            if ((e = other_answer(el, c, p, ei)) != VK_OK)
                return e;
            if (++others > 1)
                return answer_fail(ei, p, "give \"other\" at most once");
            continue;
        }
        if ((e = key_in(c, choices, p, what, ei)) != VK_OK)
            return e;
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(v, j), (json_t *)c))
                return vk_fail(ei, VK_EANSWER, p, "'%s' is given twice", json_string_value(c));
    }
    return VK_OK;
}

/* n between el's lo_name and hi_name (absent: 0 and def_hi); verb says
 * what the respondent does ("pick", "draw"). */
static vk_err count_in(const json_t *el, size_t n, const char *lo_name, const char *hi_name,
                       long long def_hi, const char *verb, const char *path, vk_errinfo *ei)
{
    const json_t *lv = json_object_get(el, lo_name), *hv = json_object_get(el, hi_name);
    long long lo = lv ? json_integer_value(lv) : 0, hi = hv ? json_integer_value(hv) : def_hi;
    if ((long long)n < lo)
        return vk_fail(ei, VK_EANSWER, path, "%s at least %lld", verb, lo);
    if ((long long)n > hi)
        return vk_fail(ei, VK_EANSWER, path, "%s at most %lld", verb, hi);
    return VK_OK;
}

static vk_err picks(const json_t *el, size_t n, size_t all, const char *path, vk_errinfo *ei)
{
    return count_in(el, n, "min_picks", "max_picks", (long long)all, "pick", path, ei);
}

/* An array of unique choice keys, with one "other" when other allows. */
static vk_err choice_array(const json_t *el, const json_t *v, int other, const char *path,
                           const char *what, vk_errinfo *ei)
{
    if (!json_is_array(v))
        return vk_fail(ei, VK_EANSWER, path, "the answer is an array of %s", what);
    return unique_keys(v, json_object_get(el, "choices"), path, "a choice", other, el, ei);
}

static vk_err ans_multi(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                        qt_env *env, vk_errinfo *ei)
{
    vk_err e = choice_array(el, v, 1, path, "choice keys", ei);
    size_t all = json_array_size(json_object_get(el, "choices")) + bool_of(el, "other", 0);
    return e == VK_OK ? picks(el, json_array_size(v), all, path, ei) : e;
}

static vk_err ans_ranking(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                          qt_env *env, vk_errinfo *ei)
{
    vk_err e = choice_array(el, v, 0, path, "choice keys, best first", ei);
    size_t all = json_array_size(json_object_get(el, "choices"));
    if (e == VK_OK && bool_of(el, "rank_all", 1) && json_array_size(v) != all)
        e = vk_fail(ei, VK_EANSWER, path, "rank every choice (%zu of %zu ranked)",
                    json_array_size(v), all);
    return e;
}

static vk_err ans_matrix(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                         qt_env *env, vk_errinfo *ei)
{
    if (!json_is_object(v))
        return answer_fail(ei, path, "the answer is an object {row key: column key}");
    const json_t *rows = json_object_get(el, "rows"), *cols = json_object_get(el, "columns");
    char p[QT_PATH_MAX];
    const char *k;
    const json_t *c;
    json_object_foreach((json_t *)v, k, c) {
        path_member(p, path, k);
        if (!qt_has_key(rows, k))
            return vk_fail(ei, VK_EANSWER, p, "'%.40s' is not a row of this question", k);
        vk_err e = key_in(c, cols, p, "a column", ei);
        if (e != VK_OK)
            return e;
    }
    if (json_is_true(json_object_get(el, "required"))) {
        size_t i;
        json_array_foreach(rows, i, c) {
            if (!json_object_get(v, str_member(c, "key"))) {
                path_member(p, path, str_member(c, "key"));
                return answer_fail(ei, p, "answer every row");
            }
        }
    }
    return VK_OK;
}

static vk_err ans_scale(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                        qt_env *env, vk_errinfo *ei)
{
    long long lo = json_integer_value(json_object_get(el, "min"));
    long long hi = json_integer_value(json_object_get(el, "max"));
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return vk_fail(ei, VK_EANSWER, path, "the answer is a whole number from %lld to %lld", lo,
                       hi);
    return VK_OK;
}

static vk_err ans_number(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                         qt_env *env, vk_errinfo *ei)
{
    if (!json_is_number(v))
        return answer_fail(ei, path, "the answer is a number");
    double x = json_number_value(v);
    if (!isfinite(x))
        return answer_fail(ei, path, "the answer is a number");
    if (bool_of(el, "integer", 0) && x != floor(x))
        return answer_fail(ei, path, "the answer is a whole number");
    const json_t *lo = json_object_get(el, "min"), *hi = json_object_get(el, "max");
    if (lo && x < json_number_value(lo))
        return vk_fail(ei, VK_EANSWER, path, "the answer is at least %g", json_number_value(lo));
    if (hi && x > json_number_value(hi))
        return vk_fail(ei, VK_EANSWER, path, "the answer is at most %g", json_number_value(hi));
    return VK_OK;
}

static vk_err ans_text(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                       qt_env *env, vk_errinfo *ei)
{
    if (!json_is_string(v))
        return answer_fail(ei, path, "the answer is a text");
    const json_t *mv = json_object_get(el, "max_length");
    size_t max = mv ? (size_t)json_integer_value(mv) : 500, n = chars_of(v);
    if (n > max)
        return vk_fail(ei, VK_EANSWER, path, "the answer is at most %zu characters", max);
    int multiline = bool_of(el, "multiline", 0), blank = 1;
    const unsigned char *s = (const unsigned char *)json_string_value(v);
    for (size_t i = 0; i < json_string_length(v); i++) {
        if (s[i] == '\n' || s[i] == '\r') {
            if (!multiline)
                return answer_fail(ei, path, "the answer is one line");
        } else if (s[i] < 0x20 && s[i] != '\t') {
            return answer_fail(ei, path, "the answer has a control character");
        } else if (s[i] != ' ' && s[i] != '\t') {
            blank = 0;
        }
    }
    if (blank)
        return answer_fail(ei, path, "the answer is blank");
    return VK_OK;
}

static vk_err ans_date(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                       qt_env *env, vk_errinfo *ei)
{
    const char *s = json_string_value(v), *lo = str_member(el, "min"), *hi = str_member(el, "max");
    if (!qt_is_date(s))
        return answer_fail(ei, path, "the answer is a date \"YYYY-MM-DD\"");
    if (lo && strcmp(s, lo) < 0)
        return vk_fail(ei, VK_EANSWER, path, "the date is %s or later", lo);
    if (hi && strcmp(s, hi) > 0)
        return vk_fail(ei, VK_EANSWER, path, "the date is %s or earlier", hi);
    return VK_OK;
}

static vk_err ans_consent(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                          qt_env *env, vk_errinfo *ei)
{
    if (!json_is_true(v))
        return answer_fail(ei, path, "consent is given as true (leave it out when not given)");
    return VK_OK;
}

static vk_err ans_place_choice(const qt_type *t, const json_t *el, const json_t *v,
                               const char *path, qt_env *env, vk_errinfo *ei)
{
    if (!json_is_array(v))
        return answer_fail(ei, path, "the answer is an array of place keys");
    const json_t *offered = json_object_get(el, "places");
    size_t all = offered ? json_array_size(offered) : json_array_size(env->places);
    char p[QT_PATH_MAX];
    size_t i;
    const json_t *c;
    if (json_array_size(v) > all)
        return vk_fail(ei, VK_EANSWER, path, "more places (%zu) than are offered (%zu)",
                       json_array_size(v), all);
    json_array_foreach(v, i, c) {
        path_index(p, path, NULL, i);
        const char *k = json_string_value(c);
        if (!k)
            return answer_fail(ei, p, "a place key is a string");
        int ok = qt_has_key(env->places, k);
        if (ok && offered) {
            ok = 0;
            size_t j;
            const json_t *o;
            json_array_foreach(offered, j, o) ok |= strcmp(json_string_value(o), k) == 0;
        }
        if (!ok)
            return vk_fail(ei, VK_EANSWER, p, "'%.40s' is not a place offered here", k);
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(v, j), (json_t *)c))
                return vk_fail(ei, VK_EANSWER, p, "'%s' is given twice", k);
    }
    return picks(el, json_array_size(v), all, path, ei);
}

/* ---- drawn features ---- */

void qt_features_init(qt_features *f) { memset(f, 0, sizeof *f); }

void qt_features_fini(qt_features *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].wkb);
        json_decref(f->v[i].answers);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}

/* A new row for feature i of question el. Rows of a response that is
 * refused are freed by the caller with qt_features_fini. */
static qt_feature *feature_add(qt_env *env, const json_t *el, size_t i)
{
    qt_features *f = env->features;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        qt_feature *v = realloc(f->v, cap * sizeof *v);
        if (!v)
            return NULL;
        f->v = v;
        f->cap = cap;
    }
    qt_feature *r = &f->v[f->n++];
    memset(r, 0, sizeof *r);
    r->question = str_member(el, "key");
    r->index = i;
    return r;
}

/* The area check: parsed again in the area's own GEOS context, since a
 * gis_ctx and its geometries belong together. */
static vk_err check_area(qt_env *env, const json_t *geometry, const char *path, vk_errinfo *ei)
{
    gis_geom *g = NULL;
    vk_err e = gis_geom_from_geojson(env->area, geometry, path, &g, ei);
    if (e != VK_OK)
        return e;
    if (!env->area_outside) {
        e = gis_geom_check_inside(env->area, g, path, ei);
        if (e == VK_OK)
            ;
        else if (e == VK_EOUTSIDE && strcmp(gis_geom_type(g), "Point") == 0)
            e = vk_fail(ei, VK_EOUTSIDE, path, "the point is outside the survey area");
        else if (e == VK_EOUTSIDE)
            e = vk_fail(ei, VK_EOUTSIDE, path,
                        "the drawing is outside the survey area, wholly or in part");
    } else if (gis_geom_district(env->area, g) != 0) {
        /* the area is district 1 of its context: any meeting is refused */
        e = vk_fail(ei, VK_EOUTSIDE, path, "the place is inside the area this survey leaves out");
    }
    gis_geom_free(env->area, g);
    return e;
}

/* One location: exactly one of geometry, district, place, description. */
static vk_err feature_location(const json_t *f, const char *geom_type, const char *path,
                               qt_env *env, qt_feature *row, vk_errinfo *ei)
{
    static const char *const ways[] = {"geometry", "district", "place", "description"};
    char p[QT_PATH_MAX];
    int which = -1;
    for (int i = 0; i < 4; i++) {
        if (!json_object_get(f, ways[i]))
            continue;
        if (which >= 0) {
            path_member(p, path, ways[i]);
            return vk_fail(ei, VK_EANSWER, p, "give the place one way only: \"%s\" or \"%s\"",
                           ways[which], ways[i]);
        }
        which = i;
    }
    if (which < 0)
        return answer_fail(ei, path,
                           "give the place as \"geometry\", \"district\", \"place\" or "
                           "\"description\"");
    const json_t *v = json_object_get(f, ways[which]);
    path_member(p, path, ways[which]);
    row->where = (qt_where)which;
    if (which == QT_AT_DISTRICT) {
        const char *code = json_string_value(v);
        int64_t id = code && env->district_id ? env->district_id(env->district_ud, code) : 0;
        if (id <= 0)
            return vk_fail(ei, VK_EANSWER, p, "there is no district '%.40s'", code ? code : "");
        row->district = code;
        row->district_id = id;
        return VK_OK;
    }
    if (which == QT_AT_PLACE) {
        const char *k = json_string_value(v);
        if (!k || !qt_has_key(env->places, k))
            return vk_fail(ei, VK_EANSWER, p, "the survey has no place '%.40s'", k ? k : "");
        row->place = k;
        return VK_OK;
    }
    if (which == QT_AT_WORDS) {
        size_t n = json_is_string(v) ? chars_of(v) : 0;
        if (n == 0 || n > QT_WORDS_MAX)
            return vk_fail(ei, VK_EANSWER, p, "describe the place in 1 to %d characters",
                           QT_WORDS_MAX);
        row->description = json_string_value(v);
        return VK_OK;
    }
    gis_geom *g = NULL;
    vk_err e = gis_geom_from_geojson(env->gis, v, p, &g, ei);
    if (e != VK_OK)
        return e;
    if (strcmp(gis_geom_type(g), geom_type) != 0)
        e = vk_fail(ei, VK_EGEOM_TYPE, p, "draw a %s here, not a %s", geom_type,
                    gis_geom_type(g));
    if (e == VK_OK)
        e = gis_geom_check_inside(env->gis, g, p, ei);
    if (e == VK_OK && env->area)
        e = check_area(env, v, p, ei);
    if (e == VK_OK) {
        row->geom_type = geom_type;
        row->district_id = gis_geom_district(env->gis, g);
        e = gis_geom_to_wkb(env->gis, g, &row->wkb, &row->wkb_len);
        if (e != VK_OK)
            e = vk_fail(ei, e, p, NULL);
    }
    gis_geom_free(env->gis, g);
    return e;
}

/* Follow-ups of one feature look up their own earlier answers first. */
typedef struct fu_scope {
    const json_t *followups, *answers;
    qt_env *env;
} fu_scope;

static const json_t *fu_lookup(void *ud, const char *key, const json_t **elem)
{
    fu_scope *s = ud;
    const json_t *el = find_key(s->followups, key);
    if (el) {
        *elem = el;
        return json_object_get(s->answers, key);
    }
    return s->env->outer ? s->env->outer(s->env->outer_ud, key, elem) : NULL;
}

/* The follow-up answers of one feature; *out a new object of them. */
static vk_err followup_answers(const json_t *el, const json_t *answers, const char *path,
                               qt_env *env, json_t **out, vk_errinfo *ei)
{
    char p[QT_PATH_MAX], q[QT_PATH_MAX];
    const json_t *fus = json_object_get(el, "followups");
    path_member(p, path, "answers");
    *out = NULL;
    if (answers && !json_is_object(answers))
        return answer_fail(ei, p, "follow-up answers are an object {question key: answer}");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)answers, k, v) {
        if (!find_key(fus, k)) {
            path_member(q, p, k);
            return vk_fail(ei, VK_EANSWER, q, "'%.40s' is not a follow-up question here", k);
        }
    }
    json_t *kept = json_object();
    if (!kept)
        return vk_fail(ei, VK_ENOMEM, p, NULL);
    fu_scope scope = {fus, kept, env};
    size_t i;
    const json_t *fu;
    json_array_foreach(fus, i, fu) {
        const char *key = str_member(fu, "key");
        const json_t *a = json_object_get(answers, key);
        const json_t *cond = json_object_get(fu, "show_if");
        path_member(q, p, key);
        int shown = !cond || qt_condition_holds(cond, fu_lookup, &scope);
        vk_err e = VK_OK;
        if (!qt_answer_empty(a) && !shown)
            e = answer_fail(ei, q, "this follow-up is hidden by its condition");
        else if (qt_answer_empty(a) && shown && json_is_true(json_object_get(fu, "required")))
            e = answer_fail(ei, q, "an answer is required");
        else if (!qt_answer_empty(a)) {
            int skipped = 0;
            e = qt_check_answer(fu, a, q, env, &skipped, ei);
            if (e == VK_OK && json_object_set(kept, key, (json_t *)a))
                e = vk_fail(ei, VK_ENOMEM, q, NULL);
        }
        if (e != VK_OK) {
            json_decref(kept);
            return e;
        }
    }
    *out = kept;
    return VK_OK;
}

static vk_err ans_map(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                      qt_env *env, vk_errinfo *ei)
{
    static const char *const members[] = {"geometry", "district", "place", "description",
                                          "answers", NULL};
    if (!json_is_array(v))
        return answer_fail(ei, path, "the answer is an array of drawn features");
    vk_err e = count_in(el, json_array_size(v), "min_features", "max_features", 10, "draw", path,
                        ei);
    if (e != VK_OK)
        return e;
    char p[QT_PATH_MAX];
    size_t i;
    const json_t *f;
    json_array_foreach(v, i, f) {
        path_index(p, path, NULL, i);
        if (!json_is_object(f))
            return answer_fail(ei, p, "a drawn feature is an object {\"geometry\": …}");
        if ((e = members_only(f, p, members, NULL, VK_EANSWER, "is not a member of a drawn feature",
                              ei)) != VK_OK)
            return e;
        qt_feature *row = feature_add(env, el, i);
        if (!row)
            return vk_fail(ei, VK_ENOMEM, p, NULL);
        e = feature_location(f, t->geom, p, env, row, ei);
        if (e == VK_OK)
            e = followup_answers(el, json_object_get(f, "answers"), p, env, &row->answers, ei);
        if (e != VK_OK)
            return e;
    }
    return VK_OK;
}

static double item_cost(const json_t *items, const char *key, long long *max_count)
{
    const json_t *it = find_key(items, key);
    const json_t *mc = json_object_get(it, "max_count");
    *max_count = mc ? json_integer_value(mc) : 1;
    return json_number_value(json_object_get(it, "cost"));
}

static vk_err budget_total(const json_t *el, double sum, const char *path, vk_errinfo *ei)
{
    double total = json_number_value(json_object_get(el, "total"));
    if (sum > total + 1e-9)
        return vk_fail(ei, VK_EANSWER, path,
                       "the chosen items cost %.2f, more than the budget %.2f", sum, total);
    return VK_OK;
}

static vk_err ans_budget(const qt_type *t, const json_t *el, const json_t *v, const char *path,
                         qt_env *env, vk_errinfo *ei)
{
    if (!json_is_object(v))
        return answer_fail(ei, path, "the answer is an object {item key: count}");
    const json_t *items = json_object_get(el, "items");
    char p[QT_PATH_MAX];
    double sum = 0;
    const char *k;
    const json_t *c;
    json_object_foreach((json_t *)v, k, c) {
        path_member(p, path, k);
        if (!qt_has_key(items, k))
            return vk_fail(ei, VK_EANSWER, p, "'%.40s' is not an item of this budget", k);
        long long mc = 1;
        double cost = item_cost(items, k, &mc);
        if (!json_is_integer(c) || json_integer_value(c) < 0 || json_integer_value(c) > mc)
            return vk_fail(ei, VK_EANSWER, p, "the count is a whole number from 0 to %lld", mc);
        sum += cost * (double)json_integer_value(c);
    }
    return budget_total(el, sum, path, ei);
}

static vk_err ans_geobudget(const qt_type *t, const json_t *el, const json_t *v,
                            const char *path, qt_env *env, vk_errinfo *ei)
{
    static const char *const members[] = {"item", "geometry", "district", "place",
                                          "description", NULL};
    if (!json_is_array(v))
        return answer_fail(ei, path, "the answer is an array of placed items");
    const json_t *items = json_object_get(el, "items");
    long long counts[MAX_ITEMS] = {0}, most = 0;
    size_t i, n_items = json_array_size(items);
    const json_t *f;
    json_array_foreach(items, i, f) {
        const json_t *mc = json_object_get(f, "max_count");
        most += mc ? json_integer_value(mc) : 1;
    }
    if ((long long)json_array_size(v) > most)
        return vk_fail(ei, VK_EANSWER, path, "more items (%zu) than may be chosen (%lld)",
                       json_array_size(v), most);
    char p[QT_PATH_MAX], q[QT_PATH_MAX];
    double sum = 0;
    vk_err e;
    json_array_foreach(v, i, f) {
        path_index(p, path, NULL, i);
        if (!json_is_object(f))
            return answer_fail(ei, p, "a placed item is an object {\"item\", \"geometry\"}");
        if ((e = members_only(f, p, members, NULL, VK_EANSWER, "is not a member of a placed item",
                              ei)) != VK_OK)
            return e;
        const char *k = str_member(f, "item");
        path_member(q, p, "item");
        if (!k || !qt_has_key(items, k))
            return vk_fail(ei, VK_EANSWER, q, "'%.40s' is not an item of this budget",
                           k ? k : "");
        long long mc = 1;
        size_t at = 0;
        while (at < n_items && at < MAX_ITEMS &&
               strcmp(str_member(json_array_get(items, at), "key"), k) != 0)
            at++;
        sum += item_cost(items, k, &mc);
        if (at < MAX_ITEMS && ++counts[at] > mc)
            return vk_fail(ei, VK_EANSWER, q, "'%s' may be chosen at most %lld times", k, mc);
        qt_feature *row = feature_add(env, el, i);
        if (!row)
            return vk_fail(ei, VK_ENOMEM, p, NULL);
        row->item = k;
        if ((e = feature_location(f, "Point", p, env, row, ei)) != VK_OK)
            return e;
    }
    return budget_total(el, sum, path, ei);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

static const char *const m_choice[] = {"choices", "min_picks", "max_picks", "other", NULL};
static const char *const m_scale[] = {"min", "max", "min_label", "max_label", NULL};
static const char *const m_number[] = {"min", "max", "integer", "unit", NULL};
static const char *const m_text[] = {"multiline", "max_length", NULL};
static const char *const m_ranking[] = {"choices", "rank_all", NULL};
static const char *const m_matrix[] = {"rows", "columns", NULL};
static const char *const m_date[] = {"min", "max", NULL};
static const char *const m_consent[] = {"personal", NULL};
static const char *const m_place[] = {"places", "min_picks", "max_picks", NULL};
static const char *const m_map[] = {"min_features", "max_features", "followups", NULL};
static const char *const m_budget[] = {"total", "currency", "items", NULL};
static const char *const m_info[] = {"image", NULL};

#define Q QT_QUESTION
#define F QT_FOLLOWUP
static const qt_type types[] = {
    {"single-choice", Q | F | QT_CHOSEN, NULL, m_choice, def_choice, ans_single},
    {"multi-choice", Q | F | QT_CHOSEN, NULL, m_choice, def_choice, ans_multi},
    {"scale", Q | F | QT_NUMERIC, NULL, m_scale, def_scale, ans_scale},
    {"number", Q | F | QT_NUMERIC, NULL, m_number, def_number, ans_number},
    {"text", Q | F, NULL, m_text, def_text, ans_text},
    {"ranking", Q | F, NULL, m_ranking, def_ranking, ans_ranking},
    {"matrix", Q | F, NULL, m_matrix, def_matrix, ans_matrix},
    {"date", Q | F, NULL, m_date, def_date, ans_date},
    {"consent", Q | F, NULL, m_consent, def_consent, ans_consent},
    {"place-choice", Q | QT_CHOSEN, NULL, m_place, def_place_choice, ans_place_choice},
    {"map-point", Q | QT_MAP | QT_COUNTED, "Point", m_map, def_map, ans_map},
    {"map-line", Q | QT_MAP | QT_COUNTED, "LineString", m_map, def_map, ans_map},
    {"map-area", Q | QT_MAP | QT_COUNTED, "Polygon", m_map, def_map, ans_map},
    {"budget", Q, NULL, m_budget, def_budget, ans_budget},
    {"geobudget", Q | QT_COUNTED, "Point", m_budget, def_budget, ans_geobudget},
    {"info", 0, NULL, m_info, def_info, NULL},
    {"section", 0, NULL, NULL, def_section, NULL},
};
#undef Q
#undef F

const qt_type *qt_type_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].name, name) == 0)
            return &types[i];
    return NULL;
}

const qt_type *qt_type_of(const json_t *el) { return qt_type_find(str_member(el, "type")); }

vk_err qt_check_element(const json_t *el, const char *path, int followup, const qt_defenv *env,
                        vk_errinfo *ei)
{
    static const char *const layout_members[] = {"key", "type", "text", "show_if", NULL};
    char p[QT_PATH_MAX];
    if (!json_is_object(el))
        return vk_fail(ei, VK_ETYPE, path, "an element is an object {\"key\", \"type\", …}");
    path_member(p, path, "key");
    vk_err e = qt_check_key(json_object_get(el, "key"), p, ei);
    if (e != VK_OK)
        return e;
    path_member(p, path, "type");
    const json_t *tv = json_object_get(el, "type");
    if (!tv)
        return vk_fail(ei, VK_EMISSING, p, "an element needs its \"type\"");
    const qt_type *t = qt_type_of(el);
    if (!t)
        return vk_fail(ei, VK_EVALUE, p, "'%.40s' is not an element type",
                       json_string_value(tv) ? json_string_value(tv) : "(not a string)");
    if (followup && !(t->flags & QT_FOLLOWUP))
        return vk_fail(ei, VK_EVALUE, p,
                       "a follow-up may not be a %s question (map, budget, place and layout "
                       "elements are not asked per feature)",
                       t->name);
    if (t->flags & QT_QUESTION) {
        if ((e = qt_check_members(el, path, common_members, t->members, ei)) != VK_OK)
            return e;
        path_member(p, path, "text");
        if ((e = qt_check_text(el, "text", p, QT_TEXT_MAX, 1, ei)) != VK_OK)
            return e;
        path_member(p, path, "help");
        if ((e = qt_check_text(el, "help", p, QT_LONG_TEXT_MAX, 0, ei)) != VK_OK ||
            (e = bool_member(el, "required", path, ei)) != VK_OK ||
            (e = bool_member(el, "allow_skip", path, ei)) != VK_OK)
            return e;
    } else if ((e = qt_check_members(el, path, layout_members, t->members, ei)) != VK_OK) {
        return e;
    }
    return t->check_def(t, el, path, env, ei);
}

vk_err qt_check_answer(const json_t *el, const json_t *value, const char *path, qt_env *env,
                       int *skipped, vk_errinfo *ei)
{
    const qt_type *t = qt_type_of(el);
    *skipped = 0;
    if (!t || !t->check_answer)
        return vk_fail(ei, VK_EANSWER, path, "this element takes no answer");
    if (json_is_string(value) && strcmp(json_string_value(value), "skip") == 0 &&
        bool_of(el, "allow_skip", 0)) {
        *skipped = 1;
        return VK_OK;
    }
    return t->check_answer(t, el, value, path, env, ei);
}

/* ------------------------------------------------------------------ */
/* Conditions                                                          */
/* ------------------------------------------------------------------ */

static int chosen(const json_t *v, const char *key)
{
    if (json_is_string(v))
        return strcmp(json_string_value(v), key) == 0;
    size_t i;
    const json_t *c;
    json_array_foreach(v, i, c) if (json_is_string(c) && strcmp(json_string_value(c), key) == 0)
        return 1;
    return 0;
}

int qt_condition_holds(const json_t *cond, qt_lookup_fn fn, void *ud)
{
    const json_t *list;
    size_t i;
    const json_t *c;
    if ((list = json_object_get(cond, "all"))) {
        json_array_foreach(list, i, c) if (!qt_condition_holds(c, fn, ud)) return 0;
        return 1;
    }
    if ((list = json_object_get(cond, "any"))) {
        json_array_foreach(list, i, c) if (qt_condition_holds(c, fn, ud)) return 1;
        return 0;
    }
    const json_t *el = NULL;
    const json_t *v = fn(ud, str_member(cond, "question"), &el);
    const char *op = str_member(cond, "op");
    const json_t *want = json_object_get(cond, "value");
    if (!op)
        return 0;
    if (json_is_string(v) && strcmp(json_string_value(v), "skip") == 0 &&
        bool_of(el, "allow_skip", 0))
        v = NULL; /* skipped: as if unanswered */
    if (strcmp(op, "chosen") == 0)
        return v && json_is_string(want) && chosen(v, json_string_value(want));
    if (strcmp(op, "not_chosen") == 0)
        return !(v && json_is_string(want) && chosen(v, json_string_value(want)));
    if (strcmp(op, "drawn_at_least") == 0)
        return (double)json_array_size(v) >= json_number_value(want);
    if (!json_is_number(v) || !json_is_number(want))
        return 0;
    double a = json_number_value(v), b = json_number_value(want);
    if (strcmp(op, "eq") == 0)
        return a == b;
    if (strcmp(op, "ne") == 0)
        return a != b;
    if (strcmp(op, "lt") == 0)
        return a < b;
    if (strcmp(op, "le") == 0)
        return a <= b;
    if (strcmp(op, "gt") == 0)
        return a > b;
    if (strcmp(op, "ge") == 0)
        return a >= b;
    return 0;
}
