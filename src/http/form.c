/*
 * form.c — the form-encoded body parser. Decoding never grows a piece
 * ('%XX' → 1 byte, '+' → 1 byte), so each piece is decoded into an arena
 * copy of its own length; caps are checked on the decoded size.
 */
#include "http/form.h"

#include <string.h>

#include "core/buf.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode s[0..n) into an arena string; cap in bytes after decoding. */
static vk_err decode(const char *s, size_t n, size_t cap, const char *what, vk_arena *a,
                     const char **out, vk_errinfo *ei)
{
    char *d = vk_arena_alloc(a, n + 1);
    if (!d)
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return vk_fail(ei, VK_EPARAM, "body", "the form has a bad %%-escape in a %s", what);
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0')
            return vk_fail(ei, VK_EPARAM, "body", "the form has a NUL byte in a %s", what);
        d[k++] = c;
    }
    d[k] = '\0';
    if (k > cap)
        return vk_fail(ei, VK_ETOO_LONG, "body", "a form %s is %zu bytes long; at most %zu are allowed",
                       what, k, cap);
    if (!vk_utf8_valid(d, k, NULL))
        return vk_fail(ei, VK_EUTF8, "body", "a form %s is not valid UTF-8", what);
    *out = d;
    return VK_OK;
}

vk_err vk_form_parse(const char *body, size_t len, vk_arena *arena, vk_param *out, int max,
                     int *n, vk_errinfo *ei)
{
    *n = 0;
    if (max > VK_FORM_MAX_FIELDS)
        max = VK_FORM_MAX_FIELDS;
    size_t i = 0;
    while (i < len) {
        const char *piece = body + i;
        const char *amp = memchr(piece, '&', len - i);
        size_t plen = amp ? (size_t)(amp - piece) : len - i;
        i += plen + 1;
        if (plen == 0)
            continue;
        if (*n >= max)
            return vk_fail(ei, VK_EPARAM, "body", "the form has more than %d fields", max);
        const char *eq = memchr(piece, '=', plen);
        size_t klen = eq ? (size_t)(eq - piece) : plen;
        vk_err e = decode(piece, klen, VK_FORM_MAX_KEY, "name", arena, &out[*n].key, ei);
        if (!e)
            e = eq ? decode(eq + 1, plen - klen - 1, VK_FORM_MAX_VALUE, "value", arena,
                            &out[*n].value, ei)
                   : decode("", 0, VK_FORM_MAX_VALUE, "value", arena, &out[*n].value, ei);
        if (e)
            return e;
        (*n)++;
    }
    return VK_OK;
}

const char *vk_form_get(const vk_param *p, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(p[i].key, key) == 0)
            return p[i].value;
    return NULL;
}
