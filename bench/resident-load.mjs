// bench/resident-load.mjs — the resident page's first load on a phone
// (issue 16, "Light pages"): bytes transferred (no tiles) and the time to
// first text and to a usable page (map, list and form drawn: body[data-ready])
// under Chromium DevTools' "Slow 3G" (2 s round trip, about 50 kB/s), with
// the static files gzip-compressed (what browsers ask for) against the same
// page in the same run with compression refused (Accept-Encoding: identity),
// the reference. Loopback only; RUNS loads each (default 3), medians.
//
//   VAIKUTA_BIN=build/vaikuta node bench/resident-load.mjs
// writes bench/results/resident-load-latest.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, newPage } from '../tests/browser/helpers.mjs';
import { startServer } from '../tests/lib/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUNS = Math.max(1, Math.min(10, Number(process.env.RUNS) || 3));

async function load(browser, base, identity) {
  const page = await newPage(browser, { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  try {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    if (identity) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
    let bytes = 0;
    let requests = 0;
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests++; });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 2000, downloadThroughput: 50000, uploadThroughput: 50000 });
    const t0 = Date.now();
    await page.goto(`${base}/`, { waitUntil: 'commit', timeout: 180000 });
    await page.waitForFunction(() => { const h = document.querySelector('h1'); return h && h.getBoundingClientRect().height > 0; }, null, { timeout: 180000 });
    const text = Date.now() - t0;
    await page.waitForSelector('body[data-ready="true"]', { timeout: 180000 });
    return { bytes, requests, text, ready: Date.now() - t0 };
  } finally {
    await page.closeAll();
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const server = await startServer();
const browser = await launchBrowser();
const load0 = loadavg()[0];
const rows = {};
try {
  for (const [name, identity] of [['gzip', false], ['identity (reference)', true]]) {
    const rs = [];
    for (let i = 0; i < RUNS; i++) rs.push(await load(browser, server.url, identity));
    rows[name] = { bytes: median(rs.map((r) => r.bytes)), requests: rs[0].requests,
      text: median(rs.map((r) => r.text)), ready: median(rs.map((r) => r.ready)) };
  }
} finally {
  await browser.close();
  await server.close();
}
const ref = rows['identity (reference)'];
const lines = [
  '# Resident page, first load on "Slow 3G" (bench/resident-load.mjs)',
  '',
  `${new Date().toISOString()}, load average ${load0.toFixed(1)}, ${RUNS} loads each, medians; 360×740 touch; no tiles.`,
  '',
  '| static files | requests | KB transferred | ratio | first text (ms) | usable (ms) | ratio |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...Object.entries(rows).map(([k, r]) => `| ${k} | ${r.requests} | ${(r.bytes / 1024).toFixed(0)} | ` +
    `${(r.bytes / ref.bytes).toFixed(2)} | ${r.text} | ${r.ready} | ${(r.ready / ref.ready).toFixed(2)} |`),
  '',
];
mkdirSync(path.join(HERE, 'results'), { recursive: true });
writeFileSync(path.join(HERE, 'results', 'resident-load-latest.md'), lines.join('\n'));
console.log(lines.join('\n'));
