/* sha256.c — SHA-256 through libsodium, and its hex form. */
#include "core/sha256.h"

void vk_sha256_init(vk_sha256 *s) { crypto_hash_sha256_init(s); }

void vk_sha256_update(vk_sha256 *s, const void *data, size_t n)
{
    crypto_hash_sha256_update(s, data, n);
}

void vk_sha256_final(vk_sha256 *s, unsigned char out[32]) { crypto_hash_sha256_final(s, out); }

void vk_sha256_hex(const unsigned char digest[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

void vk_sha256_hex_of(const void *data, size_t n, char out[65])
{
    vk_sha256 s;
    unsigned char d[32];
    vk_sha256_init(&s);
    vk_sha256_update(&s, data, n);
    vk_sha256_final(&s, d);
    vk_sha256_hex(d, out);
}
