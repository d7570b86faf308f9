/*
 * sql.h — the statements of feedback (the slice feedback_sql): saving an
 * item, the lookups its validation needs, the handling workflow and its
 * event log, and moderation, withdrawal, "me too", merging and the
 * retention purge. Only SQL_CONTACT_GET reads feedback_contact, for the
 * staff view of moderators and admins (feedback/moderation.c). Only the
 * writer thread runs the writes.
 */
#ifndef VK_FEEDBACK_SQL_H
#define VK_FEEDBACK_SQL_H

#include <string.h>

#include "db/stmt.h"

/* A record of one feedback item, read by the item's id. ROW(r) lists the
 * record's fields as the statement's columns (DB_..._TO outs), once for
 * both functions this defines: get(c, id, found, out, ei) zeroes *out and
 * reads the row into it (*found 0 when there is none; with found NULL that
 * is VK_ENOT_FOUND instead, store_feedback_absent); fini(r) frees the
 * copies (DB_DUP_TO) and zeroes the record. */
#define FEEDBACK_RECORD(type, get, fini, sql, what, ROW)                             \
    void fini(type *r)                                                               \
    {                                                                                \
        db_outs_free(DB_OUTS(ROW(r)));                                               \
        memset(r, 0, sizeof *r);                                                     \
    }                                                                                \
    vk_err get(store_conn *c, int64_t id, int *found, type *out, vk_errinfo *ei)     \
    {                                                                                \
        int here = 0;                                                                \
        memset(out, 0, sizeof *out);                                                 \
        vk_err e = db_scan(c, &feedback_sql, sql, DB_ARGS(DB_INT(id)),               \
                           DB_OUTS(ROW(out)), &here, what, ei);                      \
        if (found)                                                                   \
            *found = here;                                                           \
        else if (!e && !here)                                                        \
            e = store_feedback_absent(ei);                                           \
        return e;                                                                    \
    }

/* The "me too" of a merged item's reporter, as a voter of the item it was
 * merged into (schema 0011): 64 characters, never a hex hash, so it cannot
 * be a browser's; one per merged item, so merging it again counts nothing. */
#define STORE_MERGED_REPORTER "merged-reporter-%048d"

#define FEEDBACK_SQL(X)                                                              \
    X(SQL_FEEDBACK_INSERT,                                                           \
      "INSERT INTO feedback (category, description, place, status, resolution_reason, " \
      "answer, answered_at, district_id, created_at, updated_at, geom, duplicate_of, " \
      "forwarded_to, unit_id, first_answered_at, closed_at, followup_hash, attributes, " \
      "location_precision, mail) "                                                   \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, GeomFromWKB(?11, 4326), ?12, ?13, " \
      "(SELECT default_unit FROM category WHERE id = ?1), ?7, "                      \
      "CASE WHEN ?4 IN ('received', 'in_progress', 'planned') THEN NULL ELSE ?10 END, ?14, ?15, " \
      "coalesce(?16, 'exact'), ?17)") \
    X(SQL_CONTACT_INSERT,                                                            \
      "INSERT INTO feedback_contact (feedback_id, name, email, phone, language, "     \
      "receipt_token) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")                              \
    /* ---- a new item's mail, read by the sender past the cursor (schema 0028) ---- */ \
    /* The items after ?1, marked or not (an import is passed over once): the   \
     * reporter's address, language and receipt token (the contact row is gone   \
     * after a withdrawal or a purge) and the unit it is routed to now, with its  \
     * address unless it takes the daily digest. */                                 \
    X(SQL_MAIL_FEED_ITEMS,                                                           \
      "SELECT f.id, coalesce(f.mail, 0), c.email, c.language, c.receipt_token, "    \
      "u.id, u.email, u.language, k.name_fi, k.name_sv, k.name_en, f.place "         \
      "FROM feedback f "                                                             \
      "LEFT JOIN feedback_contact c ON c.feedback_id = f.id AND f.mail = 1 "        \
      "LEFT JOIN unit u ON u.id = f.unit_id AND f.mail = 1 AND u.email IS NOT NULL " \
      "AND u.digest = 0 LEFT JOIN category k ON k.id = f.category AND f.mail = 1 "   \
      "WHERE f.id > ?1 ORDER BY f.id LIMIT ?2")                                     \
    /* How many messages the items after ?1 still owe (the admins' count). */     \
    X(SQL_MAIL_FEED_PENDING,                                                         \
      "SELECT coalesce(sum((c.email IS NOT NULL AND c.receipt_token IS NOT NULL) "   \
      "+ (u.id IS NOT NULL)), 0) FROM feedback f "                                   \
      "LEFT JOIN feedback_contact c ON c.feedback_id = f.id "                        \
      "LEFT JOIN unit u ON u.id = f.unit_id AND u.email IS NOT NULL AND u.digest = 0 " \
      "WHERE f.id > ?1 AND f.mail = 1")                                              \
    /* The tokens of the receipts of items ?1 < id <= ?2 are spent. */             \
    X(SQL_RECEIPT_TOKENS_CLEAR,                                                      \
      "UPDATE feedback_contact SET receipt_token = NULL "                            \
      "WHERE feedback_id > ?1 AND feedback_id <= ?2 AND receipt_token IS NOT NULL")  \
    X(SQL_ITEM_UNIT, "SELECT coalesce(unit_id, 0) FROM feedback WHERE id = ?1")     \
    /* An unsubscribe link of a new item's message: the reporter's address */     \
    X(SQL_CONTACT_MAIL_ANY,                                                          \
      "SELECT email, coalesce(language, 'fi') FROM feedback_contact WHERE feedback_id = ?1") \
    X(SQL_UNIT_ADDRESS, "SELECT email, language FROM unit WHERE id = ?1")            \
    /* The reporter's address and language, for the mails about their item. */      \
    X(SQL_CONTACT_MAIL,                                                              \
      "SELECT email, coalesce(language, 'fi') FROM feedback_contact "                \
      "WHERE feedback_id = ?1 AND email IS NOT NULL")                                \
    /* The address of the unit an item is routed to, and the category's name. */    \
    X(SQL_UNIT_MAIL,                                                                 \
      "SELECT u.email, CASE u.language WHEN 'sv' THEN c.name_sv WHEN 'en' THEN c.name_en " \
      "ELSE c.name_fi END, f.place, u.language FROM feedback f JOIN unit u ON u.id = f.unit_id " \
      /* a unit taking the daily digest gets none per item */                       \
      "JOIN category c ON c.id = f.category WHERE f.id = ?1 AND u.email IS NOT NULL AND u.digest = 0") \
    /* On the request thread, before the job: the address of the unit a new   \
     * item of category ?1 will be routed to (SQL_FEEDBACK_INSERT's unit). */       \
    X(SQL_UNIT_MAIL_OF_CATEGORY,                                                     \
      "SELECT u.email, u.language FROM category c JOIN unit u ON u.id = c.default_unit " \
      "WHERE c.id = ?1 AND u.email IS NOT NULL AND u.digest = 0")                    \
    /* What a compact message names, read by the sender when it sends. */       \
    X(SQL_RENDER_ITEM,                                                               \
      "SELECT c.name_fi, c.name_sv, c.name_en, f.place FROM feedback f "             \
      "JOIN category c ON c.id = f.category WHERE f.id = ?1")                        \
    /* The units whose daily digest is due (?1: a day ago). */                    \
    X(SQL_DIGEST_DUE,                                                                \
      "SELECT id, email, language, coalesce(digest_sent_at, ?1) FROM unit "          \
      "WHERE digest = 1 AND email IS NOT NULL "                                      \
      "AND (digest_sent_at IS NULL OR digest_sent_at <= ?1)")                        \
    /* Items routed to unit ?1 since ?2, in the unit's language ?3: saved     \
     * with it, or reassigned to it (an event whose after.unit is its code;   \
     * the last column says so). Only items it still has: one reassigned     \
     * away is no longer its work. */                                          \
    X(SQL_DIGEST_ITEMS,                                                              \
      "WITH moved(id) AS (SELECT e.feedback_id FROM feedback_event e JOIN unit u "   \
      "ON u.id = ?1 WHERE e.at > ?2 AND json_extract(e.after, '$.unit') = u.code) " \
      "SELECT f.id, CASE ?3 WHEN 'sv' THEN c.name_sv WHEN 'en' THEN c.name_en "     \
      "ELSE c.name_fi END, f.place, f.id IN moved FROM feedback f "                 \
      "JOIN category c ON c.id = f.category "                                        \
      "WHERE f.unit_id = ?1 AND (f.created_at > ?2 OR f.id IN moved) ORDER BY f.id LIMIT 501") \
    X(SQL_DIGEST_SENT, "UPDATE unit SET digest_sent_at = ?2 WHERE id = ?1")         \
    X(SQL_CATEGORY_NAMES,                                                            \
      "SELECT c.name_fi, c.name_sv, c.name_en FROM feedback f JOIN category c "      \
      "ON c.id = f.category WHERE f.id = ?1")                                        \
    /* Before the purge: the reporters' unsent mail about the items purged      \
     * (mail/outbox.h's states). */                                                  \
    X(SQL_MAIL_CANCEL_PURGED,                                                        \
      "UPDATE mail_outbox SET state = 'cancelled', body_text = '', params = NULL "  \
      "WHERE audience = 'reporter' AND state = 'queued' AND feedback_id IN "         \
      "(SELECT id FROM feedback WHERE hidden = 2 OR (closed_at IS NOT NULL AND closed_at < ?1))") \
    X(SQL_CATEGORY_EXISTS, "SELECT 1 FROM category WHERE id = ?1")                   \
    X(SQL_DISTRICT_ID, "SELECT id FROM district WHERE code = ?1")                    \
    X(SQL_FEEDBACK_STATE,                                                            \
      "SELECT f.status, f.unit_id, u.code, f.resolution_reason, f.duplicate_of, "    \
      "f.forwarded_to, f.answer, f.assignee_id, a.name FROM feedback f "             \
      "LEFT JOIN unit u ON u.id = f.unit_id LEFT JOIN staff_user a ON a.id = f.assignee_id " \
      "WHERE f.id = ?1")                                                             \
    /* An enabled staff account by name: whom an item can be assigned to. */        \
    X(SQL_ASSIGNEE_ID, "SELECT id FROM staff_user WHERE name = ?1 AND disabled = 0") \
    /* Everyone an item can be assigned to, by name (the inbox's filter). */        \
    X(SQL_ASSIGNEE_LIST, "SELECT name, role FROM staff_user WHERE disabled = 0 ORDER BY name") \
    X(SQL_FEEDBACK_EXISTS, "SELECT 1 FROM feedback WHERE id = ?1")                   \
    /* Canned replies (replies.c): those for a category and status include   \
     * the ones for every category or status (NULL). */                            \
    X(SQL_REPLY_LIST,                                                                \
      "SELECT id, category, status, title, body_fi, body_sv, body_en, updated_at, "  \
      "updated_by FROM canned_reply WHERE (?1 IS NULL OR category IS NULL OR "       \
      "category = ?1) AND (?2 IS NULL OR status IS NULL OR status = ?2) AND "        \
      "(?3 = 0 OR id = ?3) ORDER BY category IS NULL, category, status IS NULL, "    \
      "status, title, id")                                                           \
    X(SQL_REPLY_INSERT,                                                              \
      "INSERT INTO canned_reply (category, status, title, body_fi, body_sv, body_en, " \
      "updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")             \
    X(SQL_REPLY_UPDATE,                                                              \
      "UPDATE canned_reply SET category = ?2, status = ?3, title = ?4, body_fi = ?5, " \
      "body_sv = ?6, body_en = ?7, updated_at = ?8, updated_by = ?9 WHERE id = ?1")  \
    X(SQL_REPLY_DELETE, "DELETE FROM canned_reply WHERE id = ?1")                    \
    /* A moderator's correction of the category, the place and/or how exact
     * the place is. */                \
    X(SQL_FEEDBACK_CORRECT,                                                          \
      "UPDATE feedback SET category = coalesce(?2, category), "                      \
      "geom = CASE WHEN ?3 IS NULL THEN geom ELSE GeomFromWKB(?3, 4326) END, "       \
      "district_id = CASE WHEN ?3 IS NULL THEN district_id ELSE ?4 END, "            \
      "location_precision = coalesce(?6, location_precision), "                      \
      "updated_at = ?5 WHERE id = ?1")                                               \
    /* Where an item is (a point on it, lon/lat) and its category: the      \
     * centre of the staff's "nearby" list. */                                      \
    X(SQL_FEEDBACK_PLACE,                                                            \
      "SELECT geom IS NOT NULL, coalesce(X(PointOnSurface(geom)), 0), "              \
      "coalesce(Y(PointOnSurface(geom)), 0), category, "                             \
      "coalesce(GeometryType(geom) = 'POINT', 0), location_precision "               \
      "FROM feedback WHERE id = ?1")                                                 \
    X(SQL_UNIT_ID, "SELECT id FROM unit WHERE code = ?1")                            \
    X(SQL_FEEDBACK_UPDATE,                                                           \
      "UPDATE feedback SET status = ?2, resolution_reason = ?3, duplicate_of = ?4, " \
      "forwarded_to = ?5, unit_id = ?6, answer = coalesce(?7, answer), "             \
      "answered_at = CASE WHEN ?7 IS NULL THEN answered_at ELSE ?8 END, "            \
      "first_answered_at = CASE WHEN ?7 IS NOT NULL AND first_answered_at IS NULL "  \
      "THEN ?8 ELSE first_answered_at END, "                                         \
      "closed_at = CASE WHEN ?2 IN ('received', 'in_progress', 'planned') THEN NULL " \
      "WHEN status IN ('received', 'in_progress', 'planned') THEN ?8 "               \
      "ELSE closed_at END, "                                                         \
      "updated_at = ?8, assignee_id = ?9, "                                          \
      "answer_sv = CASE WHEN ?7 IS NULL THEN answer_sv ELSE ?10 END, "               \
      "answer_en = CASE WHEN ?7 IS NULL THEN answer_en ELSE ?11 END WHERE id = ?1")  \
    X(SQL_EVENT_ADD,                                                                 \
      "INSERT INTO feedback_event (feedback_id, at, actor, kind, before, after, "    \
      "public_answer, internal_note, public_answer_sv, public_answer_en) "           \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")                            \
    X(SQL_EVENT_LIST_ITEM,                                                           \
      "SELECT id, feedback_id, at, actor, kind, before, after, public_answer, "      \
      "internal_note, public_answer_sv, public_answer_en FROM feedback_event "       \
      "WHERE feedback_id = ?1 ORDER BY id")                                          \
    X(SQL_FOLLOWUP_FIND, "SELECT id FROM feedback WHERE followup_hash = ?1")         \
    X(SQL_FEEDBACK_MOD,                                                              \
      "SELECT f.hidden, f.me_too, f.description, f.description_original, "           \
      "EXISTS (SELECT 1 FROM feedback_contact c WHERE c.feedback_id = f.id) "        \
      "FROM feedback f WHERE f.id = ?1")                                             \
    X(SQL_CONTACT_GET,                                                               \
      "SELECT name, email, phone FROM feedback_contact WHERE feedback_id = ?1")      \
    X(SQL_CONTACT_DELETE, "DELETE FROM feedback_contact WHERE feedback_id = ?1")     \
    X(SQL_FEEDBACK_SET_HIDDEN,                                                       \
      "UPDATE feedback SET hidden = ?2, updated_at = ?3 WHERE id = ?1")              \
    X(SQL_FEEDBACK_REDACT,                                                           \
      "UPDATE feedback SET description_original = coalesce(description_original, "   \
      "description), description = ?2, updated_at = ?3 WHERE id = ?1")               \
    X(SQL_ME_TOO_ADD,                                                                \
      "INSERT OR IGNORE INTO feedback_me_too (feedback_id, voter, at) VALUES (?1, ?2, ?3)") \
    X(SQL_ME_TOO_MOVE,                                                               \
      "INSERT OR IGNORE INTO feedback_me_too (feedback_id, voter, at) "              \
      "SELECT ?2, voter, at FROM feedback_me_too WHERE feedback_id = ?1 "            \
      "AND voter <> printf('" STORE_MERGED_REPORTER "', ?2)")                        \
    X(SQL_ME_TOO_REPORTER,                                                           \
      "INSERT OR IGNORE INTO feedback_me_too (feedback_id, voter, at) "              \
      "VALUES (?2, printf('" STORE_MERGED_REPORTER "', ?1), "                        \
      "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))")                                      \
    X(SQL_ME_TOO_COUNT, "SELECT count(*) FROM feedback_me_too WHERE feedback_id = ?1") \
    X(SQL_ME_TOO_HAS,                                                                \
      "SELECT count(*) FROM feedback_me_too WHERE feedback_id = ?1 AND voter = ?2")  \
    X(SQL_ME_TOO_ADDRESS_ADD,                                                        \
      "INSERT OR IGNORE INTO feedback_me_too_address (feedback_id, address, day) "   \
      "VALUES (?1, ?2, ?3)")                                                         \
    X(SQL_ME_TOO_ADDRESS_EXPIRE, "DELETE FROM feedback_me_too_address WHERE day < ?1") \
    X(SQL_ME_TOO_DROP, "DELETE FROM feedback_me_too WHERE feedback_id = ?1")         \
    X(SQL_FEEDBACK_ME_TOO_SET, "UPDATE feedback SET me_too = ?2 WHERE id = ?1")      \
    X(SQL_CONTACT_PURGE,                                                             \
      "DELETE FROM feedback_contact WHERE feedback_id IN (SELECT id FROM feedback "  \
      "WHERE hidden = 2 OR (closed_at IS NOT NULL AND closed_at < ?1))")
DB_SLICE_ENUM(feedback_sql_id, FEEDBACK_SQL)
extern const db_slice feedback_sql;

#endif
