/*
 * clock.h — wall-clock times as RFC 3339 UTC text, and a monotonic clock
 * for measuring durations.
 */
#ifndef VK_CLOCK_H
#define VK_CLOCK_H

#include <stdint.h>

#define VK_RFC3339_LEN 32

/* Now as "2026-11-23T08:15:00Z" into out (at least VK_RFC3339_LEN). */
void vk_now_rfc3339(char *out);
/* Now with milliseconds, "2026-11-23T08:15:00.123Z", for logs. */
void vk_now_rfc3339_ms(char *out);
/* Microseconds from an arbitrary fixed point; only differences matter. */
int64_t vk_monotonic_us(void);
/* Parse an RFC 3339 date-time (offset Z or ±hh:mm, optional fraction) and
 * write it normalised to UTC seconds into out. Returns 0 on success. */
int vk_rfc3339_normalise(const char *in, char *out);

#endif
