/*
 * types.h — the table of survey element types (docs/survey.schema.json).
 *
 * One row per type, after Redis's command table: its name, what it is
 * (a map question, a question at all, one a follow-up may be, what a
 * branching condition may ask of it), the members it accepts, a check of
 * its definition and a check of one answer to it. Surveys (src/survey/)
 * walk their pages and call the row of each element; nothing else in the
 * survey code switches on a type name.
 *
 * Map types (map-point, map-line, map-area) and geobudget check drawn
 * features: GeoJSON geometry of the right type and valid (src/gis/), inside
 * the municipality, inside or outside the survey area, or a district, one
 * of the survey's places or a description in words instead of a geometry;
 * min/max feature counts and each feature's follow-up answers. A checked
 * feature becomes one qt_feature row, ready for storage.
 *
 * Paths: every refusal names its place as a JSON path in ei->field, e.g.
 * "pages[1].elements[3].choices[2].key" or "answers.spots[2].geometry".
 */
#ifndef VK_QUESTIONS_TYPES_H
#define VK_QUESTIONS_TYPES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "gis/gis.h"

/* Caps from the schema. */
#define QT_TEXT_MAX 300       /* a short text (title, label, choice) */
#define QT_LONG_TEXT_MAX 5000 /* intro, help, info */
#define QT_OTHER_MAX 200      /* "other, what?" */
#define QT_WORDS_MAX 500      /* a place described in words */
#define QT_PATH_MAX 160       /* longest JSON path we build (ei->field keeps 95) */

/* What a type is. */
enum {
    QT_QUESTION = 1 << 0, /* takes an answer (not info, not section) */
    QT_MAP = 1 << 1,      /* answered by drawn features */
    QT_FOLLOWUP = 1 << 2, /* may be asked for each drawn feature */
    QT_CHOSEN = 1 << 3,   /* conditions: chosen / not_chosen a key */
    QT_NUMERIC = 1 << 4,  /* conditions: eq ne lt le gt ge a number */
    QT_COUNTED = 1 << 5,  /* conditions: drawn_at_least N */
};

/* Where a drawn feature is. */
typedef enum { QT_AT_GEOMETRY, QT_AT_DISTRICT, QT_AT_PLACE, QT_AT_WORDS } qt_where;

/* One drawn feature (or one placed geobudget item), checked. Strings are
 * borrowed from the definition (question, item) or from the response
 * (district, place, description): both must outlive the row. */
typedef struct qt_feature {
    const char *question; /* the map or geobudget question's key */
    size_t index;         /* position in the answer's array */
    qt_where where;
    unsigned char *wkb;   /* QT_AT_GEOMETRY: ISO WKB, EPSG:4326; owned (free()) */
    size_t wkb_len;
    const char *geom_type; /* "Point", "LineString", "Polygon" or NULL */
    int64_t district_id;   /* the district the geometry falls in, or the named one; 0 none */
    const char *district;  /* QT_AT_DISTRICT: the code */
    const char *place;     /* QT_AT_PLACE: the survey place's key */
    const char *description; /* QT_AT_WORDS */
    const char *item;      /* geobudget: the budget item's key; else NULL */
    json_t *answers;       /* follow-up answers {key: value}; owned reference or NULL */
} qt_feature;

/* A growing list of features; fini frees the rows' WKB and answers. */
typedef struct qt_features {
    qt_feature *v;
    size_t n, cap;
} qt_features;
void qt_features_init(qt_features *f);
void qt_features_fini(qt_features *f);

/* The answer a condition asks about: *elem is the element's definition;
 * returns its value, or NULL when it was not answered (hidden, skipped
 * questions give "skip"). Both borrowed. */
typedef const json_t *(*qt_lookup_fn)(void *ud, const char *key, const json_t **elem);

/* What a definition check may need besides the element. */
typedef struct qt_defenv {
    const json_t *places; /* the survey's places (array) or NULL; borrowed */
} qt_defenv;

/* What an answer check needs. All borrowed for the call. */
typedef struct qt_env {
    gis_ctx *gis;          /* the municipality: boundary and districts */
    gis_ctx *area;         /* the survey area as boundary and as district 1, or NULL */
    int area_outside;      /* drawn answers must lie outside the area */
    const json_t *places;  /* the survey's places (array) or NULL */
    /* The id (> 0) of the district with this code, 0 when there is none. */
    int64_t (*district_id)(void *ud, const char *code);
    void *district_ud;
    /* Answers to earlier questions outside a map question, for the
     * conditions of its follow-ups. */
    qt_lookup_fn outer;
    void *outer_ud;
    qt_features *features; /* drawn features go here (required) */
} qt_env;

typedef struct qt_type qt_type;
struct qt_type {
    const char *name;
    unsigned flags;
    const char *geom;                 /* map types: the GeoJSON type drawn */
    const char *const *members;       /* accepted members, NULL-terminated */
    /* Check the element's own definition (members and common parts are
     * checked before). path is the element's path. */
    vk_err (*check_def)(const qt_type *t, const json_t *el, const char *path,
                        const qt_defenv *env, vk_errinfo *ei);
    /* Check one answer (present, not "skip"). path names it
     * ("answers.KEY"). Map types append to env->features. */
    vk_err (*check_answer)(const qt_type *t, const json_t *el, const json_t *value,
                           const char *path, qt_env *env, vk_errinfo *ei);
};

/* ---- the table ---- */

/* The row for a type name, NULL when there is none. Static. */
const qt_type *qt_type_find(const char *name);
/* The row of an element ({"type": …}); NULL when its type is unknown. */
const qt_type *qt_type_of(const json_t *el);

/* Check an element: an object, a known type (a follow-up's only when
 * followup), only its members, key, texts, flags, then the type's own
 * check. Conditions (show_if) are checked for form by the caller, who
 * knows the earlier questions. */
vk_err qt_check_element(const json_t *el, const char *path, int followup, const qt_defenv *env,
                        vk_errinfo *ei);

/* Check one answer to el: "skip" where allowed, else the type's check.
 * *skipped tells which. */
vk_err qt_check_answer(const json_t *el, const json_t *value, const char *path, qt_env *env,
                       int *skipped, vk_errinfo *ei);

/* Is an answer empty (null, "", [] or {}): counted as not given. */
int qt_answer_empty(const json_t *value);

/* ---- pieces the survey definition shares ---- */

/* A text per language: an object with fi (required) and optionally sv
 * and en, each 1..max characters (QT_TEXT_MAX or QT_LONG_TEXT_MAX). An
 * absent text is VK_EMISSING only when required. */
vk_err qt_check_text(const json_t *parent, const char *member, const char *path, size_t max,
                     int required, vk_errinfo *ei);
/* A key: ^[a-z][a-z0-9_]{0,39}$. */
vk_err qt_check_key(const json_t *v, const char *path, vk_errinfo *ei);
/* Only these members (NULL-terminated lists; b may be NULL). */
vk_err qt_check_members(const json_t *obj, const char *path, const char *const *a,
                        const char *const *b, vk_errinfo *ei);
/* Item i of a keyed list (list names it in messages: "choices"): an
 * object with only these members and a key unused by items before it.
 * path is the item's own ("pages[0].elements[2].choices[1]"); what says
 * what an item is, for the refusal of a non-object. */
vk_err qt_check_keyed(const json_t *list, size_t i, const char *path, const char *name,
                      const char *const *members, const char *what, vk_errinfo *ei);
/* An array of {key, text} with unique keys, 1..100 of them. */
vk_err qt_check_choices(const json_t *parent, const char *member, const char *path,
                        vk_errinfo *ei);
/* A JSON path into out (QT_PATH_MAX bytes), printf-style; cut to fit. */
void qt_pathf(char *out, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Is key among the "key" members of the objects in arr. */
int qt_has_key(const json_t *arr, const char *key);
/* "YYYY-MM-DD", a real date. */
int qt_is_date(const char *s);

/* Does a condition hold over the answers fn gives? Conditions have been
 * checked with the definition; an unanswered question is chosen nothing
 * (so not_chosen holds), compares as nothing and has drawn 0. */
int qt_condition_holds(const json_t *cond, qt_lookup_fn fn, void *ud);

#endif
