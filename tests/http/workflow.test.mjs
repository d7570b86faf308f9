// The staff's handling workflow (issue 5): status transitions allowed and
// refused, public answers versus internal notes, units by category and
// reassignment, and the audit log (who, when, before, after).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call as callServer, startServer } from '../lib/server.mjs';

const PW = 'correct horse battery staple';
const USERS = [{ name: 'moderator1', role: 'moderator', password: PW }];
const TOKENS = [
  { name: 'mod-bot', role: 'moderator' },
  { name: 'admin-bot', role: 'admin' },
  { name: 'planner-bot', role: 'planner' },
];
const NOTE = 'INTERNAL-ONLY: the contractor is late again, do not tell yet 7f3a';

let srv;

const call = (method, path, opts) => callServer(srv, method, path, opts);

const patch = (id, body, token = 'mod-bot') => call('PATCH', `/api/v1/staff/feedback/${id}`, { token, body });
const staffGet = (id, token = 'mod-bot') => call('GET', `/api/v1/staff/feedback/${id}`, { token });

async function newItem(category = 'lighting') {
  const r = await call('POST', '/api/v1/feedback', {
    body: {
      type: 'Feature', geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
      properties: { category, description: `Työnkulun testi ${category}` },
    },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

before(async () => {
  srv = await startServer({ users: USERS, tokens: TOKENS });
});
after(async () => {
  if (srv) await srv.close();
});

describe('units', () => {
  test('a new item gets its category default unit; a moderator reassigns it', async () => {
    const lit = await newItem('lighting');
    const park = await newItem('parks');
    assert.equal((await call('GET', `/api/v1/feedback/${lit}`)).json.properties.unit, 'street_maintenance');
    assert.equal((await call('GET', `/api/v1/feedback/${park}`)).json.properties.unit, 'parks_green');

    const r = await patch(lit, { unit: 'parks_green', internal_note: 'Park path, not a street' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.properties.unit, 'parks_green');
    assert.equal((await call('GET', `/api/v1/feedback/${lit}`)).json.properties.unit, 'parks_green');
    const ev = (await staffGet(lit)).json.events.at(-1);
    assert.equal(ev.kind, 'unit');
    assert.deepEqual(ev.before, { unit: 'street_maintenance' });
    assert.deepEqual(ev.after, { unit: 'parks_green' });

    const bad = await patch(lit, { unit: 'no_such_unit' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'invalid_value');
    assert.equal(bad.json.error.field, 'unit');
  });

  test('Open311 names the unit as agency_responsible', async () => {
    const id = await newItem('parks');
    const r = await call('GET', `/open311/v2/requests/${id}.json?locale=en`);
    assert.equal(r.json[0].agency_responsible, 'Parks and green areas');
  });
});

describe('transitions', () => {
  test('received → in_progress → planned → resolved → reopened', async () => {
    const id = await newItem();
    for (const status of ['in_progress', 'planned', 'resolved']) {
      const r = await patch(id, { status });
      assert.equal(r.status, 200, `${status}: ${r.text}`);
      assert.equal(r.json.properties.status, status);
    }
    const open311 = (await call('GET', `/open311/v2/requests/${id}.json`)).json[0];
    assert.equal(open311.status, 'closed');
    const again = await patch(id, { status: 'in_progress', public_answer: 'Avattu uudelleen.' });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.properties.status, 'in_progress');
    assert.equal((await call('GET', `/open311/v2/requests/${id}.json`)).json[0].status, 'open');
    const kinds = (await staffGet(id)).json.events.map((e) => e.kind);
    assert.deepEqual(kinds, ['status', 'status', 'status', 'reopen']);
  });

  test('refused transitions are 409 invalid_transition and change nothing', async () => {
    const id = await newItem();
    assert.equal((await patch(id, { status: 'resolved' })).status, 200);
    for (const status of ['planned', 'forwarded', 'received']) {
      const r = await patch(id, { status, forwarded_to: status === 'forwarded' ? 'ELY' : undefined });
      assert.equal(r.status, 409, `resolved → ${status}`);
      assert.equal(r.json.error.code, 'invalid_transition');
      assert.equal(r.json.error.field, 'status');
    }
    const back = await newItem();
    assert.equal((await patch(back, { status: 'in_progress' })).status, 200);
    const r = await patch(back, { status: 'received' });
    assert.equal(r.status, 409);
    assert.equal((await call('GET', `/api/v1/feedback/${id}`)).json.properties.status, 'resolved');
    assert.equal((await staffGet(id)).json.events.length, 1, 'refused changes are not logged');
  });

  test('each outcome needs its detail, and the detail only fits its outcome', async () => {
    const id = await newItem();
    const cases = [
      [{ status: 'not_resolvable' }, 400, 'missing_field', 'resolution_reason'],
      [{ status: 'forwarded' }, 400, 'missing_field', 'forwarded_to'],
      [{ status: 'duplicate' }, 400, 'missing_field', 'duplicate_of'],
      [{ status: 'duplicate', duplicate_of: id }, 400, 'invalid_value', 'duplicate_of'],
      [{ status: 'duplicate', duplicate_of: 99999999 }, 400, 'invalid_value', 'duplicate_of'],
      [{ status: 'duplicate', duplicate_of: '1' }, 400, 'wrong_type', 'duplicate_of'],
      [{ status: 'planned', forwarded_to: 'ELY' }, 400, 'invalid_value', 'forwarded_to'],
      [{ status: 'closed' }, 400, 'invalid_value', 'status'],
      [{ status: 7 }, 400, 'wrong_type', 'status'],
      [{ colour: 'red' }, 400, 'unknown_field', 'colour'],
      [{}, 400, 'missing_field', ''],
      [{ public_answer: 'x'.repeat(4001) }, 400, 'too_long', 'public_answer'],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await patch(id, body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(r.json.error.code, code, JSON.stringify(body));
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    assert.equal((await patch(999999, { status: 'planned' })).status, 404);
    const text = await fetch(`${srv.url}/api/v1/staff/feedback/${id}`, {
      method: 'PATCH', headers: { Authorization: `Bearer ${srv.tokens['mod-bot']}`, 'Content-Type': 'text/plain' },
      body: 'status=planned',
    });
    assert.equal(text.status, 415);

    const other = await newItem();
    const nr = await patch(id, { status: 'not_resolvable', resolution_reason: 'Yksityistie.' });
    assert.equal(nr.status, 200, nr.text);
    assert.equal(nr.json.properties.resolution_reason, 'Yksityistie.');
    assert.equal((await patch(id, { status: 'in_progress' })).status, 200);
    const reopened = (await call('GET', `/api/v1/feedback/${id}`)).json.properties;
    assert.equal(reopened.resolution_reason, null, 'reopening clears the outcome detail');
    const dup = await patch(id, { status: 'duplicate', duplicate_of: other });
    assert.equal(dup.status, 200, dup.text);
    assert.equal(dup.json.properties.duplicate_of, other);
    const fw = await newItem();
    const f = await patch(fw, { status: 'forwarded', forwarded_to: 'Asunto Oy Koskenranta' });
    assert.equal(f.status, 200, f.text);
    assert.equal(f.json.properties.forwarded_to, 'Asunto Oy Koskenranta');
  });

  test('only moderators and admins may change; any staff may read', async () => {
    const id = await newItem();
    assert.equal((await patch(id, { status: 'planned' }, 'planner-bot')).status, 403);
    assert.equal((await call('PATCH', `/api/v1/staff/feedback/${id}`, { body: { status: 'planned' } })).status, 401);
    assert.equal((await staffGet(id, 'planner-bot')).status, 200);
    assert.equal((await call('GET', '/api/v1/staff/audit', { token: 'mod-bot' })).status, 403);
    assert.equal((await patch(id, { status: 'planned' }, 'admin-bot')).status, 200);
  });

  test('a signed-in moderator changes with the session cookie and its CSRF token', async () => {
    const login = await fetch(`${srv.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'moderator1', password: PW }),
    });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const { csrf } = await login.json();
    const id = await newItem();
    const noCsrf = await call('PATCH', `/api/v1/staff/feedback/${id}`, { cookie, body: { status: 'planned' } });
    assert.equal(noCsrf.status, 403);
    const ok = await call('PATCH', `/api/v1/staff/feedback/${id}`, { cookie, csrf, body: { status: 'planned' } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await staffGet(id)).json.events.at(-1).actor, 'moderator1');
  });
});

describe('answers and notes', () => {
  test('the public answer is shown to everyone; the internal note never', async () => {
    const id = await newItem();
    const r = await patch(id, {
      status: 'resolved', public_answer: 'Lamppu vaihdettiin.', internal_note: NOTE,
    });
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.text.includes(NOTE), 'the PATCH answer is the public item');
    const pub = (await call('GET', `/api/v1/feedback/${id}`)).json.properties;
    assert.equal(pub.answer, 'Lamppu vaihdettiin.');
    assert.ok(Date.now() - Date.parse(pub.answered) < 60e3, 'answered is when it was given');
    assert.equal((await call('GET', `/open311/v2/requests/${id}.json`)).json[0].status_notes, 'Lamppu vaihdettiin.');

    const publicPaths = [
      `/api/v1/feedback/${id}`, '/api/v1/feedback?limit=10000', `/ogcapi/collections/feedback/items/${id}`,
      '/ogcapi/collections/feedback/items?limit=10000', '/ogcapi/collections/feedback/queryables',
      `/open311/v2/requests/${id}.json?extensions=true`, `/open311/v2/requests/${id}.xml?extensions=true`,
      '/open311/v2/requests.json?extensions=true&start_date=2000-01-01',
      '/api/v1/export/feedback.geojson', '/api/v1/export/feedback.csv',
      `/ogcapi/collections/feedback/items?filter=${encodeURIComponent("description LIKE '%'")}&limit=10000`,
    ];
    for (const p of publicPaths) {
      const res = await fetch(`${srv.url}${p}`);
      assert.ok(res.status < 400, `${p}: ${res.status}`);
      const text = await res.text();
      assert.ok(!text.includes(NOTE) && !text.includes('7f3a'), `the note leaks in ${p}`);
      assert.ok(!text.includes('internal_note'), `internal_note is named in ${p}`);
    }
    const staff = (await staffGet(id)).json;
    assert.equal(staff.feedback.id, id);
    assert.equal(staff.events.at(-1).internal_note, NOTE);
    assert.equal(staff.events.at(-1).public_answer, 'Lamppu vaihdettiin.');
  });

  test('a later answer replaces the shown one; the history keeps both', async () => {
    const id = await newItem();
    assert.equal((await patch(id, { public_answer: 'Selvitämme asiaa.' })).status, 200);
    assert.equal((await patch(id, { status: 'planned', public_answer: 'Korjaus on ensi viikolla.' })).status, 200);
    assert.equal((await call('GET', `/api/v1/feedback/${id}`)).json.properties.answer, 'Korjaus on ensi viikolla.');
    const answers = (await staffGet(id)).json.events.map((e) => e.public_answer);
    assert.deepEqual(answers, ['Selvitämme asiaa.', 'Korjaus on ensi viikolla.']);
  });
});

describe('audit log', () => {
  test('admins read who, when, what, before and after', async () => {
    const id = await newItem();
    const t0 = Date.now();
    assert.equal((await patch(id, { status: 'forwarded', forwarded_to: 'ELY-keskus', internal_note: 'n1' })).status, 200);
    const r = await call('GET', '/api/v1/staff/audit?limit=5', { token: 'admin-bot' });
    assert.equal(r.status, 200);
    assert.ok(r.json.events.length <= 5);
    const ev = r.json.events[0];
    assert.equal(ev.feedback_id, id);
    assert.equal(ev.actor, 'mod-bot');
    assert.equal(ev.kind, 'status');
    assert.ok(Math.abs(Date.parse(ev.at) - t0) < 60e3);
    assert.deepEqual(ev.before, { status: 'received', forwarded_to: null });
    assert.deepEqual(ev.after, { status: 'forwarded', forwarded_to: 'ELY-keskus' });
    assert.equal(ev.internal_note, 'n1');
    const ids = r.json.events.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    assert.equal((await call('GET', '/api/v1/staff/audit?limit=0', { token: 'admin-bot' })).status, 400);
    assert.equal((await call('GET', '/api/v1/staff/audit?limit=5', { token: 'mod-bot' })).status, 403);
  });
});
