/* format.c — XML escaping and iCalendar lines (format.h). */
#include "feeds/format.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

int feeds_xml_text(vk_buf *b, const char *s)
{
    if (!s)
        return 0;
    int r = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '&': r |= vk_buf_puts(b, "&amp;"); break;
        case '<': r |= vk_buf_puts(b, "&lt;"); break;
        case '>': r |= vk_buf_puts(b, "&gt;"); break;
        case '"': r |= vk_buf_puts(b, "&quot;"); break;
        case '\'': r |= vk_buf_puts(b, "&apos;"); break;
        default:
            if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
                r |= vk_buf_putc(b, (char)c);
        }
    }
    return r ? -1 : 0;
}

int feeds_ics_text(vk_buf *b, const char *s)
{
    if (!s)
        return 0;
    int r = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\\' || c == ';' || c == ',') {
            r |= vk_buf_putc(b, '\\');
            r |= vk_buf_putc(b, (char)c);
        } else if (c == '\n') {
            r |= vk_buf_puts(b, "\\n");
        } else if (c == '\r') {
            if (p[1] != '\n')
                r |= vk_buf_puts(b, "\\n");
        } else if (c >= 0x20 && c != 0x7f) {
            r |= vk_buf_putc(b, (char)c);
        }
    }
    return r ? -1 : 0;
}

int feeds_ics_fold(vk_buf *b, const char *line, size_t n)
{
    int r = 0;
    size_t room = 75; /* octets left on this physical line */
    size_t i = 0;
    while (i < n) {
        /* the whole UTF-8 character at i */
        size_t k = 1;
        while (i + k < n && ((unsigned char)line[i + k] & 0xC0) == 0x80)
            k++;
        if (k > room) {
            r |= vk_buf_puts(b, "\r\n ");
            room = 74; /* the leading space is one of the 75 */
        }
        r |= vk_buf_add(b, line + i, k);
        room -= k;
        i += k;
    }
    r |= vk_buf_puts(b, "\r\n");
    return r ? -1 : 0;
}

int feeds_ics_datetime(const char *s, char out[17])
{
    out[0] = '\0';
    int64_t t = s ? vk_rfc3339_seconds(s) : -1;
    if (t < 0)
        return -1;
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return -1;
    if (!strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm))
        return -1;
    return 0;
}

int feeds_ics_date(const char *s, char out[9])
{
    out[0] = '\0';
    if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    memcpy(out, s, 4);
    memcpy(out + 4, s + 5, 2);
    memcpy(out + 6, s + 8, 2);
    out[8] = '\0';
    return 0;
}
