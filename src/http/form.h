/*
 * form.h — application/x-www-form-urlencoded bodies (HTML forms, Open311
 * clients): key=value pairs joined by '&', '+' for a space, %XX escapes.
 *
 * Bounded: at most VK_FORM_MAX_FIELDS pairs, keys up to VK_FORM_MAX_KEY
 * bytes and values up to VK_FORM_MAX_VALUE bytes after decoding; a bad
 * escape, a NUL byte or invalid UTF-8 (after decoding) refuses the body.
 */
#ifndef VK_FORM_H
#define VK_FORM_H

#include <stddef.h>

#include "http/request.h"
#include "core/arena.h"
#include "core/err.h"

#define VK_FORM_MAX_FIELDS 64
#define VK_FORM_MAX_KEY 100
#define VK_FORM_MAX_VALUE 16000

/* Decode body[0..len) into out[0..max) (max ≤ VK_FORM_MAX_FIELDS is the
 * cap that applies); *n gets the number of pairs. Keys and values are
 * NUL-terminated arena strings, borrowed until the arena is reset. Empty
 * pieces ("a=1&&b=2") are skipped; a key without '=' has value "".
 * Errors: VK_EPARAM (too many fields, bad escape, NUL), VK_ETOO_LONG,
 * VK_EUTF8, VK_ENOMEM, with the detail in ei. */
vk_err vk_form_parse(const char *body, size_t len, vk_arena *arena, vk_param *out, int max,
                     int *n, vk_errinfo *ei);

/* The first value of key among n pairs, or NULL. */
const char *vk_form_get(const vk_param *p, int n, const char *key);

#endif
