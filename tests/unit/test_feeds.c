/* test_feeds.c — the feed formats' text rules (feeds/format.h). */
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "core/buf.h"
#include "feeds/format.h"

static void test_xml(void)
{
    vk_buf b;
    vk_buf_init(&b, 1024);
    feeds_xml_text(&b, "a<b>&\"c'\x01\td");
    T_EQ_STR(b.data, "a&lt;b&gt;&amp;&quot;c&apos;\td", "escaped, control character dropped");
    vk_buf_fini(&b);
}

static void test_ics_text(void)
{
    vk_buf b;
    vk_buf_init(&b, 1024);
    feeds_ics_text(&b, "a,b;c\\d\r\ne\nf");
    T_EQ_STR(b.data, "a\\,b\\;c\\\\d\\ne\\nf", "TEXT escaping");
    vk_buf_fini(&b);
}

/* Every physical line ≤ 75 octets, CRLF-ended, no UTF-8 character cut,
 * and unfolding gives the line back. */
static void test_fold(void)
{
    char line[400];
    strcpy(line, "SUMMARY:");
    for (int i = 0; i < 60; i++)
        strcat(line, i % 3 ? "ä" : "x"); /* 2-octet characters straddle the limit */
    strcat(line, " loppu");
    vk_buf b;
    vk_buf_init(&b, 4096);
    feeds_ics_fold(&b, line, strlen(line));
    T_OK(vk_buf_ok(&b), "folded");
    int lines = 0, ok = 1;
    char unfolded[400] = "";
    for (char *p = b.data; *p;) {
        char *end = strstr(p, "\r\n");
        if (!end) {
            ok = 0;
            break;
        }
        size_t n = (size_t)(end - p);
        if (n > 75)
            ok = 0;
        if (lines && *p != ' ')
            ok = 0;
        if (((unsigned char)end[-1] & 0xC0) == 0xC0) /* a lead byte last: cut */
            ok = 0;
        strncat(unfolded, p + (lines ? 1 : 0), n - (lines ? 1 : 0));
        lines++;
        p = end + 2;
    }
    T_OK(ok, "lines of at most 75 octets, continuations start with a space");
    T_OK(lines >= 2, "the long line was folded (%d lines)", lines);
    T_EQ_STR(unfolded, line, "unfolding gives the line back");
    vk_buf_fini(&b);
}

static void test_dates(void)
{
    char dt[17], d[9];
    T_EQ_INT(feeds_ics_datetime("2026-01-12T06:00:00Z", dt), 0, "date-time");
    T_EQ_STR(dt, "20260112T060000Z", "basic form");
    T_EQ_INT(feeds_ics_date("2026-05-12", d), 0, "date");
    T_EQ_STR(d, "20260512", "basic date");
    T_EQ_INT(feeds_ics_date("2026-5-12", d), -1, "bad date refused");
    T_EQ_INT(feeds_ics_datetime("yesterday", dt), -1, "bad date-time refused");
}

int main(void)
{
    test_xml();
    test_ics_text();
    test_fold();
    test_dates();
    return t_done();
}
