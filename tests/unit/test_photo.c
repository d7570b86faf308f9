/* test_photo.c — the photo pipeline (media/): the type from the magic
 * bytes; a JPEG carrying EXIF with GPS and orientation 6, XMP, IPTC, an
 * ICC profile and a comment comes back turned upright with no metadata at
 * all; the two sizes; hostile files (truncated, bombs declared in the
 * header, a side too long, text, nothing, too many bytes) refused with
 * their 4xx error; and the store: upload through the handler (with an
 * Idempotency-Key), attach, visibility callbacks, reading the bytes with
 * ETag, hiding, the purge, and `vaikuta check` finding damaged bytes. */
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "core/clock.h"
#include "core/sha256.h"
#include "db/stmt.h"
#include "db/store.h"
#include "media/photo.h"
#include "t.h"
#include "tmp.h"

#define FIXTURES VK_SOURCE_DIR "/tests/fixtures/photos/"

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, FIXTURES "%s", name);
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    *len = 0;
    if (f && fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        rewind(f);
        data = malloc((size_t)n + 1);
        if (data && fread(data, 1, (size_t)n, f) == (size_t)n)
            *len = (size_t)n;
    }
    if (f)
        fclose(f);
    if (!*len)
        printf("# cannot read %s\n", path);
    return data;
}

/* The JPEG's segments before the scan: 1 when any is metadata (APP1 EXIF
 * or XMP, APP2 ICC, APP13 IPTC, any other APPn but JFIF's APP0, COM). */
static int has_metadata(const unsigned char *b, size_t n, char *what, size_t cap)
{
    size_t i = 2;
    while (i + 4 <= n && b[i] == 0xFF) {
        unsigned m = b[i + 1];
        size_t len = (size_t)b[i + 2] << 8 | b[i + 3];
        if (m == 0xDA)
            return 0;
        if ((m >= 0xE1 && m <= 0xEF) || m == 0xFE ||
            (m == 0xE0 && (len < 7 || memcmp(b + i + 4, "JFIF", 5) != 0))) {
            snprintf(what, cap, "marker 0x%02X", m);
            return 1;
        }
        i += 2 + len;
    }
    return 0;
}

static int contains(const unsigned char *b, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(b + i, s, k) == 0)
            return 1;
    return 0;
}

/* The average colour of a box of the JPEG's pixels. */
static void colour_at(const unsigned char *jpeg, size_t n, int x, int y, int w, int h,
                      double rgb[3])
{
    VipsImage *img = NULL, *box = NULL;
    rgb[0] = rgb[1] = rgb[2] = -1;
    if (vips_jpegload_buffer((void *)jpeg, n, &img, NULL))
        return;
    if (vips_extract_area(img, &box, x, y, w, h, NULL) == 0) {
        for (int b = 0; b < 3; b++) {
            VipsImage *band = NULL;
            if (vips_extract_band(box, &band, b, NULL) == 0) {
                vips_avg(band, &rgb[b], NULL);
                g_object_unref(band);
            }
        }
        g_object_unref(box);
    }
    g_object_unref(img);
}

static void test_sniff(void)
{
    T_EQ_STR(photo_sniff("\xFF\xD8\xFF\xE0", 4), "jpeg", "JPEG by its SOI");
    T_EQ_STR(photo_sniff("\x89PNG\r\n\x1a\n", 8), "png", "PNG by its signature");
    T_EQ_STR(photo_sniff("RIFF\0\0\0\0WEBPVP8 ", 16), "webp", "WebP by RIFF/WEBP");
    T_EQ_STR(photo_sniff("\0\0\0\x18" "ftypheic", 12), "heif", "HEIC by its brand");
    T_OK(photo_sniff("\0\0\0\x18" "ftypisom", 12) == NULL, "an MP4 is not a photo");
    T_OK(photo_sniff("RIFF\0\0\0\0WAVE", 12) == NULL, "a WAV is not a photo");
    T_OK(photo_sniff("GIF89a", 6) == NULL, "GIF is not taken");
    T_OK(photo_sniff("<svg", 4) == NULL, "SVG is not taken");
    T_OK(photo_sniff("\xFF\xD8", 2) == NULL, "two bytes are nothing");
    T_OK(photo_sniff("", 0) == NULL && photo_sniff(NULL, 0) == NULL, "empty is nothing");
}

static void test_clean(void)
{
    size_t n;
    char *in = slurp("gps-rotated.jpg", &n);
    T_OK(in && contains((unsigned char *)in, n, "SecretCam") && contains((unsigned char *)in, n,
                                                                         "ICC_PROFILE"),
         "the fixture carries EXIF and an ICC profile");
    photo_image img;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    T_EQ_INT(photo_process(in, n, &img, &ei), VK_OK, "the phone's JPEG is processed (%s)",
             ei.message);
    T_EQ_STR(img.source_type, "jpeg", "source type");
    T_OK(img.source_w == 64 && img.source_h == 32, "stored 64 × 32");
    T_OK(img.display_w == 32 && img.display_h == 64, "display turned upright: 32 × 64 (got %d × %d)",
         img.display_w, img.display_h);
    T_OK(img.thumb_w == 32 && img.thumb_h == 64, "a small photo is never enlarged");
    double top[3], bottom[3];
    colour_at(img.display, img.display_len, 8, 4, 16, 24, top);
    colour_at(img.display, img.display_len, 8, 36, 16, 24, bottom);
    T_OK(top[0] > 150 && top[2] < 100, "red on top (the left half turned clockwise): %.0f,%.0f,%.0f",
         top[0], top[1], top[2]);
    T_OK(bottom[2] > 150 && bottom[0] < 100, "blue below: %.0f,%.0f,%.0f", bottom[0], bottom[1],
         bottom[2]);
    const struct {
        const unsigned char *b;
        size_t n;
        const char *name;
    } outs[] = {{img.display, img.display_len, "display"}, {img.thumb, img.thumb_len, "thumb"}};
    for (int i = 0; i < 2; i++) {
        char what[32] = "";
        T_OK(outs[i].n > 100 && photo_sniff(outs[i].b, outs[i].n) &&
                 strcmp(photo_sniff(outs[i].b, outs[i].n), "jpeg") == 0,
             "%s is a JPEG", outs[i].name);
        T_OK(!has_metadata(outs[i].b, outs[i].n, what, sizeof what), "%s: no metadata segment (%s)",
             outs[i].name, what);
        static const char *const traces[] = {"Exif", "SecretCam", "http://ns.adobe.com",
                                             "GPSLatitude", "ICC_PROFILE", "Photoshop", "8BIM",
                                             "SecretPlace", "secret comment"};
        int clean = 1;
        for (size_t k = 0; k < sizeof traces / sizeof traces[0]; k++)
            if (contains(outs[i].b, outs[i].n, traces[k])) {
                printf("#   %s still has '%s'\n", outs[i].name, traces[k]);
                clean = 0;
            }
        T_OK(clean, "%s: no trace of EXIF, GPS, XMP, ICC, IPTC or the comment", outs[i].name);
    }
    char hex[65];
    vk_sha256_hex_of(img.display, img.display_len, hex);
    T_EQ_STR(img.display_sha256, hex, "the display's SHA-256");
    photo_image_fini(&img);
    free(in);
}

/* A 12-megapixel JPEG made here: two sizes of the right shape, in time. */
static void test_sizes(void)
{
    VipsImage *noise = NULL;
    void *jpeg = NULL;
    size_t n = 0;
    T_OK(vips_gaussnoise(&noise, 4000, 3000, "mean", 128.0, "sigma", 40.0, NULL) == 0 &&
             vips_jpegsave_buffer(noise, &jpeg, &n, "Q", 85, NULL) == 0,
         "a 4000 × 3000 JPEG made");
    if (noise)
        g_object_unref(noise);
    photo_image img;
    vk_errinfo ei;
    int64_t t0 = vk_monotonic_us();
    T_EQ_INT(photo_process(jpeg, n, &img, &ei), VK_OK, "12 MP processed");
    int64_t us = vk_monotonic_us() - t0;
    printf("# 12 MP JPEG (%zu bytes): %.0f ms\n", n, us / 1000.0);
    T_OK(img.display_w == 1600 && img.display_h == 1200, "display 1600 × 1200 (%d × %d)",
         img.display_w, img.display_h);
    T_OK(img.thumb_w == 320 && img.thumb_h == 240, "thumbnail 320 × 240 (%d × %d)", img.thumb_w,
         img.thumb_h);
    photo_image_fini(&img);
    g_free(jpeg);
}

static void test_types(void)
{
    static const struct {
        const char *file, *type;
    } ok[] = {{"tiny.png", "png"}, {"tiny.webp", "webp"}, {"alpha.png", "png"},
              {"progressive.jpg", "jpeg"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        size_t n;
        char *in = slurp(ok[i].file, &n);
        photo_image img;
        vk_errinfo ei;
        vk_errinfo_clear(&ei);
        T_EQ_INT(photo_process(in, n, &img, &ei), VK_OK, "%s processed (%s)", ok[i].file,
                 ei.message);
        T_OK(strcmp(img.source_type, ok[i].type) == 0 && img.display_w == 64 &&
                 img.display_h == 32 && photo_sniff(img.display, img.display_len) &&
                 strcmp(photo_sniff(img.display, img.display_len), "jpeg") == 0,
             "%s: a 64 × 32 JPEG", ok[i].file);
        photo_image_fini(&img);
        free(in);
    }
}

static void test_hostile(void)
{
    static const struct {
        const char *file;
        vk_err code;
    } bad[] = {{"truncated.jpg", VK_EIMAGE},       {"bomb.png", VK_EIMAGE_TOO_LARGE},
               {"bomb.jpg", VK_EIMAGE_TOO_LARGE},  {"wide.png", VK_EIMAGE_TOO_LARGE},
               {"text.jpg", VK_EMEDIA_TYPE}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n;
        char *in = slurp(bad[i].file, &n);
        photo_image img;
        vk_errinfo ei;
        vk_errinfo_clear(&ei);
        vk_err e = photo_process(in, n, &img, &ei);
        T_EQ_INT(e, bad[i].code, "%s refused as %s: %s", bad[i].file, vk_err_code(bad[i].code),
                 ei.message);
        T_OK(vk_err_status(e) >= 400 && vk_err_status(e) < 500 && strcmp(ei.field, "body") == 0,
             "%s: a 4xx naming the body", bad[i].file);
        T_OK(img.display == NULL && img.thumb == NULL, "%s: nothing left to free", bad[i].file);
        free(in);
    }
    photo_image img;
    vk_errinfo ei;
    T_EQ_INT(photo_process("", 0, &img, &ei), VK_EMEDIA_TYPE, "zero bytes: 415");
    char *big = calloc(1, PHOTO_MAX_BYTES + 1);
    memcpy(big, "\xFF\xD8\xFF\xE0", 4);
    T_EQ_INT(photo_process(big, PHOTO_MAX_BYTES + 1, &img, &ei), VK_EBODY_TOO_LARGE,
             "a byte over 15 MB: 413");
    T_EQ_INT(photo_process(big, 4096, &img, &ei), VK_EIMAGE, "JPEG magic then zeros: 422");
    free(big);
    /* Every prefix of a good JPEG: refused or (when cut after the image)
     * whole, never a crash. */
    size_t n;
    char *in = slurp("gps-rotated.jpg", &n);
    int ok = 1;
    for (size_t cut = 0; in && cut < n; cut += 97) {
        vk_err e = photo_process(in, cut, &img, &ei);
        if (e != VK_OK && (vk_err_status(e) < 400 || vk_err_status(e) >= 500))
            ok = 0;
        photo_image_fini(&img);
    }
    T_OK(ok, "every prefix of the JPEG: processed or a 4xx");
    free(in);
}

/* ---- the store ---- */

static int owner_public = 1;

static vk_err finding_visible(vk_ctx *ctx, const vk_req *req, const char *owner_id,
                              photo_visibility *out)
{
    (void)ctx;
    if (strcmp(owner_id, "secret") == 0)
        *out = req->staff ? PHOTO_RESTRICTED : PHOTO_HIDDEN;
    else
        *out = owner_public ? PHOTO_PUBLIC : PHOTO_HIDDEN;
    return VK_OK;
}

static vk_err other_visible(vk_ctx *ctx, const vk_req *req, const char *owner_id,
                            photo_visibility *out)
{
    (void)ctx, (void)req, (void)owner_id;
    *out = PHOTO_PUBLIC;
    return VK_OK;
}

typedef struct call {
    vk_arena arena;
    vk_req req;
    vk_resp resp;
    vk_err e;
} call;

static void call_init(call *c, vk_method m, const char *path, const char *body, size_t len)
{
    memset(c, 0, sizeof *c);
    vk_arena_init(&c->arena, 0);
    c->req.method = m;
    c->req.method_name = vk_method_name(m);
    c->req.path = path;
    c->req.arena = &c->arena;
    c->req.body = body;
    c->req.body_len = len;
    c->req.client_addr = "192.0.2.7";
    vk_resp_init(&c->resp, 64u * 1024 * 1024);
}

static void call_fini(call *c)
{
    vk_resp_fini(&c->resp);
    vk_arena_fini(&c->arena);
}

/* Upload bytes through the handler; the new id into id ("" on failure). */
static int upload(vk_ctx *ctx, const char *bytes, size_t n, const char *key, char id[33])
{
    call c;
    call_init(&c, VK_POST, "/api/v1/photos", bytes, n);
    c.req.idempotency_key = key;
    c.req.content_type = "image/jpeg";
    vk_errinfo_clear(&ctx->err);
    c.e = photo_api_upload(ctx, &c.req, &c.resp);
    int status = c.e ? vk_err_status(c.e) : c.resp.status;
    id[0] = '\0';
    json_t *j = c.e ? NULL : json_loads(c.resp.body.data ? c.resp.body.data : "", 0, NULL);
    const char *got = json_string_value(json_object_get(j, "id"));
    if (got)
        snprintf(id, 33, "%s", got);
    json_decref(j);
    call_fini(&c);
    return status;
}

/* GET a photo's path; its status, and its body's length into *len. */
static int get(vk_ctx *ctx, const char *id, const char *size, const vk_staff *staff,
               const char *inm, size_t *len, char etag[80])
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/photos/%s%s%s", id, size ? "/" : "", size ? size : "");
    call c;
    call_init(&c, VK_GET, path, NULL, 0);
    c.req.args[0] = id;
    c.req.args[1] = size;
    c.req.nargs = size ? 2 : 1;
    c.req.staff = staff;
    c.req.if_none_match = inm;
    vk_errinfo_clear(&ctx->err);
    c.e = size ? photo_api_bytes(ctx, &c.req, &c.resp) : photo_api_get(ctx, &c.req, &c.resp);
    int status = c.e ? vk_err_status(c.e) : c.resp.status;
    if (len)
        *len = c.resp.body.len;
    if (etag) {
        etag[0] = '\0';
        for (int i = 0; i < c.resp.nheaders; i++)
            if (strcmp(c.resp.headers[i].name, "ETag") == 0)
                snprintf(etag, 80, "%s", c.resp.headers[i].value);
    }
    call_fini(&c);
    return status;
}

#define TEST_SQL(X)                                                                  \
    X(Q_COUNT, "SELECT count(*) FROM photo WHERE ?1 = ?1")                          \
    X(Q_DAMAGE, "UPDATE photo SET thumb = zeroblob(500) WHERE id = ?1")              \
    X(Q_AGE, "UPDATE photo SET created_at = '2000-01-01T00:00:00Z' WHERE id = ?1")
DB_SLICE_ENUM(test_sql_id, TEST_SQL)
DB_SLICE_DEFINE(test_sql, TEST_SQL)

static int64_t photos(vk_ctx *ctx)
{
    int64_t n = -1;
    vk_errinfo ei;
    db_int64(ctx->store, &test_sql, Q_COUNT, DB_ARGS(DB_INT(1)), &n, "count", &ei);
    return n;
}

static void report_line(void *arg, const char *line)
{
    (void)arg;
    printf("# check: %s\n", line);
}

static void test_store(vk_ctx *ctx)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    T_EQ_INT(photo_owner_register("walk_finding", finding_visible, &ei), VK_OK, "kind registered");
    T_EQ_INT(photo_owner_register("other", other_visible, &ei), VK_OK, "another kind");
    T_EQ_INT(photo_owner_register("walk_finding", other_visible, &ei), VK_EINTERNAL,
             "a kind is one feature's");
    T_EQ_INT(photo_owner_register("Bad Kind", other_visible, &ei), VK_EINTERNAL,
             "a malformed kind is refused");

    size_t n;
    char *jpeg = slurp("gps-rotated.jpg", &n);
    char a[33], b[33], again[33], c[33];
    T_EQ_INT(upload(ctx, jpeg, n, "device-photo-1", a), 201, "uploaded: 201");
    T_OK(strlen(a) == 32, "an id of 32 hex digits: %s", a);
    T_EQ_INT(upload(ctx, jpeg, n, "device-photo-1", again), 201, "the same key again: 201");
    T_EQ_STR(again, a, "the same key gives the same photo");
    T_EQ_INT(photos(ctx), 1, "stored once");
    T_EQ_INT(upload(ctx, jpeg, n - 1, "device-photo-1", again), 422,
             "the same key with other bytes: 422");
    T_EQ_INT(upload(ctx, jpeg, n, NULL, b), 201, "without a key: a new photo");
    T_OK(strcmp(a, b) != 0, "another id");
    T_EQ_INT(upload(ctx, jpeg, n, NULL, c), 201, "a third");
    T_EQ_INT(upload(ctx, "hello", 5, NULL, again), 415, "text through the handler: 415");
    T_EQ_INT(upload(ctx, jpeg, n / 3, NULL, again), 422, "a truncated JPEG: 422");
    T_EQ_INT(photos(ctx), 3, "three stored");

    T_EQ_INT(get(ctx, a, "display", NULL, NULL, NULL, NULL), 404, "pending: served to nobody");
    char now[VK_RFC3339_LEN];
    vk_now_rfc3339(now);
    T_EQ_INT(photo_attach(ctx, "xyz", "walk_finding", "17", now, &ei), VK_EVALUE,
             "not an id: 400");
    T_EQ_INT(photo_attach(ctx, "00000000000000000000000000000000", "walk_finding", "17", now,
                          &ei),
             VK_EPHOTO, "an unknown id: 422 invalid_photo");
    T_EQ_STR(ei.field, "photos", "naming the photos field");
    T_EQ_INT(photo_attach(ctx, a, "walk_finding", "17", now, &ei), VK_OK, "attached to finding 17");
    T_EQ_INT(photo_attach(ctx, a, "walk_finding", "17", now, &ei), VK_OK,
             "attached again to the same owner: a no-op");
    T_EQ_INT(photo_attach(ctx, a, "walk_finding", "18", now, &ei), VK_EPHOTO_TAKEN,
             "to another finding: 409");
    T_EQ_INT(photo_attach(ctx, a, "other", "17", now, &ei), VK_EPHOTO_TAKEN,
             "to another kind: 409");
    T_EQ_INT(photo_attach(ctx, b, "walk_finding", "17", now, &ei), VK_OK, "a second photo");
    T_EQ_INT(photo_attach(ctx, c, "walk_finding", "secret", now, &ei), VK_OK,
             "a photo of a restricted owner");

    size_t len = 0;
    char etag[80];
    T_EQ_INT(get(ctx, a, "display", NULL, NULL, &len, etag), 200, "attached and public: 200");
    T_OK(len > 100 && strlen(etag) == 66, "the JPEG with its ETag %s", etag);
    T_EQ_INT(get(ctx, a, "display", NULL, etag, &len, NULL), 304, "If-None-Match: 304");
    T_EQ_INT((long long)len, 0, "with no body");
    T_EQ_INT(get(ctx, a, "thumb", NULL, NULL, &len, NULL), 200, "the thumbnail");
    T_EQ_INT(get(ctx, a, "original", NULL, NULL, NULL, NULL), 404, "no other size");
    T_EQ_INT(get(ctx, a, NULL, NULL, NULL, NULL, NULL), 200, "its data");
    T_EQ_INT(get(ctx, "not-an-id", "display", NULL, NULL, NULL, NULL), 404, "a malformed id: 404");
    T_EQ_INT(get(ctx, c, "display", NULL, NULL, NULL, NULL), 404,
             "a restricted owner's photo: 404 to the public");
    vk_staff staff = {.role = 1, .user_id = 1};
    T_EQ_INT(get(ctx, c, "display", &staff, NULL, NULL, NULL), 200, "and 200 to staff");
    owner_public = 0;
    T_EQ_INT(get(ctx, a, "display", NULL, NULL, NULL, NULL), 404,
             "the owner hidden: its photos too");
    owner_public = 1;

    vk_buf out;
    vk_buf_init(&out, 1 << 16);
    T_EQ_INT(photo_json(ctx, "walk_finding", "17", "https://palaute.example.fi/", &out, &ei), VK_OK,
             "the owner's photos as JSON");
    json_t *arr = json_loads(out.data ? out.data : "", 0, NULL);
    T_EQ_INT(json_array_size(arr), 2, "two photos");
    const char *url = json_string_value(json_object_get(json_array_get(arr, 0), "url"));
    char want[160];
    snprintf(want, sizeof want, "https://palaute.example.fi/api/v1/photos/%s/display", a);
    T_EQ_STR(url, want, "an absolute URL, oldest first");
    json_decref(arr);

    T_EQ_INT(photo_set_hidden(ctx, b, 1, &ei), VK_OK, "one hidden by a moderator");
    T_EQ_INT(get(ctx, b, "display", NULL, NULL, NULL, NULL), 404, "a hidden photo: 404");
    vk_buf_reset(&out);
    photo_json(ctx, "walk_finding", "17", NULL, &out, &ei);
    arr = json_loads(out.data ? out.data : "", 0, NULL);
    T_EQ_INT(json_array_size(arr), 1, "left out of the owner's JSON");
    url = json_string_value(json_object_get(json_array_get(arr, 0), "thumb"));
    snprintf(want, sizeof want, "/api/v1/photos/%s/thumb", a);
    T_EQ_STR(url, want, "a rooted URL without a public one");
    json_decref(arr);
    vk_buf_fini(&out);

    int problems = 0;
    T_EQ_INT(photo_check_all(ctx->store, report_line, NULL, &problems, &ei), VK_OK, "check runs");
    T_EQ_INT(problems, 0, "every photo in order");
    db_run(ctx->store, &test_sql, Q_DAMAGE, DB_ARGS(DB_TEXT(b)), "damage", &ei);
    T_EQ_INT(photo_check_all(ctx->store, report_line, NULL, &problems, &ei), VK_OK, "check again");
    T_EQ_INT(problems, 1, "the damaged thumbnail found");

    char d[33];
    T_EQ_INT(upload(ctx, jpeg, n, NULL, d), 201, "a photo never attached");
    db_run(ctx->store, &test_sql, Q_AGE, DB_ARGS(DB_TEXT(d)), "age", &ei);
    db_run(ctx->store, &test_sql, Q_AGE, DB_ARGS(DB_TEXT(a)), "age", &ei);
    photo_purge_hook.run(ctx, photo_purge_hook.arg);
    T_EQ_INT(photos(ctx), 3, "the old pending one purged, old attached ones kept");
    T_EQ_INT(photo_attach(ctx, d, "walk_finding", "17", now, &ei), VK_EPHOTO,
             "a purged photo cannot be attached");
    T_EQ_INT(photo_delete_owner(ctx, "walk_finding", "17", &ei), VK_OK, "the owner deleted");
    T_EQ_INT(photos(ctx), 1, "with its photos");
    free(jpeg);
}

int main(void)
{
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    if (photo_lib_init("test_photo", &ei)) {
        printf("Bail out! %s\n", ei.message);
        return 1;
    }
    test_sniff();
    test_clean();
    test_sizes();
    test_types();
    test_hostile();
    vk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = t_path("photo.sqlite");
    store_conn *store = NULL;
    vk_ctx *ctx = NULL;
    if (store_open(&store, cfg.db_path, &ei) || vk_ctx_new(&ctx, &cfg, store, &ei)) {
        printf("Bail out! cannot set up: %s\n", ei.message);
        return 1;
    }
    test_store(ctx);
    vk_ctx_free(ctx);
    t_cleanup();
    return t_done();
}
