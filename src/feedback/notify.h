/*
 * notify.h — the e-mail feedback sends (docs/mail.md), queued in the
 * outbox (mail/outbox.h) inside the writer job of the change that causes
 * it: to a reporter who gave an address, the receipt with the follow-up
 * link, each public answer and status change, and a merge into another
 * item, in the language they used; to a unit with an address, the items
 * routed to it. A message says only the item's number, category, status
 * and the public answer (and to a unit its place): never a description,
 * another person's details or an internal note.
 */
#ifndef VK_FEEDBACK_NOTIFY_H
#define VK_FEEDBACK_NOTIFY_H

#include <stdint.h>

#include "db/ctx.h"
#include "db/writer.h"
#include "mail/outbox.h"

/* ---- a new item: the receipt and its unit's "new item" ----
 *
 * Both are compact rows (mail/outbox.h): the request thread decides who
 * gets what and draws the ids (api_notify_prepare), the writer job only
 * inserts the rows (api_notify_created), and the sender renders the text
 * when it sends (api_notify_render): the category's name and the place
 * are then those of that moment, seconds later as a rule. */
typedef struct api_notify_plan {
    int receipt, unit;        /* 1: queue it */
    const char *reporter;     /* borrowed: the request's contact address */
    char reporter_lang[3];
    char unit_email[255], unit_lang[3];
    mail_ids receipt_ids, unit_ids;
} api_notify_plan;

/* On the request thread, with its own connection: the reporter's address
 * (email, may be NULL; language their language), and the address of the
 * unit that category routes to unless it has none or takes the digest.
 * An address that asked for no more mail is queued all the same and
 * cancelled by the sender when it comes to it. p borrows email. */
vk_err api_notify_prepare(vk_ctx *ctx, const char *category, const char *email,
                          const char *language, api_notify_plan *p, vk_errinfo *ei);

/* In the writer job of new item id: queue what p says (the receipt only
 * with followup, the reporter's token). No reads. */
vk_err api_notify_created(vk_ctx *ctx, int64_t id, const api_notify_plan *p,
                          const char *followup, const char *now, vk_errinfo *ei);

/* The renderer of compact rows (mail_render_fn) for the sender. */
vk_err api_notify_render(store_conn *c, const vk_config *cfg, const char *kind, int64_t id,
                         const char *params, const char *lang, vk_buf *subject, vk_buf *text,
                         int *found, vk_errinfo *ei);

/* A staff change of item id: status from → to (equal when unchanged),
 * answer (NULL when none) with its Swedish and English versions (NULL
 * when not written: the reporter then reads answer), unit_changed when it
 * was routed to another unit (the new unit is told it was reassigned; the
 * old one's unsent "new item" message is cancelled); kind "merge" for a
 * merge into duplicate_of. */
vk_err api_notify_changed(vk_ctx *ctx, int64_t id, const char *kind, const char *from,
                          const char *to, const char *answer, const char *answer_sv,
                          const char *answer_en, int64_t duplicate_of, int unit_changed,
                          const char *now, vk_errinfo *ei);

/* The writer's hourly check: a unit that takes the daily digest (and has
 * an address) gets, once a day, one message in its language listing the
 * items routed to it since the last one, saved with it or reassigned to
 * it, and still its own (none: no message). */
extern const vk_writer_hook feedback_digest_hook;

#endif
