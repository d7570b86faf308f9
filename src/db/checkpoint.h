/*
 * checkpoint.h — WAL checkpoints on a thread of their own, off the write
 * path.
 *
 * SQLite's automatic checkpoint runs inside the commit that crosses the
 * threshold, so the writer (and every request waiting on its batch)
 * pauses while the whole WAL is copied into the database file and
 * fsynced: under survey load that pause is the p99 (bench/README.md). A
 * checkpointer instead takes over the writer connection's WAL hook (which
 * turns its automatic checkpoint off): after each commit the hook only
 * compares the WAL's size with a threshold and, past it, wakes the
 * checkpointer's thread, which runs a PASSIVE checkpoint on a connection
 * of its own while the writer goes on appending.
 *
 * Keeping the file bounded: a PASSIVE checkpoint never waits, so under
 * constant writes it leaves behind the frames committed while it ran, and
 * the writer can wrap the WAL back to its start only once every frame is
 * copied. The thread passes again while much is left (each pass copies
 * only what came since); once little is left (TAIL_PAGES) the writer
 * copies that rest itself after a commit — a short pause instead of the
 * whole WAL — and its next commit wraps the WAL around. When no commit has come
 * for IDLE seconds it folds the WAL in completely and truncates it
 * (TRUNCATE); if the WAL ever passes a cap anyway it runs a RESTART,
 * which does make the writer wait — the bound wins over the latency. Both
 * wait at most 200 ms for readers; when a reader in a long transaction
 * makes one give up, the next waits 5 s (PASSIVE goes on meanwhile).
 */
#ifndef VK_CHECKPOINT_H
#define VK_CHECKPOINT_H

#include "core/err.h"
#include "db/store.h"

typedef struct vk_checkpointer vk_checkpointer;

/* Start a checkpointer for the database at path, whose commits come
 * through writer (borrowed until vk_checkpointer_stop; its WAL hook is
 * taken over). pages: the WAL size (in pages) that starts a checkpoint.
 * Caller stops with vk_checkpointer_stop() before closing writer. */
vk_err vk_checkpointer_start(vk_checkpointer **out, const char *path, store_conn *writer,
                             int pages, vk_errinfo *ei);
/* Give the writer connection its hook back (SQLite's automatic
 * checkpoint), end the thread (it finishes a checkpoint under way) and
 * close its connection. NULL is fine. */
void vk_checkpointer_stop(vk_checkpointer *cp);

/* What it has done, for tests and the log. */
typedef struct vk_checkpoint_stats {
    long passive, passive_full, tail, truncate, restart, busy;
    int wal_pages; /* the WAL's size at the last commit */
} vk_checkpoint_stats;
void vk_checkpointer_stats(vk_checkpointer *cp, vk_checkpoint_stats *out);

#endif
