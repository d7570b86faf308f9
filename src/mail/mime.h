/*
 * mime.h — one e-mail as text for the relay (RFC 5322 with MIME): UTF-8
 * multipart/alternative with a plain-text part and a simple HTML part,
 * both base64 (any line length, any character, nothing a relay rewrites),
 * a Subject in an RFC 2047 encoded word when it is not plain ASCII, and
 * the RFC 8058 one-click unsubscribe headers. Also the HTML part made
 * from the plain text, so the two always say the same.
 */
#ifndef VK_MAIL_MIME_H
#define VK_MAIL_MIME_H

#include "core/buf.h"

/* The cap of one message's text and of the whole message built. */
#define MAIL_TEXT_MAX (1024 * 1024)

typedef struct mail_mime {
    const char *from;        /* an address, e.g. palaute@kunta.fi */
    const char *to;          /* an address (mail_address_safe) */
    const char *subject;     /* UTF-8; line breaks become spaces */
    const char *message_id;  /* without angle brackets */
    const char *date;        /* RFC 5322 date, e.g. "Sat, 05 Dec 2026 23:00:00 +0000" */
    const char *text;        /* UTF-8, lines separated by \n */
    const char *html;        /* UTF-8 HTML document */
    const char *unsubscribe; /* the one-click URL, or NULL for none */
} mail_mime;

/* The whole message, lines ending in CRLF, appended to out; 0, or -1 when
 * a header would be unsafe (an address with a line break or brackets) or
 * out failed. */
int mail_mime_build(const mail_mime *m, vk_buf *out);

/* 1 if s is an address that can stand in a header and an SMTP command as
 * it is: one @, no spaces, controls, brackets, quotes, commas or
 * semicolons, at most 254 bytes. */
int mail_address_safe(const char *s);

/* A small HTML document in language lang saying text: its paragraphs
 * (separated by blank lines) as <p>, line breaks as <br>, every http(s)
 * address a link; everything escaped. Appended to out. */
void mail_html_from_text(const char *text, const char *lang, const char *title, vk_buf *out);

#endif
