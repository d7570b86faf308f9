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
#include "mail/feed.h"
#include "mail/outbox.h"

/* ---- a new item: the receipt and its unit's "new item" ----
 *
 * The POST writes no outbox row (schema 0028): it marks the item
 * (store_feedback_new.mail) and keeps the receipt's follow-up token in the
 * contact row. The sender reads the items past its cursor through this
 * feed (mail/feed.h), renders and sends their messages, and moves the
 * cursor. Who is mailed is decided then: the contact row's address,
 * unless the item was withdrawn or purged (the row is gone) or the
 * address asked for no more mail; the address of the unit the item is
 * routed to then, unless it takes the daily digest. The category's name
 * and the place are those of that moment, seconds after the POST as a
 * rule. The feed also renders the compact rows the POST queued before
 * schema 0028. */
extern const mail_feed feedback_mail_feed;

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
