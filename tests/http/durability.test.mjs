// Durability: idempotent POSTs, nothing acknowledged lost when the server
// is killed with SIGKILL under concurrent writes, online backup, check.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, vaikutaBin, vaikutaCli } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

let srv;
const feature = (i, lon = 28.7 + (i % 100) * 0.002) => ({
  type: 'Feature', geometry: { type: 'Point', coordinates: [lon, 61.19 + Math.floor(i / 100) * 0.0005] },
  properties: { category: 'lighting', description: `Kestävyystesti ${i}` } });

async function post(body, key) {
  const headers = { 'Content-Type': 'application/geo+json' };
  if (key !== undefined) headers['Idempotency-Key'] = key;
  const res = await fetch(`${srv.url}/api/v1/feedback`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { res, json: await res.json() };
}
const count = async () => (await (await fetch(`${srv.url}/healthz`)).json()).feedback;

before(async () => { srv = await startServer({ args: ['--rate-limit', '0'] }); });
after(async () => { if (srv) await srv.close(); });

describe('Idempotency-Key', () => {
  test('the same key and body returns the stored response and writes nothing', async () => {
    const before = await count();
    const a = await post(feature(1), 'phone-42-report-1');
    assert.equal(a.res.status, 201);
    const b = await post(feature(1), 'phone-42-report-1');
    assert.equal(b.res.status, 201);
    assert.equal(b.res.headers.get('location'), a.res.headers.get('location'));
    assert.equal(b.res.headers.get('idempotent-replayed'), 'true');
    // The same answer, except the private follow-up link: only the first
    // answer carries it (anyone holding the key and body could replay).
    const { followup, ...first } = a.json;
    assert.match(followup.token, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(b.json, first);
    assert.equal(await count(), before + 1);
  });

  test('the same key with another body is 422 and writes nothing', async () => {
    const before = await count();
    const r = await post(feature(2), 'phone-42-report-1');
    assert.equal(r.res.status, 422);
    assert.equal(r.json.error.code, 'idempotency_key_reused');
    assert.equal(r.json.error.field, 'Idempotency-Key');
    assert.equal(await count(), before);
  });

  test('the key survives a restart', async () => {
    const a = await post(feature(3), 'survives-restart');
    assert.equal((await srv.stop()).code, 0);
    srv = await startServer({ db: srv.db, dir: srv.dir, args: ['--rate-limit', '0'] });
    const b = await post(feature(3), 'survives-restart');
    assert.equal(b.res.headers.get('location'), a.res.headers.get('location'));
  });

  test('twenty concurrent retries with one key store exactly one item', async () => {
    const before = await count();
    const rs = await Promise.all(Array.from({ length: 20 }, () => post(feature(4), 'burst-key')));
    const locations = new Set(rs.map((r) => r.res.headers.get('location')));
    assert.ok(rs.every((r) => r.res.status === 201));
    assert.equal(locations.size, 1);
    assert.equal(await count(), before + 1);
  });

  // Keys belong to one client (issue 19, 8d): a stranger who knows or
  // guesses an integration's key gets a key of their own, not its answer.
  // from: the source address (127.0.0.2 is loopback too); token: Bearer.
  function postFrom(body, key, { from = '127.0.0.1', token } = {}) {
    const data = JSON.stringify(body);
    const headers = { 'Content-Type': 'application/geo+json', 'Idempotency-Key': key,
      'Content-Length': Buffer.byteLength(data) };
    if (token) headers.Authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, path: '/api/v1/feedback', method: 'POST',
        localAddress: from, headers }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, json: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  test('the same key from another address is another key; each client replays its own', async () => {
    const before = await count();
    const a = await postFrom(feature(10), 'fms-shared-key-1', { from: '127.0.0.1' });
    assert.equal(a.status, 201);
    const b = await postFrom(feature(11), 'fms-shared-key-1', { from: '127.0.0.2' });
    assert.equal(b.status, 201, JSON.stringify(b.json));
    assert.equal(b.headers['idempotent-replayed'], undefined, 'not A\'s answer');
    assert.notEqual(b.json.id, a.json.id);
    assert.match(b.json.followup.token, /^[A-Za-z0-9_-]{43}$/);
    const a2 = await postFrom(feature(10), 'fms-shared-key-1', { from: '127.0.0.1' });
    assert.equal(a2.headers['idempotent-replayed'], 'true');
    assert.equal(a2.json.id, a.json.id);
    const b2 = await postFrom(feature(11), 'fms-shared-key-1', { from: '127.0.0.2' });
    assert.equal(b2.headers['idempotent-replayed'], 'true');
    assert.equal(b2.json.id, b.json.id);
    assert.equal(await count(), before + 2);
  });

  test('with an API token the key is the token\'s, from any address; another token has its own', { skip: missingTool('sqlite3') }, async () => {
    const t1 = vaikutaCli(['token', 'create', '--role', 'moderator', '--name', 'fms-1', '--db', srv.db]).trim();
    const t2 = vaikutaCli(['token', 'create', '--role', 'moderator', '--name', 'fms-2', '--db', srv.db]).trim();
    const a = await postFrom(feature(12), 'fms-shared-key-2', { token: t1 });
    assert.equal(a.status, 201);
    const moved = await postFrom(feature(12), 'fms-shared-key-2', { token: t1, from: '127.0.0.2' });
    assert.equal(moved.headers['idempotent-replayed'], 'true', 'the integration moved to another address');
    assert.equal(moved.json.id, a.json.id);
    const other = await postFrom(feature(13), 'fms-shared-key-2', { token: t2 });
    assert.equal(other.status, 201);
    assert.notEqual(other.json.id, a.json.id);
    const anon = await postFrom(feature(14), 'fms-shared-key-2');
    assert.equal(anon.status, 201, 'an anonymous client with that key has its own');
    assert.notEqual(anon.json.id, a.json.id);
    // The address is never stored, only its keyed hash.
    const dump = spawnSync('sqlite3', [srv.db, 'SELECT scope FROM idempotency'], { encoding: 'utf8' }).stdout;
    assert.ok(!dump.includes('127.0.0'), dump);
    assert.match(dump, /^a:[0-9a-f]{32}$/m);
    assert.match(dump, /^t:\d+$/m);
  });

  test('a malformed key is 400', async () => {
    for (const key of ['', 'x'.repeat(256), 'with space']) {
      const r = await post(feature(5), key);
      assert.equal(r.res.status, 400, JSON.stringify(key));
      assert.equal(r.json.error.field, 'Idempotency-Key');
    }
  });
});

describe('crash safety', () => {
  test('SIGKILL under concurrent writes loses nothing acknowledged', async () => {
    const acked = [];
    let stop = false;
    const writer = async (w) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await post(feature(w * 100000 + i), i % 3 ? undefined : `kill-${w}-${i}`);
          if (r.res.status === 201) acked.push(r.json.id);
        } catch { return; } // the connection died with the server
      }
    };
    const writers = Array.from({ length: 16 }, (_, w) => writer(w));
    // Kill in the middle of the load: once 300 writes are acknowledged
    // (or after 20 s on a very slow machine).
    const t0 = Date.now();
    while (acked.length < 300 && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 20));
    srv.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    const { signal } = await srv.stop();
    srv = await startServer({ db: srv.db, dir: srv.dir, args: ['--rate-limit', '0'] });
    assert.equal(signal, 'SIGKILL');
    assert.ok(acked.length >= 50, `writes were acknowledged before the kill (${acked.length})`);

    const all = await (await fetch(`${srv.url}/api/v1/feedback?limit=10000&category=lighting`)).json();
    const stored = new Set(all.features.map((f) => f.id));
    const missing = acked.filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], 'every acknowledged id is there');
    await srv.stop();
    const check = spawnSync(vaikutaBin, ['check', '--db', srv.db], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /database file integrity: ok/);
    srv = await startServer({ db: srv.db, dir: srv.dir, args: ['--rate-limit', '0'] });
  });
});

describe('backup and check', () => {
  test('an online backup taken under write load is consistent and complete up to its moment', async () => {
    let stop = false;
    const load = (async () => { for (let i = 0; !stop; i++) await post(feature(900000 + i)); })();
    await new Promise((r) => setTimeout(r, 300));
    const before = await count();
    const out = path.join(srv.dir, 'backup.sqlite');
    const r = spawnSync(vaikutaBin, ['backup', '--db', srv.db, out], { encoding: 'utf8' });
    const afterCount = await count();
    stop = true;
    await load;
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(out));
    const check = spawnSync(vaikutaBin, ['check', '--db', out], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout);
    assert.match(check.stdout, /everything is in order/);
    // The copy opens as a database of its own and holds a moment between the two counts.
    const copy = await startServer({ db: out, dir: srv.dir, demo: false, args: ['--rate-limit', '0'] });
    const n = (await (await fetch(`${copy.url}/healthz`)).json()).feedback;
    await copy.stop();
    assert.ok(n >= before && n <= afterCount, `${before} <= ${n} <= ${afterCount}`);
    const again = spawnSync(vaikutaBin, ['backup', '--db', srv.db, out], { encoding: 'utf8' });
    assert.equal(again.status, 1, 'an existing file is not overwritten');
  });

  test('check reports a damaged file in plain words', { skip: missingTool('sqlite3') }, () => {
    const bad = path.join(srv.dir, 'bad.sqlite');
    spawnSync('sh', ['-c', `cp '${srv.db}' '${bad}' && sqlite3 '${bad}' "PRAGMA writable_schema=ON; UPDATE sqlite_master SET rootpage = 3 WHERE name = 'feedback_status'; PRAGMA writable_schema=OFF;"`]);
    const r = spawnSync(vaikutaBin, ['check', '--db', bad], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /problem/);
  });
});
