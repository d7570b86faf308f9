// The audit log of every staff action (issue 5): account changes from HTTP
// and from the command line, token creation, sign-ins (failed ones too) and
// sign-outs appear once each, with who, what, before and after, next to the
// feedback events; no password, hash or token value ever appears in it;
// filters, paging and access.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call as callServer, login as signIn, startServer, vaikutaCli } from '../lib/server.mjs';

const PW_ADMIN = 'audit admin password 5b1e';
const PW_MOD = 'audit moderator password 9c2d';
const PW_PLANNER = 'audit planner password 3a7f';
const PW_NEW_CLI = 'a new cli password 77aa01';
const PW_EEVA = 'eeva first password 41bd';
const PW_EEVA2 = 'eeva second password 62ce';
const PW_WRONG = 'not the right password 0d0d';
const USERS = [
  { name: 'admin1', role: 'admin', password: PW_ADMIN },
  { name: 'mod1', role: 'moderator', password: PW_MOD },
  { name: 'planner1', role: 'planner', password: PW_PLANNER },
];
const TOKENS = [
  { name: 'admin-bot', role: 'admin' },
  { name: 'mod-bot', role: 'moderator' },
];
const SECRETS = [PW_ADMIN, PW_MOD, PW_PLANNER, PW_NEW_CLI, PW_EEVA, PW_EEVA2, PW_WRONG];
const CLI_ACTOR = /^cli(:.+)?$/;

let srv;

const call = (method, path, opts) => callServer(srv, method, path, opts);

const audit = (query = '') => call('GET', `/api/v1/staff/audit?limit=1000${query}`, { token: 'admin-bot' });
const accountEvents = async (kind, target) =>
  (await audit('&type=account')).json.events.filter((e) => e.kind === kind && e.target === target);

// Signs in; the session cookie and the CSRF value.
async function login(name, password) {
  const r = await signIn(srv, name, password);
  assert.equal(r.status, 200);
  return { cookie: r.cookie, csrf: r.csrf };
}

before(async () => {
  srv = await startServer({ users: USERS, tokens: TOKENS });
});
after(async () => {
  if (srv) await srv.close();
});

describe('account actions from the command line', () => {
  test('user add and token create, once each, by cli', async () => {
    for (const u of USERS) {
      const evs = await accountEvents('user_add', u.name);
      assert.equal(evs.length, 1, `one user_add for ${u.name}`);
      assert.match(evs[0].actor, CLI_ACTOR);
      assert.equal(evs[0].type, 'account');
      assert.deepEqual(evs[0].before, {});
      assert.deepEqual(evs[0].after, { role: u.role, disabled: false });
      assert.ok(!Number.isNaN(Date.parse(evs[0].at)));
    }
    for (const t of TOKENS) {
      const evs = await accountEvents('token_create', t.name);
      assert.equal(evs.length, 1, `one token_create for ${t.name}`);
      assert.match(evs[0].actor, CLI_ACTOR);
      const { expires, ...rest } = evs[0].after;
      assert.deepEqual(rest, { role: t.role, id: rest.id });
      assert.ok(Number.isInteger(rest.id));
      // 365 days from creation by default (issue 19, 8c)
      assert.ok(Math.abs(Date.parse(expires) - Date.parse(evs[0].at) - 365 * 86400000) < 5000, expires);
    }
  });

  test('user passwd and user disable while the server runs', async () => {
    vaikutaCli(['user', 'passwd', 'mod1', '--db', srv.db], `${PW_NEW_CLI}\n`);
    vaikutaCli(['user', 'disable', 'planner1', '--db', srv.db]);
    vaikutaCli(['user', 'disable', 'planner1', '--db', srv.db]); // already disabled: no event
    const pw = await accountEvents('password', 'mod1');
    assert.equal(pw.length, 1);
    assert.match(pw[0].actor, CLI_ACTOR);
    assert.deepEqual(pw[0].before, {});
    assert.deepEqual(pw[0].after, { password: 'changed' });
    const dis = await accountEvents('disable', 'planner1');
    assert.equal(dis.length, 1, 'disabling twice is one change');
    assert.deepEqual(dis[0].before, { disabled: false });
    assert.deepEqual(dis[0].after, { disabled: true });
  });
});

describe('account actions over HTTP', () => {
  test('add, role, disable, enable and password, each once, by the admin', async () => {
    let r = await call('POST', '/api/v1/staff/users', {
      token: 'admin-bot', body: { name: 'eeva', role: 'council', password: PW_EEVA },
    });
    assert.equal(r.status, 201, r.text);
    r = await call('PATCH', '/api/v1/staff/users/eeva', { token: 'admin-bot', body: { role: 'planner' } });
    assert.equal(r.status, 200, r.text);
    r = await call('PATCH', '/api/v1/staff/users/eeva', { token: 'admin-bot', body: { disabled: true } });
    assert.equal(r.status, 200, r.text);
    r = await call('PATCH', '/api/v1/staff/users/eeva', { token: 'admin-bot', body: { disabled: false } });
    assert.equal(r.status, 200, r.text);
    // The role it already has is no change; the password is.
    r = await call('PATCH', '/api/v1/staff/users/eeva', {
      token: 'admin-bot', body: { role: 'planner', password: PW_EEVA2 },
    });
    assert.equal(r.status, 200, r.text);
    // A refused change leaves no trace.
    r = await call('PATCH', '/api/v1/staff/users/eeva', { token: 'admin-bot', body: { role: 'root' } });
    assert.equal(r.status, 400);

    const all = (await audit('&type=account')).json.events.filter((e) => e.target === 'eeva');
    assert.deepEqual(all.map((e) => e.kind).reverse(), ['user_add', 'role', 'disable', 'enable', 'password']);
    for (const e of all) assert.equal(e.actor, 'admin-bot');
    const by = Object.fromEntries(all.map((e) => [e.kind, e]));
    assert.deepEqual(by.user_add.after, { role: 'council', disabled: false });
    assert.deepEqual([by.role.before, by.role.after], [{ role: 'council' }, { role: 'planner' }]);
    assert.deepEqual([by.disable.before, by.disable.after], [{ disabled: false }, { disabled: true }]);
    assert.deepEqual([by.enable.before, by.enable.after], [{ disabled: true }, { disabled: false }]);
    assert.deepEqual([by.password.before, by.password.after], [{}, { password: 'changed' }]);
  });

  test('one request changing two things gives two events', async () => {
    const r = await call('PATCH', '/api/v1/staff/users/eeva', {
      token: 'admin-bot', body: { role: 'moderator', disabled: true },
    });
    assert.equal(r.status, 200, r.text);
    const evs = (await call('GET', '/api/v1/staff/audit?type=account&limit=2', { token: 'admin-bot' })).json.events;
    assert.deepEqual(evs.map((e) => e.kind).sort(), ['disable', 'role']);
    assert.equal(evs[0].at, evs[1].at, 'one transaction, one time');
  });
});

describe('sign-in and sign-out', () => {
  test('success, failures and sign-out, with the client address', async () => {
    const session = await login('admin1', PW_ADMIN);
    const bad = await call('POST', '/api/v1/auth/login', { body: { name: 'admin1', password: PW_WRONG } });
    assert.equal(bad.status, 401);
    const nobody = await call('POST', '/api/v1/auth/login', { body: { name: 'nobody-here', password: PW_WRONG } });
    assert.equal(nobody.status, 401);
    const disabled = await call('POST', '/api/v1/auth/login', { body: { name: 'planner1', password: PW_PLANNER } });
    assert.equal(disabled.status, 401);

    const ins = await accountEvents('sign_in', 'admin1');
    assert.equal(ins.length, 1);
    assert.equal(ins[0].actor, 'admin1');
    assert.equal(ins[0].client_addr, '127.0.0.1');
    const failed = (await audit('&type=account')).json.events.filter((e) => e.kind === 'sign_in_failed');
    const reasons = Object.fromEntries(failed.map((e) => [e.target, e.after.reason]));
    assert.deepEqual(reasons, { admin1: 'wrong_password', 'nobody-here': 'no_such_user', planner1: 'disabled' });
    for (const e of failed) {
      assert.equal(e.actor, 'anonymous');
      assert.equal(e.client_addr, '127.0.0.1');
    }

    const out = await call('POST', '/api/v1/auth/logout', session);
    assert.equal(out.status, 204);
    const outs = await accountEvents('sign_out', 'admin1');
    assert.equal(outs.length, 1);
    assert.equal(outs[0].actor, 'admin1');
  });
});

describe('reading the log', () => {
  let itemId;
  before(async () => {
    const r = await call('POST', '/api/v1/feedback', {
      body: {
        type: 'Feature', geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
        properties: { category: 'lighting', description: 'Auditointitesti: lamppu ei pala' },
      },
    });
    assert.equal(r.status, 201, r.text);
    itemId = r.json.id;
    const p = await call('PATCH', `/api/v1/staff/feedback/${itemId}`, {
      token: 'mod-bot', body: { status: 'in_progress', internal_note: 'audit test' },
    });
    assert.equal(p.status, 200, p.text);
  });

  test('both kinds in one list, newest first, feedback events in their own shape', async () => {
    const r = await audit();
    assert.equal(r.status, 200);
    const evs = r.json.events;
    assert.deepEqual(new Set(evs.map((e) => e.type)), new Set(['feedback', 'account']));
    const keys = evs.map((e) => e.at);
    assert.deepEqual(keys, [...keys].sort().reverse(), 'newest first');
    const fb = evs.find((e) => e.type === 'feedback' && e.feedback_id === itemId);
    assert.equal(fb.actor, 'mod-bot');
    assert.equal(fb.kind, 'status');
    assert.deepEqual(fb.after, { status: 'in_progress' });
    assert.equal(fb.internal_note, 'audit test');
    assert.equal(r.json.next, null, 'everything fitted on one page');
  });

  test('type and actor filters', async () => {
    const acc = (await audit('&type=account')).json.events;
    assert.ok(acc.length > 10 && acc.every((e) => e.type === 'account'));
    const fb = (await audit('&type=feedback')).json.events;
    assert.ok(fb.length >= 1 && fb.every((e) => e.type === 'feedback'));
    const all = (await audit()).json.events;
    assert.equal(acc.length + fb.length, all.length);
    const byAdmin = (await audit('&actor=admin-bot')).json.events;
    assert.ok(byAdmin.length >= 6 && byAdmin.every((e) => e.actor === 'admin-bot'));
    const none = await audit('&actor=nobody-at-all');
    assert.deepEqual(none.json.events, []);
  });

  test('paging with next gives every event once, in order', async () => {
    const all = (await audit()).json.events.map((e) => `${e.type}:${e.id}`);
    const seen = [];
    let next = null;
    let pages = 0;
    do {
      const r = await call('GET', `/api/v1/staff/audit?limit=3${next ? `&before=${encodeURIComponent(next)}` : ''}`,
        { token: 'admin-bot' });
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.events.map((e) => `${e.type}:${e.id}`));
      next = r.json.next;
      pages++;
    } while (next && pages < 100);
    assert.deepEqual(seen, all);
    // Paging within a filter.
    const acc = (await audit('&type=account')).json.events.map((e) => e.id);
    const p1 = (await call('GET', '/api/v1/staff/audit?type=account&limit=4', { token: 'admin-bot' })).json;
    const p2 = (await call('GET', `/api/v1/staff/audit?type=account&limit=4&before=${encodeURIComponent(p1.next)}`,
      { token: 'admin-bot' })).json;
    assert.deepEqual([...p1.events, ...p2.events].map((e) => e.id), acc.slice(0, 8));
  });

  test('before as a plain time gives the older events', async () => {
    const r = await audit('&before=2000-01-01T00:00:00Z');
    assert.deepEqual(r.json.events, []);
    const future = await audit('&before=2999-01-01T00:00:00Z');
    assert.equal(future.json.events.length, (await audit()).json.events.length);
  });

  test('bad parameters are 400 with the field named', async () => {
    for (const [q, field] of [['type=bogus', 'type'], ['before=yesterday', 'before'],
      ['before=2026-01-01T00:00:00Z,bogus,1', 'before'], ['before=2026-01-01T00:00:00Z,account,x', 'before'],
      ['limit=0', 'limit'], ['actor=', 'actor'], ['colour=red', 'colour']]) {
      const r = await call('GET', `/api/v1/staff/audit?${q}`, { token: 'admin-bot' });
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.field, field, q);
    }
  });

  test('admins only: moderators 403, anonymous 401', async () => {
    assert.equal((await call('GET', '/api/v1/staff/audit', { token: 'mod-bot' })).status, 403);
    assert.equal((await call('GET', '/api/v1/staff/audit')).status, 401);
  });

  test('no password, hash or token value anywhere in the log', async () => {
    const text = (await audit()).text;
    for (const s of SECRETS) assert.ok(!text.includes(s), `password ${s} is not in the log`);
    for (const t of Object.values(srv.tokens)) assert.ok(!text.includes(t), 'no token value');
    assert.ok(!text.includes('$argon2'), 'no password hash');
  });
});
