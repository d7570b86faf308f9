// Units told of reassigned work (issue 17, docs/mail.md), received by a
// real SMTP server (tests/lib/smtp.mjs, python3-aiosmtpd). An item
// reassigned to a unit reaches it like a new one: at once ("reassigned to
// the unit", or "new" when the sender had not yet come to the item: its
// new-item message goes to the unit it is routed to then), or in its daily
// digest, marked as reassigned, even when the item itself is older than
// the last digest. An item reassigned away is not the old unit's new work:
// its unsent "new item" message is never sent and its digest leaves it out.
//
// The changes are made while the server has no relay (messages wait in the
// outbox), then the server is restarted on the same database with the
// relay: the writer makes the digest at start, and the sender sends what
// waits.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { call as callServer, freePort, startServer } from '../lib/server.mjs';
import { sinks, startSink, waitFor } from '../lib/smtp.mjs';

const PUBLIC = 'https://palaute.example.fi';
const TOKENS = [{ name: 'admin', role: 'admin' }, { name: 'mod', role: 'moderator' }];
const DIGEST = 'katu.kooste@kunta.fi'; // street_maintenance, daily digest, English
const PARKS = 'puistot@kunta.fi'; // parks_green, a message per item, Finnish
let srv;
let sink;
const call = (method, url, opts) => callServer(srv, method, url, opts);
const to = (addr) => sink.messages.filter((m) => m.rcpt_tos.includes(addr));

async function report(category, description) {
  const r = await call('POST', '/api/v1/feedback', { body: { type: 'Feature',
    geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
    properties: { category, description, place: 'Kauppatori' } } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function reassign(id, unit) {
  const r = await call('PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod', body: { unit } });
  assert.equal(r.status, 200, r.text);
}

// The item's staff link, and not the start of a longer number.
const links = (text, id) => new RegExp(`${PUBLIC.replace(/\./g, '\\.')}/staff-item\\.html\\?id=${id}(?!\\d)`).test(text);

let old; // a demo item older than a day, in another unit, reassigned to the digest unit
let fresh; // saved with parks_green, then reassigned to the digest unit
let away; // saved with the digest unit, then reassigned to parks_green

before(async () => {
  // No relay yet: everything waits in the outbox.
  srv = await startServer({ demoResponses: 3, tokens: TOKENS, args: ['--rate-limit', '0', '--public-url', PUBLIC] });
  sink = await startSink(await freePort());
});
after(async () => {
  if (srv) {
    await srv.stop();
    rmSync(srv.dir, { recursive: true, force: true });
  }
  for (const s of [...sinks]) await s.stop();
});

test('reassignments while the mail waits in the outbox', async () => {
  const unit = (code, body) => call('PATCH', `/api/v1/staff/units/${code}`, { token: 'admin', body });
  assert.equal((await unit('street_maintenance', { email: DIGEST, language: 'en', digest: true })).status, 200);
  assert.equal((await unit('parks_green', { email: PARKS, language: 'fi', digest: false })).status, 200);
  // The admins' list of units with their mail settings (staff-mail.html).
  const units = await call('GET', '/api/v1/staff/units', { token: 'admin' });
  assert.equal(units.status, 200, units.text);
  const byCode = Object.fromEntries(units.json.units.map((u) => [u.code, u]));
  assert.deepEqual(byCode.street_maintenance, { code: 'street_maintenance',
    name: { fi: 'Katujen kunnossapito', sv: 'Gatuunderhåll', en: 'Street maintenance' },
    email: DIGEST, language: 'en', digest: true });
  assert.equal(byCode.parks_green.email, PARKS);
  assert.equal(byCode.traffic_planning.email, null);
  assert.equal((await call('GET', '/api/v1/staff/units', { token: 'mod' })).status, 403);

  const list = await call('GET', '/api/v1/staff/feedback?unit=traffic_planning&older_than_days=2&limit=1',
    { token: 'mod' });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.features.length, 1, 'a demo item older than a day');
  old = list.json.features[0].id ?? list.json.features[0].properties.id;
  await reassign(old, 'street_maintenance');

  const queued = async () => (await call('GET', '/api/v1/staff/mail/outbox?state=queued', { token: 'admin' })).json;
  assert.equal((await queued()).counts.queued ?? 0, 0);
  fresh = await report('parks', 'Penkki rikki');
  away = await report('lighting', 'Lamppu pimeänä');
  // A new item's "new item" waits in the item, not as a row (mail/feed.h):
  // the parks unit's for fresh; none for the digest unit's away.
  let q = await queued();
  assert.equal(q.counts.queued, 1, JSON.stringify(q.counts));
  assert.deepEqual(q.messages, []);
  await reassign(fresh, 'street_maintenance');
  await reassign(away, 'parks_green');
  // Still one: now the parks unit's for away; the digest unit gets no
  // message per item.
  q = await queued();
  assert.equal(q.counts.queued, 1, JSON.stringify(q.counts));
  assert.deepEqual(q.messages, []);
});

test('with the relay: the new unit is told at once or in its digest; the old unit is not', async () => {
  await srv.stop();
  srv = await startServer({ db: srv.db, dir: srv.dir, demo: false, tokens: TOKENS, args: ['--rate-limit', '0',
    '--public-url', PUBLIC, '--smtp', `smtp://127.0.0.1:${sink.port}`, '--mail-from', 'palaute@kunta.fi'] });
  const digest = await waitFor('the digest', () => to(DIGEST)[0]);
  const parks = await waitFor('the parks unit\'s message', () => to(PARKS)[0]);
  await waitFor('the outbox to empty', async () =>
    (await call('GET', '/api/v1/staff/mail/outbox?state=queued', { token: 'admin' })).json.messages.length === 0);

  // The digest: the old item and the fresh one, both marked reassigned; not
  // the one reassigned away.
  assert.match(digest.headers.subject, /^Feedback routed to the unit: \d+ new$/);
  assert.ok(links(digest.text, old), `the item older than the last digest:\n${digest.text}`);
  assert.ok(links(digest.text, fresh), digest.text);
  assert.ok(!links(digest.text, away), 'not the item reassigned away');
  for (const id of [old, fresh]) {
    assert.match(digest.text, new RegExp(`#${id} [^\\n]*\\(reassigned from another unit\\)\\r?\\n`), digest.text);
  }
  assert.ok(!digest.text.includes('Lamppu') && !digest.text.includes('Penkki'), 'no descriptions');

  // The parks unit: told once, of the item routed to it before the sender
  // came to it (as its new item); never of the one it lost.
  assert.equal(to(PARKS).length, 1, to(PARKS).map((m) => m.headers.subject).join(' / '));
  assert.equal(parks.headers.subject, `Uusi palaute #${away} yksikölle`);
  assert.ok(links(parks.text, away), parks.text);
  assert.ok(!JSON.stringify(to(PARKS)).includes(`#${fresh}`), 'nothing about the item reassigned away');
  // Reassigned again now that its mail is sent: the new unit is told it
  // was reassigned.
  await reassign(away, 'street_maintenance');
  await reassign(away, 'parks_green');
  const moved = await waitFor('the reassigned message', () => to(PARKS)[1]);
  assert.equal(moved.headers.subject, `Palaute #${away} siirrettiin yksikölle`);
  assert.ok(moved.text.includes('siirretty yksikölle toiselta yksiköltä'), moved.text);
});

test('reassigned while the sender holds its new-item message: the new unit is told it was reassigned', async () => {
  const unit = (code, body) => call('PATCH', `/api/v1/staff/units/${code}`, { token: 'admin', body });
  assert.equal((await unit('parks_green', { email: 'slow.puistot@kunta.fi', language: 'fi', digest: false })).status, 200);
  assert.equal((await unit('traffic_planning', { email: 'liikenne@kunta.fi', language: 'en', digest: false })).status, 200);
  const id = await report('parks', 'Roskis täynnä');
  // The sender read the item and is sending to the parks unit (the sink
  // holds it 2 s): the item is reassigned meanwhile.
  await waitFor('the parks unit\'s message in the relay', () => sink.sending.some((r) => r.includes('slow.puistot@kunta.fi')));
  await reassign(id, 'traffic_planning');
  const moved = await waitFor('the new unit\'s message', () => to('liikenne@kunta.fi')[0]);
  assert.equal(moved.headers.subject, `Feedback #${id} reassigned to the unit`);
  assert.ok(links(moved.text, id), moved.text);
  // The parks unit's message was on its way when the item was still its own.
  const parks = await waitFor('the parks unit\'s message', () => to('slow.puistot@kunta.fi')[0]);
  assert.equal(parks.headers.subject, `Uusi palaute #${id} yksikölle`);
  await new Promise((res) => setTimeout(res, 1000));
  assert.equal(to('liikenne@kunta.fi').length, 1, 'told once');
});
