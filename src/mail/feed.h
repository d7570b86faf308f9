/*
 * feed.h — messages a feature's own records owe, read by the sender past
 * a cursor instead of queued as outbox rows (schema 0028, docs/mail.md "A
 * new item's mail").
 *
 * The feedback POST writes no outbox row: the item it saves is the
 * durable record of its receipt and its unit's "new item" message. The
 * sender asks the feed for the messages of the records after the cursor,
 * sends them, and then, in one writer job, moves the cursor past them and
 * writes an outbox row only for a message that must wait or failed (it is
 * then retried, listed and counted like any other). A crash between the
 * send and that job sends again after the restart with the same
 * Message-ID: the ids of a feed's message are derived from the record and
 * a key kept in the database (mail_feed.key), never drawn.
 *
 * mail is a lower layer than the features: a feature registers its feed
 * once at start-up (the server and the `mail` command do it).
 */
#ifndef VK_MAIL_FEED_H
#define VK_MAIL_FEED_H

#include <stdint.h>

#include "core/config.h"
#include "db/store.h"
#include "mail/outbox.h"

/* One message a record owes, rendered. */
typedef struct mail_feed_msg {
    char recipient[255];
    char lang[3];
    char kind[24];        /* receipt or unit_new */
    const char *audience; /* MAIL_TO_REPORTER or MAIL_TO_UNIT */
    int64_t feedback_id;
    int64_t unit_id;      /* the unit addressed; 0: the reporter */
    char *subject, *text; /* malloc'd; the footer is added when sent */
} mail_feed_msg;

typedef struct mail_feed {
    /* On the sender's connection: the messages of the records after
     * `after`, at most max_records of them, into out (room for cap; a
     * record owes at most 2). *last is the last record read (after when
     * none). Addresses that asked for no more mail are left to the sender. */
    vk_err (*read)(store_conn *c, const vk_config *cfg, int64_t after, int max_records,
                   mail_feed_msg *out, int cap, int *n, int64_t *last, vk_errinfo *ei);
    /* In the writer job that moves the cursor from after to last: what the
     * records keep only until their mail is made is dropped, and msgs (n)
     * are the messages sent or kept as rows, to set right what changed
     * since they were read (an item routed to another unit meanwhile). */
    vk_err (*done)(store_conn *c, const vk_config *cfg, int64_t after, int64_t last,
                   const mail_feed_msg *msgs, int n, const char *now, vk_errinfo *ei);
    /* The address and language an unsubscribe link of record item names:
     * its reporter's (unit 0) or unit's. *found 0 when it is gone. */
    vk_err (*address)(store_conn *c, int64_t item, int64_t unit, char email[255], char lang[3],
                      int *found, vk_errinfo *ei);
    /* How many messages the records after `after` still owe. */
    vk_err (*pending)(store_conn *c, int64_t after, int64_t *n, vk_errinfo *ei);
    /* The text of compact rows queued before schema 0028 (outbox.h). */
    mail_render_fn render;
} mail_feed;

/* Register the feed (NULL: none; compact rows then wait). Before any
 * thread uses mail. */
void mail_feed_register(const mail_feed *f);
const mail_feed *mail_feed_registered(void);

/* The cursor and key (32 bytes) on c. */
vk_err mail_feed_state(store_conn *c, int64_t *cursor, unsigned char key[32], vk_errinfo *ei);

/* A feed message's Message-ID (without brackets) and unsubscribe token
 * (the whole ?t= value), derived from m and key. */
void mail_feed_ids(const vk_config *cfg, const unsigned char key[32], const mail_feed_msg *m,
                   mail_ids *out, char token[96]);

#endif
