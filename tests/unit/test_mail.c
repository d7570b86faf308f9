/* test_mail.c — the MIME builder of e-mail (src/mail/mime.c): headers,
 * encoded subject, base64 parts that decode to the text, line lengths,
 * unsafe addresses refused, and the HTML part made from the text. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "core/buf.h"
#include "mail/mime.h"

/* The base64 lines after the blank line that follows header, up to the
 * next "--" line, decoded. Caller frees. */
static char *decode_part(const char *msg, const char *header)
{
    const char *p = strstr(msg, header);
    if (!p || !(p = strstr(p, "\r\n\r\n")))
        return NULL;
    p += 4;
    const char *end = strstr(p, "\r\n--");
    if (!end)
        return NULL;
    size_t n = (size_t)(end - p);
    char *out = calloc(1, n + 1);
    size_t len = 0;
    if (sodium_base642bin((unsigned char *)out, n, p, n, "\r\n", &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    return out;
}

static char *header_value(const char *msg, const char *name)
{
    const char *p = strstr(msg, name);
    if (!p)
        return NULL;
    p += strlen(name);
    const char *end = strstr(p, "\r\n");
    char *v = calloc(1, (size_t)(end - p) + 1);
    memcpy(v, p, (size_t)(end - p));
    return v;
}

static void test_message(void)
{
    const char *text = "Hyvä vastaanottaja,\nÄäkkösiä ja pitkä rivi " /* no line limit in base64 */
                       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
                       ".\nrivi pisteellä alussa";
    mail_mime m = {"palaute@kunta.fi", "asukas@example.org",
                   "Palautteesi #12: käsittelyssä — äöå ÄÖÅ € merkkejä tarpeeksi pitkä otsikko",
                   "abc123@kunta.fi", "Sat, 05 Dec 2026 23:00:00 +0000", text,
                   "<p>html</p>", "https://palaute.kunta.fi/api/v1/mail/unsubscribe?t=ff"};
    vk_buf b;
    vk_buf_init(&b, MAIL_TEXT_MAX);
    T_OK(mail_mime_build(&m, &b) == 0, "a message is built");
    const char *msg = b.data;
    T_OK(strstr(msg, "From: <palaute@kunta.fi>\r\n") != NULL, "From header");
    T_OK(strstr(msg, "To: <asukas@example.org>\r\n") != NULL, "To header");
    T_OK(strstr(msg, "Message-ID: <abc123@kunta.fi>\r\n") != NULL, "Message-ID in brackets");
    T_OK(strstr(msg, "MIME-Version: 1.0\r\n") != NULL, "MIME-Version");
    T_OK(strstr(msg, "List-Unsubscribe: <https://palaute.kunta.fi/api/v1/mail/unsubscribe?t=ff>\r\n") != NULL,
         "List-Unsubscribe (RFC 8058)");
    T_OK(strstr(msg, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n") != NULL,
         "List-Unsubscribe-Post (RFC 8058)");
    T_OK(strstr(msg, "multipart/alternative; boundary=\"=_vaikuta_abc123.kunta.fi\"") != NULL,
         "multipart/alternative with its boundary");
    /* Every line ends in CRLF and fits 78 characters (RFC 5322). */
    int long_line = 0, bare_lf = 0;
    for (const char *p = msg, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
        if (nl == msg || nl[-1] != '\r')
            bare_lf = 1;
        if (nl - p - 1 > 78)
            long_line = 1;
    }
    T_OK(!bare_lf, "every line ends in CRLF");
    T_OK(!long_line, "no line is longer than 78 characters");
    /* The subject: encoded words that decode to the original. */
    char *subj = header_value(msg, "Subject: ");
    T_OK(subj && strncmp(subj, "=?UTF-8?B?", 10) == 0, "a non-ASCII subject is an encoded word");
    vk_buf dec;
    vk_buf_init(&dec, MAIL_TEXT_MAX);
    const char *s = strstr(msg, "Subject: ") + 9;
    int words = 0;
    while ((s = strstr(s, "=?UTF-8?B?")) && s < strstr(msg, "Date: ")) {
        s += 10;
        const char *e = strstr(s, "?=");
        unsigned char raw[200];
        size_t len = 0;
        sodium_base642bin(raw, sizeof raw, s, (size_t)(e - s), NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL);
        vk_buf_add(&dec, raw, len);
        words++;
        s = e + 2;
    }
    T_OK(words > 1, "a long subject folds into several words (%d)", words);
    T_EQ_STR(dec.data, m.subject, "the encoded subject decodes to the original, whole characters");
    vk_buf_fini(&dec);
    free(subj);
    char *plain = decode_part(msg, "Content-Type: text/plain; charset=UTF-8");
    T_OK(plain != NULL, "the plain part is base64");
    T_OK(plain && strstr(plain, "Hyvä vastaanottaja,\r\nÄäkkösiä") != NULL,
         "the plain part decodes to the text, lines ending in CRLF");
    T_OK(plain && strstr(plain, "\r\n.\r\nrivi") != NULL, "a lone dot survives");
    free(plain);
    char *html = decode_part(msg, "Content-Type: text/html; charset=UTF-8");
    T_EQ_STR(html, "<p>html</p>", "the HTML part decodes to the HTML");
    free(html);
    T_OK(strstr(msg, "--=_vaikuta_abc123.kunta.fi--\r\n") != NULL, "the closing boundary");
    vk_buf_fini(&b);

    /* A plain ASCII subject stays as it is. */
    m.subject = "Test message";
    m.unsubscribe = NULL;
    vk_buf_init(&b, MAIL_TEXT_MAX);
    T_OK(mail_mime_build(&m, &b) == 0 && strstr(b.data, "Subject: Test message\r\n"),
         "an ASCII subject is left as it is");
    T_OK(strstr(b.data, "List-Unsubscribe") == NULL, "no unsubscribe headers without a link");
    vk_buf_fini(&b);
}

static void test_unsafe(void)
{
    T_OK(mail_address_safe("a.b+c@example.org"), "a plain address is safe");
    T_OK(!mail_address_safe("a@b\r\nBcc: x@y.z"), "a line break is refused");
    T_OK(!mail_address_safe("<a@b.c>"), "brackets are refused");
    T_OK(!mail_address_safe("a@b.c,d@e.f"), "a list is refused");
    T_OK(!mail_address_safe("a b@c.d"), "a space is refused");
    T_OK(!mail_address_safe("ab.cd"), "no @ is refused");
    T_OK(!mail_address_safe("a@b@c"), "two @ are refused");
    mail_mime m = {"palaute@kunta.fi", "x@y.z\r\nBcc: evil@example.org", "s", "id@kunta.fi",
                   "Sat, 05 Dec 2026 23:00:00 +0000", "t", "h", NULL};
    vk_buf b;
    vk_buf_init(&b, MAIL_TEXT_MAX);
    T_OK(mail_mime_build(&m, &b) == -1, "a header injection in To is refused");
    m.to = "x@y.z";
    m.message_id = "id@kunta.fi>\r\nBcc: evil@example.org";
    T_OK(mail_mime_build(&m, &b) == -1, "a header injection in Message-ID is refused");
    m.message_id = "id@kunta.fi";
    m.subject = "Line\r\nBcc: evil@example.org";
    vk_buf_reset(&b);
    T_OK(mail_mime_build(&m, &b) == 0 && strstr(b.data, "\r\nBcc:") == NULL,
         "a line break in the subject cannot start a header");
    vk_buf_fini(&b);
}

static void test_html(void)
{
    vk_buf b;
    vk_buf_init(&b, MAIL_TEXT_MAX);
    mail_html_from_text("Hei <b>&</b>\nrivi 2\n\nLinkki: https://x.fi/follow.html#abc.\n\nLoppu",
                        "fi", "Otsikko <x>", &b);
    T_OK(strstr(b.data, "<html lang=\"fi\">") != NULL, "the document says its language");
    T_OK(strstr(b.data, "<title>Otsikko &lt;x&gt;</title>") != NULL, "the title is escaped");
    T_OK(strstr(b.data, "<p>Hei &lt;b&gt;&amp;&lt;/b&gt;<br>\nrivi 2</p>") != NULL,
         "text is escaped, line breaks are <br>");
    T_OK(strstr(b.data, "<a href=\"https://x.fi/follow.html#abc\">https://x.fi/follow.html#abc</a>.") != NULL,
         "an address is a link, without the sentence's full stop");
    T_OK(strstr(b.data, "<p>Loppu</p>") != NULL, "paragraphs are <p>");
    T_OK(strstr(b.data, "<b>") == NULL, "no markup comes from the text");
    vk_buf_fini(&b);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    test_message();
    test_unsafe();
    test_html();
    return t_done();
}
