/* store.c — surveys, responses and drafts in SpatiaLite (see store.h). */
#include "survey/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "survey/sql.h"

DB_SLICE_DEFINE(survey_sql, SURVEY_SQL)

void survey_row_fini(survey_row *r)
{
    free(r->draft);
    free(r->public_questions);
    memset(r, 0, sizeof *r);
}

vk_err survey_store_get(store_conn *c, const char *slug, survey_row *out, int *found,
                        vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    return db_scan(c, &survey_sql, SQL_SURVEY_GET, DB_ARGS(DB_TEXT(slug)),
                   DB_OUTS(DB_I64_TO(&out->id), DB_COPY_TO(out->slug, sizeof out->slug),
                           DB_COPY_TO(out->state, sizeof out->state), DB_I64_TO(&out->version),
                           DB_DUP_TO(&out->draft), DB_DUP_TO(&out->public_questions),
                           DB_COPY_TO(out->created_at, sizeof out->created_at),
                           DB_COPY_TO(out->updated_at, sizeof out->updated_at),
                           DB_COPY_TO(out->published_at, sizeof out->published_at),
                           DB_COPY_TO(out->closed_at, sizeof out->closed_at),
                           DB_I64_TO(&out->responses)),
                   found, "reading a survey", ei);
}

vk_err survey_store_head(store_conn *c, const char *slug, int64_t *id, char state[12],
                         int64_t *version, int *found, vk_errinfo *ei)
{
    return db_scan(c, &survey_sql, SQL_SURVEY_HEAD, DB_ARGS(DB_TEXT(slug)),
                   DB_OUTS(DB_I64_TO(id), DB_COPY_TO(state, 12), DB_I64_TO(version)), found,
                   "reading a survey", ei);
}

vk_err survey_store_create(store_conn *c, const char *slug, const char *draft,
                           const char *actor, const char *now, int64_t *id, vk_errinfo *ei)
{
    vk_err e = db_run(c, &survey_sql, SQL_SURVEY_INSERT,
                      DB_ARGS(DB_TEXT(slug), DB_TEXT(draft), DB_TEXT(now), DB_TEXT(actor)),
                      "saving a survey", ei);
    if (e && db_last_constraint(c) == DB_CONSTRAINT_UNIQUE)
        return vk_fail(ei, VK_ECONFLICT, "slug", "there is already a survey '%s'", slug);
    if (!e)
        *id = db_last_id(c);
    return e;
}

vk_err survey_store_set_draft(store_conn *c, int64_t id, const char *draft, const char *now,
                              vk_errinfo *ei)
{
    return db_run(c, &survey_sql, SQL_SURVEY_SET_DRAFT,
                  DB_ARGS(DB_INT(id), DB_TEXT(draft), DB_TEXT(now)), "saving a survey", ei);
}

vk_err survey_store_add_version(store_conn *c, int64_t id, int64_t version,
                                const char *definition, const char *actor, const char *now,
                                vk_errinfo *ei)
{
    vk_err e = db_run(c, &survey_sql, SQL_VERSION_ADD,
                      DB_ARGS(DB_INT(id), DB_INT(version), DB_TEXT(definition), DB_TEXT(now),
                              DB_TEXT(actor)),
                      "saving a survey version", ei);
    if (!e)
        e = db_run(c, &survey_sql, SQL_SURVEY_SET_VERSION,
                   DB_ARGS(DB_INT(id), DB_INT(version), DB_TEXT(definition), DB_TEXT(now)),
                   "saving a survey version", ei);
    return e;
}

vk_err survey_store_set_state(store_conn *c, int64_t id, const char *state, const char *now,
                              vk_errinfo *ei)
{
    return db_run(c, &survey_sql, SQL_SURVEY_SET_STATE,
                  DB_ARGS(DB_INT(id), DB_TEXT(state), DB_TEXT(now)), "changing a survey's state",
                  ei);
}

vk_err survey_store_set_public(store_conn *c, int64_t id, const char *questions,
                               const char *now, vk_errinfo *ei)
{
    return db_run(c, &survey_sql, SQL_SURVEY_SET_PUBLIC,
                  DB_ARGS(DB_INT(id), DB_TEXT(questions), DB_TEXT(now)), "saving a survey", ei);
}

vk_err survey_store_version_text(store_conn *c, int64_t id, int64_t version, char **out,
                                 int *found, vk_errinfo *ei)
{
    *out = NULL;
    return db_scan(c, &survey_sql, SQL_VERSION_GET, DB_ARGS(DB_INT(id), DB_INT(version)),
                   DB_OUTS(DB_DUP_TO(out)), found, "reading a survey version", ei);
}

/* ---- lists ---- */

typedef struct list_walk {
    int published_only;
    int (*fn)(void *arg, const survey_list_row *r);
    void *arg;
} list_walk;

static int list_row(void *arg, db_row *row)
{
    list_walk *w = arg;
    survey_list_row r = {db_col_int64(row, 0), db_col_text(row, 1), db_col_text(row, 2),
                         db_col_int64(row, 3), NULL, NULL, 0};
    if (!w->published_only) {
        r.title = db_col_text(row, 4);
        r.updated_at = db_col_text(row, 5);
        r.responses = db_col_int64(row, 6);
    }
    return w->fn(w->arg, &r);
}

vk_err survey_store_list(store_conn *c, int published_only,
                         int (*fn)(void *arg, const survey_list_row *r), void *arg,
                         vk_errinfo *ei)
{
    list_walk w = {published_only, fn, arg};
    return db_each(c, &survey_sql, published_only ? SQL_SURVEY_LIST_PUBLISHED : SQL_SURVEY_LIST,
                   DB_NO_ARGS, list_row, &w, "listing surveys", ei);
}

typedef struct version_walk {
    int (*fn)(void *arg, const survey_version_row *r);
    void *arg;
} version_walk;

static int version_row(void *arg, db_row *row)
{
    version_walk *w = arg;
    survey_version_row r = {db_col_int64(row, 0), db_col_text(row, 1), db_col_text(row, 2),
                            db_col_int64(row, 3)};
    return w->fn(w->arg, &r);
}

vk_err survey_store_versions(store_conn *c, int64_t id,
                             int (*fn)(void *arg, const survey_version_row *r), void *arg,
                             vk_errinfo *ei)
{
    version_walk w = {fn, arg};
    return db_each(c, &survey_sql, SQL_VERSION_LIST, DB_ARGS(DB_INT(id)), version_row, &w,
                   "listing survey versions", ei);
}

/* ---- responses ---- */

vk_err survey_store_response_find(store_conn *c, int64_t survey_id, const char *uuid,
                                  survey_stored_response *out, int *found, vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    return db_scan(c, &survey_sql, SQL_RESPONSE_FIND, DB_ARGS(DB_INT(survey_id), DB_TEXT(uuid)),
                   DB_OUTS(DB_I64_TO(&out->id), DB_COPY_TO(out->body_hash, sizeof out->body_hash),
                           DB_I64_TO(&out->version),
                           DB_COPY_TO(out->submitted, sizeof out->submitted)),
                   found, "reading a response", ei);
}

int64_t survey_store_district_id(void *store, const char *code)
{
    int64_t id = 0;
    vk_errinfo ei;
    if (db_int64(store, &survey_sql, SQL_DISTRICT_ID, DB_ARGS(DB_TEXT(code)), &id, "district",
                 &ei))
        return 0;
    return id;
}

static const char *const located_names[] = {"geometry", "district", "place", "words"};

/* ---- the SpatiaLite geometry blob ---- */

/* Reads 2D little-endian ISO WKB and writes SpatiaLite's blob body: the
 * same coordinates, each nested part's byte-order and type replaced by
 * the entity mark and its class, and the bounding box gathered on the way. */
typedef struct blob_writer {
    const unsigned char *p, *end;
    unsigned char *o;
    double box[4]; /* min x, min y, max x, max y */
    int points;
} blob_writer;

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(unsigned char *o, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        o[i] = (unsigned char)(v >> (8 * i));
}

static void put_f64(unsigned char *o, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int i = 0; i < 8; i++)
        o[i] = (unsigned char)(v >> (8 * i));
}

static double get_f64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

/* A count (of points, rings or parts), copied; 0 when short or empty. */
static uint32_t blob_count(blob_writer *w)
{
    if (w->end - w->p < 4)
        return 0;
    uint32_t n = get_u32(w->p);
    memcpy(w->o, w->p, 4);
    w->p += 4;
    w->o += 4;
    return n;
}

static int blob_points(blob_writer *w, uint32_t n)
{
    if (n == 0 || (size_t)(w->end - w->p) / 16 < n)
        return -1;
    for (uint32_t i = 0; i < n; i++, w->p += 16, w->o += 16) {
        double x = get_f64(w->p), y = get_f64(w->p + 8);
        if (!isfinite(x) || !isfinite(y))
            return -1; /* an empty point */
        if (!w->points++) {
            w->box[0] = w->box[2] = x;
            w->box[1] = w->box[3] = y;
        }
        w->box[0] = fmin(w->box[0], x), w->box[2] = fmax(w->box[2], x);
        w->box[1] = fmin(w->box[1], y), w->box[3] = fmax(w->box[3], y);
        put_f64(w->o, x);
        put_f64(w->o + 8, y);
    }
    return 0;
}

/* The body of one geometry of class type (1..7, read by the caller): a
 * Multi* holds parts of its simple type, a collection simple parts of any. */
static int blob_geom(blob_writer *w, uint32_t type)
{
    if (type == 1)
        return blob_points(w, 1);
    if (type == 2)
        return blob_points(w, blob_count(w));
    uint32_t n = blob_count(w);
    if (n == 0)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        if (type == 3) {
            if (blob_points(w, blob_count(w)))
                return -1;
            continue;
        }
        /* a part: byte order and type in WKB, the entity mark and class here */
        if (w->end - w->p < 5 || w->p[0] != 1)
            return -1;
        uint32_t t = get_u32(w->p + 1);
        if (t < 1 || t > 3 || (type != 7 && t != type - 3))
            return -1;
        w->p += 5;
        *w->o++ = 0x69;
        put_u32(w->o, t);
        w->o += 4;
        if (blob_geom(w, t))
            return -1;
    }
    return 0;
}

vk_err survey_store_geom_blob(const unsigned char *wkb, size_t n, int srid, unsigned char **out,
                              size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (n < 5 || wkb[0] != 1)
        return VK_EVALUE;
    uint32_t type = get_u32(wkb + 1);
    if (type < 1 || type > 7)
        return VK_EVALUE;
    /* header 39 bytes and the end mark stand for WKB's 5 header bytes plus
     * the class (4): the body is the same size */
    size_t len = n + 39;
    unsigned char *b = malloc(len);
    if (!b)
        return VK_ENOMEM;
    blob_writer w = {wkb + 5, wkb + n, b + 43, {0, 0, 0, 0}, 0};
    if (blob_geom(&w, type) || w.p != w.end || w.o != b + len - 1) {
        free(b);
        return VK_EVALUE;
    }
    b[0] = 0x00; /* start */
    b[1] = 0x01; /* little-endian */
    put_u32(b + 2, (uint32_t)srid);
    for (int i = 0; i < 4; i++)
        put_f64(b + 6 + 8 * i, w.box[i]);
    b[38] = 0x7C; /* end of the MBR */
    put_u32(b + 39, type);
    b[len - 1] = 0xFE; /* end */
    *out = b;
    *out_len = len;
    return VK_OK;
}

vk_err survey_store_prepare(survey_norm *n, vk_errinfo *ei)
{
    if (n->prepared)
        return VK_OK;
    for (size_t i = 0; i < n->n_answers; i++) {
        survey_answer *a = &n->answers[i];
        if (a->as_feature || a->json)
            continue;
        if (!(a->json = json_dumps(a->value, JSON_COMPACT | JSON_ENCODE_ANY)))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    if (n->features.n && !n->feature_data &&
        !(n->feature_data = calloc(n->features.n, sizeof *n->feature_data)))
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    for (size_t i = 0; i < n->features.n; i++) {
        const qt_feature *f = &n->features.v[i];
        survey_feature_data *d = &n->feature_data[i];
        if (f->answers && !d->answers && !(d->answers = json_dumps(f->answers, JSON_COMPACT)))
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        /* WKB this does not read goes to GeomFromWKB on the writer */
        if (f->wkb && !d->geom &&
            survey_store_geom_blob(f->wkb, f->wkb_len, 4326, &d->geom, &d->geom_len) ==
                VK_ENOMEM)
            return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    n->prepared = 1;
    return VK_OK;
}

/* ---- inserting a response ---- */

/* Rows of one table gathered into multi-row INSERTs: eight at a time, the
 * rest as 4, 2 and 1 (the statements' ids in that order, sql.h). */
#define CHUNK_MAX 8
typedef struct row_chunks {
    store_conn *c;
    const int *stmt; /* 8, 4, 2 and 1 rows */
    int cols;
    int n;           /* rows waiting */
    const char *what;
    db_arg args[CHUNK_MAX * SURVEY_FEATURE_COLS];
} row_chunks;

static vk_err chunks_flush(row_chunks *k, vk_errinfo *ei)
{
    vk_err e = VK_OK;
    int done = 0;
    for (int s = 0, size = CHUNK_MAX; s < 4 && !e; s++, size /= 2)
        for (; k->n - done >= size && !e; done += size)
            e = db_run(k->c, &survey_sql, k->stmt[s], k->args + done * k->cols, size * k->cols,
                       k->what, ei);
    k->n = 0;
    return e;
}

/* The next row's arguments, to be filled; NULL (ei set) when the chunk
 * that had to go first failed. */
static db_arg *chunks_row(row_chunks *k, vk_err *e, vk_errinfo *ei)
{
    if (k->n == CHUNK_MAX && (*e = chunks_flush(k, ei)))
        return NULL;
    return k->args + k->n++ * k->cols;
}

static const int answer_stmts[] = {SQL_ANSWER_INSERT_8, SQL_ANSWER_INSERT_4, SQL_ANSWER_INSERT_2,
                                   SQL_ANSWER_INSERT_1};
static const int feature_stmts[] = {SQL_FEATURE_INSERT_8, SQL_FEATURE_INSERT_4,
                                    SQL_FEATURE_INSERT_2, SQL_FEATURE_INSERT_1};

static vk_err insert_answers(store_conn *c, int64_t id, const survey_norm *n, vk_errinfo *ei)
{
    row_chunks k = {.c = c, .stmt = answer_stmts, .cols = SURVEY_ANSWER_COLS,
                    .what = "saving the answers"};
    vk_err e = VK_OK;
    for (size_t i = 0; i < n->n_answers && !e; i++) {
        const survey_answer *a = &n->answers[i];
        if (a->as_feature)
            continue;
        if (a->personal) {
            e = db_run(c, &survey_sql, SQL_PERSONAL_INSERT,
                       DB_ARGS(DB_INT(id), DB_TEXT(a->question), DB_TEXT(a->json)),
                       "saving an answer", ei);
            continue;
        }
        db_arg *r = chunks_row(&k, &e, ei);
        if (!r)
            break;
        r[0] = DB_INT(id);
        r[1] = DB_TEXT(a->question);
        r[2] = DB_TEXT(a->json);
        r[3] = DB_INT(a->skipped);
    }
    return e ? e : chunks_flush(&k, ei);
}

static vk_err insert_features(store_conn *c, int64_t survey_id, int64_t id, const survey_norm *n,
                              const char *now, vk_errinfo *ei)
{
    row_chunks k = {.c = c, .stmt = feature_stmts, .cols = SURVEY_FEATURE_COLS,
                    .what = "saving the drawn features"};
    vk_err e = VK_OK;
    for (size_t i = 0; i < n->features.n && !e; i++) {
        const qt_feature *f = &n->features.v[i];
        const survey_feature_data *d = &n->feature_data[i];
        db_arg *r = chunks_row(&k, &e, ei);
        if (!r)
            break;
        r[0] = DB_INT(id);
        r[1] = DB_INT(survey_id);
        r[2] = DB_TEXT(f->question);
        r[3] = DB_INT((int64_t)f->index);
        r[4] = DB_TEXT(located_names[f->where]);
        r[5] = DB_ID(f->district_id);
        r[6] = DB_TEXT(f->place);
        r[7] = DB_TEXT(f->description);
        r[8] = DB_TEXT(f->item);
        r[9] = DB_TEXT(d->answers ? d->answers : "{}");
        r[10] = DB_TEXT(now);
        r[11] = d->geom ? DB_BLOB(d->geom, d->geom_len) : DB_NULL;
        r[12] = f->wkb && !d->geom ? DB_BLOB(f->wkb, f->wkb_len) : DB_NULL;
    }
    return e ? e : chunks_flush(&k, ei);
}

static vk_err insert_rows(store_conn *c, int64_t survey_id, const survey_norm *n,
                          const char *body_hash, const char *now, int64_t *id, vk_errinfo *ei)
{
    int64_t without_map = 0;
    for (size_t i = 0; i < n->features.n; i++)
        if (!n->features.v[i].item && n->features.v[i].where != QT_AT_GEOMETRY)
            without_map++;
    db_arg taken = DB_NULL;
    if (n->started[0]) {
        int64_t t0 = vk_rfc3339_seconds(n->started), t1 = vk_rfc3339_seconds(now);
        if (t0 >= 0 && t1 >= t0)
            taken = DB_INT(t1 - t0);
    }
    vk_err e = db_run(c, &survey_sql, SQL_RESPONSE_INSERT,
                      DB_ARGS(DB_INT(survey_id), DB_TEXT(n->id), DB_INT(n->version),
                              DB_TEXT(n->language), DB_TEXT(now), taken, DB_INT(without_map),
                              DB_TEXT(body_hash)),
                      "saving a response", ei);
    if (e && db_last_constraint(c) == DB_CONSTRAINT_UNIQUE)
        return vk_fail(ei, VK_ERESPONSE_CONFLICT, "id",
                       "a response with this id was already sent");
    if (e)
        return e;
    *id = db_last_id(c);
    if (!(e = insert_answers(c, *id, n, ei)) && !(e = insert_features(c, survey_id, *id, n, now, ei)))
        e = db_run(c, &survey_sql, SQL_DRAFT_DELETE_UUID,
                   DB_ARGS(DB_INT(survey_id), DB_TEXT(n->id)), "removing saved drafts", ei);
    return e;
}

vk_err survey_store_response_insert(store_conn *c, int64_t survey_id, survey_norm *n,
                                    const char *body_hash, const char *now, int64_t *id,
                                    vk_errinfo *ei)
{
    int own_tx;
    vk_err e = survey_store_prepare(n, ei);
    if (e)
        return e;
    e = store_begin_own(c, &own_tx, ei);
    if (e)
        return e;
    e = insert_rows(c, survey_id, n, body_hash, now, id, ei);
    return store_end_own(c, own_tx, e, ei);
}

/* ---- drafts ---- */

vk_err survey_store_draft_insert(store_conn *c, const char *token_hash, int64_t survey_id,
                                 const survey_draft_data *d, const char *now, vk_errinfo *ei)
{
    return db_run(c, &survey_sql, SQL_DRAFT_INSERT,
                  DB_ARGS(DB_TEXT(token_hash), DB_INT(survey_id), DB_TEXT(d->uuid),
                          DB_INT(d->version), DB_TEXT(d->language), DB_INT(d->page),
                          DB_TEXT(d->answers), DB_TEXT(now)),
                  "saving a draft", ei);
}

vk_err survey_store_draft_update(store_conn *c, const char *token_hash, int64_t survey_id,
                                 const survey_draft_data *d, const char *now, int *found,
                                 vk_errinfo *ei)
{
    vk_err e = db_run(c, &survey_sql, SQL_DRAFT_UPDATE,
                      DB_ARGS(DB_TEXT(token_hash), DB_INT(survey_id), DB_TEXT(d->uuid),
                              DB_INT(d->version), DB_TEXT(d->language), DB_INT(d->page),
                              DB_TEXT(d->answers), DB_TEXT(now)),
                      "saving a draft", ei);
    *found = !e && db_changes(c) > 0;
    return e;
}

void survey_draft_read_fini(survey_draft_read *d)
{
    free(d->answers);
    memset(d, 0, sizeof *d);
}

vk_err survey_store_draft_get(store_conn *c, const char *token_hash, int64_t survey_id,
                              survey_draft_read *out, int *found, vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    return db_scan(c, &survey_sql, SQL_DRAFT_GET, DB_ARGS(DB_TEXT(token_hash), DB_INT(survey_id)),
                   DB_OUTS(DB_COPY_TO(out->uuid, sizeof out->uuid), DB_I64_TO(&out->version),
                           DB_COPY_TO(out->language, sizeof out->language),
                           DB_I64_TO(&out->page), DB_DUP_TO(&out->answers),
                           DB_COPY_TO(out->updated_at, sizeof out->updated_at)),
                   found, "reading a draft", ei);
}

vk_err survey_store_draft_purge(store_conn *c, const char *before, int64_t *removed,
                                vk_errinfo *ei)
{
    vk_err e = db_run(c, &survey_sql, SQL_DRAFT_PURGE, DB_ARGS(DB_TEXT(before)),
                      "removing old drafts", ei);
    *removed = e ? 0 : db_changes(c);
    return e;
}
