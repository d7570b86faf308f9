// Static files (issue 16, light pages): scripts, styles and pages go
// gzip-compressed to a client that asks for it, byte for byte the file once
// uncompressed; a validator (ETag, Last-Modified) makes a repeat visit a 304;
// images and clients that refuse gzip get the file as it is. The resident
// page on a slow line: its styles and scripts inside it (current with their
// sources, allowed by hash), its preloads also in a Link header, its strings
// by Accept-Language (/i18n/auto.json), the API's JSON compressed too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { repoRoot, startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.close(); });

// Raw bytes (node's fetch would undo the compression for us).
function get(p, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(`${srv.url}${p}`, { headers: { Connection: 'close', ...headers }, agent: false }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

const file = (p) => readFileSync(path.join(repoRoot, 'web', p));

test('gzip when asked: the same bytes, much fewer of them', async () => {
  for (const p of ['/app.js', '/style.css', '/index.html', '/i18n/fi.json']) {
    const r = await get(p, { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(r.status, 200, p);
    assert.equal(r.headers['content-encoding'], 'gzip', p);
    assert.match(r.headers.vary, /Accept-Encoding/, p);
    const want = file(p === '/index.html' ? 'index.html' : p.slice(1));
    assert.deepEqual(gunzipSync(r.body), want, p);
    assert.ok(r.body.length < want.length * 0.6, `${p}: ${r.body.length} of ${want.length} bytes`);
  }
});

test('no gzip without Accept-Encoding, with gzip;q=0, or for a file too small to gain', async () => {
  for (const h of [{}, { 'Accept-Encoding': 'identity' }, { 'Accept-Encoding': 'gzip;q=0, identity' }, { 'Accept-Encoding': 'xgzip' }]) {
    const r = await get('/app.js', h);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], undefined, JSON.stringify(h));
    assert.deepEqual(r.body, file('app.js'));
  }
  const q = await get('/app.js', { 'Accept-Encoding': 'gzip;q=0.5' });
  assert.equal(q.headers['content-encoding'], 'gzip', 'q=0.5 still accepts');
});

test('a repeat visit is a 304 by ETag or by date; the two encodings have their own ETag', async () => {
  const a = await get('/app.js', { 'Accept-Encoding': 'gzip' });
  const b = await get('/app.js');
  assert.ok(a.headers.etag && b.headers.etag && a.headers.etag !== b.headers.etag);
  assert.equal(a.headers['cache-control'], 'no-cache');
  const again = await get('/app.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': a.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  const other = await get('/app.js', { 'If-None-Match': a.headers.etag });
  assert.equal(other.status, 200, 'the gzip ETag does not stand for the plain file');
  const since = await get('/style.css', { 'If-Modified-Since': a.headers['last-modified'] });
  assert.ok([200, 304].includes(since.status));
  assert.equal((await get('/../../etc/passwd', { 'Accept-Encoding': 'gzip' })).status, 404);
});

test('web/index.html is what scripts/resident-page.mjs makes of its sources', () => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/resident-page.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const page = file('index.html').toString();
  // Each source is in it, less its whole-line comments.
  assert.ok(page.includes("if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);"));
  assert.ok(page.includes('.place-search { position: relative;'));
  assert.ok(!page.includes('lib/map.js — the Leaflet setup'), 'no comments');
});

test('the resident page: its inline blocks allowed by hash, its preloads in a Link header', async () => {
  const r = await get('/', { 'Accept-Encoding': 'gzip' });
  assert.equal(r.status, 200);
  const page = gunzipSync(r.body).toString();
  const csp = r.headers['content-security-policy'];
  const blocks = [...page.matchAll(/<(script|style)>([\s\S]*?)<\/\1>/g)];
  assert.deepEqual(blocks.map((m) => m[1]), ['style', 'script']);
  for (const [, tag, body] of blocks) {
    const hash = createHash('sha256').update(body).digest('base64');
    assert.ok(csp.includes(`${tag}-src 'self' 'sha256-${hash}'`), `${tag}: ${csp}`);
  }
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(r.headers.link, ['/i18n/auto.json', '/api/v1/config', '/api/v1/categories', '/api/v1/districts']
    .map((u) => `<${u}>; rel=preload; as=fetch; crossorigin`).join(', '));
  assert.equal((await get('/stats.html')).headers.link, undefined, 'a page without preloads has none');
});

test('/i18n/auto.json: the strings in the language chosen before, else the first of Accept-Language we have, else Finnish', async () => {
  for (const [al, want] of [['sv-FI,sv;q=0.9,en;q=0.8', 'sv'], ['de-DE, en-GB;q=0.7, fi;q=0.5', 'en'],
    ['de, en;q=0, fi;q=0.3', 'fi'], ['FI', 'fi'], [undefined, 'fi'], ['x'.repeat(3000), 'fi'], ['svx, en', 'en']]) {
    const r = await get('/i18n/auto.json', al === undefined ? {} : { 'Accept-Language': al });
    assert.equal(r.status, 200, al);
    assert.equal(r.headers['content-language'], want, al);
    assert.match(r.headers.vary, /Accept-Language/);
    assert.deepEqual(r.body, file(`i18n/${want}.json`), al);
  }
  // The language chosen on a page before (vk.js's cookie) comes first.
  for (const [cookie, want] of [['vaikuta_lang=en', 'en'], ['a=1; vaikuta_lang=sv', 'sv'], ['vaikuta_lang=de', 'fi'], ['vaikuta_lang=svx', 'fi']]) {
    const r = await get('/i18n/auto.json', { 'Accept-Language': 'fi', Cookie: cookie });
    assert.equal(r.headers['content-language'], want, cookie);
    assert.match(r.headers.vary, /Cookie/);
  }
  const a = await get('/i18n/auto.json', { 'Accept-Language': 'sv' });
  const b = await get('/i18n/auto.json', { 'Accept-Language': 'en' });
  assert.notEqual(a.headers.etag, b.headers.etag);
  assert.equal((await get('/i18n/auto.json', { 'Accept-Language': 'en', 'If-None-Match': b.headers.etag })).status, 304);
  assert.equal((await get('/i18n/auto.json', { 'Accept-Language': 'sv', 'If-None-Match': b.headers.etag })).status, 200);
});

test('API answers in JSON go gzip-compressed when asked, the same JSON; small ones and errors as they are', async () => {
  const plain = await get('/api/v1/districts');
  assert.equal(plain.headers['content-encoding'], undefined);
  const z = await get('/api/v1/districts', { 'Accept-Encoding': 'gzip' });
  assert.equal(z.status, 200);
  assert.equal(z.headers['content-encoding'], 'gzip');
  assert.match(z.headers.vary, /Accept-Encoding/);
  assert.deepEqual(JSON.parse(gunzipSync(z.body)), JSON.parse(plain.body));
  assert.ok(z.body.length < plain.body.length * 0.5, `${z.body.length} of ${plain.body.length}`);
  assert.equal((await get('/api/v1/config', { 'Accept-Encoding': 'gzip' })).headers['content-encoding'], undefined, 'small');
  const bad = await get('/api/v1/feedback?limit=x', { 'Accept-Encoding': 'gzip' });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers['content-encoding'], undefined);
  assert.equal(JSON.parse(bad.body).error.field, 'limit');
});
