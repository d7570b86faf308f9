/*
 * config.h — the service configuration: filled in once by main() from
 * defaults and the command line, then frozen and shared read-only by every
 * worker (the only process-wide state).
 */
#ifndef VK_CONFIG_H
#define VK_CONFIG_H

#include <stddef.h>

typedef struct vk_config {
    const char *db_path;      /* --db, default "vaikuta.sqlite" */
    const char *listen_host;  /* --listen HOST:PORT, default 127.0.0.1:8080 */
    unsigned short port;
    const char *web_dir;      /* --web, default <source>/web */
    const char *geo_dir;      /* --geo, default <source>/geo */
    const char *seeds_dir;    /* --seeds, default <source>/seeds */
    const char *tiles_url;    /* --tiles, XYZ template; NULL = no basemap */
    const char *tiles_attribution;
    int demo;                 /* --demo: load seeds/ demo content when empty */
    unsigned demo_responses;  /* --demo-responses: generated per demo survey (3000) */
    int threads;              /* --threads, worker threads, default 2 */
    size_t body_max;          /* request body cap in bytes (1 MiB) */
    size_t response_max;      /* cap on one buffered response (64 MiB) */
    int group_commit;         /* --group-commit on|off: batch writes (default on) */
    size_t header_max;        /* bytes of request headers (16 KiB) → 431 */
    size_t uri_max;           /* bytes of path and query (8 KiB) → 414 */
    unsigned max_connections; /* --max-connections (4096; lowered to fit the open-file
                               * limit, RLIMIT_NOFILE, which serve raises to its hard limit) */
    unsigned max_per_client;  /* --max-connections-per-client (64): so that a few
                               * addresses cannot take every connection */
    unsigned timeout;         /* --timeout seconds an idle connection is kept (30) */
    unsigned request_timeout; /* --request-timeout seconds for a request's whole head and
                               * body, however steadily it trickles (10; 0 off) */
    unsigned mmap_mb;         /* --mmap MB: the server's connections read the database file
                               * through a memory map of up to this much of it (1024; 0
                               * off): no copy of each page into SQLite's own cache */
    double rate_per_minute;   /* --rate-limit: public writes per client a minute (120; 0 off) */
    double rate_burst;        /* --rate-burst (60) */
    int secure_cookies;       /* --secure-cookies: the session cookie says Secure (TLS in front) */
    int session_seconds;      /* a staff session's lifetime (8 h) */
    int contact_retention_days; /* --contact-retention-days: contact details of items
                                 * closed longer ago are deleted (365; 0 off) */
    int open311_require_key;  /* --open311-require-key: Open311 POST requests need a
                               * valid api_key (an API token of any role) */
    /* Load limits: what one client can make the server spend. */
    int query_timeout_ms;     /* --query-timeout: every request's database work must end
                               * within this (2000 ms; 0 off) → 503 query_timeout */
    int expensive_requests;   /* --expensive-requests: filtered queries, pages over 1 000
                               * items and GeoPackage builds run at once, each on its own
                               * thread, never on a connection thread (2); more → 503 busy */
    size_t response_memory;   /* --response-memory MB: bytes all buffered responses may hold
                               * until their clients have read them (256 MiB) → 503 busy */
    int max_exports;          /* --max-exports: streamed GeoJSON/CSV exports at once (4) */
    size_t export_disk;       /* --export-disk MB: bytes of GeoPackage files kept for
                               * downloads, current and superseded-but-still-read (1 GiB) */
    unsigned char address_key[32]; /* random at each start of serve, never stored: the
                                    * key of the hashes of client addresses that let
                                    * "me too" count once per item per address a day */
    const char *public_url;   /* --public-url, without a trailing slash: the start of
                               * every absolute link; main() sets http://HOST:PORT
                               * of --listen when not given. Never the Host header. */
    /* E-mail (docs/mail.md). */
    const char *smtp_url;     /* --smtp smtp://HOST[:PORT] or smtps://…; NULL = outbox only */
    int smtp_starttls;        /* --smtp-starttls: smtp:// must switch to TLS */
    const char *smtp_user;    /* --smtp-user (or user:password in the URL) */
    const char *smtp_password_file; /* --smtp-password-file: the first line is the password */
    const char *mail_from;    /* --mail-from ADDRESS (default vaikuta@localhost) */
    unsigned mail_retry_seconds; /* --mail-retry-seconds: first back-off (30), doubling */
    unsigned mail_per_minute; /* --mail-per-minute: to one recipient (20; 0 off) */
} vk_config;

#define VK_DEFAULT_DB "vaikuta.sqlite"
#define VK_DEFAULT_LISTEN "127.0.0.1:8080"
#define VK_DEFAULT_BODY_MAX (1024 * 1024)
#define VK_DEFAULT_RESPONSE_MAX (64u * 1024 * 1024)
#define VK_DEFAULT_HEADER_MAX (16 * 1024)
#define VK_DEFAULT_URI_MAX (8 * 1024)
#define VK_DEFAULT_CONTACT_RETENTION_DAYS 365
#define VK_DEFAULT_QUERY_TIMEOUT_MS 2000
#define VK_DEFAULT_EXPENSIVE_REQUESTS 2
#define VK_DEFAULT_RESPONSE_MEMORY (256u * 1024 * 1024)
#define VK_DEFAULT_MAX_EXPORTS 4
#define VK_DEFAULT_EXPORT_DISK (1024u * 1024 * 1024)
#define VK_DEFAULT_MAX_CONNECTIONS 4096
#define VK_DEFAULT_MAX_PER_CLIENT 64
#define VK_DEFAULT_REQUEST_TIMEOUT 10
#define VK_DEFAULT_MAIL_FROM "vaikuta@localhost"
#define VK_DEFAULT_MAIL_RETRY_SECONDS 30
#define VK_DEFAULT_MAIL_PER_MINUTE 20
#define VK_DEFAULT_MMAP_MB 1024

#endif
