// Compact outbox rows (schema 0024, docs/mail.md "The outbox"): the
// feedback POST queues its receipt and its unit's message without their
// text, and the sender renders them when it sends. A row queued in the
// old format (subject and text stored) before the migration is sent as it
// was queued, with its Message-ID; an address that unsubscribed after the
// request thread looked (the writer no longer looks) is not mailed. A real
// SMTP server on a loopback port (tests/http/smtp_sink.py) receives.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { call, freePort, startServer, tempDir, vaikutaCli } from '../lib/server.mjs';
import { sinks, startSink, waitFor } from '../lib/smtp.mjs';

const PUBLIC = 'https://palaute.example.fi';
const TOKENS = [{ name: 'admin-bot', role: 'admin' }];

function sql(db, text) {
  const r = spawnSync('sqlite3', [db, '.timeout 10000', text], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
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
    // 0025 (feedback.photo_count) undone first.
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

  test('the POST queues a compact row (no text) that is rendered in the recipient\'s language when sent', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'c.sqlite');
    const first = await startServer({ demo: false, dir, db, tokens: TOKENS, args: ['--rate-limit', '0'] });
    let r;
    try {
      const u = await call(first, 'PATCH', '/api/v1/staff/units/street_maintenance',
        { token: 'admin-bot', body: { email: 'kadut@kunta.fi', language: 'en' } });
      assert.equal(u.status, 200, u.text);
      const p = await call(first, 'POST', '/api/v1/feedback', { body: feature({ email: 'compact@example.org', language: 'sv' }) });
      assert.equal(p.status, 201, p.text);
      r = p.json;
      const rows = sql(db, `SELECT kind, audience, language, subject, body_text, params FROM mail_outbox
        WHERE feedback_id = ${r.id} ORDER BY id`).split('\n');
      assert.deepEqual(rows, [`receipt|reporter|sv|||${r.followup.token}`, 'unit_new|unit|en|||new']);
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
      const unit = await waitFor('the unit\'s message', () => to(sink, 'kadut@kunta.fi')[0]);
      assert.equal(unit.headers.subject, `New feedback #${r.id} for the unit`);
      assert.ok(unit.text.includes(`${PUBLIC}/staff-item.html?id=${r.id}`));
      assert.ok(unit.text.includes(`(Lighting`), 'the category in the unit\'s language');
      assert.ok(!JSON.stringify(unit).includes(r.followup.token), 'the unit never sees the follow-up token');
      await waitFor('both marked sent', () => sql(db,
        `SELECT count(*) FROM mail_outbox WHERE feedback_id = ${r.id} AND state = 'sent' AND params IS NULL`) === '2');
    } finally {
      await second.close();
      await sink.stop();
    }
  });

  test('an address that unsubscribed after its row was queued is not mailed: the sender cancels', async () => {
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
    // lower-cased address, all mail), without cancelling: the race where it
    // commits between the request thread's look and the writer's insert.
    const hash = createHash('sha256').update('late@example.org').digest('hex');
    sql(db, `INSERT INTO mail_unsubscribe (address_hash, feedback_id, at) VALUES ('${hash}', 0, '2026-01-01T00:00:00Z')`);
    assert.equal(sql(db, `SELECT state FROM mail_outbox WHERE feedback_id = ${id} AND audience = 'reporter'`), 'queued');
    const port = await freePort();
    const sink = await startSink(port);
    const second = await startServer({ demo: false, dir, db, args: relayArgs(port) });
    try {
      await waitFor('cancelled', () => sql(db,
        `SELECT state FROM mail_outbox WHERE feedback_id = ${id} AND audience = 'reporter'`) === 'cancelled');
      assert.equal(to(sink, 'Late@Example.org').length, 0);
      // And a new report from that address is not mailed either: the POST
      // no longer looks (the sender does), so its receipt is queued and
      // then cancelled by the sender.
      const again = await call(second, 'POST', '/api/v1/feedback', { body: feature({ email: 'late@example.org' }) });
      assert.equal(again.status, 201, again.text);
      await waitFor('the new receipt cancelled', () => sql(db,
        `SELECT state FROM mail_outbox WHERE feedback_id = ${again.json.id} AND audience = 'reporter'`) === 'cancelled');
      assert.equal(to(sink, 'Late@Example.org').length + to(sink, 'late@example.org').length, 0,
        'nothing to the unsubscribed address');
    } finally {
      await second.close();
      await sink.stop();
    }
  });
});
