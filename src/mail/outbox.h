/*
 * outbox.h — the durable outbox of e-mail (docs/mail.md). A feature
 * queues a message inside the transaction of the change that causes it
 * (a writer job's run), so the message and the change commit together or
 * not at all; the sender (mail/sender.h) sends it later. Queuing fixes the
 * Message-ID and the one-click unsubscribe token; the footer with the
 * unsubscribe links and the HTML part are made when it is sent. The
 * feedback POST queues compact rows instead (below): no text, rendered
 * by the sender.
 *
 * States: queued (waiting, maybe after failed attempts: attempts,
 * next_attempt, last_error) → sent (never sent again) | failed (a
 * permanent refusal, 5xx, or too many attempts) | cancelled (the item
 * was withdrawn, its contact details purged, or the address
 * unsubscribed). The bodies are emptied once a message leaves the queue.
 */
#ifndef VK_MAIL_OUTBOX_H
#define VK_MAIL_OUTBOX_H

#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/json.h"
#include "db/store.h"

/* Who a message is for: cancelling an item's messages (withdrawal, purge)
 * concerns its reporter's only. */
#define MAIL_TO_REPORTER "reporter"
#define MAIL_TO_UNIT "unit"
#define MAIL_TO_TEST "test"
/* Those who asked (mail_subscribe): a survey's respondent, a budgeting
 * round's voter, a council member following an area's walk findings. */
#define MAIL_TO_RESPONDENT "respondent"
#define MAIL_TO_VOTER "voter"
#define MAIL_TO_COUNCIL "council"

typedef struct mail_new {
    const char *recipient; /* an address; a message to an unsafe one is not queued */
    const char *language;  /* fi, sv or en (anything else: fi) */
    const char *kind;      /* receipt, answer, status, merge, unit_new, test */
    const char *audience;  /* MAIL_TO_… */
    int64_t feedback_id;   /* the item it is about; 0 = none */
    const char *subject;
    const char *text;      /* the message; the footer with the unsubscribe links is added when sent */
    int64_t subscription_id; /* the mail_subscription it is sent for; 0 = none */
} mail_new;

/* Queue m at time now (RFC 3339) inside the caller's transaction. *queued
 * (may be NULL) is 0 when the address asked for no more mail about this
 * item (or any) or is not a safe address; that is not an error. */
vk_err mail_queue(store_conn *c, const vk_config *cfg, const mail_new *m, const char *now,
                  int *queued, vk_errinfo *ei);

/* ---- compact rows (schema 0024): queued with what rendering needs ----
 *
 * The feedback POST's messages (a receipt, a unit's "new item") are queued
 * as a compact row: no subject or text, but the kind, the item, params
 * (what only the moment of queuing knows) and ids drawn before the job
 * reaches the writer. The sender renders them when it sends, with the
 * renderer given to mail_sender_start(). Everything that needs a system
 * call or a read (the random ids, the unsubscribe check, the recipient's
 * address and language) is done on the request thread, so the writer's
 * part is one INSERT. */

/* A message's Message-ID (without brackets) and unsubscribe secret. */
typedef struct mail_ids {
    char message_id[128];
    char secret[33];
} mail_ids;

/* Draw n fresh ids (one getrandom; n at most MAIL_IDS_MAX): any thread. */
#define MAIL_IDS_MAX 2
void mail_ids_draw(const vk_config *cfg, mail_ids *out, int n);

/* *stopped 1 when address asked for no more mail about item feedback_id
 * (0: a new item, so only "all mail" counts) or for any; on any
 * connection. */
vk_err mail_address_stopped(store_conn *c, const char *address, int64_t feedback_id,
                            int *stopped, vk_errinfo *ei);

typedef struct mail_compact {
    const char *recipient; /* checked by the caller: mail_address_safe() */
    const char *language;  /* fi, sv or en (anything else: fi) */
    const char *kind;      /* one the renderer knows: receipt, unit_new */
    const char *audience;  /* MAIL_TO_… */
    int64_t feedback_id;
    const char *params;    /* not NULL: the renderer's input, e.g. a follow-up token */
    const mail_ids *ids;
} mail_compact;

/* Queue m at time now inside the caller's transaction: one INSERT. */
vk_err mail_queue_compact(store_conn *c, const mail_compact *m, const char *now, vk_errinfo *ei);

/* Render a compact row at send time on the sender's connection c: subject
 * and text (without the footer, which mail_text_final adds) of kind about
 * item feedback_id in lang from params. *found 0 when the item is gone
 * (the message is then not sent). */
typedef vk_err (*mail_render_fn)(store_conn *c, const vk_config *cfg, const char *kind,
                                 int64_t feedback_id, const char *params, const char *lang,
                                 vk_buf *subject, vk_buf *text, int *found, vk_errinfo *ei);

/* Cancel the unsent messages to the reporter of item feedback_id
 * (withdrawal, purge of contact details). */
vk_err mail_cancel_item(store_conn *c, int64_t feedback_id, vk_errinfo *ei);

/* Cancel the unsent "new item" messages (unit_new) about item
 * feedback_id to units: it was routed to another unit, and the old one
 * must not hear of it as its new work. */
vk_err mail_cancel_item_units(store_conn *c, int64_t feedback_id, vk_errinfo *ei);

/* Delete the rows of messages no longer queued (sent, failed, cancelled)
 * made before `before` (RFC 3339): they hold addresses. With the contact
 * details' retention purge. */
vk_err mail_outbox_purge(store_conn *c, const char *before, vk_errinfo *ei);

/* The one-click unsubscribe of token: the address stops getting mail
 * about the message's item, or any mail with all; its unsent messages
 * covered are cancelled. *found 0 for an unknown token. *lang (3 bytes)
 * is the message's language. */
vk_err mail_unsubscribe(store_conn *c, const char *token, int all, const char *now, int *found,
                        char lang[3], vk_errinfo *ei);
/* Whether token exists, and its message's language (for the page). */
vk_err mail_token_language(store_conn *c, const char *token, int *found, char lang[3],
                           vk_errinfo *ei);

/* The outbox for admins as JSON {"mode", "counts": {state: n}, "messages":
 * [...]} newest first, at most limit, of one state (NULL: all). No
 * bodies. */
vk_err mail_outbox_json(store_conn *c, const vk_config *cfg, const char *state, int limit,
                        vk_buf *b, vk_errinfo *ei);

/* An admin's retry of failed message id: queued again, due now, its
 * attempts from 0. VK_ENOT_FOUND (field "id") for no such message,
 * VK_ETRANSITION when it is not failed, its text is gone (failed before
 * texts were kept) or its address has since asked for no more mail. */
vk_err mail_retry(store_conn *c, int64_t id, const char *now, vk_errinfo *ei);

/* "relay" when cfg has an SMTP relay, else "outbox only". */
const char *mail_mode(const vk_config *cfg);

/* The unsubscribe link of message id with its secret into out (n bytes). */
void mail_unsubscribe_url(const vk_config *cfg, int64_t id, const char *secret, char *out,
                          size_t n);
/* The unsubscribe link of a whole token (ID-SECRET, or a feed's: feed.h). */
void mail_unsubscribe_url_token(const vk_config *cfg, const char *token, char *out, size_t n);
/* A stored text as it is sent: with the footer in lang saying that it is
 * automatic, the link for this item (about_item) and for all mail. */
void mail_text_final(const char *text, const char *lang, int about_item, const char *url,
                     vk_buf *out);
/* 1 when token has the form of an unsubscribe token: ID-SECRET, or a
 * feed message's r<item>.0-SECRET or u<item>.<unit>-SECRET (feed.h). */
int mail_token_form_ok(const char *token);

/* SHA-256 (hex) of the lower-cased address: how mail_unsubscribe keeps it. */
void mail_address_hash(const char *address, char out[65]);

/* ---- subscriptions: who asked to be told (docs/mail.md) ---- */

#define MAIL_TOPIC_MAX 96

/* 1 when s is safe (mail_address_safe) and looks like an address: one
 * @ with something before it and a dotted domain after it. */
int mail_address_plausible(const char *s);

/* An optional address with consent, as a request body gives it:
 * {"email", "language", "consent": true}. The address is checked (safe
 * in a header, plausible); language is fi, sv or en (default fi); consent
 * must be true. Errors name the member. */
typedef struct mail_contact {
    char email[255];
    char language[3];
} mail_contact;
vk_err mail_contact_read(const json_t *doc, mail_contact *out, vk_errinfo *ei);

/* Save that c wants the mail of audience about topic (survey:ID,
 * budget:ID, district:CODE, accessibility:CODE), owner NULL for a
 * resident. Asking again with the same address changes the language. */
vk_err mail_subscribe(store_conn *c, const char *audience, const char *topic,
                      const mail_contact *ct, const char *owner, const char *now,
                      vk_errinfo *ei);

/* The text of one message in the three languages, made on demand: l is
 * 0 fi, 1 sv, 2 en. */
typedef void (*mail_compose_fn)(void *arg, int l, vk_buf *subject, vk_buf *text);

/* Queue a message of kind to everyone subscribed to topic or topic2
 * (NULL: none), each address once, in its language. *n (may be NULL) is
 * how many were queued. Inside the caller's transaction. */
vk_err mail_notify_topic(store_conn *c, const vk_config *cfg, const char *topic,
                         const char *topic2, const char *kind, mail_compose_fn compose,
                         void *arg, const char *now, int *n, vk_errinfo *ei);

/* A council member's subscriptions: replace owner's with topics (n of
 * them, each district:CODE or accessibility:CODE, checked by the caller)
 * to address ct; n 0 removes them and cancels their unsent mail. */
vk_err mail_subscriptions_replace(store_conn *c, const char *owner, const char *audience,
                                  const mail_contact *ct, const char *const *topics, int n,
                                  const char *now, vk_errinfo *ei);
/* owner's subscriptions as {"email", "language", "areas": [topic...]}
 * (email null when none). */
vk_err mail_subscriptions_json(store_conn *c, const char *owner, vk_buf *b, vk_errinfo *ei);

/* The residents' subscriptions made before `before` are deleted and their
 * unsent mail cancelled (the contact-retention purge). */
vk_err mail_subscriptions_purge(store_conn *c, const char *before, vk_errinfo *ei);

#endif
