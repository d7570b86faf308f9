/*
 * fuzz_photo.c — libFuzzer target for the photo decoder entry
 * (media/image.c photo_process): any bytes are either refused with a 4xx
 * error and nothing left allocated, or turned into two JPEGs that are no
 * larger than the promised sizes, carry the SHA-256 they claim and decode
 * again as JPEGs of the size they claim. Seeds: tiny images of every type
 * (tests/fuzz/photo/, from tests/fixtures/photos/make.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "media/photo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    vk_errinfo ei;
    if (!ready) {
        if (photo_lib_init("fuzz_photo", &ei))
            abort();
        ready = 1;
    }
    photo_image img;
    vk_errinfo_clear(&ei);
    vk_err e = photo_process(data, size, &img, &ei);
    if (e != VK_OK) {
        if (vk_err_status(e) < 400 || vk_err_status(e) >= 500 || img.display || img.thumb)
            abort();
        return 0;
    }
    if (img.display_w < 1 || img.display_w > PHOTO_DISPLAY_SIDE || img.display_h < 1 ||
        img.display_h > PHOTO_DISPLAY_SIDE || img.thumb_w > PHOTO_THUMB_SIDE ||
        img.thumb_h > PHOTO_THUMB_SIDE)
        abort();
    char hex[65];
    vk_sha256_hex_of(img.display, img.display_len, hex);
    if (strcmp(hex, img.display_sha256) != 0)
        abort();
    photo_image again;
    if (photo_process(img.display, img.display_len, &again, &ei) != VK_OK ||
        again.display_w != img.display_w || again.display_h != img.display_h)
        abort();
    photo_image_fini(&again);
    photo_image_fini(&img);
    return 0;
}
