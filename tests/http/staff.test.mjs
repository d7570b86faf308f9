// The staff side's lists and accounts (issue 5): the inbox
// (GET /api/v1/staff/feedback) — order, filters, visibility, paging and
// refusals —, the units list, and user administration over HTTP.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call as callServer, login as signIn, repoRoot, startServer } from '../lib/server.mjs';

const PW = 'correct horse battery staple';
const USERS = [
  { name: 'admin1', role: 'admin', password: PW },
  { name: 'moderator1', role: 'moderator', password: PW },
];
const TOKENS = [
  { name: 'mod-bot', role: 'moderator' },
  { name: 'council-bot', role: 'council' },
  { name: 'admin-bot', role: 'admin' },
];

let srv;

const call = (method, url, opts) => callServer(srv, method, url, opts);
const login = (name, password = PW) => signIn(srv, name, password);

const inbox = (query = '', token = 'council-bot') => call('GET', `/api/v1/staff/feedback${query}`, { token });

// Everything the inbox holds for a query, one big page.
async function all(query = '') {
  const sep = query ? '&' : '?';
  const r = await inbox(`${query}${sep}limit=500`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.numberMatched, r.json.features.length, 'one page holds them all');
  return r.json.features;
}

async function newItem(category, coordinates = [28.7705, 61.1935]) {
  const r = await call('POST', '/api/v1/feedback', {
    body: {
      type: 'Feature', geometry: { type: 'Point', coordinates },
      properties: { category, description: `Saapuneet-testi ${category}` },
    },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

// Hidden by a moderator; withdrawn by its reporter through the follow-up link.
async function hide(id) {
  const r = await call('PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot', body: { hidden: true } });
  assert.equal(r.status, 200, r.text);
}
async function withdrawNew(category) {
  const r = await call('POST', '/api/v1/feedback', {
    body: {
      type: 'Feature', geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
      properties: { category, description: `Peruttava ${category}` },
    },
  });
  assert.equal(r.status, 201, r.text);
  const w = await call('POST', `/api/v1/followup/${r.json.followup.token}/withdraw`);
  assert.equal(w.status, 200, w.text);
  return r.json.id;
}

before(async () => {
  srv = await startServer({ users: USERS, tokens: TOKENS });
});
after(async () => {
  if (srv) await srv.close();
});

describe('inbox', () => {
  let fresh, hidden, withdrawn;
  before(async () => {
    fresh = await newItem('lighting');
    hidden = await newItem('parks');
    await hide(hidden);
    withdrawn = await withdrawNew('parks');
  });

  test('any staff role reads it; anonymous callers get 401', async () => {
    assert.equal((await call('GET', '/api/v1/staff/feedback')).status, 401);
    for (const token of ['council-bot', 'mod-bot']) {
      const r = await inbox('', token);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.type, 'FeatureCollection');
      assert.equal(r.json.numberReturned, r.json.features.length);
      assert.ok(r.json.features.length <= 50, '50 by default');
    }
  });

  test('unanswered first, then oldest created first, id breaking ties', async () => {
    const f = await all();
    assert.ok(f.length > 40);
    const key = (x) => [x.properties.answered ? 1 : 0, x.properties.created, x.id];
    for (let i = 1; i < f.length; i++) {
      const a = key(f[i - 1]), b = key(f[i]);
      const cmp = a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2];
      assert.ok(cmp < 0, `item ${f[i - 1].id} comes before ${f[i].id}`);
    }
    assert.ok(f.some((x) => x.properties.answered) && f.some((x) => !x.properties.answered));
  });

  test('features carry the public properties plus visibility and me_too', async () => {
    const f = await all('?visibility=all');
    const pub = (await call('GET', `/api/v1/feedback/${fresh}`)).json;
    const mine = f.find((x) => x.id === fresh);
    for (const k of Object.keys(pub.properties)) assert.ok(k in mine.properties, k);
    assert.equal(mine.properties.visibility, 'public');
    assert.equal(typeof mine.properties.me_too, 'number');
    assert.equal(f.find((x) => x.id === hidden).properties.visibility, 'hidden');
    assert.equal(f.find((x) => x.id === withdrawn).properties.visibility, 'withdrawn');
  });

  test('visibility: public and hidden by default; withdrawn on request; all', async () => {
    const ids = (f) => new Set(f.map((x) => x.id));
    const def = ids(await all());
    assert.ok(def.has(fresh) && def.has(hidden) && !def.has(withdrawn));
    const w = await all('?visibility=withdrawn');
    assert.deepEqual(w.map((x) => x.id), [withdrawn]);
    const h = await all('?visibility=hidden,withdrawn');
    assert.deepEqual(h.map((x) => x.id).sort((a, b) => a - b), [hidden, withdrawn]);
    const every = await all('?visibility=all');
    assert.equal(every.length, def.size + 1);
    const pub = await all('?visibility=public');
    assert.equal(pub.length, def.size - 1);
    // The public list never shows them.
    const open = (await call('GET', '/api/v1/feedback?limit=1000')).json;
    assert.ok(!open.features.some((x) => x.id === hidden || x.id === withdrawn));
    assert.equal(open.numberMatched, pub.length);
  });

  test('status, category and answered filter; answered splits the whole', async () => {
    const total = (await all()).length;
    const received = await all('?status=received');
    assert.ok(received.length > 0 && received.every((x) => x.properties.status === 'received'));
    const two = await all('?status=received,resolved');
    assert.ok(two.every((x) => ['received', 'resolved'].includes(x.properties.status)));
    assert.equal(two.length, received.length + (await all('?status=resolved')).length);
    const parks = await all('?category=parks,lighting');
    assert.ok(parks.length > 0 && parks.every((x) => ['parks', 'lighting'].includes(x.properties.category)));
    const yes = await all('?answered=true'), no = await all('?answered=false');
    assert.ok(yes.every((x) => x.properties.answered && x.properties.answer));
    assert.ok(no.every((x) => x.properties.answered === null));
    assert.equal(yes.length + no.length, total);
  });

  test('districts, and none for items outside every district, add up to the whole', async () => {
    const total = (await all()).length;
    const districts = (await call('GET', '/api/v1/districts')).json.features.map((d) => d.properties.code);
    const outside = await newItem('other', [28.5, 61.05]).catch(() => null); // may be outside the boundary
    let sum = 0;
    for (const code of districts) {
      const f = await all(`?district=${code}`);
      assert.ok(f.every((x) => x.properties.district === code));
      sum += f.length;
    }
    const none = await all('?district=none');
    assert.ok(none.every((x) => x.properties.district === null));
    assert.equal(sum + none.length, total + (outside ? 1 : 0));
    const both = await all(`?district=${districts[0]},none`);
    assert.equal(both.length, (await all(`?district=${districts[0]}`)).length + none.length);
  });

  test('units, and none for items without a unit', async () => {
    const total = (await all()).length;
    const sm = await all('?unit=street_maintenance');
    assert.ok(sm.length > 0 && sm.every((x) => x.properties.unit === 'street_maintenance'));
    const none = await all('?unit=none');
    assert.ok(none.every((x) => x.properties.unit === null));
    const rest = await all('?unit=parks_green,traffic_planning,environment,premises,customer_service,none');
    assert.equal(sm.length + rest.length, total);
  });

  test('age in days since created', async () => {
    const newer = await all('?newer_than_days=1');
    assert.ok(newer.some((x) => x.id === fresh));
    assert.ok(newer.every((x) => Date.parse(x.properties.created) >= Date.now() - 86400e3 - 60e3));
    const older = await all('?older_than_days=1');
    assert.ok(!older.some((x) => x.id === fresh));
    assert.ok(older.every((x) => Date.parse(x.properties.created) <= Date.now() - 86400e3 + 60e3));
    assert.equal(older.length + newer.length, (await all()).length);
  });

  test('bbox keeps the inbox order', async () => {
    const f = await all('?bbox=28.76,61.18,28.79,61.20');
    assert.ok(f.some((x) => x.id === fresh));
    for (const x of f) {
      const [lon, lat] = x.geometry.type === 'Point' ? x.geometry.coordinates : [28.77, 61.19];
      assert.ok(lon >= 28.75 && lon <= 28.80 && lat >= 61.17 && lat <= 61.21);
    }
    const ordered = (await all()).map((x) => x.id).filter((id) => f.some((x) => x.id === id));
    assert.deepEqual(f.map((x) => x.id), ordered);
  });

  test('pages by limit and offset with the total in numberMatched', async () => {
    const f = await all();
    const p = await inbox('?limit=7&offset=7');
    assert.equal(p.json.numberMatched, f.length);
    assert.equal(p.json.numberReturned, 7);
    assert.deepEqual(p.json.features.map((x) => x.id), f.slice(7, 14).map((x) => x.id));
  });

  test('bad parameters are a 400 naming the parameter', async () => {
    const cases = [
      ['?colour=red', 'unknown_parameter', 'colour'],
      ['?status=lost', 'invalid_parameter', 'status'],
      ['?status=received,,resolved', 'invalid_parameter', 'status'],
      ['?category=nope', 'invalid_parameter', 'category'],
      ['?district=atlantis', 'invalid_parameter', 'district'],
      ['?unit=ghostbusters', 'invalid_parameter', 'unit'],
      ['?older_than_days=-1', 'invalid_parameter', 'older_than_days'],
      ['?newer_than_days=soon', 'invalid_parameter', 'newer_than_days'],
      ['?answered=maybe', 'invalid_parameter', 'answered'],
      ['?visibility=secret', 'invalid_parameter', 'visibility'],
      ['?limit=0', 'invalid_parameter', 'limit'],
      ['?limit=501', 'invalid_parameter', 'limit'],
      ['?offset=x', 'invalid_parameter', 'offset'],
      ['?bbox=1,2,3', 'invalid_parameter', 'bbox'],
    ];
    for (const [q, code, field] of cases) {
      const r = await inbox(q);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error.code, code, q);
      assert.equal(r.json.error.field, field, q);
    }
  });
});

describe('units', () => {
  test('GET /api/v1/units lists the seeded units in three languages', async () => {
    const r = await call('GET', '/api/v1/units');
    assert.equal(r.status, 200);
    const seeded = JSON.parse(readFileSync(path.join(repoRoot, 'seeds/units.json'), 'utf8')).units;
    const byCode = (a, b) => (a.code < b.code ? -1 : 1);
    // The public list: code and names; a unit's e-mail address (for its
    // mail, docs/mail.md) is the staff's to see, never listed here.
    assert.deepEqual(r.json.units, seeded.map(({ code, name }) => ({ code, name })).sort(byCode));
    assert.ok(r.json.units.every((u) => !('email' in u)));
    assert.equal((await call('GET', '/api/v1/units?x=1')).status, 400);
  });
});

describe('user administration', () => {
  let admin;
  before(async () => {
    admin = await login('admin1');
    assert.equal(admin.status, 200);
  });
  const as = (method, url, body, who = admin) => call(method, url, { body, cookie: who.cookie, csrf: who.csrf });

  test('an admin adds a user, who can sign in; no hash is ever shown', async () => {
    const r = await as('POST', '/api/v1/staff/users', { name: 'new.moderator', role: 'moderator', password: 'a fine long password' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['created_at', 'disabled', 'name', 'role']);
    assert.equal(r.json.role, 'moderator');
    assert.equal(r.json.disabled, false);
    assert.equal(r.headers.get('location'), '/api/v1/staff/users/new.moderator');
    assert.doesNotMatch(r.text, /argon2/);
    const s = await login('new.moderator', 'a fine long password');
    assert.equal(s.status, 200);
    assert.equal(s.json.role, 'moderator');
    const list = await as('GET', '/api/v1/staff/users');
    assert.ok(list.json.users.some((u) => u.name === 'new.moderator'));
    assert.doesNotMatch(list.text, /argon2/);
  });

  test('the rules of `vaikuta user add` hold', async () => {
    const cases = [
      [{ name: 'admin1', role: 'admin', password: PW }, 'invalid_value', 'name'],
      [{ name: 'two words', role: 'admin', password: PW }, 'invalid_value', 'name'],
      [{ name: 'x'.repeat(65), role: 'admin', password: PW }, 'invalid_value', 'name'],
      [{ name: 'someone', role: 'king', password: PW }, 'invalid_value', 'role'],
      [{ name: 'someone', role: 'planner', password: 'short' }, 'invalid_value', 'password'],
      [{ name: 'someone', role: 'planner' }, 'missing_field', 'password'],
      [{ name: 'someone', role: 7, password: PW }, 'wrong_type', 'role'],
      [{ name: 'someone', role: 'planner', password: PW, email: 'x@y' }, 'unknown_field', 'email'],
    ];
    for (const [body, code, field] of cases) {
      const r = await as('POST', '/api/v1/staff/users', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.code, code, JSON.stringify(body));
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    const mod = await login('moderator1');
    const r = await as('POST', '/api/v1/staff/users', { name: 'sneaky', role: 'admin', password: PW }, mod);
    assert.equal(r.status, 403);
    assert.equal((await call('POST', '/api/v1/staff/users', { body: { name: 'a', role: 'admin', password: PW } })).status, 401);
  });

  test('role, disabling and a new password; disabling ends sessions', async () => {
    await as('POST', '/api/v1/staff/users', { name: 'changer', role: 'planner', password: PW });
    let r = await as('PATCH', '/api/v1/staff/users/changer', { role: 'council' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.role, 'council');
    const s = await login('changer');
    assert.equal((await call('GET', '/api/v1/auth/me', { cookie: s.cookie })).json.role, 'council');
    r = await as('PATCH', '/api/v1/staff/users/changer', { disabled: true });
    assert.equal(r.status, 200);
    assert.equal(r.json.disabled, true);
    assert.equal((await call('GET', '/api/v1/auth/me', { cookie: s.cookie })).status, 401, 'the session ended');
    assert.equal((await login('changer')).status, 401);
    r = await as('PATCH', '/api/v1/staff/users/changer', { disabled: false, password: 'another long password' });
    assert.equal(r.status, 200);
    assert.equal(r.json.disabled, false);
    assert.equal((await login('changer', 'another long password')).status, 200);
    assert.doesNotMatch(r.text, /argon2|password/);
  });

  test('an admin cannot disable or demote themselves; bad changes are refused', async () => {
    let r = await as('PATCH', '/api/v1/staff/users/admin1', { disabled: true });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'own_account');
    assert.equal(r.json.error.field, 'disabled');
    r = await as('PATCH', '/api/v1/staff/users/admin1', { role: 'moderator' });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.field, 'role');
    r = await as('PATCH', '/api/v1/staff/users/admin1', { role: 'admin' });
    assert.equal(r.status, 200, 'staying admin is fine');
    assert.equal((await call('GET', '/api/v1/auth/me', { cookie: admin.cookie })).status, 200);
    const cases = [
      ['nobody', { role: 'planner' }, 404, 'not_found', 'name'],
      ['moderator1', {}, 400, 'missing_field', ''],
      ['moderator1', { disabled: 'yes' }, 400, 'wrong_type', 'disabled'],
      ['moderator1', { role: 'boss' }, 400, 'invalid_value', 'role'],
      ['moderator1', { password: 'short' }, 400, 'invalid_value', 'password'],
      ['moderator1', { name: 'renamed' }, 400, 'unknown_field', 'name'],
    ];
    for (const [name, body, status, code, field] of cases) {
      r = await as('PATCH', `/api/v1/staff/users/${name}`, body);
      assert.equal(r.status, status, `${name} ${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.code, code);
      assert.equal(r.json.error.field, field);
    }
    r = await call('PATCH', '/api/v1/staff/users/moderator1', { body: { role: 'admin' }, cookie: admin.cookie });
    assert.equal(r.status, 403, 'a cookie needs the CSRF token');
  });

  test('two admins demoting each other at once: one wins, the other gets 403 (issue 19, 8a)', async () => {
    for (let i = 0; i < 8; i++) {
      const [x, y] = [`race-x${i}`, `race-y${i}`];
      for (const name of [x, y]) {
        assert.equal((await as('POST', '/api/v1/staff/users', { name, role: 'admin', password: PW })).status, 201);
      }
      const [sx, sy] = [await login(x), await login(y)];
      const [rx, ry] = await Promise.all([
        as('PATCH', `/api/v1/staff/users/${y}`, { role: 'moderator' }, sx),
        as('PATCH', `/api/v1/staff/users/${x}`, { role: 'moderator' }, sy)]);
      const statuses = [rx.status, ry.status].sort();
      assert.deepEqual(statuses, [200, 403], `trial ${i}: ${rx.text} ${ry.text}`);
      const loser = rx.status === 403 ? rx : ry;
      assert.equal(loser.json.error.code, 'forbidden');
      assert.match(loser.json.error.message, /no longer an enabled admin|for the admin role/);
      const users = (await as('GET', '/api/v1/staff/users')).json.users;
      const admins = users.filter((u) => (u.name === x || u.name === y) && u.role === 'admin' && !u.disabled);
      assert.equal(admins.length, 1, `trial ${i}: exactly one of the two is still admin`);
    }
  });

  test('the last enabled admin cannot be demoted or disabled, not even by an admin token', async () => {
    for (const u of (await as('GET', '/api/v1/staff/users')).json.users) {
      if (u.role === 'admin' && !u.disabled && u.name !== 'admin1') {
        assert.equal((await as('PATCH', `/api/v1/staff/users/${u.name}`, { role: 'planner' })).status, 200);
      }
    }
    for (const body of [{ role: 'moderator' }, { disabled: true }]) {
      const r = await call('PATCH', '/api/v1/staff/users/admin1', { token: 'admin-bot', body });
      assert.equal(r.status, 409, r.text);
      assert.equal(r.json.error.code, 'last_admin');
      assert.equal(r.json.error.field, Object.keys(body)[0]);
    }
    const me = await call('GET', '/api/v1/auth/me', { cookie: admin.cookie });
    assert.equal(me.json.role, 'admin', 'still admin, nothing changed');
    // With a second admin, the token may demote the first.
    assert.equal((await as('PATCH', '/api/v1/staff/users/moderator1', { role: 'admin' })).status, 200);
    assert.equal((await call('PATCH', '/api/v1/staff/users/moderator1', { token: 'admin-bot', body: { role: 'moderator' } })).status, 200);
  });
});
