/* log.c — one write(2) per line so lines from workers never interleave. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "core/clock.h"

static void emit(const char *line, int n)
{
    if (n <= 0)
        return;
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}

void vk_log(const char *fmt, ...)
{
    char t[VK_RFC3339_LEN], line[1024];
    vk_now_rfc3339_ms(t);
    int n = snprintf(line, sizeof line, "%s ", t);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    n += m;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    emit(line, n);
}

void vk_log_request(const char *method, const char *path, int status, int64_t micros)
{
    /* The path is the raw request path; control bytes are replaced so a
     * hostile path cannot forge log lines. */
    char safe[512];
    size_t i = 0;
    for (; path && path[i] && i < sizeof safe - 1; i++) {
        unsigned char c = (unsigned char)path[i];
        safe[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    safe[i] = '\0';
    vk_log("%s %s %d %lldus", method, safe, status, (long long)micros);
}
