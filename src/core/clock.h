/*
 * clock.h — wall-clock times as RFC 3339 UTC text, and a monotonic clock
 * for measuring durations.
 */
#ifndef VK_CLOCK_H
#define VK_CLOCK_H

#include <stdint.h>

#define VK_RFC3339_LEN 32

/* Unix seconds t as "2026-11-23T08:15:00Z" into out (at least
 * VK_RFC3339_LEN): the one RFC 3339 formatter. */
void vk_rfc3339_of(int64_t t, char *out);
/* Now as "2026-11-23T08:15:00Z" into out (at least VK_RFC3339_LEN). */
void vk_now_rfc3339(char *out);
/* Now with milliseconds, "2026-11-23T08:15:00.123Z", for logs. */
void vk_now_rfc3339_ms(char *out);
/* Now less days (whole days of 86400 s), as vk_rfc3339_of writes it. */
void vk_rfc3339_days_ago(int64_t days, char *out);
/* Unix seconds of a UTC stamp as vk_rfc3339_of writes it
 * ("YYYY-MM-DDTHH:MM:SS…", anything after the seconds ignored), -1 if bad.
 * For stored text; input from outside goes through vk_rfc3339_normalise. */
int64_t vk_rfc3339_seconds(const char *s);

#define VK_HTTP_DATE_LEN 40

/* t as an HTTP date, "Sun, 06 Nov 1994 08:49:37 GMT", into out (at least
 * VK_HTTP_DATE_LEN). */
void vk_http_date(int64_t t, char *out);
/* Unix seconds of an HTTP date in that form into *out; -1 if it is not one. */
int vk_http_date_parse(const char *s, int64_t *out);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t vk_days_from_civil(int64_t y, int m, int d);
void vk_civil_from_days(int64_t days, int *y, int *m, int *d);

/* Microseconds from an arbitrary fixed point; only differences matter. */
int64_t vk_monotonic_us(void);
/* Parse an RFC 3339 date-time (offset Z or ±hh:mm, optional fraction) and
 * write it normalised to UTC seconds into out. Returns 0 on success. */
int vk_rfc3339_normalise(const char *in, char *out);

#endif
