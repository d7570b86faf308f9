// A new item's mail without outbox rows (schema 0028, docs/mail.md "A new
// item's mail"): the feedback POST writes none; the sender renders the
// receipt and its unit's message from the item when it sends, in the
// recipients' languages, and then moves its cursor. Rows queued in older
// formats before their migrations are sent as they were queued: a row with
// its text (before 0024), with its Message-ID, and a compact row (0024 to
// 0027), rendered. An address that unsubscribed is not mailed. A real SMTP
// server on a loopback port (tests/http/smtp_sink.py) receives.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { call, freePort, sql, startServer, tempDir, vaikutaCli } from '../lib/server.mjs';
import { sinks, startSink, waitFor } from '../lib/smtp.mjs';

const PUBLIC = 'https://palaute.example.fi';
const TOKENS = [{ name: 'admin-bot', role: 'admin' }];

const feature = (contact) => ({
  type: 'Feature', geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
  properties: { category: 'lighting', description: 'Katuvalo rikki', contact },
});
const to = (sink, addr) => sink.messages.filter((m) => m.rcpt_tos.includes(addr));
const relayArgs = (port) => ['--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', 'palaute@kunta.fi',
  '--mail-retry-seconds', '1', '--public-url', PUBLIC, '--rate-limit', '0'];

after(async () => {
  for (const s of [...sinks]) await s.stop();
});

describe('compact outbox rows', () => {
  test('a row queued in the old format before migration 0024 still sends, as queued', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'old.sqlite');
    vaikutaCli(['init', '--db', db]);
    const newest = sql(db, 'PRAGMA user_version');
    assert.ok(Number(newest) >= 24, newest);
    // Back to schema 23 (no params column), with a message queued then:
    // 0028 (the mail cursor) and 0025 (feedback.photo_count) undone first.
    sql(db, 'DROP TABLE mail_feed; ALTER TABLE feedback DROP COLUMN mail; '
      + 'ALTER TABLE feedback_contact DROP COLUMN receipt_token;');
    sql(db, 'DROP TRIGGER feedback_photo_count_insert; DROP TRIGGER feedback_photo_count_update; '
      + 'DROP TRIGGER feedback_photo_count_delete; ALTER TABLE feedback DROP COLUMN photo_count;');
    sql(db, 'ALTER TABLE mail_outbox DROP COLUMN params; '
      + 'CREATE INDEX mail_outbox_feedback ON mail_outbox(feedback_id); PRAGMA user_version = 23;');
    sql(db, `INSERT INTO mail_outbox (message_id, recipient, language, kind, audience, feedback_id,
      subject, body_text, unsubscribe, next_attempt, created_at) VALUES
      ('0123456789abcdef0123456789abcdef@kunta.fi', 'old@example.org', 'sv', 'status', 'reporter', NULL,
       'Gammal rad: ämne', 'Texten som köades före migreringen.', '${'ab'.repeat(16)}',
       '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`);
    const port = await freePort();
    const sink = await startSink(port);
    const srv = await startServer({ demo: false, dir, db, args: relayArgs(port) });
    try {
      const m = await waitFor('the old row', () => to(sink, 'old@example.org')[0]);
      assert.equal(m.headers['message-id'], '<0123456789abcdef0123456789abcdef@kunta.fi>');
      assert.equal(m.headers.subject, 'Gammal rad: ämne');
      assert.ok(m.text.includes('Texten som köades före migreringen.'), m.text);
      assert.match(m.text, /Inga meddelanden alls:/, 'the footer in the row\'s language');
      await waitFor('marked sent', () => sql(db, "SELECT state FROM mail_outbox WHERE recipient = 'old@example.org'") === 'sent');
      assert.equal(sql(db, 'PRAGMA user_version'), newest);
      assert.equal(sql(db, "SELECT count(*) FROM sqlite_master WHERE name = 'mail_outbox_feedback'"), '0',
        'the item index is dropped');
      assert.equal(sql(db, "SELECT body_text || '|' || coalesce(params, 'NULL') FROM mail_outbox WHERE recipient = 'old@example.org'"), '|NULL');
      assert.equal(to(sink, 'old@example.org').length, 1);
    } finally {
      await srv.close();
      await sink.stop();
    }
  });

  test('the POST writes no outbox row; the sender renders its mail from the item in the recipients\' languages', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'c.sqlite');
    const first = await startServer({ demo: false, dir, db, tokens: TOKENS, args: ['--rate-limit', '0'] });
    let r;
    let older;
    try {
      const u = await call(first, 'PATCH', '/api/v1/staff/units/street_maintenance',
        { token: 'admin-bot', body: { email: 'kadut@kunta.fi', language: 'en' } });
      assert.equal(u.status, 200, u.text);
      const p = await call(first, 'POST', '/api/v1/feedback', { body: feature({ email: 'compact@example.org', language: 'sv' }) });
      assert.equal(p.status, 201, p.text);
      r = p.json;
      assert.equal(sql(db, `SELECT count(*) FROM mail_outbox WHERE feedback_id = ${r.id}`), '0');
      assert.equal(sql(db, `SELECT f.mail || '|' || c.receipt_token FROM feedback f JOIN feedback_contact c
        ON c.feedback_id = f.id WHERE f.id = ${r.id}`), `1|${r.followup.token}`);
      // A compact row the POST queued before schema 0028 (its item the
      // same): still rendered when sent.
      older = (await call(first, 'POST', '/api/v1/feedback', { body: feature({}) })).json.id;
      sql(db, `INSERT INTO mail_outbox (message_id, recipient, language, kind, audience, feedback_id, subject,
        body_text, unsubscribe, next_attempt, created_at, params) VALUES ('${'c'.repeat(32)}@kunta.fi',
        'older@example.org', 'en', 'receipt', 'reporter', ${older}, '', '', '${'cd'.repeat(16)}',
        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'olderToken')`);
    } finally {
      await first.stop();
    }
    const port = await freePort();
    const sink = await startSink(port);
    const second = await startServer({ demo: false, dir, db, args: relayArgs(port) });
    try {
      const receipt = await waitFor('the receipt', () => to(sink, 'compact@example.org')[0]);
      assert.equal(receipt.headers.subject, `Din respons #${r.id} har tagits emot`);
      assert.ok(receipt.text.includes(`${PUBLIC}/follow.html?lang=sv#${r.followup.token}`), receipt.text);
      assert.ok(receipt.text.includes(`#${r.id} (Belysning)`), 'names the category in Swedish');
      assert.match(receipt.text, /Inga meddelanden alls:/, 'the footer in the reporter\'s language');
      const unit = await waitFor('the unit\'s message', () => to(sink, 'kadut@kunta.fi')[0]);
      assert.equal(unit.headers.subject, `New feedback #${r.id} for the unit`);
      assert.ok(unit.text.includes(`${PUBLIC}/staff-item.html?id=${r.id}`));
      assert.ok(unit.text.includes(`(Lighting`), 'the category in the unit\'s language');
      assert.ok(!JSON.stringify(unit).includes(r.followup.token), 'the unit never sees the follow-up token');
      assert.notEqual(unit.headers['message-id'], receipt.headers['message-id']);
      const old = await waitFor('the compact row', () => to(sink, 'older@example.org')[0]);
      assert.equal(old.headers['message-id'], `<${'c'.repeat(32)}@kunta.fi>`);
      assert.equal(old.headers.subject, `Your feedback #${older} has been received`);
      assert.ok(old.text.includes('#olderToken'), old.text);
      await waitFor('the cursor past both items', () => sql(db, 'SELECT last_item_id FROM mail_feed') === String(older));
      assert.equal(sql(db, `SELECT count(*) FROM mail_outbox WHERE feedback_id = ${r.id}`), '0', 'sent without a row');
      assert.equal(sql(db, 'SELECT count(*) FROM feedback_contact WHERE receipt_token IS NOT NULL'), '0',
        'the token is dropped once the receipt is sent');
      assert.equal(to(sink, 'compact@example.org').length, 1);
      assert.equal(to(sink, 'kadut@kunta.fi').length, 2, 'the unit is told of both items, once each');
    } finally {
      await second.close();
      await sink.stop();
    }
  });

  test('an address that unsubscribed after its POST is not mailed: the sender looks when it sends', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'u.sqlite');
    const first = await startServer({ demo: false, dir, db, args: ['--rate-limit', '0'] });
    let id;
    try {
      const p = await call(first, 'POST', '/api/v1/feedback', { body: feature({ email: 'Late@Example.org' }) });
      assert.equal(p.status, 201, p.text);
      id = p.json.id;
    } finally {
      await first.stop();
    }
    // The wish recorded as the unsubscribe would record it (the hash of the
    // lower-cased address, all mail), after the POST.
    const hash = createHash('sha256').update('late@example.org').digest('hex');
    sql(db, `INSERT INTO mail_unsubscribe (address_hash, feedback_id, at) VALUES ('${hash}', 0, '2026-01-01T00:00:00Z')`);
    const port = await freePort();
    const sink = await startSink(port);
    const second = await startServer({ demo: false, dir, db, args: relayArgs(port) });
    try {
      // And a new report from that address is not mailed either: the POST
      // does not look (the sender does).
      const again = await call(second, 'POST', '/api/v1/feedback', { body: feature({ email: 'late@example.org' }) });
      assert.equal(again.status, 201, again.text);
      const probe = await call(second, 'POST', '/api/v1/feedback', { body: feature({ email: 'probe@example.org' }) });
      await waitFor('a later report\'s receipt', () => to(sink, 'probe@example.org')[0]);
      await waitFor('the cursor past them', () => sql(db, 'SELECT last_item_id FROM mail_feed') === String(probe.json.id));
      assert.ok(id < again.json.id);
      assert.equal(to(sink, 'Late@Example.org').length + to(sink, 'late@example.org').length, 0,
        'nothing to the unsubscribed address');
      assert.equal(sql(db, "SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'late@%' COLLATE NOCASE"), '0');
    } finally {
      await second.close();
      await sink.stop();
    }
  });
});
