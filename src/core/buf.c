/* buf.c — bounded buffer, JSON text output and UTF-8 checking. */
#include "core/buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vk_buf_init(vk_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->failed = 0;
}

void vk_buf_fini(vk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void vk_buf_reset(vk_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int buf_fail(vk_buf *b, int why)
{
    vk_buf_fini(b);
    b->failed = why;
    return -1;
}

/* Make room for n more bytes plus the terminating NUL. */
static int buf_reserve(vk_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (n > b->max || b->len > b->max - n)
        return buf_fail(b, 2);
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = realloc(b->data, cap);
    if (!p)
        return buf_fail(b, 1);
    b->data = p;
    b->cap = cap;
    return 0;
}

int vk_buf_reserve(vk_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (n > b->max || b->len > b->max - n)
        return buf_fail(b, 2);
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    char *p = realloc(b->data, need);
    if (!p)
        return buf_fail(b, 1);
    b->data = p;
    b->cap = need;
    return 0;
}

int vk_buf_add_slow(vk_buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int vk_buf_printf(vk_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return buf_fail(b, 1);
    if ((size_t)n < sizeof small)
        return vk_buf_add(b, small, (size_t)n);
    if (buf_reserve(b, (size_t)n))
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *vk_buf_take(vk_buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = p ? b->len : 0;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

/* The length of the run at s (n bytes) that JSON takes as it is: no
 * control character, quote or backslash. Eight bytes a step (a byte is
 * flagged when it is below 0x20, or equal to '"' or '\\' after xor). */
static size_t json_clean_run(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
        uint64_t flag = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((bs - ones) & ~bs);
        if (flag & high)
            break;
    }
    while (i < n && (unsigned char)s[i] >= 0x20 && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

int vk_json_str(vk_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* Most text needs no escape: then one copy with its quotes (exports
     * write millions of these). */
    size_t clean = json_clean_run(s, n);
    if (clean == n) {
        if (buf_reserve(b, n + 2))
            return -1;
        char *d = b->data + b->len;
        d[0] = '"';
        memcpy(d + 1, s, n);
        d[n + 1] = '"';
        b->len += n + 2;
        b->data[b->len] = '\0';
        return 0;
    }
    if (vk_buf_putc(b, '"'))
        return -1;
    size_t run = 0; /* start of the pending run of bytes needing no escape */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        vk_buf_add(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': vk_buf_add(b, "\\\"", 2); break;
        case '\\': vk_buf_add(b, "\\\\", 2); break;
        case '\n': vk_buf_add(b, "\\n", 2); break;
        case '\r': vk_buf_add(b, "\\r", 2); break;
        case '\t': vk_buf_add(b, "\\t", 2); break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            vk_buf_add(b, esc, 6);
        }
        }
    }
    vk_buf_add(b, s + run, n - run);
    return vk_buf_putc(b, '"');
}

int vk_json_str_or_null(vk_buf *b, const char *s)
{
    return s ? vk_json_str(b, s, strlen(s)) : vk_buf_add(b, "null", 4);
}

size_t vk_fmt_int(char out[VK_FMT_INT_SIZE], int64_t v)
{
    /* Digits from the end of a scratch array, then one copy: the feature
     * writer formats several numbers per item, and vfprintf was a fifth of
     * an items request's time (bench/README.md, issue 15). */
    char tmp[VK_FMT_INT_SIZE];
    size_t i = sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--i] = '-';
    size_t n = sizeof tmp - i;
    memcpy(out, tmp + i, n);
    out[n] = '\0';
    return n;
}

int vk_json_int(vk_buf *b, int64_t v)
{
    char tmp[VK_FMT_INT_SIZE];
    return vk_buf_add(b, tmp, vk_fmt_int(tmp, v));
}

int vk_json_num(vk_buf *b, double v)
{
    if (!isfinite(v))
        return vk_buf_add(b, "null", 4);
    if (v == floor(v) && fabs(v) < 1e15)
        /* What "%.0f" writes, "-0" included. */
        return v == 0 && signbit(v) ? vk_buf_add(b, "-0", 2) : vk_json_int(b, (int64_t)v);
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    return vk_buf_puts(b, tmp);
}

/* v·10^decimals rounded to the nearest integer into *r, as "%.*f" rounds
 * v, when that is certain without printf's exact decimal expansion: the
 * product is exact to half an ulp, so a fraction further than an ulp from
 * one half rounds the same way as the exact value would. 0 when unsure
 * (a near-tie, a large or tiny scale): the caller asks snprintf. */
static int fixed_point(double v, int decimals, int64_t *r)
{
    static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (decimals < 0 || decimals > 9)
        return 0;
    double s = fabs(v) * pow10[decimals];
    if (!(s < 4e15)) /* 2^52: the fraction is still representable */
        return 0;
    double whole = floor(s), frac = s - whole;
    double ulp = s * 0x1p-52 + 0x1p-1074;
    if (fabs(frac - 0.5) <= 2 * ulp)
        return 0;
    *r = (int64_t)whole + (frac > 0.5);
    return 1;
}

int vk_json_coord(vk_buf *b, double v, int decimals)
{
    if (!isfinite(v))
        return vk_buf_add(b, "null", 4);
    int64_t r;
    if (fixed_point(v, decimals, &r)) {
        /* sign, whole part, then the decimals without trailing zeros */
        char tmp[48];
        size_t n = 0;
        if (r == 0)
            return vk_buf_putc(b, '0'); /* "-0.000" becomes 0, as below */
        if (v < 0)
            tmp[n++] = '-';
        int64_t unit = 1;
        for (int i = 0; i < decimals; i++)
            unit *= 10;
        n += vk_fmt_int(tmp + n, r / unit);
        int64_t f = r % unit;
        if (f) {
            int d = decimals;
            while (f % 10 == 0) {
                f /= 10;
                d--;
            }
            tmp[n++] = '.';
            for (int i = d - 1; i >= 0; i--, f /= 10)
                tmp[n + (size_t)i] = (char)('0' + f % 10);
            n += (size_t)d;
        }
        return vk_buf_add(b, tmp, n);
    }
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    if (n <= 0 || (size_t)n >= sizeof tmp)
        return vk_json_num(b, v);
    if (memchr(tmp, '.', (size_t)n)) {
        while (n > 0 && tmp[n - 1] == '0')
            n--;
        if (n > 0 && tmp[n - 1] == '.')
            n--;
    }
    if (n == 2 && tmp[0] == '-' && tmp[1] == '0')
        return vk_buf_putc(b, '0');
    return vk_buf_add(b, tmp, (size_t)n);
}

/* The length of the well-formed UTF-8 sequence at s (n bytes left), 0 if
 * there is none: no stray continuation byte, overlong form, surrogate or
 * code point above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int vk_utf8_valid(const char *str, size_t n, size_t *chars)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t count = 0, i = 0;
    while (i < n) {
        size_t len = utf8_seq(s + i, n - i);
        if (!len)
            return 0;
        i += len;
        count++;
    }
    if (chars)
        *chars = count;
    return 1;
}

void vk_utf8_repair(char *str)
{
    unsigned char *s = (unsigned char *)str;
    size_t n = strlen(str);
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq(s + i, n - i);
        if (len) {
            i += len;
        } else {
            s[i++] = '?';
        }
    }
}

void vk_utf8_snip(const char *s, size_t n, char out[VK_SNIP_SIZE])
{
    size_t k = n;
    int cut = 0;
    if (k > 40) {
        k = 40;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        cut = 1;
    }
    memcpy(out, s, k);
    if (cut) {
        memcpy(out + k, "\xE2\x80\xA6", 3); /* … */
        k += 3;
    }
    out[k] = '\0';
}

int vk_grow(void *items, size_t *cap, size_t i, size_t elem, size_t first)
{
    if (i < *cap)
        return 0;
    size_t n = *cap ? *cap : first;
    while (n <= i)
        n *= 2;
    void **slot = items;
    void *p = realloc(*slot, elem * n);
    if (!p)
        return 1;
    *slot = p;
    *cap = n;
    return 0;
}
