/* test_params.c — the query-parameter layer (http/params.h) and the clock:
 * good, bad, out-of-range, empty and overflowing values, and RFC 3339 and
 * HTTP-date round trips. */
#include <stdint.h>
#include <stdlib.h>

#include "core/clock.h"
#include "http/params.h"
#include "t.h"

static vk_arena arena;
static vk_req req;
static vk_errinfo ei;

/* A request whose query is the one parameter key=value (value NULL: none). */
static const vk_req *query(const char *key, const char *value)
{
    memset(&req, 0, sizeof req);
    vk_arena_reset(&arena);
    req.arena = &arena;
    if (value) {
        req.params[0] = (vk_param){key, value};
        req.nparams = 1;
    }
    vk_errinfo_clear(&ei);
    return &req;
}

static void test_int(void)
{
    long long v = 7;
    T_EQ_INT(vk_param_int(query("n", NULL), "n", 1, 10, VK_PARAM_BETWEEN, &v, &ei), VK_OK,
             "absent is fine");
    T_EQ_INT(v, 7, "and keeps the default");
    T_EQ_INT(vk_param_int(query("n", "5"), "n", 1, 10, VK_PARAM_BETWEEN, &v, &ei), VK_OK, "5");
    T_EQ_INT(v, 5, "5 is read");
    T_EQ_INT(vk_param_int(query("n", "-3"), "n", -5, 10, VK_PARAM_BETWEEN, &v, &ei), VK_OK,
             "a negative number");
    T_EQ_INT(v, -3, "-3 is read");
    const char *bad[] = {"", "+5", " 5", "5 ", "1.5", "abc", "0x10", "-", "5e2", NULL};
    for (int i = 0; bad[i]; i++) {
        v = 7;
        T_EQ_INT(vk_param_int(query("n", bad[i]), "n", -10, 10, VK_PARAM_BETWEEN, &v, &ei),
                 VK_EPARAM, "'%s' is not a whole number", bad[i]);
        T_OK(v == 7 && strcmp(ei.field, "n") == 0, "'%s' names n, keeps the value", bad[i]);
    }
    T_EQ_STR(ei.message, "n must be a whole number", "the message");
    vk_param_int(query("limit", "0"), "limit", 1, 10, VK_PARAM_BETWEEN, &v, &ei);
    T_EQ_STR(ei.message, "limit must be between 1 and 10", "below the range (between)");
    vk_param_int(query("limit", "11"), "limit", 1, 10, VK_PARAM_BETWEEN, &v, &ei);
    T_EQ_STR(ei.message, "limit must be between 1 and 10", "above the range (between)");
    T_EQ_INT(vk_param_int(query("n", "99999999999999999999"), "n", 1, 10, VK_PARAM_BETWEEN, &v,
                          &ei),
             VK_EPARAM, "overflow is refused");

    T_EQ_INT(vk_param_int(query("limit", "20000"), "limit", 1, 10000, VK_PARAM_CLAMP, &v, &ei),
             VK_OK, "clamp: above the maximum is fine");
    T_EQ_INT(v, 10000, "and clamped");
    T_EQ_INT(vk_param_int(query("limit", "99999999999999999999"), "limit", 1, 10000,
                          VK_PARAM_CLAMP, &v, &ei),
             VK_OK, "clamp: an overflowing limit is clamped too");
    T_EQ_INT(v, 10000, "to the maximum");
    T_EQ_INT(vk_param_int(query("limit", "0"), "limit", 1, 10000, VK_PARAM_CLAMP, &v, &ei),
             VK_EPARAM, "clamp: below the minimum is refused");
    T_EQ_STR(ei.message, "limit must be at least 1", "with its message");
    T_EQ_INT(vk_param_int(query("limit", "-99999999999999999999"), "limit", 1, 10000,
                          VK_PARAM_CLAMP, &v, &ei),
             VK_EPARAM, "clamp: negative overflow is refused");

    T_EQ_INT(vk_param_int(query("offset", "1000000000000"), "offset", 0, 1000000000000LL,
                          VK_PARAM_FROM_TO, &v, &ei),
             VK_OK, "from-to: the maximum itself");
    T_EQ_INT(v, 1000000000000LL, "is read");
    const char *bad2[] = {"-1", "1000000000001", "x", "", NULL};
    for (int i = 0; bad2[i]; i++) {
        T_EQ_INT(vk_param_int(query("offset", bad2[i]), "offset", 0, 1000000000000LL,
                              VK_PARAM_FROM_TO, &v, &ei),
                 VK_EPARAM, "from-to: '%s' is refused", bad2[i]);
        T_EQ_STR(ei.message, "offset must be a whole number from 0 to 1000000000000",
                 "with the one message");
    }
}

static void test_number(void)
{
    double d = 50;
    T_EQ_INT(vk_param_number(query("r", NULL), "r", 1, 200, VK_PARAM_FROM_TO, &d, &ei), VK_OK,
             "absent number");
    T_OK(d == 50, "keeps the default");
    T_EQ_INT(vk_param_number(query("lat", "61.19"), "lat", -90, 90, VK_PARAM_FROM_TO, &d, &ei),
             VK_OK, "a decimal");
    T_NEAR(d, 61.19, 1e-12, "is read");
    const char *bad[] = {"", " 1", "north", "nan", "inf", "1e999", "1,5", "1 ", NULL};
    for (int i = 0; bad[i]; i++) {
        T_EQ_INT(vk_param_number(query("lat", bad[i]), "lat", -90, 90, VK_PARAM_FROM_TO, &d, &ei),
                 VK_EPARAM, "'%s' is not a number", bad[i]);
        T_EQ_STR(ei.message, "lat must be a number", "with its message");
    }
    vk_param_number(query("lat", "91"), "lat", -90, 90, VK_PARAM_FROM_TO, &d, &ei);
    T_EQ_STR(ei.message, "lat must be from -90 to 90", "out of range (from-to)");
    vk_param_number(query("lat", "-90.5"), "lat", -90, 90, VK_PARAM_BETWEEN, &d, &ei);
    T_EQ_STR(ei.message, "lat must be between -90 and 90", "out of range (between)");
    T_EQ_INT(vk_param_number_value("0", "radius", 0, 500, VK_PARAM_BETWEEN, &d, &ei), VK_OK,
             "a value from a form, at the bound");
}

static void test_bool_crs(void)
{
    int b = -1;
    T_EQ_INT(vk_param_bool(query("x", NULL), "x", &b, &ei), VK_OK, "absent bool");
    T_EQ_INT(b, -1, "keeps the default");
    vk_param_bool(query("x", "true"), "x", &b, &ei);
    T_EQ_INT(b, 1, "true");
    vk_param_bool(query("x", "false"), "x", &b, &ei);
    T_EQ_INT(b, 0, "false");
    const char *bad[] = {"", "TRUE", "1", "yes", "truex", NULL};
    for (int i = 0; bad[i]; i++)
        T_EQ_INT(vk_param_bool(query("x", bad[i]), "x", &b, &ei), VK_EPARAM, "'%s' is refused",
                 bad[i]);
    T_EQ_STR(ei.message, "x must be true or false", "with its message");

    gis_crs c = GIS_CRS_3067;
    T_EQ_INT(vk_param_crs(query("crs", NULL), "crs", "why", &c, &ei), VK_OK, "absent CRS");
    T_EQ_INT(c, GIS_CRS_CRS84, "is CRS84");
    T_EQ_INT(vk_param_crs(query("crs", "http://www.opengis.net/def/crs/EPSG/0/3067"), "crs", "why",
                          &c, &ei),
             VK_OK, "EPSG:3067 as a URI");
    T_EQ_INT(c, GIS_CRS_3067, "is read");
    T_EQ_INT(vk_param_crs(query("bbox-crs", "nonsense"), "bbox-crs", "unsupported CRS", &c, &ei),
             VK_EPARAM, "an unknown CRS");
    T_EQ_STR(ei.message, "bbox-crs: unsupported CRS", "says the caller's words");
    T_EQ_STR(ei.field, "bbox-crs", "and names the parameter");
}

static void test_time_interval(void)
{
    char t[VK_RFC3339_LEN];
    T_EQ_INT(vk_param_time(query("start", NULL), "start", 0, "a date", t, &ei), VK_OK, "absent time");
    T_EQ_STR(t, "", "is empty");
    vk_param_time(query("start", "2026-03-01"), "start", 0, "a date", t, &ei);
    T_EQ_STR(t, "2026-03-01T00:00:00Z", "a start date is the day's start");
    vk_param_time(query("end", "2026-03-01"), "end", 1, "a date", t, &ei);
    T_EQ_STR(t, "2026-03-01T23:59:59Z", "an end date is the day's end");
    vk_param_time(query("end", "2026-03-01T14:00:00+02:00"), "end", 1, "a date", t, &ei);
    T_EQ_STR(t, "2026-03-01T12:00:00Z", "a date-time is normalised");
    const char *bad[] = {"", "yesterday", "2026-02-30", "2026-03-01T25:00:00Z",
                         "2026-03-01T12:00:00.0000000000000000000000000000000000000000000000Z",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        T_EQ_INT(vk_param_time(query("start", bad[i]), "start", 0, "a date", t, &ei), VK_EPARAM,
                 "'%.30s' is refused", bad[i]);
        T_EQ_STR(ei.message, "start must be a date", "with the caller's words");
    }

    vk_interval iv;
    T_EQ_INT(vk_param_interval(query("datetime", NULL), "datetime", &iv, &ei), VK_OK, "absent interval");
    T_EQ_INT(iv.given, 0, "is not given");
    vk_param_interval(query("datetime", "2026-03-01"), "datetime", &iv, &ei);
    T_OK(iv.given && strcmp(iv.start, "2026-03-01T00:00:00Z") == 0 &&
             strcmp(iv.end, "2026-03-01T23:59:59Z") == 0,
         "a date is that whole day");
    vk_param_interval(query("datetime", "2026-03-01T12:00:00Z"), "datetime", &iv, &ei);
    T_OK(strcmp(iv.start, iv.end) == 0, "an instant is one second");
    vk_param_interval(query("datetime", "../2026-03-01"), "datetime", &iv, &ei);
    T_OK(!iv.start[0] && strcmp(iv.end, "2026-03-01T23:59:59Z") == 0, "an open start");
    vk_param_interval(query("datetime", "2026-03-01/"), "datetime", &iv, &ei);
    T_OK(strcmp(iv.start, "2026-03-01T00:00:00Z") == 0 && !iv.end[0], "an open end");
    const char *bad2[] = {"", "..", "../..", "/", "2026-03-01/2026-03-02/2026-03-03", "x/..", NULL};
    for (int i = 0; bad2[i]; i++) {
        T_EQ_INT(vk_param_interval(query("datetime", bad2[i]), "datetime", &iv, &ei), VK_EPARAM,
                 "'%s' is refused", bad2[i]);
        T_EQ_STR(ei.message,
                 "datetime must be an RFC 3339 instant or an interval start/end, with .. for an open end",
                 "with its message");
    }
    T_EQ_INT(vk_param_interval(query("datetime", "2026-03-02/2026-03-01"), "datetime", &iv, &ei),
             VK_EPARAM, "an interval backwards");
    T_EQ_STR(ei.message, "datetime: the interval ends before it starts", "says so");
}

static void test_bbox_list(gis_proj *p)
{
    double out[4];
    int has = 7;
    T_EQ_INT(vk_param_bbox(query("bbox", NULL), "bbox", p, GIS_CRS_CRS84, 0, out, &has, &ei),
             VK_OK, "absent bbox");
    T_EQ_INT(has, 0, "is not there");
    T_EQ_INT(vk_param_bbox(query("bbox", "28.6,61.1,28.95,61.3"), "bbox", p, GIS_CRS_CRS84, 0, out,
                           &has, &ei),
             VK_OK, "a bbox");
    T_OK(has && fabs(out[0] - 28.6) < 1e-9 && fabs(out[3] - 61.3) < 1e-9, "is read as lon/lat");
    T_EQ_INT(vk_param_bbox(query("bbox", "28.6,61.1,0,28.95,61.3,100"), "bbox", p, GIS_CRS_CRS84,
                           1, out, &has, &ei),
             VK_OK, "6 numbers where allowed");
    T_OK(fabs(out[2] - 28.95) < 1e-9, "drop the heights");
    T_EQ_INT(vk_param_bbox(query("bbox", "61.1,28.6,61.3,28.95"), "bbox", p, GIS_CRS_4326, 0, out,
                           &has, &ei),
             VK_OK, "EPSG:4326 is latitude first");
    T_OK(fabs(out[0] - 28.6) < 1e-9 && fabs(out[1] - 61.1) < 1e-9, "and comes back as lon/lat");
    struct {
        const char *q;
        int allow6;
        const char *msg;
    } bad[] = {
        {"1,2,3", 0, "bbox must have 4 numbers, not 3"},
        {"1,2,3,4,5,6", 0, "bbox must have 4 numbers, not 6"},
        {"1,2,3,4,5", 1, "bbox must have 4 or 6 numbers, not 5"},
        {"1,2,3,4,5,6,7", 1, "bbox must be 4 or 6 numbers separated by commas"},
        {"a,b,c,d", 0, "bbox: number 1 is not a number"},
        {"1,2,,4", 0, "bbox: number 3 is not a number"},
        {"1;2;3;4", 0, "bbox must be numbers separated by commas"},
        {"", 0, "bbox must be 4 numbers separated by commas"},
        {"29,61,28,62", 0,
         "bbox: the lower corner must come first (boxes across the antimeridian are not supported)"},
        {"0,0,200,1", 0, "bbox is outside -180…180 longitude or -90…90 latitude"},
        {"1,2,inf,4", 0, "bbox: number 3 is not a number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        T_EQ_INT(vk_param_bbox(query("bbox", bad[i].q), "bbox", p, GIS_CRS_CRS84, bad[i].allow6,
                               out, &has, &ei),
                 VK_EPARAM, "bbox '%s' is refused", bad[i].q);
        T_EQ_STR(ei.message, bad[i].msg, "with its message");
    }

    /* OGC API's boxes across the antimeridian: two boxes. */
    double two[2][4];
    int nb = 9;
    T_EQ_INT(vk_param_bbox_split(query("bbox", "170,60,-170,62"), "bbox", p, GIS_CRS_CRS84, 1, two,
                                 &nb, &ei),
             VK_OK, "a box across the antimeridian");
    T_EQ_INT(nb, 2, "is two boxes");
    T_OK(two[0][0] == 170 && two[0][2] == 180 && two[1][0] == -180 && two[1][2] == -170 &&
             two[0][1] == 60 && two[1][3] == 62,
         "west edge to 180 and -180 to the east edge");
    T_EQ_INT(vk_param_bbox_split(query("bbox", "60,170,62,-170"), "bbox", p, GIS_CRS_4326, 0, two,
                                 &nb, &ei),
             VK_OK, "EPSG:4326 across the antimeridian");
    T_OK(nb == 2 && two[0][0] == 170 && two[1][2] == -170 && two[0][1] == 60,
         "latitude first, split on the longitudes");
    T_EQ_INT(vk_param_bbox_split(query("bbox", "28,61,29,62"), "bbox", p, GIS_CRS_CRS84, 0, two,
                                 &nb, &ei),
             VK_OK, "an ordinary box");
    T_EQ_INT(nb, 1, "is one box");
    T_EQ_INT(vk_param_bbox_split(query("bbox", "28,62,29,61"), "bbox", p, GIS_CRS_CRS84, 0, two,
                                 &nb, &ei),
             VK_EPARAM, "latitudes upside down are refused");
    T_EQ_INT(vk_param_bbox_split(query("bbox", "600000,6780000,500000,6790000"), "bbox", p,
                                 GIS_CRS_3067, 0, two, &nb, &ei),
             VK_EPARAM, "a projected box is never across the antimeridian");
    T_EQ_INT(vk_param_bbox_split(query("bbox", "170,60,-190,62"), "bbox", p, GIS_CRS_CRS84, 0, two,
                                 &nb, &ei),
             VK_EPARAM, "longitudes stay within -180…180");

    const char *items[3];
    int n = 9;
    T_EQ_INT(vk_param_list(query("status", NULL), "status", 100, 3, items, &n, &ei), VK_OK,
             "absent list");
    T_EQ_INT(n, 0, "is empty");
    T_EQ_INT(vk_param_list(query("status", "a,bb,c"), "status", 100, 3, items, &n, &ei), VK_OK,
             "a list");
    T_OK(n == 3 && strcmp(items[0], "a") == 0 && strcmp(items[1], "bb") == 0 &&
             strcmp(items[2], "c") == 0,
         "is split");
    const char *bad2[] = {"", ",a", "a,", "a,,b", "aaaaaaaaaaa", NULL};
    for (int i = 0; bad2[i]; i++) {
        T_EQ_INT(vk_param_list(query("status", bad2[i]), "status", 10, 3, items, &n, &ei),
                 VK_EPARAM, "list '%s' is refused", bad2[i]);
        T_EQ_STR(ei.message, "status must be a comma-separated list", "with its message");
    }
    T_EQ_INT(vk_param_list(query("status", "a,b,c,d"), "status", 100, 3, items, &n, &ei),
             VK_EPARAM, "too many values");
    T_EQ_STR(ei.message, "status: at most 3 values", "says how many");
}

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
    vk_arena_init(&arena, 1 << 16);
    gis_proj *p = NULL;
    if (gis_proj_new(&p) != VK_OK) {
        printf("Bail out! no PROJ context\n");
        return 1;
    }
    test_times();
    test_clock();
    test_int();
    test_number();
    test_bool_crs();
    test_time_interval();
    test_bbox_list(p);
    gis_proj_free(p);
    vk_arena_fini(&arena);
    return t_done();
}
