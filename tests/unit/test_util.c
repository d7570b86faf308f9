/* test_util.c — bounded buffer, JSON text, UTF-8, arena, clock, errors. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "t.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/sha256.h"

static void test_buf(void)
{
    vk_buf b;
    vk_buf_init(&b, 10);
    T_OK(vk_buf_puts(&b, "hello") == 0 && b.len == 5, "append within cap");
    T_EQ_STR(b.data, "hello", "data is NUL-terminated");
    T_OK(vk_buf_puts(&b, "world!") == -1, "append over cap fails");
    T_OK(!vk_buf_ok(&b) && vk_buf_over_cap(&b), "failure is sticky and names the cap");
    T_OK(b.data == NULL && b.len == 0, "failed buffer freed its storage");
    T_OK(vk_buf_puts(&b, "x") == -1, "appends after failure stay no-ops");
    vk_buf_reset(&b);
    T_OK(vk_buf_ok(&b) && vk_buf_puts(&b, "again") == 0, "reset makes it usable again");
    vk_buf_fini(&b);

    vk_buf_init(&b, 1 << 20);
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    T_OK(vk_buf_printf(&b, "%s-%d", big, 42) == 0 && b.len == 1002, "printf longer than the stack buffer");
    size_t len;
    char *taken = vk_buf_take(&b, &len);
    T_OK(taken && len == 1002 && b.data == NULL, "take hands over the storage");
    free(taken);
    vk_buf_fini(&b);
}

static void test_json_text(void)
{
    vk_buf b;
    vk_buf_init(&b, 1 << 16);
    vk_json_str(&b, "a\"b\\c\n\x01ä", strlen("a\"b\\c\n\x01ä"));
    T_EQ_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001ä\"", "string escaping");
    vk_buf_reset(&b);
    vk_json_str_or_null(&b, NULL);
    T_EQ_STR(b.data, "null", "NULL string is null");
    vk_buf_reset(&b);
    vk_json_num(&b, 0.1);
    T_EQ_STR(b.data, "0.1", "shortest round-trip double");
    vk_buf_reset(&b);
    vk_json_num(&b, 12345.0);
    T_EQ_STR(b.data, "12345", "integral double without decimals");
    vk_buf_reset(&b);
    vk_json_num(&b, NAN);
    T_EQ_STR(b.data, "null", "NaN becomes null, never invalid JSON");
    vk_buf_reset(&b);
    vk_json_coord(&b, 28.75120000001, 7);
    T_EQ_STR(b.data, "28.7512", "coordinate trimmed to 7 decimals");
    vk_buf_reset(&b);
    vk_json_coord(&b, -0.00000001, 7);
    T_EQ_STR(b.data, "0", "negative zero written as 0");
    vk_buf_reset(&b);
    vk_json_int(&b, INT64_MIN);
    T_EQ_STR(b.data, "-9223372036854775808", "int64 minimum");
    vk_buf_fini(&b);
}

/* The formatters without printf write what printf wrote: the slow path's
 * output (snprintf, then trailing zeros trimmed) against the fast one, on
 * random coordinates, near-ties and every number of decimals. */
static void coord_reference(char *out, size_t n, double v, int decimals)
{
    int k = snprintf(out, n, "%.*f", decimals, v);
    if (memchr(out, '.', (size_t)k)) {
        while (k > 0 && out[k - 1] == '0')
            k--;
        if (k > 0 && out[k - 1] == '.')
            k--;
    }
    out[k] = '\0';
    if (strcmp(out, "-0") == 0)
        strcpy(out, "0");
}

static void test_json_numbers(void)
{
    vk_buf b;
    vk_buf_init(&b, 1 << 16);
    char want[80];
    int bad = 0, checked = 0;
    unsigned seed = 12345;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 1103515245u + 12345u;
        int decimals = (int)(seed >> 8) % 10;
        seed = seed * 1103515245u + 12345u;
        double v = ((double)(seed >> 4) / (1u << 28) - 0.5) * (i % 3 == 0 ? 360 : i % 3 == 1 ? 2e6 : 1e-3);
        if (i % 7 == 0) /* exact and near halves at the last decimal */
            v = (floor(v * 1e4) + 0.5) / 1e4 + (i % 14 ? 0 : 1e-12);
        vk_buf_reset(&b);
        vk_json_coord(&b, v, decimals);
        coord_reference(want, sizeof want, v, decimals);
        checked++;
        if (strcmp(b.data, want) != 0 && bad++ < 5)
            printf("#   %.17g at %d decimals: got %s, want %s\n", v, decimals, b.data, want);
    }
    T_OK(bad == 0, "vk_json_coord writes what %%.*f wrote (%d values)", checked);
    const int64_t ints[] = {0, 1, -1, 9, 10, -10, 123456789, INT64_MAX, INT64_MIN, -99999};
    bad = 0;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        vk_buf_reset(&b);
        vk_json_int(&b, ints[i]);
        snprintf(want, sizeof want, "%lld", (long long)ints[i]);
        bad += strcmp(b.data, want) != 0;
    }
    T_OK(bad == 0, "vk_json_int writes what %%lld wrote");
    const double whole[] = {0.0, -0.0, 1.0, -7.0, 999999999999999.0, -123456789012.0};
    bad = 0;
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
        vk_buf_reset(&b);
        vk_json_num(&b, whole[i]);
        snprintf(want, sizeof want, "%.0f", whole[i]);
        bad += strcmp(b.data, want) != 0;
    }
    T_OK(bad == 0, "vk_json_num writes integral values as %%.0f did, -0 included");
    /* Strings scanned eight bytes a step: each special byte at each place
     * of a word, among plain ASCII and UTF-8. */
    const char specials[] = {'"', '\\', '\n', 0x01, 0x1f};
    const char *fill = "aé~ \x7f";
    bad = 0;
    for (size_t len = 0; len < 24; len++)
        for (size_t at = 0; at <= len; at++)
            for (size_t k = 0; k <= sizeof specials; k++) {
                char s[32];
                for (size_t i = 0; i < len; i++)
                    s[i] = fill[(i + k) % strlen(fill)];
                if (at < len && k < sizeof specials)
                    s[at] = specials[k];
                vk_buf ref;
                vk_buf_init(&ref, 1 << 10);
                vk_buf_putc(&ref, '"');
                for (size_t i = 0; i < len; i++) {
                    unsigned char c = (unsigned char)s[i];
                    if (c == '"' || c == '\\')
                        vk_buf_printf(&ref, "\\%c", c);
                    else if (c == '\n')
                        vk_buf_puts(&ref, "\\n");
                    else if (c < 0x20)
                        vk_buf_printf(&ref, "\\u%04x", c);
                    else
                        vk_buf_putc(&ref, (char)c);
                }
                vk_buf_putc(&ref, '"');
                vk_buf_reset(&b);
                vk_json_str(&b, s, len);
                bad += strcmp(b.data, ref.data) != 0;
                vk_buf_fini(&ref);
            }
    T_OK(bad == 0, "vk_json_str escapes a special byte at any place of a word");
    vk_buf_fini(&b);
}

static void test_utf8(void)
{
    size_t chars = 0;
    T_OK(vk_utf8_valid("Hyvää päivää €𝄞", strlen("Hyvää päivää €𝄞"), &chars) && chars == 15,
         "valid UTF-8 counts code points");
    T_OK(!vk_utf8_valid("\xC0\xAF", 2, NULL), "overlong encoding refused");
    T_OK(!vk_utf8_valid("\xED\xA0\x80", 3, NULL), "surrogate refused");
    T_OK(!vk_utf8_valid("\xE2\x82", 2, NULL), "truncated sequence refused");
    T_OK(!vk_utf8_valid("\xF4\x90\x80\x80", 4, NULL), "beyond U+10FFFF refused");
    T_OK(!vk_utf8_valid("\xFF", 1, NULL), "0xFF refused");
    T_OK(vk_utf8_valid("", 0, &chars) && chars == 0, "empty is valid");

    char cut[] = "k\xC3\xA4y\xC3 \xE2\x82\xACx\xE2\x82";
    vk_utf8_repair(cut);
    T_EQ_STR(cut, "k\xC3\xA4y? \xE2\x82\xACx??", "repair: whole characters kept, cut ones become ?");
    /* An error detail made from request bytes cut mid-character. */
    vk_errinfo ei;
    char field[16];
    snprintf(field, sizeof field, "p.%.5s", "ab\xDC\x9E\xDC\x9E");
    vk_fail(&ei, VK_EUNKNOWN_FIELD, field, "%s is not accepted here", field);
    T_OK(vk_utf8_valid(ei.field, strlen(ei.field), NULL) &&
             vk_utf8_valid(ei.message, strlen(ei.message), NULL),
         "vk_fail leaves field and message valid UTF-8");
}

static void test_arena(void)
{
    vk_arena a;
    vk_arena_init(&a, 0);
    char *p = vk_arena_alloc(&a, 3);
    void *q = vk_arena_alloc(&a, 8);
    T_OK(p && q && ((uintptr_t)q % _Alignof(max_align_t)) == 0, "allocations are aligned");
    char *big = vk_arena_alloc(&a, 100000);
    T_OK(big != NULL, "an allocation larger than a chunk");
    memset(big, 1, 100000);
    T_EQ_STR(vk_arena_strdup(&a, "kysely"), "kysely", "strdup");
    vk_arena_reset(&a);
    T_OK(vk_arena_alloc(&a, 10) != NULL, "usable after reset");
    vk_arena_fini(&a);

    vk_arena_init(&a, 20000);
    T_OK(vk_arena_alloc(&a, 10000) != NULL, "within the cap");
    T_OK(vk_arena_alloc(&a, 30000) == NULL, "over the cap refused");
    vk_arena_fini(&a);
}

static void test_clock(void)
{
    char out[VK_RFC3339_LEN];
    T_OK(vk_rfc3339_normalise("2026-01-03T10:00:00+02:00", out) == 0, "offset accepted");
    T_EQ_STR(out, "2026-01-03T08:00:00Z", "offset normalised to UTC");
    T_OK(vk_rfc3339_normalise("2024-02-29T23:59:59.123Z", out) == 0, "leap day with fraction");
    T_EQ_STR(out, "2024-02-29T23:59:59Z", "fraction dropped");
    T_OK(vk_rfc3339_normalise("2025-02-29T00:00:00Z", out) != 0, "29 Feb of a common year refused");
    T_OK(vk_rfc3339_normalise("2026-13-01T00:00:00Z", out) != 0, "month 13 refused");
    T_OK(vk_rfc3339_normalise("2026-01-01", out) != 0, "date alone refused");
    T_OK(vk_rfc3339_normalise("2026-01-01T00:00:00", out) != 0, "missing offset refused");
    T_OK(vk_rfc3339_normalise("2026-01-01T00:00:00Zjunk", out) != 0, "trailing junk refused");
    vk_now_rfc3339(out);
    T_OK(strlen(out) == 20 && out[19] == 'Z', "now is RFC 3339 UTC");
    int64_t t0 = vk_monotonic_us(), t1 = vk_monotonic_us();
    T_OK(t1 >= t0, "monotonic clock does not go back");
}

static void test_err(void)
{
    T_EQ_STR(vk_err_code(VK_EGEOM_INVALID), "invalid_geometry", "error code name");
    T_EQ_INT(vk_err_status(VK_EBODY_TOO_LARGE), 413, "body too large is 413");
    T_EQ_INT(vk_err_status(VK_EMETHOD), 405, "method not allowed is 405");
    T_EQ_INT(vk_err_status((vk_err)999), 500, "out-of-range error is 500");
    int all_client = 1;
    for (int e = VK_EJSON; e < VK_ERR__COUNT; e++)
        if (vk_err_status((vk_err)e) < 400 || vk_err_status((vk_err)e) >= 500)
            all_client = 0;
    T_OK(all_client, "every input error maps to a 4xx");
    vk_errinfo ei;
    T_EQ_INT(vk_fail(&ei, VK_EVALUE, "properties.category", "unknown '%s'", "x"), VK_EVALUE,
             "vk_fail returns its code");
    T_EQ_STR(ei.field, "properties.category", "field recorded");
    T_EQ_STR(ei.message, "unknown 'x'", "message formatted");
    vk_fail(&ei, VK_ENOT_FOUND, NULL, NULL);
    T_EQ_STR(ei.message, vk_err_message(VK_ENOT_FOUND), "default message");
}

static const char *sha(const char *text, size_t repeat)
{
    static char hex[65];
    vk_sha256 s;
    unsigned char d[32];
    vk_sha256_init(&s);
    for (size_t i = 0; i < repeat; i++)
        vk_sha256_update(&s, text, strlen(text));
    vk_sha256_final(&s, d);
    vk_sha256_hex(d, hex);
    return hex;
}

static void test_sha256(void)
{
    /* FIPS 180-4 / NIST example vectors. */
    T_EQ_STR(sha("", 1), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty");
    T_EQ_STR(sha("abc", 1), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");
    T_EQ_STR(sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1),
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "two blocks");
    T_EQ_STR(sha("a", 1000000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
             "a million a's, fed byte by byte");
}

int main(void)
{
    test_sha256();
    test_buf();
    test_json_text();
    test_json_numbers();
    test_utf8();
    test_arena();
    test_clock();
    test_err();
    return t_done();
}
