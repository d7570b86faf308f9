// Static files (issue 16, light pages): scripts, styles and pages go
// gzip-compressed to a client that asks for it, byte for byte the file once
// uncompressed; a validator (ETag, Last-Modified) makes a repeat visit a 304;
// images and clients that refuse gzip get the file as it is.
import assert from 'node:assert/strict';
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
