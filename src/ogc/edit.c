/*
 * edit.c — OGC API - Features Part 4 on the feedback collection (edit.h).
 *
 * PUT and PATCH translate the Feature they are sent into the very change
 * PATCH /api/v1/staff/feedback/{id} takes (api_workflow_read_change checks
 * it, api_job_change writes it with its event in the audit log); DELETE
 * hides the item as a moderator does (the report and its history stay,
 * the public no longer sees it). Only the properties the staff may change
 * can differ from the item as it is; the rest (where, what category, when)
 * is the resident's report and is refused by name when it differs.
 */
#include "ogc/edit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/roles.h"
#include "core/json.h"
#include "core/sha256.h"
#include "feedback/jobs.h"
#include "feedback/workflow.h"
#include "features/items.h"
#include "http/deferred.h"

#define MT_GEOJSON "application/geo+json"

void ogc_etag_of(const char *json, size_t n, char etag[OGC_ETAG_LEN])
{
    char hex[65];
    vk_sha256_hex_of(json, n, hex);
    snprintf(etag, OGC_ETAG_LEN, "\"%.32s\"", hex);
}

vk_err ogc_item_state(vk_ctx *ctx, const store_collection *col, int64_t id, int nonpublic,
                      vk_buf *b, char etag[OGC_ETAG_LEN], int *found)
{
    api_items it;
    api_items_init(&it, col);
    it.q.id = id;
    it.q.include_nonpublic = nonpublic;
    vk_err e = api_items_write_one(ctx, &it, b, found);
    if (!e && *found && !vk_buf_ok(b))
        e = vk_fail(&ctx->err, VK_ENOMEM, "", NULL);
    if (!e && *found)
        ogc_etag_of(b->data, b->len, etag);
    return e;
}

int ogc_sees_nonpublic(const vk_req *req)
{
    return req->staff && (req->staff->role == VK_ROLE_MODERATOR || req->staff->role == VK_ROLE_ADMIN);
}

/* ---- the writer job ---- */

typedef struct edit_job {
    api_feedback_job fb;          /* first: its run is api_job_change's */
    char etag[OGC_ETAG_LEN];      /* what If-Match named, compared again in the transaction */
    char new_etag[OGC_ETAG_LEN];  /* the item's after the change */
    int is_delete;
    int any; /* If-Match: * (any version) */
} edit_job;

static vk_err run_edit(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *body,
                       vk_errinfo *ei)
{
    edit_job *j = (edit_job *)wj;
    vk_buf cur;
    vk_buf_init(&cur, 1 << 22);
    char tag[OGC_ETAG_LEN];
    int found = 0;
    vk_err e = ogc_item_state(ctx, store_collection_find("feedback"), j->fb.change.id, 1, &cur,
                              tag, &found);
    vk_buf_fini(&cur);
    if (e)
        return vk_fail(ei, e, ctx->err.field, "%s", ctx->err.message);
    if (!found)
        return vk_fail(ei, VK_ENOT_FOUND, "featureId", "there is no such item");
    /* Another write came between the handler's check and this one. */
    if (!j->any && strcmp(tag, j->etag) != 0)
        return vk_fail(ei, VK_EPRECONDITION, "If-Match",
                       "the item changed since that ETag was read; GET it again");
    e = api_job_change(ctx, wj, now, body, ei);
    if (!e)
        ogc_etag_of(body->data ? body->data : "", body->len, j->new_etag);
    return e;
}

static void finish_edit(void *state, vk_resp *resp)
{
    edit_job *j = state;
    const vk_write_job *job = &j->fb.w.job;
    vk_json_write_finish(state, resp);
    if (job->err.code != VK_OK)
        return;
    if (j->is_delete) {
        resp->status = 204;
        resp->content_type = NULL;
        vk_buf_reset(&resp->body);
        return;
    }
    /* A replayed answer (Idempotency-Key) did not run: its tag from its body. */
    if (!j->new_etag[0] && job->body)
        ogc_etag_of(job->body, strlen(job->body), j->new_etag);
    if (j->new_etag[0])
        vk_resp_header(resp, "ETag", j->new_etag);
}

/* ---- translating a Feature into the staff change ---- */

/* JSON values equal, numbers by value (a client may write 25 for 25.0). */
static int same_value(const json_t *a, const json_t *b)
{
    if (!a || !b)
        return (!a || json_is_null(a)) && (!b || json_is_null(b));
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same_value(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    }
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b))
            return 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v) if (!same_value(v, json_object_get(b, k))) return 0;
        return 1;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

/* The properties the staff change, with the change's member for each. */
static const struct {
    const char *property, *member;
} editable[] = {
    {"status", "status"},
    {"unit", "unit"},
    {"answer", "public_answer"},
    {"description", "description"},
    {"resolution_reason", "resolution_reason"},
    {"forwarded_to", "forwarded_to"},
    {"duplicate_of", "duplicate_of"},
    /* Not a property of the Feature: the staff's note on the change. */
    {"internal_note", "internal_note"},
};
#define NEDITABLE ((int)(sizeof editable / sizeof editable[0]))

static const char *member_of(const char *property)
{
    for (int i = 0; i < NEDITABLE; i++)
        if (strcmp(editable[i].property, property) == 0)
            return editable[i].member;
    return NULL;
}

static const char *property_of(const char *member)
{
    for (int i = 0; i < NEDITABLE; i++)
        if (strcmp(editable[i].member, member) == 0)
            return editable[i].property;
    return member;
}

/* One property of the request against the item now: into change when it
 * is editable and differs; refused when it is not editable and differs. */
static vk_err one_property(vk_errinfo *ei, const char *k, json_t *v, const json_t *now,
                           json_t *change)
{
    const char *member = member_of(k);
    const json_t *was = json_object_get(now, k);
    char field[96];
    snprintf(field, sizeof field, "properties.%.60s", k);
    if (!member && !json_object_get(now, k))
        return vk_fail(ei, VK_EUNKNOWN_FIELD, field, "properties.%s is not a property of "
                       "feedback; see the collection's queryables", k);
    if (same_value(v, was) && strcmp(k, "internal_note") != 0)
        return VK_OK;
    if (!member)
        return vk_fail(ei, VK_EVALUE, field,
                       "properties.%s cannot be changed: only status, unit, answer, description, "
                       "resolution_reason, forwarded_to and duplicate_of are the staff's; the rest "
                       "is the resident's report", k);
    json_object_set(change, member, v);
    return VK_OK;
}

/* The change for PUT (replace: every property as it is to be) or PATCH
 * (a JSON merge patch of the Feature) of the item now (its Feature). */
static vk_err translate(vk_errinfo *ei, const json_t *doc, const json_t *now, int replace,
                        json_t *change)
{
    static const char *const top[] = {"type", "id", "geometry", "properties", "links", NULL};
    if (!json_is_object(doc))
        return vk_fail(ei, VK_ETYPE, "", "send a GeoJSON Feature%s",
                       replace ? "" : " (or the part of it to change, as a JSON merge patch)");
    vk_err e = api_json_keys(doc, top, ei);
    if (e)
        return e;
    const json_t *type = json_object_get(doc, "type");
    if ((replace || type) && !(json_is_string(type) && strcmp(json_string_value(type), "Feature") == 0))
        return vk_fail(ei, VK_EVALUE, "type", "type must be \"Feature\"");
    const json_t *id = json_object_get(doc, "id");
    if (id && !same_value(id, json_object_get(now, "id")))
        return vk_fail(ei, VK_EVALUE, "id", "id must be the item's own (or left out)");
    const json_t *geom = json_object_get(doc, "geometry");
    if (replace && !geom)
        return vk_fail(ei, VK_EMISSING, "geometry", "PUT replaces the whole Feature: send geometry "
                       "as GET gives it");
    if (geom && !same_value(geom, json_object_get(now, "geometry")))
        return vk_fail(ei, VK_EVALUE, "geometry",
                       "geometry cannot be changed: the place is the resident's report");
    json_t *props = json_object_get(doc, "properties");
    const json_t *now_props = json_object_get(now, "properties");
    if (replace && !json_is_object(props))
        return vk_fail(ei, VK_EMISSING, "properties", "PUT replaces the whole Feature: send "
                       "properties as GET gives them, changed");
    if (props && !json_is_object(props))
        return vk_fail(ei, VK_ETYPE, "properties", "properties must be an object");
    const char *k;
    json_t *v;
    json_object_foreach(props, k, v) if ((e = one_property(ei, k, v, now_props, change))) return e;
    if (replace) {
        /* What PUT leaves out it asks to remove: refused unless already absent. */
        json_object_foreach((json_t *)now_props, k, v)
        {
            if (!json_object_get(props, k) && !json_is_null(v))
                return vk_fail(ei, VK_EMISSING, "properties",
                               "properties.%s is missing: PUT replaces the whole Feature, so "
                               "send every property (change the staff's, keep the rest)", k);
        }
    }
    return VK_OK;
}

/* ---- the handler ---- */

vk_err ogc_item_edit(vk_ctx *ctx, const vk_req *req, vk_resp *resp, const store_collection *col)
{
    static const char *const no_params[] = {NULL};
    vk_errinfo *ei = &ctx->err;
    if (strcmp(col->id, "feedback") != 0) {
        vk_resp_header(resp, "Allow", "GET, HEAD");
        return vk_fail(ei, VK_EMETHOD, "collectionId",
                       "%s is read-only through OGC API: only feedback items are edited here "
                       "(see /ogcapi/api)", col->id);
    }
    vk_err e = vk_req_only_params(req, no_params, ei);
    if (e)
        return e;
    const char *fid = req->nargs > 1 ? req->args[1] : "";
    char *end;
    long long id = strtoll(fid, &end, 10);
    if (*end || id <= 0 || fid[0] == '+' || fid[0] == ' ')
        return vk_fail(ei, VK_ENOT_FOUND, "featureId", "there is no such item");
    if (!req->if_match)
        return vk_fail(ei, VK_EPRECONDITION_REQUIRED, "If-Match",
                       "send If-Match with the ETag of the item as you read it (GET the item)");
    vk_buf cur;
    vk_buf_init(&cur, 1 << 22);
    char tag[OGC_ETAG_LEN];
    int found = 0;
    if ((e = ogc_item_state(ctx, col, id, 1, &cur, tag, &found))) {
        vk_buf_fini(&cur);
        return e;
    }
    if (!found) {
        vk_buf_fini(&cur);
        return vk_fail(ei, VK_ENOT_FOUND, "featureId", "there is no such item");
    }
    /* With an Idempotency-Key a retry of a write that went through must
     * get its first answer back (the writer replays it before running the
     * job): the job's own check decides then. */
    if (!req->idempotency_key && !vk_req_if_match(req, tag)) {
        vk_buf_fini(&cur);
        return vk_fail(ei, VK_EPRECONDITION, "If-Match",
                       "the item changed since that ETag was read; GET it again");
    }
    int is_delete = req->method == VK_DELETE;
    json_t *change = json_object(), *now = NULL, *doc = NULL;
    if (!change) {
        vk_buf_fini(&cur);
        return vk_fail(ei, VK_ENOMEM, "", NULL);
    }
    if (is_delete) {
        json_object_set_new(change, "hidden", json_true());
    } else if (!vk_req_is_json(req)) {
        e = vk_fail(ei, VK_EMEDIA_TYPE, "Content-Type",
                    req->method == VK_PATCH ? "send the patch as application/merge-patch+json"
                                            : "send the Feature as application/geo+json");
    } else if (!(e = api_json_parse(req->body, req->body_len, &doc, ei))) {
        now = json_loadb(cur.data, cur.len, 0, NULL);
        e = now ? translate(ei, doc, now, req->method == VK_PUT, change)
                : vk_fail(ei, VK_EINTERNAL, "", "the stored item could not be read");
    }
    json_decref(now);
    json_decref(doc);
    if (!e && json_object_size(change) == 0) {
        /* Nothing differs: the item as it is, nothing written. */
        json_decref(change);
        resp->content_type = MT_GEOJSON;
        vk_buf_add(&resp->body, cur.data, cur.len);
        vk_buf_fini(&cur);
        vk_resp_header(resp, "ETag", vk_arena_strdup(req->arena, tag));
        return VK_OK;
    }
    vk_buf_fini(&cur);
    if (e) {
        json_decref(change);
        return e;
    }
    edit_job *j = vk_json_write_new(ctx, sizeof *j, run_edit, MT_GEOJSON);
    if (!j) {
        json_decref(change);
        return VK_ENOMEM;
    }
    j->fb.w.doc = change; /* the change's strings borrow from it */
    /* The tag the client named: the version it read (or any, with *). */
    j->any = req->if_match[strspn(req->if_match, " \t")] == '*';
    snprintf(j->etag, sizeof j->etag, "%s", vk_req_if_match(req, tag) ? tag : "");
    j->is_delete = is_delete;
    if ((e = api_workflow_read_change(change, &j->fb.change, ei))) {
        /* Name the property the client sent, not the REST member. */
        if (ei->field[0] && strcmp(ei->field, "If-Match") != 0) {
            char field[160];
            snprintf(field, sizeof field, "properties.%.60s", property_of(ei->field));
            snprintf(ei->field, sizeof ei->field, "%.80s", field);
        }
        vk_json_write_free(j);
        return e;
    }
    j->fb.change.id = id;
    snprintf(j->fb.w.actor, sizeof j->fb.w.actor, "%s", req->staff ? req->staff->name : "?");
    j->fb.change.actor = j->fb.w.actor;
    if ((e = api_idem_prepare(ctx, req, req->staff ? req->staff->token_id : 0, &j->fb.w.job))) {
        vk_json_write_free(j);
        return e;
    }
    vk_write_job_defer(ctx, &j->fb.w.job, resp, finish_edit, vk_json_write_free);
    return VK_OK;
}
