/*
 * fuzz_form.c — libFuzzer target for the form-encoded body parser
 * (http/form.c). Beyond the sanitizers it aborts when an accepted body
 * breaks a promise: more than VK_FORM_MAX_FIELDS pairs, a key or value
 * over its cap or not valid UTF-8, or a pair that does not survive being
 * encoded again and parsed a second time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void encode(vk_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == ' ') {
            vk_buf_putc(b, '+');
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || strchr("-_.~", *p)) {
            vk_buf_putc(b, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            vk_buf_add(b, esc, 3);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vk_arena arena;
    vk_arena_init(&arena, 0);
    vk_param p[VK_FORM_MAX_FIELDS], q[VK_FORM_MAX_FIELDS];
    int n = 0, m = 0;
    vk_errinfo ei;
    vk_err e = vk_form_parse((const char *)data, size, &arena, p, VK_FORM_MAX_FIELDS, &n, &ei);
    if (e == VK_OK) {
        if (n < 0 || n > VK_FORM_MAX_FIELDS)
            abort();
        vk_buf again;
        vk_buf_init(&again, 1 << 22);
        for (int i = 0; i < n; i++) {
            size_t kl = strlen(p[i].key), vl = strlen(p[i].value);
            if (kl > VK_FORM_MAX_KEY || vl > VK_FORM_MAX_VALUE ||
                !vk_utf8_valid(p[i].key, kl, NULL) || !vk_utf8_valid(p[i].value, vl, NULL))
                abort();
            if (i)
                vk_buf_putc(&again, '&');
            encode(&again, p[i].key);
            vk_buf_putc(&again, '=');
            encode(&again, p[i].value);
        }
        /* Every pair comes back: even an empty key and value encode as "=". */
        int want = n;
        if (!vk_buf_ok(&again) ||
            vk_form_parse(again.data ? again.data : "", again.len, &arena, q, VK_FORM_MAX_FIELDS,
                          &m, &ei) != VK_OK ||
            m != want)
            abort();
        for (int i = 0; i < n; i++)
            if (strcmp(p[i].key, q[i].key) || strcmp(p[i].value, q[i].value))
                abort();
        vk_buf_fini(&again);
    } else if (e != VK_EPARAM && e != VK_ETOO_LONG && e != VK_EUTF8 && e != VK_ENOMEM) {
        abort();
    }
    vk_arena_fini(&arena);
    return 0;
}
