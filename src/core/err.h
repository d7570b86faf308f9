/*
 * err.h — the one list of errors Vaikuta can report.
 *
 * A single X-macro (after libuv's UV_ERRNO_MAP) generates the enum, the
 * stable machine code a client sees in {"error":{"code":...}}, the HTTP
 * status and a default sentence. Functions return a vk_err; the detail
 * (which field, what exactly) travels beside it in a vk_errinfo owned by
 * the caller (SQLite's errmsg-beside-the-handle habit).
 */
#ifndef VK_ERR_H
#define VK_ERR_H

#include <stddef.h>

/*        enum               code                      http  default message */
#define VK_ERROR_LIST(X)                                                                       \
    X(VK_OK,                 "ok",                     200, "No error.")                       \
    X(VK_ENOMEM,             "out_of_memory",          503, "The server is out of memory; try again later.") \
    X(VK_EINTERNAL,          "internal_error",         500, "An internal error occurred.")     \
    X(VK_EDB,                "database_error",         503, "The database could not answer; try again later.") \
    X(VK_EBUSY,              "busy",                   503, "The service is busy; try again shortly.") \
    X(VK_EQUERY_TIMEOUT,     "query_timeout",          503, "The query took too long; narrow the filter, bbox or limit.") \
    X(VK_EIO,                "io_error",               500, "A file could not be read or written.") \
    X(VK_ESCHEMA_NEWER,      "schema_too_new",         500, "The database was written by a newer Vaikuta.") \
    X(VK_ENOT_IMPLEMENTED,   "not_implemented",        501, "This is not implemented yet.")    \
    X(VK_EJSON,              "invalid_json",           400, "The body is not valid JSON.")     \
    X(VK_EUTF8,              "invalid_utf8",           400, "Text must be valid UTF-8.")       \
    X(VK_ETYPE,              "wrong_type",             400, "A field has the wrong type.")     \
    X(VK_EMISSING,           "missing_field",          400, "A required field is missing.")    \
    X(VK_EUNKNOWN_FIELD,     "unknown_field",          400, "A field is not accepted here.")   \
    X(VK_EVALUE,             "invalid_value",          400, "A field has an invalid value.")   \
    X(VK_ETOO_LONG,          "too_long",               400, "A text is too long.")             \
    X(VK_EPARAM,             "invalid_parameter",      400, "A query parameter has an invalid value.") \
    X(VK_EUNKNOWN_PARAM,     "unknown_parameter",      400, "A query parameter is not known here.") \
    X(VK_EGEOM_TYPE,         "unsupported_geometry",   400, "The geometry type is not supported.") \
    X(VK_EGEOM_COORD,        "invalid_coordinates",    400, "The coordinates are not valid longitude/latitude.") \
    X(VK_EVERTICES,          "too_many_vertices",      400, "The geometry has too many vertices.") \
    X(VK_EPARTS,             "too_many_parts",         400, "The geometry has too many rings or parts.") \
    X(VK_EGEOM_INVALID,      "invalid_geometry",       422, "The geometry is not valid.")      \
    X(VK_EOUTSIDE,           "outside_area",           422, "The place is outside the municipality.") \
    X(VK_EBODY_TOO_LARGE,    "body_too_large",         413, "The request body is too large.")  \
    X(VK_EMEDIA_TYPE,        "unsupported_media_type", 415, "The body must be JSON.")          \
    X(VK_EUNAUTHORIZED,      "unauthorized",           401, "Sign in as staff to do this.")    \
    X(VK_EFORBIDDEN,         "forbidden",              403, "Your role may not do this.")      \
    X(VK_ECSRF,              "csrf",                   403, "The X-CSRF-Token header is missing or wrong.") \
    X(VK_ECROSS_SITE,        "cross_site",             403, "Writes from another site's pages are refused.") \
    X(VK_EOWN_ACCOUNT,       "own_account",            409, "Admins cannot disable or demote their own account.") \
    X(VK_ELAST_ADMIN,        "last_admin",             409, "At least one enabled admin must remain.") \
    X(VK_ELOGIN_THROTTLED,   "too_many_logins",        429, "Too many failed sign-ins; wait and try again.") \
    X(VK_EIDEM_REUSED,       "idempotency_key_reused", 422, "This Idempotency-Key was used for another request.") \
    X(VK_EHEADER,            "invalid_header",         400, "A request header is invalid.")   \
    X(VK_EHEADERS_TOO_LARGE, "headers_too_large",      431, "The request headers are too large.") \
    X(VK_EURI_TOO_LONG,      "uri_too_long",           414, "The address or its query is too long.") \
    X(VK_ETOO_DEEP,          "too_deeply_nested",      400, "The JSON is nested too deeply.")  \
    X(VK_ERATE,              "rate_limited",           429, "Too many reports from here; wait a moment.") \
    X(VK_ENOT_FOUND,         "not_found",              404, "Nothing was found here.")         \
    X(VK_EMETHOD,            "method_not_allowed",     405, "This method is not allowed here.") \
    X(VK_EPRECONDITION,      "precondition_failed",    412, "The item changed since it was read; read it again.") \
    X(VK_EPRECONDITION_REQUIRED, "precondition_required", 428, "Send If-Match with the item's ETag.") \
    X(VK_ETRANSITION,        "invalid_transition",     409, "The item cannot move to that status from its status now.") \
    X(VK_EANSWER,            "invalid_answer",         422, "An answer does not fit its question.") \
    X(VK_ESURVEY_ORPHANS,    "survey_change_orphans",  409, "The change would orphan answers already given.") \
    X(VK_ECONFLICT,          "conflict",               409, "This name is taken.")             \
    X(VK_ERESPONSE_CONFLICT, "response_conflict",      409, "Another response was already sent under this id.") \
    X(VK_ESURVEY_CLOSED,     "survey_closed",          409, "The survey is not taking answers now.") \
    X(VK_EPHASE_CLOSED,      "phase_closed",           409, "The budgeting round is not in the phase that allows this.") \
    X(VK_EROUND_LOCKED,      "round_locked",           409, "Voting has opened: the rule, method, areas and budget are fixed.") \
    X(VK_ECODE_USED,         "code_used",              409, "This voting code has already been used.") \
    X(VK_ECODE_INVALID,      "code_invalid",           422, "There is no such voting code in this round.") \
    X(VK_EBALLOT_EXISTS,     "ballot_exists",          409, "This browser has already voted; change the ballot through its link.") \
    X(VK_EVOTER_KIND,        "voter_kind",             422, "This round does not take this kind of voter.") \
    X(VK_ETOO_YOUNG,         "too_young",              422, "The round has a minimum age for voting.") \
    X(VK_EBALLOT_INVALID,    "ballot_invalid",         422, "The ballot breaks the round's voting rule.") \
    X(VK_ESAME_PERSON,       "same_person",            409, "A second staff account must confirm a paper ballot.") \
    X(VK_EWALK_CODE,         "invalid_walk_code",      403, "The walk code is not right.")    \
    X(VK_EWALK_CLOSED,       "walk_closed",            409, "The walk is no longer recording findings.") \
    X(VK_EWALK_FULL,         "walk_full",              409, "The walk has as many findings as it may hold.") \
    X(VK_EFINDING_CONFLICT,  "finding_conflict",       409, "Another finding was already sent under this id.") \
    X(VK_EIMAGE,             "invalid_image",          422, "The image is broken and cannot be read.") \
    X(VK_EIMAGE_TOO_LARGE,   "image_too_large",        413, "The image has too many pixels.") \
    X(VK_EPHOTO,             "invalid_photo",          422, "No such photo: upload it again.") \
    X(VK_EPHOTO_TAKEN,       "photo_taken",            409, "The photo belongs to something else.")

typedef enum {
#define VK_ERR_ENUM(e, code, status, msg) e,
    VK_ERROR_LIST(VK_ERR_ENUM)
#undef VK_ERR_ENUM
    VK_ERR__COUNT
} vk_err;

/* Stable machine code, e.g. "invalid_geometry". Static string. */
const char *vk_err_code(vk_err e);
/* HTTP status for the error. */
int vk_err_status(vk_err e);
/* Default human sentence. Static string. */
const char *vk_err_message(vk_err e);

/* The detail of the last error, owned by the caller (usually the worker
 * context). field is a JSON-pointer-like path ("properties.description",
 * "geometry", "bbox") or empty. */
typedef struct vk_errinfo {
    vk_err code;
    char field[96];
    char message[512];
} vk_errinfo;

void vk_errinfo_clear(vk_errinfo *ei);

/* Record an error and return its code, so callers can write
 *   return vk_fail(ei, VK_EVALUE, "properties.category", "unknown category '%s'", c);
 * fmt may be NULL to use the default message. ei may be NULL. */
vk_err vk_fail(vk_errinfo *ei, vk_err code, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
