/* store.c — surveys, responses and drafts in SpatiaLite (see store.h). */
#include "survey/store.h"

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

/* Answers kept as features instead of a survey_answer row. */
static int held_as_features(const survey_answer *a)
{
    const qt_type *t = qt_type_find(a->type);
    return !a->skipped && t && ((t->flags & QT_MAP) || strcmp(t->name, "geobudget") == 0);
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
    for (size_t i = 0; i < n->n_answers && !e; i++) {
        const survey_answer *a = &n->answers[i];
        if (held_as_features(a))
            continue;
        char *value = json_dumps(a->value, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!value)
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        if (a->personal)
            e = db_run(c, &survey_sql, SQL_PERSONAL_INSERT,
                       DB_ARGS(DB_INT(*id), DB_TEXT(a->question), DB_TEXT(value)),
                       "saving an answer", ei);
        else
            e = db_run(c, &survey_sql, SQL_ANSWER_INSERT,
                       DB_ARGS(DB_INT(*id), DB_TEXT(a->question), DB_TEXT(value),
                               DB_INT(a->skipped)),
                       "saving an answer", ei);
        free(value);
    }
    for (size_t i = 0; i < n->features.n && !e; i++) {
        const qt_feature *f = &n->features.v[i];
        char *answers = f->answers ? json_dumps(f->answers, JSON_COMPACT) : NULL;
        if (f->answers && !answers)
            return vk_fail(ei, VK_ENOMEM, "", NULL);
        e = db_run(c, &survey_sql, SQL_FEATURE_INSERT,
                   DB_ARGS(DB_INT(*id), DB_INT(survey_id), DB_TEXT(f->question),
                           DB_INT((int64_t)f->index), DB_TEXT(located_names[f->where]),
                           DB_ID(f->district_id), DB_TEXT(f->place), DB_TEXT(f->description),
                           DB_TEXT(f->item), DB_TEXT(answers ? answers : "{}"), DB_TEXT(now),
                           f->wkb ? DB_BLOB(f->wkb, f->wkb_len) : DB_NULL),
                   "saving a drawn feature", ei);
        free(answers);
    }
    if (!e)
        e = db_run(c, &survey_sql, SQL_DRAFT_DELETE_UUID,
                   DB_ARGS(DB_INT(survey_id), DB_TEXT(n->id)), "removing saved drafts", ei);
    return e;
}

vk_err survey_store_response_insert(store_conn *c, int64_t survey_id, const survey_norm *n,
                                    const char *body_hash, const char *now, int64_t *id,
                                    vk_errinfo *ei)
{
    int own_tx;
    vk_err e = store_begin_own(c, &own_tx, ei);
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
