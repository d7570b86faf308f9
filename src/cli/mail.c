/* mail.c — `vaikuta mail test`: send a test message through the relay. */
#include <stdio.h>
#include <string.h>
#include <getopt.h>

#include "cli/cli.h"
#include "feedback/notify.h"
#include "mail/sender.h"

static const char usage_mail[] =
    "Usage: vaikuta mail test --to ADDRESS --smtp URL [OPTIONS]\n"
    "\n"
    "Queue a test message to ADDRESS in the database's outbox and send what is\n"
    "due now through the relay; says what the relay answered.\n"
    "\n"
    "Options:\n"
    "  --db PATH           SpatiaLite database (default " VK_DEFAULT_DB ")\n"
    "  --to ADDRESS        where the test message goes\n"
    "  --smtp URL          smtp://HOST[:PORT] or smtps://HOST[:PORT]\n"
    "  --smtp-starttls     an smtp:// relay must switch to TLS first\n"
    "  --smtp-user NAME    the relay's user name\n"
    "  --smtp-password-file FILE  the relay's password: the file's first line\n"
    "  --mail-from ADDRESS the sender (default " VK_DEFAULT_MAIL_FROM ")\n"
    "  --public-url URL    the start of the unsubscribe link\n";

static int opt_public_url(void *cfg, char *arg)
{
    return parse_public_url(cfg, arg);
}

int cmd_mail(int argc, char **argv)
{
    vk_config cfg;
    const char *to = NULL;
    const cli_option more[] = {
        CLI_TEXT("to", &to),
        CLI_TEXT("smtp", &cfg.smtp_url),
        CLI_SWITCH("smtp-starttls", &cfg.smtp_starttls),
        CLI_TEXT("smtp-user", &cfg.smtp_user),
        CLI_TEXT("smtp-password-file", &cfg.smtp_password_file),
        CLI_TEXT("mail-from", &cfg.mail_from),
        {"public-url", 0, CLI_PARSE, &cfg, 0, 0,
         "vaikuta mail: %s wants http(s)://HOST[:PORT][/PATH]\n", opt_public_url},
    };
    int r = cli_parse_db(argc, argv, &cfg, more, CLI_NOPTS(more), usage_mail);
    if (r >= 0)
        return r;
    if (optind >= argc || strcmp(argv[optind], "test") != 0 || optind + 1 != argc || !to) {
        fputs(usage_mail, stderr);
        return 2;
    }
    if (!cfg.public_url)
        cfg.public_url = "http://127.0.0.1:8080";
    vk_ctx *ctx = NULL;
    if (open_main(&cfg, "mail", &ctx))
        return 1;
    vk_errinfo ei;
    vk_errinfo_clear(&ei);
    int sent = 0;
    mail_feed_register(&feedback_mail_feed);
    vk_err e = mail_send_test(ctx, to, &sent, &ei);
    vk_ctx_free(ctx);
    if (e)
        return fail("mail test", &ei);
    printf("mail test: %d message%s sent through %s\n", sent, sent == 1 ? "" : "s", cfg.smtp_url);
    return 0;
}
