/* mime.c — e-mail text for the relay (see mime.h). */
#include "mail/mime.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Bytes of a base64 line (RFC 2045: at most 76 characters). */
#define B64_LINE 57
/* Bytes of the subject in one encoded word (RFC 2047: 75 characters). */
#define WORD_BYTES 42

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(vk_buf *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {b64[(v >> 18) & 63], b64[(v >> 12) & 63],
                     i + 1 < n ? b64[(v >> 6) & 63] : '=', i + 2 < n ? b64[v & 63] : '='};
        vk_buf_add(out, q, 4);
    }
}

/* A body part: text with \n line ends becomes CRLF text, in base64 lines. */
static void base64_body(vk_buf *out, const char *text)
{
    vk_buf crlf;
    vk_buf_init(&crlf, MAIL_TEXT_MAX);
    for (const char *p = text; *p; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r'))
            vk_buf_putc(&crlf, '\r');
        vk_buf_putc(&crlf, *p);
    }
    const unsigned char *d = (const unsigned char *)(crlf.data ? crlf.data : "");
    for (size_t i = 0; i < crlf.len; i += B64_LINE) {
        base64(out, d + i, crlf.len - i < B64_LINE ? crlf.len - i : B64_LINE);
        vk_buf_puts(out, "\r\n");
    }
    if (!vk_buf_ok(&crlf))
        out->failed = 1;
    vk_buf_fini(&crlf);
}

int mail_address_safe(const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n == 0 || n > 254 || !at || at == s || !at[1] || strchr(at + 1, '@'))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("<>()[],;:\"\\", *p))
            return 0;
    return 1;
}

/* Subject: as it is when printable ASCII, else encoded words of whole
 * UTF-8 characters on folded lines. Line breaks become spaces. */
static void subject_header(vk_buf *out, const char *s)
{
    int plain = strlen(s) < 900;
    for (const unsigned char *p = (const unsigned char *)s; *p && plain; p++)
        plain = *p >= ' ' && *p < 0x7f;
    vk_buf_puts(out, "Subject: ");
    if (plain) {
        vk_buf_puts(out, s);
        vk_buf_puts(out, "\r\n");
        return;
    }
    unsigned char word[WORD_BYTES + 4];
    size_t n = 0;
    int first = 1;
    for (const unsigned char *p = (const unsigned char *)s;; ) {
        size_t len = 1;
        if (*p >= 0xc0)
            while (p[len] && (p[len] & 0xc0) == 0x80 && len < 4)
                len++;
        if (!*p || n + len > WORD_BYTES) {
            if (n) {
                vk_buf_puts(out, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
                base64(out, word, n);
                vk_buf_puts(out, "?=");
                first = 0;
                n = 0;
            }
            if (!*p)
                break;
        }
        for (size_t i = 0; i < len; i++)
            word[n++] = (p[i] == '\r' || p[i] == '\n') ? ' ' : p[i];
        p += len;
    }
    vk_buf_puts(out, "\r\n");
}

int mail_mime_build(const mail_mime *m, vk_buf *out)
{
    if (!mail_address_safe(m->from) || !mail_address_safe(m->to) || !m->message_id ||
        strpbrk(m->message_id, "\r\n<> ") || (m->unsubscribe && strpbrk(m->unsubscribe, "\r\n<> ")))
        return -1;
    /* "=_" never occurs in base64, so the parts cannot contain it. */
    char boundary[96];
    size_t bn = strlen(m->message_id);
    snprintf(boundary, sizeof boundary, "=_vaikuta_%.*s", (int)(bn > 60 ? 60 : bn),
             m->message_id);
    for (char *p = boundary; *p; p++)
        if (*p == '@')
            *p = '.';
    vk_buf_printf(out, "From: <%s>\r\nTo: <%s>\r\n", m->from, m->to);
    subject_header(out, m->subject ? m->subject : "");
    vk_buf_printf(out, "Date: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n", m->date,
                  m->message_id);
    vk_buf_puts(out, "Auto-Submitted: auto-generated\r\n");
    if (m->unsubscribe)
        vk_buf_printf(out,
                      "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                      m->unsubscribe);
    vk_buf_printf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
    vk_buf_printf(out, "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
    base64_body(out, m->text ? m->text : "");
    vk_buf_printf(out, "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
    base64_body(out, m->html ? m->html : "");
    vk_buf_printf(out, "--%s--\r\n", boundary);
    return vk_buf_ok(out) ? 0 : -1;
}

static void html_escape(vk_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': vk_buf_puts(out, "&amp;"); break;
        case '<': vk_buf_puts(out, "&lt;"); break;
        case '>': vk_buf_puts(out, "&gt;"); break;
        case '"': vk_buf_puts(out, "&quot;"); break;
        case '\'': vk_buf_puts(out, "&#39;"); break;
        default: vk_buf_putc(out, s[i]);
        }
    }
}

/* One paragraph's text: line breaks as <br>, addresses as links. */
static void html_inline(vk_buf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *rest = s + i;
        if ((n - i > 8 && strncmp(rest, "https://", 8) == 0) ||
            (n - i > 7 && strncmp(rest, "http://", 7) == 0)) {
            size_t j = i;
            while (j < n && s[j] != ' ' && s[j] != '\n' && s[j] != '<' && s[j] != '>' &&
                   s[j] != '"')
                j++;
            /* A sentence's full stop is not part of the address. */
            while (j > i && strchr(".,)", s[j - 1]))
                j--;
            vk_buf_puts(out, "<a href=\"");
            html_escape(out, rest, j - i);
            vk_buf_puts(out, "\">");
            html_escape(out, rest, j - i);
            vk_buf_puts(out, "</a>");
            i = j;
        } else if (s[i] == '\n') {
            vk_buf_puts(out, "<br>\n");
            i++;
        } else {
            size_t j = i;
            while (j < n && s[j] != '\n' && strncmp(s + j, "http://", 7) != 0 &&
                   strncmp(s + j, "https://", 8) != 0)
                j++;
            html_escape(out, rest, j - i);
            i = j;
        }
    }
}

void mail_html_from_text(const char *text, const char *lang, const char *title, vk_buf *out)
{
    vk_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"");
    html_escape(out, lang, strlen(lang));
    vk_buf_puts(out, "\"><head><meta charset=\"utf-8\"><title>");
    html_escape(out, title, strlen(title));
    vk_buf_puts(out, "</title></head>\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n");
    const char *p = text;
    while (*p) {
        while (*p == '\n')
            p++;
        if (!*p)
            break;
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        vk_buf_puts(out, "<p>");
        html_inline(out, p, n);
        vk_buf_puts(out, "</p>\n");
        p += n;
    }
    vk_buf_puts(out, "</body></html>\n");
}
