/* workflow.c — statuses, transitions, units, answers, notes and the event
 * log (see workflow.h). */
#include "feedback/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "feedback/feedback.h"
#include "features/items.h"
#include "feedback/moderation.h"
#include "feedback/photos.h"
#include "feedback/notify.h"
#include "auth/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "http/params.h"

#define ANSWER_MAX 4000
#define NOTE_MAX 4000
#define REASON_MAX 4000
#define FORWARDED_TO_MAX 200
#define UNIT_MAX 40
#define AUDIT_DEFAULT 100
#define AUDIT_MAX 1000
#define AUDIT_ACTOR_MAX 80 /* "cli:" and a login name, or a staff name */

static const char *const statuses[] = {"received", "in_progress",    "planned",   "resolved",
                                       "not_resolvable", "duplicate", "forwarded", NULL};

static int listed(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Open statuses move freely among themselves (never back to received) and
 * to any outcome; an outcome only reopens, to in_progress. */
static int transition_ok(const char *from, const char *to)
{
    if (strcmp(to, "received") == 0)
        return 0;
    if (!api_feedback_status_open(from))
        return strcmp(to, "in_progress") == 0;
    return 1;
}

/* ---- on the writer thread ---- */

static void put_text(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, v ? json_string(v) : json_null());
}

static void put_id(json_t *o, const char *key, int64_t v)
{
    json_object_set_new(o, key, v ? json_integer(v) : json_null());
}

/* A changed text field: its old value into before, its new one into after. */
static void put_texts(json_t *before, json_t *after, const char *key, const char *was,
                      const char *now)
{
    put_text(before, key, was);
    put_text(after, key, now);
}

/* The fields that differ, into before and after. */
static void diff(const store_feedback_state *a, const store_feedback_state *b, json_t *before,
                 json_t *after)
{
    if (!same(a->status, b->status))
        put_texts(before, after, "status", a->status, b->status);
    if (a->unit_id != b->unit_id)
        put_texts(before, after, "unit", a->unit, b->unit);
    if (!same(a->resolution_reason, b->resolution_reason))
        put_texts(before, after, "resolution_reason", a->resolution_reason, b->resolution_reason);
    if (a->duplicate_of != b->duplicate_of) {
        put_id(before, "duplicate_of", a->duplicate_of);
        put_id(after, "duplicate_of", b->duplicate_of);
    }
    if (!same(a->forwarded_to, b->forwarded_to))
        put_texts(before, after, "forwarded_to", a->forwarded_to, b->forwarded_to);
    if (a->assignee_id != b->assignee_id)
        put_texts(before, after, "assignee", a->assignee, b->assignee);
}

/* The new state from cur and ch; its strings are borrowed from both. */
static vk_err next_state(vk_ctx *ctx, const vk_feedback_change *ch,
                         const store_feedback_state *cur, store_feedback_state *next,
                         vk_errinfo *ei)
{
    store_conn *c = ctx->store;
    *next = *cur;
    if (ch->status && strcmp(ch->status, cur->status) != 0) {
        if (!transition_ok(cur->status, ch->status))
            return vk_fail(ei, VK_ETRANSITION, "status",
                           api_feedback_status_open(cur->status)
                               ? "an item cannot go back to received"
                               : "the item is closed (%s); it can only be reopened, to "
                                 "in_progress",
                           cur->status);
        next->status = (char *)ch->status;
    }
    const char *st = next->status;
    int changed = strcmp(st, cur->status) != 0;
    /* Each outcome's detail belongs to that outcome only. */
    if (ch->resolution_reason && strcmp(st, "not_resolvable") != 0)
        return vk_fail(ei, VK_EVALUE, "resolution_reason",
                       "resolution_reason is only for status not_resolvable");
    if (ch->forwarded_to && strcmp(st, "forwarded") != 0)
        return vk_fail(ei, VK_EVALUE, "forwarded_to", "forwarded_to is only for status forwarded");
    if (ch->duplicate_of && strcmp(st, "duplicate") != 0)
        return vk_fail(ei, VK_EVALUE, "duplicate_of", "duplicate_of is only for status duplicate");
    if (changed) {
        next->resolution_reason = NULL;
        next->forwarded_to = NULL;
        next->duplicate_of = 0;
    }
    if (ch->resolution_reason)
        next->resolution_reason = (char *)ch->resolution_reason;
    if (ch->forwarded_to)
        next->forwarded_to = (char *)ch->forwarded_to;
    if (ch->duplicate_of) {
        int exists = 0;
        vk_err e = store_feedback_exists(c, ch->duplicate_of, &exists, ei);
        if (e)
            return e;
        if (ch->duplicate_of == ch->id || !exists)
            return vk_fail(ei, VK_EVALUE, "duplicate_of",
                           ch->duplicate_of == ch->id ? "an item cannot duplicate itself"
                                                      : "there is no feedback with that id");
        next->duplicate_of = ch->duplicate_of;
    }
    if (strcmp(st, "not_resolvable") == 0 && !next->resolution_reason)
        return vk_fail(ei, VK_EMISSING, "resolution_reason",
                       "not_resolvable needs a resolution_reason: why it cannot be resolved");
    if (strcmp(st, "forwarded") == 0 && !next->forwarded_to)
        return vk_fail(ei, VK_EMISSING, "forwarded_to",
                       "forwarded needs forwarded_to: the organisation it went to");
    if (strcmp(st, "duplicate") == 0 && !next->duplicate_of)
        return vk_fail(ei, VK_EMISSING, "duplicate_of",
                       "duplicate needs duplicate_of: the id of the item it repeats");
    if (ch->unit) {
        int64_t uid = 0;
        vk_err e = store_unit_id(c, ch->unit, &uid, ei);
        if (e)
            return e;
        if (!uid)
            return vk_fail(ei, VK_EVALUE, "unit", "there is no unit with code %.40s", ch->unit);
        next->unit_id = uid;
        next->unit = (char *)ch->unit;
    }
    if (ch->set_assignee) {
        int64_t aid = 0;
        vk_err e = ch->assignee ? store_assignee_id(c, ch->assignee, &aid, ei) : VK_OK;
        if (e)
            return e;
        if (ch->assignee && !aid)
            return vk_fail(ei, VK_EVALUE, "assignee",
                           "there is no enabled staff account named %.80s", ch->assignee);
        next->assignee_id = aid;
        next->assignee = (char *)ch->assignee;
    }
    return VK_OK;
}

/* A correction of the category, the place and/or its precision, into
 * before/after: {"category"}, {"location_changed": true} and
 * {"location_precision"}. The reporter's view shows that it happened
 * (moderation.c). */
static vk_err correct_item(vk_ctx *ctx, const vk_feedback_change *ch, const char *now,
                           json_t *before, json_t *after, vk_errinfo *ei)
{
    store_feedback_place pl;
    vk_err e = store_feedback_place_get(ctx->store, ch->id, NULL, &pl, ei);
    if (e)
        return e;
    const char *category = NULL;
    if (ch->category && strcmp(ch->category, pl.category ? pl.category : "") != 0) {
        int ok = 0;
        if (!(e = store_category_exists(ctx->store, ch->category, &ok, ei)) && !ok)
            e = vk_fail(ei, VK_EVALUE, "category", "there is no category %.40s", ch->category);
        if (!e) {
            category = ch->category;
            put_texts(before, after, "category", pl.category, ch->category);
        }
    }
    unsigned char *wkb = NULL;
    size_t n = 0;
    int64_t district = 0;
    if (!e && ch->geometry) {
        gis_geom *g = NULL;
        if (!(e = gis_geom_from_geojson(ctx->gis, ch->geometry, "geometry", &g, ei)) &&
            !(e = gis_geom_check_inside(ctx->gis, g, "geometry", ei))) {
            district = gis_geom_district(ctx->gis, g);
            if ((e = gis_geom_to_wkb(ctx->gis, g, &wkb, &n)))
                vk_fail(ei, e, "geometry", NULL);
        }
        gis_geom_free(ctx->gis, g);
        if (!e) {
            json_object_set_new(before, "location_changed", json_false());
            json_object_set_new(after, "location_changed", json_true());
        }
    }
    /* A place the moderator drew is exact unless they say otherwise. */
    const char *precision = ch->location_precision ? ch->location_precision
                            : ch->geometry         ? "exact"
                                                   : NULL;
    if (!e && precision) {
        const json_t *type = ch->geometry ? json_object_get(ch->geometry, "type") : NULL;
        int is_point = ch->geometry ? json_is_string(type) && strcmp(json_string_value(type), "Point") == 0
                                    : pl.is_point;
        if (strcmp(precision, "exact") != 0 && !is_point)
            e = vk_fail(ei, VK_EVALUE, "location_precision",
                        "location_precision %s is only for a Point", precision);
        else if (strcmp(precision, pl.precision ? pl.precision : "") == 0)
            precision = NULL; /* as it is */
        else
            put_texts(before, after, "location_precision", pl.precision, precision);
    }
    if (!e && (category || wkb || precision))
        e = store_feedback_correct(ctx->store, ch->id, category, wkb, n, district, precision, now,
                                   ei);
    free(wkb);
    store_feedback_place_fini(&pl);
    return e;
}

static const char *event_kind(const store_feedback_state *cur, const store_feedback_state *next,
                              const vk_feedback_change *ch)
{
    if (strcmp(cur->status, next->status) != 0)
        return api_feedback_status_open(cur->status) ? "status" : "reopen";
    if (cur->unit_id != next->unit_id)
        return "unit";
    if (cur->assignee_id != next->assignee_id)
        return "assign";
    if (ch->category || ch->geometry || ch->location_precision)
        return "correct";
    if (ch->public_answer)
        return "answer";
    if (ch->internal_note)
        return "note";
    return "edit";
}

vk_err api_workflow_apply(vk_ctx *ctx, const vk_feedback_change *ch, const char *now,
                          vk_errinfo *ei)
{
    store_feedback_state cur, next;
    vk_err e = store_feedback_state_get(ctx->store, ch->id, NULL, &cur, ei);
    if (e)
        return e;
    int handling = ch->status || ch->unit || ch->public_answer || ch->resolution_reason ||
                   ch->forwarded_to || ch->duplicate_of || ch->set_assignee || ch->category ||
                   ch->geometry || ch->location_precision;
    int moderation = ch->set_hidden || ch->description;
    if (!handling && (moderation || !ch->internal_note)) {
        /* Moderation alone: its events carry the note. */
        store_feedback_state_fini(&cur);
        return api_moderation_apply(ctx, ch, now, ch->internal_note, ei);
    }
    json_t *before = json_object(), *after = json_object();
    char *b = NULL, *a = NULL;
    e = next_state(ctx, ch, &cur, &next, ei);
    if (!e && (!before || !after))
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e && (ch->category || ch->geometry || ch->location_precision))
        e = correct_item(ctx, ch, now, before, after, ei);
    if (!e) {
        diff(&cur, &next, before, after);
        if (ch->public_answer) {
            put_texts(before, after, "answer", cur.answer, ch->public_answer);
            /* The versions written beside it, so the audit shows them too. */
            if (ch->public_answer_sv)
                json_object_set_new(after, "answer_sv", json_string(ch->public_answer_sv));
            if (ch->public_answer_en)
                json_object_set_new(after, "answer_en", json_string(ch->public_answer_en));
        }
        b = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS);
        a = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
        if (!a || !b)
            e = vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    if (!e)
        e = store_feedback_update(ctx->store, ch->id, &next, ch->public_answer,
                                  ch->public_answer_sv, ch->public_answer_en, now, ei);
    if (!e) {
        store_event ev = {0, ch->id, now, ch->actor, ch->kind ? ch->kind : event_kind(&cur, &next, ch),
                          b, a,      ch->public_answer, ch->internal_note,
                          ch->public_answer_sv, ch->public_answer_en};
        e = store_event_add(ctx->store, &ev, ei);
    }
    if (!e)
        e = api_notify_changed(ctx, ch->id, ch->kind, cur.status, next.status, ch->public_answer,
                               ch->public_answer_sv, ch->public_answer_en,
                               next.duplicate_of, cur.unit_id != next.unit_id, now, ei);
    free(a);
    free(b);
    json_decref(before);
    json_decref(after);
    store_feedback_state_fini(&cur);
    if (!e && moderation)
        e = api_moderation_apply(ctx, ch, now, NULL, ei);
    return e;
}

vk_err api_workflow_read_answer(const json_t *doc, vk_feedback_change *ch, vk_errinfo *ei)
{
    static const char *const langs[] = {"fi", "sv", "en", NULL};
    static const char *const fields[] = {"public_answer.fi", "public_answer.sv",
                                         "public_answer.en"};
    const json_t *v = json_object_get(doc, "public_answer");
    if (!json_is_object(v))
        return api_json_text(doc, "public_answer", 0, ANSWER_MAX, 1, &ch->public_answer, ei);
    const char *text[3] = {NULL, NULL, NULL};
    vk_err e = api_json_keys_prefixed(v, "public_answer.", langs, ei);
    for (int i = 0; i < 3 && !e; i++)
        e = api_json_text_named(v, langs[i], fields[i], 0, ANSWER_MAX, 1, &text[i], ei);
    if (e)
        return e;
    /* As written: Finnish, else the first language given; a reader in a
     * language without its own version gets this one. */
    ch->public_answer = text[0] ? text[0] : text[1] ? text[1] : text[2];
    if (!ch->public_answer)
        return vk_fail(ei, VK_EMISSING, "public_answer.fi",
                       "public_answer needs the answer in at least one of fi, sv, en");
    ch->public_answer_sv = text[1];
    ch->public_answer_en = text[2];
    return VK_OK;
}

/* ---- PATCH /api/v1/staff/feedback/{id} ---- */

static const char *const change_keys[] = {"status",        "unit",          "public_answer",
                                          "internal_note", "resolution_reason", "duplicate_of",
                                          "forwarded_to",  "hidden",        "description",
                                          "hide_reason",   "reporter_note", "assignee",
                                          "category",      "geometry",      "location_precision",
                                          NULL};

/* The body's form: known members (keys) of the right types and sizes. */
static vk_err read_change_keys(const json_t *doc, const char *const *keys, vk_feedback_change *ch,
                               vk_errinfo *ei)
{
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "send a JSON object with the fields to change");
    vk_err e;
    if ((e = api_json_keys(doc, keys, ei)) ||
        (e = api_json_text(doc, "status", 0, 20, 0, &ch->status, ei)) ||
        (e = api_json_text(doc, "unit", 0, UNIT_MAX, 0, &ch->unit, ei)) ||
        (e = api_workflow_read_answer(doc, ch, ei)) ||
        (e = api_json_text(doc, "internal_note", 0, NOTE_MAX, 1, &ch->internal_note, ei)) ||
        (e = api_json_text(doc, "resolution_reason", 0, REASON_MAX, 1, &ch->resolution_reason,
                           ei)) ||
        (e = api_json_text(doc, "forwarded_to", 0, FORWARDED_TO_MAX, 0, &ch->forwarded_to, ei)) ||
        (e = api_moderation_read(doc, ch, ei)))
        return e;
    if ((e = api_json_text(doc, "category", 0, 40, 0, &ch->category, ei)))
        return e;
    static const char *const precisions[] = {"exact", "address", "district", NULL};
    if ((e = api_json_text(doc, "location_precision", 0, 20, 0, &ch->location_precision, ei)))
        return e;
    if (ch->location_precision && !listed(ch->location_precision, precisions))
        return vk_fail(ei, VK_EVALUE, "location_precision",
                       "location_precision must be exact, address or district");
    const json_t *geom = json_object_get(doc, "geometry");
    if (geom && !json_is_null(geom)) {
        if (!json_is_object(geom))
            return vk_fail(ei, VK_ETYPE, "geometry", "geometry is a GeoJSON geometry object");
        ch->geometry = geom;
    }
    /* assignee: a staff account's name, or null to assign to nobody. */
    const json_t *as = json_object_get(doc, "assignee");
    if (as) {
        ch->set_assignee = 1;
        if (!json_is_null(as) &&
            (e = api_json_text(doc, "assignee", 1, AUDIT_ACTOR_MAX, 0, &ch->assignee, ei)))
            return e;
    }
    const json_t *dup = json_object_get(doc, "duplicate_of");
    if (dup && !json_is_null(dup)) {
        if (!json_is_integer(dup) || json_integer_value(dup) <= 0)
            return vk_fail(ei, VK_ETYPE, "duplicate_of",
                           "duplicate_of must be the id (a positive whole number) of a "
                           "feedback item");
        ch->duplicate_of = (int64_t)json_integer_value(dup);
    }
    if (ch->status && !listed(ch->status, statuses))
        return vk_fail(ei, VK_EVALUE, "status",
                       "status must be received, in_progress, planned, resolved, not_resolvable, "
                       "duplicate or forwarded");
    if (!ch->status && !ch->unit && !ch->public_answer && !ch->internal_note &&
        !ch->resolution_reason && !ch->forwarded_to && !ch->duplicate_of && !ch->set_hidden &&
        !ch->description && !ch->set_assignee && !ch->category && !ch->geometry &&
        !ch->location_precision)
        return vk_fail(ei, VK_EMISSING, "",
                       "nothing to change: give status, unit, public_answer, internal_note, "
                       "resolution_reason, duplicate_of, forwarded_to, hidden or description");
    return VK_OK;
}

/* The body's form, as PATCH takes it (OGC API Part 4 edits translate to it). */
vk_err api_workflow_read_change(const json_t *doc, vk_feedback_change *ch, vk_errinfo *ei)
{
    return read_change_keys(doc, change_keys, ch, ei);
}

/* ---- POST /api/v1/staff/feedback/bulk ---- */

#define BULK_MAX 200

static vk_err job_bulk(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *b,
                       vk_errinfo *ei)
{
    api_feedback_job *job = (api_feedback_job *)wj;
    const json_t *ids = json_object_get(job->w.doc, "ids");
    size_t i;
    const json_t *v;
    vk_buf_puts(b, "{\"changed\":[");
    json_array_foreach(ids, i, v) {
        vk_feedback_change ch = job->change;
        ch.id = (int64_t)json_integer_value(v);
        vk_err e = job->into ? api_merge_apply(ctx, &ch, job->into, now, ei)
                             : api_workflow_apply(ctx, &ch, now, ei);
        if (e) {
            /* The whole request is undone: say which item stopped it. */
            char msg[sizeof ei->message], field[sizeof ei->field];
            snprintf(msg, sizeof msg, "%s", ei->message);
            /* A merge's "into" is this request's merge_into. */
            snprintf(field, sizeof field, "%s", strcmp(ei->field, "into") == 0 ? "merge_into" : ei->field);
            return vk_fail(ei, e, field, "item %lld: %s", (long long)ch.id, msg);
        }
        vk_buf_printf(b, "%s%lld", i ? "," : "", (long long)ch.id);
    }
    vk_buf_printf(b, "],\"count\":%zu}", json_array_size(ids));
    return vk_buf_ok(b) ? VK_OK : vk_fail(ei, VK_ENOMEM, "", NULL);
}

/* ids: 1..BULK_MAX distinct positive whole numbers. */
static vk_err read_ids(const json_t *doc, vk_errinfo *ei)
{
    const json_t *ids = json_object_get(doc, "ids");
    if (!ids || json_is_null(ids))
        return vk_fail(ei, VK_EMISSING, "ids", "ids is required: the items to change");
    if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > BULK_MAX)
        return vk_fail(ei, json_is_array(ids) ? VK_EVALUE : VK_ETYPE, "ids",
                       "ids is a list of 1 to %d item ids", BULK_MAX);
    size_t i, j;
    const json_t *v, *w;
    json_array_foreach(ids, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return vk_fail(ei, VK_ETYPE, "ids", "ids[%zu] is not an item id (a positive whole number)", i);
        json_array_foreach(ids, j, w) {
            if (j >= i)
                break;
            if (json_integer_value(w) == json_integer_value(v))
                return vk_fail(ei, VK_EVALUE, "ids", "item %lld is listed twice",
                               (long long)json_integer_value(v));
        }
    }
    return VK_OK;
}

vk_err api_staff_feedback_bulk(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const bulk_keys[] = {"ids", "merge_into", "status", "unit", "assignee",
                                            "public_answer", "internal_note", "resolution_reason",
                                            "duplicate_of", "forwarded_to", NULL};
    static const char *const no_params[] = {NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    if (!vk_req_is_json(req))
        return vk_fail(&ctx->err, VK_EMEDIA_TYPE, "Content-Type",
                       "send the bulk change as application/json");
    api_feedback_job *st = api_feedback_job_new(ctx, job_bulk, "application/json");
    if (!st)
        return VK_ENOMEM;
    snprintf(st->w.actor, sizeof st->w.actor, "%s", req->staff ? req->staff->name : "?");
    st->change.actor = st->w.actor;
    vk_feedback_change *ch = &st->change;
    if ((e = api_json_parse(req->body, req->body_len, &st->w.doc, &ctx->err)))
        goto fail;
    const json_t *doc = st->w.doc;
    if (!json_is_object(doc)) {
        e = vk_fail(&ctx->err, VK_ETYPE, "", "send a JSON object with ids and the change");
        goto fail;
    }
    if ((e = api_json_keys(doc, bulk_keys, &ctx->err)) || (e = read_ids(doc, &ctx->err)))
        goto fail;
    const json_t *into = json_object_get(doc, "merge_into");
    if (into && !json_is_null(into)) {
        static const char *const merge_keys[] = {"ids", "merge_into", "public_answer",
                                                 "internal_note", NULL};
        if (!json_is_integer(into) || json_integer_value(into) <= 0) {
            e = vk_fail(&ctx->err, VK_ETYPE, "merge_into",
                        "merge_into must be the id (a positive whole number) of a feedback item");
            goto fail;
        }
        if ((e = api_json_keys(doc, merge_keys, &ctx->err)) ||
            (e = api_workflow_read_answer(doc, ch, &ctx->err)) ||
            (e = api_json_text(doc, "internal_note", 0, NOTE_MAX, 1, &ch->internal_note,
                               &ctx->err)))
            goto fail;
        st->into = (int64_t)json_integer_value(into);
    } else {
        /* The handling members, as PATCH reads them; ids is not one. */
        json_t *rest = json_copy(st->w.doc);
        if (!rest) {
            e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
            goto fail;
        }
        json_object_del(rest, "ids");
        json_object_del(rest, "merge_into");
        e = read_change_keys(rest, bulk_keys + 2, ch, &ctx->err);
        json_decref(rest); /* a shallow copy: the strings stay in w.doc */
        if (e)
            goto fail;
    }
    vk_json_write_defer(ctx, &st->w, resp);
    return VK_OK;
fail:
    vk_json_write_free(st);
    return e;
}

vk_err api_staff_feedback_patch(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    api_feedback_job *st;
    vk_err e = api_feedback_staff_job(ctx, req, "change", api_job_change, "application/geo+json",
                                      &st);
    if (e)
        return e;
    if ((e = api_workflow_read_change(st->w.doc, &st->change, &ctx->err))) {
        vk_json_write_free(st);
        return e;
    }
    vk_json_write_defer(ctx, &st->w, resp);
    return VK_OK;
}

/* ---- reading the history and the audit log ---- */

typedef struct {
    vk_buf *b;
    int n, with_item, failed;
    /* The audit log: every event says its type; the position of the last
     * one written, for the next page. */
    int typed;
    char last_at[VK_RFC3339_LEN];
    const char *last_type;
    int64_t last_id;
} event_writer;

/* Appends o to the list as compact JSON and frees it; 1 to stop. */
static int put_event(event_writer *w, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s) {
        w->failed = 1;
        return 1;
    }
    if (w->n++)
        vk_buf_puts(w->b, ",");
    vk_buf_puts(w->b, s);
    free(s);
    return vk_buf_ok(w->b) ? 0 : 1;
}

static json_t *json_object_text(const char *s)
{
    json_t *v = json_loads(s ? s : "{}", 0, NULL);
    return v ? v : json_object();
}

/* One entry of either log in its history shape: the members both have,
 * in this order, with each log's own where they stand. */
static int entry_json(event_writer *w, const store_audit_entry *e)
{
    int feedback = e->type == STORE_AUDIT_FEEDBACK;
    json_t *o = json_object();
    if (w->typed)
        json_object_set_new(o, "type", json_string(feedback ? "feedback" : "account"));
    json_object_set_new(o, "id", json_integer(e->id));
    if (feedback && w->with_item)
        json_object_set_new(o, "feedback_id", json_integer(e->feedback_id));
    put_text(o, "at", e->at);
    put_text(o, "actor", e->actor);
    put_text(o, "kind", e->kind);
    if (!feedback)
        put_text(o, "target", e->target);
    json_object_set_new(o, "before", json_object_text(e->before));
    json_object_set_new(o, "after", json_object_text(e->after));
    if (feedback) {
        put_text(o, "public_answer", e->public_answer);
        put_text(o, "internal_note", e->internal_note);
    } else {
        put_text(o, "client_addr", e->client_addr);
    }
    return put_event(w, o);
}

/* An item's history: its feedback events. */
static int event_json(void *arg, const store_event *ev)
{
    store_audit_entry e = {.type = STORE_AUDIT_FEEDBACK,
                           .id = ev->id,
                           .feedback_id = ev->feedback_id,
                           .at = ev->at,
                           .actor = ev->actor,
                           .kind = ev->kind,
                           .before = ev->before,
                           .after = ev->after,
                           .public_answer = ev->public_answer,
                           .internal_note = ev->internal_note};
    return entry_json(arg, &e);
}

vk_err api_staff_view(vk_ctx *ctx, int64_t id, vk_role role, vk_buf *b, int *found)
{
    vk_buf_puts(b, "{\"feedback\":");
    api_items it;
    api_items_init(&it, store_collection_find("feedback"));
    it.q.id = id;
    it.q.include_nonpublic = 1; /* staff see hidden and withdrawn items too */
    vk_err e = api_items_write_one(ctx, &it, b, found);
    if (e || !*found)
        return e;
    vk_buf_puts(b, ",\"events\":[");
    event_writer w = {.b = b};
    if ((e = store_event_each(ctx->store, id, event_json, &w, &ctx->err)))
        return e;
    vk_buf_puts(b, "],\"photos\":");
    if ((e = api_feedback_photos_staff_json(ctx, id, b)))
        return e;
    vk_buf_puts(b, ",\"staff\":");
    if ((e = api_moderation_staff_json(ctx, id, role, b)))
        return e;
    vk_buf_puts(b, "}");
    if (w.failed || !vk_buf_ok(b))
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    return VK_OK;
}

vk_err api_staff_feedback_get(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const no_params[] = {NULL};
    vk_err e = vk_req_only_params(req, no_params, &ctx->err);
    if (e)
        return e;
    int64_t id = api_parse_id(req->nargs ? req->args[0] : NULL);
    int found = 0;
    vk_resp_header(resp, "Cache-Control", "no-store");
    if (id && (e = api_staff_view(ctx, id, req->staff ? req->staff->role : VK_ROLE_NONE,
                                  &resp->body, &found)))
        return e;
    if (!found)
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "id", "there is no feedback with this id");
    return VK_OK;
}

/* One entry of the audit log: a feedback event in its history shape, or
 * an account event; its position is the next page's start. */
static int audit_json(void *arg, const store_audit_entry *e)
{
    event_writer *w = arg;
    snprintf(w->last_at, sizeof w->last_at, "%s", e->at ? e->at : "");
    w->last_type = e->type == STORE_AUDIT_FEEDBACK ? "feedback" : "account";
    w->last_id = e->id;
    return entry_json(w, e);
}

/* The type named s (NULL names both); 0 when s names none. */
static int audit_type(const char *s, store_audit_type *out)
{
    *out = !s ? STORE_AUDIT_ANY
           : strcmp(s, "feedback") == 0 ? STORE_AUDIT_FEEDBACK
           : strcmp(s, "account") == 0  ? STORE_AUDIT_ACCOUNT
                                        : STORE_AUDIT_ANY;
    return !s || *out != STORE_AUDIT_ANY;
}

/* before: the "next" value of a page, "TIME,TYPE,ID", continues right
 * after that entry; a bare RFC 3339 time gives the entries older than it. */
static vk_err parse_before(vk_ctx *ctx, const char *s, char at[VK_RFC3339_LEN],
                           store_audit_query *q)
{
    char stamp[64];
    const char *comma = strchr(s, ',');
    size_t n = comma ? (size_t)(comma - s) : strlen(s);
    int ok = n < sizeof stamp;
    if (ok) {
        memcpy(stamp, s, n);
        stamp[n] = '\0';
        ok = vk_rfc3339_normalise(stamp, at) == 0;
    }
    if (ok && comma) {
        const char *id = strchr(comma + 1, ',');
        char type[16];
        size_t tn = id ? (size_t)(id - comma - 1) : 0;
        ok = id && tn < sizeof type;
        if (ok) {
            memcpy(type, comma + 1, tn);
            type[tn] = '\0';
            q->before_id = api_parse_id(id + 1);
            ok = audit_type(type, &q->before_type) && q->before_type != STORE_AUDIT_ANY &&
                 q->before_id > 0;
        }
    }
    if (!ok)
        return vk_fail(&ctx->err, VK_EPARAM, "before",
                       "before is a time (RFC 3339) or the \"next\" value of an earlier page");
    q->before_at = at;
    return VK_OK;
}

vk_err api_staff_audit(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const params[] = {"limit", "type", "before", "actor", NULL};
    vk_err e = vk_req_only_params(req, params, &ctx->err);
    if (e)
        return e;
    store_audit_query q = {AUDIT_DEFAULT, STORE_AUDIT_ANY, NULL, NULL, STORE_AUDIT_ANY, 0};
    long long limit = q.limit;
    if ((e = vk_param_int(req, "limit", 1, AUDIT_MAX, VK_PARAM_FROM_TO, &limit, &ctx->err)))
        return e;
    q.limit = (int)limit;
    const char *type = vk_req_param(req, "type");
    if (!audit_type(type, &q.type))
        return vk_fail(&ctx->err, VK_EPARAM, "type", "type must be feedback or account");
    q.actor = vk_req_param(req, "actor");
    if (q.actor && (!*q.actor || strlen(q.actor) > AUDIT_ACTOR_MAX))
        return vk_fail(&ctx->err, VK_EPARAM, "actor", "actor is a name of 1 to %d characters",
                       AUDIT_ACTOR_MAX);
    char before_at[VK_RFC3339_LEN];
    const char *before = vk_req_param(req, "before");
    if (before && (e = parse_before(ctx, before, before_at, &q)))
        return e;
    vk_buf *b = &resp->body;
    vk_resp_header(resp, "Cache-Control", "no-store");
    vk_buf_puts(b, "{\"events\":[");
    event_writer w = {.b = b, .with_item = 1, .typed = 1};
    if ((e = store_audit_each(ctx->store, &q, audit_json, &w, &ctx->err)))
        return e;
    vk_buf_puts(b, "],\"next\":");
    /* A full page may have more after it; a short one is the last. */
    if (w.n == q.limit && w.last_type)
        vk_buf_printf(b, "\"%s,%s,%lld\"}", w.last_at, w.last_type, (long long)w.last_id);
    else
        vk_buf_puts(b, "null}");
    if (w.failed || !vk_buf_ok(b))
        return vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    return VK_OK;
}
