/*
 * sql.h — the engine's own statements (the slice db_sql): transactions,
 * savepoints, the health ping, planner statistics, idempotency keys and
 * server secrets. Each feature lists its own statements in its own sql.h
 * (see db/stmt.h and docs/database.md).
 */
#ifndef VK_SQL_H
#define VK_SQL_H

#include "db/stmt.h"

/* Scripts of several statements, run with sqlite3_exec.
 * wal_autocheckpoint: a checkpoint every 16384 pages (64 MiB of WAL) instead
 * of SQLite's 1000. Under survey load every commit rewrites the R*Tree
 * leaves it touched, so the WAL holds the same pages many times over; a
 * rarer checkpoint copies each once and fsyncs the database far less often
 * (writer CPU per stored response down by a fifth or more, bench/README.md).
 * Only connections that commit checkpoint; journal_size_limit truncates the
 * WAL file back to that size after one so it does not stay at its peak.
 * The server's writer connection checkpoints on a thread of its own
 * instead (db/checkpoint.h), at the same size. */
#define SQL_SCRIPT_PRAGMAS                                                           \
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "                          \
    "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; "                          \
    "PRAGMA wal_autocheckpoint = 16384; PRAGMA journal_size_limit = 67108864"
#define SQL_SCRIPT_INIT_SPATIAL "SELECT InitSpatialMetadata(1)"
#define SQL_SCRIPT_ANALYZE "ANALYZE"
/* Rows of feedback, and how many it had when statistics were last taken
 * (NULL when never): sqlite_stat1's first number for one of its indexes.
 * Read only once sqlite_stat1 exists (it is made by the first ANALYZE). */
#define SQL_ONCE_ANALYZED_ROWS                                                       \
    "SELECT (SELECT count(*) FROM feedback), (SELECT CAST(stat AS INTEGER) FROM "    \
    "sqlite_stat1 WHERE tbl = 'feedback' AND idx = 'feedback_status')"

#define DB_SQL(X)                                                                    \
    X(SQL_PING, "SELECT count(*) FROM feedback")                                     \
    X(SQL_READ_BEGIN, "BEGIN")                                                       \
    X(SQL_READ_END, "COMMIT")                                                        \
    X(SQL_HAS_STAT1, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'") \
    X(SQL_SAVEPOINT, "SAVEPOINT job")                                                \
    X(SQL_RELEASE, "RELEASE job")                                                    \
    X(SQL_ROLLBACK_TO, "ROLLBACK TO job")                                            \
    X(SQL_IDEM_GET, "SELECT request_hash, status, location, body FROM idempotency "  \
                    "WHERE scope = ?7 AND key = ?1")                                 \
    X(SQL_IDEM_PUT,                                                                  \
      "INSERT INTO idempotency (scope, key, request_hash, status, location, body, created_at) " \
      "VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6)")                                         \
    X(SQL_SECRET_GET, "SELECT value FROM server_secret WHERE name = ?1")             \
    X(SQL_IDEM_PURGE, "DELETE FROM idempotency WHERE created_at < ?1")
DB_SLICE_ENUM(db_sql_id, DB_SQL)
extern const db_slice db_sql;

#endif
