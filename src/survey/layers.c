/*
 * layers.c — survey answers as collections (layers.h).
 *
 * The SQL of a layer names its survey's id and its question's key as
 * literals: the id is an integer from the database and the key was checked
 * against the schema's pattern (^[a-z][a-z0-9_]{0,39}$) when the survey was
 * stored, and is checked again here, so no request text becomes SQL. The
 * R*Tree of survey_feature holds every survey's features; a layer reads it
 * through a subquery restricted to its own rows, so box counts, box walks
 * and extents stay the layer's.
 */
#include "survey/layers.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db/stmt.h"
#include "features/registry.h"
#include "survey/cache.h"
#include "survey/publish_internal.h"

#define LAYERS_SQL(X)                                                                   \
    X(SQL_LAYERS_ALL,                                                                   \
      "SELECT s.id, s.slug, s.public_questions, s.version FROM survey s "               \
      "JOIN survey_version v ON v.survey_id = s.id AND v.version = s.version "          \
      "WHERE s.version > 0 AND s.state IN ('published', 'closed') ORDER BY s.slug")     \
    X(SQL_LAYERS_ONE,                                                                   \
      "SELECT s.id, s.slug, s.public_questions, s.version FROM survey s "               \
      "JOIN survey_version v ON v.survey_id = s.id AND v.version = s.version "          \
      "WHERE s.version > 0 AND s.state IN ('published', 'closed') AND s.slug = ?1")    \
    X(SQL_LAYERS_ANSWERS,                                                               \
      "SELECT sr.id, sr.uuid, sr.submitted_at, sr.version, sr.language, a.question, "   \
      "a.value, a.skipped FROM survey_response sr LEFT JOIN survey_answer a "           \
      "ON a.response_id = sr.id WHERE sr.survey_id = ?1 ORDER BY sr.id")
DB_SLICE_ENUM(layers_sql_id, LAYERS_SQL)
extern const db_slice survey_layers_sql;
DB_SLICE_DEFINE(survey_layers_sql, LAYERS_SQL)

#define PREFIX "survey-"
#define MAX_FOLLOWUPS 20 /* the schema's maxItems */

/* The columns every layer has before its follow-ups. */
static const char *const located_values[] = {"geometry", "district", "place", "words", NULL};
static const store_column fixed_columns[] = {
    {"response", "sr.uuid", CQL2_Q_STRING, "The response's id (the respondent's UUID)", NULL, 0},
    {"submitted", "sr.submitted_at", CQL2_Q_DATETIME, "When the response was sent", NULL, 0},
    {"version", "sr.version", CQL2_Q_INTEGER, "The survey version it answered", NULL, 0},
    {"located", "sf.located", CQL2_Q_STRING,
     "How the feature is placed: drawn (geometry) or by district, place or words (no geometry)",
     located_values, 0},
    {"district", "d.code", CQL2_Q_STRING, "District code (see /api/v1/districts)", NULL, 0},
    {"place", "sf.place", CQL2_Q_STRING, "The survey's place it was placed at", NULL, 0},
    {"description", "sf.description", CQL2_Q_STRING, "The place described in words", NULL, 0},
    {"item", "sf.item", CQL2_Q_STRING, "The budget item placed (geobudget)", NULL, 0},
};
#define NFIXED ((int)(sizeof fixed_columns / sizeof fixed_columns[0]))

static const store_column feature_columns[] = {
    {"question", "sf.question", CQL2_Q_STRING, "The map question", NULL, 0},
    {"response", "sr.uuid", CQL2_Q_STRING, "The response's id (the respondent's UUID)", NULL, 0},
    {"submitted", "sr.submitted_at", CQL2_Q_DATETIME, "When the response was sent", NULL, 0},
    {"version", "sr.version", CQL2_Q_INTEGER, "The survey version it answered", NULL, 0},
    {"located", "sf.located", CQL2_Q_STRING, "geometry, district, place or words", located_values, 0},
    {"district", "d.code", CQL2_Q_STRING, "District code", NULL, 0},
    {"place", "sf.place", CQL2_Q_STRING, "The survey's place", NULL, 0},
    {"description", "sf.description", CQL2_Q_STRING, "The place in words", NULL, 0},
    {"item", "sf.item", CQL2_Q_STRING, "The budget item placed (geobudget)", NULL, 0},
    {"answers", "sf.answers", CQL2_Q_STRING, "The follow-up answers, a JSON object", NULL, 1},
};

static char *arena_printf(vk_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static char *arena_printf(vk_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? vk_arena_alloc(a, (size_t)n + 1) : NULL;
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* The schema's key pattern, checked again before a key goes into SQL. */
static int key_ok(const char *k)
{
    if (!k || !(k[0] >= 'a' && k[0] <= 'z') || strlen(k) > 40)
        return 0;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

static const char *type_of(const json_t *el)
{
    const char *t = json_string_value(json_object_get(el, "type"));
    return t ? t : "";
}

static int is_map(const char *type)
{
    return strcmp(type, "map-point") == 0 || strcmp(type, "map-line") == 0 ||
           strcmp(type, "map-area") == 0 || strcmp(type, "geobudget") == 0;
}

static const char *geometry_type(const char *type)
{
    if (strcmp(type, "map-line") == 0)
        return "LineString";
    if (strcmp(type, "map-area") == 0)
        return "Polygon";
    return "Point";
}

/* A text in the survey's first language (fi is required), or NULL. */
static const char *text_fi(const json_t *t)
{
    return json_is_string(t) ? json_string_value(t) : json_string_value(json_object_get(t, "fi"));
}

static int is_fixed_name(const char *name)
{
    if (strcmp(name, "id") == 0 || strcmp(name, "geometry") == 0)
        return 1;
    for (int i = 0; i < NFIXED; i++)
        if (strcmp(fixed_columns[i].name, name) == 0)
            return 1;
    return 0;
}

/* One follow-up answer as a column: numbers as numbers, text as text,
 * anything else (choices, rankings, yes/no) as its JSON text. A skipped
 * follow-up ("skip") is null in a number column. */
/* moderated: a text follow-up is shown only once a moderator approved it
 * (the public's snapped layer, as the public results; its answer id is
 * RESPONSE.QUESTION.INDEX.FOLLOWUP, docs/survey-publish.md). */
static vk_err followup_column(vk_arena *a, const json_t *fu, int moderated, store_column *c)
{
    const char *key = json_string_value(json_object_get(fu, "key"));
    const char *type = type_of(fu);
    /* The definition is freed after building: copy what the column keeps. */
    c->name = arena_printf(a, "%s%s", is_fixed_name(key) ? "answer_" : "", key);
    c->title = text_fi(json_object_get(fu, "text"));
    c->title = c->title ? vk_arena_strdup(a, c->title) : NULL;
    c->enum_values = NULL;
    c->json = 0;
    if (strcmp(type, "number") == 0 || strcmp(type, "scale") == 0) {
        c->type = CQL2_Q_NUMBER;
        c->sql = arena_printf(a,
                              "(CASE WHEN json_type(sf.answers, '$.%s') IN ('integer', 'real') "
                              "THEN json_extract(sf.answers, '$.%s') END)",
                              key, key);
    } else if (moderated && strcmp(type, "text") == 0) {
        c->type = CQL2_Q_STRING;
        c->sql = arena_printf(a,
                              "(CASE WHEN EXISTS (SELECT 1 FROM survey_text_state t WHERE "
                              "t.response_id = sf.response_id AND t.answer = sf.response_id || "
                              "'.' || sf.question || '.' || sf.idx || '.%s' AND "
                              "t.state = 'approved') THEN json_extract(sf.answers, '$.%s') END)",
                              key, key);
    } else if (strcmp(type, "text") == 0 || strcmp(type, "date") == 0 ||
               strcmp(type, "single-choice") == 0) {
        /* A single choice's "other, what?" is {"other": text}: its text. */
        c->type = CQL2_Q_STRING;
        c->sql = arena_printf(a, "coalesce(json_extract(sf.answers, '$.%s.other'), "
                                 "json_extract(sf.answers, '$.%s'))",
                              key, key);
    } else {
        c->type = CQL2_Q_STRING;
        c->json = 1;
        c->sql = arena_printf(a, "(sf.answers -> '$.%s')", key);
    }
    return c->name && c->sql ? VK_OK : VK_ENOMEM;
}

/* How a public layer shows its points when the author asks for snapping
 * (docs/survey-publish.md, "Maps"): each at the centre of its hexagon, the
 * grid of the public results, and only in hexagons where at least k
 * respondents drew (a line or an area counts in its centroid's hexagon,
 * as there); lines, areas and features without a geometry are not
 * listed. hex_size 0: not snapped. */
typedef struct layer_snap {
    int hex_size, k;
} layer_snap;

#define SNAP_CELL(g) "vk_hex_cell(ST_X(" g "), ST_Y(" g "), %d)"

/* from, geom_sql and the box table of a snapped layer. */
static vk_err snap_layer(vk_arena *a, int64_t id, const char *key, layer_snap sn,
                         store_collection *col)
{
    int h = sn.hex_size;
    col->from = arena_printf(
        a,
        "survey_feature sf JOIN survey_response sr ON sr.id = sf.response_id "
        "AND sf.survey_id = %lld AND sf.question = '%s' AND GeometryType(sf.geom) = 'POINT' "
        "AND " SNAP_CELL("sf.geom") " IN (SELECT " SNAP_CELL("ST_Centroid(h.geom)") " AS c "
        "FROM survey_feature h WHERE h.survey_id = %lld AND h.question = '%s' "
        "AND h.geom IS NOT NULL GROUP BY c HAVING count(DISTINCT h.response_id) >= %d) "
        "LEFT JOIN district d ON d.id = sf.district_id",
        (long long)id, key, h, h, (long long)id, key, sn.k);
    col->geom_sql = arena_printf(a,
                                 "MakePoint(vk_hex_lon(" SNAP_CELL("sf.geom") ", %d), "
                                 "vk_hex_lat(" SNAP_CELL("sf.geom") ", %d), 4326)",
                                 h, h, h, h);
    /* The boxes of the snapped points (the R*Tree holds where they were
     * drawn), so a bbox finds a point where it is shown. */
    col->rtree = arena_printf(a,
                              "(SELECT x.id AS pkid, vk_hex_lon(x.c, %d) AS xmin, "
                              "vk_hex_lon(x.c, %d) AS xmax, vk_hex_lat(x.c, %d) AS ymin, "
                              "vk_hex_lat(x.c, %d) AS ymax FROM (SELECT id, " SNAP_CELL("geom")
                              " AS c FROM survey_feature WHERE survey_id = %lld AND "
                              "question = '%s' AND GeometryType(geom) = 'POINT') x)",
                              h, h, h, h, h, (long long)id, key);
    return col->from && col->geom_sql && col->rtree ? VK_OK : VK_ENOMEM;
}

/* The collection of map question el of survey (id, slug); snapped when
 * sn.hex_size > 0. */
static vk_err build_layer(vk_arena *a, int64_t id, const char *slug, const json_t *def,
                          const json_t *el, layer_snap sn, store_collection *col)
{
    const char *key = json_string_value(json_object_get(el, "key"));
    const char *type = type_of(el);
    const json_t *fus = json_object_get(el, "followups");
    size_t nfu = 0;
    for (size_t i = 0; i < json_array_size(fus) && nfu < MAX_FOLLOWUPS; i++)
        nfu += key_ok(json_string_value(json_object_get(json_array_get(fus, i), "key")));
    store_column *cols = vk_arena_alloc(a, sizeof *cols * (NFIXED + nfu));
    if (!cols)
        return VK_ENOMEM;
    int n = 0, snapped = sn.hex_size > 0;
    /* Snapped (published as the results are), nothing names a respondent
     * or a time: not the response's id, time or version. */
    for (int i = 0; i < NFIXED; i++)
        if (!snapped || (strcmp(fixed_columns[i].name, "response") != 0 &&
                         strcmp(fixed_columns[i].name, "submitted") != 0 &&
                         strcmp(fixed_columns[i].name, "version") != 0))
            cols[n++] = fixed_columns[i];
    int nmax = n + (int)nfu;
    for (size_t i = 0; i < json_array_size(fus) && n < nmax; i++) {
        const json_t *fu = json_array_get(fus, i);
        if (!key_ok(json_string_value(json_object_get(fu, "key"))))
            continue;
        if (followup_column(a, fu, snapped, &cols[n++]))
            return VK_ENOMEM;
    }
    const char *stitle = text_fi(json_object_get(def, "title"));
    const char *qtext = text_fi(json_object_get(el, "text"));
    memset(col, 0, sizeof *col);
    col->id = arena_printf(a, PREFIX "%s-%s", slug, key);
    col->title = arena_printf(a, "%s: %s", stitle ? stitle : slug, qtext ? qtext : key);
    col->description = arena_printf(
        a, "Answers to the map question %s of the survey %s: one feature per drawn feature "
           "(no geometry when placed by district, place or words) with its follow-up answers.",
        key, slug);
    col->geometry_type = geometry_type(type);
    col->from = arena_printf(a,
                             "survey_feature sf JOIN survey_response sr ON sr.id = sf.response_id "
                             "AND sf.survey_id = %lld AND sf.question = '%s' "
                             "LEFT JOIN district d ON d.id = sf.district_id",
                             (long long)id, key);
    col->id_sql = "sf.id";
    col->rowid_sql = "sf.id";
    col->geom_sql = "sf.geom";
    col->rtree = arena_printf(a,
                              "(SELECT x.pkid AS pkid, x.xmin AS xmin, x.xmax AS xmax, x.ymin AS "
                              "ymin, x.ymax AS ymax FROM idx_survey_feature_geom x JOIN "
                              "survey_feature s ON s.id = x.pkid WHERE s.survey_id = %lld AND "
                              "s.question = '%s')",
                              (long long)id, key);
    col->time_sql = "sr.submitted_at";
    col->columns = cols;
    col->ncolumns = n;
    if (snapped) {
        col->time_sql = NULL;
        if (snap_layer(a, id, key, sn, col))
            return VK_ENOMEM;
        col->description = arena_printf(
            a,
            "Answers to the map question %s of the survey %s, as published: each drawn point "
            "at the centre of its %d m hexagon (EPSG:3067), only in hexagons where at least %d "
            "respondents drew; lines, areas and features placed without a geometry are not "
            "listed, nor the response or its time; a text follow-up once a moderator approved "
            "it.",
            key, slug, sn.hex_size, sn.k);
    }
    return col->id && col->title && col->description && col->from && col->rtree ? VK_OK
                                                                                  : VK_ENOMEM;
}

static int listed(const json_t *public_questions, const char *key)
{
    size_t i;
    const json_t *v;
    json_array_foreach(public_questions, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), key) == 0)
            return 1;
    return 0;
}

/* Keys named personal by a consent: their answers are never exported. */
static int personal(const json_t *def, const char *key)
{
    size_t p, e;
    const json_t *page, *el;
    json_array_foreach(json_object_get(def, "pages"), p, page)
        json_array_foreach(json_object_get(page, "elements"), e, el)
            if (strcmp(type_of(el), "consent") == 0 && listed(json_object_get(el, "personal"), key))
                return 1;
    return 0;
}

static vk_err build_question(vk_arena *a, const json_t *el, survey_question *q)
{
    const char *type = type_of(el);
    memset(q, 0, sizeof *q);
    q->key = vk_arena_strdup(a, json_string_value(json_object_get(el, "key")));
    q->other = json_is_true(json_object_get(el, "other"));
    if (strcmp(type, "number") == 0 || strcmp(type, "scale") == 0) {
        q->kind = SURVEY_COL_NUMBER;
    } else if (strcmp(type, "consent") == 0) {
        q->kind = SURVEY_COL_BOOL;
    } else if (strcmp(type, "text") == 0 || strcmp(type, "date") == 0 ||
               strcmp(type, "single-choice") == 0) {
        q->kind = SURVEY_COL_TEXT;
    } else if (strcmp(type, "multi-choice") == 0) {
        const json_t *choices = json_object_get(el, "choices");
        q->kind = SURVEY_COL_CHOICE;
        q->choices = vk_arena_alloc(a, sizeof *q->choices * (json_array_size(choices) + 1));
        if (!q->choices)
            return VK_ENOMEM;
        for (size_t i = 0; i < json_array_size(choices); i++) {
            const char *k = json_string_value(json_object_get(json_array_get(choices, i), "key"));
            if (key_ok(k) && !(q->choices[q->nchoices++] = vk_arena_strdup(a, k)))
                return VK_ENOMEM;
        }
    } else {
        q->kind = SURVEY_COL_JSON;
    }
    if (q->kind != SURVEY_COL_TEXT && q->kind != SURVEY_COL_CHOICE)
        q->other = 0;
    return q->key ? VK_OK : VK_ENOMEM;
}

/* Everything survey_layers holds, from one row of SQL_LAYERS_*. */
static vk_err load_row(vk_ctx *ctx, db_row *row, vk_arena *a, int staff, survey_layers *s,
                       vk_errinfo *ei)
{
    memset(s, 0, sizeof *s);
    s->id = db_col_int64(row, 0);
    s->slug = vk_arena_strdup(a, db_col_text(row, 1));
    s->version = db_col_int64(row, 3);
    json_error_t jerr;
    json_t *pub = json_loads(db_col_text(row, 2), 0, &jerr);
    /* The published version, parsed once per process (survey/cache.h). */
    const survey_cached *sc = NULL;
    vk_err e = survey_cache_get(ctx->store, ctx->gis, s->id, s->version, &sc, ei);
    if (e) {
        json_decref(pub);
        return e;
    }
    const json_t *def = sc ? sc->def->doc : NULL;
    /* Everyone but staff sees the layers as the author publishes them. */
    layer_snap sn = {0, 0};
    if (!staff) {
        pub_settings set;
        if ((e = pub_settings_get(ctx->store, s->id, &set, ei))) {
            json_decref(pub);
            return e;
        }
        if (set.snap)
            sn = (layer_snap){set.hex_size, set.k};
        pub_settings_fini(&set);
    }
    e = s->slug && pub && def ? VK_OK : VK_ENOMEM;
    size_t nel = 0, p, i;
    const json_t *page, *el;
    json_array_foreach(json_object_get(def, "pages"), p, page)
        nel += json_array_size(json_object_get(page, "elements"));
    s->layers = vk_arena_alloc(a, sizeof *s->layers * (nel + 1));
    s->layer_questions = vk_arena_alloc(a, sizeof *s->layer_questions * (nel + 1));
    s->questions = vk_arena_alloc(a, sizeof *s->questions * (nel + 1));
    if (!s->layers || !s->layer_questions || !s->questions)
        e = VK_ENOMEM;
    json_array_foreach(json_object_get(def, "pages"), p, page) {
        json_array_foreach(json_object_get(page, "elements"), i, el) {
            const char *key = json_string_value(json_object_get(el, "key"));
            const char *type = type_of(el);
            if (e || !key_ok(key) || strcmp(type, "info") == 0 || strcmp(type, "section") == 0)
                continue;
            if (!is_map(type)) {
                if (!personal(def, key))
                    e = build_question(a, el, &s->questions[s->nquestions++]);
                continue;
            }
            if (!staff && !listed(pub, key))
                continue;
            e = build_layer(a, s->id, s->slug, def, el, sn, &s->layers[s->nlayers]);
            if (!e && !(s->layer_questions[s->nlayers++] = vk_arena_strdup(a, key)))
                e = VK_ENOMEM;
        }
    }
    store_collection *f = &s->features;
    f->id = arena_printf(a, PREFIX "%s", s->slug ? s->slug : "");
    f->title = f->description = f->id;
    f->geometry_type = "Geometry";
    f->from = arena_printf(a,
                           "survey_feature sf JOIN survey_response sr ON sr.id = sf.response_id "
                           "AND sf.survey_id = %lld LEFT JOIN district d ON d.id = sf.district_id",
                           (long long)s->id);
    f->id_sql = f->rowid_sql = "sf.id";
    f->geom_sql = "sf.geom";
    f->time_sql = "sr.submitted_at";
    f->columns = feature_columns;
    f->ncolumns = (int)(sizeof feature_columns / sizeof feature_columns[0]);
    if (!e && (!f->id || !f->from))
        e = VK_ENOMEM;
    json_decref(pub);
    return e ? vk_fail(ei, e, "", NULL) : VK_OK;
}

struct sqlite3_stmt *survey_answers_cursor(store_conn *c, int64_t survey_id, vk_errinfo *ei)
{
    return db_cursor(c, &survey_layers_sql, SQL_LAYERS_ANSWERS, DB_ARGS(DB_INT(survey_id)), ei);
}

typedef struct load_one {
    vk_ctx *ctx;
    vk_arena *a;
    int staff;
    survey_layers *out;
    vk_errinfo *ei;
} load_one;

static vk_err read_one(void *arg, db_row *row)
{
    load_one *l = arg;
    return load_row(l->ctx, row, l->a, l->staff, l->out, l->ei);
}

vk_err survey_layers_load(vk_ctx *ctx, vk_arena *a, const char *slug, int staff,
                          survey_layers *out, int *found, vk_errinfo *ei)
{
    load_one l = {ctx, a, staff, out, ei};
    memset(out, 0, sizeof *out);
    return db_first(ctx->store, &survey_layers_sql, SQL_LAYERS_ONE, DB_ARGS(DB_TEXT(slug)), read_one, &l, found,
                    "reading a survey", ei);
}

const store_collection *survey_layers_find(const survey_layers *s, const char *key)
{
    for (int i = 0; i < s->nlayers; i++)
        if (strcmp(s->layer_questions[i], key) == 0)
            return &s->layers[i];
    return NULL;
}

/* ---- the provider of features/registry.h ---- */

typedef struct each_state {
    vk_ctx *ctx;
    vk_arena *a;
    int staff;
    vk_collection_fn fn;
    void *arg;
    vk_err err;
    vk_errinfo *ei;
} each_state;

static int each_row(void *arg, db_row *row)
{
    each_state *st = arg;
    survey_layers s;
    if ((st->err = load_row(st->ctx, row, st->a, st->staff, &s, st->ei)))
        return 1;
    for (int i = 0; i < s.nlayers; i++)
        if (st->fn(st->arg, &s.layers[i]))
            return 1;
    return 0;
}

static int is_staff(const vk_req *req)
{
    return req->staff && req->staff->role != 0;
}

static vk_err provider_each(vk_ctx *ctx, const vk_req *req, vk_collection_fn fn, void *arg)
{
    each_state st = {ctx, req->arena, is_staff(req), fn, arg, VK_OK, &ctx->err};
    vk_err e = db_each(ctx->store, &survey_layers_sql, SQL_LAYERS_ALL, DB_NO_ARGS, each_row, &st,
                       "listing surveys", &ctx->err);
    return e ? e : st.err;
}

static vk_err provider_find(vk_ctx *ctx, const vk_req *req, const char *id,
                            const store_collection **out)
{
    /* survey-{slug}-{question}: a key has no '-', so the last one splits. */
    *out = NULL;
    const char *rest = id + strlen(PREFIX);
    const char *dash = strrchr(rest, '-');
    char slug[80];
    if (!dash || dash == rest || (size_t)(dash - rest) >= sizeof slug || !key_ok(dash + 1))
        return VK_OK;
    memcpy(slug, rest, (size_t)(dash - rest));
    slug[dash - rest] = '\0';
    survey_layers s;
    int found = 0;
    vk_err e = survey_layers_load(ctx, req->arena, slug, is_staff(req), &s, &found,
                                  &ctx->err);
    if (!e && found)
        *out = survey_layers_find(&s, dash + 1);
    return e;
}

static const vk_collection_provider provider = {PREFIX, provider_each, provider_find};

vk_err survey_layers_register(vk_errinfo *ei)
{
    return vk_registry_add_provider(&provider, ei);
}
