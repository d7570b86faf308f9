// walk-sync.mjs — issue 14's sync benchmark: the walk page's outbox
// (web/lib/walk-queue.js) holding 200 findings recorded offline, 100 of
// them with a photo, sends them over loopback when the network returns;
// the time from "online" until the page says nothing is waiting (target
// < 30 s), then the server is checked for exactly 200 findings and 100
// photos. The real page in headless Chromium (playwright-core from
// tests/), the real server with the demo walks on a fresh database.
//
// The photo: a phone-like 12 MP JPEG made with vips as bench/photos.sh
// makes it (PHOTO=/path/to.jpg to use another). RATE: the server's
// --rate-limit (default 0: off, as the other write benchmarks; with the
// default 120 a minute and a burst of 60, the photo uploads beyond the
// burst wait for 429's Retry-After, which is the outbox's back-off).
//
// Run: node bench/walk-sync.mjs   (needs vips, sqlite3, chromium; the
// build in build/). Writes bench/results/walk-sync-latest.md. Loopback
// only; the server is stopped by its PID.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, newPage, gotoReady } from '../tests/browser/helpers.mjs';
import { call, login, startServer } from '../tests/lib/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.FINDINGS || 200);
const WITH_PHOTO = Number(process.env.PHOTOS || 100);
const RATE = process.env.RATE ?? '0';
const STAFF = { name: 'bench-planner', role: 'planner', password: 'bench planner password 3c9f' };
const work = mkdtempSync(path.join(tmpdir(), 'walk-sync-'));

function photo() {
  if (process.env.PHOTO) return process.env.PHOTO;
  const v = (...a) => execFileSync('vips', a, { stdio: 'ignore' });
  const w = (f) => path.join(work, f);
  v('zone', w('z.v'), '4000', '3000');
  v('linear', w('z.v'), w('zl.v'), '100', '128');
  v('gaussnoise', w('n.v'), '4000', '3000', '--sigma', '12', '--mean', '0');
  v('add', w('zl.v'), w('n.v'), w('g.v'));
  v('bandjoin', `${w('g.v')} ${w('g.v')} ${w('g.v')}`, w('rgb.v'));
  v('cast', w('rgb.v'), w('rgb8.v'), 'uchar');
  v('copy', w('rgb8.v'), `${w('12mp.jpg')}[Q=85]`);
  return w('12mp.jpg');
}

const jpeg = photo();
const bytes = readFileSync(jpeg);
const mb = (bytes.length / 1048576).toFixed(2);
const server = await startServer({ users: [STAFF], demoResponses: 5, args: ['--rate-limit', RATE] });
const browser = await launchBrowser();
let result;
try {
  const s = await login(server, STAFF.name, STAFF.password);
  const code = (await call(server, 'POST', '/api/v1/staff/walks/1/code', { cookie: s.cookie, csrf: s.csrf })).json.code;
  const page = await newPage(browser, { viewport: { width: 360, height: 740 } });
  page.context().setDefaultTimeout(600000);
  page.on('crash', () => console.error('walk-sync: the page crashed'));
  page.on('console', (m) => { if (m.type() === 'error') console.error('page:', m.text()); });
  await gotoReady(page, `${server.url}/w/${code}`);
  await page.waitForSelector('body[data-offline="ready"]');
  await page.context().setOffline(true);
  const prefix = `bench ${Date.now()}`;
  // The outbox filled as the form fills it (VK.walkQueue.add), the photo
  // bytes handed over once and shared by the 100 Blobs.
  await page.evaluate(async ({ b64, n, withPhoto, prefix, code }) => {
    const bin = atob(b64);
    const u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    const blob = new Blob([u8], { type: 'image/jpeg' });
    for (let i = 0; i < n; i++) {
      const body = { id: crypto.randomUUID(), type: 'kerb', grade: 'este', groups: ['wheelchair'],
        geometry: { type: 'Point', coordinates: [28.8068 + 0.0146 * i / n, 61.2205 + 0.0031 * i / n] },
        measurements: { kerb_height_mm: 40 + (i % 40) }, description: `${prefix} #${i}`,
        recorded: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
      await VK.walkQueue.add({ walk: 1, code, body }, i % Math.round(n / withPhoto) === 0 ? [blob] : []);
    }
  }, { b64: bytes.toString('base64'), n: N, withPhoto: WITH_PHOTO, prefix, code });
  await page.waitForFunction((n) => document.getElementById('w-queue-count').getAttribute('data-waiting') === String(n), N);
  const load0 = loadavg();
  const t0 = Date.now();
  await page.context().setOffline(false);
  await page.waitForFunction(() => document.getElementById('w-queue-count').getAttribute('data-waiting') === '0', null, { timeout: 600000, polling: 100 });
  const secs = (Date.now() - t0) / 1000;
  const load1 = loadavg();
  const fc = (await call(server, 'GET', '/api/v1/walks/1/findings')).json.features.filter((f) => f.properties.description.startsWith(prefix));
  const photos = fc.reduce((a, f) => a + f.properties.photos.length, 0);
  const rows = spawnSync('sqlite3', [server.db, 'SELECT COUNT(*) FROM photo'], { encoding: 'utf8' }).stdout.trim();
  const errors = await page.getAttribute('#w-queue-count', 'data-errors');
  result = { secs, findings: fc.length, photos, rows, errors, load0, load1 };
} finally {
  await browser.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
}

const la = (l) => l.map((x) => x.toFixed(2)).join(' ');
const md = `# Walk outbox sync (bench/walk-sync.mjs)

- ${new Date().toISOString()}; ${N} findings queued offline in the walk page, ${WITH_PHOTO} with a
  ${mb} MB JPEG (${process.env.PHOTO ? path.basename(jpeg) : '12 MP, made with vips'}); the server \`serve --demo --rate-limit ${RATE}\` on loopback
- **sync time** (online → nothing waiting): **${result.secs.toFixed(1)} s** (target < 30 s)
- on the server: ${result.findings} findings, ${result.photos} photos attached, ${result.rows} photo rows; page errors: ${result.errors}
- load average before: ${la(result.load0)}, after: ${la(result.load1)} (2 cores shared with other work)
`;
mkdirSync(path.join(HERE, 'results'), { recursive: true });
writeFileSync(path.join(HERE, 'results/walk-sync-latest.md'), md);
process.stdout.write(md);
if (result.findings !== N || result.photos !== WITH_PHOTO) process.exit(1);
