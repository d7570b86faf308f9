// Photos (docs/photos.md): a raw-body upload; a phone JPEG with GPS EXIF,
// orientation 6, XMP, IPTC, an ICC profile and a comment comes back turned
// upright with no metadata at all; Idempotency-Key; pending photos served to
// nobody but reviewers; hostile images get a 4xx JSON and the server stays
// up; the 15 MB cap is this route's only; `vaikuta check` verifies photos.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, startServer, vaikutaBin } from '../lib/server.mjs';

const FX = path.join(repoRoot, 'tests/fixtures/photos');
const fixture = (name) => readFileSync(path.join(FX, name));
const PW = 'correct horse battery staple';

let srv;

before(async () => {
  srv = await startServer({ demo: false, users: [{ name: 'mod1', role: 'moderator', password: PW }],
    tokens: [{ name: 'mod', role: 'moderator' }, { name: 'plan', role: 'planner' }] });
});
after(async () => { if (srv) await srv.close(); });

async function upload(bytes, { type = 'image/jpeg', key } = {}) {
  const headers = { 'Content-Type': type };
  if (key) headers['Idempotency-Key'] = key;
  const res = await fetch(`${srv.url}/api/v1/photos`, { method: 'POST', headers, body: bytes });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

async function get(p, token, headers = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${srv.tokens[token]}`;
  const res = await fetch(`${srv.url}${p}`, { headers: h });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

// The segments of a JPEG before its scan: [{ marker, body }].
function segments(buf) {
  assert.equal(buf.readUInt16BE(0), 0xffd8, 'a JPEG');
  const out = [];
  for (let i = 2; i + 4 <= buf.length && buf[i] === 0xff;) {
    const marker = buf[i + 1];
    if (marker === 0xda) break;
    const len = buf.readUInt16BE(i + 2);
    out.push({ marker, body: buf.subarray(i + 4, i + 2 + len) });
    i += 2 + len;
  }
  return out;
}
// Width and height from the frame header.
function size(buf) {
  const sof = segments(buf).find((s) => s.marker >= 0xc0 && s.marker <= 0xc3);
  return { height: sof.body.readUInt16BE(1), width: sof.body.readUInt16BE(3) };
}

describe('upload and metadata', () => {
  let photo;

  test('the phone JPEG: 201 pending, with its sizes', async () => {
    const r = await upload(fixture('gps-rotated.jpg'), { key: 'device-uuid-1' });
    assert.equal(r.status, 201, r.text);
    photo = r.json;
    assert.match(photo.id, /^[0-9a-f]{32}$/);
    assert.equal(photo.status, 'pending');
    assert.equal(r.headers.get('location'), `/api/v1/photos/${photo.id}`);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.deepEqual([photo.width, photo.height], [32, 64], 'turned upright: width and height swapped');
    assert.ok(Date.parse(photo.expires) > Date.parse(photo.created));
    assert.equal(photo.url, `${srv.url}/api/v1/photos/${photo.id}/display`);
  });

  test('the same Idempotency-Key: the same photo; other bytes under it: 422', async () => {
    const again = await upload(fixture('gps-rotated.jpg'), { key: 'device-uuid-1' });
    assert.equal(again.status, 201);
    assert.equal(again.json.id, photo.id);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const other = await upload(fixture('tiny.png'), { key: 'device-uuid-1', type: 'image/png' });
    assert.equal(other.status, 422);
    assert.equal(other.json.error.code, 'idempotency_key_reused');
  });

  test('pending: 404 to the public and to a planner, shown to a moderator', async () => {
    for (const p of [`/api/v1/photos/${photo.id}`, `/api/v1/photos/${photo.id}/display`]) {
      const anon = await get(p);
      assert.equal(anon.status, 404);
      assert.equal(JSON.parse(anon.bytes).error.code, 'not_found');
      assert.equal((await get(p, 'plan')).status, 404);
    }
    const meta = await get(`/api/v1/photos/${photo.id}`, 'mod');
    assert.equal(meta.status, 200);
    const m = JSON.parse(meta.bytes);
    assert.equal(m.status, 'pending');
    assert.equal(m.owner, null);
  });

  test('the display size: upright, red on top, and no metadata left at all', async () => {
    const r = await get(`/api/v1/photos/${photo.id}/display`, 'mod');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/jpeg');
    assert.match(r.headers.get('cache-control'), /^private/);
    assert.match(r.headers.get('etag'), /^"[0-9a-f]{64}"$/);
    assert.deepEqual(size(r.bytes), { width: 32, height: 64 });
    for (const s of segments(r.bytes)) {
      const jfif = s.marker === 0xe0 && s.body.subarray(0, 5).toString('latin1') === 'JFIF\0';
      assert.ok(jfif || !((s.marker >= 0xe0 && s.marker <= 0xef) || s.marker === 0xfe),
        `no APPn or COM segment (found 0x${s.marker.toString(16)})`);
    }
    const text = r.bytes.toString('latin1');
    for (const trace of ['Exif', 'SecretCam', 'GPS', 'ns.adobe.com', 'ICC_PROFILE', 'Photoshop', '8BIM', 'secret'])
      assert.ok(!text.includes(trace), `no '${trace}' in the bytes`);
    const thumb = await get(`/api/v1/photos/${photo.id}/thumb`, 'mod');
    assert.equal(thumb.status, 200);
    assert.ok(!thumb.bytes.toString('latin1').includes('Exif'));
    const again = await get(`/api/v1/photos/${photo.id}/display`, 'mod', { 'If-None-Match': r.headers.get('etag') });
    assert.equal(again.status, 304);
    assert.equal((await get(`/api/v1/photos/${photo.id}/original`, 'mod')).status, 404);
  });

  test('PNG, WebP, progressive JPEG and PNG with alpha are taken', async () => {
    for (const [name, type] of [['tiny.png', 'image/png'], ['tiny.webp', 'image/webp'],
      ['progressive.jpg', 'image/jpeg'], ['alpha.png', 'application/octet-stream']]) {
      const r = await upload(fixture(name), { type });
      assert.equal(r.status, 201, `${name}: ${r.text}`);
      assert.equal(r.json.type, 'image/jpeg');
    }
  });
});

describe('hostile images: 4xx JSON, the server stays up', () => {
  const cases = [
    ['truncated.jpg', 'image/jpeg', 422, 'invalid_image'],
    ['bomb.png', 'image/png', 413, 'image_too_large'],
    ['bomb.jpg', 'image/jpeg', 413, 'image_too_large'],
    ['wide.png', 'image/png', 413, 'image_too_large'],
    ['text.jpg', 'image/jpeg', 415, 'unsupported_media_type'],
  ];
  for (const [name, type, status, code] of cases) {
    test(`${name} → ${status} ${code}`, async () => {
      const r = await upload(fixture(name), { type });
      assert.equal(r.status, status, r.text);
      assert.equal(r.json.error.code, code);
      assert.equal(r.json.error.field, 'body');
    });
  }
  test('zero bytes → 415', async () => {
    const r = await upload(Buffer.alloc(0));
    assert.equal(r.status, 415);
    assert.equal(r.json.error.code, 'unsupported_media_type');
  });
  test('a JSON body → 415 naming Content-Type', async () => {
    const r = await upload('{"photo":1}', { type: 'application/json' });
    assert.equal(r.status, 415);
    assert.equal(r.json.error.field, 'Content-Type');
  });
  test('JPEG magic then garbage → 422', async () => {
    const junk = Buffer.alloc(200000, 0x5a);
    junk[0] = 0xff; junk[1] = 0xd8; junk[2] = 0xff;
    const r = await upload(junk);
    assert.ok(r.status === 422 || r.status === 415, r.text);
  });
  test('over 15 MB → 413; 3 MB is fine here, over 1 MiB elsewhere is not', async () => {
    const big = Buffer.alloc(15 * 1024 * 1024 + 1, 0);
    big[0] = 0xff; big[1] = 0xd8; big[2] = 0xff;
    const r = await upload(big);
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, 'body_too_large');
    const mid = Buffer.alloc(3 * 1024 * 1024, 0);
    mid[0] = 0xff; mid[1] = 0xd8; mid[2] = 0xff;
    const m = await upload(mid);
    assert.equal(m.status, 422, 'the body reached the decoder');
    const fb = await fetch(`${srv.url}/api/v1/feedback`, { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}` });
    assert.equal(fb.status, 413, 'other routes keep the 1 MiB cap');
  });
  test('malformed ids and query parameters', async () => {
    assert.equal((await get('/api/v1/photos/not-an-id/display')).status, 404);
    const r = await fetch(`${srv.url}/api/v1/photos?x=1`, { method: 'POST', headers: { 'Content-Type': 'image/jpeg' },
      body: fixture('tiny.png') });
    assert.equal(r.status, 400);
  });
  test('still up, and `vaikuta check` verifies the stored photos', async () => {
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
    const c = spawnSync(vaikutaBin, ['check', '--db', srv.db], { encoding: 'utf8' });
    assert.equal(c.status, 0, c.stdout + c.stderr);
    assert.match(c.stdout, /photos: 5 checked, 0 damaged/);
  });
});
