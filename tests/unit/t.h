/*
 * t.h — a minimal TAP test harness for the unit tests.
 *
 * Each check prints one TAP line; t_done() prints the plan and the line
 * "N passed, M failed" and returns the exit status. Geometry checks take a
 * tolerance, as PROJ's gie files do.
 */
#ifndef VK_T_H
#define VK_T_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int t_n, t_failed;

#define T_OK(cond, ...)                                                                    \
    do {                                                                                   \
        t_n++;                                                                             \
        int t_c_ = (cond) ? 1 : 0;                                                         \
        if (!t_c_)                                                                         \
            t_failed++;                                                                    \
        printf("%s %d - ", t_c_ ? "ok" : "not ok", t_n);                                   \
        printf(__VA_ARGS__);                                                               \
        printf("\n");                                                                      \
        if (!t_c_)                                                                         \
            printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);                \
    } while (0)

#define T_EQ_INT(a, b, ...)                                                                \
    do {                                                                                   \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);                            \
        T_OK(t_a_ == t_b_, __VA_ARGS__);                                                   \
        if (t_a_ != t_b_)                                                                  \
            printf("#   got %lld, want %lld\n", t_a_, t_b_);                               \
    } while (0)

#define T_EQ_STR(a, b, ...)                                                                \
    do {                                                                                   \
        const char *t_a_ = (a), *t_b_ = (b);                                               \
        int t_eq_ = t_a_ && t_b_ && strcmp(t_a_, t_b_) == 0;                               \
        T_OK(t_eq_, __VA_ARGS__);                                                          \
        if (!t_eq_)                                                                        \
            printf("#   got '%s', want '%s'\n", t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); \
    } while (0)

#define T_NEAR(a, b, tol, ...)                                                             \
    do {                                                                                   \
        double t_a_ = (a), t_b_ = (b);                                                     \
        T_OK(fabs(t_a_ - t_b_) <= (tol), __VA_ARGS__);                                     \
        if (!(fabs(t_a_ - t_b_) <= (tol)))                                                 \
            printf("#   got %.10g, want %.10g ± %g\n", t_a_, t_b_, (double)(tol));         \
    } while (0)

static inline int t_done(void)
{
    printf("1..%d\n", t_n);
    printf("# %d passed, %d failed\n", t_n - t_failed, t_failed);
    return t_failed ? 1 : 0;
}

#endif
