// Photos on feedback (issue 16, docs/photos.md "Feedback"): a report lists
// up to three uploaded photo ids; they are attached with the item and held
// for moderation; residents see only approved photos of public items, every
// staff role sees them all with their state; a moderator approves (public,
// audited) or rejects (deleted, audited); withdrawing deletes the photos;
// the served file has no EXIF (no GPS) left.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, startServer, vaikutaBin } from '../lib/server.mjs';

const FX = path.join(repoRoot, 'tests/fixtures/photos');
const fixture = (name) => readFileSync(path.join(FX, name));

let srv;

before(async () => {
  srv = await startServer({ demo: false, tokens: [
    { name: 'mod', role: 'moderator' }, { name: 'plan', role: 'planner' }, { name: 'admin', role: 'admin' }] });
});
after(async () => { if (srv) await srv.close(); });

async function req(method, p, { token, body, raw, type } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${srv.tokens[token]}`;
  if (body !== undefined) headers['Content-Type'] = type || 'application/json';
  const res = await fetch(`${srv.url}${p}`, { method, headers,
    body: raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json = null;
  try { json = JSON.parse(bytes.toString('utf8')); } catch { /* bytes */ }
  return { status: res.status, headers: res.headers, json, bytes, text: bytes.toString('utf8') };
}

async function upload(name = 'gps-rotated.jpg') {
  const r = await fetch(`${srv.url}/api/v1/photos`, { method: 'POST',
    headers: { 'Content-Type': 'image/jpeg' }, body: fixture(name) });
  const json = await r.json();
  assert.equal(r.status, 201, JSON.stringify(json));
  return json.id;
}

const report = (photos, extra = {}) => ({ type: 'Feature',
  geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
  properties: { category: 'lighting', description: 'Katuvalo ei pala', photos, ...extra } });

async function send(photos) {
  return req('POST', '/api/v1/feedback', { body: report(photos), type: 'application/geo+json' });
}

// feedback.photo_count (schema/0025, kept by triggers on photo) must equal
// the approved photos of every item, and the OAPIF list (which reads the
// photo table only where the count is above 0) must show exactly those.
async function assertPhotoCounts(expect) {
  const q = "SELECT f.id, f.photo_count, (SELECT count(*) FROM photo p WHERE p.owner_kind = 'feedback' " +
    "AND p.owner_id = CAST(f.id AS TEXT) AND p.hidden = 0) FROM feedback f ORDER BY f.id";
  const r = spawnSync('sqlite3', ['-readonly', srv.db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').filter(Boolean).map((l) => l.split('|').map(Number));
  assert.ok(rows.length > 0);
  for (const [fid, kept, real] of rows) assert.equal(kept, real, `photo_count of item ${fid}`);
  const byId = new Map(rows.map(([fid, kept]) => [fid, kept]));
  for (const [fid, n] of Object.entries(expect)) assert.equal(byId.get(Number(fid)), n, `item ${fid} has ${n}`);
  const items = await req('GET', '/ogcapi/collections/feedback/items?limit=1000');
  assert.equal(items.status, 200, items.text);
  for (const f of items.json.features) {
    const real = await req('GET', `/api/v1/feedback/${f.id}`);
    assert.deepEqual(f.properties.photos, real.json.properties.photos, `item ${f.id}'s photos in the list`);
    assert.equal(f.properties.photos.length, byId.get(Number(f.id)), `item ${f.id}: list and count agree`);
  }
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  assert.equal(r.json.error.field, field, r.text);
}

describe('feedback photos', () => {
  let id, token, p1, p2;

  test('a report with two photos: attached, pending, not public yet', async () => {
    p1 = await upload();
    p2 = await upload('tiny.png');
    const r = await send([p1, p2]);
    assert.equal(r.status, 201, r.text);
    id = r.json.id;
    token = r.json.followup.token;
    assert.deepEqual(r.json.properties.photos, [], 'nothing public before moderation');
    const pub = await req('GET', `/api/v1/feedback/${id}`);
    assert.deepEqual(pub.json.properties.photos, []);
    assert.equal((await req('GET', `/api/v1/photos/${p1}/display`)).status, 404, 'residents: 404 while pending');
    assert.equal((await req('GET', `/api/v1/photos/${p1}/thumb`)).status, 404);
    const ogc = await req('GET', `/ogcapi/collections/feedback/items/${id}`);
    assert.deepEqual(ogc.json.properties.photos, []);
    await assertPhotoCounts({ [id]: 0 });
  });

  test('every staff role sees the pending photos, with their state', async () => {
    for (const t of ['mod', 'plan']) {
      const v = await req('GET', `/api/v1/staff/feedback/${id}`, { token: t });
      assert.equal(v.status, 200, v.text);
      assert.deepEqual(v.json.photos.map((p) => [p.id, p.state]), [[p1, 'pending'], [p2, 'pending']]);
      assert.equal(v.json.photos[0].thumb, `/api/v1/photos/${p1}/thumb`);
      const img = await req('GET', `/api/v1/photos/${p1}/thumb`, { token: t });
      assert.equal(img.status, 200, `${t} sees the pending thumb`);
      assert.match(img.headers.get('cache-control'), /^private/);
    }
  });

  test('the follow-up view counts the photos waiting for moderation', async () => {
    const v = await req('GET', `/api/v1/followup/${token}`);
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.photos_waiting, 2);
    assert.deepEqual(v.json.photos, []);
  });

  test('bad decisions: 4xx naming the field; planners may not decide', async () => {
    const base = `/api/v1/staff/feedback/${id}/photos`;
    assertError(await req('POST', `${base}/${p1}`, { token: 'mod', body: { decision: 'maybe' } }),
      400, 'invalid_value', 'decision');
    assertError(await req('POST', `${base}/${p1}`, { token: 'mod', body: {} }), 400, 'missing_field', 'decision');
    assertError(await req('POST', `${base}/${p1}`, { token: 'mod', body: { decision: 'approve', x: 1 } }),
      400, 'unknown_field', 'x');
    assertError(await req('POST', `${base}/${'0'.repeat(32)}`, { token: 'mod', body: { decision: 'approve' } }),
      404, 'not_found', 'photo');
    assertError(await req('POST', `${base}/nothex`, { token: 'mod', body: { decision: 'approve' } }),
      404, 'not_found', 'photo');
    assert.equal((await req('POST', `${base}/${p1}`, { token: 'plan', body: { decision: 'approve' } })).status, 403);
    assert.equal((await req('POST', `${base}/${p1}`, { body: { decision: 'approve' } })).status, 401);
  });

  test('approve: public with the item, in REST and OAPIF, audited', async () => {
    const r = await req('POST', `/api/v1/staff/feedback/${id}/photos/${p1}`, { token: 'mod', body: { decision: 'approve' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.photos.map((p) => p.state), ['approved', 'pending']);
    const pub = await req('GET', `/api/v1/feedback/${id}`);
    assert.deepEqual(pub.json.properties.photos.map((p) => p.id), [p1]);
    assert.equal(pub.json.properties.photos[0].thumb, `/api/v1/photos/${p1}/thumb`);
    assert.equal(pub.json.properties.photos[0].url, `/api/v1/photos/${p1}/display`);
    const ogc = await req('GET', `/ogcapi/collections/feedback/items/${id}`);
    assert.deepEqual(ogc.json.properties.photos.map((p) => p.id), [p1]);
    const img = await req('GET', `/api/v1/photos/${p1}/display`);
    assert.equal(img.status, 200);
    assert.match(img.headers.get('cache-control'), /^public/);
    assert.equal((await req('GET', `/api/v1/photos/${p2}/display`)).status, 404, 'the other still waits');
    const v = await req('GET', `/api/v1/followup/${token}`);
    assert.equal(v.json.photos_waiting, 1);
    assert.deepEqual(v.json.photos.map((p) => p.id), [p1]);
    const audit = await req('GET', '/api/v1/staff/audit', { token: 'admin' });
    assert.equal(audit.status, 200, audit.text);
    assert.ok(audit.text.includes('photo_approve') && audit.text.includes(p1), 'the approval is in the audit log');
    // The public history tells nothing of moderation.
    assert.ok(!v.json.history.some((h) => h.kind.startsWith('photo_')));
    await assertPhotoCounts({ [id]: 1 });
  });

  test('EXIF GPS is stripped from the file residents get', async () => {
    const img = await req('GET', `/api/v1/photos/${p1}/display`);
    const text = img.bytes.toString('latin1');
    for (const trace of ['Exif', 'GPS', 'SecretCam', 'ns.adobe.com'])
      assert.ok(!text.includes(trace), `no '${trace}' in the served photo`);
    assert.equal(img.bytes.readUInt16BE(0), 0xffd8, 'a JPEG');
  });

  test('a hidden item hides its approved photos from residents, not from staff', async () => {
    const hide = await req('PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod', body: { hidden: true, hide_reason: 'other' } });
    assert.equal(hide.status, 200, hide.text);
    assert.equal((await req('GET', `/api/v1/photos/${p1}/display`)).status, 404);
    assert.equal((await req('GET', `/api/v1/photos/${p1}/display`, { token: 'plan' })).status, 200);
    assert.deepEqual((await req('GET', `/api/v1/followup/${token}`)).json.photos, [], 'no links that would not load');
    const show = await req('PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod', body: { hidden: false } });
    assert.equal(show.status, 200, show.text);
    assert.equal((await req('GET', `/api/v1/photos/${p1}/display`)).status, 200);
    await assertPhotoCounts({ [id]: 1 });
  });

  test('reject: the photo is deleted, audited', async () => {
    const r = await req('POST', `/api/v1/staff/feedback/${id}/photos/${p2}`, { token: 'mod', body: { decision: 'reject' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.photos.map((p) => p.id), [p1]);
    assert.equal((await req('GET', `/api/v1/photos/${p2}/display`, { token: 'admin' })).status, 404, 'gone even for admins');
    assert.ok(r.json.events.some((e) => e.kind === 'photo_reject'), r.text);
    assertError(await req('POST', `/api/v1/staff/feedback/${id}/photos/${p2}`, { token: 'mod', body: { decision: 'approve' } }),
      404, 'not_found', 'photo');
    await assertPhotoCounts({ [id]: 1 });
  });

  test('limits: a 4th photo, a bad id, an unknown or a taken photo → 4xx naming photos[i]', async () => {
    const ids = [await upload('tiny.png'), await upload('tiny.png'), await upload('tiny.png'), await upload('tiny.png')];
    assertError(await send(ids), 400, 'invalid_value', 'properties.photos[3]');
    assertError(await send([ids[0], 'x']), 400, 'invalid_value', 'properties.photos[1]');
    assertError(await send([ids[0], 7]), 400, 'wrong_type', 'properties.photos[1]');
    assertError(await send([ids[0], ids[0]]), 400, 'invalid_value', 'properties.photos[1]');
    assertError(await send('abc'), 400, 'wrong_type', 'properties.photos');
    assertError(await send([ids[0], 'f'.repeat(32)]), 422, 'invalid_photo', 'properties.photos[1]');
    assertError(await send([ids[1], p1]), 409, 'photo_taken', 'properties.photos[1]');
    // The refused reports rolled back: ids[0] and ids[1] are still free.
    const ok = await send([ids[0], ids[1], ids[2]]);
    assert.equal(ok.status, 201, ok.text);
    const v = await req('GET', `/api/v1/staff/feedback/${ok.json.id}`, { token: 'mod' });
    assert.equal(v.json.photos.length, 3);
    const none = await send(null);
    assert.equal(none.status, 201, none.text);
    assert.deepEqual(none.json.properties.photos, []);
  });

  test('withdrawing the report deletes its photos', async () => {
    const r = await req('POST', `/api/v1/followup/${token}/withdraw`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.photos_waiting, 0);
    assert.equal((await req('GET', `/api/v1/photos/${p1}/display`, { token: 'admin' })).status, 404);
    const v = await req('GET', `/api/v1/staff/feedback/${id}`, { token: 'mod' });
    assert.deepEqual(v.json.photos, []);
    await assertPhotoCounts({ [id]: 0 });
  });

  test('`vaikuta check` finds a photo count that does not match the photos', async () => {
    const ok = spawnSync(vaikutaBin, ['check', '--db', srv.db], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /photo counts of feedback: ok/);
    const bad = spawnSync('sqlite3', [srv.db, `UPDATE feedback SET photo_count = 7 WHERE id = ${id}`], { encoding: 'utf8' });
    assert.equal(bad.status, 0, bad.stderr);
    const c = spawnSync(vaikutaBin, ['check', '--db', srv.db], { encoding: 'utf8' });
    assert.equal(c.status, 1, c.stdout + c.stderr);
    assert.match(c.stdout, new RegExp(`photo counts of feedback: problem: ${id} 7 0`));
    spawnSync('sqlite3', [srv.db, `UPDATE feedback SET photo_count = 0 WHERE id = ${id}`]);
  });
});
