/*
 * sender.h — the background sender of the outbox (outbox.h) through the
 * operator's SMTP relay, with libcurl's SMTP support.
 *
 * One thread reads the due messages (its own connection), sends each,
 * then hands the results to the writer as one job and waits for its
 * commit before it reads again, so a message is never sent twice by one
 * run; a crash between the send and the commit sends it again after the
 * restart, with the same Message-ID. Requests never wait for it.
 *
 * A refusal with a 5xx reply fails the message for good (kept with the
 * reply for admins); anything else (relay down, 4xx) is tried again after
 * cfg->mail_retry_seconds, doubling each time up to 6 hours, and fails
 * after MAIL_MAX_ATTEMPTS. One recipient gets at most
 * cfg->mail_per_minute messages a minute; the rest wait, uncounted.
 */
#ifndef VK_MAIL_SENDER_H
#define VK_MAIL_SENDER_H

#include "core/config.h"
#include "core/err.h"
#include "db/writer.h"
#include "mail/outbox.h"

#define MAIL_MAX_ATTEMPTS 12

typedef struct mail_sender mail_sender;

/* Start the thread when cfg has a relay (else *out is NULL: outbox only).
 * Reads --smtp-password-file now. Each step sends the registered feed's
 * messages (mail/feed.h), then the due rows. Caller stops with
 * mail_sender_stop(). */
vk_err mail_sender_start(mail_sender **out, const vk_config *cfg, vk_writer *w, vk_errinfo *ei);
/* Finish the message being sent and its bookkeeping, then stop (NULL: nothing). */
void mail_sender_stop(mail_sender *s);

/* The `mail test` command: queue a test message to `to` and send what is
 * due now (the registered feed's messages too), on ctx (no server
 * running). *sent is the number sent. */
vk_err mail_send_test(vk_ctx *ctx, const char *to, int *sent, vk_errinfo *ei);

/* Check the relay options: VK_EVALUE with the option's name. */
vk_err mail_config_check(const vk_config *cfg, vk_errinfo *ei);

#endif
