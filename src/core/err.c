/* err.c — tables generated from VK_ERROR_LIST, and the detail recorder. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

static const struct {
    const char *code;
    int status;
    const char *message;
} err_table[] = {
#define VK_ERR_ROW(e, code, status, msg) {code, status, msg},
    VK_ERROR_LIST(VK_ERR_ROW)
#undef VK_ERR_ROW
};

const char *vk_err_code(vk_err e)
{
    return (unsigned)e < VK_ERR__COUNT ? err_table[e].code : "internal_error";
}

int vk_err_status(vk_err e)
{
    return (unsigned)e < VK_ERR__COUNT ? err_table[e].status : 500;
}

const char *vk_err_message(vk_err e)
{
    return (unsigned)e < VK_ERR__COUNT ? err_table[e].message : "An internal error occurred.";
}

void vk_errinfo_clear(vk_errinfo *ei)
{
    ei->code = VK_OK;
    ei->field[0] = '\0';
    ei->message[0] = '\0';
}

vk_err vk_fail(vk_errinfo *ei, vk_err code, const char *field, const char *fmt, ...)
{
    if (!ei)
        return code;
    ei->code = code;
    snprintf(ei->field, sizeof ei->field, "%s", field ? field : "");
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ei->message, sizeof ei->message, fmt, ap);
        va_end(ap);
    } else {
        snprintf(ei->message, sizeof ei->message, "%s", vk_err_message(code));
    }
    /* Both are sent as JSON text: a request's bytes cut to fit (here or
     * by a caller's precision) must not leave half a character. */
    vk_utf8_repair(ei->field);
    vk_utf8_repair(ei->message);
    return code;
}
