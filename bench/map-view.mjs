// The public map per view (issue 15): on a make-db.sh database, the time
// from the page's request to the map's first draw of its data
// (body[data-ready], clusters in), and the requests and bytes of opening,
// of each pan (half a map's width or height) and of zooming to street
// level, in headless Chromium on loopback. Run from the worktree:
//   DB=/tmp/1m.sqlite node bench/map-view.mjs      (a make-db.sh file; copied)
//   N=200000 node bench/map-view.mjs               (made here)
// VAIKUTA_BIN picks the binary; PANS the number of pans (default 8).
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { launchBrowser, newPage } from '../tests/browser/helpers.mjs';
import { repoRoot, startServer, tempDir, vaikutaBin } from '../tests/lib/server.mjs';

const PANS = Number(process.env.PANS || 8);
const dir = tempDir('vaikuta-mapbench-');
const db = path.join(dir, 'map.sqlite');
if (process.env.DB) {
  copyFileSync(process.env.DB, db);
} else {
  execFileSync('bash', [path.join(repoRoot, 'bench/make-db.sh'), String(process.env.N || 200000), db],
    { env: { ...process.env, VAIKUTA: vaikutaBin }, stdio: ['ignore', 'ignore', 'inherit'] });
}
const srv = await startServer({ dir, db, demo: false });
let browser;
try {
  // The count grid first (the tiles come from it; before it is built they
  // are drawn by SQL): a whole-city tile answering says it is in.
  const t0 = Date.now();
  for (let i = 0; i < 300; i++) {
    const r = await fetch(`${srv.url}/ogcapi/collections/feedback/tiles/WebMercatorQuad/8/72/148`);
    await r.arrayBuffer();
    if (r.status === 200) break;
    await new Promise((ok) => { setTimeout(ok, 1000); });
  }
  const total = (await (await fetch(`${srv.url}/healthz`)).json()).feedback;
  console.log(`items ${total}; grid ready after ${Date.now() - t0} ms; load ${loadavg()[0].toFixed(1)}`);

  browser = await launchBrowser();
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  const log = [];
  page.on('response', async (res) => {
    const u = new URL(res.url());
    if (u.pathname !== '/api/v1/feedback' && !u.pathname.startsWith('/ogcapi/')) return;
    const e = { tile: u.pathname.startsWith('/ogcapi/'), bytes: 0, features: 0, done: false };
    log.push(e);
    try {
      const b = await res.body();
      e.bytes = b.length;
      if (!e.tile) e.features = JSON.parse(b.toString('utf8')).features.length;
    } catch { /* dropped */ }
    e.done = true;
  });
  const sum = (from) => {
    const s = log.slice(from);
    return {
      items: s.filter((e) => !e.tile).length, tiles: s.filter((e) => e.tile).length,
      kb: (s.reduce((n, e) => n + e.bytes, 0) / 1024).toFixed(1), features: s.reduce((n, e) => n + e.features, 0)
    };
  };
  const settle = async (from) => {
    let n = -1;
    for (let i = 0; i < 60; i++) {
      await page.waitForTimeout(300);
      if (log.length === n && log.length > from && log.every((e) => e.done)) break;
      n = log.length;
    }
  };
  const start = Date.now();
  await page.goto(`${srv.url}/?lang=en`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  await page.waitForSelector('.fb-cluster', { timeout: 60000 });
  const firstDraw = Date.now() - start;
  await settle(0);
  const clusters = await page.locator('.fb-cluster').count();
  console.log(`open: first draw ${firstDraw} ms, ${clusters} clusters`, sum(0));
  const box = await page.locator('#map').boundingBox();
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const moves = [[box.width / 2, 0], [0, box.height / 2], [-box.width / 2, 0], [0, -box.height / 2]];
  const pans = [];
  for (let i = 0; i < PANS; i++) {
    const [dx, dy] = moves[i % moves.length];
    const from = log.length;
    const t = Date.now();
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + dx, cy + dy, { steps: 8 });
    await page.mouse.up();
    await settle(from);
    const s = sum(from);
    pans.push(s);
    console.log(`pan ${i + 1}: settled in ${Date.now() - t} ms`, s);
  }
  const kb = pans.map((p) => Number(p.kb)).sort((a, b) => a - b);
  console.log(`pans: median ${kb[Math.floor(kb.length / 2)]} KB, max ${kb.at(-1)} KB`);
  for (let z = 0; z < 4; z++) {
    const from = log.length;
    await page.click('.leaflet-control-zoom-in');
    await settle(from);
    console.log(`zoom in ${z + 1}:`, sum(from), `${await page.locator('.fb-cluster').count()} clusters`);
  }
} finally {
  if (browser) await browser.close();
  await srv.close();
}
