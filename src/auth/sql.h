/*
 * sql.h — the statements of accounts (the slice auth_sql): staff users,
 * tokens, sessions and failed sign-ins (auth/staff.c), and the audit log
 * (auth/audit.c). No statement returns a password hash except
 * SQL_STAFF_GET, for sign-in, nor a token's hash. The audit log is read
 * newest first by (at, id) from a cursor; ?3 is an actor or NULL, ?4 the
 * limit.
 */
#ifndef VK_AUTH_SQL_H
#define VK_AUTH_SQL_H

#include "db/stmt.h"

#define TOKEN_COLS "id, name, role, created_at, expires_at, revoked_at, last_used_at"
#define AUTH_SQL(X)                                                                  \
    X(SQL_STAFF_ADD,                                                                 \
      "INSERT INTO staff_user (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)") \
    X(SQL_STAFF_GET,                                                                 \
      "SELECT id, name, role, password_hash, disabled, created_at FROM staff_user "  \
      "WHERE name = ?1")                                                             \
    X(SQL_STAFF_LIST,                                                                \
      "SELECT id, name, role, disabled, created_at FROM staff_user ORDER BY name")   \
    X(SQL_STAFF_STATE, "SELECT role, disabled FROM staff_user WHERE name = ?1")      \
    X(SQL_STAFF_ADMIN_BY_ID,                                                         \
      "SELECT count(*) FROM staff_user WHERE id = ?1 AND role = 'admin' AND disabled = 0") \
    X(SQL_STAFF_ADMINS, "SELECT count(*) FROM staff_user WHERE role = 'admin' AND disabled = 0") \
    X(SQL_STAFF_UPDATE,                                                              \
      "UPDATE staff_user SET role = coalesce(?2, role), disabled = coalesce(?3, disabled), " \
      "password_hash = coalesce(?4, password_hash) WHERE name = ?1")                 \
    X(SQL_STAFF_SESSIONS_DROP,                                                       \
      "DELETE FROM staff_session WHERE user_id = (SELECT id FROM staff_user WHERE name = ?1)") \
    X(SQL_TOKEN_ADD,                                                                 \
      "INSERT INTO api_token (name, role, token_hash, created_at, expires_at) "      \
      "VALUES (?1, ?2, ?3, ?4, ?5)")                                                 \
    X(SQL_TOKEN_FIND, "SELECT " TOKEN_COLS " FROM api_token WHERE token_hash = ?1")  \
    X(SQL_TOKEN_LIST, "SELECT " TOKEN_COLS " FROM api_token ORDER BY id")            \
    X(SQL_TOKEN_REVOKE,                                                              \
      "UPDATE api_token SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")   \
    X(SQL_TOKEN_TOUCH, "UPDATE api_token SET last_used_at = ?2 WHERE id = ?1")       \
    X(SQL_SESSION_ADD,                                                               \
      "INSERT INTO staff_session (id_hash, user_id, csrf, created_at, expires_at) "  \
      "VALUES (?1, ?2, ?3, ?4, ?5)")                                                 \
    X(SQL_SESSION_FIND,                                                              \
      "SELECT u.id, u.name, u.role, s.csrf, s.expires_at FROM staff_session s "      \
      "JOIN staff_user u ON u.id = s.user_id "                                       \
      "WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0")               \
    X(SQL_SESSION_DELETE, "DELETE FROM staff_session WHERE id_hash = ?1")            \
    X(SQL_SESSION_PURGE, "DELETE FROM staff_session WHERE expires_at <= ?1")         \
    X(SQL_LOGIN_FAILURE_GET, "SELECT failures, last_at FROM login_failure WHERE key = ?1") \
    X(SQL_LOGIN_FAILURE_ADD,                                                         \
      "INSERT INTO login_failure (key, failures, last_at) VALUES (?1, 1, ?2) "       \
      "ON CONFLICT(key) DO UPDATE SET failures = CASE WHEN last_at <= ?2 - ?3 "      \
      "THEN 1 ELSE failures + 1 END, last_at = ?2")                                  \
    X(SQL_LOGIN_FAILURE_CLEAR, "DELETE FROM login_failure WHERE key = ?1")           \
    X(SQL_LOGIN_FAILURE_PURGE, "DELETE FROM login_failure WHERE last_at <= ?1")      \
    X(SQL_ACCOUNT_EVENT_ADD,                                                         \
      "INSERT INTO account_event (at, actor, kind, target, before, after, client_addr) " \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                         \
    X(SQL_AUDIT_FEEDBACK,                                                            \
      "SELECT id, at, actor, kind, before, after, feedback_id, public_answer, "      \
      "internal_note FROM feedback_event WHERE (at, id) < (?1, ?2) "                 \
      "AND (?3 IS NULL OR actor = ?3) ORDER BY at DESC, id DESC LIMIT ?4")           \
    X(SQL_AUDIT_ACCOUNT,                                                             \
      "SELECT id, at, actor, kind, before, after, target, client_addr "              \
      "FROM account_event WHERE (at, id) < (?1, ?2) "                                \
      "AND (?3 IS NULL OR actor = ?3) ORDER BY at DESC, id DESC LIMIT ?4")
DB_SLICE_ENUM(auth_sql_id, AUTH_SQL)
extern const db_slice auth_sql;

#endif
