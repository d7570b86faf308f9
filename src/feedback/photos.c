/* photos.c — photos on feedback: read, attach hidden, moderate, show
 * (see photos.h; the pipeline is media/'s, docs/photos.md). */
#include "feedback/photos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "feedback/feedback.h"
#include "feedback/jobs.h"
#include "feedback/store_feedback.h"
#include "feedback/workflow.h"
#include "http/deferred.h"
#include "media/photo.h"

static void owner_of(int64_t id, char out[24]) { snprintf(out, 24, "%lld", (long long)id); }

static int hex_id(const char *s)
{
    return s && strlen(s) == PHOTO_ID_LEN && strspn(s, "0123456789abcdef") == PHOTO_ID_LEN;
}

vk_err api_feedback_photos_read(const json_t *props, const char **ids, int *n, vk_errinfo *ei)
{
    const json_t *p = json_object_get(props, "photos");
    *n = 0;
    if (!p || json_is_null(p))
        return VK_OK;
    if (!json_is_array(p))
        return vk_fail(ei, VK_ETYPE, "properties.photos",
                       "properties.photos is a list of photo ids (POST /api/v1/photos)");
    size_t i;
    const json_t *v;
    json_array_foreach(p, i, v) {
        char field[40];
        snprintf(field, sizeof field, "properties.photos[%zu]", i);
        if (i >= FEEDBACK_PHOTOS_MAX)
            return vk_fail(ei, VK_EVALUE, field, "a report has at most %d photos",
                           FEEDBACK_PHOTOS_MAX);
        const char *id = json_string_value(v);
        if (!hex_id(id))
            return vk_fail(ei, json_is_string(v) ? VK_EVALUE : VK_ETYPE, field,
                           "%s is not a photo id (32 hex digits from POST /api/v1/photos)",
                           field);
        for (int k = 0; k < *n; k++)
            if (strcmp(ids[k], id) == 0)
                return vk_fail(ei, VK_EVALUE, field, "%s repeats photos[%d]", field, k);
        ids[(*n)++] = id;
    }
    return VK_OK;
}

vk_err api_feedback_photos_attach(vk_ctx *ctx, int64_t id, const char *const *ids, int n,
                                  const char *now, vk_errinfo *ei)
{
    char owner[24];
    owner_of(id, owner);
    for (int i = 0; i < n; i++) {
        vk_err e = photo_attach(ctx, ids[i], FEEDBACK_PHOTO_KIND, owner, now, ei);
        /* Pending moderation: hidden until a moderator approves it. */
        if (!e)
            e = photo_set_hidden(ctx, ids[i], 1, ei);
        if (e) {
            /* The media layer names "photos"; the client sent properties.photos[i]. */
            snprintf(ei->field, sizeof ei->field, "properties.photos[%d]", i);
            return e; /* the whole report rolls back */
        }
    }
    return VK_OK;
}

vk_err api_feedback_photos_delete(vk_ctx *ctx, int64_t id, vk_errinfo *ei)
{
    char owner[24];
    owner_of(id, owner);
    return photo_delete_owner(ctx, FEEDBACK_PHOTO_KIND, owner, ei);
}

typedef struct {
    vk_buf *b;
    int n, waiting;
    const char *want;   /* find: this id */
    int found, hidden;  /* find: its state */
} photo_walk;

static int staff_row(void *arg, const photo_info *p)
{
    photo_walk *w = arg;
    vk_buf_printf(w->b,
                  "%s{\"id\":\"%s\",\"state\":\"%s\",\"width\":%d,\"height\":%d,"
                  "\"thumb_width\":%d,\"thumb_height\":%d,\"url\":\"/api/v1/photos/%s/display\","
                  "\"thumb\":\"/api/v1/photos/%s/thumb\","
                  "\"created\":\"%s\"}",
                  w->n++ ? "," : "", p->id, p->hidden ? "pending" : "approved", p->width,
                  p->height, p->thumb_w, p->thumb_h, p->id, p->id, p->created);
    return 0;
}

vk_err api_feedback_photos_staff_json(vk_ctx *ctx, int64_t id, vk_buf *b)
{
    char owner[24];
    owner_of(id, owner);
    photo_walk w = {.b = b};
    vk_buf_putc(b, '[');
    vk_err e = photo_each(ctx, FEEDBACK_PHOTO_KIND, owner, staff_row, &w, &ctx->err);
    vk_buf_putc(b, ']');
    return e;
}

static int count_row(void *arg, const photo_info *p)
{
    photo_walk *w = arg;
    w->waiting += p->hidden != 0;
    if (w->want && strcmp(w->want, p->id) == 0) {
        w->found = 1;
        w->hidden = p->hidden;
    }
    return 0;
}

vk_err api_feedback_photos_waiting(vk_ctx *ctx, int64_t id, int *n, vk_errinfo *ei)
{
    char owner[24];
    owner_of(id, owner);
    photo_walk w = {0};
    vk_err e = photo_each(ctx, FEEDBACK_PHOTO_KIND, owner, count_row, &w, ei);
    *n = w.waiting;
    return e;
}

/* Residents see the photos of public items (hidden ones are filtered
 * before this: media serves a hidden photo to staff only); staff see the
 * photos of hidden items too, privately; a withdrawn item has none. */
static vk_err feedback_photos_visible(vk_ctx *ctx, const vk_req *req, const char *owner_id,
                                      photo_visibility *out)
{
    *out = PHOTO_HIDDEN;
    int64_t id = api_parse_id(owner_id);
    store_feedback_mod m;
    int found = 0;
    vk_err e = id ? store_feedback_mod_get(ctx->store, id, &found, &m, &ctx->err) : VK_OK;
    if (e || !found)
        return e;
    if (m.hidden == STORE_VISIBLE_PUBLIC)
        *out = PHOTO_PUBLIC;
    else if (req->staff)
        *out = PHOTO_RESTRICTED;
    store_feedback_mod_fini(&m);
    return VK_OK;
}

vk_err api_feedback_photos_register(vk_errinfo *ei)
{
    vk_err e = photo_owner_register(FEEDBACK_PHOTO_KIND, feedback_photos_visible, ei);
    return e ? e : photo_owner_staff_review(FEEDBACK_PHOTO_KIND, ei);
}

/* ---- a moderator's decision ---- */

typedef struct photo_job {
    vk_json_write w; /* first */
    int64_t id;
    char photo[PHOTO_ID_LEN + 1];
    int approve;
    vk_role role;
} photo_job;

static vk_err run_decision(vk_ctx *ctx, vk_write_job *wj, const char *now, vk_buf *b,
                           vk_errinfo *ei)
{
    photo_job *j = (photo_job *)wj;
    char owner[24];
    owner_of(j->id, owner);
    photo_walk w = {.want = j->photo};
    vk_err e = photo_each(ctx, FEEDBACK_PHOTO_KIND, owner, count_row, &w, ei);
    if (e)
        return e;
    if (!w.found)
        return vk_fail(ei, VK_ENOT_FOUND, "photo", "this item has no photo %s", j->photo);
    const char *before = w.hidden ? "pending" : "approved";
    const char *after = j->approve ? "approved" : "rejected";
    if (j->approve && !w.hidden)
        goto answer; /* approved already: nothing to write */
    e = j->approve ? photo_set_hidden(ctx, j->photo, 0, ei) : photo_delete(ctx, j->photo, ei);
    if (!e) {
        /* The photo's id and states only: the audit log holds no image. */
        char bj[120], aj[80];
        snprintf(bj, sizeof bj, "{\"photo\":\"%s\",\"photo_state\":\"%s\"}", j->photo, before);
        snprintf(aj, sizeof aj, "{\"photo_state\":\"%s\"}", after);
        store_event ev = {0, j->id, now, j->w.actor,
                          j->approve ? "photo_approve" : "photo_reject", bj, aj, NULL, NULL, NULL, NULL};
        e = store_event_add(ctx->store, &ev, ei);
    }
    if (e)
        return e;
answer:;
    int found = 0;
    if ((e = api_staff_view(ctx, j->id, j->role, b, &found)))
        return vk_fail(ei, e, "", "%s", ctx->err.message);
    return found ? VK_OK : vk_fail(ei, VK_ENOT_FOUND, "id", "there is no feedback with this id");
}

vk_err api_staff_feedback_photo(vk_ctx *ctx, const vk_req *req, vk_resp *resp)
{
    static const char *const keys[] = {"decision", NULL};
    int64_t id;
    vk_err e = api_feedback_path_id(ctx, req, "decision", &id);
    if (e)
        return e;
    const char *photo = req->nargs > 1 ? req->args[1] : NULL;
    if (!hex_id(photo))
        return vk_fail(&ctx->err, VK_ENOT_FOUND, "photo", "this item has no such photo");
    photo_job *j = vk_json_write_new(ctx, sizeof *j, run_decision, "application/json");
    if (!j)
        return VK_ENOMEM;
    const char *decision = NULL;
    if (!(e = api_json_parse(req->body, req->body_len, &j->w.doc, &ctx->err)) &&
        !json_is_object(j->w.doc))
        e = vk_fail(&ctx->err, VK_ETYPE, "", "send {\"decision\": \"approve\" or \"reject\"}");
    if (!e && !(e = api_json_keys(j->w.doc, keys, &ctx->err)) &&
        !(e = api_json_text(j->w.doc, "decision", 1, 10, 0, &decision, &ctx->err)) &&
        strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0)
        e = vk_fail(&ctx->err, VK_EVALUE, "decision", "decision must be approve or reject");
    if (e) {
        vk_json_write_free(j);
        return e;
    }
    j->id = id;
    memcpy(j->photo, photo, sizeof j->photo);
    j->approve = strcmp(decision, "approve") == 0;
    j->role = req->staff ? req->staff->role : VK_ROLE_NONE;
    snprintf(j->w.actor, sizeof j->w.actor, "%s", req->staff ? req->staff->name : "?");
    vk_json_write_defer(ctx, &j->w, resp);
    return VK_OK;
}
