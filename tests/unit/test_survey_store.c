/* test_survey_store.c — surveys in SpatiaLite (survey/store.c) and the
 * cache of published versions (survey/cache.c): definitions, versions,
 * states, a checked response normalised into rows (answers, personal
 * answers apart, drawn features with geometry), resend conflicts, drafts
 * deleted by the response and by age; the geometry blobs made on the
 * request thread are byte for byte SpatiaLite's, and the R*Tree kept by
 * schema 0013's triggers matches the rows. */
#include <stdlib.h>

#include "db/stmt.h"
#include "db/store.h"
#include "survey/cache.h"
#include "survey/store.h"
#include "t.h"
#include "tmp.h"

#define FIXTURES VK_SOURCE_DIR "/tests/fixtures/surveys/"

/* What the tests count, as a slice of their own. */
#define COUNT_SQL(X)                                                                 \
    X(Q_ANSWERS, "SELECT count(*) FROM survey_answer WHERE response_id = ?1")       \
    X(Q_PERSONAL, "SELECT count(*) FROM survey_personal WHERE response_id = ?1")    \
    X(Q_FEATURES, "SELECT count(*) FROM survey_feature WHERE response_id = ?1")     \
    X(Q_GEOMS, "SELECT count(*) FROM survey_feature WHERE response_id = ?1 "         \
               "AND geom IS NOT NULL AND ST_IsValid(geom)")                          \
    X(Q_WORDS, "SELECT count(*) FROM survey_feature WHERE response_id = ?1 "         \
               "AND located = 'words' AND geom IS NULL")                             \
    X(Q_WITHOUT_MAP, "SELECT without_map FROM survey_response WHERE id = ?1")        \
    X(Q_TAKEN, "SELECT seconds_taken FROM survey_response WHERE id = ?1")            \
    X(Q_ANSWER_OF, "SELECT count(*) FROM survey_answer WHERE response_id = ?1 "      \
                   "AND question = 'news_email'")                                    \
    X(Q_DRAFTS, "SELECT count(*) FROM survey_draft WHERE ?1 = ?1")                  \
    X(Q_INDEX_OK, "SELECT CheckSpatialIndex('survey_feature', 'geom') + 0 * ?1")    \
    X(Q_INDEXED, "SELECT count(*) FROM idx_survey_feature_geom i JOIN survey_feature f " \
                 "ON f.id = i.pkid WHERE f.response_id = ?1 AND i.xmin <= MbrMinX(f.geom) " \
                 "AND i.xmax >= MbrMaxX(f.geom) AND i.ymin <= MbrMinY(f.geom) "      \
                 "AND i.ymax >= MbrMaxY(f.geom)")                                    \
    X(Q_INDEX_ROWS, "SELECT count(*) FROM idx_survey_feature_geom WHERE ?1 = ?1")    \
    X(Q_SPATIALITE_TRIGGERS, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' " \
                             "AND tbl_name = 'survey_feature' AND name LIKE '%_survey_feature_geom' " \
                             "AND ?1 = ?1")                                          \
    X(Q_DELETE_RESPONSE, "DELETE FROM survey_feature WHERE response_id = ?1")        \
    X(Q_WKB, "SELECT AsBinary(GeomFromText(?1, 4326)), GeomFromText(?1, 4326)")      \
    X(Q_BAD_GEOM, "INSERT INTO survey_feature (response_id, survey_id, question, idx, " \
                  "located, answers, created_at, geom) SELECT id, survey_id, 'x', 99, " \
                  "'geometry', '{}', '2026-01-01T00:00:00Z', GeomFromText('POINT(1 2)', 3067) " \
                  "FROM survey_response WHERE id = ?1")
DB_SLICE_ENUM(count_id, COUNT_SQL)
DB_SLICE_DEFINE(count_sql, COUNT_SQL)

static store_conn *C;

static int64_t count(int q, int64_t arg)
{
    int64_t n = -1;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (db_int64(C, &count_sql, q, DB_ARGS(DB_INT(arg)), &n, "count", &ei))
        printf("# count %d: %s\n", q, ei.message);
    return n;
}

static json_t *load(const char *name)
{
    json_error_t err;
    json_t *j = json_load_file(name, 0, &err);
    if (!j)
        printf("# cannot read %s: %s\n", name, err.text);
    return j;
}

/* Create and publish a fixture; its survey id. */
static int64_t publish(gis_ctx *g, const char *file, const survey_cached **sc)
{
    json_t *doc = load(file);
    json_object_del(doc, "opens");
    json_object_del(doc, "closes");
    char *text = json_dumps(doc, JSON_COMPACT);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int64_t id = 0;
    const char *slug = json_string_value(json_object_get(doc, "slug"));
    T_EQ_INT(survey_store_create(C, slug, text, "tester", "2026-09-01T00:00:00Z", &id, &ei), VK_OK,
             "%s: created", slug);
    T_EQ_INT(survey_store_create(C, slug, text, "tester", "2026-09-01T00:00:00Z", &id, &ei),
             VK_ECONFLICT, "%s: the slug is taken", slug);
    T_EQ_INT(survey_store_add_version(C, id, 1, text, "tester", "2026-09-01T00:00:00Z", &ei), VK_OK,
             "%s: version 1", slug);
    *sc = NULL;
    T_EQ_INT(survey_cache_get(C, g, id, 1, sc, &ei), VK_OK, "%s: version 1 parsed", slug);
    T_OK(*sc && (*sc)->def && strcmp((*sc)->text, text) == 0, "%s: cached with its text", slug);
    free(text);
    json_decref(doc);
    return id;
}

static void test_states(void)
{
    int64_t id = 0, version = -1;
    char state[12] = "";
    int found = 0;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    T_EQ_INT(survey_store_create(C, "tila", "{\"slug\":\"tila\"}", NULL, "2026-09-01T00:00:00Z",
                                 &id, &ei), VK_OK, "a draft");
    T_EQ_INT(survey_store_head(C, "tila", &id, state, &version, &found, &ei), VK_OK, "head");
    T_OK(found && strcmp(state, "draft") == 0 && version == 0, "a new survey is a draft, version 0");
    T_EQ_INT(survey_store_add_version(C, id, 1, "{\"slug\":\"tila\"}", NULL, "2026-09-02T00:00:00Z",
                                      &ei), VK_OK, "publish");
    survey_store_head(C, "tila", &id, state, &version, &found, &ei);
    T_OK(strcmp(state, "published") == 0 && version == 1, "published as version 1");
    survey_store_set_state(C, id, "closed", "2026-09-03T00:00:00Z", &ei);
    survey_row r;
    T_EQ_INT(survey_store_get(C, "tila", &r, &found, &ei), VK_OK, "the staff row");
    T_EQ_STR(r.state, "closed", "closed");
    T_EQ_STR(r.closed_at, "2026-09-03T00:00:00Z", "closed_at set");
    T_EQ_STR(r.published_at, "2026-09-02T00:00:00Z", "published_at kept");
    survey_row_fini(&r);
    survey_store_set_state(C, id, "published", "2026-09-04T00:00:00Z", &ei);
    survey_store_get(C, "tila", &r, &found, &ei);
    T_OK(strcmp(r.state, "published") == 0 && r.closed_at[0] == '\0', "reopened: closed_at cleared");
    survey_row_fini(&r);
    T_EQ_INT(survey_store_get(C, "ei-ole", &r, &found, &ei), VK_OK, "an unknown slug");
    T_EQ_INT(found, 0, "is not found");
}

/* Check a fixture response with the store's districts (none here: the
 * district-located spot goes) and insert it. */
static void test_response(gis_ctx *g)
{
    const survey_cached *sc = NULL;
    int64_t sid = publish(g, FIXTURES "safe-route-to-school.json", &sc);
    if (!sc)
        return;
    json_t *r = load(FIXTURES "responses/safe-route-to-school.json");
    json_array_remove(json_object_get(json_object_get(r, "answers"), "unsafe_spots"), 1);
    gis_ctx *area = NULL;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    T_EQ_INT(survey_cached_area_take(sc, &area, &ei), VK_OK, "an area context lent");
    T_OK(area != NULL, "the survey has an area");
    survey_env env = {g, area, survey_store_district_id, C};
    survey_norm n;
    survey_norm_init(&n);
    T_EQ_INT(survey_response_check(sc->def, r, &env, &n, &ei), VK_OK, "the response checks: %s",
             ei.message);
    survey_cached_area_give(sc, area);

    survey_draft_data d = {n.id, 1, "fi", 2, "{}"};
    T_EQ_INT(survey_store_draft_insert(C, "hash-1", sid, &d, "2026-09-10T07:40:00Z", &ei), VK_OK,
             "a draft under the response's id");
    T_EQ_INT(count(Q_DRAFTS, 0), 1, "one draft");

    int64_t rid = 0;
    T_EQ_INT(survey_store_response_insert(C, sid, &n, "h1", "2026-09-10T08:00:00Z", &rid, &ei),
             VK_OK, "inserted: %s", ei.message);
    T_EQ_INT(count(Q_FEATURES, rid), 3, "a route and two spots");
    T_EQ_INT(count(Q_GEOMS, rid), 2, "two drawn geometries, valid");
    T_EQ_INT(count(Q_WORDS, rid), 1, "one spot in words, without a geometry");
    T_EQ_INT(count(Q_WITHOUT_MAP, rid), 1, "without_map counts it");
    T_EQ_INT(count(Q_TAKEN, rid), 1800, "seconds from started (07:30Z) to 08:00Z");
    T_EQ_INT(count(Q_PERSONAL, rid), 1, "the e-mail apart");
    T_EQ_INT(count(Q_ANSWERS, rid), 7, "the other answers, the skipped one too");
    T_EQ_INT(count(Q_DRAFTS, 0), 0, "the draft went with the response");
    T_EQ_INT(count(Q_INDEXED, rid), 2, "both geometries in the R*Tree, their boxes covered");
    T_EQ_INT(count(Q_INDEX_OK, 0), 1, "CheckSpatialIndex: the index matches the rows");
    T_EQ_INT(count(Q_SPATIALITE_TRIGGERS, 0), 0, "no SpatiaLite trigger on survey_feature");

    int64_t again = 0;
    T_EQ_INT(survey_store_response_insert(C, sid, &n, "h2", "2026-09-10T08:01:00Z", &again, &ei),
             VK_ERESPONSE_CONFLICT, "the same id again is a conflict");
    survey_stored_response old;
    int found = 0;
    T_EQ_INT(survey_store_response_find(C, sid, n.id, &old, &found, &ei), VK_OK, "looked up");
    T_OK(found && old.id == rid && strcmp(old.body_hash, "h1") == 0 && old.version == 1 &&
             strcmp(old.submitted, "2026-09-10T08:00:00Z") == 0,
         "the first response is what is stored");

    /* A geometry without a prepared blob goes through GeomFromWKB. */
    json_object_set_new(r, "id", json_string("0a0b0c0d-1111-4222-8333-444444444444"));
    survey_norm m;
    survey_norm_init(&m);
    survey_cached_area_take(sc, &area, &ei);
    env.area = area;
    T_EQ_INT(survey_response_check(sc->def, r, &env, &m, &ei), VK_OK, "another id checks");
    survey_cached_area_give(sc, area);
    T_EQ_INT(survey_store_prepare(&m, &ei), VK_OK, "prepared");
    for (size_t i = 0; i < m.features.n; i++) {
        free(m.feature_data[i].geom);
        m.feature_data[i].geom = NULL;
    }
    int64_t rid2 = 0;
    T_EQ_INT(survey_store_response_insert(C, sid, &m, "h3", "2026-09-10T08:02:00Z", &rid2, &ei),
             VK_OK, "inserted from WKB: %s", ei.message);
    T_EQ_INT(count(Q_GEOMS, rid2), 2, "the same two valid geometries");
    T_EQ_INT(count(Q_INDEXED, rid2), 2, "indexed too");
    survey_norm_fini(&m);

    int64_t rows = count(Q_INDEX_ROWS, 0);
    T_EQ_INT(count(Q_DELETE_RESPONSE, rid2), 0, "a response's features deleted");
    T_EQ_INT(count(Q_INDEX_ROWS, 0), rows - 2, "and their index rows with them");
    T_EQ_INT(count(Q_INDEX_OK, 0), 1, "the index still matches the rows");
    T_OK(db_run(C, &count_sql, Q_BAD_GEOM, DB_ARGS(DB_INT(rid)), "bad", &ei) != VK_OK &&
             strstr(ei.message, "EPSG:4326"),
         "a geometry in another CRS is refused: %s", ei.message);
    survey_norm_fini(&n);
    json_decref(r);
}

typedef struct blob_pair {
    unsigned char wkb[512], blob[600];
    size_t wkb_len, blob_len;
} blob_pair;

static vk_err read_pair(void *arg, db_row *row)
{
    blob_pair *p = arg;
    p->wkb_len = db_col_bytes(row, 0);
    p->blob_len = db_col_bytes(row, 1);
    if (p->wkb_len > sizeof p->wkb || p->blob_len > sizeof p->blob)
        return VK_EVALUE;
    memcpy(p->wkb, db_col_blob(row, 0), p->wkb_len);
    memcpy(p->blob, db_col_blob(row, 1), p->blob_len);
    return VK_OK;
}

/* survey_store_geom_blob makes what GeomFromWKB makes, byte for byte. */
static void test_blob(void)
{
    static const char *const wkts[] = {
        "POINT(28.77 61.17)",
        "LINESTRING(28.7 61.1, 28.8 61.2, 28.75 61.3)",
        "POLYGON((28.7 61.1, 28.9 61.1, 28.9 61.3, 28.7 61.3, 28.7 61.1), "
        "(28.75 61.15, 28.8 61.15, 28.8 61.2, 28.75 61.15))",
        "MULTIPOINT(28.7 61.1, 28.9 61.3)",
        "MULTILINESTRING((28.7 61.1, 28.8 61.2), (28.6 61.0, 28.65 61.05))",
        "MULTIPOLYGON(((28.7 61.1, 28.9 61.1, 28.9 61.3, 28.7 61.1)), "
        "((28.0 60.0, 28.1 60.0, 28.1 60.1, 28.0 60.0)))",
        "GEOMETRYCOLLECTION(POINT(28.7 61.1), LINESTRING(28.7 61.1, 28.8 61.2))",
    };
    vk_errinfo ei;
    for (size_t i = 0; i < sizeof wkts / sizeof wkts[0]; i++) {
        blob_pair p;
        int found = 0;
        if (db_first(C, &count_sql, Q_WKB, DB_ARGS(DB_TEXT(wkts[i])), read_pair, &p, &found,
                     "wkb", &ei) || !found) {
            T_OK(0, "SpatiaLite reads %s", wkts[i]);
            continue;
        }
        unsigned char *b = NULL;
        size_t n = 0;
        vk_err e = survey_store_geom_blob(p.wkb, p.wkb_len, 4326, &b, &n);
        T_OK(e == VK_OK && n == p.blob_len && memcmp(b, p.blob, n) == 0,
             "the blob of %.30s… is GeomFromWKB's (%zu / %zu bytes)", wkts[i], n, p.blob_len);
        free(b);
        if (i == 2) {
            p.wkb[0] = 0; /* big-endian: not read here */
            T_EQ_INT(survey_store_geom_blob(p.wkb, p.wkb_len, 4326, &b, &n), VK_EVALUE,
                     "big-endian WKB is left to GeomFromWKB");
            p.wkb[0] = 1;
            T_EQ_INT(survey_store_geom_blob(p.wkb, p.wkb_len - 3, 4326, &b, &n), VK_EVALUE,
                     "cut WKB is refused");
            T_EQ_INT(survey_store_geom_blob(p.wkb, p.wkb_len + 0 * n, 4326, &b, &n), VK_OK,
                     "and the whole again read");
            free(b);
        }
    }
    static const unsigned char empty_point[] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF8, 0x7F,
                                                0, 0, 0, 0, 0, 0, 0xF8, 0x7F};
    unsigned char *b = NULL;
    size_t n = 0;
    T_EQ_INT(survey_store_geom_blob(empty_point, sizeof empty_point, 4326, &b, &n), VK_EVALUE,
             "an empty point (NaN) is left to GeomFromWKB");
}

static void test_personal(gis_ctx *g)
{
    const survey_cached *sc = NULL;
    int64_t sid = publish(g, FIXTURES "how-to-take-part.json", &sc);
    if (!sc)
        return;
    json_t *r = load(FIXTURES "responses/how-to-take-part.json");
    survey_env env = {g, NULL, survey_store_district_id, C};
    survey_norm n;
    survey_norm_init(&n);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    T_EQ_INT(survey_response_check(sc->def, r, &env, &n, &ei), VK_OK, "checks: %s", ei.message);
    int64_t rid = 0;
    T_EQ_INT(survey_store_response_insert(C, sid, &n, "h", "2026-12-01T00:00:00Z", &rid, &ei),
             VK_OK, "inserted");
    T_EQ_INT(count(Q_PERSONAL, rid), 1, "the personal answer in survey_personal");
    T_EQ_INT(count(Q_ANSWER_OF, rid), 0, "and not among the answers");
    T_EQ_INT(count(Q_TAKEN, rid), 0, "no started: no time taken (NULL)");
    survey_norm_fini(&n);
    json_decref(r);
    const survey_cached *none = NULL;
    T_EQ_INT(survey_cache_get(C, g, sid, 2, &none, &ei), VK_OK, "an unknown version");
    T_OK(none == NULL, "is not found");
}

static void test_purge(void)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int64_t id = 0, removed = -1;
    char state[12];
    int found;
    survey_store_head(C, "tila", &id, state, &removed, &found, &ei);
    survey_draft_data d = {"11111111-2222-4333-8444-555555555555", 1, "en", 0, "{\"a\":1}"};
    survey_store_draft_insert(C, "old", id, &d, "2026-01-01T00:00:00Z", &ei);
    survey_store_draft_insert(C, "new", id, &d, "2026-12-01T00:00:00Z", &ei);
    survey_draft_read got;
    T_EQ_INT(survey_store_draft_get(C, "old", id, &got, &found, &ei), VK_OK, "a draft read");
    T_OK(found && strcmp(got.answers, "{\"a\":1}") == 0 && strcmp(got.language, "en") == 0,
         "as saved");
    survey_draft_read_fini(&got);
    T_EQ_INT(survey_store_draft_purge(C, "2026-11-01T00:00:00Z", &removed, &ei), VK_OK, "purge");
    T_EQ_INT(removed, 1, "only the old draft goes");
    survey_store_draft_get(C, "new", id, &got, &found, &ei);
    T_EQ_INT(found, 1, "the recent one stays");
    survey_draft_read_fini(&got);
}

int main(void)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    T_EQ_INT(store_open(&C, t_path("survey.sqlite"), &ei), VK_OK, "open");
    gis_ctx *g = NULL;
    gis_ctx_new(&g);
    test_states();
    test_response(g);
    test_personal(g);
    test_purge();
    test_blob();
    survey_cache_clear();
    gis_ctx_free(g);
    store_close(C);
    t_cleanup();
    return t_done();
}
