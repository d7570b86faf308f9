/*
 * sql.h — the statements of photos (the slice media_sql) and what the
 * files of media/ share besides photo.h. Writes run on the writer thread
 * only.
 */
#ifndef VK_MEDIA_SQL_H
#define VK_MEDIA_SQL_H

#include "db/stmt.h"
#include "media/photo.h"

/* The columns of a photo_info, in its order (see info_of in store.c). */
#define MEDIA_SQL_INFO                                                                 \
    "id, width, height, thumb_w, thumb_h, display_bytes, thumb_bytes, hidden, created_at"

#define MEDIA_SQL(X)                                                                   \
    X(SQL_PHOTO_INSERT,                                                                \
      "INSERT INTO photo (id, source_type, width, height, thumb_w, thumb_h, display_bytes, " \
      "thumb_bytes, display_sha256, thumb_sha256, created_at, display, thumb) "        \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")               \
    X(SQL_PHOTO_OWNER, "SELECT owner_kind, owner_id FROM photo WHERE id = ?1")         \
    X(SQL_PHOTO_ATTACH,                                                                \
      "UPDATE photo SET owner_kind = ?2, owner_id = ?3, attached_at = ?4 "             \
      "WHERE id = ?1 AND owner_kind IS NULL")                                          \
    X(SQL_PHOTO_DELETE_OWNER, "DELETE FROM photo WHERE owner_kind = ?1 AND owner_id = ?2") \
    X(SQL_PHOTO_DELETE, "DELETE FROM photo WHERE id = ?1")                            \
    X(SQL_PHOTO_SET_HIDDEN, "UPDATE photo SET hidden = ?2 WHERE id = ?1")              \
    X(SQL_PHOTO_EACH,                                                                  \
      "SELECT " MEDIA_SQL_INFO " FROM photo WHERE owner_kind = ?1 AND owner_id = ?2 "  \
      "ORDER BY rowid")                                                       \
    X(SQL_PHOTO_META,                                                                  \
      "SELECT " MEDIA_SQL_INFO ", owner_kind, owner_id, attached_at FROM photo WHERE id = ?1") \
    X(SQL_PHOTO_DISPLAY, "SELECT display_sha256, display FROM photo WHERE id = ?1")    \
    X(SQL_PHOTO_THUMB, "SELECT thumb_sha256, thumb FROM photo WHERE id = ?1")          \
    X(SQL_PHOTO_PURGE, "DELETE FROM photo WHERE owner_kind IS NULL AND created_at < ?1") \
    X(SQL_PHOTO_CHECK,                                                                 \
      "SELECT id, width, height, thumb_w, thumb_h, display_sha256, thumb_sha256, display, " \
      "thumb FROM photo ORDER BY rowid")

DB_SLICE_ENUM(media_sql_id, MEDIA_SQL)
extern const db_slice media_sql;

/* A photo_info from a row whose first columns are MEDIA_SQL_INFO. */
void media_info_of(db_row *row, photo_info *p);

/* image.c: a stored JPEG decoded whole (for check): its size, or
 * VK_EIMAGE. */
vk_err photo_jpeg_verify(const void *bytes, size_t len, int *w, int *h, vk_errinfo *ei);
/* image.c: free libvips' per-thread buffers, at the end of a decode
 * thread's job. */
void photo_thread_done(void);

/* The visibility callback of a registered kind, or NULL. */
photo_visible_fn photo_owner_visible(const char *kind);
/* 1 when kind was given to photo_owner_staff_review. */
int photo_owner_staff_sees_hidden(const char *kind);
/* 1 when staff (may be NULL) sees every photo (photo_set_reviewers). */
int photo_reviewer(const vk_staff *staff);
/* The display and thumbnail URLs of photo id (rooted, or absolute under
 * base_url when given). */
void photo_urls(const char *base_url, const char *id, char display[160], char thumb[160]);
/* A photo id: 32 lowercase hex digits. */
int photo_id_ok(const char *s);

#endif
