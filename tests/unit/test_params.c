/* test_params.c — the query-parameter layer (http/params.h) and the clock:
 * good, bad, out-of-range, empty and overflowing values, and RFC 3339 and
 * HTTP-date round trips. */
#include <stdint.h>
#include <stdlib.h>

#include "core/clock.h"
#include "t.h"

static void test_times(void)
{
    T_EQ_INT(vk_rfc3339_seconds("1970-01-01T00:00:00Z"), 0, "epoch");
    T_EQ_INT(vk_rfc3339_seconds("2026-03-01T12:00:00Z"), 1772366400, "2026-03-01T12:00Z");
    T_EQ_INT(vk_rfc3339_seconds("2024-02-29T00:00:00Z"), 1709164800, "leap day");
    T_EQ_INT(vk_rfc3339_seconds("2026-13-01T00:00:00Z"), -1, "month 13 is refused");
    T_EQ_INT(vk_rfc3339_seconds("yesterday"), -1, "text is refused");
}

static void test_clock(void)
{
    char s[VK_RFC3339_LEN], n[VK_RFC3339_LEN];
    vk_rfc3339_of(0, s);
    T_EQ_STR(s, "1970-01-01T00:00:00Z", "epoch formats");
    vk_rfc3339_of(1772366400, s);
    T_EQ_STR(s, "2026-03-01T12:00:00Z", "a date-time formats");
    T_EQ_INT(vk_rfc3339_seconds(s), 1772366400, "and parses back");
    for (int64_t t = -86400LL * 366 * 3; t < 86400LL * 366 * 200; t += 86400LL * 37 + 3611) {
        vk_rfc3339_of(t, s);
        if (vk_rfc3339_seconds(s) != t) {
            T_EQ_INT(vk_rfc3339_seconds(s), t, "round trip of %s", s);
            break;
        }
    }
    T_OK(1, "format/parse round trips from 1967 to 2170");
    T_EQ_INT(vk_rfc3339_normalise("2026-03-01T14:30:00.250+02:30", n), 0, "an offset parses");
    T_EQ_STR(n, "2026-03-01T12:00:00Z", "and normalises to UTC seconds");
    T_EQ_INT(vk_rfc3339_normalise("2026-02-29T00:00:00Z", n), -1, "29 February of 2026 is refused");
    T_EQ_INT(vk_rfc3339_normalise("2026-03-01", n), -1, "a date alone is not a date-time");
    T_EQ_INT(vk_rfc3339_normalise("", n), -1, "empty is refused");

    int y, m, d;
    for (int64_t day = -800000; day < 800000; day += 997) {
        vk_civil_from_days(day, &y, &m, &d);
        if (vk_days_from_civil(y, m, d) != day) {
            T_EQ_INT(vk_days_from_civil(y, m, d), day, "civil round trip");
            break;
        }
    }
    T_OK(1, "civil days round trip over ±2000 years");
    vk_civil_from_days(vk_days_from_civil(2000, 2, 29), &y, &m, &d);
    T_OK(y == 2000 && m == 2 && d == 29, "2000-02-29 is a day");

    char h[VK_HTTP_DATE_LEN];
    int64_t back = 0;
    vk_http_date(784111777, h);
    T_EQ_STR(h, "Sun, 06 Nov 1994 08:49:37 GMT", "HTTP date of RFC 9110's example");
    T_EQ_INT(vk_http_date_parse(h, &back), 0, "HTTP date parses");
    T_EQ_INT(back, 784111777, "HTTP date round trip");
    T_EQ_INT(vk_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT junk", &back), -1,
             "trailing text is refused");
    T_EQ_INT(vk_http_date_parse("", &back), -1, "empty HTTP date is refused");
}

int main(void)
{
    test_times();
    test_clock();
    return t_done();
}
