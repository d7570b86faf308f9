/*
 * test_crs.c — unit tests for src/gis/crs.c: CRS URI parsing, the axis
 * order of each CRS, point transforms against cs2cs (PROJ 9.1), densified
 * bboxes, GeoJSON in each CRS, and WKB transformed in place (round trips,
 * both byte orders, every truncation).
 *
 * Reference values come from PROJ's own cs2cs, e.g.
 *   echo "61.1715 28.7570" | cs2cs -f %.9f EPSG:4326 EPSG:3067
 * Tolerances as in PROJ's gie files: 0.01 m for metres (1 cm, well above
 * the 1e-9 m cs2cs prints), 1e-9 degrees for degrees.
 */
#include "gis/crs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gis/gis.h"
#include "t.h"

#define TOL_M 0.01
#define TOL_DEG 1e-9

static gis_proj *P;

static const char *const crs_names[GIS_CRS__COUNT] = {"CRS84", "EPSG:4326", "EPSG:3067",
                                                      "EPSG:3879"};

/* Imatra city hall, storage lon/lat, and where cs2cs puts it. */
#define IMATRA_LON 28.7570
#define IMATRA_LAT 61.1715
#define IMATRA_3067_E 594508.121434436
#define IMATRA_3067_N 6783159.667694488
#define IMATRA_3879_N 6790412.015184047
#define IMATRA_3879_E 25702107.364594400
/* Helsinki railway station, inside GK25's own zone. */
#define HKI_LON 24.9414
#define HKI_LAT 60.1710
#define HKI_3067_E 385781.555501715
#define HKI_3067_N 6672235.654802970
#define HKI_3879_N 6673126.011845826
#define HKI_3879_E 25496747.009579200

/* ------------------------------------------------------------------ */
/* A small WKB builder (ISO, 2D unless told)                            */
/* ------------------------------------------------------------------ */

typedef struct wb {
    unsigned char b[4096];
    size_t n;
} wb;

static void wb_u8(wb *w, unsigned v)
{
    w->b[w->n++] = (unsigned char)v;
}

static void wb_u32(wb *w, int big, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        w->b[w->n + (size_t)(big ? 3 - i : i)] = (unsigned char)(v >> (8 * i));
    w->n += 4;
}

static void wb_f64(wb *w, int big, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    for (int i = 0; i < 8; i++)
        w->b[w->n + (size_t)(big ? 7 - i : i)] = (unsigned char)(u >> (8 * i));
    w->n += 8;
}

static double rd_f64(const unsigned char *p, int big)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | p[big ? i : 7 - i];
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void wb_head(wb *w, int big, uint32_t type)
{
    wb_u8(w, big ? 0 : 1);
    wb_u32(w, big, type);
}

static void wb_point(wb *w, int big, double x, double y)
{
    wb_head(w, big, 1);
    wb_f64(w, big, x);
    wb_f64(w, big, y);
}

/* A polygon with one closed ring of k positions xy[2k]. */
static void wb_polygon(wb *w, int big, const double *xy, uint32_t k)
{
    wb_head(w, big, 3);
    wb_u32(w, big, 1);
    wb_u32(w, big, k);
    for (uint32_t i = 0; i < 2 * k; i++)
        wb_f64(w, big, xy[i]);
}

/* ------------------------------------------------------------------ */
/* Parsing and the table                                               */
/* ------------------------------------------------------------------ */

static void test_parse(void)
{
    static const struct {
        const char *s;
        gis_crs want;
    } good[] = {
        {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", GIS_CRS_CRS84},
        {"http://www.opengis.net/def/crs/EPSG/0/4326", GIS_CRS_4326},
        {"http://www.opengis.net/def/crs/EPSG/0/3067", GIS_CRS_3067},
        {"http://www.opengis.net/def/crs/EPSG/0/3879", GIS_CRS_3879},
        {"[OGC:CRS84]", GIS_CRS_CRS84},
        {"[EPSG:4326]", GIS_CRS_4326},
        {"[EPSG:3067]", GIS_CRS_3067},
        {"[EPSG:3879]", GIS_CRS_3879},
        {"OGC:CRS84", GIS_CRS_CRS84},
        {"EPSG:4326", GIS_CRS_4326},
        {"EPSG:3067", GIS_CRS_3067},
        {"EPSG:3879", GIS_CRS_3879},
        {"epsg:3067", GIS_CRS_3067},
        {"Epsg:3879", GIS_CRS_3879},
        {"ogc:crs84", GIS_CRS_CRS84},
        {"[epsg:3067]", GIS_CRS_3067},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        gis_crs c = GIS_CRS__COUNT;
        int rc = gis_crs_parse(good[i].s, &c);
        T_OK(rc == 0 && c == good[i].want, "parse '%s' → %s", good[i].s, crs_names[good[i].want]);
    }

    static const char *const bad[] = {
        "",
        "EPSG:3857",                                      /* not served */
        "EPSG:25835",
        "EPSG:3067 ",                                     /* trailing junk */
        " EPSG:3067",
        "EPSG:3067x",
        "EPSG:30670",
        "EPSG:03067",
        "EPSG:",
        "EPSG::3067",
        "EPSG 3067",
        "3067",
        "CRS84",
        "OGC:CRS84h",
        "OGC:CRS84 ",
        "[EPSG:3067",
        "EPSG:3067]",
        "[[EPSG:3067]]",
        "[]",
        "[ EPSG:3067]",
        "https://www.opengis.net/def/crs/EPSG/0/3067",    /* OGC defines http */
        "http://www.opengis.net/def/crs/EPSG/0/3067/",
        "http://www.opengis.net/def/crs/EPSG/0/30670",
        "http://www.opengis.net/def/crs/EPSG/0/3067?",
        "http://www.opengis.net/def/crs/EPSG/0/3857",
        "http://www.opengis.net/def/crs/epsg/0/3067",     /* URIs are case-sensitive */
        "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/3067",
        "http://www.opengis.net/def/crs/OGC/1.3/crs84",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84x",
        "http://www.opengis.net/def/crs/OGC/0/CRS84",
        "[http://www.opengis.net/def/crs/EPSG/0/3067]",
        "urn:ogc:def:crs:EPSG::3067",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gis_crs c = GIS_CRS_3879;
        int rc = gis_crs_parse(bad[i], &c);
        T_OK(rc == -1 && c == GIS_CRS_3879, "parse '%s' → -1, *out untouched", bad[i]);
    }
    gis_crs c = GIS_CRS_3879;
    T_OK(gis_crs_parse(NULL, &c) == -1 && c == GIS_CRS_3879, "parse NULL → -1");

    /* The table: canonical URIs parse back to themselves. */
    static const int epsg[] = {4326, 4326, 3067, 3879}, dec[] = {7, 7, 3, 3};
    for (int k = 0; k < GIS_CRS__COUNT; k++) {
        gis_crs back = GIS_CRS__COUNT;
        const char *uri = gis_crs_uri((gis_crs)k);
        T_OK(uri && strncmp(uri, "http://www.opengis.net/def/crs/", 31) == 0 &&
                 gis_crs_parse(uri, &back) == 0 && back == (gis_crs)k,
             "%s: uri %s parses back", crs_names[k], uri ? uri : "(null)");
        T_EQ_INT(gis_crs_epsg((gis_crs)k), epsg[k], "%s: EPSG code", crs_names[k]);
        T_EQ_INT(gis_crs_decimals((gis_crs)k), dec[k], "%s: decimals", crs_names[k]);
    }
    T_OK(gis_crs_uri(GIS_CRS__COUNT) == NULL && gis_crs_epsg(GIS_CRS__COUNT) == 0,
         "out-of-range CRS: no URI, no code");
}

/* ------------------------------------------------------------------ */
/* Points                                                              */
/* ------------------------------------------------------------------ */

static void expect_from(gis_crs c, double lon, double lat, double wx, double wy, double tol,
                        const char *what)
{
    double x = lon, y = lat;
    vk_err e = gis_proj_from_storage(P, c, &x, &y);
    T_EQ_INT(e, VK_OK, "%s → %s: ok", what, crs_names[c]);
    T_NEAR(x, wx, tol, "%s → %s: first axis", what, crs_names[c]);
    T_NEAR(y, wy, tol, "%s → %s: second axis", what, crs_names[c]);
}

static void expect_to(gis_crs c, double x, double y, double wlon, double wlat, const char *what)
{
    vk_err e = gis_proj_to_storage(P, c, &x, &y);
    T_EQ_INT(e, VK_OK, "%s %s → storage: ok", crs_names[c], what);
    T_NEAR(x, wlon, TOL_DEG, "%s %s → storage: lon", crs_names[c], what);
    T_NEAR(y, wlat, TOL_DEG, "%s %s → storage: lat", crs_names[c], what);
}

static void test_axis_order(void)
{
    /* CRS84 is the identity, EPSG:4326 an exact swap. */
    expect_from(GIS_CRS_CRS84, IMATRA_LON, IMATRA_LAT, IMATRA_LON, IMATRA_LAT, 0, "Imatra");
    expect_from(GIS_CRS_4326, IMATRA_LON, IMATRA_LAT, IMATRA_LAT, IMATRA_LON, 0,
                "Imatra (lat,lon)");

    /* Metres tell the axes apart: in Finland N ≈ 6.6e6..7.8e6, TM35FIN
     * E < 1e6, GK25 E ≈ 25.5e6 (zone number in front). */
    double x = IMATRA_LON, y = IMATRA_LAT;
    gis_proj_from_storage(P, GIS_CRS_3067, &x, &y);
    T_OK(x < 1e6 && y > 6e6 && y < 8e6, "EPSG:3067 is easting, northing (%.0f, %.0f)", x, y);
    x = IMATRA_LON, y = IMATRA_LAT;
    gis_proj_from_storage(P, GIS_CRS_3879, &x, &y);
    T_OK(x > 6e6 && x < 8e6 && y > 25e6 && y < 26e6,
         "EPSG:3879 is northing, easting (%.0f, %.0f)", x, y);

    /* And the numbers, against cs2cs. */
    expect_from(GIS_CRS_3067, IMATRA_LON, IMATRA_LAT, IMATRA_3067_E, IMATRA_3067_N, TOL_M,
                "Imatra");
    expect_from(GIS_CRS_3879, IMATRA_LON, IMATRA_LAT, IMATRA_3879_N, IMATRA_3879_E, TOL_M,
                "Imatra");
    expect_from(GIS_CRS_3067, HKI_LON, HKI_LAT, HKI_3067_E, HKI_3067_N, TOL_M, "Helsinki");
    expect_from(GIS_CRS_3879, HKI_LON, HKI_LAT, HKI_3879_N, HKI_3879_E, TOL_M, "Helsinki");

    /* The inverse direction, also against cs2cs (EPSG:3067 → EPSG:4326). */
    expect_to(GIS_CRS_3067, IMATRA_3067_E, IMATRA_3067_N, IMATRA_LON, IMATRA_LAT, "Imatra");
    expect_to(GIS_CRS_3879, IMATRA_3879_N, IMATRA_3879_E, IMATRA_LON, IMATRA_LAT, "Imatra");
    expect_to(GIS_CRS_3067, 600000, 6800000, 28.867983665911, 61.321242626437, "600000,6800000");
    expect_to(GIS_CRS_3879, 6800000, 25500000, 25.0, 61.309664649993, "6800000,25500000");
    expect_to(GIS_CRS_4326, IMATRA_LAT, IMATRA_LON, IMATRA_LON, IMATRA_LAT, "(lat,lon)");
    expect_to(GIS_CRS_CRS84, IMATRA_LON, IMATRA_LAT, IMATRA_LON, IMATRA_LAT, "identity");
}

/* Storage → CRS → storage over a grid covering Finland and beyond. */
static void test_round_trip(void)
{
    for (int c = 0; c < GIS_CRS__COUNT; c++) {
        double worst = 0;
        int fails = 0, count = 0;
        for (double lon = 19.0; lon <= 32.0; lon += 0.37) {
            for (double lat = 59.0; lat <= 70.5; lat += 0.29) {
                double x = lon, y = lat;
                count++;
                if (gis_proj_from_storage(P, (gis_crs)c, &x, &y) != VK_OK ||
                    gis_proj_to_storage(P, (gis_crs)c, &x, &y) != VK_OK) {
                    fails++;
                    continue;
                }
                worst = fmax(worst, fmax(fabs(x - lon), fabs(y - lat)));
            }
        }
        T_OK(fails == 0 && worst <= TOL_DEG, "%s: %d round trips, worst %.3g deg", crs_names[c],
             count, worst);
    }
}

static void test_point_errors(void)
{
    for (int c = 0; c < GIS_CRS__COUNT; c++) {
        static const double bad[][2] = {
            {NAN, 61}, {28, NAN}, {INFINITY, 61}, {28, -INFINITY}, {180.5, 61}, {28, 90.5}};
        int all = 1;
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            double x = bad[i][0], y = bad[i][1];
            vk_err e = gis_proj_from_storage(P, (gis_crs)c, &x, &y);
            all &= e == VK_EGEOM_COORD && memcmp(&x, &bad[i][0], sizeof x) == 0 &&
                   memcmp(&y, &bad[i][1], sizeof y) == 0;
        }
        T_OK(all, "%s: non-finite or off-earth storage positions → VK_EGEOM_COORD, untouched",
             crs_names[c]);
    }
    double x = 1e9, y = 1e9;
    T_EQ_INT(gis_proj_to_storage(P, GIS_CRS_3067, &x, &y), VK_EGEOM_COORD,
             "EPSG:3067 (1e9, 1e9): PROJ fails → VK_EGEOM_COORD");
    T_OK(x == 1e9 && y == 1e9, "failed transform leaves the position untouched");
    x = 1e9, y = 1e9;
    T_EQ_INT(gis_proj_to_storage(P, GIS_CRS_3879, &x, &y), VK_EGEOM_COORD,
             "EPSG:3879 (1e9, 1e9) → VK_EGEOM_COORD");
    x = 181, y = 61;
    T_EQ_INT(gis_proj_to_storage(P, GIS_CRS_CRS84, &x, &y), VK_EGEOM_COORD,
             "CRS84 lon 181 → VK_EGEOM_COORD");
    x = 28, y = 91;
    T_EQ_INT(gis_proj_to_storage(P, GIS_CRS_4326, &x, &y), VK_OK,
             "EPSG:4326 (lat 28, lon 91) is fine: the check is on the swapped axes");
    x = 91, y = 28;
    T_EQ_INT(gis_proj_to_storage(P, GIS_CRS_4326, &x, &y), VK_EGEOM_COORD,
             "EPSG:4326 lat 91 → VK_EGEOM_COORD");
    x = 28, y = 61;
    T_EQ_INT(gis_proj_from_storage(P, (gis_crs)99, &x, &y), VK_EINTERNAL,
             "unknown CRS value → VK_EINTERNAL");
    /* After a failure the PJ still works. */
    expect_from(GIS_CRS_3067, IMATRA_LON, IMATRA_LAT, IMATRA_3067_E, IMATRA_3067_N, TOL_M,
                "Imatra after an error");
}

/* ------------------------------------------------------------------ */
/* Bounding boxes                                                      */
/* ------------------------------------------------------------------ */

static int covers(const double env[4], double x, double y)
{
    return x >= env[0] && x <= env[2] && y >= env[1] && y <= env[3];
}

static void test_bbox(void)
{
    double out[4];
    const double ll[4] = {28.6, 61.1, 28.9, 61.3}; /* around Imatra, lon/lat */

    T_EQ_INT(gis_proj_bbox_from_storage(P, GIS_CRS_CRS84, ll, out), VK_OK, "bbox CRS84: ok");
    T_OK(memcmp(out, ll, sizeof out) == 0, "bbox CRS84: identity");
    T_EQ_INT(gis_proj_bbox_from_storage(P, GIS_CRS_4326, ll, out), VK_OK, "bbox 4326: ok");
    T_OK(out[0] == 61.1 && out[1] == 28.6 && out[2] == 61.3 && out[3] == 28.9,
         "bbox → 4326: axes swapped (%g,%g,%g,%g)", out[0], out[1], out[2], out[3]);
    const double ll4326[4] = {61.1, 28.6, 61.3, 28.9};
    T_EQ_INT(gis_proj_bbox_to_storage(P, GIS_CRS_4326, ll4326, out), VK_OK, "bbox 4326 in: ok");
    T_OK(memcmp(out, ll, sizeof out) == 0, "bbox 4326 → storage: axes swapped back");

    /* Storage → projected: the image of each corner and edge midpoint is
     * inside the envelope. */
    for (int c = GIS_CRS_3067; c <= GIS_CRS_3879; c++) {
        T_EQ_INT(gis_proj_bbox_from_storage(P, (gis_crs)c, ll, out), VK_OK, "bbox → %s: ok",
                 crs_names[c]);
        int all = 1;
        for (int i = 0; i <= 4; i++) {
            for (int j = 0; j <= 4; j += (i == 0 || i == 4) ? 1 : 4) {
                double x = ll[0] + (ll[2] - ll[0]) * i / 4, y = ll[1] + (ll[3] - ll[1]) * j / 4;
                gis_proj_from_storage(P, (gis_crs)c, &x, &y);
                all &= covers(out, x, y);
            }
        }
        T_OK(all, "bbox → %s covers corners and edge points (%.3f,%.3f,%.3f,%.3f)",
             crs_names[c], out[0], out[1], out[2], out[3]);
    }
    /* East of the central meridian the south edge rises eastward, so the
     * south-west corner has the smallest northing; the curvature margin
     * adds a few cm at this size, no more. */
    gis_proj_bbox_from_storage(P, GIS_CRS_3067, ll, out);
    double x = 28.6, y = 61.1;
    gis_proj_from_storage(P, GIS_CRS_3067, &x, &y);
    T_OK(out[1] <= y && y - out[1] < 0.1,
         "bbox → 3067: miny just below the south-west corner's northing (by %.4f m)", y - out[1]);

    /* A Finland-wide box whose south edge crosses TM35FIN's central
     * meridian (27°E): the parallel 59°N sags to its lowest northing there
     * (6540052.017 by cs2cs), between the corners (6561125.511 at 20°E,
     * 6550799.932 at 32°E), and between two samples (26.8° and 27.4°E).
     * The envelope must cover it, and not by much more. */
    const double fin[4] = {20, 59, 32, 70};
    T_EQ_INT(gis_proj_bbox_from_storage(P, GIS_CRS_3067, fin, out), VK_OK, "Finland → 3067: ok");
    T_OK(out[1] <= 6540052.017 && out[1] > 6540052.017 - 100,
         "Finland → 3067: miny covers the central-meridian sag (%.3f)", out[1]);

    /* Projected → storage: the top edge N = 7 800 000 of a TM35FIN box
     * bulges north to 70.306°N at the central meridian (cs2cs), while its
     * corners are only at 69.914°N. */
    const double tm[4] = {50000, 6600000, 950000, 7800000};
    T_EQ_INT(gis_proj_bbox_to_storage(P, GIS_CRS_3067, tm, out), VK_OK, "3067 box → storage: ok");
    T_OK(out[3] >= 70.306017494283 && out[3] < 70.306017494283 + 1e-3,
         "3067 box → storage: maxy covers the bulge (%.9f)", out[3]);
    /* Off-centre, the bulge falls between samples: E 0..990000 samples
     * every 49500 m, none at 500000. The margin on this 1000 km box is
     * about 0.001° (≈ 130 m); on a city-sized box it is a few cm. */
    const double tm2[4] = {0, 6600000, 990000, 7800000};
    T_EQ_INT(gis_proj_bbox_to_storage(P, GIS_CRS_3067, tm2, out), VK_OK, "3067 box 2: ok");
    T_OK(out[3] >= 70.306017494283 && out[3] < 70.306017494283 + 2e-3,
         "3067 box 2 → storage: maxy covers the bulge between samples (%.9f)", out[3]);
    int all = 1;
    for (int i = 0; i < 4; i++) {
        double cx = tm[i & 1 ? 2 : 0], cy = tm[i & 2 ? 3 : 1];
        gis_proj_to_storage(P, GIS_CRS_3067, &cx, &cy);
        all &= covers(out, cx, cy);
    }
    T_OK(all, "3067 box → storage covers the four corners");

    /* GK25 in its axis order: minx, miny = min northing, min easting. */
    const double gk[4] = {6780000, 25690000, 6800000, 25710000};
    T_EQ_INT(gis_proj_bbox_to_storage(P, GIS_CRS_3879, gk, out), VK_OK, "3879 box → storage: ok");
    T_OK(covers(out, IMATRA_LON, IMATRA_LAT) && out[0] > 28 && out[2] < 29.2 && out[1] > 61 &&
             out[3] < 61.4,
         "3879 (N,E) box → storage covers Imatra (%.6f,%.6f,%.6f,%.6f)", out[0], out[1], out[2],
         out[3]);

    /* Errors. */
    const double inv[4] = {600000, 6800000, 590000, 6810000};
    T_EQ_INT(gis_proj_bbox_to_storage(P, GIS_CRS_3067, inv, out), VK_EGEOM_COORD,
             "bbox with minx > maxx → VK_EGEOM_COORD");
    const double nanb[4] = {NAN, 61, 29, 62};
    for (int c = 0; c < GIS_CRS__COUNT; c++)
        T_EQ_INT(gis_proj_bbox_from_storage(P, (gis_crs)c, nanb, out), VK_EGEOM_COORD,
                 "bbox with NaN → %s: VK_EGEOM_COORD", crs_names[c]);
    const double huge[4] = {-1e9, -1e9, 1e9, 1e9};
    T_EQ_INT(gis_proj_bbox_to_storage(P, GIS_CRS_3067, huge, out), VK_EGEOM_COORD,
             "bbox PROJ cannot transform → VK_EGEOM_COORD");
}

/* ------------------------------------------------------------------ */
/* GeoJSON                                                             */
/* ------------------------------------------------------------------ */

static void expect_geojson(gis_crs c, const wb *w, const char *want, const char *what)
{
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    vk_err e = gis_wkb_to_geojson_crs(P, c, w->b, w->n, &b);
    T_EQ_INT(e, VK_OK, "%s in %s: ok", what, crs_names[c]);
    T_EQ_STR(b.data, want, "%s in %s", what, crs_names[c]);
    vk_buf_fini(&b);
}

static void test_geojson(void)
{
    wb w = {.n = 0};
    wb_point(&w, 0, IMATRA_LON, IMATRA_LAT);
    expect_geojson(GIS_CRS_CRS84, &w, "{\"type\":\"Point\",\"coordinates\":[28.757,61.1715]}",
                   "Point");
    expect_geojson(GIS_CRS_4326, &w, "{\"type\":\"Point\",\"coordinates\":[61.1715,28.757]}",
                   "Point");
    /* 3 decimals: 594508.121434 → .121, 6783159.667694 → .668 */
    expect_geojson(GIS_CRS_3067, &w,
                   "{\"type\":\"Point\",\"coordinates\":[594508.121,6783159.668]}", "Point");
    expect_geojson(GIS_CRS_3879, &w,
                   "{\"type\":\"Point\",\"coordinates\":[6790412.015,25702107.365]}", "Point");

    /* A big-endian polygon; corners by cs2cs. */
    static const double ring[] = {28.75, 61.17, 28.76, 61.17, 28.76,
                                  61.175, 28.75, 61.175, 28.75, 61.17};
    w.n = 0;
    wb_polygon(&w, 1, ring, 5);
    expect_geojson(GIS_CRS_CRS84, &w,
                   "{\"type\":\"Polygon\",\"coordinates\":[[[28.75,61.17],[28.76,61.17],"
                   "[28.76,61.175],[28.75,61.175],[28.75,61.17]]]}",
                   "Polygon");
    expect_geojson(GIS_CRS_4326, &w,
                   "{\"type\":\"Polygon\",\"coordinates\":[[[61.17,28.75],[61.17,28.76],"
                   "[61.175,28.76],[61.175,28.75],[61.17,28.75]]]}",
                   "Polygon");
    expect_geojson(GIS_CRS_3067, &w,
                   "{\"type\":\"Polygon\",\"coordinates\":[[[594136.129,6782982.532],"
                   "[594673.959,6782996.968],[594658.971,6783553.765],"
                   "[594121.225,6783539.33],[594136.129,6782982.532]]]}",
                   "Polygon");
    expect_geojson(GIS_CRS_3879, &w,
                   "{\"type\":\"Polygon\",\"coordinates\":[[[6790223.433,25701740.675],"
                   "[6790254.341,25702278.237],[6790810.858,25702246.196],"
                   "[6790779.954,25701708.719],[6790223.433,25701740.675]]]}",
                   "Polygon");

    /* A collection with an empty point: [] stays [] in every CRS. */
    w.n = 0;
    wb_head(&w, 0, 7);
    wb_u32(&w, 0, 2);
    wb_point(&w, 0, NAN, NAN);
    wb_point(&w, 1, HKI_LON, HKI_LAT);
    expect_geojson(GIS_CRS_3879, &w,
                   "{\"type\":\"GeometryCollection\",\"geometries\":["
                   "{\"type\":\"Point\",\"coordinates\":[]},"
                   "{\"type\":\"Point\",\"coordinates\":[6673126.012,25496747.01]}]}",
                   "GeometryCollection");

    /* Errors leave the buffer as it was; nothing non-finite is written. */
    vk_buf b;
    vk_buf_init(&b, 1 << 20);
    vk_buf_puts(&b, "X");
    w.n = 0;
    wb_head(&w, 0, 2); /* a line leaving the earth */
    wb_u32(&w, 0, 2);
    wb_f64(&w, 0, 28), wb_f64(&w, 0, 61);
    wb_f64(&w, 0, 200), wb_f64(&w, 0, 61);
    for (int c = GIS_CRS_4326; c < GIS_CRS__COUNT; c++)
        T_EQ_INT(gis_wkb_to_geojson_crs(P, (gis_crs)c, w.b, w.n, &b), VK_EGEOM_COORD,
                 "lon 200 in %s: VK_EGEOM_COORD", crs_names[c]);
    T_EQ_STR(b.data, "X", "failed calls leave the buffer as it was");
    w.n = 0;
    wb_point(&w, 0, IMATRA_LON, IMATRA_LAT);
    T_EQ_INT(gis_wkb_to_geojson_crs(P, GIS_CRS_3067, w.b, w.n - 1, &b), VK_EINTERNAL,
             "truncated WKB in EPSG:3067: VK_EINTERNAL");
    T_EQ_INT(gis_wkb_to_geojson_crs(P, (gis_crs)99, w.b, w.n, &b), VK_EINTERNAL,
             "unknown CRS: VK_EINTERNAL");
    T_EQ_STR(b.data, "X", "still as it was");
    vk_buf_fini(&b);
    vk_buf_init(&b, 20);
    T_EQ_INT(gis_wkb_to_geojson_crs(P, GIS_CRS_3879, w.b, w.n, &b), VK_ENOMEM,
             "output over the cap: VK_ENOMEM");
    vk_buf_fini(&b);
}

/* ------------------------------------------------------------------ */
/* WKB in place                                                        */
/* ------------------------------------------------------------------ */

/* A multipolygon of two parts (each with its own byte order), positions
 * given in storage lon/lat and written in c's axis order. */
static const double mp_a[] = {28.70, 61.15, 28.80, 61.15, 28.80, 61.20, 28.70, 61.20,
                              28.70, 61.15};
static const double mp_b[] = {24.90, 60.15, 24.95, 60.15, 24.95, 60.18, 24.90, 60.15};

static int build_mp(wb *w, gis_crs c, int big_outer, int big_a, int big_b)
{
    double a[10], b[8];
    for (int i = 0; i < 10; i += 2) {
        a[i] = mp_a[i], a[i + 1] = mp_a[i + 1];
        if (gis_proj_from_storage(P, c, &a[i], &a[i + 1]) != VK_OK)
            return -1;
    }
    for (int i = 0; i < 8; i += 2) {
        b[i] = mp_b[i], b[i + 1] = mp_b[i + 1];
        if (gis_proj_from_storage(P, c, &b[i], &b[i + 1]) != VK_OK)
            return -1;
    }
    w->n = 0;
    wb_head(w, big_outer, 6);
    wb_u32(w, big_outer, 2);
    wb_polygon(w, big_a, a, 5);
    wb_polygon(w, big_b, b, 4);
    return 0;
}

/* Byte offsets of the positions in build_mp's WKB: header 5 + parts 4;
 * each part's header 5 + rings 4 + positions 4, then 16 per position. */
static double mp_max_err(const wb *w, int big_a, int big_b)
{
    double worst = 0;
    size_t off = 5 + 4 + 5 + 4 + 4;
    for (int i = 0; i < 10; i += 2, off += 16)
        worst = fmax(worst, fmax(fabs(rd_f64(w->b + off, big_a) - mp_a[i]),
                                 fabs(rd_f64(w->b + off + 8, big_a) - mp_a[i + 1])));
    off += 5 + 4 + 4;
    for (int i = 0; i < 8; i += 2, off += 16)
        worst = fmax(worst, fmax(fabs(rd_f64(w->b + off, big_b) - mp_b[i]),
                                 fabs(rd_f64(w->b + off + 8, big_b) - mp_b[i + 1])));
    return worst;
}

static void test_wkb_to_storage(void)
{
    /* Reference: a cs2cs polygon in EPSG:3067 back to storage. */
    static const double r3067[] = {594136.128797, 6782982.531616, 594673.959300, 6782996.968283,
                                   594658.970572, 6783553.764768, 594121.225244, 6783539.329694,
                                   594136.128797, 6782982.531616};
    static const double want[] = {28.75, 61.17, 28.76, 61.17, 28.76, 61.175, 28.75, 61.175};
    for (int big = 0; big <= 1; big++) {
        wb w = {.n = 0};
        wb_polygon(&w, big, r3067, 5);
        size_t n = w.n;
        T_EQ_INT(gis_proj_wkb_to_storage(P, GIS_CRS_3067, w.b, w.n), VK_OK,
                 "cs2cs polygon EPSG:3067 (%s-endian) → storage: ok", big ? "big" : "little");
        double worst = 0;
        for (int i = 0; i < 8; i++) /* cs2cs printed 1e-6 m ≈ 2e-11 deg */
            worst = fmax(worst, fabs(rd_f64(w.b + 5 + 4 + 4 + 8 * (size_t)i, big) - want[i]));
        T_OK(worst <= TOL_DEG && w.n == n, "… matches cs2cs's lon/lat (worst %.3g deg)", worst);
        T_OK(w.b[0] == (big ? 0 : 1), "… byte order kept");
    }

    /* Round trips in every CRS, every mix of byte orders. */
    for (int c = 0; c < GIS_CRS__COUNT; c++) {
        int ok = 1;
        double worst = 0;
        for (int bits = 0; bits < 8; bits++) {
            wb w;
            int bo = bits & 1, ba = (bits >> 1) & 1, bb = (bits >> 2) & 1;
            if (build_mp(&w, (gis_crs)c, bo, ba, bb) != 0 ||
                gis_proj_wkb_to_storage(P, (gis_crs)c, w.b, w.n) != VK_OK) {
                ok = 0;
                continue;
            }
            worst = fmax(worst, mp_max_err(&w, ba, bb));
            /* and the result is still WKB the GeoJSON writer reads */
            vk_buf b;
            vk_buf_init(&b, 1 << 16);
            ok &= gis_wkb_to_geojson(w.b, w.n, &b) == VK_OK;
            vk_buf_fini(&b);
        }
        T_OK(ok && worst <= TOL_DEG, "%s → storage round trip, 8 byte-order mixes (worst %.3g deg)",
             crs_names[c], worst);
    }

    /* Z is kept as it is; x, y transformed. */
    wb w = {.n = 0};
    wb_head(&w, 0, 1001);
    wb_f64(&w, 0, IMATRA_3067_E), wb_f64(&w, 0, IMATRA_3067_N), wb_f64(&w, 0, 65.5);
    T_EQ_INT(gis_proj_wkb_to_storage(P, GIS_CRS_3067, w.b, w.n), VK_OK, "PointZ 3067: ok");
    T_OK(fabs(rd_f64(w.b + 5, 0) - IMATRA_LON) <= TOL_DEG &&
             fabs(rd_f64(w.b + 13, 0) - IMATRA_LAT) <= TOL_DEG && rd_f64(w.b + 21, 0) == 65.5,
         "PointZ: x, y to lon/lat, z untouched");

    /* An empty point stays empty. */
    w.n = 0;
    wb_point(&w, 0, NAN, NAN);
    T_EQ_INT(gis_proj_wkb_to_storage(P, GIS_CRS_3879, w.b, w.n), VK_OK, "empty point: ok");
    T_OK(isnan(rd_f64(w.b + 5, 0)) && isnan(rd_f64(w.b + 13, 0)), "empty point stays NaN, NaN");

    /* A position PROJ cannot take → VK_EGEOM_COORD. */
    w.n = 0;
    wb_point(&w, 1, 1e9, 1e9);
    T_EQ_INT(gis_proj_wkb_to_storage(P, GIS_CRS_3067, w.b, w.n), VK_EGEOM_COORD,
             "untransformable position: VK_EGEOM_COORD");
    w.n = 0;
    wb_point(&w, 0, 91, 28); /* EPSG:4326 lat 91 */
    T_EQ_INT(gis_proj_wkb_to_storage(P, GIS_CRS_4326, w.b, w.n), VK_EGEOM_COORD,
             "EPSG:4326 lat 91: VK_EGEOM_COORD");

    /* Every truncation is an error and leaves the bytes alone; so do a
     * trailing byte, NULL, and an unknown CRS. */
    wb full;
    build_mp(&full, GIS_CRS_3067, 0, 1, 0);
    for (int c = 0; c < GIS_CRS__COUNT; c++) {
        size_t errs = 0, untouched = 0;
        for (size_t len = 0; len < full.n; len++) {
            unsigned char *cut = malloc(len ? len : 1);
            memcpy(cut, full.b, len);
            errs += gis_proj_wkb_to_storage(P, (gis_crs)c, len ? cut : NULL, len) == VK_EINTERNAL;
            untouched += memcmp(cut, full.b, len) == 0;
            free(cut);
        }
        T_OK(errs == full.n && untouched == full.n,
             "%s: all %zu truncations → VK_EINTERNAL, bytes untouched", crs_names[c], full.n);
    }
    unsigned char *longer = malloc(full.n + 1);
    memcpy(longer, full.b, full.n);
    longer[full.n] = 0;
    T_EQ_INT(gis_proj_wkb_to_storage(P, GIS_CRS_3067, longer, full.n + 1), VK_EINTERNAL,
             "trailing byte: VK_EINTERNAL");
    T_OK(memcmp(longer, full.b, full.n) == 0, "trailing byte: bytes untouched");
    free(longer);
    T_EQ_INT(gis_proj_wkb_to_storage(P, (gis_crs)99, full.b, full.n), VK_EINTERNAL,
             "unknown CRS: VK_EINTERNAL");

    /* Corrupt each byte in turn: an answer or an error, never a crash
     * (ASan checks the reads and writes). */
    size_t answered = 0;
    for (size_t i = 0; i < full.n; i++) {
        for (unsigned v = 0; v < 256; v += 51) {
            unsigned char *bad = malloc(full.n);
            memcpy(bad, full.b, full.n);
            bad[i] = (unsigned char)v;
            vk_err e = gis_proj_wkb_to_storage(P, GIS_CRS_3067, bad, full.n);
            answered += e == VK_OK || e == VK_EINTERNAL || e == VK_EGEOM_COORD;
            free(bad);
        }
    }
    T_EQ_INT(answered, full.n * 6, "corrupted bytes: every call answered");
}

int main(void)
{
    if (gis_proj_new(&P) != VK_OK) {
        printf("Bail out! no PROJ context\n");
        return 1;
    }
    test_parse();
    test_axis_order();
    test_round_trip();
    test_point_errors();
    test_bbox();
    test_geojson();
    test_wkb_to_storage();
    gis_proj_free(P);
    return t_done();
}
