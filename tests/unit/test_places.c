/* test_places.c — the gazetteer (places/): loading, search (exact, prefix,
 * typo, Swedish), reverse within 100 m and none beyond, against
 * tests/fixtures/places.csv over the test districts (Länsi west of 28.5°,
 * Itä east of it). */
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "tmp.h"
#include "db/ctx.h"
#include "places/gazetteer.h"
#include "places/load.h"
#include "reference/reference.h"

#define FIXTURE VK_SOURCE_DIR "/tests/fixtures/places.csv"

static vk_ctx *ctx;

/* The first result of q, into p (kind -1 when none). */
static int first(const char *q, gaz_place *p)
{
    gaz_place out[GAZ_MAX_RESULTS];
    int n = 0;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    memset(p, 0, sizeof *p);
    if (gaz_search(ctx->store, q, 5, out, &n, &ei) != VK_OK) {
        printf("# search '%s' failed: %s\n", q, ei.message);
        return 0;
    }
    if (n)
        *p = out[0];
    for (int i = 1; i < n; i++)
        gaz_place_fini(&out[i]);
    return n;
}

static void test_distance(void)
{
    uint32_t a[40], b[40];
    int na = gaz_fold("Kosknparras", a, 40), nb = gaz_fold("KOSKENPARRAS", b, 40);
    T_EQ_INT(gaz_prefix_distance(a, na, b, nb), 1, "one letter missing is one edit");
    na = gaz_fold("Koskne", a, 40);
    T_EQ_INT(gaz_prefix_distance(a, na, b, nb), 1, "two letters swapped are one edit");
    na = gaz_fold("Koske", a, 40);
    T_EQ_INT(gaz_prefix_distance(a, na, b, nb), 0, "a beginning costs nothing");
    na = gaz_fold("ÄÖÅ", a, 40);
    nb = gaz_fold("äöå", b, 40);
    T_OK(na == 3 && nb == 3 && memcmp(a, b, 3 * sizeof a[0]) == 0, "Ä, Ö and Å fold to ä, ö, å");
    na = gaz_fold("Itä-Siitola", a, 40);
    nb = gaz_fold("itä  siitola", b, 40);
    T_OK(na == nb && memcmp(a, b, (size_t)na * sizeof a[0]) == 0, "hyphens and spaces alike");
}

static void test_load(void)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    gaz_load_stats st;
    T_EQ_INT(gaz_load_csv(ctx, FIXTURE, GIS_CRS_CRS84, &st, &ei), VK_OK, "the fixture loads: %s",
             ei.message);
    T_EQ_INT(st.addresses, 9, "nine addresses");
    T_EQ_INT(st.streets, 5, "on five streets");
    T_EQ_INT(st.places, 1, "and one place");
    T_EQ_INT(st.skipped, 1, "a row without an address is skipped");
    T_EQ_INT(gaz_load_csv(ctx, FIXTURE, GIS_CRS_CRS84, &st, &ei), VK_OK, "loaded again");
    T_OK(st.addresses == 9 && st.streets == 5 && st.places == 1, "the same gazetteer, not twice");

    /* A broken file changes nothing. */
    FILE *f = fopen(t_path("bad.csv"), "w");
    fputs("street_fi,number,x,y\nKatu,1,28.6,61.2\nKatu,2,abc,61.2\n", f);
    fclose(f);
    T_EQ_INT(gaz_load_csv(ctx, t_path("bad.csv"), GIS_CRS_CRS84, &st, &ei), VK_EVALUE,
             "a bad number fails the load");
    T_OK(strstr(ei.message, "line 3") != NULL, "naming the line: %s", ei.message);
    f = fopen(t_path("nohead.csv"), "w");
    fputs("a,b\n1,2\n", f);
    fclose(f);
    T_EQ_INT(gaz_load_csv(ctx, t_path("nohead.csv"), GIS_CRS_CRS84, &st, &ei), VK_EMISSING,
             "a header without x, y and street_fi is refused");
    gaz_place p;
    T_OK(first("Koskenparras 3", &p) && p.kind == GAZ_ADDRESS, "the earlier gazetteer is intact");
    gaz_place_fini(&p);

    /* EPSG:3067 is transformed: easting 500 000 is the 27° meridian. */
    f = fopen(t_path("tm35.csv"), "w");
    fputs("street_fi;number;x;y\nMeridiaanikatu;1;500000;6770000\n", f);
    fclose(f);
    T_EQ_INT(gaz_load_csv(ctx, t_path("tm35.csv"), GIS_CRS_3067, &st, &ei), VK_OK,
             "a ;-separated EPSG:3067 file: %s", ei.message);
    T_OK(first("Meridiaanikatu 1", &p) == 1, "found");
    T_NEAR(p.lon, 27.0, 1e-7, "easting 500000 → longitude 27");
    T_OK(p.lat > 60.9 && p.lat < 61.1, "northing 6770000 → latitude about 61 (%.5f)", p.lat);
    gaz_place_fini(&p);
    T_EQ_INT(gaz_load_csv(ctx, FIXTURE, GIS_CRS_CRS84, &st, &ei), VK_OK, "the fixture again");
}

static void test_search(void)
{
    gaz_place p;
    char label[200];
    T_OK(first("Koskenparras 3", &p) && p.kind == GAZ_ADDRESS, "exact: an address");
    T_EQ_STR(p.number, "3", "number 3");
    T_NEAR(p.lon, 28.601, 1e-9, "at its point");
    T_EQ_STR(p.district_code, "ita", "in Itä");
    T_EQ_STR(gaz_place_district_name(&p, "sv"), "Öster", "whose Swedish name is Öster");
    gaz_place_label(&p, "fi", label, sizeof label);
    T_EQ_STR(label, "Koskenparras 3, 55100 Imatra", "label");
    gaz_place_fini(&p);

    T_OK(first("koskenparras 7a", &p) && p.kind == GAZ_ADDRESS, "7a finds 7 A");
    T_EQ_STR(p.number, "7 A", "as written");
    gaz_place_fini(&p);
    T_OK(first("Koskenparras 7", &p) && p.kind == GAZ_ADDRESS, "7 finds 7 A too");
    gaz_place_fini(&p);
    T_OK(first("Koskenparras 99", &p) && p.kind == GAZ_STREET, "no number 99: the street");
    gaz_place_fini(&p);

    T_OK(first("Koskenp", &p) && p.kind == GAZ_STREET, "prefix");
    T_EQ_STR(p.name[0], "Koskenparras", "finds the street");
    T_OK(p.lon >= 28.6 && p.lon <= 28.603, "at one of its addresses");
    gaz_place_fini(&p);
    T_OK(first("ko", &p), "two letters");
    T_EQ_STR(p.name[0], "Koskenparras", "find by LIKE");
    gaz_place_fini(&p);

    T_OK(first("Kosknparras 5", &p) && p.kind == GAZ_ADDRESS, "typo (a letter missing)");
    T_EQ_STR(p.name[0], "Koskenparras", "still Koskenparras");
    T_EQ_STR(p.number, "5", "number 5");
    gaz_place_fini(&p);
    T_OK(first("Mannerhiemintie", &p), "typo (letters swapped)");
    T_EQ_STR(p.name[0], "Mannerheimintie", "finds Mannerheimintie");
    gaz_place_fini(&p);
    T_OK(first("parras", &p), "a part of the name");
    T_EQ_STR(p.name[0], "Koskenparras", "finds Koskenparras");
    gaz_place_fini(&p);

    T_OK(first("Mannerheimvägen 4", &p) && p.kind == GAZ_ADDRESS, "Swedish name");
    T_OK(p.matched_sv, "matched in Swedish");
    gaz_place_label(&p, "sv", label, sizeof label);
    T_EQ_STR(label, "Mannerheimvägen 4, 00100 Helsingfors", "Swedish label");
    gaz_place_label(&p, "fi", label, sizeof label);
    T_EQ_STR(label, "Mannerheimintie 4, 00100 Helsinki", "Finnish label");
    T_EQ_STR(p.district_code, "lansi", "in Länsi");
    gaz_place_fini(&p);

    T_OK(first("Itä Siitolan tie 12", &p) && p.kind == GAZ_ADDRESS, "a hyphen typed as a space");
    gaz_place_fini(&p);
    T_OK(first("Imatrank", &p) && p.kind == GAZ_PLACE, "a named place");
    T_EQ_STR(p.name[1], "Imatra fors", "with its Swedish name");
    gaz_place_fini(&p);

    gaz_place out[GAZ_MAX_RESULTS];
    int n = 0;
    vk_errinfo ei;
    T_EQ_INT(gaz_search(ctx->store, "Kaup", 5, out, &n, &ei), VK_OK, "Kaup");
    T_EQ_INT(n, 2, "two streets begin with Kaup");
    T_OK(n == 2 && strcmp(out[0].name[0], "Kauppakatu") == 0, "the shorter first");
    for (int i = 0; i < n; i++)
        gaz_place_fini(&out[i]);
    T_EQ_INT(gaz_search(ctx->store, "Zzyzx", 5, out, &n, &ei), VK_OK, "nonsense");
    T_EQ_INT(n, 0, "finds nothing");
    T_EQ_INT(gaz_search(ctx->store, "\"*\" OR NEAR(", 5, out, &n, &ei), VK_OK,
             "FTS5 syntax in the query is only text");
    for (int i = 0; i < n; i++)
        gaz_place_fini(&out[i]);
    T_EQ_INT(gaz_search(ctx->store, "%_", 5, out, &n, &ei), VK_OK, "LIKE wildcards are text");
    T_EQ_INT(n, 0, "and match nothing");
}

static void test_reverse(void)
{
    gaz_place p;
    int found = 0;
    vk_errinfo ei;
    /* 0.0003° of longitude at 61.2° is about 16 m. */
    T_EQ_INT(gaz_reverse(ctx->store, 28.6013, 61.2, 100, &p, &found, &ei), VK_OK, "reverse");
    T_OK(found && p.kind == GAZ_ADDRESS, "an address within 100 m");
    T_EQ_STR(p.number, "3", "the nearest: Koskenparras 3");
    T_OK(p.score > 10 && p.score < 20, "about 16 m away (%.1f)", p.score);
    gaz_place_fini(&p);
    /* 0.0012° of latitude is about 134 m north of Koskenparras 1. */
    T_EQ_INT(gaz_reverse(ctx->store, 28.6, 61.2012, 100, &p, &found, &ei), VK_OK, "reverse");
    T_OK(!found, "none beyond 100 m");
    T_EQ_INT(gaz_reverse(ctx->store, 28.6, 61.2008, 100, &p, &found, &ei), VK_OK, "reverse");
    T_OK(found, "but one at 89 m");
    if (found)
        gaz_place_fini(&p);
}

int main(void)
{
    static vk_config cfg;
    cfg.db_path = t_path("places.sqlite");
    store_conn *store = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (store_open(&store, cfg.db_path, &ei) || vk_ctx_new(&ctx, &cfg, store, &ei) ||
        api_seed_reference(ctx, VK_SOURCE_DIR "/tests/fixtures/geo",
                           VK_SOURCE_DIR "/tests/fixtures/seeds", &ei) ||
        vk_ctx_reload_areas(ctx, &ei)) {
        printf("Bail out! cannot set up: %s\n", ei.message);
        return 1;
    }
    test_distance();
    test_load();
    test_search();
    test_reverse();
    vk_ctx_free(ctx);
    t_cleanup();
    return t_done();
}
