/*
 * store.c — photos in the database: the owner kinds features register,
 * attaching inside an owner's transaction, the reads features embed, the
 * purge of pending photos and `vaikuta check` (see photo.h).
 */
#include "media/sql.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/sha256.h"

DB_SLICE_DEFINE(media_sql, MEDIA_SQL)

/* ---- owner kinds ---- */

#define MAX_KINDS 16

/* Written at start-up only (before the server's threads), then read. */
static struct {
    const char *kind;
    photo_visible_fn visible;
    int staff_review; /* photo_owner_staff_review */
} kinds[MAX_KINDS];
static int nkinds;

static int kind_ok(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n < 1 || n > PHOTO_KIND_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
            return 0;
    return 1;
}

vk_err photo_owner_register(const char *kind, photo_visible_fn visible, vk_errinfo *ei)
{
    if (!kind_ok(kind) || !visible)
        return vk_fail(ei, VK_EINTERNAL, "", "photo owner kind '%s' is malformed",
                       kind ? kind : "");
    for (int i = 0; i < nkinds; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return kinds[i].visible == visible
                       ? VK_OK /* the same registration again (tests, a restart) */
                       : vk_fail(ei, VK_EINTERNAL, "", "photo owner kind '%s' is taken", kind);
    if (nkinds == MAX_KINDS)
        return vk_fail(ei, VK_EINTERNAL, "", "too many photo owner kinds");
    kinds[nkinds].kind = kind;
    kinds[nkinds].visible = visible;
    nkinds++;
    return VK_OK;
}

photo_visible_fn photo_owner_visible(const char *kind)
{
    for (int i = 0; kind && i < nkinds; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return kinds[i].visible;
    return NULL;
}

vk_err photo_owner_staff_review(const char *kind, vk_errinfo *ei)
{
    for (int i = 0; kind && i < nkinds; i++)
        if (strcmp(kinds[i].kind, kind) == 0) {
            kinds[i].staff_review = 1;
            return VK_OK;
        }
    return vk_fail(ei, VK_EINTERNAL, "", "photo owner kind '%s' is not registered",
                   kind ? kind : "");
}

int photo_owner_staff_sees_hidden(const char *kind)
{
    for (int i = 0; kind && i < nkinds; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return kinds[i].staff_review;
    return 0;
}

static unsigned reviewers; /* start-up only, like kinds */

void photo_set_reviewers(unsigned role_bits) { reviewers = role_bits; }

int photo_reviewer(const vk_staff *staff)
{
    return staff && staff->role > 0 && staff->role < 32 && (reviewers >> staff->role & 1u);
}

int photo_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n != PHOTO_ID_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* ---- writes (writer thread) ---- */

vk_err photo_attach(vk_ctx *ctx, const char *photo_id, const char *kind, const char *owner_id,
                    const char *now, vk_errinfo *ei)
{
    if (!photo_id_ok(photo_id))
        return vk_fail(ei, VK_EVALUE, "photos", "'%.40s' is not a photo id (32 hex digits)",
                       photo_id ? photo_id : "");
    if (!photo_owner_visible(kind))
        return vk_fail(ei, VK_EINTERNAL, "", "photo owner kind '%s' is not registered",
                       kind ? kind : "");
    size_t idlen = owner_id ? strlen(owner_id) : 0;
    if (idlen < 1 || idlen > PHOTO_OWNER_ID_MAX)
        return vk_fail(ei, VK_EINTERNAL, "", "a photo owner id must be 1..%d bytes",
                       PHOTO_OWNER_ID_MAX);
    char have_kind[PHOTO_KIND_MAX + 1] = "", have_id[PHOTO_OWNER_ID_MAX + 1] = "";
    int found = 0;
    vk_err e = db_scan(ctx->store, &media_sql, SQL_PHOTO_OWNER, DB_ARGS(DB_TEXT(photo_id)),
                       DB_OUTS(DB_COPY_TO(have_kind, sizeof have_kind),
                               DB_COPY_TO(have_id, sizeof have_id)),
                       &found, "reading a photo", ei);
    if (e)
        return e;
    if (!found)
        return vk_fail(ei, VK_EPHOTO, "photos",
                       "photo %s is unknown or was not attached in time; upload it again",
                       photo_id);
    if (have_kind[0])
        return strcmp(have_kind, kind) == 0 && strcmp(have_id, owner_id) == 0
                   ? VK_OK /* a retried owner write */
                   : vk_fail(ei, VK_EPHOTO_TAKEN, "photos",
                             "photo %s belongs to something else", photo_id);
    return db_run(ctx->store, &media_sql, SQL_PHOTO_ATTACH,
                  DB_ARGS(DB_TEXT(photo_id), DB_TEXT(kind), DB_TEXT(owner_id), DB_TEXT(now)),
                  "attaching a photo", ei);
}

vk_err photo_delete_owner(vk_ctx *ctx, const char *kind, const char *owner_id, vk_errinfo *ei)
{
    return db_run(ctx->store, &media_sql, SQL_PHOTO_DELETE_OWNER,
                  DB_ARGS(DB_TEXT(kind), DB_TEXT(owner_id)), "deleting photos", ei);
}

vk_err photo_delete(vk_ctx *ctx, const char *photo_id, vk_errinfo *ei)
{
    vk_err e = db_run(ctx->store, &media_sql, SQL_PHOTO_DELETE, DB_ARGS(DB_TEXT(photo_id)),
                      "deleting a photo", ei);
    if (!e && db_changes(ctx->store) == 0)
        return vk_fail(ei, VK_ENOT_FOUND, "photo", "no photo %.40s", photo_id);
    return e;
}

vk_err photo_set_hidden(vk_ctx *ctx, const char *photo_id, int hidden, vk_errinfo *ei)
{
    vk_err e = db_run(ctx->store, &media_sql, SQL_PHOTO_SET_HIDDEN,
                      DB_ARGS(DB_TEXT(photo_id), DB_INT(hidden ? 1 : 0)), "hiding a photo", ei);
    if (!e && db_changes(ctx->store) == 0)
        return vk_fail(ei, VK_ENOT_FOUND, "photo", "no photo %.40s", photo_id);
    return e;
}

static void purge_pending(vk_ctx *ctx, void *arg)
{
    (void)arg;
    char before[VK_RFC3339_LEN];
    vk_rfc3339_of((int64_t)time(NULL) - PHOTO_PENDING_HOURS * 3600, before);
    vk_errinfo ei;
    if (db_run(ctx->store, &media_sql, SQL_PHOTO_PURGE, DB_ARGS(DB_TEXT(before)),
               "purging pending photos", &ei))
        return; /* best effort: the next hour tries again */
}

const vk_writer_hook photo_purge_hook = {3600, purge_pending, NULL};

/* ---- reads ---- */

void media_info_of(db_row *row, photo_info *p)
{
    memset(p, 0, sizeof *p);
    db_col_copy(row, 0, p->id, sizeof p->id);
    p->width = db_col_int(row, 1);
    p->height = db_col_int(row, 2);
    p->thumb_w = db_col_int(row, 3);
    p->thumb_h = db_col_int(row, 4);
    p->display_bytes = db_col_int64(row, 5);
    p->thumb_bytes = db_col_int64(row, 6);
    p->hidden = db_col_int(row, 7);
    db_col_copy(row, 8, p->created, sizeof p->created);
}

typedef struct each_state {
    photo_each_fn fn;
    void *arg;
} each_state;

static int each_row(void *arg, db_row *row)
{
    each_state *st = arg;
    photo_info p;
    media_info_of(row, &p);
    return st->fn(st->arg, &p);
}

vk_err photo_each(vk_ctx *ctx, const char *kind, const char *owner_id, photo_each_fn fn,
                  void *arg, vk_errinfo *ei)
{
    each_state st = {fn, arg};
    return db_each(ctx->store, &media_sql, SQL_PHOTO_EACH,
                   DB_ARGS(DB_TEXT(kind), DB_TEXT(owner_id)), each_row, &st,
                   "reading photos", ei);
}

void photo_urls(const char *base_url, const char *id, char display[160], char thumb[160])
{
    const char *base = base_url ? base_url : "";
    size_t n = strlen(base);
    while (n && base[n - 1] == '/')
        n--; /* the public URL may end in a slash */
    snprintf(display, 160, "%.*s/api/v1/photos/%s/display", (int)(n > 100 ? 100 : n), base, id);
    snprintf(thumb, 160, "%.*s/api/v1/photos/%s/thumb", (int)(n > 100 ? 100 : n), base, id);
}

typedef struct json_state {
    vk_buf *out;
    const char *base_url;
    int n;
} json_state;

static int json_row(void *arg, const photo_info *p)
{
    json_state *st = arg;
    if (p->hidden)
        return 0;
    char display[160], thumb[160];
    photo_urls(st->base_url, p->id, display, thumb);
    vk_buf_printf(st->out, "%s{\"id\":\"%s\",\"width\":%d,\"height\":%d,\"url\":", st->n++ ? "," : "",
                  p->id, p->width, p->height);
    vk_json_str(st->out, display, strlen(display));
    vk_buf_puts(st->out, ",\"thumb\":");
    vk_json_str(st->out, thumb, strlen(thumb));
    vk_buf_putc(st->out, '}');
    return 0;
}

vk_err photo_json(vk_ctx *ctx, const char *kind, const char *owner_id, const char *base_url,
                  vk_buf *out, vk_errinfo *ei)
{
    json_state st = {out, base_url, 0};
    vk_buf_putc(out, '[');
    vk_err e = photo_each(ctx, kind, owner_id, json_row, &st, ei);
    vk_buf_putc(out, ']');
    if (!e && !vk_buf_ok(out))
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    return e;
}

/* ---- check ---- */

typedef struct check_state {
    void (*report)(void *arg, const char *line);
    void *arg;
    long checked, bad;
} check_state;

/* One stored size: its hash, and a whole decode of the stored size. */
static int check_one(check_state *st, const char *id, const char *name, db_row *row, int col,
                     const char *sha, int w, int h)
{
    const void *bytes = db_col_blob(row, col);
    size_t n = db_col_bytes(row, col);
    char hex[65], line[256];
    vk_sha256_hex_of(bytes, n, hex);
    if (strcmp(hex, sha) != 0) {
        snprintf(line, sizeof line, "photo %s: the %s's bytes do not match their SHA-256", id, name);
        st->report(st->arg, line);
        return 1;
    }
    vk_errinfo ei;
    int gw = 0, gh = 0;
    if (photo_jpeg_verify(bytes, n, &gw, &gh, &ei)) {
        snprintf(line, sizeof line, "photo %s: the %s does not decode (%.150s)", id, name,
                 ei.message);
        st->report(st->arg, line);
        return 1;
    }
    if (gw != w || gh != h) {
        snprintf(line, sizeof line, "photo %s: the %s is %d × %d, the row says %d × %d", id,
                 name, gw, gh, w, h);
        st->report(st->arg, line);
        return 1;
    }
    return 0;
}

static int check_row(void *arg, db_row *row)
{
    check_state *st = arg;
    char id[PHOTO_ID_LEN + 1], dsha[65], tsha[65];
    db_col_copy(row, 0, id, sizeof id);
    db_col_copy(row, 5, dsha, sizeof dsha);
    db_col_copy(row, 6, tsha, sizeof tsha);
    int bad = check_one(st, id, "display size", row, 7, dsha, db_col_int(row, 1),
                        db_col_int(row, 2));
    bad |= check_one(st, id, "thumbnail", row, 8, tsha, db_col_int(row, 3), db_col_int(row, 4));
    st->checked++;
    st->bad += bad;
    return 0;
}

vk_err photo_check_all(store_conn *c, void (*report)(void *arg, const char *line), void *arg,
                       int *problems, vk_errinfo *ei)
{
    check_state st = {report, arg, 0, 0};
    if (photo_lib_init(NULL, ei))
        return ei->code;
    vk_err e = db_each(c, &media_sql, SQL_PHOTO_CHECK, DB_NO_ARGS, check_row, &st,
                       "reading photos", ei);
    photo_thread_done();
    if (e)
        return e;
    char line[128];
    snprintf(line, sizeof line, "photos: %ld checked, %ld damaged", st.checked, st.bad);
    report(arg, line);
    *problems += (int)st.bad;
    return VK_OK;
}
