/*
 * serve.c — `serve` and `init`: the configuration from the options, the
 * reference data, and the server put together from the features.
 */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/routes.h"
#include "reference/reference.h"
#include "feedback/feedback.h"
#include "feedback/jobs.h"
#include "feedback/notify.h"
#include "feedback/photos.h"
#include "auth/auth.h"
#include "auth/roles.h"
#include "auth/signin.h"
#include "core/clock.h"
#include "core/log.h"
#include "exchange/export.h"
#include "http/limits.h"
#include "http/server.h"
#include "mail/outbox.h"
#include "mail/sender.h"
#include "media/photo.h"
#include "stats/stats.h"
#include "stats/stats_index.h"
#include "features/count_grid.h"
#include "tiles/cache.h"
#include "budget/layers.h"
#include "budget/notify.h"
#include "survey/api.h"
#include "survey/seed.h"
#include "survey/layers.h"
#include "survey/publish.h"
#include "walk/api.h"
#include "walk/demo.h"
#include "places/load.h"
#include "budget/demo.h"
#include "walk/layers.h"
#include "walk/store.h"

/* Sign-ins that may wait for their password check at once (signin.h);
 * about 0.1 s each, so the last waits under a second. */
#define SIGNIN_QUEUE 8

static const char usage_serve[] =
    "Usage: vaikuta serve [OPTIONS]\n"
    "\n"
    "Run the HTTP service. A missing database is created and migrated; the\n"
    "reference areas (geo/) and categories (seeds/) are loaded into it once.\n"
    "\n"
    "Options:\n"
    "  --db PATH           SpatiaLite database (default " VK_DEFAULT_DB ")\n"
    "  --listen HOST:PORT  address to listen on (default " VK_DEFAULT_LISTEN ")\n"
    "  --web DIR           web client directory (default: the repository's web/)\n"
    "  --geo DIR           reference geodata directory (default: the repository's geo/)\n"
    "  --seeds DIR         categories and demo content (default: the repository's seeds/)\n"
    "  --demo              load the demo feedback and surveys into a database without them\n"
    "  --demo-responses N  generated responses per demo survey (default 3000)\n"
    "  --tiles URL         XYZ basemap template for the client, e.g.\n"
    "                      https://tile.example.org/{z}/{x}/{y}.png (default: none,\n"
    "                      the map shows district outlines only)\n"
    "  --tiles-attribution TEXT  attribution shown for the basemap\n"
    "  --threads N         worker threads (default 2)\n"
    "  --group-commit on|off  commit queued writes together (default on)\n"
    "  --mmap MB           map this much of the database file for reads (1024; 0 off)\n"
    "  --rate-limit N      public writes per client address a minute (default 120;\n"
    "                      0 turns the limit off)\n"
    "  --rate-burst N      writes a client may make at once (default 60)\n"
    "  --max-connections N             open connections in all (default 4096, fewer\n"
    "                      if the open-file limit is lower)\n"
    "  --max-connections-per-client N  from one address (default 64)\n"
    "  --timeout S         seconds an idle connection is kept (default 30)\n"
    "  --request-timeout S seconds a request's head and body may take to arrive,\n"
    "                      however steadily they trickle (default 10; 0 turns it off)\n"
    "  --secure-cookies    mark the staff session cookie Secure (serve behind TLS)\n"
    "  --contact-retention-days N  delete the contact details of feedback closed\n"
    "                      more than N days ago, at start and hourly (default 365;\n"
    "                      0 turns the schedule off)\n"
    "  --open311-require-key  Open311 POST requests need api_key, an API token\n"
    "                      from `vaikuta token create` (default: optional)\n"
    "  --query-timeout MS  longest database work of one request (default 2000;\n"
    "                      0 off); longer ones answer 503 query_timeout\n"
    "  --expensive-requests N  filtered queries, pages over 1000 items and\n"
    "                      GeoPackage builds at once, off the connection threads\n"
    "                      (default 2); more answer 503 busy with Retry-After\n"
    "  --response-memory MB  memory all answers waiting for slow clients may hold\n"
    "                      (default 256); beyond it large answers are 503 busy\n"
    "  --max-exports N     GeoJSON/CSV exports being sent at once (default 4)\n"
    "  --export-disk MB    disk for GeoPackage exports, shared per data version\n"
    "                      (default 1024)\n"
    "  --public-url URL    the service's public address, e.g. https://palaute.example.fi\n"
    "                      (a path prefix is allowed): every absolute link (OGC API,\n"
    "                      Open311) starts with it. Default: http://HOST:PORT of\n"
    "                      --listen. Links never follow the request's Host header.\n"
    "  --smtp URL          send e-mail through this relay: smtp://HOST[:PORT] or\n"
    "                      smtps://HOST[:PORT], user:password@ allowed (default: none;\n"
    "                      messages stay in the outbox and /healthz says \"outbox only\")\n"
    "  --smtp-starttls     an smtp:// relay must switch to TLS (STARTTLS) first\n"
    "  --smtp-user NAME    the relay's user name\n"
    "  --smtp-password-file FILE  the relay's password: the file's first line\n"
    "  --mail-from ADDRESS the sender of every message (default " VK_DEFAULT_MAIL_FROM ")\n"
    "  --mail-retry-seconds N  the first wait after a failed send, doubling each\n"
    "                      time up to 6 hours (default 30)\n"
    "  --mail-per-minute N messages to one address a minute at most (default 20;\n"
    "                      0 turns the limit off)\n"
    "  -h, --help          show this help\n";

static const char usage_init[] =
    "Usage: vaikuta init [--db PATH] [--geo DIR] [--seeds DIR] [--demo [--demo-responses N]]\n"
    "\n"
    "Create (or migrate) the database, load the reference areas and the\n"
    "categories when missing, and with --demo the demo feedback and surveys; then exit.\n";



/* ---- what the server is given (http/server.h) ---- */

static vk_err require_access(vk_ctx *ctx, const vk_req *req, int access, vk_resp *resp,
                             vk_staff *who)
{
    return api_auth_require(ctx, req, (vk_access)access, resp, who);
}

/* Credentials on a public read: staff of any role, or as for anyone. */
static int identify_staff(vk_ctx *ctx, const vk_req *req, vk_staff *who)
{
    vk_resp scratch;
    vk_resp_init(&scratch, 256);
    int ok = api_auth_require(ctx, req, VK_ACCESS_STAFF, &scratch, who) == VK_OK;
    vk_resp_fini(&scratch);
    vk_errinfo_clear(&ctx->err);
    return ok;
}

/* Map tiles kept in memory: a city's low zooms many times over. */
#define TILE_CACHE_BYTES ((size_t)64 << 20)

/* The features' state the workers share. */
typedef struct served_features {
    api_exports *exports; /* shared GeoPackage files, export counts */
    api_stats *stats;     /* the aggregates' snapshot */
    count_grid *counts;   /* numberMatched of public items, from memory */
    tile_cache *tiles;    /* encoded map tiles by data version */
    api_signin *signin;   /* password checks, off the request threads */
    mail_sender *mail;    /* the outbox's sender; NULL without --smtp */
} served_features;

/* Photo decodes at once: one per core (each decode is one libvips
 * thread), at most four; and uploads that may wait for one. */
#define PHOTO_WAITING 16
static int photo_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4 ? 4 : (int)n;
}

static void features_stop(void *arg)
{
    served_features *f = arg;
    photo_server_stop();
    mail_sender_stop(f->mail);
    api_signin_free(f->signin);
    api_stats_free(f->stats);
    count_grid_free(f->counts);
    tile_cache_free(f->tiles);
    api_exports_free(f->exports);
    memset(f, 0, sizeof *f);
}

/* The sign-in queue serves the connection threads only: a sign-in is
 * never an expensive request's. */
static vk_err features_start(void *arg, const vk_config *cfg, vk_ctx_pool *pool,
                             vk_ctx_pool *heavy_pool, vk_errinfo *ei)
{
    served_features *f = arg;
    vk_err e = api_exports_new(&f->exports, cfg, ei);
    if (!e && api_stats_new(&f->stats))
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e && count_grid_new(&f->counts))
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e && tile_cache_new(&f->tiles, TILE_CACHE_BYTES))
        e = vk_fail(ei, VK_ENOMEM, "", NULL);
    if (!e)
        e = api_signin_start(&f->signin, cfg, SIGNIN_QUEUE, ei);
    if (!e)
        e = photo_server_start(photo_threads(), PHOTO_WAITING, ei);
    if (!e) {
        /* The sender hands its bookkeeping to the server's writer. */
        vk_ctx *c = vk_ctx_pool_get(pool);
        vk_writer *w = c->writer;
        vk_ctx_pool_put(pool, c);
        /* A new item's mail is read from the item (mail/feed.h). */
        mail_feed_register(&feedback_mail_feed);
        e = mail_sender_start(&f->mail, cfg, w, ei);
    }
    if (e) {
        features_stop(f);
        return e;
    }
    vk_ctx_pool_set_exports(pool, f->exports);
    vk_ctx_pool_set_exports(heavy_pool, f->exports);
    vk_ctx_pool_set_stats(pool, f->stats);
    vk_ctx_pool_set_stats(heavy_pool, f->stats);
    vk_ctx_pool_set_counts(pool, f->counts);
    vk_ctx_pool_set_counts(heavy_pool, f->counts);
    vk_ctx_pool_set_tiles(pool, f->tiles);
    vk_ctx_pool_set_tiles(heavy_pool, f->tiles);
    vk_ctx_pool_set_signin(pool, f->signin);
    return VK_OK;
}

/* Build the aggregates' snapshot right after start (seconds for a million
 * items), so the first visitor of the statistics does not wait for it. */
static void features_warm(void *arg, vk_ctx *ctx)
{
    served_features *f = arg;
    stats_view v;
    /* The item counts first: items requests count by SQL until they are. */
    int64_t t0 = vk_monotonic_us();
    if (count_grid_refresh(f->counts, ctx->store, &ctx->err) == VK_OK)
        vk_log("item counts ready (%.1f s; map cluster sums %.1f MB)",
               (double)(vk_monotonic_us() - t0) / 1e6,
               (double)count_grid_sums_bytes(f->counts) / (1 << 20));
    else
        vk_log("item counts not prepared at start (%s); the first request will try again",
               ctx->err.message);
    t0 = vk_monotonic_us();
    if (api_stats_acquire(f->stats, ctx, &v) == VK_OK) {
        api_stats_release(&v);
        vk_log("statistics ready (%.1f s)", (double)(vk_monotonic_us() - t0) / 1e6);
    } else {
        vk_log("statistics not prepared at start (%s); the first request will try again",
               ctx->err.message);
    }
}

/* Answer the sign-ins that wait before the connections close. */
static void features_quiesce(void *arg)
{
    served_features *f = arg;
    api_signin_stop(f->signin);
    photo_server_stop(); /* its uploads reach the writer, which answers them */
    mail_sender_stop(f->mail); /* its last bookkeeping reaches the writer too */
    f->mail = NULL;
}

/* Every connection is an open file: raise the soft limit as far as the
 * hard one allows, and serve fewer connections than asked if that is not
 * enough (the database, logs and threads need some files too). */
static void fit_open_files(vk_config *cfg)
{
    const rlim_t spare = 64;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = (rlim_t)cfg->max_connections + spare;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        unsigned fit = rl.rlim_cur > spare * 2 ? (unsigned)(rl.rlim_cur - spare) : 64;
        vk_log("the open-file limit (%llu) allows %u connections, not %u; raise it (ulimit -n, "
               "LimitNOFILE=) to serve more", (unsigned long long)rl.rlim_cur, fit,
               cfg->max_connections);
        cfg->max_connections = fit;
    }
    if (cfg->max_per_client > cfg->max_connections)
        cfg->max_per_client = cfg->max_connections;
}

/* ---- the options ---- */

static int opt_listen(void *cfg, char *arg)
{
    return parse_listen(cfg, arg);
}

static int opt_public_url(void *cfg, char *arg)
{
    return parse_public_url(cfg, arg);
}

static int opt_threads(void *target, char *arg)
{
    int *threads = target;
    *threads = atoi(arg);
    return *threads < 1 || *threads > 64 ? -1 : 0;
}

static int opt_on_off(void *target, char *arg)
{
    if (strcmp(arg, "on") && strcmp(arg, "off"))
        return -1;
    *(int *)target = strcmp(arg, "on") == 0;
    return 0;
}

#define WHOLE "vaikuta serve: %s wants a whole number\n"

/* The writer takes one hook: the features' periodic work, chained. */
static void writer_hooks_run(vk_ctx *ctx, void *arg)
{
    (void)arg;
    api_feedback_retention_hook.run(ctx, api_feedback_retention_hook.arg);
    survey_draft_purge_hook.run(ctx, survey_draft_purge_hook.arg);
    photo_purge_hook.run(ctx, photo_purge_hook.arg);
    budget_results_hook.run(ctx, budget_results_hook.arg);
    feedback_digest_hook.run(ctx, feedback_digest_hook.arg);
}
static const vk_writer_hook writer_hooks = {3600, writer_hooks_run, NULL};

/* Put the server together from the features and serve until SIGINT or
 * SIGTERM; the exit status. */
static int serve(vk_config *cfg)
{
    /* Block the stop signals in every thread; the main thread waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    randombytes_buf(cfg->address_key, sizeof cfg->address_key);
    fit_open_files(cfg);
    /* The collections features add to OGC API (features/registry.h). */
    if (api_stats_register_collections(&ei) || survey_layers_register(&ei) || survey_publish_register(&ei) ||
        walk_layers_register(&ei) || budget_layers_register(&ei) || walk_api_init(&ei) || walk_photos_register(&ei) ||
        api_feedback_photos_register(&ei))
        return fail("serve", &ei);
    /* Photos: libvips before any thread, and the one route whose body may
     * exceed --body-max. */
    photo_set_reviewers(1u << VK_ROLE_ADMIN | 1u << VK_ROLE_MODERATOR);
    if (photo_lib_init("vaikuta", &ei) ||
        http_limits_allow_body("POST", "/api/v1/photos", PHOTO_MAX_BYTES, &ei))
        return fail("serve", &ei);
    served_features features = {0};
    const http_server_hooks hooks = {
        .routes = &vk_route_table_all,
        .require = require_access,
        .identify = identify_staff,
        .features = &features,
        .start = features_start,
        .warm = features_warm,
        .quiesce = features_quiesce,
        .stop = features_stop,
        .writer_hook = &writer_hooks,
    };
    http_server *srv = NULL;
    if (http_server_start(&srv, cfg, &hooks, &ei))
        return fail("serve", &ei);
    vk_log("vaikuta %s listening on http://%s:%u/ (database %s; links say %s)", VK_VERSION,
           cfg->listen_host, cfg->port, cfg->db_path, cfg->public_url);
    int sig = 0;
    sigwait(&stop, &sig);
    vk_log("received %s: finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_server_stop(srv, 10000);
    walk_api_fini();
    vk_log("stopped; database closed");
    return 0;
}

/* Read serve's and init's options into cfg: -1 to go on, else the exit
 * status (cli_parse). */
static int serve_options(int argc, char **argv, int init_only, vk_config *cfg)
{
    const cli_option opts[] = {
        CLI_TEXT("db", &cfg->db_path),
        {"listen", 0, CLI_PARSE, cfg, 0, 0,
         "vaikuta serve: %s wants HOST:PORT, e.g. 127.0.0.1:8080\n", opt_listen},
        CLI_TEXT("web", &cfg->web_dir),
        CLI_TEXT("geo", &cfg->geo_dir),
        CLI_TEXT("seeds", &cfg->seeds_dir),
        CLI_SWITCH("demo", &cfg->demo),
        {"demo-responses", 0, CLI_UINT, &cfg->demo_responses, 0, 100000, WHOLE, NULL},
        CLI_TEXT("tiles", &cfg->tiles_url),
        CLI_TEXT("tiles-attribution", &cfg->tiles_attribution),
        {"threads", 0, CLI_PARSE, &cfg->threads, 0, 0, "vaikuta serve: %s must be 1..64\n",
         opt_threads},
        {"group-commit", 0, CLI_PARSE, &cfg->group_commit, 0, 0,
         "vaikuta serve: %s is on or off\n", opt_on_off},
        {"mmap", 0, CLI_UINT, &cfg->mmap_mb, 0, 65536,
         "vaikuta serve: %s wants whole megabytes, 0..65536 (0 turns the map off)\n", NULL},
        {"rate-limit", 0, CLI_DOUBLE, &cfg->rate_per_minute, 0, 1000000, WHOLE, NULL},
        {"rate-burst", 0, CLI_DOUBLE, &cfg->rate_burst, 1, 1000000, WHOLE, NULL},
        {"max-connections", 0, CLI_UINT, &cfg->max_connections, 1, 1000000, WHOLE, NULL},
        {"max-connections-per-client", 0, CLI_UINT, &cfg->max_per_client, 1, 1000000, WHOLE,
         NULL},
        {"timeout", 0, CLI_UINT, &cfg->timeout, 1, 1000000, WHOLE, NULL},
        {"request-timeout", 0, CLI_UINT, &cfg->request_timeout, 0, 3600,
         "vaikuta serve: %s wants whole seconds, 0..3600 (0 turns the deadline off)\n", NULL},
        CLI_SWITCH("secure-cookies", &cfg->secure_cookies),
        {"contact-retention-days", 0, CLI_INT, &cfg->contact_retention_days, 0, 100000,
         "vaikuta serve: %s wants a whole number of days (0 turns the purge off)\n", NULL},
        CLI_SWITCH("open311-require-key", &cfg->open311_require_key),
        {"query-timeout", 0, CLI_INT, &cfg->query_timeout_ms, 0, 1000000, WHOLE, NULL},
        {"expensive-requests", 0, CLI_INT, &cfg->expensive_requests, 1, 64,
         "vaikuta serve: %s wants a whole number from 1 to 64\n", NULL},
        {"response-memory", 0, CLI_MB, &cfg->response_memory, 1, 1000000, WHOLE, NULL},
        {"max-exports", 0, CLI_INT, &cfg->max_exports, 1, 1000000, WHOLE, NULL},
        {"export-disk", 0, CLI_MB, &cfg->export_disk, 1, 1000000, WHOLE, NULL},
        {"public-url", 0, CLI_PARSE, cfg, 0, 0,
         "vaikuta serve: %s wants http(s)://HOST[:PORT][/PATH], e.g. "
         "https://palaute.example.fi\n",
         opt_public_url},
        CLI_TEXT("smtp", &cfg->smtp_url),
        CLI_SWITCH("smtp-starttls", &cfg->smtp_starttls),
        CLI_TEXT("smtp-user", &cfg->smtp_user),
        CLI_TEXT("smtp-password-file", &cfg->smtp_password_file),
        CLI_TEXT("mail-from", &cfg->mail_from),
        {"mail-retry-seconds", 0, CLI_UINT, &cfg->mail_retry_seconds, 1, 86400, WHOLE, NULL},
        {"mail-per-minute", 0, CLI_UINT, &cfg->mail_per_minute, 0, 1000000, WHOLE, NULL},
    };
    return cli_parse(argc, argv, opts, CLI_NOPTS(opts), init_only ? usage_init : usage_serve);
}

static int serve_or_init(int argc, char **argv, int init_only)
{
    vk_config cfg;
    config_defaults(&cfg);
    int r = serve_options(argc, argv, init_only, &cfg);
    if (r >= 0)
        return r;
    /* Absolute links start with the configured public address, or the one
     * the server listens on: never with what a client sends as Host. */
    static char listen_url[64];
    if (!cfg.public_url) {
        snprintf(listen_url, sizeof listen_url, "http://%s:%u", cfg.listen_host, cfg.port);
        cfg.public_url = listen_url;
    }
    const char *cmd = init_only ? "init" : "serve";
    vk_errinfo cei;
    vk_errinfo_clear(&cei);
    if (mail_config_check(&cfg, &cei)) {
        fprintf(stderr, "vaikuta %s: %s\n", cmd, cei.message);
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "vaikuta %s: unexpected argument '%s'\n", cmd, argv[optind]);
        return 2;
    }

    vk_ctx *ctx = NULL;
    if (open_main(&cfg, cmd, &ctx))
        return 1;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int added = 0, surveys = 0, responses = 0, walks = 0, findings = 0, rounds = 0, ballots = 0;
    int64_t gazetteer = 0;
    if (api_seed_reference(ctx, cfg.geo_dir, cfg.seeds_dir, &ei) ||
        (cfg.demo && api_seed_demo(ctx, cfg.seeds_dir, &added, &ei)) ||
        (cfg.demo && survey_seed_demo(ctx, cfg.seeds_dir, (int)cfg.demo_responses, &surveys,
                                      &responses, &ei)) ||
        (cfg.demo && walk_demo_load(ctx, cfg.seeds_dir, &walks, &findings, &ei)) ||
        (cfg.demo && budget_demo_load(ctx, cfg.seeds_dir, &rounds, &ballots, &ei)) ||
        (cfg.demo && gaz_load_demo(ctx, cfg.geo_dir, &gazetteer, &ei))) {
        vk_ctx_free(ctx);
        return fail(cmd, &ei);
    }
    if (cfg.demo) {
        vk_log("demo content: %d feedback items added", added);
        vk_log("demo content: %d surveys with %d responses added", surveys, responses);
        vk_log("demo content: %d accessibility walks with %d findings added", walks, findings);
        vk_log("demo content: %d budgeting rounds with %d ballots added", rounds, ballots);
        vk_log("demo content: %lld addresses and places in the gazetteer", (long long)gazetteer);
    }
    vk_ctx_free(ctx);
    if (init_only)
        return 0;

    return serve(&cfg);
}


int cmd_serve(int argc, char **argv) { return serve_or_init(argc, argv, 0); }
int cmd_init(int argc, char **argv) { return serve_or_init(argc, argv, 1); }
