/*
 * sql.h — the statements of the feeds (the slice feeds_sql): reads of
 * tables other features own, of public columns only (docs/feeds.md). No
 * statement here names a contact table, an internal note, a hidden or
 * withdrawn feedback item, a hidden proposal or an unpublished survey or
 * round.
 *
 * Every entry query returns the same columns, in the order feeds.c reads
 * them: kind (what happened, for the entry's title), key (the stable tail
 * of its tag: URI), updated (RFC 3339 UTC), subject (what it is about, in
 * the language ?1), summary (public text, may be NULL) and link (a path on
 * this server). ?1 is always the language: 'fi', 'sv' or 'en'. A feed
 * carries its newest 50 entries.
 */
#ifndef VK_FEEDS_SQL_H
#define VK_FEEDS_SQL_H

#include "db/stmt.h"

/* A {"fi","sv","en"} JSON text in language ?1, Finnish when it lacks one. */
#define FEEDS_SQL_LANG(j)                                                                       \
    "coalesce(nullif(json_extract(" j ", '$.' || ?1), ''), json_extract(" j ", '$.fi'))"
#define FEEDS_SQL_NAME(t)                                                                       \
    "(CASE ?1 WHEN 'sv' THEN " t ".name_sv WHEN 'en' THEN " t ".name_en ELSE " t ".name_fi END)"

/* Public feedback, filtered by category ?2 and district code ?3 (NULL: all). */
#define FEEDS_SQL_FEEDBACK_FROM                                                                 \
    " FROM feedback f JOIN category c ON c.id = f.category "                                    \
    "LEFT JOIN district d ON d.id = f.district_id WHERE f.hidden = 0 "                          \
    "AND (?2 IS NULL OR f.category = ?2) AND (?3 IS NULL OR d.code = ?3)"

#define FEEDS_SQL(X)                                                                            \
    X(SQL_FEEDS_CATEGORY_EXISTS, "SELECT count(*) FROM category WHERE id = ?1")                 \
    X(SQL_FEEDS_DISTRICT_EXISTS, "SELECT count(*) FROM district WHERE code = ?1")               \
    X(SQL_FEEDS_FEEDBACK,                                                                       \
      "SELECT kind, key, updated, subject, summary, link FROM ("                                \
      "SELECT 'feedback_new' AS kind, 'feedback/' || f.id AS key, f.created_at AS updated, "    \
      FEEDS_SQL_NAME("c") " AS subject, f.description AS summary, "                             \
      "'/api/v1/feedback/' || f.id AS link" FEEDS_SQL_FEEDBACK_FROM                             \
      " UNION ALL SELECT 'feedback_answer', 'feedback/' || f.id || '/answer/' || e.id, e.at, "  \
      FEEDS_SQL_NAME("c") ", CASE ?1 WHEN 'sv' THEN coalesce(e.public_answer_sv, "              \
      "e.public_answer) WHEN 'en' THEN coalesce(e.public_answer_en, e.public_answer) "          \
      "ELSE e.public_answer END, '/api/v1/feedback/' || f.id "                                  \
      "FROM feedback_event e JOIN feedback f ON f.id = e.feedback_id "                          \
      "JOIN category c ON c.id = f.category LEFT JOIN district d ON d.id = f.district_id "      \
      "WHERE e.public_answer IS NOT NULL AND e.public_answer <> '' AND f.hidden = 0 "           \
      "AND (?2 IS NULL OR f.category = ?2) AND (?3 IS NULL OR d.code = ?3)) "                   \
      "ORDER BY updated DESC, key DESC LIMIT 50")                                               \
    /* A survey residents can see: published once, by its slug ?2. */                          \
    X(SQL_FEEDS_SURVEY_HEAD,                                                                    \
      "SELECT " FEEDS_SQL_LANG("json_extract(v.definition, '$.title')") ", s.created_at FROM survey s "                  \
      "JOIN survey_version v ON v.survey_id = s.id AND v.version = s.version "                  \
      "WHERE s.slug = ?2 AND s.version > 0 AND s.state <> 'draft'")                             \
    /* ?3: today (YYYY-MM-DD), the first day results may be public. */                          \
    X(SQL_FEEDS_SURVEY,                                                                         \
      "SELECT kind, key, updated, subject, summary, link FROM ("                                \
      "SELECT 'survey_published' AS kind, 'survey/' || s.slug || '/published' AS key, "         \
      "coalesce(s.published_at, s.created_at) AS updated, "                                     \
      FEEDS_SQL_LANG("json_extract(v.definition, '$.title')") " AS subject, "                                            \
      "json_extract(v.definition, '$.intro.' || ?1) AS summary, '/s/' || s.slug AS link "       \
      "FROM survey s JOIN survey_version v ON v.survey_id = s.id AND v.version = s.version "     \
      "WHERE s.slug = ?2 AND s.version > 0 AND s.state <> 'draft' "                             \
      "UNION ALL SELECT 'survey_results', 'survey/' || s.slug || '/results', "                  \
      "coalesce(p.results_from || 'T00:00:00Z', p.updated_at), "                                \
      FEEDS_SQL_LANG("json_extract(v.definition, '$.title')") ", NULL, '/s/' || s.slug || '/results' "                   \
      "FROM survey s JOIN survey_version v ON v.survey_id = s.id AND v.version = s.version "     \
      "JOIN survey_publication p ON p.survey_id = s.id "                                        \
      "WHERE s.slug = ?2 AND s.version > 0 AND s.state <> 'draft' AND p.results = 1 "           \
      "AND (p.results_from IS NULL OR p.results_from <= ?3) "                                   \
      "UNION ALL SELECT 'survey_what_we_did', 'survey/' || s.slug || '/what-we-did', "          \
      "p.updated_at, " FEEDS_SQL_LANG("json_extract(v.definition, '$.title')") ", "                                      \
      FEEDS_SQL_LANG("p.what_we_did") ", '/s/' || s.slug || '/results' "                        \
      "FROM survey s JOIN survey_version v ON v.survey_id = s.id AND v.version = s.version "     \
      "JOIN survey_publication p ON p.survey_id = s.id "                                        \
      "WHERE s.slug = ?2 AND s.version > 0 AND s.state <> 'draft' "                             \
      "AND (p.status IS NOT NULL OR p.what_we_did <> '{}')) "                                   \
      "ORDER BY updated DESC, key DESC LIMIT 50")                                               \
    /* A published budgeting round, by its slug ?2. */                                          \
    X(SQL_FEEDS_ROUND_HEAD,                                                                     \
      "SELECT " FEEDS_SQL_LANG("json_extract(doc, '$.title')") ", created_at "                  \
      "FROM budget_round WHERE slug = ?2 AND published = 1")                                    \
    /* ?3: now (RFC 3339): phases that have begun. */                                           \
    X(SQL_FEEDS_ROUND,                                                                          \
      "SELECT kind, key, updated, subject, summary, link FROM ("                                \
      "SELECT 'phase_' || ph.key AS kind, 'budget/' || r.slug || '/phase/' || ph.key AS key, "   \
      "json_extract(ph.value, '$.starts') AS updated, "                                         \
      FEEDS_SQL_LANG("json_extract(r.doc, '$.title')") " AS subject, NULL AS summary, "         \
      "'/b/' || r.slug AS link FROM budget_round r, json_each(r.doc, '$.phases') ph "           \
      "WHERE r.slug = ?2 AND r.published = 1 AND json_extract(ph.value, '$.starts') <= ?3 "     \
      "UNION ALL SELECT 'proposal', 'budget/' || r.slug || '/proposal/' || p.id, p.created_at, " \
      "p.title, p.description, '/b/' || r.slug FROM budget_proposal p "                         \
      "JOIN budget_round r ON r.id = p.round_id "                                               \
      "WHERE r.slug = ?2 AND r.published = 1 AND p.moderation = 'public' "                      \
      "UNION ALL SELECT 'project_update', 'budget/' || r.slug || '/update/' || u.id, u.at, "     \
      FEEDS_SQL_LANG("j.title") ", " FEEDS_SQL_LANG("u.text") ", '/b/' || r.slug "              \
      "FROM budget_project_update u JOIN budget_project j ON j.id = u.project_id "              \
      "JOIN budget_round r ON r.id = j.round_id WHERE r.slug = ?2 AND r.published = 1) "        \
      "ORDER BY updated DESC, key DESC LIMIT 50")                                               \
    /* The calendar: every walk, and every phase of every published round
     * with the start of the next as its end. Columns: kind, uid key,
     * stamp (the row's last change), start, end (NULL: none), summary,
     * description, link. */                                                                    \
    X(SQL_FEEDS_EVENTS,                                                                         \
      "SELECT 'walk', 'walk-' || w.id, w.updated_at, w.walk_date, NULL, w.title, "              \
      "w.organiser, '/api/v1/walks/' || w.id || '/report.html' FROM walk w "                    \
      "UNION ALL SELECT 'phase_' || key, 'budget-' || slug || '-' || key, updated_at, starts, "  \
      "ends, title, NULL, '/b/' || slug FROM (SELECT ph.key AS key, r.slug AS slug, "           \
      "r.updated_at AS updated_at, json_extract(ph.value, '$.starts') AS starts, "               \
      "lead(json_extract(ph.value, '$.starts')) OVER (PARTITION BY r.id ORDER BY "              \
      "json_extract(ph.value, '$.starts')) AS ends, "                                           \
      FEEDS_SQL_LANG("json_extract(r.doc, '$.title')") " AS title "                             \
      "FROM budget_round r, json_each(r.doc, '$.phases') ph WHERE r.published = 1) "            \
      "ORDER BY 4, 2")
DB_SLICE_ENUM(feeds_sql_id, FEEDS_SQL)
extern const db_slice feeds_sql;

#endif
