// E-mail through a real SMTP relay (issue 17, docs/mail.md): a real SMTP
// server (Debian python3-aiosmtpd, tests/http/smtp_sink.py) on a loopback
// port receives what the service sends. Right recipients, languages,
// links and RFC 8058 headers; no other person's data or internal note;
// unsubscribe; permanent failures for admins; the relay down then up
// loses and duplicates nothing; a SIGKILL between the change and the send
// still sends the message after the restart, with the same Message-ID;
// withdrawal cancels unsent mail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, freePort, sql, startServer, tempDir, vaikutaBin, vaikutaCli } from '../lib/server.mjs';
import { sinks, startSink, waitFor } from '../lib/smtp.mjs';

const PUBLIC = 'https://palaute.example.fi';
const NOTE = 'INTERNAL-ONLY: urakoitsija myöhässä 9c1e';
const TOKENS = [
  { name: 'admin-bot', role: 'admin' },
  { name: 'mod-bot', role: 'moderator' },
];
const feature = (contact, category = 'lighting', description = 'Katuvalo rikki Pappilantiellä') => ({
  type: 'Feature', geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
  properties: { category, description, ...(contact ? { contact } : {}) },
});

async function report(srv, contact, category) {
  const r = await call(srv, 'POST', '/api/v1/feedback', { body: feature(contact, category) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const outbox = async (srv, q = '') => {
  const r = await call(srv, 'GET', `/api/v1/staff/mail/outbox${q}`, { token: 'admin-bot' });
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const to = (sink, addr) => sink.messages.filter((m) => m.rcpt_tos.includes(addr));
const unsubLink = (m) => m.headers['list-unsubscribe'].replace(/^<|>$/g, '');

after(async () => {
  for (const s of [...sinks]) await s.stop();
});

describe('through a relay', () => {
  let srv;
  let sink;
  const sven = { name: 'Sven Svensson', email: 'sven@example.org', phone: '040 1234567', language: 'sv' };
  const ann = { name: 'Ann Example', email: 'ann@example.org', phone: '050 7654321', language: 'en' };
  let item1;
  let item2;

  before(async () => {
    const port = await freePort();
    sink = await startSink(port);
    srv = await startServer({ demo: false, tokens: TOKENS, args: [
      '--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', 'palaute@kunta.fi',
      '--mail-retry-seconds', '1', '--public-url', PUBLIC, '--rate-limit', '0'] });
  });
  after(async () => { if (srv) await srv.close(); });

  test('/healthz says the relay is used', async () => {
    assert.equal((await call(srv, 'GET', '/healthz')).json.mail, 'relay');
  });

  test('admins set a unit\'s address; bad input is refused by field', async () => {
    const r = await call(srv, 'PATCH', '/api/v1/staff/units/street_maintenance',
      { token: 'admin-bot', body: { email: 'kadut@kunta.fi' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { code: 'street_maintenance', email: 'kadut@kunta.fi', language: 'fi', digest: false });
    const badLang = await call(srv, 'PATCH', '/api/v1/staff/units/street_maintenance',
      { token: 'admin-bot', body: { language: 'de' } });
    assert.equal(badLang.status, 400);
    assert.equal(badLang.json.error.field, 'language');
    const empty = await call(srv, 'PATCH', '/api/v1/staff/units/street_maintenance', { token: 'admin-bot', body: {} });
    assert.equal(empty.status, 400);
    const badDigest = await call(srv, 'PATCH', '/api/v1/staff/units/street_maintenance',
      { token: 'admin-bot', body: { digest: 'daily' } });
    assert.equal(badDigest.status, 400);
    assert.equal(badDigest.json.error.field, 'digest');
    const bad = await call(srv, 'PATCH', '/api/v1/staff/units/street_maintenance',
      { token: 'admin-bot', body: { email: 'a@b\r\nBcc: x@y.z' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'email');
    const none = await call(srv, 'PATCH', '/api/v1/staff/units/no_such', { token: 'admin-bot', body: { email: null } });
    assert.equal(none.status, 404);
    const mod = await call(srv, 'PATCH', '/api/v1/staff/units/street_maintenance',
      { token: 'mod-bot', body: { email: 'x@kunta.fi' } });
    assert.equal(mod.status, 403);
    const lang = await call(srv, 'POST', '/api/v1/feedback', { body: feature({ email: 'a@b.fi', language: 'de' }) });
    assert.equal(lang.status, 400);
    assert.equal(lang.json.error.field, 'properties.contact.language');
  });

  test('the receipt goes to the reporter in their language with the follow-up link; the unit is told', async () => {
    const r1 = await report(srv, sven);
    item1 = r1.id;
    const receipt = await waitFor('the receipt', () => to(sink, sven.email)[0]);
    assert.equal(receipt.mail_from, 'palaute@kunta.fi');
    assert.deepEqual(receipt.rcpt_tos, [sven.email]);
    assert.match(receipt.headers.subject, new RegExp(`Din respons #${item1} har tagits emot`));
    // The link opens the page in the reporter's language (sv).
    assert.ok(receipt.text.includes(`${PUBLIC}/follow.html?lang=sv#${r1.followup.token}`), receipt.text);
    assert.ok(receipt.html.includes(`href="${PUBLIC}/follow.html?lang=sv#${r1.followup.token}"`));
    assert.match(receipt.html, /<html lang="sv">/);
    assert.match(receipt.headers['message-id'], /^<[0-9a-f]{32}@kunta\.fi>$/);
    // A new item's messages are sent from the item (no outbox row): the
    // link names the item and whom (r: its reporter), not a row.
    assert.match(receipt.headers['list-unsubscribe'], new RegExp(`^<${PUBLIC}/api/v1/mail/unsubscribe\\?t=r${item1}\\.0-[0-9a-f]{32}>$`));
    assert.equal(receipt.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
    assert.match(receipt.headers['content-type'], /^multipart\/alternative/);
    assert.ok(receipt.text.includes(unsubLink(receipt)), 'the text carries the unsubscribe link');
    for (const s of [sven.name, sven.phone, 'Katuvalo']) assert.ok(!JSON.stringify(receipt).includes(s), s);

    const unit = await waitFor('the unit\'s message', () => to(sink, 'kadut@kunta.fi')[0]);
    assert.match(unit.headers.subject, new RegExp(`Uusi palaute #${item1}`));
    assert.ok(unit.text.includes(`${PUBLIC}/staff-item.html?id=${item1}`));
    for (const s of [sven.name, sven.email, sven.phone, r1.followup.token]) {
      assert.ok(!JSON.stringify(unit).includes(s), `the unit's mail holds no ${s}`);
    }
    // A category routed to a unit without an address mails no unit.
    item2 = (await report(srv, ann, 'parks')).id;
    const annReceipt = await waitFor('Ann\'s receipt', () => to(sink, ann.email)[0]);
    assert.match(annReceipt.headers.subject, /Your feedback #\d+ has been received/);
    assert.equal(to(sink, 'kadut@kunta.fi').length, 1);
  });

  test('a public answer and a status change reach the reporter alone; no internal note', async () => {
    const r = await call(srv, 'PATCH', `/api/v1/staff/feedback/${item1}`, { token: 'mod-bot',
      body: { status: 'in_progress', public_answer: 'Korjaamme valon ensi viikolla.', internal_note: NOTE } });
    assert.equal(r.status, 200, r.text);
    const m = await waitFor('the answer', () => to(sink, sven.email)[1]);
    assert.match(m.headers.subject, new RegExp(`Din respons #${item1}: nytt svar`));
    assert.ok(m.text.includes('Korjaamme valon ensi viikolla.'));
    assert.ok(m.text.includes('under behandling'), m.text);
    for (const s of [NOTE, ann.email, ann.name, sven.phone]) assert.ok(!JSON.stringify(m).includes(s), s);
    assert.equal(to(sink, ann.email).length, 1, 'the other reporter got nothing');
    assert.ok(sink.messages.every((x) => !JSON.stringify(x).includes(NOTE)), 'no message holds the note');
  });

  test('an answer written in Finnish and Swedish reaches a Swedish reporter in Swedish', async () => {
    // (The answer above was written in Finnish only: Sven got it as written.)
    const FI = 'Valo korjattiin tänään.', SV = 'Lampan lagades i dag.';
    const r = await call(srv, 'PATCH', `/api/v1/staff/feedback/${item1}`, { token: 'mod-bot',
      body: { public_answer: { fi: FI, sv: SV } } });
    assert.equal(r.status, 200, r.text);
    const m = await waitFor('the Swedish answer', () => to(sink, sven.email)[2]);
    assert.match(m.headers.subject, new RegExp(`Din respons #${item1}: nytt svar`));
    assert.ok(m.text.includes(SV), m.text);
    assert.ok(!m.text.includes(FI), m.text);
  });

  test('a merge tells the merged item\'s reporter, without the other reporter\'s data', async () => {
    const r = await call(srv, 'POST', `/api/v1/staff/feedback/${item2}/merge`,
      { token: 'mod-bot', body: { into: item1, internal_note: NOTE } });
    assert.equal(r.status, 200, r.text);
    const m = await waitFor('the merge message', () => to(sink, ann.email)[1]);
    assert.match(m.headers.subject, new RegExp(`Your feedback #${item2} was merged into #${item1}`));
    for (const s of [NOTE, sven.email, sven.name, sven.phone]) assert.ok(!JSON.stringify(m).includes(s), s);
  });

  test('unsubscribe: the page asks (GET changes nothing), the one-click POST stops the item\'s mail', async () => {
    const link = unsubLink(to(sink, sven.email)[0]).replace(PUBLIC, '');
    const page = await call(srv, 'GET', link);
    assert.equal(page.status, 200);
    assert.match(page.text, /<html lang="sv">/);
    assert.match(page.text, /<form method="post"/);
    const bad = await call(srv, 'POST', '/api/v1/mail/unsubscribe?t=xyz');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 't');
    const unknown = await call(srv, 'POST', `/api/v1/mail/unsubscribe?t=1-${'0'.repeat(32)}`);
    assert.equal(unknown.status, 404);
    // The receipt's link names the item and its reporter; the secret is
    // derived with the server's key, so another item's or a made-up one
    // finds nothing, and a unit's form needs a unit.
    assert.match(link, new RegExp(`t=r${item1}\\.0-[0-9a-f]{32}$`));
    const otherItem = link.replace(`t=r${item1}.0-`, `t=r${item2}.0-`);
    assert.equal((await call(srv, 'POST', otherItem)).status, 404);
    assert.equal((await call(srv, 'POST', `/api/v1/mail/unsubscribe?t=r${item1}.0-${'0'.repeat(32)}`)).status, 404);
    assert.equal((await call(srv, 'POST', `/api/v1/mail/unsubscribe?t=u${item1}.0-${'0'.repeat(32)}`)).status, 400);
    const r = await call(srv, 'POST', link, { form: { 'List-Unsubscribe': 'One-Click' } });
    assert.equal(r.status, 200, r.text);
    const before = to(sink, sven.email).length;
    const p = await call(srv, 'PATCH', `/api/v1/staff/feedback/${item1}`, { token: 'mod-bot',
      body: { status: 'resolved', public_answer: 'Valo korjattu.' } });
    assert.equal(p.status, 200, p.text);
    // Ann's item 2 is a duplicate of item 1: a change to Ann's own item still reaches her.
    await call(srv, 'PATCH', `/api/v1/staff/feedback/${item2}`, { token: 'mod-bot', body: { public_answer: 'Kiitos!' } });
    await waitFor('Ann\'s answer', () => to(sink, ann.email)[2]);
    const box = await outbox(srv);
    assert.ok(!box.messages.some((m) => m.recipient === sven.email && m.kind === 'answer' && m.state === 'queued'));
    assert.equal(to(sink, sven.email).length, before, 'nothing more to the unsubscribed address');
  });

  test('`vaikuta mail test --to` sends a test message and says so; bad options are refused', async () => {
    const db = path.join(tempDir(), 'cli.sqlite');
    const port = sink.port;
    const ok = spawnSync(vaikutaBin, ['mail', 'test', '--db', db, '--to', 'admin@example.org',
      '--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', 'palaute@kunta.fi'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /1 message sent/);
    const m = await waitFor('the test message', () => to(sink, 'admin@example.org')[0]);
    assert.match(m.headers.subject, /test message/);
    assert.ok(m.text.includes('/api/v1/mail/unsubscribe?t='), 'a test message can be unsubscribed from too');
    const bad = spawnSync(vaikutaBin, ['mail', 'test', '--db', db, '--to', 'not-an-address',
      '--smtp', `smtp://127.0.0.1:${port}`], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--to/);
    const noRelay = spawnSync(vaikutaBin, ['mail', 'test', '--db', db, '--to', 'a@example.org'], { encoding: 'utf8' });
    assert.notEqual(noRelay.status, 0);
    assert.match(noRelay.stderr, /--smtp/);
    const refused = spawnSync(vaikutaBin, ['mail', 'test', '--db', db, '--to', 'reject-cli@example.org',
      '--smtp', `smtp://127.0.0.1:${port}`], { encoding: 'utf8' });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /550/);
  });

  test('a permanent refusal (5xx) is kept for admins; the outbox is for admins only', async () => {
    const id = (await report(srv, { email: 'reject-me@example.org' })).id;
    const failed = await waitFor('the failure', async () => (await outbox(srv, '?state=failed')).messages
      .find((m) => m.feedback_id === id));
    assert.equal(failed.recipient, 'reject-me@example.org');
    assert.equal(failed.attempts, 1);
    assert.match(failed.last_error, /550/);
    // An admin tries it again: queued, sent, refused again (the relay still
    // says 550), failed once more; only a failed message is retried.
    const retry = await call(srv, 'POST', `/api/v1/staff/mail/outbox/${failed.id}/retry`, { token: 'admin-bot' });
    assert.equal(retry.status, 200, retry.text);
    assert.deepEqual(retry.json, { id: failed.id, state: 'queued' });
    const again = await waitFor('the second failure', async () => (await outbox(srv, '?state=failed')).messages
      .find((m) => m.id === failed.id && m.sent_at === null && m.last_error));
    assert.equal(again.attempts, 1, 'attempts count again from 0');
    const twice = await call(srv, 'POST', `/api/v1/staff/mail/outbox/${failed.id}/retry`, { token: 'admin-bot' });
    assert.equal(twice.status, 200, twice.text);
    const sentOne = (await outbox(srv, '?state=sent')).messages[0];
    const notFailed = await call(srv, 'POST', `/api/v1/staff/mail/outbox/${sentOne.id}/retry`, { token: 'admin-bot' });
    assert.equal(notFailed.status, 409, notFailed.text);
    assert.equal(notFailed.json.error.code, 'invalid_transition');
    assert.equal((await call(srv, 'POST', '/api/v1/staff/mail/outbox/999999/retry', { token: 'admin-bot' })).status, 404);
    assert.equal((await call(srv, 'POST', `/api/v1/staff/mail/outbox/${failed.id}/retry`, { token: 'mod-bot' })).status, 403);
    await waitFor('the third failure', async () => (await outbox(srv, '?state=failed')).messages
      .some((m) => m.id === failed.id));
    const box = await outbox(srv);
    assert.equal(box.mode, 'relay');
    // Rows count what was sent from rows: a new item's receipt and unit
    // message sent at the first try leave none (docs/mail.md).
    // (the `mail test` command above wrote to a database of its own)
    const rowLink = new RegExp(`^<${PUBLIC}/api/v1/mail/unsubscribe\\?t=\\d+-`);
    const fromRows = sink.messages.filter((m) => rowLink.test(m.headers['list-unsubscribe'])).length;
    assert.ok(fromRows >= 3, String(fromRows));
    assert.ok(box.counts.sent === fromRows && box.counts.failed >= 1, `${JSON.stringify(box.counts)} ${fromRows}`);
    for (const m of box.messages) {
      assert.ok(!('body_text' in m) && !('text' in m), 'no bodies in the list');
      assert.match(m.message_id, /^[0-9a-f]{32}@kunta\.fi$/);
    }
    assert.equal((await call(srv, 'GET', '/api/v1/staff/mail/outbox', { token: 'mod-bot' })).status, 403);
    assert.equal((await call(srv, 'GET', '/api/v1/staff/mail/outbox')).status, 401);
    const badState = await call(srv, 'GET', '/api/v1/staff/mail/outbox?state=lost', { token: 'admin-bot' });
    assert.equal(badState.status, 400);
    assert.equal(badState.json.error.field, 'state');
    // Every message that was sent went out exactly once.
    const ids = sink.messages.map((m) => m.headers['message-id']);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('outbox only, crashes and a relay that comes back', () => {
  test('without --smtp the outbox keeps messages; withdrawal cancels them', async () => {
    const srv = await startServer({ demo: false, tokens: TOKENS, args: ['--rate-limit', '0'] });
    try {
      assert.equal((await call(srv, 'GET', '/healthz')).json.mail, 'outbox only');
      const r = await report(srv, { email: 'quiet@example.org', language: 'fi' });
      const box = await outbox(srv);
      assert.equal(box.mode, 'outbox only');
      // A new item's receipt is no row: the item owes it, counted as queued,
      // until a relay's sender reads it (mail/feed.h).
      assert.equal(box.counts.queued, 1, JSON.stringify(box.counts));
      assert.ok(!box.messages.some((x) => x.feedback_id === r.id));
      assert.ok(sql(srv.db, `SELECT receipt_token FROM feedback_contact WHERE feedback_id = ${r.id}`));
      const w = await call(srv, 'POST', `/api/v1/followup/${r.followup.token}/withdraw`);
      assert.equal(w.status, 200, w.text);
      assert.equal((await outbox(srv)).counts.queued ?? 0, 0, 'the withdrawal took the receipt with the contact row');
      // The retention purge: a closed item's unsent mail is cancelled with
      // its contact details, and the outbox forgets rows no longer queued.
      const closed = await report(srv, { email: 'closed@example.org' });
      const p = await call(srv, 'PATCH', `/api/v1/staff/feedback/${closed.id}`,
        { token: 'mod-bot', body: { status: 'resolved', public_answer: 'Korjattu.' } });
      assert.equal(p.status, 200, p.text);
      const mine = async () => (await outbox(srv)).messages.filter((x) => x.feedback_id === closed.id);
      assert.deepEqual((await mine()).map((x) => [x.kind, x.state]), [['answer', 'queued']]);
      assert.equal((await outbox(srv)).counts.queued, 2, 'the answer\'s row and the receipt the item owes');
      const tomorrow = new Date(Date.now() + 86400e3).toISOString().slice(0, 10);
      vaikutaCli(['purge', '--db', srv.db, '--closed-before', tomorrow]);
      assert.deepEqual(await mine(), [], 'no message about the purged item is left');
      assert.equal((await outbox(srv)).counts.queued ?? 0, 0, 'nor one it owed');
    } finally {
      await srv.close();
    }
  });

  test('SIGKILL between the change and the send: sent after the restart with the same Message-ID', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'kill.sqlite');
    const first = await startServer({ demo: false, dir, db, tokens: TOKENS, args: ['--rate-limit', '0'] });
    const r = await report(first, { email: 'crash@example.org', language: 'en' });
    assert.equal((await outbox(first)).counts.queued, 1);
    first.proc.kill('SIGKILL');
    await first.stop();
    const port = await freePort();
    const sink = await startSink(port);
    const relay = ['--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', 'palaute@kunta.fi', '--mail-retry-seconds', '1'];
    const second = await startServer({ demo: false, dir, db, args: relay });
    let got;
    try {
      got = await waitFor('the message after the restart', () => to(sink, 'crash@example.org')[0]);
      assert.match(got.headers['message-id'], /^<[0-9a-f]{32}@kunta\.fi>$/);
      await waitFor('the cursor past the item', () => sql(db, 'SELECT last_item_id FROM mail_feed') === String(r.id));
      await new Promise((res) => setTimeout(res, 1000));
      assert.equal(to(sink, 'crash@example.org').length, 1, 'sent once');
      second.proc.kill('SIGKILL');
      await second.stop();
    } catch (err) {
      await second.close();
      await sink.stop();
      throw err;
    }
    // A crash after the send and before the cursor's commit: the cursor as
    // it was. The message goes again, with the same Message-ID, and once.
    sql(db, `UPDATE mail_feed SET last_item_id = ${r.id - 1}; `
      + `UPDATE feedback_contact SET receipt_token = '${r.followup.token}' WHERE feedback_id = ${r.id}`);
    const third = await startServer({ demo: false, dir, db, args: relay });
    try {
      const again = await waitFor('the resend', () => to(sink, 'crash@example.org')[1]);
      assert.equal(again.headers['message-id'], got.headers['message-id']);
      const token = (m) => m.headers['list-unsubscribe'].replace(/^.*\?t=/, '');
      assert.equal(token(again), token(got), 'the same unsubscribe link');
      await waitFor('the cursor past the item', () => sql(db, 'SELECT last_item_id FROM mail_feed') === String(r.id));
      await new Promise((res) => setTimeout(res, 1000));
      assert.equal(to(sink, 'crash@example.org').length, 2, 'a message marked sent is never sent again');
      assert.equal(sql(db, `SELECT count(*) FROM feedback_contact WHERE receipt_token IS NOT NULL`), '0',
        'the follow-up token is not kept once the receipt is sent');
    } finally {
      await third.close();
      await sink.stop();
    }
  });

  test('one address gets at most --mail-per-minute messages a minute; the rest wait', async () => {
    const port = await freePort();
    const sink = await startSink(port);
    const srv = await startServer({ demo: false, tokens: TOKENS, args: [
      '--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', 'palaute@kunta.fi',
      '--mail-per-minute', '2', '--rate-limit', '0'] });
    try {
      for (let i = 0; i < 4; i++) await report(srv, { email: 'busy@example.org' });
      await report(srv, { email: 'other@example.org' });
      await waitFor('two to busy and one to other', () =>
        to(sink, 'busy@example.org').length === 2 && to(sink, 'other@example.org').length === 1);
      await new Promise((res) => setTimeout(res, 1500));
      assert.equal(to(sink, 'busy@example.org').length, 2, 'no more than two this minute');
      const waiting = (await outbox(srv, '?state=queued')).messages.filter((m) => m.recipient === 'busy@example.org');
      assert.equal(waiting.length, 2);
      for (const m of waiting) {
        assert.equal(m.attempts, 0, 'waiting for the limit is not a failed attempt');
        assert.match(m.last_error, /too many messages/);
      }
    } finally {
      await srv.close();
      await sink.stop();
    }
  });

  test('the relay down, then up: nothing lost, nothing twice', async () => {
    const port = await freePort(); // nothing listens here yet
    const srv = await startServer({ demo: false, tokens: TOKENS, args: [
      '--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', 'palaute@kunta.fi',
      '--mail-retry-seconds', '1', '--rate-limit', '0'] });
    let sink;
    try {
      const addrs = ['down1@example.org', 'down2@example.org', 'down3@example.org'];
      for (const a of addrs) await report(srv, { email: a });
      const tried = await waitFor('failed attempts', async () => {
        const ms = (await outbox(srv)).messages.filter((m) => addrs.includes(m.recipient));
        return ms.length === 3 && ms.every((m) => m.attempts >= 1 && m.state === 'queued') && ms;
      });
      assert.match(tried[0].last_error, /connect/i);
      sink = await startSink(port);
      await waitFor('all three', () => addrs.every((a) => to(sink, a).length >= 1), 30000);
      await new Promise((res) => setTimeout(res, 2000));
      for (const a of addrs) assert.equal(to(sink, a).length, 1, `${a} once`);
      const ms = (await outbox(srv)).messages.filter((m) => addrs.includes(m.recipient));
      assert.ok(ms.every((m) => m.state === 'sent' && m.last_error === null), JSON.stringify(ms));
    } finally {
      await srv.close();
      if (sink) await sink.stop();
    }
  });
});
