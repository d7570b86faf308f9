/*
 * sql.h — the statements of mail (the slice mail_sql): the outbox, its
 * sender's bookkeeping and the unsubscribed addresses. Only the writer
 * thread runs the writes (the sender hands its results to the writer).
 */
#ifndef VK_MAIL_SQL_H
#define VK_MAIL_SQL_H

#include "db/stmt.h"

#define MAIL_SQL(X)                                                                  \
    X(SQL_MAIL_INSERT,                                                               \
      "INSERT INTO mail_outbox (message_id, recipient, language, kind, audience, "   \
      "feedback_id, subject, body_text, unsubscribe, next_attempt, created_at, "   \
      "subscription_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10, ?11, ?11, ?12)") \
    /* A compact row (schema 0024): rendered by the sender; no text here. */      \
    X(SQL_MAIL_INSERT_COMPACT,                                                       \
      "INSERT INTO mail_outbox (message_id, recipient, language, kind, audience, "   \
      "feedback_id, subject, body_text, unsubscribe, next_attempt, created_at, params) " \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', '', ?7, ?8, ?8, ?9)")                      \
    /* A feed's message kept as a row (mail/feed.h): it must wait or failed. */ \
    X(SQL_MAIL_INSERT_KEPT,                                                          \
      "INSERT INTO mail_outbox (message_id, recipient, language, kind, audience, "   \
      "feedback_id, subject, body_text, unsubscribe, state, attempts, next_attempt, " \
      "last_error, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, " \
      "?12, ?13, ?14)")                                                              \
    X(SQL_MAIL_FEED_GET, "SELECT last_item_id, key FROM mail_feed WHERE id = 1")    \
    X(SQL_MAIL_FEED_MOVE,                                                            \
      "UPDATE mail_feed SET last_item_id = ?2 WHERE id = 1 AND last_item_id = ?1")   \
    X(SQL_MAIL_UNSUBSCRIBED,                                                         \
      "SELECT count(*) FROM mail_unsubscribe WHERE address_hash = ?1 "               \
      "AND feedback_id IN (0, coalesce(?2, 0))")                                     \
    X(SQL_MAIL_DUE,                                                                  \
      "SELECT id, message_id, recipient, subject, body_text, language, unsubscribe, " \
      "attempts, coalesce(feedback_id, 0), kind, params FROM mail_outbox "               \
      "WHERE state = 'queued' AND next_attempt <= ?1 "     \
      "ORDER BY next_attempt, id LIMIT ?2")                                          \
    /* Never again once sent: only a queued row moves. */                           \
    X(SQL_MAIL_MARK_SENT,                                                            \
      "UPDATE mail_outbox SET state = 'sent', sent_at = ?2, attempts = attempts + 1, " \
      "body_text = '', params = NULL, last_error = NULL "                           \
      "WHERE id = ?1 AND state = 'queued'")                                          \
    X(SQL_MAIL_MARK_RETRY,                                                           \
      "UPDATE mail_outbox SET attempts = attempts + ?4, next_attempt = ?2, last_error = ?3 " \
      "WHERE id = ?1 AND state = 'queued'")                                          \
    /* The address asked for no more mail after the row was queued. */          \
    X(SQL_MAIL_MARK_CANCELLED,                                                       \
      "UPDATE mail_outbox SET state = 'cancelled', body_text = '', params = NULL, "  \
      "last_error = ?2 WHERE id = ?1 AND state = 'queued'")                          \
    X(SQL_MAIL_MARK_FAILED,                                                          \
      "UPDATE mail_outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2, " \
      /* a compact row keeps the subject it was rendered with, for admins */        \
      "subject = CASE WHEN subject = '' THEN coalesce(?3, '') ELSE subject END "     \
      "WHERE id = ?1 AND state = 'queued'")                                          \
    /* An admin's retry: the text was kept for it (the purge deletes the row). */   \
    X(SQL_MAIL_FAILED_GET,                                                           \
      "SELECT recipient, coalesce(feedback_id, 0), state, "                          \
      "body_text <> '' OR params IS NOT NULL FROM mail_outbox " \
      "WHERE id = ?1")                                                               \
    X(SQL_MAIL_RETRY,                                                                \
      "UPDATE mail_outbox SET state = 'queued', attempts = 0, next_attempt = ?2, "   \
      "last_error = NULL WHERE id = ?1 AND state = 'failed'")                        \
    X(SQL_MAIL_CANCEL_ITEM,                                                          \
      "UPDATE mail_outbox SET state = 'cancelled', body_text = '', params = NULL "  \
      "WHERE feedback_id = ?1 AND audience = 'reporter' AND state = 'queued'")       \
    /* An item routed elsewhere: its old unit's unsent "new item" goes. */        \
    X(SQL_MAIL_CANCEL_UNIT_NEW,                                                      \
      "UPDATE mail_outbox SET state = 'cancelled', body_text = '', params = NULL "                  \
      "WHERE feedback_id = ?1 AND audience = 'unit' AND kind = 'unit_new' "          \
      "AND state = 'queued'")                                                        \
    X(SQL_MAIL_BY_TOKEN,                                                             \
      "SELECT recipient, coalesce(feedback_id, 0), language, audience, "            \
      "coalesce(subscription_id, 0) FROM mail_outbox "                               \
      "WHERE id = ?1 AND unsubscribe = ?2")                                                      \
    X(SQL_MAIL_UNSUBSCRIBE,                                                          \
      "INSERT OR IGNORE INTO mail_unsubscribe (address_hash, feedback_id, at) VALUES (?1, ?2, ?3)") \
    X(SQL_MAIL_CANCEL_TO,                                                            \
      "UPDATE mail_outbox SET state = 'cancelled', body_text = '', params = NULL "  \
      "WHERE recipient = ?1 AND state = 'queued' AND (?2 = 0 OR feedback_id = ?2)")  \
    X(SQL_MAIL_LIST,                                                                 \
      "SELECT id, message_id, recipient, language, kind, feedback_id, subject, state, " \
      "attempts, next_attempt, last_error, created_at, sent_at FROM mail_outbox "    \
      "WHERE (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2")                  \
    X(SQL_MAIL_PURGE,                                                                \
      "DELETE FROM mail_outbox WHERE state <> 'queued' AND created_at < ?1")         \
    X(SQL_MAIL_COUNTS, "SELECT state, count(*) FROM mail_outbox GROUP BY state")    \
    /* ---- who asked to be told (mail_subscription) ---- */                        \
    X(SQL_SUB_UPSERT,                                                                \
      "INSERT INTO mail_subscription (audience, topic, email, language, owner, created_at) " \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (topic, email) DO UPDATE SET "   \
      "language = excluded.language, audience = excluded.audience, owner = excluded.owner") \
    /* Each address once; its first subscription names the message. */            \
    /* A council member's subscription counts while their account or token     \
     * may still review (enabled, council or admin; a token not revoked or     \
     * expired): one that lost the role stops hearing without a step of its own. */ \
    X(SQL_SUB_OF_TOPIC,                                                              \
      "SELECT min(s.id), s.email, s.language, s.audience FROM mail_subscription s "  \
      "WHERE s.topic IN (?1, coalesce(?2, ?1)) AND (s.owner IS NULL "                \
      "OR EXISTS (SELECT 1 FROM staff_user u WHERE s.owner = 'u:' || u.id "         \
      "AND u.disabled = 0 AND u.role IN ('council', 'admin')) "                      \
      "OR EXISTS (SELECT 1 FROM api_token k WHERE s.owner = 't:' || k.id "          \
      "AND k.role IN ('council', 'admin') AND k.revoked_at IS NULL "                 \
      "AND (k.expires_at IS NULL OR k.expires_at > unixepoch()))) "                  \
      "GROUP BY lower(s.email)")                                                     \
    X(SQL_SUB_CANCEL_ONE,                                                            \
      "UPDATE mail_outbox SET state = 'cancelled', body_text = '', params = NULL "                  \
      "WHERE subscription_id = ?1 AND state = 'queued'")                             \
    X(SQL_SUB_DELETE_ONE, "DELETE FROM mail_subscription WHERE id = ?1")             \
    X(SQL_SUB_CANCEL_OWNER,                                                          \
      "UPDATE mail_outbox SET state = 'cancelled', body_text = '', params = NULL WHERE state = 'queued' " \
      "AND subscription_id IN (SELECT id FROM mail_subscription WHERE owner = ?1)")  \
    X(SQL_SUB_DELETE_OWNER, "DELETE FROM mail_subscription WHERE owner = ?1")        \
    X(SQL_SUB_OF_OWNER,                                                              \
      "SELECT email, language, topic FROM mail_subscription WHERE owner = ?1 ORDER BY topic") \
    X(SQL_SUB_CANCEL_PURGED,                                                         \
      "UPDATE mail_outbox SET state = 'cancelled', body_text = '', params = NULL WHERE state = 'queued' " \
      "AND subscription_id IN (SELECT id FROM mail_subscription "                    \
      "WHERE owner IS NULL AND created_at < ?1)")                                    \
    X(SQL_SUB_PURGE,                                                                 \
      "DELETE FROM mail_subscription WHERE owner IS NULL AND created_at < ?1")
DB_SLICE_ENUM(mail_sql_id, MAIL_SQL)
extern const db_slice mail_sql;

#endif
