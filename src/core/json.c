/*
 * json.c — JSON input helpers: a body parsed with caps on depth and text
 * length, text members checked as residents' text is, unknown keys refused.
 * Every feature reads its request bodies through these, so the errors are
 * the same everywhere.
 */
#include "core/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static int listed(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* Nesting and string length, checked before the parser builds anything:
 * a Feature needs 6 levels, and no text of ours is longer than 4000
 * characters, so these caps only stop abuse. */
#define JSON_MAX_DEPTH 32
#define JSON_MAX_STRING (64 * 1024)

static vk_err json_prescan(const char *s, size_t len, vk_errinfo *ei)
{
    int depth = 0, in_string = 0, escape = 0;
    size_t string_start = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (escape)
                escape = 0;
            else if (c == '\\')
                escape = 1;
            else if (c == '"')
                in_string = 0;
            else if (i - string_start > JSON_MAX_STRING)
                return vk_fail(ei, VK_ETOO_LONG, "", "a text in the body is longer than %d bytes",
                               JSON_MAX_STRING);
            continue;
        }
        if (c == '"') {
            in_string = 1;
            string_start = i;
        } else if (c == '{' || c == '[') {
            if (++depth > JSON_MAX_DEPTH)
                return vk_fail(ei, VK_ETOO_DEEP, "", "the JSON is nested more than %d levels deep",
                               JSON_MAX_DEPTH);
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return VK_OK;
}

vk_err api_json_parse(const char *body, size_t len, json_t **out, vk_errinfo *ei)
{
    if (len == 0)
        return vk_fail(ei, VK_EJSON, "", "the body is empty; send a GeoJSON Feature");
    if (!vk_utf8_valid(body, len, NULL))
        return vk_fail(ei, VK_EUTF8, "", "the body is not valid UTF-8");
    vk_err e = json_prescan(body, len, ei);
    if (e)
        return e;
    json_error_t jerr;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        return vk_fail(ei, VK_EJSON, "", "the body is not valid JSON: %s (line %d, column %d)",
                       jerr.text, jerr.line, jerr.column);
    *out = j;
    return VK_OK;
}

/* A string member: absent/null gives *out NULL (or VK_EMISSING when
 * required); too long, empty after trimming or with control characters
 * (other than newline and tab where text allows them) are refused. */
static vk_err read_text(const json_t *obj, const char *key, const char *field, int required,
                        size_t max_chars, int multiline, const char **out, vk_errinfo *ei)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? vk_fail(ei, VK_EMISSING, field, "%s is required", field) : VK_OK;
    if (!json_is_string(v))
        return vk_fail(ei, VK_ETYPE, field, "%s must be a string", field);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v), chars = 0;
    if (strlen(s) != len || !vk_utf8_valid(s, len, &chars))
        return vk_fail(ei, VK_EUTF8, field, "%s must be valid UTF-8 text", field);
    int blank = 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f)
            return vk_fail(ei, VK_EVALUE, field, "%s contains a control character", field);
        if (!isspace(c))
            blank = 0;
    }
    if (chars > max_chars)
        return vk_fail(ei, VK_ETOO_LONG, field, "%s is %zu characters long; at most %zu are allowed",
                       field, chars, max_chars);
    if (blank)
        return required ? vk_fail(ei, VK_EVALUE, field, "%s is empty", field) : VK_OK;
    *out = s;
    return VK_OK;
}

vk_err api_json_string(const json_t *obj, const char *key, int required, size_t max_bytes,
                       const char **out, vk_errinfo *ei)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v)
        return required ? vk_fail(ei, VK_EMISSING, key, "%s is required", key) : VK_OK;
    if (!json_is_string(v))
        return vk_fail(ei, VK_ETYPE, key, "%s must be a string", key);
    if (strlen(json_string_value(v)) > max_bytes)
        return vk_fail(ei, VK_ETOO_LONG, key, "%s is longer than %zu bytes", key, max_bytes);
    *out = json_string_value(v);
    return VK_OK;
}

vk_err api_json_text(const json_t *obj, const char *key, int required, size_t max_chars,
                     int multiline, const char **out, vk_errinfo *ei)
{
    return read_text(obj, key, key, required, max_chars, multiline, out, ei);
}

vk_err api_json_text_named(const json_t *obj, const char *key, const char *field, int required,
                           size_t max_chars, int multiline, const char **out, vk_errinfo *ei)
{
    return read_text(obj, key, field, required, max_chars, multiline, out, ei);
}

vk_err api_json_keys(const json_t *obj, const char *const *allowed, vk_errinfo *ei)
{
    return api_json_keys_prefixed(obj, "", allowed, ei);
}

vk_err api_json_keys_prefixed(const json_t *obj, const char *prefix, const char *const *allowed,
                              vk_errinfo *ei)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        (void)v;
        if (!listed(key, allowed)) {
            char field[96];
            snprintf(field, sizeof field, "%s%.60s", prefix, key);
            return vk_fail(ei, VK_EUNKNOWN_FIELD, field, "%s is not accepted here", field);
        }
    }
    return VK_OK;
}

int64_t api_parse_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return 0;
    return atoll(s);
}

void vk_json_next(vk_buf *b)
{
    char last = b->len ? b->data[b->len - 1] : '{';
    if (last != '{' && last != '[')
        vk_buf_putc(b, ',');
}

void vk_json_open(vk_buf *b)
{
    vk_json_next(b);
    vk_buf_putc(b, '{');
}

void vk_json_key(vk_buf *b, const char *key)
{
    vk_json_next(b);
    vk_json_str(b, key, strlen(key));
    vk_buf_putc(b, ':');
}

void vk_json_member_str(vk_buf *b, const char *key, const char *s)
{
    vk_json_key(b, key);
    vk_json_str_or_null(b, s);
}
