/* tmp.h — a fresh temporary directory per test program. */
#ifndef VK_TEST_TMP_H
#define VK_TEST_TMP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char t_tmpdir[256];

/* A path inside this program's temporary directory (static buffer). */
static inline const char *t_path(const char *name)
{
    static char path[4][512];
    static int next;
    if (!t_tmpdir[0]) {
        snprintf(t_tmpdir, sizeof t_tmpdir, "%s/vaikuta-test-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(t_tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    char *p = path[next++ % 4];
    snprintf(p, 512, "%s/%s", t_tmpdir, name);
    return p;
}

static inline void t_cleanup(void)
{
    if (t_tmpdir[0]) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", t_tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", t_tmpdir);
    }
}

#endif
