/*
 * results_internal.h — the columnar snapshot behind survey results
 * (results.h), shared by results_snapshot.c (building and caching it),
 * results_filter.c (reading and applying filters) and results.c (the
 * figures). Not for other folders.
 *
 * Rows: one per submitted response (respondent), in id order; one per
 * drawn feature (or placed geobudget item), grouped by map question, then
 * by respondent. Columns: one per question of the newest published
 * definition, follow-ups included; a follow-up's rows are its map
 * question's features. Each answer is parsed once: choice, place, item,
 * row keys to indices into the column's keys, numbers and dates to
 * doubles.
 */
#ifndef VK_SURVEY_RESULTS_INTERNAL_H
#define VK_SURVEY_RESULTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "survey/results.h"

#include "db/stmt.h"

#define RESULTS_SQL(X)                                                               \
    X(SQL_RES_STAMP,                                                                 \
      "SELECT (SELECT count(*) FROM survey_response WHERE survey_id = ?1), "        \
      "(SELECT coalesce(max(id), 0) FROM survey_response WHERE survey_id = ?1), "   \
      "(SELECT count(*) FROM survey_draft WHERE survey_id = ?1), "                  \
      "(SELECT version FROM survey WHERE id = ?1), "                                \
      "(SELECT count(*) FROM district)")                                            \
    X(SQL_RES_RESPONSES,                                                             \
      "SELECT id, uuid, version, language, submitted_at, seconds_taken, without_map " \
      "FROM survey_response WHERE survey_id = ?1 ORDER BY id")                       \
    X(SQL_RES_ANSWERS,                                                               \
      "SELECT a.response_id, a.question, a.value, a.skipped FROM survey_response r " \
      "JOIN survey_answer a ON a.response_id = r.id WHERE r.survey_id = ?1")        \
    /* A feature's place on the grid: a point itself, a line the point     \
     * halfway along it, an area a point on its surface. */                  \
    X(SQL_RES_FEATURES,                                                              \
      "SELECT response_id, question, idx, located, district_id, place, item, "     \
      "answers, X(p), Y(p) FROM (SELECT f.*, CASE WHEN f.geom IS NULL THEN NULL "  \
      "WHEN GeometryType(f.geom) = 'POINT' THEN f.geom "                            \
      "WHEN GeometryType(f.geom) = 'LINESTRING' THEN Line_Interpolate_Point(f.geom, 0.5) " \
      "ELSE PointOnSurface(f.geom) END AS p FROM survey_feature f "                 \
      "WHERE f.survey_id = ?1) ORDER BY question, response_id, idx")                \
    X(SQL_RES_DISTRICTS, "SELECT id, code, name_fi, name_sv, name_en FROM district ORDER BY code")

DB_SLICE_ENUM(results_sql_id, RESULTS_SQL)
extern const db_slice results_sql;

/* How a column's answers are held. */
typedef enum {
    RS_SINGLE,   /* codes[0]: choice index, or nkeys for "other" (text) */
    RS_MULTI,    /* codes: the choices picked (nkeys: "other", text) */
    RS_PLACE,    /* codes: the places picked */
    RS_SCALE,    /* num */
    RS_NUMBER,   /* num */
    RS_TEXT,     /* text */
    RS_RANKING,  /* codes: choices, best first */
    RS_MATRIX,   /* codes: per row (nkeys of them) the column index or -1 */
    RS_DATE,     /* num: days since 1970-01-01 */
    RS_CONSENT,  /* num 1 */
    RS_BUDGET,   /* codes: per item (nkeys) the count chosen */
    RS_MAP,      /* answered through features */
    RS_GEOBUDGET /* answered through features (their item) */
} rs_kind;

enum { RS_NONE = 0, RS_ANSWERED = 1, RS_SKIPPED = 2 };

typedef struct rs_col {
    const survey_elem *el;
    rs_kind kind;
    int personal;          /* named by a consent: only n is shown */
    int nkeys;             /* choices, places, matrix rows or budget items */
    const char **keys;
    const json_t **key_text; /* their labels (text or name), borrowed from def */
    double *cost;          /* budget items */
    int ncolumns;          /* matrix */
    const char **columns;
    const json_t **column_text;
    int other;             /* offers "other, what?" */
    long parent;           /* a follow-up: its map question's column; else -1 */
    size_t nrows;
    uint8_t *state;        /* RS_NONE / RS_ANSWERED / RS_SKIPPED */
    uint32_t *off;         /* nrows + 1 offsets into codes */
    int32_t *codes;
    double *num;
    const char **text;     /* text answers and "other" texts */
    size_t feat_lo, feat_hi; /* a map question: its range of features */
} rs_col;

typedef struct rs_resp {
    int64_t id;
    const char *uuid, *submitted;
    int64_t version;
    int lang;            /* 0 fi, 1 sv, 2 en */
    int32_t day;         /* of submission, days since 1970-01-01 (UTC) */
    int32_t seconds;     /* time to answer; -1 unknown */
    int32_t without_map; /* features located otherwise than drawn */
} rs_resp;

typedef struct rs_feature {
    int32_t resp;     /* respondent index */
    int32_t col;      /* the map question's column */
    int32_t idx;      /* position in the answer */
    int32_t where;    /* qt_where */
    int32_t district; /* index into districts, -1 none */
    int32_t place;    /* index into the survey's places, -1 none */
    int32_t item;     /* geobudget: the item's index, -1 none */
    double x, y;      /* EPSG:3067 representative point; NAN without geometry */
} rs_feature;

typedef struct rs_district {
    int64_t id;
    const char *code, *name[3];
} rs_district;

typedef struct rs_snap {
    int64_t survey_id;
    char stamp[64];
    const survey_def *def;
    int64_t version, drafts;
    vk_arena arena;
    size_t nresp;
    rs_resp *resp;
    size_t nfeat;
    rs_feature *feat;
    size_t ncols;
    rs_col *cols;
    size_t ndistricts;
    rs_district *districts;
    const json_t *places; /* the survey's places (array) or NULL */
    int refs;             /* cache.c's: holders, plus 1 while current */
    int64_t built_us, cost_us; /* when it was made (monotonic), how long it took */
} rs_snap;

/* The snapshot of survey_id at its current stamp, built when needed; give
 * it back with rs_release. def: the newest published version. */
vk_err rs_acquire(vk_ctx *ctx, int64_t survey_id, const survey_def *def, rs_snap **out,
                  vk_errinfo *ei);
void rs_release(rs_snap *s);

/* The column of question key, or -1. */
long rs_col_find(const rs_snap *s, const char *key);
/* Index of key among c's keys, -1 when none. */
int rs_key_index(const rs_col *c, const char *key);
/* "YYYY-MM-DD…" to days since 1970-01-01; 0 with *ok = 0 when malformed. */
int32_t rs_days(const char *s, int *ok);
/* Days since 1970-01-01 to "YYYY-MM-DD" (11 bytes). */
void rs_date(int32_t days, char out[11]);

/* Which rows count: keep[i] for each respondent, feat_keep[j] for each
 * feature (its respondent kept and, with districts, in one of them). */
typedef struct rs_mask {
    uint8_t *keep;
    uint8_t *feat_keep;
    size_t n; /* respondents kept */
} rs_mask;
vk_err rs_mask_make(const rs_snap *s, const results_filter *f, vk_arena *a, rs_mask *m,
                    vk_errinfo *ei);

#endif
