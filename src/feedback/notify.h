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

/* A new item id: the receipt (followup: the reporter's token, or NULL
 * when the item has none or its reporter gave no address: then nothing
 * about the reporter is read) and its unit's message. */
vk_err api_notify_created(vk_ctx *ctx, int64_t id, const char *followup, const char *now,
                          vk_errinfo *ei);

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
