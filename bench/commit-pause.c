/*
 * commit-pause.c — what a WAL checkpoint costs the writer's commits
 * (issue 11's p99): the same stream of commits on a fresh database with
 * SQLite's automatic checkpoint at 16384 pages (the writer before) and
 * with the checkpointer thread (db/checkpoint.h, the writer now), in the
 * order A B A B, each commit timed from BEGIN to the end of COMMIT.
 *
 * Each commit is one group-commit batch's worth of writes: ROWS rows of
 * BYTES random bytes in the idempotency table (new pages, so each
 * checkpoint copies a full 64 MiB). Unlike the HTTP benchmark, the figure
 * is mostly I/O, so the other helpers' CPU load moves it little.
 *
 * Usage: build/bench_commit_pause [COMMITS (2500)] [DIR (/tmp)] [PAGES (16384):
 * the checkpointer's threshold]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "db/checkpoint.h"
#include "db/store.h"

#define ROWS 20
#define BYTES 4000

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int pages = 16384;

static int run(const char *dir, int commits, int threaded, int64_t *us)
{
    char path[512], wal[520], shm[520];
    snprintf(path, sizeof path, "%s/commit-pause-%d.sqlite", dir, (int)getpid());
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(path), unlink(wal), unlink(shm);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    store_conn *setup = NULL, *c = NULL;
    vk_checkpointer *cp = NULL;
    if (store_open(&setup, path, &ei) || store_open_worker(&c, path, &ei) ||
        (threaded && vk_checkpointer_start(&cp, path, c, pages, &ei))) {
        fprintf(stderr, "commit-pause: %s\n", ei.message);
        return -1;
    }
    static char body[ROWS][BYTES + 1];
    char hash[] = "0", key[48];
    for (int i = 0; i < commits; i++) {
        for (int j = 0; j < ROWS; j++) /* made before the clock starts */
            for (int k = 0; k < BYTES; k++)
                body[j][k] = (char)('a' + rand() % 26);
        int64_t t0 = vk_monotonic_us();
        vk_err e = store_begin(c, &ei);
        for (int j = 0; !e && j < ROWS; j++) {
            store_idem r = {hash, 200, NULL, body[j]};
            snprintf(key, sizeof key, "k-%d-%d", i, j);
            e = store_idem_put(c, "bench", key, &r, "2026-01-01T00:00:00Z", &ei);
        }
        if (!e)
            e = store_commit(c, &ei);
        if (e) {
            fprintf(stderr, "commit-pause: %s\n", ei.message);
            return -1;
        }
        us[i] = vk_monotonic_us() - t0;
    }
    if (cp) {
        vk_checkpoint_stats st;
        vk_checkpointer_stats(cp, &st);
        fprintf(stderr, "checkpointer: %ld passive (%ld whole), %ld tails, %ld restart, %ld busy\n",
                st.passive, st.passive_full, st.tail, st.restart, st.busy);
    }
    vk_checkpointer_stop(cp);
    store_close(c);
    store_close(setup);
    unlink(path), unlink(wal), unlink(shm);
    return 0;
}

int main(int argc, char **argv)
{
    int commits = argc > 1 ? atoi(argv[1]) : 2500;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    if (argc > 3)
        pages = atoi(argv[3]);
    if (commits < 100)
        commits = 100;
    int64_t *us = calloc((size_t)commits, sizeof *us);
    if (!us)
        return 1;
    printf("| run | commits | total s | p50 ms | p99 ms | p99.9 ms | max ms | commits > 50 ms |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int round = 0; round < 4; round++) {
        int threaded = round % 2;
        if (run(dir, commits, threaded, us))
            return 1;
        int64_t total = 0;
        int slow = 0;
        for (int i = 0; i < commits; i++)
            total += us[i], slow += us[i] > 50000;
        qsort(us, (size_t)commits, sizeof *us, cmp);
        printf("| %s | %d | %.1f | %.2f | %.2f | %.2f | %.1f | %d |\n",
               threaded ? "checkpointer thread" : "automatic checkpoint (16384)", commits,
               (double)total / 1e6, (double)us[commits / 2] / 1e3,
               (double)us[commits * 99 / 100] / 1e3, (double)us[commits * 999 / 1000] / 1e3,
               (double)us[commits - 1] / 1e3, slow);
        fflush(stdout);
    }
    free(us);
    return 0;
}
