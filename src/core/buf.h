/*
 * buf.h — a growable byte buffer with a hard size cap (after curl's dynbuf).
 *
 * Every append either succeeds or fails the whole buffer: on failure (cap
 * exceeded or no memory) the storage is freed, `failed` is set, and every
 * later append is a no-op returning -1. Callers may therefore append many
 * pieces and check once at the end with vk_buf_ok().
 *
 * The buffer is caller-owned: vk_buf_init/vk_buf_fini. The data is always
 * NUL-terminated (not counted in len) so it can be used as a C string.
 * Also holds the JSON text helpers, because every JSON byte we write goes
 * through a vk_buf.
 */
#ifndef VK_BUF_H
#define VK_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct vk_buf {
    char *data;   /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;   /* hard cap on len */
    int failed;   /* 1 after a failed append; 2 if it was the cap */
} vk_buf;

void vk_buf_init(vk_buf *b, size_t max);
void vk_buf_fini(vk_buf *b);
/* Forget the contents but keep the allocation and the cap. */
void vk_buf_reset(vk_buf *b);

/* Room for n more bytes in one allocation, so that a body of known length
 * is received without the copies of doubling; -1 as an append's failure. */
int vk_buf_reserve(vk_buf *b, size_t n);
int vk_buf_add_slow(vk_buf *b, const void *p, size_t n);
/* Appends within the capacity are inline (the feature writer makes tens
 * per feature); the rest grows the buffer or fails it. Since cap never
 * exceeds max + 1, fitting the capacity also fits the cap. */
static inline int vk_buf_add(vk_buf *b, const void *p, size_t n)
{
    if (b->cap - b->len > n && !b->failed) {
        if (n)
            __builtin_memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return vk_buf_add_slow(b, p, n);
}
static inline int vk_buf_puts(vk_buf *b, const char *s) { return vk_buf_add(b, s, __builtin_strlen(s)); }
static inline int vk_buf_putc(vk_buf *b, char c) { return vk_buf_add(b, &c, 1); }
int vk_buf_printf(vk_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static inline int vk_buf_ok(const vk_buf *b) { return !b->failed; }
/* 1 if the failure was the size cap rather than memory. */
static inline int vk_buf_over_cap(const vk_buf *b) { return b->failed == 2; }

/* Hand the storage to the caller: caller frees with free(). The buffer is
 * left empty and reusable. Returns NULL (and len 0) if nothing was added. */
char *vk_buf_take(vk_buf *b, size_t *len);

/* JSON: a quoted, escaped string of n bytes (s need not be NUL-terminated).
 * s must be valid UTF-8; control characters are escaped as \u00XX. */
int vk_json_str(vk_buf *b, const char *s, size_t n);
/* JSON: the string, or null when s is NULL. */
int vk_json_str_or_null(vk_buf *b, const char *s);
/* JSON number: integers exactly, others in the shortest form that reads
 * back to the same double. NaN/inf (never valid JSON) are written as null. */
int vk_json_num(vk_buf *b, double v);
int vk_json_int(vk_buf *b, int64_t v);
/* v in decimal into out (NUL-terminated); returns its length. */
#define VK_FMT_INT_SIZE 24
size_t vk_fmt_int(char out[VK_FMT_INT_SIZE], int64_t v);
/* A coordinate with at most `decimals` decimals, trailing zeros dropped. */
int vk_json_coord(vk_buf *b, double v, int decimals);

/* UTF-8: 1 if the n bytes are valid UTF-8 (no overlongs, no surrogates),
 * and the number of code points through *chars (may be NULL). */
int vk_utf8_valid(const char *s, size_t n, size_t *chars);
/* Replace every byte that is not part of well-formed UTF-8 with '?', in
 * place (e.g. a multi-byte character cut by a "%.40s" precision). */
void vk_utf8_repair(char *s);

/* At most 40 bytes of s[0..n) into out, cut at a character boundary and
 * marked with "…" when cut: quoting client input in a message safely. */
#define VK_SNIP_SIZE 48
void vk_utf8_snip(const char *s, size_t n, char out[VK_SNIP_SIZE]);

/* Make room for element index i in the array *items of *cap elements of
 * size elem (doubling, starting at first): the growing tables of the
 * statistics. 0 on success; 1 without memory (the array is unchanged). */
int vk_grow(void *items, size_t *cap, size_t i, size_t elem, size_t first);

#endif
