/*
 * attributes.c — a category's own questions (Open311 "service definition"
 * attributes) and the checking of residents' answers to them.
 *
 * The definitions live in category_attribute (schema 8), loaded from
 * seeds/categories.json. Every reader here builds the one JSON shape of
 * GET /api/v1/categories; Open311 and the checker read that shape too, so
 * there is one reading of the table. Answers are checked once, in
 * api_feedback_read(), whichever way they came in (REST, Open311 form,
 * import), and stored as one normalised JSON object on the item.
 */
#include "core/json.h"
#include "questions/questions.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "db/store.h"

#define ANSWER_STRING_MAX 200
#define ANSWER_TEXT_MAX 2000

static int add_def(void *arg, const store_attribute *a)
{
    json_t *by_category = arg;
    json_t *list = json_object_get(by_category, a->category);
    if (!list) {
        list = json_array();
        if (!list || json_object_set_new(by_category, a->category, list))
            return 1;
    }
    json_t *def = json_pack("{s:s, s:s, s:b, s:i, s:{s:s, s:s, s:s}}", "code", a->code,
                            "datatype", a->datatype, "required", a->required, "order", a->sort,
                            "description", "fi", a->description[0], "sv", a->description[1],
                            "en", a->description[2]);
    if (!def)
        return 1;
    if (a->value_list) {
        json_t *values = json_loads(a->value_list, 0, NULL);
        json_object_set_new(def, "values", values ? values : json_array());
    }
    return json_array_append_new(list, def) != 0;
}

vk_err api_attribute_defs(vk_ctx *ctx, const char *category, json_t **out, vk_errinfo *ei)
{
    json_t *by_category = json_object();
    *out = NULL;
    if (!by_category)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    vk_err e = store_attribute_each(ctx->store, category, add_def, by_category, ei);
    if (e) {
        json_decref(by_category);
        return e;
    }
    *out = by_category;
    return VK_OK;
}

static int value_listed(const json_t *def, const char *key)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(def, "values"), i, v)
    if (strcmp(json_string_value(json_object_get(v, "key")), key) == 0)
        return 1;
    return 0;
}

/* The keys a list offers, "a, b, c", for error messages. */
static const char *keys_text(const json_t *def, char *buf, size_t cap)
{
    size_t i, used = 0;
    const json_t *v;
    buf[0] = '\0';
    json_array_foreach(json_object_get(def, "values"), i, v)
    {
        int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
                         json_string_value(json_object_get(v, "key")));
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
    return buf;
}

/* A decimal number as text (forms send text): all of it, and finite. */
static int parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (!*s || isspace((unsigned char)*s) || *end || errno || !isfinite(d))
        return 0;
    *out = d;
    return 1;
}

/* ---- the question types ----
 *
 * Each checks a non-empty answer v to question def (errors name field) into
 * *out, a new normalised value. */

typedef vk_err (*answer_check)(const json_t *def, const char *field, const json_t *answers,
                               const char *code, const json_t *v, json_t **out, vk_errinfo *ei);

static vk_err check_number(const json_t *def, const char *field, const json_t *answers,
                           const char *code, const json_t *v, json_t **out, vk_errinfo *ei)
{
    double d = 0;
    if (json_is_number(v))
        d = json_number_value(v);
    else if (!json_is_string(v) || !parse_number(json_string_value(v), &d))
        return vk_fail(ei, VK_EVALUE, field, "%s must be a number", field);
    *out = d == floor(d) && fabs(d) < 1e15 ? json_integer((json_int_t)d) : json_real(d);
    return VK_OK;
}

static vk_err check_datetime(const json_t *def, const char *field, const json_t *answers,
                             const char *code, const json_t *v, json_t **out, vk_errinfo *ei)
{
    char norm[32];
    if (!json_is_string(v) || vk_rfc3339_normalise(json_string_value(v), norm))
        return vk_fail(ei, VK_EVALUE, field, "%s must be an RFC 3339 date-time", field);
    *out = json_string(norm);
    return VK_OK;
}

static vk_err check_single(const json_t *def, const char *field, const json_t *answers,
                           const char *code, const json_t *v, json_t **out, vk_errinfo *ei)
{
    char listed[300];
    if (!json_is_string(v) || !value_listed(def, json_string_value(v)))
        return vk_fail(ei, VK_EVALUE, field, "%s must be one of: %s", field,
                       keys_text(def, listed, sizeof listed));
    *out = json_string(json_string_value(v));
    return VK_OK;
}

static vk_err check_multi(const json_t *def, const char *field, const json_t *answers,
                          const char *code, const json_t *v, json_t **out, vk_errinfo *ei)
{
    char listed[300];
    json_t *keys = json_array();
    size_t i;
    const json_t *k;
    if (!keys)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    /* One key alone may come without its list. */
    if (json_is_string(v))
        json_array_append(keys, (json_t *)v);
    else if (json_is_array(v))
        json_array_foreach(v, i, k) json_array_append(keys, (json_t *)k);
    json_array_foreach(keys, i, k)
    {
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            seen |= json_equal(json_array_get(keys, j), (json_t *)k);
        if (!json_is_string(k) || !value_listed(def, json_string_value(k)) || seen) {
            json_decref(keys);
            return vk_fail(ei, VK_EVALUE, field, "%s must be a list of different keys from: %s",
                           field, keys_text(def, listed, sizeof listed));
        }
    }
    *out = keys;
    return VK_OK;
}

/* Free text: one line of a short string, or several of a longer text. */
static vk_err check_words(const json_t *answers, const char *code, const char *field, int text,
                          json_t **out, vk_errinfo *ei)
{
    const char *s = NULL;
    vk_err e = api_json_text_named(answers, code, field, 0,
                                   text ? ANSWER_TEXT_MAX : ANSWER_STRING_MAX, text, &s, ei);
    if (!e && s)
        *out = json_string(s);
    return e;
}

static vk_err check_string(const json_t *def, const char *field, const json_t *answers,
                           const char *code, const json_t *v, json_t **out, vk_errinfo *ei)
{
    return check_words(answers, code, field, 0, out, ei);
}

static vk_err check_text(const json_t *def, const char *field, const json_t *answers,
                         const char *code, const json_t *v, json_t **out, vk_errinfo *ei)
{
    return check_words(answers, code, field, 1, out, ei);
}

/* The question types (Open311 datatypes), the first the one for a
 * datatype not listed. A new type is a row here. */
static const struct question_type {
    const char *datatype;
    answer_check check;
    int has_values; /* offers a list of values to choose from */
} question_types[] = {
    {"string", check_string, 0},
    {"number", check_number, 0},
    {"datetime", check_datetime, 0},
    {"text", check_text, 0},
    {"singlevaluelist", check_single, 1},
    {"multivaluelist", check_multi, 1},
};
#define QUESTION_TYPES (sizeof question_types / sizeof question_types[0])

static const struct question_type *question_type_find(const char *datatype)
{
    for (size_t i = 0; datatype && i < QUESTION_TYPES; i++)
        if (strcmp(datatype, question_types[i].datatype) == 0)
            return &question_types[i];
    return NULL;
}

int api_question_type_known(const char *datatype, int *has_values)
{
    const struct question_type *t = question_type_find(datatype);
    *has_values = t && t->has_values;
    return t != NULL;
}

/* One answer checked against its definition; *out a new normalised value,
 * or NULL when the answer is empty. */
static vk_err check_answer(const json_t *def, const char *field, const json_t *answers,
                           const char *code, json_t **out, vk_errinfo *ei)
{
    const json_t *v = json_object_get(answers, code);
    const struct question_type *t =
        question_type_find(json_string_value(json_object_get(def, "datatype")));
    *out = NULL;
    if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
        (json_is_array(v) && json_array_size(v) == 0))
        return VK_OK;
    return (t ? t : &question_types[0])->check(def, field, answers, code, v, out, ei);
}

vk_err api_attributes_check(vk_ctx *ctx, const char *category, const json_t *answers,
                            int check_required, char **out, vk_errinfo *ei)
{
    *out = NULL;
    if (answers && !json_is_null(answers) && !json_is_object(answers))
        return vk_fail(ei, VK_ETYPE, "properties.attributes",
                       "properties.attributes must be an object of the category's attribute "
                       "codes and answers");
    json_t *all = NULL, *clean = json_object();
    vk_err e = clean ? api_attribute_defs(ctx, category, &all, ei) : vk_fail(ei, VK_ENOMEM, "", NULL);
    const json_t *defs = all ? json_object_get(all, category) : NULL;
    char field[96];
    const char *code;
    const json_t *v;
    /* Every answer must have a definition… */
    if (!e && json_is_object(answers))
        json_object_foreach((json_t *)answers, code, v)
        {
            int known = 0;
            size_t i;
            const json_t *def;
            json_array_foreach(defs, i, def)
            known |= strcmp(json_string_value(json_object_get(def, "code")), code) == 0;
            if (!known) {
                snprintf(field, sizeof field, "properties.attributes.%.40s", code);
                e = vk_fail(ei, VK_EUNKNOWN_FIELD, field,
                            "%s: category %s asks no such question; its attributes are listed "
                            "at /api/v1/categories (Open311: services/CODE.json)",
                            field, category);
                break;
            }
        }
    /* …and every definition its answer, when required. */
    size_t i;
    const json_t *def;
    json_array_foreach(defs, i, def)
    {
        if (e)
            break;
        const char *c = json_string_value(json_object_get(def, "code"));
        json_t *value = NULL;
        snprintf(field, sizeof field, "properties.attributes.%.40s", c);
        e = check_answer(def, field, answers, c, &value, ei);
        if (!e && !value && check_required && json_is_true(json_object_get(def, "required")))
            e = vk_fail(ei, VK_EMISSING, field, "%s is required for this category", field);
        if (!e && value)
            json_object_set_new(clean, c, value);
    }
    if (!e && json_object_size(clean)) {
        *out = json_dumps(clean, JSON_COMPACT | JSON_SORT_KEYS);
        if (!*out)
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    json_decref(clean);
    json_decref(all);
    return e;
}
