// bench/resident-load.mjs — the resident page's first load on a phone
// (issue 16, "Light pages"): bytes transferred (no tiles), the time to
// first text, to a usable page (strings and the form's lists in:
// body[data-usable]; "new report" and the address search respond) and to
// the map with its items drawn (body[data-ready]), under "Slow 3G" as
// Chromium's network quality estimator has it (400 ms round trip, 50 kB/s
// = 400 kbit/s) and as DevTools' preset throttles it (latency ×5: 2 s).
// REF=DIR: the same loads, in the same run, of another tree (say the one
// before a change: `git archive REV | tar -x -C DIR`, built there with
// meson, with a copy of our web/node_modules — a link would lead out of
// its web/, which the server refuses): its build/vaikuta serving
// its web/, the reference. Loopback only; RUNS loads each (default 2),
// medians.
//
//   VAIKUTA_BIN=build/vaikuta [REF=/tmp/ref] node bench/resident-load.mjs
// writes bench/results/resident-load-latest.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, newPage } from '../tests/browser/helpers.mjs';
import { startServer } from '../tests/lib/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUNS = Math.max(1, Math.min(10, Number(process.env.RUNS) || 2));

async function load(browser, base, latency) {
  const page = await newPage(browser, { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  try {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    let bytes = 0;
    let requests = 0;
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests++; });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: 50000, uploadThroughput: 50000 });
    const t0 = Date.now();
    await page.goto(`${base}/`, { waitUntil: 'commit', timeout: 180000 });
    await page.waitForFunction(() => { const h = document.querySelector('h1'); return h && h.getBoundingClientRect().height > 0; }, null, { timeout: 180000 });
    const text = Date.now() - t0;
    await page.waitForSelector('body[data-usable="true"]', { timeout: 180000 });
    const usable = Date.now() - t0;
    await page.waitForSelector('body[data-ready="true"]', { timeout: 180000 });
    return { bytes, requests, text, usable, ready: Date.now() - t0 };
  } finally {
    await page.closeAll();
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const pages = [['this tree', await startServer()]];
const REF = process.env.REF;
if (REF) {
  pages.push([`${REF} (reference)`, await startServer({ bin: path.join(REF, 'build/vaikuta'), args: ['--web', path.join(REF, 'web')] })]);
}
const browser = await launchBrowser();
const load0 = loadavg()[0];
const rows = [];
try {
  for (const latency of [400, 2000]) {
    for (const [name, server] of pages) {
      const rs = [];
      for (let i = 0; i < RUNS; i++) rs.push(await load(browser, server.url, latency));
      rows.push({ latency, name, bytes: median(rs.map((r) => r.bytes)), requests: rs[0].requests,
        text: median(rs.map((r) => r.text)), usable: median(rs.map((r) => r.usable)), ready: median(rs.map((r) => r.ready)) });
    }
  }
} finally {
  await browser.close();
  for (const [, server] of pages) await server.close();
}
const lines = [
  '# Resident page, first load on "Slow 3G" (bench/resident-load.mjs)',
  '',
  `${new Date().toISOString()}, load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end; ` +
    `${RUNS} loads each, medians; 360×740 touch; no tiles; 50 kB/s.`,
  '',
  '| latency | page | requests | KB | first text (ms) | usable (ms) | ratio | map and items drawn (ms) |',
  '|---:|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => {
    const ref = rows.find((x) => x.latency === r.latency && x.name !== r.name && /reference/.test(x.name)) || r;
    return `| ${r.latency} | ${r.name} | ${r.requests} | ${(r.bytes / 1024).toFixed(0)} | ${r.text} | ${r.usable} | ` +
      `${(r.usable / ref.usable).toFixed(2)} | ${r.ready} |`;
  }),
  '',
];
mkdirSync(path.join(HERE, 'results'), { recursive: true });
writeFileSync(path.join(HERE, 'results', 'resident-load-latest.md'), lines.join('\n'));
console.log(lines.join('\n'));
