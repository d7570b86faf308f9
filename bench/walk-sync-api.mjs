// walk-sync-api.mjs — issue 14's sync benchmark without the browser: a phone that recorded 200
// findings with 100 photos offline comes back online and sends its queue
// over loopback, as the field page's queue does (docs/walks.md, "Field
// mode"): each finding under its device-made id, then its photo uploaded
// under its own Idempotency-Key and attached. Target < 30 s.
//
// The photos are 12-megapixel JPEGs (4000 × 3000) as a phone's camera
// makes them, about 3 MB each, made with `vips` (libvips-tools): the server
// decodes, rotates, strips and resizes every one (docs/photos.md). Four
// different images take turns so that no two uploads are the same bytes.
//
// Two runs on a fresh server each: the queue sent one request at a time
// (a slow phone), and with 2 requests in flight. Afterwards the server must
// hold exactly 200 findings and 100 photos, and the whole queue sent again
// (a retry after a lost answer) must add nothing.
//
// The page itself sending its outbox is bench/walk-sync.mjs; this one shows
// the protocol's cost on the server and the resend of a whole queue.
// Run: node bench/walk-sync-api.mjs (VAIKUTA_BIN=build/vaikuta by default).
// Writes bench/results/walk-sync-api-latest.md. Loopback only; the servers it
// starts are stopped by PID (tests/lib/server.mjs).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import path from 'node:path';
import { repoRoot, startServer, tempDir } from '../tests/lib/server.mjs';

const FINDINGS = 200;
const PHOTOS = 100;
const ROUTE = { type: 'LineString', coordinates: [[28.808, 61.2195], [28.815, 61.2198], [28.822, 61.2200]] };

function makePhotos(dir) {
  const files = [];
  for (let i = 0; i < 4; i++) {
    const f = path.join(dir, `p${i}.jpg`);
    // A smooth scene plus sensor-like noise: a phone photo's entropy.
    execFileSync('vips', ['zone', `${dir}/z.v`, '4000', '3000']);
    execFileSync('vips', ['linear', `${dir}/z.v`, `${dir}/zl.v`, String(60 + 20 * i), '128']);
    execFileSync('vips', ['gaussnoise', `${dir}/n.v`, '4000', '3000', '--sigma', '5', '--mean', '0']);
    execFileSync('vips', ['add', `${dir}/zl.v`, `${dir}/n.v`, `${dir}/g.v`]);
    execFileSync('vips', ['bandjoin', `${dir}/g.v ${dir}/g.v ${dir}/g.v`, `${dir}/rgb.v`]);
    execFileSync('vips', ['cast', `${dir}/rgb.v`, `${dir}/rgb8.v`, 'uchar']);
    execFileSync('vips', ['copy', `${dir}/rgb8.v`, `${f}[Q=85]`]);
    files.push(readFileSync(f));
  }
  return files;
}

// The device's queue: photo i belongs to finding i (every other finding
// has none), ids and keys made "on the device" before sending.
function makeQueue() {
  const q = [];
  for (let i = 0; i < FINDINGS; i++) {
    q.push({
      id: randomUUID(),
      photoKey: i < PHOTOS ? `photo-${randomUUID()}` : null,
      photoIndex: i % 4,
      body: {
        geometry: { type: 'Point', coordinates: [28.808 + (i % 50) * 0.0003, 61.2194 + Math.floor(i / 50) * 0.0002] },
        type: 'kerb', grade: i % 3 === 0 ? 'vaara' : 'este', groups: ['wheelchair'],
        measurements: { kerb_height_mm: 30 + (i % 60) }, description: `Havainto ${i + 1}`,
        recorded: new Date(Date.now() - (FINDINGS - i) * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    });
  }
  return q;
}

// A 429 (photos count against the public write budget, --rate-limit) is
// waited out as the page does: Retry-After, then the same request again.
let waited = 0;
async function post(url, headers, body) {
  for (;;) {
    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    if (res.status === 429) {
      const s = Number(res.headers.get('retry-after')) || 1;
      waited += s;
      await new Promise((r) => setTimeout(r, s * 1000));
      continue;
    }
    if (res.status !== 200 && res.status !== 201) throw new Error(`${url}: ${res.status} ${text}`);
    return JSON.parse(text);
  }
}

// One queued entry, in the page's order (web/lib/walk-queue.js): the
// finding, then its photo uploaded and attached to it.
async function sendOne(srv, walk, code, photos, e) {
  await post(`${srv.url}/api/v1/walks/${walk}/findings`,
    { 'Content-Type': 'application/json', 'X-Walk-Code': code, 'Idempotency-Key': `finding-${e.id}` },
    JSON.stringify({ id: e.id, ...e.body }));
  if (!e.photoKey) return;
  const p = await post(`${srv.url}/api/v1/photos`,
    { 'Content-Type': 'image/jpeg', 'Idempotency-Key': e.photoKey, 'X-Walk-Code': code },
    photos[e.photoIndex]);
  await post(`${srv.url}/api/v1/walk-findings/${e.id}/photos`,
    { 'Content-Type': 'application/json', 'X-Walk-Code': code, 'Idempotency-Key': `attach-${e.photoKey}` },
    JSON.stringify({ photos: [p.id] }));
}

async function sendQueue(srv, walk, code, photos, queue, inFlight) {
  let next = 0;
  const worker = async () => {
    while (next < queue.length) await sendOne(srv, walk, code, photos, queue[next++]);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (performance.now() - t0) / 1000;
}

async function run(photos, inFlight) {
  const srv = await startServer({ demo: false, tokens: [{ name: 'planner', role: 'planner' }] });
  try {
    const res = await fetch(`${srv.url}/api/v1/staff/walks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${srv.tokens.planner}` },
      body: JSON.stringify({ title: 'Sync benchmark', date: new Date().toISOString().slice(0, 10),
        organiser: 'vammaisneuvosto', groups: ['wheelchair'], participants: 1, route: ROUTE }),
    });
    const made = await res.json();
    if (res.status !== 201) throw new Error(`create walk: ${res.status} ${JSON.stringify(made)}`);
    const walk = { id: made.walk.id, code: made.code };
    const queue = makeQueue();
    waited = 0;
    const secs = await sendQueue(srv, walk.id, walk.code, photos, queue, inFlight);
    const rateWait = waited;
    waited = 0;
    const again = await sendQueue(srv, walk.id, walk.code, photos, queue, inFlight);
    const againWait = waited;
    const fc = await (await fetch(`${srv.url}/api/v1/walks/${walk.id}/findings`)).json();
    const nPhotos = fc.features.reduce((n, f) => n + f.properties.photos.length, 0);
    return { secs, again, rateWait, againWait, findings: fc.features.length, photos: nPhotos };
  } finally {
    await srv.close();
  }
}

const work = tempDir('vaikuta-sync-');
const photos = makePhotos(work);
const meanMB = photos.reduce((n, b) => n + b.length, 0) / photos.length / 1048576;
const load = loadavg().map((x) => x.toFixed(2)).join(' ');
const rows = [];
for (const inFlight of [1, 2]) {
  const r = await run(photos, inFlight);
  console.log(`in flight ${inFlight}: ${r.secs.toFixed(1)} s (${r.rateWait} s of Retry-After), resend ${r.again.toFixed(1)} s, ` +
    `${r.findings} findings, ${r.photos} photos`);
  rows.push({ inFlight, ...r });
}
const ok = rows.every((r) => r.findings === FINDINGS && r.photos === PHOTOS);
const out = [
  `# Walk sync benchmark — ${new Date().toISOString().slice(0, 16)}Z`,
  '',
  `${FINDINGS} findings queued offline, ${PHOTOS} of them with a 12 MP JPEG (mean ${meanMB.toFixed(1)} MiB),`,
  `sent over loopback as the field page sends them (the finding under its device-made id, then its`,
  `photo under its Idempotency-Key, attached). Machine: ${cpus().length} cores, shared; load average at start ${load}.`,
  '',
  '| requests in flight | sync time | of it waiting out 429 (Retry-After) | the same queue sent again | of it waiting out 429 | stored findings / photos | target |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.inFlight} | ${r.secs.toFixed(1)} s | ${r.rateWait} s | ${r.again.toFixed(1)} s | ${r.againWait} s | ${r.findings} / ${r.photos} | < 30 s, ${FINDINGS} / ${PHOTOS} |`),
  '',
  'The server runs with its default public write limit (120 a minute, a burst of 60, per address):',
  'photo uploads count against it (findings with the right walk code do not), so a resend right',
  'after a sync waits for Retry-After, as the page does.',
  '',
  ok ? 'Every run stored exactly the queue: no finding or photo duplicated by the resend.'
    : 'MISMATCH: a run did not store exactly the queue.',
  '',
].join('\n');
mkdirSync(path.join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(path.join(repoRoot, 'bench/results/walk-sync-api-latest.md'), out);
console.log(out);
process.exit(ok ? 0 : 1);
