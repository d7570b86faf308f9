// Abuse by many connections or many addresses (issue 19, findings 5–7):
// "me too" stuffing and writes sent by other sites' pages, staff lock-out
// and sign-in floods, slowloris. Clients come from several loopback source
// addresses (127.0.0.2 …); the server listens on 127.0.0.1 only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { request } from '../lib/client.mjs';
import { startServer } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const HERE = [28.7705, 61.1935];
const feature = (description) => JSON.stringify({ type: 'Feature',
  geometry: { type: 'Point', coordinates: HERE }, properties: { category: 'other', description } });
const open311Form = (description) => new URLSearchParams({ service_code: 'other',
  lat: String(HERE[1]), long: String(HERE[0]), description }).toString();

describe('"me too" stuffing and writes from other sites', () => {
  let srv;
  before(async () => { srv = await startServer({ args: ['--rate-limit', '0'] }); });
  after(async () => { if (srv) await srv.close(); });

  const post = (path, opts = {}) => request('POST', `${srv.url}${path}`, opts);
  async function newItem() {
    const r = await post('/api/v1/feedback', { headers: { 'Content-Type': 'application/json' }, body: feature(`me too ${Math.random()}`) });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  }
  const meTooCount = async (id) => (await request('GET', `${srv.url}/api/v1/feedback/${id}`)).json.properties.me_too;
  const count = async () => (await request('GET', `${srv.url}/healthz`)).json.feedback;

  test('three calls without a cookie from one address count once', async () => {
    const id = await newItem();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post(`/api/v1/feedback/${id}/me-too`, { from: '127.0.0.2' }));
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 200]);
    assert.deepEqual(answers.map((r) => r.json.counted), [true, false, false]);
    assert.equal(await meTooCount(id), 1);
  });

  test('ten addresses calling fast count at most ten', async () => {
    const id = await newItem();
    const calls = [];
    for (let a = 10; a < 20; a++) {
      for (let i = 0; i < 6; i++) calls.push(post(`/api/v1/feedback/${id}/me-too`, { from: `127.0.0.${a}` }));
    }
    const answers = await Promise.all(calls);
    assert.ok(answers.every((r) => r.status === 200), answers.map((r) => r.status).join());
    assert.equal(answers.filter((r) => r.json.counted).length, 10);
    assert.equal(await meTooCount(id), 10, '60 calls from ten addresses');
  });

  test('a browser that counted does not count again from another address', async () => {
    const id = await newItem();
    const first = await post(`/api/v1/feedback/${id}/me-too`, { from: '127.0.0.3' });
    const cookie = first.headers['set-cookie'][0].split(';')[0];
    const again = await post(`/api/v1/feedback/${id}/me-too`, { from: '127.0.0.4', headers: { Cookie: cookie } });
    assert.deepEqual([first.json.counted, again.json.counted], [true, false]);
    // …and that second address has not used up its count for the day.
    const other = await post(`/api/v1/feedback/${id}/me-too`, { from: '127.0.0.4' });
    assert.equal(other.json.counted, true);
  });

  test('"me too" takes no form body (an HTML form cannot send without one of these)', async () => {
    const id = await newItem();
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain']) {
      const r = await post(`/api/v1/feedback/${id}/me-too`, { from: '127.0.0.5', headers: { 'Content-Type': type }, body: 'a=b' });
      assert.equal(r.status, 415, `${type}: ${r.text}`);
      assert.equal(r.json.error.code, 'unsupported_media_type');
      assert.equal(r.json.error.field, 'Content-Type');
    }
    assert.equal(await meTooCount(id), 0);
    // What the web client sends: no body (or JSON), from its own origin.
    const ok = await post(`/api/v1/feedback/${id}/me-too`, { from: '127.0.0.5',
      headers: { Origin: srv.url, 'Sec-Fetch-Site': 'same-origin', Accept: 'application/json' } });
    assert.equal(ok.status, 200, ok.text);
    const json = await post(`/api/v1/feedback/${id}/me-too`, { from: '127.0.0.6',
      headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 200, json.text);
    assert.equal(await meTooCount(id), 2);
  });

  const writes = {
    'me too': async () => ({ path: `/api/v1/feedback/${await newItem()}/me-too`, headers: {} }),
    'a report': async () => ({ path: '/api/v1/feedback', headers: { 'Content-Type': 'application/json' }, body: feature('cross-site?') }),
    'an Open311 report': async () => ({ path: '/open311/v2/requests.json', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: open311Form('cross-site?') }),
  };
  for (const [what, make] of Object.entries(writes)) {
    test(`${what} sent by another site's page is refused: 403 naming the header`, async () => {
      const w = await make();
      const before = await count();
      for (const [headers, field] of [
        [{ Origin: 'https://evil.example' }, 'Origin'],
        [{ Origin: 'null' }, 'Origin'],
        [{ Origin: `${srv.url}.evil.example` }, 'Origin'],
        [{ 'Sec-Fetch-Site': 'cross-site' }, 'Sec-Fetch-Site'],
        [{ 'Sec-Fetch-Site': 'cross-site', Origin: srv.url }, 'Sec-Fetch-Site'],
        [{ 'Sec-Fetch-Site': 'same-site', Origin: 'https://other.example' }, 'Origin'],
      ]) {
        const r = await post(w.path, { headers: { ...w.headers, ...headers }, body: w.body, from: '127.0.0.7' });
        assert.equal(r.status, 403, `${JSON.stringify(headers)}: ${r.text}`);
        assert.equal(r.json.error.code, 'cross_site');
        assert.equal(r.json.error.field, field);
      }
      assert.equal(await count(), before, 'nothing stored');
      if (what === 'me too') assert.equal(await meTooCount(w.path.split('/')[4]), 0, 'nothing counted');
    });

    test(`${what} from our own pages, behind a proxy, or from a program is accepted`, async () => {
      const host = new URL(srv.url).host;
      let a = 30;
      for (const headers of [
        {},
        { Origin: srv.url },
        { Origin: srv.url, 'Sec-Fetch-Site': 'same-origin' },
        { Origin: `http://${host.toUpperCase()}` },
        // A proxy that rewrites Host: the browser's word, or X-Forwarded-Host.
        { Origin: 'https://palaute.example.fi', 'Sec-Fetch-Site': 'same-origin' },
        { Origin: 'https://palaute.example.fi', 'X-Forwarded-Host': 'palaute.example.fi' },
      ]) {
        const w = await make();
        const r = await post(w.path, { headers: { ...w.headers, ...headers }, body: w.body, from: `127.0.0.${a++}` });
        assert.ok(r.status === 200 || r.status === 201, `${JSON.stringify(headers)}: ${r.status} ${r.text}`);
      }
    });
  }

  test('staff writes and sign-in from another site are refused too', async () => {
    const r = await post('/api/v1/auth/login', { headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' },
      body: JSON.stringify({ name: 'admin', password: 'whatever-long' }) });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'cross_site');
    const get = await request('GET', `${srv.url}/api/v1/feedback?limit=1`, { headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(get.status, 200, 'reads from anywhere stay allowed');
  });
});

describe('staff lock-out and sign-in floods', () => {
  const PW = 'the right password 7f3a';
  let srv;
  before(async () => { srv = await startServer({ users: [{ name: 'admin', role: 'admin', password: PW }] }); });
  after(async () => { if (srv) await srv.close(); });

  const login = (name, password, from) => request('POST', `${srv.url}/api/v1/auth/login`, { from,
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password }) });

  test('wrong passwords from one address do not keep the name out elsewhere', async () => {
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await login('admin', `wrong password ${i}`, '127.0.0.2')).status);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.deepEqual(statuses.slice(5), [429, 429, 429, 429, 429], 'the attacking address is throttled');
    const ok = await login('admin', PW, '127.0.0.3');
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.headers['set-cookie'][0], /^vaikuta_session=[0-9a-f]{64};/);
    const me = await request('GET', `${srv.url}/api/v1/auth/me`, { headers: { Cookie: ok.headers['set-cookie'][0].split(';')[0] } });
    assert.equal(me.json.name, 'admin');
    const still = await login('admin', PW, '127.0.0.2');
    assert.equal(still.status, 429, 'the attacking address still waits, right password or not');
    assert.equal(still.json.error.code, 'too_many_logins');
    assert.ok(Number(still.headers['retry-after']) >= 1);
  });

  test('spread over many addresses, failures for a name slow it down everywhere, but do not lock it', { skip: missingTool('sqlite3') }, async () => {
    // 150 failures for the name from everywhere in the last seconds, as a
    // distributed guesser would leave them (written as the server would).
    const now = Math.floor(Date.now() / 1000);
    const r = spawnSync('sqlite3', [srv.db, `INSERT INTO login_failure (key, failures, last_at) VALUES ('name:admin', 150, ${now}) ON CONFLICT(key) DO UPDATE SET failures = 150, last_at = ${now}`]);
    assert.equal(r.status, 0, String(r.stderr));
    const slowed = await login('admin', PW, '127.0.0.5');
    assert.equal(slowed.status, 429, slowed.text);
    const wait = Number(slowed.headers['retry-after']);
    assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}: one sign-in for the name every 2 s`);
    await new Promise((res) => setTimeout(res, wait * 1000 + 200));
    const ok = await login('admin', PW, '127.0.0.5');
    assert.equal(ok.status, 200, `after waiting, the right password works (${ok.text})`);
  });

  test('names and passwords no account can have are refused without a password check', async () => {
    const checked = await login('nobody-at-all', 'long enough but wrong', '127.0.0.4');
    assert.equal(checked.status, 401);
    for (const [name, password] of [['has space', 'long enough password'], ['admin', 'short']]) {
      const r = await login(name, password, '127.0.0.4');
      assert.equal(r.status, 401, r.text);
      assert.equal(r.json.error.code, 'unauthorized');
      assert.ok(r.ms < checked.ms / 2, `answered at once (${r.ms.toFixed(0)} ms; a check took ${checked.ms.toFixed(0)} ms)`);
    }
  });

  test('a sign-in flood from 16 addresses does not slow down other visitors', async (t) => {
    let stop = false;
    const seen = {};
    const flood = Array.from({ length: 16 }, async (_, k) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await login(`nobody${k}x${i % 3}`, `wrong password ${i}`, `127.0.0.${40 + k}`);
          seen[r.status] = (seen[r.status] || 0) + 1;
        } catch { seen.error = (seen.error || 0) + 1; }
      }
    });
    await new Promise((r) => setTimeout(r, 300)); // the flood under way
    const times = [];
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      const r = await request('GET', `${srv.url}/api/v1/categories`);
      assert.equal(r.status, 200);
      times.push(r.ms);
      await new Promise((res) => setTimeout(res, 50));
    }
    stop = true;
    await Promise.all(flood);
    times.sort((a, b) => a - b);
    const max = times.at(-1);
    t.diagnostic(`categories during the flood: ${times.length} requests, median ${times[times.length >> 1].toFixed(1)} ms, max ${max.toFixed(1)} ms; sign-in answers ${JSON.stringify(seen)}`);
    assert.ok(seen[401] > 0, 'the flood did reach password checks');
    assert.ok(max < 500, `every categories request answered within 500 ms (max ${max.toFixed(0)} ms)`);
    // …and the owner still gets in, from an address of their own.
    const ok = await login('admin', PW, '127.0.0.3');
    assert.equal(ok.status, 200, ok.text);
  });
});

// Slowloris: connections that trickle a request's head or body, a byte at
// a time, must neither keep others waiting nor stay open for long.
function trickler(port, from, kind) {
  const s = net.connect({ port, host: '127.0.0.1', localAddress: from });
  const info = { sock: s, openedAt: Date.now(), closedAt: null };
  s.on('error', () => {});
  s.on('close', () => { info.closedAt = Date.now(); });
  s.on('connect', () => {
    s.write(kind === 'body'
      ? 'POST /api/v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{'
      : 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
  });
  info.drip = () => { if (!s.destroyed && s.writable) s.write(kind === 'body' ? ' ' : 'X-Drip: 1\r\n', () => {}); };
  return info;
}

describe('slowloris', () => {
  let srv;
  before(async () => { srv = await startServer({ demo: false }); }); // the defaults
  after(async () => { if (srv) await srv.close(); });

  test('8 addresses × 128 trickling connections: others are answered at once, the tricklers cut off', async (t) => {
    const conns = [];
    for (let a = 2; a <= 9; a++) {
      for (let i = 0; i < 128; i++) conns.push(trickler(srv.port, `127.0.0.${a}`, i % 2 ? 'body' : 'head'));
    }
    const drip = setInterval(() => conns.forEach((c) => c.drip()), 1000);
    try {
      await new Promise((r) => setTimeout(r, 1000)); // all connected and trickling
      const times = [];
      const until = Date.now() + 5000;
      while (Date.now() < until) {
        const r = await request('GET', `${srv.url}/healthz`, { timeoutMs: 5000 });
        assert.equal(r.status, 200);
        times.push(r.ms);
        await new Promise((res) => setTimeout(res, 200));
      }
      const max = Math.max(...times);
      t.diagnostic(`/healthz during the attack: ${times.length} answers, max ${max.toFixed(1)} ms`);
      assert.ok(max < 1000, `answered within a second (max ${max.toFixed(0)} ms)`);
      // The deadline (10 s from the connection's start) plus the sweep.
      const limit = Date.now() + 14000;
      while (conns.some((c) => !c.closedAt) && Date.now() < limit) await new Promise((r) => setTimeout(r, 250));
      const open = conns.filter((c) => !c.closedAt).length;
      assert.equal(open, 0, `${open} of ${conns.length} trickling connections still open`);
      const held = conns.map((c) => c.closedAt - c.openedAt).sort((x, y) => x - y);
      t.diagnostic(`tricklers closed after ${held[0]}…${held.at(-1)} ms; held over 1 s: ${held.filter((h) => h > 1000).length}`);
      assert.ok(held.at(-1) < 13000, 'each within the request deadline and a sweep');
      assert.ok(held.filter((h) => h > 1000).length <= 8 * 64, 'at most 64 per address got a connection');
    } finally {
      clearInterval(drip);
      conns.forEach((c) => c.sock.destroy());
    }
  });
});

describe('request deadline, idle keep-alive', () => {
  let srv;
  before(async () => { srv = await startServer({ demo: false, args: ['--request-timeout', '2'] }); });
  after(async () => { if (srv) await srv.close(); });

  test('a kept-alive connection may wait longer than the deadline between requests', async () => {
    const s = net.connect(srv.port, '127.0.0.1');
    let data = '';
    s.on('data', (d) => { data += d; });
    const closed = new Promise((r) => s.on('close', r));
    await new Promise((r) => s.on('connect', r));
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 3500)); // idle: the idle timeout (30 s) governs
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await closed;
    assert.equal((data.match(/HTTP\/1\.1 200/g) || []).length, 2, data.slice(0, 300));
  });

  test('a request that takes longer than the deadline to arrive is cut off; a quick one is not', async () => {
    const slow = trickler(srv.port, '127.0.0.2', 'head');
    const drip = setInterval(() => slow.drip(), 300);
    const steady = net.connect(srv.port, '127.0.0.1');
    let answer = '';
    steady.on('data', (d) => { answer += d; });
    const closed = new Promise((r) => steady.on('close', r));
    await new Promise((r) => steady.on('connect', r));
    for (const part of ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n', 'Connection: close\r\n', '\r\n']) {
      steady.write(part);
      await new Promise((r) => setTimeout(r, 300)); // 1.2 s in all, under the 2 s deadline
    }
    await closed;
    assert.match(answer, /^HTTP\/1\.1 200/);
    const until = Date.now() + 6000;
    while (!slow.closedAt && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    clearInterval(drip);
    slow.sock.destroy();
    assert.ok(slow.closedAt, 'the trickler was closed');
    const held = slow.closedAt - slow.openedAt;
    assert.ok(held >= 1900 && held < 4500, `closed after ${held} ms (deadline 2 s, sweep 1 s)`);
  });
});
