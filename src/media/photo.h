/*
 * photo.h — photos of anything a feature owns (walk findings, feedback,
 * budget updates): an untrusted upload decoded with libvips, turned upright
 * (EXIF orientation applied to the pixels), stripped of EVERY metadata block
 * (GPS above all), and stored as two JPEGs, a display size and a thumbnail,
 * in the database (so `vaikuta backup` carries them and `vaikuta check`
 * verifies them). See docs/photos.md for the HTTP contract and the why.
 *
 * The flow: a client uploads the raw image (POST /api/v1/photos) and gets
 * an id; the photo is then *pending* (no owner, served to nobody, purged
 * after PHOTO_PENDING_HOURS). The owner's own write (a finding, a report)
 * names the id and, inside its writer job, calls photo_attach(): from then
 * on the photo is served exactly when the owner's visibility callback says
 * so. Media knows no feature: features register a callback per owner kind.
 *
 * Layer: beside features/auth/questions (scripts/check-includes.py), so
 * every kind of data may include it; it includes core, db and http only.
 */
#ifndef VK_MEDIA_PHOTO_H
#define VK_MEDIA_PHOTO_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/ctx.h"
#include "db/writer.h"
#include "http/request.h"
#include "http/route.h"

/* ---- limits ---- */

#define PHOTO_MAX_BYTES (15u * 1024 * 1024) /* an upload's body */
/* width × height as the file's header declares them, checked before any
 * pixel is decoded (decompression bombs): 100 MP is over any phone
 * camera's default mode. */
#define PHOTO_MAX_PIXELS 100000000LL
#define PHOTO_MAX_SIDE 30000      /* either side, same check */
#define PHOTO_DISPLAY_SIDE 1600   /* long side of the display size, px */
#define PHOTO_THUMB_SIDE 320      /* long side of the thumbnail, px */
#define PHOTO_PENDING_HOURS 48    /* an unattached photo is purged after this */
#define PHOTO_ID_LEN 32           /* 16 random bytes, lowercase hex */

/* ---- the library ---- */

/* Start libvips once, before any thread decodes: VIPS_INIT, every
 * untrusted loader blocked and only the JPEG, PNG, WebP and HEIF loaders
 * allowed, one vips thread per decode, no operation cache. argv0 may be
 * NULL. Idempotent; not thread-safe (call at start-up). */
vk_err photo_lib_init(const char *argv0, vk_errinfo *ei);
/* 1 when HEIC/HEIF uploads are accepted (libheif with a decoder). */
int photo_lib_heif(void);

/* ---- processing (no database) ---- */

/* The upload's type from its magic bytes (never its name or its
 * Content-Type): "jpeg", "png", "webp", "heif", or NULL. */
const char *photo_sniff(const void *bytes, size_t len);

/* One processed photo. Caller owns; free with photo_image_fini(). */
typedef struct photo_image {
    char source_type[8];      /* what photo_sniff said */
    int source_w, source_h;   /* as stored in the file (before rotation) */
    unsigned char *display;   /* JPEG, no metadata; owned (photo_image_fini) */
    size_t display_len;
    int display_w, display_h;
    unsigned char *thumb;     /* JPEG, no metadata; owned */
    size_t thumb_len;
    int thumb_w, thumb_h;
    char display_sha256[65];  /* hex, of the display bytes */
    char thumb_sha256[65];
} photo_image;

/* Decode bytes (an untrusted upload) into out: sniff, check the size and
 * the declared pixels, decode failing on the first error (truncated files
 * are refused, not half-grey), rotate upright, make both sizes with no
 * metadata. Errors: VK_EBODY_TOO_LARGE (413, over PHOTO_MAX_BYTES),
 * VK_EIMAGE_TOO_LARGE (413, too many pixels), VK_EMEDIA_TYPE (415, not a
 * JPEG/PNG/WebP/HEIF, empty), VK_EIMAGE (422, broken), all with field
 * "body". Thread-safe; the caller bounds concurrency (the server does, see
 * docs/photos.md). On failure out is zeroed. */
vk_err photo_process(const void *bytes, size_t len, photo_image *out, vk_errinfo *ei);
void photo_image_fini(photo_image *img);

/* ---- owners and visibility ---- */

typedef enum {
    PHOTO_HIDDEN = 0,     /* 404 to this caller */
    PHOTO_RESTRICTED = 1, /* served to this caller only: Cache-Control private */
    PHOTO_PUBLIC = 2,     /* served to anyone: Cache-Control public */
} photo_visibility;

/* A feature's answer for one owner: may this request see owner_id's
 * photos? Runs on a worker thread with ctx (read statements only); the
 * request carries req->staff when credentials came. Return VK_OK with
 * *out set; an error (ctx->err) answers with that error. */
typedef vk_err (*photo_visible_fn)(vk_ctx *ctx, const vk_req *req, const char *owner_id,
                                   photo_visibility *out);

#define PHOTO_KIND_MAX 31 /* owner kind: [a-z0-9_], 1..31 characters */
#define PHOTO_OWNER_ID_MAX 63

/* Register owner kind (e.g. "walk_finding", "feedback"; a static string)
 * and its callback, at start-up before the server serves (cli/serve.c);
 * at most 16 kinds. A kind registered twice or malformed → VK_EINTERNAL.
 * Process-wide, frozen once the server runs. */
vk_err photo_owner_register(const char *kind, photo_visible_fn visible, vk_errinfo *ei);

/* Kind (registered) is moderated photo by photo: its feature attaches
 * each photo hidden (photo_set_hidden) until staff approve it, and every
 * staff role, not only the reviewers, sees those hidden photos (always
 * Cache-Control private). Feedback is (docs/photos.md). At start-up,
 * after photo_owner_register. */
vk_err photo_owner_staff_review(const char *kind, vk_errinfo *ei);

/* A feature whose participants upload with a code of theirs (walks: the
 * X-Walk-Code header) checks that code: VK_OK when it admits the upload,
 * else the error to answer (ctx->err; a wrong code counts against the
 * feature's own limiter). An upload with a code it admits is not counted
 * against the public write budget: a phone's queue of 100 photos syncs at
 * once. Without a registered check a code is refused. At start-up, as
 * photo_owner_register. */
typedef vk_err (*photo_code_check_fn)(vk_ctx *ctx, const vk_req *req, vk_resp *resp);
void photo_set_code_check(photo_code_check_fn check);

/* Staff roles that see every photo, pending and hidden ones too (always
 * Cache-Control private): moderators look at photos before they are
 * public. A set of vk_role bits (1u << role, auth/roles.h), given at
 * start-up by cli/serve.c; 0 (the default): nobody. */
void photo_set_reviewers(unsigned role_bits);

/* ---- inside an owner's writer job (run callback, writer thread) ---- */

/* Make pending photo_id belong to (kind, owner_id), in the caller's
 * transaction, so the photo and its owner commit or roll back together.
 * Attaching a photo again to the same owner is a no-op (retries).
 * Errors (field "photos"): VK_EVALUE (400) not a photo id; VK_EPHOTO (422)
 * no such photo (never uploaded, or purged); VK_EPHOTO_TAKEN (409) it
 * belongs to another owner. kind must be registered. */
vk_err photo_attach(vk_ctx *ctx, const char *photo_id, const char *kind, const char *owner_id,
                    const char *now, vk_errinfo *ei);
/* Delete every photo of (kind, owner_id), when the owner is deleted. */
vk_err photo_delete_owner(vk_ctx *ctx, const char *kind, const char *owner_id, vk_errinfo *ei);
/* Delete one photo (a moderator rejected it); VK_ENOT_FOUND when none. */
vk_err photo_delete(vk_ctx *ctx, const char *photo_id, vk_errinfo *ei);
/* Hide (1) or show (0) one photo whatever its owner says (moderation). */
vk_err photo_set_hidden(vk_ctx *ctx, const char *photo_id, int hidden, vk_errinfo *ei);

/* ---- reads (any thread) ---- */

typedef struct photo_info {
    char id[PHOTO_ID_LEN + 1];
    int width, height;           /* display size */
    int thumb_w, thumb_h;
    long long display_bytes, thumb_bytes;
    int hidden;
    char created[40];            /* RFC 3339 */
} photo_info;

/* fn for each photo of (kind, owner_id), oldest first, hidden ones too;
 * fn returns nonzero to stop. */
typedef int (*photo_each_fn)(void *arg, const photo_info *p);
vk_err photo_each(vk_ctx *ctx, const char *kind, const char *owner_id, photo_each_fn fn,
                  void *arg, vk_errinfo *ei);
/* Append the owner's photos (hidden ones left out) as a JSON array to out:
 * [{"id","width","height","url","thumb"}] with url and thumb absolute
 * when base_url is given (req->base_url), else rooted ("/api/v1/..."). */
vk_err photo_json(vk_ctx *ctx, const char *kind, const char *owner_id, const char *base_url,
                  vk_buf *out, vk_errinfo *ei);

/* ---- the server ---- */

/* Start the decode threads (threads: 1..8, each runs one decode at a time,
 * so at most `threads` images are in libvips at once; depth uploads may
 * wait, more get 503 busy). Call once in the server's start hook after
 * photo_lib_init; photo_server_stop at shutdown. Without them (tools,
 * tests) uploads decode on the caller's thread. */
vk_err photo_server_start(int threads, int depth, vk_errinfo *ei);
void photo_server_stop(void);

/* Pending photos older than PHOTO_PENDING_HOURS are deleted, hourly, on
 * the writer thread (chained in cli/serve.c writer_hooks_run). */
extern const vk_writer_hook photo_purge_hook;

/* `vaikuta check`: every stored photo's sizes match their SHA-256 and
 * decode whole as JPEGs of the stored size; one line through report per
 * damaged photo and a summary line; *problems grows by the damaged ones.
 * An error only when the database could not be read. */
vk_err photo_check_all(store_conn *c, void (*report)(void *arg, const char *line), void *arg,
                       int *problems, vk_errinfo *ei);

/* The routes (cli/routes.c joins them). Upload is a public, rate-limited
 * write (2: unless a walk code comes, checked by photo_set_code_check's); the reads are public and answer 404 unless the owner's callback
 * says the caller may see the photo. */
#define MEDIA_ROUTES(R)                                                              \
    R(VK_POST, "/api/v1/photos", photo_api_upload, PUBLIC, 2, 0)                   \
    R(VK_ANY_GET, "/api/v1/photos/{id}", photo_api_get, PUBLIC, 0, 0)              \
    R(VK_ANY_GET, "/api/v1/photos/{id}/{size}", photo_api_bytes, PUBLIC, 0, 0)

MEDIA_ROUTES(VK_ROUTE_HANDLER)

#endif
