/*
 * sql.h — the statements of participatory budgeting (the slice
 * budget_sql; tables of schema/NNNN_budgeting.sql). Public Features are
 * built as JSON by SQLite itself (json_object, AsGeoJSON), so a list is
 * one statement and the C side only joins rows. Nothing here reads
 * budget_proposal_contact except SQL_PROPOSAL_STAFF; no statement joins a
 * ballot to a code or a browser. Writes run on the writer thread only.
 */
#ifndef VK_BUDGET_SQL_H
#define VK_BUDGET_SQL_H

#include "db/stmt.h"

#define BUDGET_SQL_COUNTS                                                            \
    "(SELECT count(*) FROM budget_proposal p WHERE p.round_id = r.id AND p.moderation = 'public'), " \
    "(SELECT count(*) FROM budget_proposal p WHERE p.round_id = r.id AND p.moderation = 'hidden'), " \
    "(SELECT count(*) FROM budget_project j WHERE j.round_id = r.id), "              \
    "(SELECT count(*) FROM budget_ballot b WHERE b.round_id = r.id AND b.counted), " \
    "(SELECT count(*) FROM budget_ballot b WHERE b.round_id = r.id AND b.kind = 'paper' " \
    "AND NOT b.counted)"

/* A proposal as a GeoJSON Feature (public members). */
#define BUDGET_SQL_PROPOSAL_FEATURE                                                  \
    "json_object('type', 'Feature', 'id', p.id, 'geometry', json(AsGeoJSON(p.geom, 7)), " \
    "'properties', json_object('round', r.slug, 'title', p.title, 'description', p.description, " \
    "'category', p.category, 'language', p.language, 'district', p.district, 'area', p.area, " \
    "'located', p.located, 'created', p.created_at, 'supports', p.supports, "         \
    "'review', CASE WHEN p.reviewed_at IS NULL THEN NULL ELSE json_object('feasible', " \
    "json(CASE WHEN p.feasible THEN 'true' ELSE 'false' END), 'reason', p.reason, "   \
    "'cost', p.cost, 'unit', p.unit) END, 'project', p.project_id, "                  \
    "'moderation', p.moderation"

/* A project as a GeoJSON Feature without votes (the handler adds them). */
#define BUDGET_SQL_PROJECT_FEATURE                                                   \
    "json_object('type', 'Feature', 'id', j.id, 'geometry', json(AsGeoJSON(j.geom, 7)), " \
    "'properties', json_object('round', r.slug, 'title', json(j.title), "            \
    "'description', json(j.description), 'category', j.category, 'area', j.area, "    \
    "'district', j.district, 'cost', j.cost, 'unit', j.unit, "                        \
    "'proposals', (SELECT json_group_array(p.id) FROM budget_proposal p WHERE p.project_id = j.id), " \
    "'supporters', (SELECT count(DISTINCT s.browser) FROM budget_support s JOIN budget_proposal p " \
    "ON p.id = s.proposal_id WHERE p.project_id = j.id), "                            \
    "'status', j.status, 'status_reason', j.status_reason, "                          \
    "'updates', (SELECT json_group_array(json_object('at', u.at, 'status', u.status, " \
    "'text', json(u.text), 'photos', json(u.photos))) FROM (SELECT * FROM budget_project_update " \
    "WHERE project_id = j.id ORDER BY at, id) u)))"

#define BUDGET_SQL(X)                                                                \
    X(SQL_ROUND_INSERT,                                                              \
      "INSERT INTO budget_round (slug, doc, created_at, updated_at, created_by) "    \
      "VALUES (?1, ?2, ?3, ?3, ?4)")                                                 \
    X(SQL_ROUND_GET,                                                                 \
      "SELECT r.id, r.doc, r.published, r.phase_by_hand, " BUDGET_SQL_COUNTS         \
      " FROM budget_round r WHERE r.slug = ?1")                                      \
    X(SQL_ROUND_LIST,                                                                \
      "SELECT r.slug, r.doc, r.published, r.phase_by_hand, " BUDGET_SQL_COUNTS       \
      " FROM budget_round r WHERE r.published OR ?1 ORDER BY r.slug")                \
    X(SQL_ROUND_SET_DOC, "UPDATE budget_round SET doc = ?2, updated_at = ?3 WHERE id = ?1") \
    X(SQL_ROUND_PUBLISH,                                                             \
      "UPDATE budget_round SET published = 1, updated_at = ?2 WHERE id = ?1")        \
    X(SQL_ROUND_SET_PHASE,                                                           \
      "UPDATE budget_round SET phase_by_hand = ?2, updated_at = ?3 WHERE id = ?1")   \
    X(SQL_ANY_PUBLISHED, "SELECT EXISTS (SELECT 1 FROM budget_round WHERE published)") \
    X(SQL_ROUND_SLUG, "SELECT slug FROM budget_round WHERE id = ?1")                 \
    /* mail: the results told once (notify.c) */                                    \
    X(SQL_ROUND_RESULTS_MAILED,                                                      \
      "SELECT results_mailed_at IS NOT NULL FROM budget_round WHERE id = ?1")        \
    X(SQL_ROUND_SET_RESULTS_MAILED,                                                  \
      "UPDATE budget_round SET results_mailed_at = ?2 WHERE id = ?1")                \
    X(SQL_ROUNDS_RESULTS_UNMAILED,                                                   \
      "SELECT slug FROM budget_round WHERE published = 1 AND results_mailed_at IS NULL") \
    X(SQL_ROUND_HEAD,                                                                \
      "SELECT id, doc, published, phase_by_hand, updated_at FROM budget_round WHERE slug = ?1") \
    X(SQL_ROUND_STAMP,                                                               \
      "SELECT id, rev, created_at, published, phase_by_hand FROM budget_round WHERE slug = ?1") \
    X(SQL_ROUND_DOC, "SELECT doc FROM budget_round WHERE id = ?1")                    \
    X(SQL_ROUND_COUNTS, "SELECT " BUDGET_SQL_COUNTS " FROM budget_round r WHERE r.id = ?1") \
    X(SQL_ROUND_COUNTS_NO_BALLOTS,                                                   \
      "SELECT (SELECT count(*) FROM budget_proposal p WHERE p.round_id = ?1 AND "     \
      "p.moderation = 'public'), (SELECT count(*) FROM budget_project j WHERE j.round_id = ?1)") \
    X(SQL_ROUND_EXISTS, "SELECT count(*) FROM budget_round WHERE slug = ?1")         \
    X(SQL_CATEGORY_EXISTS, "SELECT count(*) FROM category WHERE id = ?1")            \
    X(SQL_DISTRICT_EXISTS, "SELECT count(*) FROM district WHERE code = ?1")          \
    X(SQL_DISTRICT_CODE, "SELECT code FROM district WHERE id = ?1")                  \
    X(SQL_IN_AREA,                                                                   \
      "SELECT ST_Intersects(SetSRID(GeomFromGeoJSON(?1), 4326), GeomFromWKB(?2, 4326))") \
    X(SQL_PROPOSAL_INSERT,                                                           \
      "INSERT INTO budget_proposal (round_id, title, description, category, language, " \
      "located, district, area, created_at, geom) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, " \
      "GeomFromWKB(?10, 4326))")                                                     \
    X(SQL_CONTACT_INSERT,                                                            \
      "INSERT INTO budget_proposal_contact (proposal_id, name, email, phone) "       \
      "VALUES (?1, ?2, ?3, ?4)")                                                     \
    X(SQL_PROPOSAL_FEATURE,                                                          \
      "SELECT " BUDGET_SQL_PROPOSAL_FEATURE ")) FROM budget_proposal p "             \
      "JOIN budget_round r ON r.id = p.round_id WHERE p.id = ?1 AND (?2 OR "         \
      "(p.moderation = 'public' AND r.published))")                                  \
    X(SQL_PROPOSAL_LIST,                                                             \
      "SELECT " BUDGET_SQL_PROPOSAL_FEATURE ")) FROM budget_proposal p "             \
      "JOIN budget_round r ON r.id = p.round_id WHERE p.round_id = ?1 AND "          \
      "p.moderation = 'public' AND (?2 IS NULL OR p.area = ?2) AND "                 \
      "(?3 IS NULL OR p.category = ?3) ORDER BY p.id LIMIT ?4 OFFSET ?5")            \
    X(SQL_PROPOSAL_STAFF,                                                            \
      "SELECT " BUDGET_SQL_PROPOSAL_FEATURE ", 'note', p.note, 'contact', "          \
      "(SELECT json_object('name', c.name, 'email', c.email, 'phone', c.phone) FROM " \
      "budget_proposal_contact c WHERE c.proposal_id = p.id))) FROM budget_proposal p " \
      "JOIN budget_round r ON r.id = p.round_id WHERE (?1 IS NULL OR p.round_id = ?1) " \
      "AND (?2 IS NULL OR p.id = ?2) ORDER BY p.id")                                 \
    X(SQL_PROPOSAL_HEAD,                                                             \
      "SELECT p.round_id, p.moderation, p.project_id FROM budget_proposal p WHERE p.id = ?1") \
    X(SQL_SUPPORT_INSERT,                                                            \
      "INSERT OR IGNORE INTO budget_support (proposal_id, browser, created_at) VALUES (?1, ?2, ?3)") \
    X(SQL_SUPPORT_COUNT,                                                             \
      "UPDATE budget_proposal SET supports = supports + 1 WHERE id = ?1")            \
    X(SQL_SUPPORTS, "SELECT supports FROM budget_proposal WHERE id = ?1")            \
    X(SQL_PROPOSAL_MODERATE,                                                         \
      "UPDATE budget_proposal SET moderation = ?2, note = coalesce(?3, note) WHERE id = ?1") \
    X(SQL_PROPOSAL_REVIEW,                                                           \
      "UPDATE budget_proposal SET feasible = ?2, reason = ?3, cost = ?4, unit = ?5, " \
      "reviewed_at = ?6 WHERE id = ?1")                                              \
    X(SQL_PROJECT_INSERT,                                                            \
      "INSERT INTO budget_project (round_id, title, description, category, area, district, " \
      "cost, unit, created_at, updated_at, geom) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, " \
      "GeomFromWKB(?10, 4326))")                                                     \
    X(SQL_PROPOSAL_MERGE,                                                            \
      "UPDATE budget_proposal SET project_id = ?2 WHERE id = ?1 AND round_id = ?3 AND " \
      "project_id IS NULL")                                                          \
    X(SQL_PROJECT_FEATURE,                                                           \
      "SELECT j.id, " BUDGET_SQL_PROJECT_FEATURE " FROM budget_project j "          \
      "JOIN budget_round r ON r.id = j.round_id WHERE j.id = ?1")                    \
    X(SQL_PROJECT_LIST,                                                              \
      "SELECT j.id, " BUDGET_SQL_PROJECT_FEATURE " FROM budget_project j "          \
      "JOIN budget_round r ON r.id = j.round_id WHERE j.round_id = ?1 AND "          \
      "(?2 IS NULL OR j.area = ?2) ORDER BY j.id")                                   \
    X(SQL_PROJECT_HEAD, "SELECT round_id, status FROM budget_project WHERE id = ?1")  \
    X(SQL_PROJECT_COSTS,                                                             \
      "SELECT id, area, cost, title ->> '$.fi', category, title FROM budget_project "        \
      "WHERE round_id = ?1 ORDER BY id")                                             \
    X(SQL_PROJECT_EDIT,                                                              \
      "UPDATE budget_project SET title = coalesce(?2, title), description = "         \
      "coalesce(?3, description), cost = coalesce(?4, cost), unit = coalesce(?5, unit), " \
      "category = coalesce(?6, category), updated_at = ?7 WHERE id = ?1")            \
    X(SQL_PROJECT_STATUS,                                                            \
      "UPDATE budget_project SET status = ?2, status_reason = ?3, updated_at = ?4 WHERE id = ?1") \
    X(SQL_PROJECT_UPDATE_INSERT,                                                     \
      "INSERT INTO budget_project_update (project_id, at, status, text, photos) "    \
      "VALUES (?1, ?2, ?3, ?4, ?5)")                                                 \
    X(SQL_CODE_INSERT,                                                               \
      "INSERT INTO budget_code (code_hash, round_id, batch, created_at) VALUES (?1, ?2, ?3, ?4)") \
    X(SQL_CODE_GET, "SELECT used FROM budget_code WHERE code_hash = ?1 AND round_id = ?2") \
    X(SQL_CODE_USE, "UPDATE budget_code SET used = 1 WHERE code_hash = ?1 AND NOT used") \
    X(SQL_CODE_BATCHES,                                                              \
      "SELECT batch, count(*), sum(used), min(created_at) FROM budget_code "         \
      "WHERE round_id = ?1 GROUP BY batch ORDER BY min(created_at), batch")          \
    X(SQL_VOTER_INSERT,                                                              \
      "INSERT OR IGNORE INTO budget_voter (round_id, browser) VALUES (?1, ?2)")      \
    X(SQL_BALLOT_INSERT,                                                             \
      "INSERT INTO budget_ballot (round_id, area, kind, choices, total, age_group, "  \
      "postal_code, token_hash, sheet, entered_by, counted, submitted_at) VALUES "   \
      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")                         \
    X(SQL_BALLOT_BY_TOKEN,                                                           \
      "SELECT b.id, b.round_id, r.slug, b.area, b.choices, b.total, b.submitted_at, " \
      "b.changed_at FROM budget_ballot b JOIN budget_round r ON r.id = b.round_id "  \
      "WHERE b.token_hash = ?1")                                                     \
    X(SQL_BALLOT_UPDATE,                                                             \
      "UPDATE budget_ballot SET area = ?2, choices = ?3, total = ?4, changed_at = ?5 " \
      "WHERE id = ?1")                                                               \
    X(SQL_PAPER_GET,                                                                 \
      "SELECT round_id, entered_by, counted FROM budget_ballot WHERE id = ?1 AND kind = 'paper'") \
    X(SQL_PAPER_CONFIRM,                                                             \
      "UPDATE budget_ballot SET counted = 1, confirmed_by = ?2 WHERE id = ?1 AND NOT counted") \
    X(SQL_PAPER_LIST,                                                                \
      "SELECT json_object('id', id, 'sheet', sheet, 'area', area, 'choices', json(choices), " \
      "'state', CASE WHEN counted THEN 'confirmed' ELSE 'pending' END, 'entered_by', " \
      "entered_by, 'confirmed_by', confirmed_by, 'submitted', submitted_at) FROM budget_ballot " \
      "WHERE round_id = ?1 AND kind = 'paper' ORDER BY id")                          \
    X(SQL_BALLOTS_COUNTED,                                                           \
      "SELECT area, choices, kind, age_group FROM budget_ballot WHERE round_id = ?1 AND counted " \
      "ORDER BY id")

DB_SLICE_ENUM(budget_sql_id, BUDGET_SQL)
extern const db_slice budget_sql;

#endif
