/*
 * log.h — log lines on stderr, one per event, prefixed with the UTC time.
 * The request log line is: time method path status microseconds.
 */
#ifndef VK_LOG_H
#define VK_LOG_H

#include <stdint.h>

void vk_log(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

void vk_log_request(const char *method, const char *path, int status, int64_t micros);

#endif
