/*
 * checklist.h — the accessibility-walk checklist (seeds/walks/checklist.json,
 * docs/walks.md "The checklist"): finding types, the measurements each
 * type takes, and the thresholds each measurement is checked against per
 * target level (perustaso, erikoistaso), every threshold with its source.
 *
 * The file is embedded at build time and parsed once per process
 * (walk_checklist_get); its schema (docs/walk-checklist.schema.json) is
 * embedded beside it. walk_checklist_parse checks the rules a schema
 * cannot state: unique keys, thresholds naming measures of their type and
 * known sources, min <= max. A checklist is read-only once parsed, so
 * every worker thread shares it.
 */
#ifndef VK_WALK_CHECKLIST_H
#define VK_WALK_CHECKLIST_H

#include <jansson.h>

#include "core/err.h"

/* Grades, most severe first: the order consensus ties and OSM tags use. */
typedef enum { WALK_VAARA, WALK_ESTE, WALK_HAITTA, WALK_NGRADES } walk_grade;
typedef enum { WALK_PERUSTASO, WALK_ERIKOISTASO } walk_level;

/* "vaara" → WALK_VAARA …; -1 for anything else (and NULL). */
int walk_grade_parse(const char *s);
/* Static string; "" when out of range. */
const char *walk_grade_name(int g);
const char *walk_level_name(walk_level l);

typedef struct walk_checklist walk_checklist;

/* Parse and check a checklist document (text of length n). On success
 * *out is new: caller frees with walk_checklist_free(). Errors name the
 * JSON path of the fault in ei->field (VK_EVALUE, VK_EMISSING, …). */
vk_err walk_checklist_parse(const char *text, size_t n, walk_checklist **out, vk_errinfo *ei);
void walk_checklist_free(walk_checklist *cl);

/* The embedded checklist, parsed at the first call (thread-safe); NULL
 * when it does not pass its checks, with the reason in *ei of that call
 * (start-up calls it first and stops the server). Borrowed for the
 * process. */
const walk_checklist *walk_checklist_get(vk_errinfo *ei);
/* The embedded texts: the checklist and its JSON Schema. */
extern const char walk_checklist_json[];
extern const char walk_checklist_schema_json[];

/* The whole document, borrowed from cl. */
const json_t *walk_checklist_doc(const walk_checklist *cl);
int walk_checklist_version(const walk_checklist *cl);

/* 1 when key is a type, a user group or a surface of the checklist. */
int walk_checklist_has_type(const walk_checklist *cl, const char *key);
int walk_checklist_has_group(const walk_checklist *cl, const char *key);
int walk_checklist_has_surface(const walk_checklist *cl, const char *key);
/* 1 when the type takes a surface ("surface": true). */
int walk_checklist_type_surface(const walk_checklist *cl, const char *type);
/* The type's object (borrowed), or NULL. */
const json_t *walk_checklist_type(const walk_checklist *cl, const char *type);

/* Check a finding's measurements for type: an object (or NULL/absent)
 * whose keys are measures the type lists and whose values are numbers in
 * the measure's min–max (whole numbers where the measure says so). Errors
 * name "measurements.KEY". */
vk_err walk_checklist_check_measurements(const walk_checklist *cl, const char *type,
                                         const json_t *measurements, vk_errinfo *ei);

/* The verdicts of checked measurements at level (docs/walks.md): a new
 * object {measure: {value, verdict, limits: [{min?, max?, grade, source,
 * clause, breached}]}}; caller decrefs. NULL only without memory. */
json_t *walk_verdicts(const walk_checklist *cl, const char *type, walk_level level,
                      const json_t *measurements);

#endif
