// Moderation and the reporter's side of issue 5: follow-up links and
// withdrawal, duplicate suggestions nearby, "me too" once per browser,
// hiding and redacting, merging duplicates, and the retention purge of
// contact details (CLI and schedule). Contact details must never reach a
// public answer or a log line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from '../lib/client.mjs';
import { call as callServer, startServer, tempDir, vaikutaBin, vaikutaCli } from '../lib/server.mjs';

const PW = 'correct horse battery staple';
const TOKENS = [
  { name: 'mod-bot', role: 'moderator' },
  { name: 'admin-bot', role: 'admin' },
  { name: 'planner-bot', role: 'planner' },
  { name: 'council-bot', role: 'council' },
];
const EMAIL = 'moderation.secret.reporter@example.fi';
const PHONE = '+358 50 987 6543';
const NAME = 'Salainen Raportoija-Qwerty';
const NOTE = 'INTERNAL: call the contractor, 5d1e';
const HERE = [28.7705, 61.1935];

let srv;
const publicTexts = []; // every public answer's text, searched for the contact details

async function call(method, p, { isPublic, ...opts } = {}) {
  const r = await callServer(srv, method, p, opts);
  if (isPublic ?? !opts.token) publicTexts.push(r.text);
  return r;
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
}

// A new report; returns { id, token }.
async function report({ at = HERE, category = 'lighting', contact = true, description } = {}) {
  const props = { category, description: description || `Moderoinnin testi ${Math.random()}` };
  if (contact) props.contact = { name: NAME, email: EMAIL, phone: PHONE };
  const r = await call('POST', '/api/v1/feedback', {
    body: { type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: props },
  });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, token: r.json.followup?.token, json: r.json, text: r.text };
}

const patch = (id, body, token = 'mod-bot') => call('PATCH', `/api/v1/staff/feedback/${id}`, { token, body });
const staffGet = (id, token = 'mod-bot') => call('GET', `/api/v1/staff/feedback/${id}`, { token });
// "me too" counts once per item per address a day: another browser that
// should count comes from another loopback address (from: '127.0.0.N').
async function meToo(id, cookie, from) {
  if (!from) return call('POST', `/api/v1/feedback/${id}/me-too`, { cookie });
  const r = await request('POST', `${srv.url}/api/v1/feedback/${id}/me-too`, { from, headers: cookie ? { Cookie: cookie } : {} });
  publicTexts.push(r.text);
  return { ...r, res: { headers: { get: (k) => r.headers[k.toLowerCase()] ?? null } } };
}
const browser = (r) => (r.res.headers.get('set-cookie') || '').split(';')[0];

before(async () => {
  srv = await startServer({ tokens: TOKENS, users: [{ name: 'admin1', role: 'admin', password: PW }] });
});
after(async () => {
  if (srv) await srv.close();
});

describe('follow-up link', () => {
  test('the report answers a private link; GET answers never carry it', async () => {
    const { id, token, json } = await report();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(json.followup.url, `/follow.html#${token}`);
    const pub = await call('GET', `/api/v1/feedback/${id}`);
    assert.equal(pub.status, 200);
    assert.ok(!pub.text.includes(token) && !('followup' in pub.json));
    const staff = await staffGet(id);
    assert.ok(!staff.text.includes(token));
  });

  test('the view: status, answers and public history only', async () => {
    const { id, token } = await report();
    let r = await patch(id, { status: 'in_progress', public_answer: 'Korjaamme viikolla 48.', internal_note: NOTE });
    assert.equal(r.status, 200, r.text);
    r = await patch(id, { internal_note: NOTE });
    assert.equal(r.status, 200, r.text);
    r = await patch(id, { unit: 'parks_green' });
    assert.equal(r.status, 200, r.text);
    const v = await call('GET', `/api/v1/followup/${token}`);
    assert.equal(v.status, 200, v.text);
    assert.equal(v.res.headers.get('cache-control'), 'no-store');
    for (const k of ['id', 'category', 'description', 'place', 'status', 'resolution_reason', 'duplicate_of',
      'forwarded_to', 'unit', 'created', 'updated', 'answer', 'answered', 'me_too', 'withdrawn',
      'has_contact', 'history']) assert.ok(k in v.json, `view has ${k}`);
    assert.equal(v.json.id, id);
    assert.equal(v.json.status, 'in_progress');
    assert.equal(v.json.answer, 'Korjaamme viikolla 48.');
    assert.equal(v.json.unit, 'parks_green');
    assert.equal(v.json.withdrawn, false);
    assert.equal(v.json.has_contact, true);
    assert.deepEqual(v.json.history.map((h) => [h.kind, h.status, h.public_answer]),
      [['status', 'in_progress', 'Korjaamme viikolla 48.']]);
    assert.deepEqual(Object.keys(v.json.history[0]).sort(), ['at', 'kind', 'public_answer', 'status']);
    assert.ok(!v.text.includes(NOTE) && !v.text.includes('mod-bot'), 'no notes or staff names');
  });

  test('an unknown or malformed token is 404 not_found', async () => {
    for (const t of ['A'.repeat(43), 'x', 'A'.repeat(44), `${'A'.repeat(42)}!`]) {
      assertError(await call('GET', `/api/v1/followup/${encodeURIComponent(t)}`), 404, 'not_found');
      assertError(await call('POST', `/api/v1/followup/${encodeURIComponent(t)}/withdraw`), 404, 'not_found');
    }
  });

  test('an Idempotency-Key replay does not hand the token out again', async () => {
    const body = JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: HERE },
      properties: { category: 'other', description: 'Toistettu ilmoitus' } });
    const send = () => fetch(`${srv.url}/api/v1/feedback`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'followup-replay-1' }, body,
    }).then(async (res) => ({ res, json: await res.json() }));
    const first = await send();
    assert.equal(first.res.status, 201);
    assert.match(first.json.followup.token, /^[A-Za-z0-9_-]{43}$/);
    const again = await send();
    assert.equal(again.res.status, 201);
    assert.equal(again.res.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.json.followup, undefined);
    assert.equal((await call('GET', `/api/v1/followup/${first.json.followup.token}`)).status, 200);
  });

  test('the token never appears in the access log', async () => {
    const { token } = await report();
    await call('GET', `/api/v1/followup/${token}`);
    await call('GET', `/api/v1/followup/${token}?x=1`);
    await new Promise((r) => setTimeout(r, 100));
    const log = srv.stderr();
    assert.match(log, /GET \/api\/v1\/followup\/\[redacted\] 200/);
    assert.ok(!log.includes(token), 'token in the log');
  });

  test('no path form that reaches a token puts it in the log (issue 19, 8f)', async () => {
    const { token } = await report();
    const forms = [`//api/v1/followup/${token}`, `/api/v1//followup/${token}`,
      `/api/v1/followup//${token}`, `/api//v1/followup/${token}/withdraw`, `/api/v1/FOLLOWUP/${token}`,
      `/${token}`, `/follow.html/${token}`];
    for (const f of forms) {
      // Raw requests: a client library might tidy the slashes.
      await new Promise((resolve) => {
        const sock = net.connect(srv.port, '127.0.0.1');
        sock.on('data', () => {});
        sock.on('close', resolve);
        sock.on('error', resolve);
        sock.write(`GET ${f} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      });
    }
    await new Promise((r) => setTimeout(r, 100));
    const log = srv.stderr();
    assert.match(log, /GET \/\/api\/v1\/followup\/\[redacted\] /);
    assert.ok(!log.includes(token), 'token in the log');
  });
});

describe('withdrawal', () => {
  test('deletes the contact details, hides the item everywhere, once', async () => {
    const description = `Peruttava ilmoitus ${Date.now()}`;
    const { id, token } = await report({ description });
    const w = await call('POST', `/api/v1/followup/${token}/withdraw`);
    assert.equal(w.status, 200, w.text);
    assert.equal(w.json.withdrawn, true);
    assert.equal(w.json.has_contact, false);
    assert.equal(w.json.history.at(-1).kind, 'withdraw');
    assertError(await call('GET', `/api/v1/feedback/${id}`), 404, 'not_found');
    assert.equal((await call('GET', `/ogcapi/collections/feedback/items/${id}`)).status, 404);
    assert.equal((await call('GET', `/open311/v2/requests/${id}.json`)).status, 404);
    const list = await call('GET', '/api/v1/feedback?limit=10000');
    assert.ok(!list.json.features.some((f) => f.id === id));
    const csv = await call('GET', '/api/v1/export/feedback.csv');
    assert.equal(csv.status, 200);
    assert.ok(!csv.text.includes(description), 'not in the export');

    const again = await call('POST', `/api/v1/followup/${token}/withdraw`);
    assert.equal(again.status, 200);
    assert.equal(again.json.history.filter((h) => h.kind === 'withdraw').length, 1);
    assert.equal((await call('GET', `/api/v1/followup/${token}`)).json.withdrawn, true);

    const s = await staffGet(id);
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.staff.visibility, 'withdrawn');
    assert.equal(s.json.staff.contact, null);
    const ev = s.json.events.at(-1);
    assert.equal(ev.kind, 'withdraw');
    assert.equal(ev.actor, 'reporter');
    assert.deepEqual(ev.after, { contact_deleted: true, visibility: 'withdrawn' });
    assertError(await patch(id, { hidden: false }), 409, 'invalid_transition', 'hidden');
    assert.equal((await staffGet(id)).json.staff.visibility, 'withdrawn');
    assertError(await meToo(id), 404, 'not_found', 'id');
  });
});

describe('nearby', () => {
  const spot = [28.7790, 61.1880];
  const offset = (m) => [spot[0], spot[1] + m / 111200]; // metres north
  let near; let far; let other; let closed; let hidden;

  before(async () => {
    far = (await report({ at: offset(40), contact: false })).id;
    near = (await report({ at: offset(5), contact: false })).id;
    other = (await report({ at: offset(10), category: 'parks', contact: false })).id;
    closed = (await report({ at: offset(2), contact: false })).id;
    hidden = (await report({ at: offset(3), contact: false })).id;
    await report({ at: offset(120), contact: false });
    assert.equal((await patch(closed, { status: 'resolved' })).status, 200);
    assert.equal((await patch(hidden, { hidden: true })).status, 200);
  });

  test('open public items within 50 m, nearest first, with distance_m', async () => {
    const r = await call('GET', `/api/v1/feedback/nearby?lon=${spot[0]}&lat=${spot[1]}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.type, 'FeatureCollection');
    const ids = r.json.features.map((f) => f.id);
    assert.deepEqual(ids, [near, other, far]);
    const d = r.json.features.map((f) => f.properties.distance_m);
    assert.ok(d.every(Number.isInteger));
    assert.ok(Math.abs(d[0] - 5) <= 1 && Math.abs(d[1] - 10) <= 1 && Math.abs(d[2] - 40) <= 1, d.join());
    assert.ok(r.json.features.every((f) => ['received', 'in_progress', 'planned'].includes(f.properties.status)));
    assert.ok(r.json.features.every((f) => Number.isInteger(f.properties.me_too)));
  });

  test('category and radius narrow it; 200 m is the most', async () => {
    const cat = await call('GET', `/api/v1/feedback/nearby?lon=${spot[0]}&lat=${spot[1]}&category=parks`);
    assert.deepEqual(cat.json.features.map((f) => f.id), [other]);
    const small = await call('GET', `/api/v1/feedback/nearby?lon=${spot[0]}&lat=${spot[1]}&radius=7`);
    assert.deepEqual(small.json.features.map((f) => f.id), [near]);
    const wide = await call('GET', `/api/v1/feedback/nearby?lon=${spot[0]}&lat=${spot[1]}&radius=200`);
    assert.ok(wide.json.features.length <= 20);
    assert.ok(wide.json.features.every((f) => f.properties.distance_m <= 200));
    assert.ok(!wide.json.features.some((f) => f.id === closed || f.id === hidden));
  });

  test('bad parameters are 400 with the field', async () => {
    const q = (s) => call('GET', `/api/v1/feedback/nearby?${s}`);
    assertError(await q('lat=61.19'), 400, 'invalid_parameter', 'lon');
    assertError(await q('lon=28.77'), 400, 'invalid_parameter', 'lat');
    assertError(await q('lon=28.77&lat=91'), 400, 'invalid_parameter', 'lat');
    assertError(await q('lon=x&lat=61'), 400, 'invalid_parameter', 'lon');
    assertError(await q('lon=28.77&lat=61.19&radius=0'), 400, 'invalid_parameter', 'radius');
    assertError(await q('lon=28.77&lat=61.19&radius=201'), 400, 'invalid_parameter', 'radius');
    assertError(await q('lon=28.77&lat=61.19&category=nope'), 400, 'invalid_parameter', 'category');
    assertError(await q('lon=28.77&lat=61.19&bbox=1,2,3,4'), 400, 'unknown_parameter', 'bbox');
  });
});

describe('me too', () => {
  test('one per browser, counted on the item', async () => {
    const { id } = await report({ contact: false });
    const first = await meToo(id);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json, { id, me_too: 1, counted: true });
    const setCookie = first.res.headers.get('set-cookie');
    assert.match(setCookie, /^vaikuta_browser=[0-9a-f]{64}; /);
    for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/api/v1/', 'Max-Age=31536000']) {
      assert.ok(setCookie.includes(attr), `${attr} in ${setCookie}`);
    }
    const cookie = browser(first);
    const again = await meToo(id, cookie);
    assert.deepEqual(again.json, { id, me_too: 1, counted: false });
    assert.equal(again.res.headers.get('set-cookie'), null, 'a known browser keeps its cookie');
    const other = await meToo(id, 'vaikuta_browser=not-a-token', '127.0.0.2');
    assert.deepEqual(other.json, { id, me_too: 2, counted: true });
    const sameAddress = await meToo(id, 'vaikuta_browser=not-a-token');
    assert.deepEqual(sameAddress.json, { id, me_too: 2, counted: false },
      'another browser at an address that counted today does not count');
    assert.equal((await call('GET', `/api/v1/feedback/${id}`)).json.properties.me_too, 2);
    assert.equal((await staffGet(id)).json.staff.me_too, 2);
  });

  test('unknown and hidden items are 404', async () => {
    assertError(await meToo(999999), 404, 'not_found', 'id');
    assertError(await meToo('abc'), 404, 'not_found');
    const { id } = await report({ contact: false });
    assert.equal((await patch(id, { hidden: true })).status, 200);
    assertError(await meToo(id), 404, 'not_found', 'id');
  });
});

describe('moderation', () => {
  test('hide and show: out of public view, still the staff\'s', async () => {
    // A box around the item: its count comes from the R*Tree, which still
    // holds hidden items, so the count must take them off.
    const box = `bbox=${HERE[0] - 0.01},${HERE[1] - 0.01},${HERE[0] + 0.01},${HERE[1] + 0.01}`;
    const count = async () => {
      const r = await call('GET', `/ogcapi/collections/feedback/items?${box}&limit=1`);
      assert.equal(r.status, 200, r.text);
      return r.json.numberMatched;
    };
    const { id } = await report();
    const shown = await count();
    const h = await patch(id, { hidden: true, internal_note: 'Loukkaava kieli' });
    assert.equal(h.status, 200, h.text);
    assert.equal(h.json.id, id);
    assertError(await call('GET', `/api/v1/feedback/${id}`), 404, 'not_found');
    assert.equal((await call('GET', `/ogcapi/collections/feedback/items/${id}`)).status, 404);
    assert.equal(await count(), shown - 1);
    const s = await staffGet(id);
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.feedback.id, id);
    assert.equal(s.json.staff.visibility, 'hidden');
    const ev = s.json.events.at(-1);
    assert.deepEqual([ev.kind, ev.internal_note, ev.before, ev.after],
      ['hide', 'Loukkaava kieli', { visibility: 'public' }, { visibility: 'hidden' }]);
    // The workflow goes on for a hidden item.
    const st = await patch(id, { status: 'in_progress' });
    assert.equal(st.status, 200, st.text);
    assert.equal(st.json.properties.status, 'in_progress');
    const u = await patch(id, { hidden: false });
    assert.equal(u.status, 200, u.text);
    assert.equal((await call('GET', `/api/v1/feedback/${id}`)).status, 200);
    assert.equal(await count(), shown);
    assert.equal((await staffGet(id)).json.events.at(-1).kind, 'unhide');
    assertError(await patch(id, { hidden: 'yes' }), 400, 'wrong_type', 'hidden');
  });

  test('redaction keeps the original for admins only, and out of the audit log', async () => {
    const original = 'Naapurini Matti Virtanen-Zyx (puh. 040 555 0199) jättää roskat kadulle.';
    const { id } = await report({ description: original });
    const cleaned = 'Naapuri jättää roskat kadulle.';
    const r = await patch(id, { description: cleaned });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.properties.description, cleaned);
    assert.equal((await call('GET', `/api/v1/feedback/${id}`)).json.properties.description, cleaned);
    // A second edit keeps the resident's first text as the original.
    assert.equal((await patch(id, { description: 'Roskia kadulla.' })).status, 200);
    const admin = await staffGet(id, 'admin-bot');
    assert.equal(admin.json.staff.description_original, original);
    assert.deepEqual(admin.json.staff.contact, { name: NAME, email: EMAIL, phone: PHONE });
    const mod = await staffGet(id, 'mod-bot');
    assert.ok(!('description_original' in mod.json.staff));
    assert.deepEqual(mod.json.staff.contact, { name: NAME, email: EMAIL, phone: PHONE });
    for (const t of ['planner-bot', 'council-bot']) {
      const s = await staffGet(id, t);
      assert.equal(s.status, 200);
      assert.ok(!('contact' in s.json.staff) && !('description_original' in s.json.staff), t);
      assert.ok(!s.text.includes(EMAIL) && !s.text.includes(original), t);
    }
    const ev = admin.json.events.filter((e) => e.kind === 'redact');
    assert.equal(ev.length, 2);
    assert.deepEqual(ev[0].before, { description_length: [...original].length });
    assert.deepEqual(ev[0].after, { description_length: cleaned.length });
    const audit = await call('GET', '/api/v1/staff/audit?limit=1000', { token: 'admin-bot' });
    assert.ok(!audit.text.includes('Virtanen-Zyx') && !audit.text.includes('555 0199'),
      'no personal data in the audit log');
  });

  test('a bad description is refused', async () => {
    const { id } = await report({ contact: false });
    assertError(await patch(id, { description: '   ' }), 400, 'invalid_value', 'description');
    assertError(await patch(id, { description: 'x'.repeat(4001) }), 400, 'too_long', 'description');
    assertError(await patch(id, { description: 7 }), 400, 'wrong_type', 'description');
    assertError(await patch(id, { hidden: true }, 'planner-bot'), 403, 'forbidden');
  });
});

describe('merging duplicates', () => {
  test('the duplicate closes, its votes and reporter move to the item that stays', async () => {
    const a = (await report({ contact: false })).id;
    const b = (await report({ contact: false })).id;
    const v1 = browser(await meToo(a));
    await meToo(b, v1); // v1 said "me too" to both: it counts once
    await meToo(b, undefined, '127.0.0.2');
    const r = await call('POST', `/api/v1/staff/feedback/${a}/merge`, {
      token: 'mod-bot', body: { into: b, public_answer: 'Sama asia kuin toisessa palautteessa.', internal_note: NOTE },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.feedback.id, b);
    assert.equal(r.json.staff.me_too, 3); // v1, v2 and a's reporter
    assert.equal(r.json.feedback.properties.me_too, 3);
    assert.ok('contact' in r.json.staff, 'the staff view as a moderator sees it');
    assert.deepEqual(r.json.events.at(-1).after, { me_too: 3, merged: a });
    assert.equal(r.json.events.at(-1).kind, 'merge');
    const dup = await staffGet(a);
    assert.equal(dup.json.feedback.properties.status, 'duplicate');
    assert.equal(dup.json.feedback.properties.duplicate_of, b);
    assert.equal(dup.json.feedback.properties.me_too, 0);
    const ev = dup.json.events.at(-1);
    assert.deepEqual([ev.kind, ev.public_answer, ev.internal_note, ev.actor],
      ['merge', 'Sama asia kuin toisessa palautteessa.', NOTE, 'mod-bot']);
    assert.deepEqual(ev.after, { answer: 'Sama asia kuin toisessa palautteessa.', duplicate_of: b, status: 'duplicate' });
    // The voter who already counted on b still cannot count twice.
    assert.equal((await meToo(b, v1)).json.counted, false);
  });

  test('the merged report\'s follow-up view shows the surviving item\'s public answer and status (issue 16)', async () => {
    const a = await report({ contact: false });
    const b = await report({ contact: false });
    let v = await call('GET', `/api/v1/followup/${a.token}`);
    assert.ok(!('merged_into' in v.json), 'not merged yet: nothing to show');
    let r = await call('POST', `/api/v1/staff/feedback/${a.id}/merge`, {
      token: 'mod-bot', body: { into: b.id, public_answer: 'Sama asia kuin toisessa.' },
    });
    assert.equal(r.status, 200, r.text);
    r = await patch(b.id, { status: 'in_progress', public_answer: 'Valaisin vaihdetaan maanantaina.', internal_note: NOTE });
    assert.equal(r.status, 200, r.text);
    v = await call('GET', `/api/v1/followup/${a.token}`);
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.duplicate_of, b.id);
    const m = v.json.merged_into;
    assert.equal(m.id, b.id);
    assert.equal(m.status, 'in_progress');
    assert.equal(m.answer, 'Valaisin vaihdetaan maanantaina.');
    assert.equal(m.category, 'lighting');
    assert.ok(m.answered && m.me_too >= 1);
    // Only what the public sees of the other report: never its reporter's
    // words, contact or the staff's notes.
    for (const k of ['description', 'place', 'contact', 'internal_note', 'has_contact', 'history']) assert.ok(!(k in m), k);
    assert.ok(!v.text.includes(NOTE));
    // A hidden survivor is not shown.
    r = await patch(b.id, { hidden: true, internal_note: NOTE });
    assert.equal(r.status, 200, r.text);
    v = await call('GET', `/api/v1/followup/${a.token}`);
    assert.equal(v.status, 200, v.text);
    assert.ok(!('merged_into' in v.json), 'a hidden item is not shown through the link');
  });

  test('into itself, unknown, closed or missing targets are refused', async () => {
    const a = (await report({ contact: false })).id;
    const c = (await report({ contact: false })).id;
    assert.equal((await patch(c, { status: 'resolved' })).status, 200);
    const merge = (body, id = a, token = 'mod-bot') => call('POST', `/api/v1/staff/feedback/${id}/merge`, { token, body });
    assertError(await merge({ into: a }), 400, 'invalid_value', 'into');
    assertError(await merge({ into: 999999 }), 400, 'invalid_value', 'into');
    assertError(await merge({ into: c }), 409, 'invalid_transition', 'into');
    assertError(await merge({}), 400, 'missing_field', 'into');
    assertError(await merge({ into: 'x' }), 400, 'wrong_type', 'into');
    assertError(await merge({ into: c, extra: 1 }), 400, 'unknown_field', 'extra');
    assertError(await merge({ into: c }, 999999), 404, 'not_found', 'id');
    assertError(await merge({ into: c }, a, 'planner-bot'), 403, 'forbidden');
    assert.equal((await staffGet(a)).json.feedback.properties.status, 'received', 'nothing changed');
  });

  test('merge, reopen, merge again counts the reporter once; withdrawn items cannot be merged (issue 19, 8b)', async () => {
    const a = (await report({ contact: false })).id;
    const b = (await report({ contact: false })).id;
    const merge = (id, into) => call('POST', `/api/v1/staff/feedback/${id}/merge`, { token: 'mod-bot', body: { into } });
    for (let cycle = 0; cycle < 3; cycle++) {
      const r = await merge(a, b);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.staff.me_too, 1, `cycle ${cycle}: a's reporter counts once`);
      assert.equal((await patch(a, { status: 'in_progress' })).status, 200, 'reopened');
    }
    assert.equal((await call('GET', `/api/v1/feedback/${b}`)).json.properties.me_too, 1);
    // Merged the other way, b's count (a's reporter) moves, b's reporter
    // is added, and a's own reporter does not count on a.
    const back = await merge(b, a);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.staff.me_too, 1, 'only b\'s reporter: a does not vote for itself');
    // Withdrawn by its reporter: refused, nothing counted.
    const w = await report({ contact: false });
    const c = (await report({ contact: false })).id;
    assert.ok((await call('POST', `/api/v1/followup/${w.token}/withdraw`)).status < 300);
    assertError(await merge(w.id, c), 409, 'invalid_transition', 'id');
    assert.equal((await staffGet(c)).json.feedback.properties.me_too, 0);
  });
});

describe('retention purge', () => {
  const purge = (args) => spawnSync(vaikutaBin, ['purge', ...args], { encoding: 'utf8' });

  test('vaikuta purge deletes contact details of closed items only', async () => {
    const open = (await report()).id;
    const closedItem = (await report()).id;
    assert.equal((await patch(closedItem, { status: 'resolved' })).status, 200);
    const early = purge(['--db', srv.db, '--closed-before', '2000-01-01']);
    assert.equal(early.status, 0, early.stderr);
    assert.deepEqual((await staffGet(closedItem)).json.staff.contact, { name: NAME, email: EMAIL, phone: PHONE });
    const r = purge(['--db', srv.db, '--closed-before', '2999-12-31T23:59:59+02:00']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /deleted the contact details of [1-9]\d* feedback items/);
    assert.equal((await staffGet(closedItem)).json.staff.contact, null);
    assert.notEqual((await staffGet(open)).json.staff.contact, null);
  });

  test('a bad date is refused with exit status 2', () => {
    for (const d of ['yesterday', '2026-13-01', '2026-02-30T25:00:00Z', '']) {
      const r = purge(['--db', srv.db, '--closed-before', d]);
      assert.equal(r.status, 2, `${d}: ${r.stderr}`);
      assert.match(r.stderr, /date/);
    }
    assert.equal(purge(['--db', srv.db]).status, 2);
  });

  test('serve --contact-retention-days purges at start', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'r.sqlite');
    const file = path.join(dir, 'old.geojson');
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', geometry: { type: 'Point', coordinates: HERE },
        properties: { category: 'other', description: 'Vanha', status: 'resolved', created: '2020-01-01T00:00:00Z',
          updated: '2020-02-01T00:00:00Z', contact: { email: EMAIL } } },
      { type: 'Feature', geometry: { type: 'Point', coordinates: HERE },
        properties: { category: 'other', description: 'Tuore', status: 'resolved', contact: { email: EMAIL } } },
    ] }));
    vaikutaCli(['import', '--db', db, file]);
    const bad = spawnSync(vaikutaBin, ['serve', '--db', db, '--contact-retention-days', 'x'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    const token = vaikutaCli(['token', 'create', '--role', 'admin', '--name', 'a', '--db', db]).trim();
    const contactOf = async (s, id) => (await fetch(`${s.url}/api/v1/staff/feedback/${id}`,
      { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.json())).staff.contact;
    let s = await startServer({ db, dir, demo: false, args: ['--contact-retention-days', '0'] });
    try {
      assert.deepEqual(await contactOf(s, 1), { name: null, email: EMAIL, phone: null });
    } finally { await s.stop(); }
    s = await startServer({ db, dir, demo: false, args: ['--contact-retention-days', '365'] });
    try {
      let c = await contactOf(s, 1);
      for (let i = 0; c !== null && i < 40; i++) {
        await new Promise((r) => setTimeout(r, 50));
        c = await contactOf(s, 1);
      }
      assert.equal(c, null, 'closed in 2020: purged');
      assert.deepEqual(await contactOf(s, 2), { name: null, email: EMAIL, phone: null }, 'closed now: kept');
      // The writer logs after its purge commits: a reader may see the
      // purge a moment before the line.
      for (let i = 0; !/removed the contact details of 1 /.test(s.stderr()) && i < 40; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(s.stderr(), /removed the contact details of 1 /);
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('no personal data in public answers', () => {
  test('followup, nearby, me-too, lists and exports never show the contact details', async () => {
    const { id, token, text } = await report();
    publicTexts.push(text);
    await call('GET', `/api/v1/followup/${token}`);
    await call('GET', `/api/v1/feedback/nearby?lon=${HERE[0]}&lat=${HERE[1]}&radius=200`);
    await meToo(id);
    await call('GET', `/api/v1/feedback/${id}`);
    await call('GET', '/api/v1/feedback?limit=10000');
    await call('GET', '/api/v1/export/feedback.geojson');
    await call('GET', '/api/v1/export/feedback.csv');
    await call('GET', '/ogcapi/collections/feedback/items?limit=10000');
    await call('GET', '/open311/v2/requests.json?start_date=2000-01-01&extensions=true');
    await call('POST', `/api/v1/followup/${token}/withdraw`);
    assert.ok(publicTexts.length > 30);
    for (const t of publicTexts) {
      for (const secret of [EMAIL, PHONE, NAME]) assert.ok(!t.includes(secret), `a public answer contains ${secret}`);
    }
    for (const secret of [EMAIL, PHONE, NAME]) assert.ok(!srv.stderr().includes(secret), 'the log');
  });
});
