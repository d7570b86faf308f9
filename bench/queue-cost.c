/*
 * queue-cost.c — build/bench_queue_cost DB N CONTACT: the writer's CPU
 * time (CLOCK_THREAD_CPUTIME_ID) for N durable feedback creates, each its
 * own transaction and commit as with --group-commit off (issue 17's
 * "queuing adds < 5 %", bench/write.sh MAIL=1 for the rates). Every
 * report is lighting, routed to street maintenance: bench/write.sh's
 * queue-cost section sets or clears that unit's address between runs.
 * CONTACT 0: no contact details; 1: an address (the receipt queued); 2: a
 * name and a phone (the contact row, no mail). The measured part is the
 * writer's job (with the item's mail mark and receipt token, schema 0028:
 * the sender makes the messages from the item later); parsing and checks
 * are not.
 * Prints µs per create. DB is changed: give it a copy.
 *
 * Under valgrind --tool=callgrind --instr-atstart=no only the measured
 * part is counted, so the run's total instructions ÷ N is a figure the
 * machine's other load does not move (bench/write.sh MAIL=qc with
 * QC_CALLGRIND=1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "db/ctx.h"
#include "db/writer.h"
#include "feedback/feedback.h"
#include "feedback/jobs.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

static int64_t thread_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_queue_cost DB N CONTACT(0 none, 1 address, 2 phone)\n");
        return 2;
    }
    vk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = argv[1];
    cfg.mail_from = "palaute@kunta.fi";
    cfg.public_url = "https://palaute.example.fi";
    int n = atoi(argv[2]), contact = atoi(argv[3]);
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    vk_ctx *ctx = NULL;
    if (vk_ctx_open(&ctx, &cfg, &ei)) {
        fprintf(stderr, "bench_queue_cost: %s\n", ei.message);
        return 1;
    }
    int64_t writer = 0;
    int done = 0;
    for (int i = 0; i < n; i++) {
        char body[512], who[128] = "";
        if (contact == 1)
            snprintf(who, sizeof who, ",\"contact\":{\"email\":\"r%d@example.org\",\"language\":\"fi\"}", i);
        else if (contact == 2)
            snprintf(who, sizeof who, ",\"contact\":{\"name\":\"R %d\",\"phone\":\"040 %07d\"}", i, i);
        /* Points around Imatra's centre, inside the municipality. */
        snprintf(body, sizeof body,
                 "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]},"
                 "\"properties\":{\"category\":\"lighting\",\"description\":\"Katuvalo ei pala (%d)\"%s}}",
                 28.77 + (i % 100 - 50) * 0.0004, 61.19 + (i / 100 % 100 - 50) * 0.0002, i, who);
        json_t *doc = NULL;
        api_feedback_input in;
        memset(&in, 0, sizeof in);
        if (api_json_parse(body, strlen(body), &doc, &ei) ||
            api_feedback_read(ctx, doc, API_INPUT_PUBLIC, &in, &ei)) {
            fprintf(stderr, "bench_queue_cost: %s\n", ei.message);
            return 1;
        }
        api_create_job job;
        memset(&job, 0, sizeof job);
        job.job.run = api_job_create;
        job.row = in.row;
        job.location_prefix = "/api/v1/feedback/";
        char followup[API_FOLLOWUP_TOKEN_LEN + 1], hash[65];
        api_followup_token(followup);
        api_followup_hash(followup, strlen(followup), hash);
        job.row.followup_hash = hash;
        job.row.receipt_token = followup;
        job.row.mail = 1;
        int64_t t0 = thread_ns();
        CALLGRIND_START_INSTRUMENTATION;
        vk_writer_run_one(ctx, &job.job);
        CALLGRIND_STOP_INSTRUMENTATION;
        writer += thread_ns() - t0;
        done += job.job.err.code == VK_OK && job.job.status == 201;
        vk_write_job_fini(&job.job);
        api_feedback_input_fini(&in);
        json_decref(doc);
    }
    vk_ctx_free(ctx);
    if (done != n) {
        fprintf(stderr, "bench_queue_cost: %d of %d creates failed\n", n - done, n);
        return 1;
    }
    printf("%.1f\n", (double)writer / 1000.0 / n);
    return 0;
}
