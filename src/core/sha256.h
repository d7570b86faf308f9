/*
 * sha256.h — SHA-256 (FIPS 180-4), for fingerprinting requests so that an
 * Idempotency-Key can tell "the same request again" from "another request
 * under the same key". Caller-owned context: init, update…, final.
 */
#ifndef VK_SHA256_H
#define VK_SHA256_H

#include <sodium.h>
#include <stddef.h>

typedef crypto_hash_sha256_state vk_sha256;

void vk_sha256_init(vk_sha256 *s);
void vk_sha256_update(vk_sha256 *s, const void *data, size_t n);
void vk_sha256_final(vk_sha256 *s, unsigned char out[32]);
/* 64 lowercase hex digits and a NUL. */
void vk_sha256_hex(const unsigned char digest[32], char out[65]);
/* The hex SHA-256 of n bytes at data, in one call (tokens, bodies). */
void vk_sha256_hex_of(const void *data, size_t n, char out[65]);

#endif
