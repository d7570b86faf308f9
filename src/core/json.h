/*
 * json.h — JSON input helpers: parse a body, check text members and
 * unknown keys, read ids. Every feature reads its request bodies with these.
 * And the other way, object members for responses written into a vk_buf.
 */
#ifndef VK_CORE_JSON_H
#define VK_CORE_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* A string member of a JSON object, checked as feedback text is: absent or
 * null gives *out NULL (VK_EMISSING when required); wrong type, bad UTF-8,
 * control characters (newlines only when multiline), over max_chars or
 * blank are refused. *out is borrowed from obj. */
vk_err api_json_text(const json_t *obj, const char *key, int required, size_t max_chars,
                     int multiline, const char **out, vk_errinfo *ei);
/* The same, with errors naming field instead of key. */
vk_err api_json_text_named(const json_t *obj, const char *key, const char *field, int required,
                           size_t max_chars, int multiline, const char **out, vk_errinfo *ei);
/* A string member taken as it is (a password, a name checked later):
 * absent gives *out NULL (VK_EMISSING when required); null or another type
 * is VK_ETYPE, over max_bytes VK_ETOO_LONG. *out is borrowed from obj. */
vk_err api_json_string(const json_t *obj, const char *key, int required, size_t max_bytes,
                       const char **out, vk_errinfo *ei);
/* VK_EUNKNOWN_FIELD naming the first member of obj not in allowed. */
vk_err api_json_keys(const json_t *obj, const char *const *allowed, vk_errinfo *ei);
/* The same, naming the member as prefix + key ("properties.contact.x"). */
vk_err api_json_keys_prefixed(const json_t *obj, const char *prefix, const char *const *allowed,
                              vk_errinfo *ei);
/* A positive decimal number of at most 18 digits (an id, a limit), else 0. */
int64_t api_parse_id(const char *s);

/* Parse a JSON body: UTF-8 first, then JSON, with clear errors.
 * *out is a new reference: caller frees with json_decref(). */
vk_err api_json_parse(const char *body, size_t len, json_t **out, vk_errinfo *ei);

/* A comma unless b ends with { or [: before an array element or member
 * that may be the first. */
void vk_json_next(vk_buf *b);
/* An object as the next element of an array: vk_json_next, then its {. */
void vk_json_open(vk_buf *b);
/* An object member's key, "key":, after vk_json_next. The value is the
 * caller's to write. */
void vk_json_key(vk_buf *b, const char *key);
/* A member whose value is the string s, or null when s is NULL. */
void vk_json_member_str(vk_buf *b, const char *key, const char *s);

#endif
