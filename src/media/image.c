/*
 * image.c — an untrusted upload turned into two clean JPEGs with libvips
 * (see photo.h photo_process and docs/photos.md).
 *
 * The order matters: the type comes from the magic bytes, the loader is
 * the one for that type (never libvips' guess, so a PNG cannot reach a
 * loader we did not choose), and the declared size is read from the header
 * before a pixel is decoded. Only then does vips_thumbnail decode, with
 * shrink-on-load where the format has it (JPEG, WebP), autorotating from
 * the EXIF orientation; the result is made 8-bit sRGB with no alpha and
 * saved with every metadata block stripped.
 */
#include "media/sql.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "core/sha256.h"

/* Formats whose decoders hold the whole image in memory (interlaced PNG,
 * progressive JPEG's coefficients, HEIF) get a lower pixel cap, so that a
 * decode stays within tens of megabytes. */
#define WHOLE_IMAGE_MAX_PIXELS 24000000LL

static int lib_ready, lib_heif;

/* libvips warns on stderr for every broken upload ("error in tile"); the
 * error itself is answered to the client, so the log stays quiet. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer arg)
{
    (void)domain, (void)level, (void)message, (void)arg;
}

vk_err photo_lib_init(const char *argv0, vk_errinfo *ei)
{
    if (lib_ready)
        return VK_OK;
    if (VIPS_INIT(argv0 ? argv0 : "vaikuta"))
        return vk_fail(ei, VK_EINTERNAL, "", "libvips could not start: %s", vips_error_buffer());
    /* Untrusted loaders (ImageMagick, PDF, SVG, matrix, …) off, then every
     * loader off but the four we take. */
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, quiet, NULL);
    vips_block_untrusted_set(TRUE);
    vips_operation_block_set("VipsForeignLoad", TRUE);
    vips_operation_block_set("VipsForeignLoadJpeg", FALSE);
    vips_operation_block_set("VipsForeignLoadPng", FALSE);
    vips_operation_block_set("VipsForeignLoadWebp", FALSE);
    lib_heif = vips_type_find("VipsOperation", "heifload_buffer") != 0;
    if (lib_heif)
        vips_operation_block_set("VipsForeignLoadHeif", FALSE);
    /* One thread per decode (the server bounds how many decode at once),
     * and nothing kept between requests. */
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    lib_ready = 1;
    return VK_OK;
}

int photo_lib_heif(void) { return lib_heif; }

const char *photo_sniff(const void *bytes, size_t len)
{
    const unsigned char *b = bytes;
    if (!b)
        return NULL;
    if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        return "jpeg";
    if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "png";
    if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
        return "webp";
    if (len >= 12 && memcmp(b + 4, "ftyp", 4) == 0) {
        static const char brands[][5] = {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1",
                                         "msf1"};
        for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
            if (memcmp(b + 8, brands[i], 4) == 0)
                return "heif";
    }
    return NULL;
}

void photo_image_fini(photo_image *img)
{
    if (!img)
        return;
    g_free(img->display);
    g_free(img->thumb);
    memset(img, 0, sizeof *img);
}

/* The decoder's complaint, first line only, into a 422 for field body. */
static vk_err image_fail(vk_errinfo *ei, const char *what)
{
    char *all = vips_error_buffer_copy(); /* and clears it */
    const char *msg = all ? all : "";
    size_t n = strcspn(msg, "\n");
    vk_err e = vk_fail(ei, VK_EIMAGE, "body", "%s: %.*s", what, (int)(n > 200 ? 200 : n), msg);
    g_free(all);
    return e;
}

/* The lazy image of bytes through the loader for type: header only, no
 * pixel decoded yet. */
static int open_header(const void *bytes, size_t len, const char *type, VipsImage **out)
{
    void *b = (void *)bytes; /* libvips takes void *, never writes */
    if (strcmp(type, "jpeg") == 0)
        return vips_jpegload_buffer(b, len, out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                    VIPS_FAIL_ON_ERROR, NULL);
    if (strcmp(type, "png") == 0)
        return vips_pngload_buffer(b, len, out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                   VIPS_FAIL_ON_ERROR, NULL);
    if (strcmp(type, "webp") == 0)
        return vips_webpload_buffer(b, len, out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                    VIPS_FAIL_ON_ERROR, NULL);
    return vips_heifload_buffer(b, len, out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                VIPS_FAIL_ON_ERROR, NULL);
}

/* Whether this file's decoder must hold the whole image (see above). */
static int decodes_whole(VipsImage *hdr, const char *type)
{
    int interlaced = 0;
    if (vips_image_get_typeof(hdr, "interlaced"))
        vips_image_get_int(hdr, "interlaced", &interlaced);
    return interlaced || strcmp(type, "heif") == 0;
}

static vk_err check_header(const void *bytes, size_t len, const char *type, photo_image *out,
                           vk_errinfo *ei)
{
    VipsImage *hdr = NULL;
    if (open_header(bytes, len, type, &hdr))
        return image_fail(ei, "the image's header cannot be read");
    long long w = vips_image_get_width(hdr), h = vips_image_get_height(hdr);
    long long cap = decodes_whole(hdr, type) ? WHOLE_IMAGE_MAX_PIXELS : PHOTO_MAX_PIXELS;
    g_object_unref(hdr);
    out->source_w = (int)w;
    out->source_h = (int)h;
    if (w < 1 || h < 1)
        return vk_fail(ei, VK_EIMAGE, "body", "the image has no pixels");
    if (w > PHOTO_MAX_SIDE || h > PHOTO_MAX_SIDE || w * h > cap)
        return vk_fail(ei, VK_EIMAGE_TOO_LARGE, "body",
                       "the image is %lld × %lld pixels; at most %lld megapixels (%d px a side) "
                       "are accepted",
                       w, h, cap / 1000000, PHOTO_MAX_SIDE);
    return VK_OK;
}

/* in made 8-bit sRGB (or grey) without alpha, in memory: every pixel of
 * the upload is decoded here, so a broken file fails here. Takes in. */
static VipsImage *to_plain_memory(VipsImage *in)
{
    VipsImage *t = in, *next = NULL;
    if (vips_image_hasalpha(t)) {
        double white[] = {255.0};
        VipsArrayDouble *bg = vips_array_double_new(white, 1);
        int wide = t->Type == VIPS_INTERPRETATION_RGB16 || t->Type == VIPS_INTERPRETATION_GREY16;
        int rc = vips_flatten(t, &next, "background", bg, "max_alpha", wide ? 65535.0 : 255.0,
                              NULL);
        vips_area_unref(VIPS_AREA(bg));
        g_object_unref(t);
        if (rc)
            return NULL;
        t = next;
    }
    VipsInterpretation want = t->Bands < 3 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
    if (vips_colourspace(t, &next, want, NULL)) {
        g_object_unref(t);
        return NULL;
    }
    g_object_unref(t);
    t = next;
    if (t->BandFmt != VIPS_FORMAT_UCHAR) {
        if (vips_cast_uchar(t, &next, NULL)) {
            g_object_unref(t);
            return NULL;
        }
        g_object_unref(t);
        t = next;
    }
    VipsImage *mem = vips_image_copy_memory(t);
    g_object_unref(t);
    return mem;
}

/* A JPEG of img with no metadata at all: strip drops EXIF, XMP, IPTC, the
 * ICC profile and comments (libvips 8.14; "keep=none" from 8.15). */
static int save_jpeg(VipsImage *img, int quality, unsigned char **buf, size_t *len)
{
    void *p = NULL;
    if (vips_jpegsave_buffer(img, &p, len, "Q", quality, "strip", TRUE,
                             "interlace", FALSE, NULL))
        return -1;
    *buf = p;
    return 0;
}

vk_err photo_process(const void *bytes, size_t len, photo_image *out, vk_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    if (!lib_ready && photo_lib_init(NULL, ei))
        return ei->code;
    if (len > PHOTO_MAX_BYTES)
        return vk_fail(ei, VK_EBODY_TOO_LARGE, "body", "the photo is larger than %u bytes",
                       PHOTO_MAX_BYTES);
    const char *type = photo_sniff(bytes, len);
    if (type && strcmp(type, "heif") == 0 && !lib_heif)
        type = NULL;
    if (!type)
        return vk_fail(ei, VK_EMEDIA_TYPE, "body",
                       len ? "the body is not a JPEG, PNG or WebP%s image"
                           : "the body is empty: send the image's bytes%s",
                       lib_heif ? " (or HEIC)" : "");
    snprintf(out->source_type, sizeof out->source_type, "%s", type);
    vk_err e = check_header(bytes, len, type, out, ei);
    if (e) {
        photo_image_fini(out);
        return e;
    }
    /* The display size: decoded (shrink-on-load), upright, ≤ the side. */
    VipsImage *disp = NULL, *thumb = NULL;
    char opts[] = "fail_on=error";
    if (vips_thumbnail_buffer((void *)bytes, len, &disp, PHOTO_DISPLAY_SIDE, "height",
                              PHOTO_DISPLAY_SIDE, "size", VIPS_SIZE_DOWN, "option_string", opts,
                              NULL) ||
        !(disp = to_plain_memory(disp))) {
        e = image_fail(ei, "the image cannot be decoded");
        photo_image_fini(out);
        return e;
    }
    /* The thumbnail from the display size (already upright: no rotation). */
    int ok = save_jpeg(disp, 82, &out->display, &out->display_len) == 0 &&
             vips_thumbnail_image(disp, &thumb, PHOTO_THUMB_SIDE, "height", PHOTO_THUMB_SIDE,
                                  "size", VIPS_SIZE_DOWN, "no_rotate", TRUE, NULL) == 0 &&
             save_jpeg(thumb, 75, &out->thumb, &out->thumb_len) == 0;
    if (ok) {
        out->display_w = vips_image_get_width(disp);
        out->display_h = vips_image_get_height(disp);
        out->thumb_w = vips_image_get_width(thumb);
        out->thumb_h = vips_image_get_height(thumb);
    }
    g_object_unref(disp);
    if (thumb)
        g_object_unref(thumb);
    if (!ok) {
        e = image_fail(ei, "the image cannot be saved");
        photo_image_fini(out);
        return e;
    }
    vk_sha256_hex_of(out->display, out->display_len, out->display_sha256);
    vk_sha256_hex_of(out->thumb, out->thumb_len, out->thumb_sha256);
    return VK_OK;
}

vk_err photo_jpeg_verify(const void *bytes, size_t len, int *w, int *h, vk_errinfo *ei)
{
    VipsImage *img = NULL;
    if (!photo_sniff(bytes, len) || strcmp(photo_sniff(bytes, len), "jpeg") != 0)
        return vk_fail(ei, VK_EIMAGE, "", "not a JPEG");
    if (open_header(bytes, len, "jpeg", &img))
        return image_fail(ei, "the JPEG's header cannot be read");
    *w = vips_image_get_width(img);
    *h = vips_image_get_height(img);
    double avg;
    int rc = vips_avg(img, &avg, NULL); /* decodes every pixel */
    g_object_unref(img);
    return rc ? image_fail(ei, "the JPEG cannot be decoded") : VK_OK;
}

void photo_thread_done(void) { vips_thread_shutdown(); }
