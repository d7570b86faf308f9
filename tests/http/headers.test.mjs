// Security headers (security issue 19): every answer — pages, scripts,
// API JSON, errors (404, 405, 401, 413), exports (streamed CSV, GeoPackage
// file), OPTIONS, HEAD, Open311 XML — carries the Content-Security-Policy,
// nosniff, no-referrer, X-Frame-Options DENY and COOP same-origin; the
// policy's img-src names the --tiles origin; a --tiles whose origin no
// policy can express is refused at start.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { call, rawRequest, repoRoot, startServer, statusOf, vaikutaBin } from '../lib/server.mjs';

const TILES = 'https://{s}.tile.example.org/{z}/{x}/{y}.png';
// The resident page's own <script> and <style> blocks, and nothing else
// inline, by their hash (scripts/resident-page.mjs, docs/phone.md).
const PAGE = readFileSync(path.join(repoRoot, 'web/index.html'), 'utf8');
const hashes = (tag) => [...PAGE.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))]
  .map((m) => ` 'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`).join('');
const CSP = `default-src 'self'; script-src 'self'${hashes('script')}; object-src 'none'; base-uri 'none'; ` +
  `frame-ancestors 'none'; form-action 'self'; img-src 'self' data: https://*.tile.example.org; style-src 'self'${hashes('style')}`;
assert.match(CSP, /script-src 'self' 'sha256-[A-Za-z0-9+/]{43}='; /);
const EXPECTED = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

let srv;

before(async () => {
  srv = await startServer({ args: ['--tiles', TILES, '--tiles-attribution', 'Tiles <b>&</b> co'] });
});
after(async () => {
  if (srv) await srv.close();
});

function assertHeaders(headers, what) {
  const got = Object.fromEntries(Object.keys(EXPECTED).map((k) => [k, headers.get(k)]));
  assert.deepEqual(got, EXPECTED, what);
}

// Raw answer text → a Headers object.
function headersOf(answer) {
  const h = new Headers();
  for (const line of answer.split('\r\n\r\n')[0].split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) h.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return h;
}

const CASES = [
  ['GET', '/', 200],
  ['GET', '/staff.html', 200],
  ['GET', '/follow.html', 200],
  ['GET', '/app.js', 200],
  ['GET', '/i18n/fi.json', 200],
  ['GET', '/node_modules/leaflet/dist/leaflet.css', 200],
  ['HEAD', '/stats.html', 200],
  ['GET', '/healthz', 200],
  ['GET', '/api/v1/config', 200],
  ['GET', '/api/v1/feedback?limit=2', 200],
  ['GET', '/api/v1/feedback/999999', 404],
  ['GET', '/api/v1/nothing-here', 404],
  ['GET', '/no-such-page.html', 404],
  ['DELETE', '/api/v1/feedback', 405],
  ['OPTIONS', '/api/v1/feedback', 204],
  ['GET', '/api/v1/staff/feedback', 401],
  ['GET', '/api/v1/feedback?limit=banana', 400],
  ['GET', '/api/v1/export/feedback.csv', 200],
  ['GET', '/api/v1/export/feedback.geojson', 200],
  ['GET', '/api/v1/export/feedback.gpkg', 200],
  ['GET', '/open311/v2/services.xml', 200],
  ['GET', '/ogcapi/collections/feedback/items?limit=1', 200],
];

for (const [method, url, status] of CASES) {
  test(`${method} ${url} → ${status} with the security headers`, async () => {
    const r = await call(srv, method, url);
    assert.equal(r.status, status, r.text.slice(0, 300));
    assertHeaders(r.headers, `${method} ${url}`);
  });
}

test('a 413 after the body (drained) and before it (declared too large) has them too', async () => {
  const big = 'x'.repeat(1024 * 1024 + 10);
  const r = await call(srv, 'POST', '/api/v1/feedback', { body: big });
  assert.equal(r.status, 413, r.text);
  assertHeaders(r.headers, '413 after the body');
  // Declared over the drain limit: answered from the first call, at once.
  const early = await rawRequest(srv, 'POST /api/v1/feedback HTTP/1.1\r\nHost: x\r\n' +
    'Content-Type: application/json\r\nContent-Length: 40000000\r\n\r\n{');
  assert.equal(statusOf(early), 413, early.slice(0, 200));
  assertHeaders(headersOf(early), '413 before the body');
  const expect = await rawRequest(srv, 'POST /api/v1/feedback HTTP/1.1\r\nHost: x\r\n' +
    'Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n');
  assert.equal(statusOf(expect), 413, expect.slice(0, 200));
  assertHeaders(headersOf(expect), '413 to Expect: 100-continue');
});

test('a 431 for headers too large and a 201 for a report have them', async () => {
  const r = await call(srv, 'GET', '/api/v1/config', { headers: { 'X-Big': 'y'.repeat(20000) } });
  assert.equal(r.status, 431, r.text);
  assertHeaders(r.headers, '431');
  const c = await call(srv, 'POST', '/api/v1/feedback', { body: { type: 'Feature',
    geometry: { type: 'Point', coordinates: [28.77, 61.19] }, properties: { category: 'other', description: 'otsakkeet' } } });
  assert.equal(c.status, 201, c.text);
  assertHeaders(c.headers, '201');
});

test('the attribution goes to the client as given (it escapes it to show as text)', async () => {
  const r = await call(srv, 'GET', '/api/v1/config');
  assert.equal(r.json.attribution, 'Tiles <b>&</b> co');
  assert.equal(r.json.tiles, TILES);
});

test('without --tiles img-src is this origin and data: only; a --tiles no policy can hold is refused', async () => {
  const plain = await startServer({ demo: false });
  try {
    const r = await call(plain, 'GET', '/');
    assert.match(r.headers.get('content-security-policy'), /img-src 'self' data:; /);
  } finally {
    await plain.close();
  }
  for (const bad of ["https://tiles.example.org;script-src 'unsafe-inline'/{z}/{x}/{y}.png",
    'javascript:alert(1)', 'https://{s}/{z}/{x}/{y}.png']) {
    const r = spawnSync(vaikutaBin, ['serve', '--db', path.join(srv.dir, 'bad.sqlite'), '--listen', '127.0.0.1:1',
      '--tiles', bad], { encoding: 'utf8', timeout: 20000 });
    assert.notEqual(r.status, 0, `refused: ${bad}`);
    assert.match(r.stderr, /--tiles/, r.stderr);
  }
});
