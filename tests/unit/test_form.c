/* test_form.c — the form-encoded body parser (http/form.c). */
#include <stdlib.h>

#include "http/form.h"
#include "t.h"

static vk_err parse(vk_arena *a, const char *body, vk_param *p, int *n)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    return vk_form_parse(body, strlen(body), a, p, VK_FORM_MAX_FIELDS, n, &ei);
}

static void test_decoding(void)
{
    vk_arena a;
    vk_arena_init(&a, 0);
    vk_param p[VK_FORM_MAX_FIELDS];
    int n = -1;
    T_EQ_INT(parse(&a, "service_code=road&lat=60.45&long=22.27&description=Iso+kuoppa%21", p, &n),
             VK_OK, "a curl-like form parses");
    T_EQ_INT(n, 4, "four fields");
    T_EQ_STR(vk_form_get(p, n, "description"), "Iso kuoppa!", "'+' is a space, %%21 is '!'");
    T_EQ_STR(vk_form_get(p, n, "lat"), "60.45", "plain values as they are");
    T_OK(vk_form_get(p, n, "missing") == NULL, "absent keys give NULL");
    T_EQ_INT(parse(&a, "email=a%40b.fi&name=%C3%85sa+%c3%96", p, &n), VK_OK, "UTF-8 escapes");
    T_EQ_STR(vk_form_get(p, n, "email"), "a@b.fi", "%%40 is '@'");
    T_EQ_STR(vk_form_get(p, n, "name"), "\xc3\x85sa \xc3\x96", "lower- and upper-case hex");
    T_EQ_INT(parse(&a, "a=1&&b&c=&=x", p, &n), VK_OK, "empty pieces and values");
    T_EQ_INT(n, 4, "empty pieces are skipped");
    T_EQ_STR(vk_form_get(p, n, "b"), "", "a key without '=' has an empty value");
    T_EQ_STR(vk_form_get(p, n, "c"), "", "an empty value");
    T_EQ_STR(vk_form_get(p, n, ""), "x", "an empty key is kept");
    T_EQ_INT(parse(&a, "k=a%3Db%26c", p, &n), VK_OK, "escaped '=' and '&'");
    T_EQ_STR(vk_form_get(p, n, "k"), "a=b&c", "stay in the value");
    T_EQ_INT(parse(&a, "", p, &n), VK_OK, "an empty body");
    T_EQ_INT(n, 0, "has no fields");
    T_EQ_INT(parse(&a, "a=1&a=2", p, &n), VK_OK, "repeated keys");
    T_EQ_STR(vk_form_get(p, n, "a"), "1", "the first value wins");
    vk_arena_fini(&a);
}

static void test_refusals(void)
{
    vk_arena a;
    vk_arena_init(&a, 0);
    vk_param p[VK_FORM_MAX_FIELDS];
    int n;
    T_EQ_INT(parse(&a, "a=%", p, &n), VK_EPARAM, "a lone %% is refused");
    T_EQ_INT(parse(&a, "a=%4", p, &n), VK_EPARAM, "a short escape is refused");
    T_EQ_INT(parse(&a, "a=%zz", p, &n), VK_EPARAM, "a non-hex escape is refused");
    T_EQ_INT(parse(&a, "a%g=1", p, &n), VK_EPARAM, "a bad escape in a key is refused");
    T_EQ_INT(parse(&a, "a=%00", p, &n), VK_EPARAM, "NUL is refused");
    T_EQ_INT(parse(&a, "a=%C3", p, &n), VK_EUTF8, "a cut UTF-8 sequence is refused");
    T_EQ_INT(parse(&a, "a=%C0%80", p, &n), VK_EUTF8, "an overlong NUL is refused");
    T_EQ_INT(parse(&a, "a=%ED%A0%80", p, &n), VK_EUTF8, "a surrogate is refused");
    T_EQ_INT(parse(&a, "a=\xff", p, &n), VK_EUTF8, "raw invalid UTF-8 is refused");

    /* 64 fields pass, 65 do not. */
    char body[1024] = "";
    for (int i = 0; i < 64; i++)
        snprintf(body + strlen(body), sizeof body - strlen(body), "%sk%d=v", i ? "&" : "", i);
    T_EQ_INT(parse(&a, body, p, &n), VK_OK, "64 fields are accepted");
    T_EQ_INT(n, 64, "all 64 read");
    strcat(body, "&x=1");
    T_EQ_INT(parse(&a, body, p, &n), VK_EPARAM, "65 fields are refused");
    vk_errinfo ei;
    T_EQ_INT(vk_form_parse("a=1&b=2&c=3", 11, &a, p, 2, &n, &ei), VK_EPARAM,
             "a smaller caller cap applies");

    /* Lengths are capped after decoding. */
    size_t big = VK_FORM_MAX_VALUE + 3;
    char *s = malloc(big + 8);
    memcpy(s, "v=", 2);
    memset(s + 2, 'x', VK_FORM_MAX_VALUE);
    s[2 + VK_FORM_MAX_VALUE] = '\0';
    T_EQ_INT(parse(&a, s, p, &n), VK_OK, "a value at the cap is accepted");
    strcat(s, "y");
    T_EQ_INT(parse(&a, s, p, &n), VK_ETOO_LONG, "a value over the cap is refused");
    memset(s, 'k', VK_FORM_MAX_KEY + 1);
    strcpy(s + VK_FORM_MAX_KEY + 1, "=1");
    T_EQ_INT(parse(&a, s, p, &n), VK_ETOO_LONG, "a key over the cap is refused");
    free(s);
    /* %41 three times is 9 bytes of text but 3 decoded: the cap is on the result. */
    char esc[VK_FORM_MAX_KEY * 3 + 8];
    for (int i = 0; i < VK_FORM_MAX_KEY; i++)
        memcpy(esc + 3 * i, "%41", 3);
    strcpy(esc + 3 * VK_FORM_MAX_KEY, "=1");
    T_EQ_INT(parse(&a, esc, p, &n), VK_OK, "the key cap counts decoded bytes");
    vk_arena_fini(&a);
}

int main(void)
{
    test_decoding();
    test_refusals();
    return t_done();
}
