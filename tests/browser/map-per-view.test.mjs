// The public map loads per view (issue 15): on a database of many items
// (bench/make-db.sh, 50 000 by default) opening and panning the map asks
// only for the view's data — clusters from the vector tiles below street
// zoom, at most one view's items (bbox + limit) for the list and, at street
// zoom, for the map — never the whole city's; clusters show their counts,
// are buttons by keyboard, and follow the filters.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import {
  after, axeViolations, before, launchBrowser, newPage, gotoReady, tabTo, test
} from './helpers.mjs';
import { repoRoot, startServer, tempDir, vaikutaBin } from '../lib/server.mjs';

const N = Number(process.env.MAP_TEST_ROWS || 50000);
const VIEW_LIMIT = 500; // web/app.js VIEW_LIMIT
const CLUSTERED_LIMIT = 50; // web/app.js LIST_LIMIT_CLUSTERED
const MAX_TILES_PER_VIEW = 9; // 1024 px tiles over a map under 2048 px wide

let server;
let browser;

before(async () => {
  const dir = tempDir('vaikuta-map-');
  const db = path.join(dir, 'many.sqlite');
  if (process.env.MAP_TEST_DB) {
    copyFileSync(process.env.MAP_TEST_DB, db); // a make-db.sh file made before, kept as it was
  } else {
    execFileSync('bash', [path.join(repoRoot, 'bench/make-db.sh'), String(N), db],
      { env: { ...process.env, VAIKUTA: vaikutaBin }, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  server = await startServer({ dir, db, demo: false });
  // Until the count grid is built the tiles are drawn by SQL, which on many
  // items may pass the request deadline (503): wait for a whole-city tile.
  for (let i = 0; i < 120; i++) {
    const r = await fetch(`${server.url}/ogcapi/collections/feedback/tiles/WebMercatorQuad/8/72/148`);
    await r.arrayBuffer();
    if (r.status === 200) break;
    await new Promise((ok) => { setTimeout(ok, 1000); });
  }
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

// Every data request the page makes, with what came back: items
// (FeatureCollections) and tiles (their bytes).
function recorder(page) {
  const log = [];
  page.on('response', async (res) => {
    const u = new URL(res.url());
    if (u.pathname === '/api/v1/feedback' || u.pathname.startsWith('/ogcapi/')) {
      const entry = { url: u, status: res.status(), bytes: 0, json: null };
      log.push(entry);
      try {
        const body = await res.body();
        entry.bytes = body.length;
        if (u.pathname === '/api/v1/feedback') entry.json = JSON.parse(body.toString('utf8'));
      } catch { /* a response the page dropped */ }
    }
  });
  return log;
}

const items = (log) => log.filter((e) => e.url.pathname === '/api/v1/feedback');
const tiles = (log) => log.filter((e) => e.url.pathname.startsWith('/ogcapi/collections/feedback/tiles/'));
const tileZoom = (e) => Number(e.url.pathname.split('/')[6]);

// Each items request is one view's: a bbox, a limit no larger than a view's,
// and an answer no larger than its limit.
function assertOneView(log, what) {
  for (const e of items(log)) {
    const q = e.url.searchParams;
    assert.ok(q.get('bbox'), `${what}: ${e.url.search} has a bbox`);
    const limit = Number(q.get('limit'));
    assert.ok(limit >= 1 && limit <= VIEW_LIMIT, `${what}: ${e.url.search} limit ${limit}`);
    assert.notEqual(q.get('limit'), '10000');
    if (e.json) assert.ok(e.json.features.length <= limit, `${what}: ${e.json.features.length} features`);
  }
}

async function settle(page, log, from) {
  // The load after a move waits 120 ms for the move to end; then its
  // requests. Quiet for 400 ms with an items answer in: settled.
  const t0 = Date.now();
  let n = -1;
  while (Date.now() - t0 < 15000) {
    await page.waitForTimeout(400);
    const got = log.length;
    if (got === n && items(log.slice(from)).some((e) => e.json)) break;
    n = got;
  }
  await page.waitForFunction(() => document.body.getAttribute('data-ready') === 'true');
}

async function clusterCounts(page) {
  return page.$$eval('.fb-cluster', (els) => els.map((e) => ({
    text: e.textContent, label: e.getAttribute('aria-label'), role: e.getAttribute('role'),
    tab: e.getAttribute('tabindex')
  })));
}

const num = (s) => Number(String(s).replace(/[\s\u00a0\u202f,]/g, ''));

async function drag(page, dx, dy) {
  const box = await page.locator('#map').boundingBox();
  const x = box.x + box.width / 2, y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
  await page.mouse.move(x + dx, y + dy, { steps: 4 });
  await page.mouse.up();
}

test(`opening and panning the map on ${N} items loads one view at a time, clusters with counts`, async () => {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  const log = recorder(page);
  try {
    await gotoReady(page, `${server.url}/?lang=en`);
    await settle(page, log, 0);
    assertOneView(log, 'open');
    assert.equal(items(log).length, 1, 'one items request on open');
    const open = items(log)[0];
    assert.ok(open.json.numberMatched > CLUSTERED_LIMIT, `the view holds many items (${open.json.numberMatched})`);
    assert.ok(open.json.features.length <= CLUSTERED_LIMIT, 'below street zoom only a list\'s worth');
    const t0 = tiles(log);
    assert.ok(t0.length >= 1 && t0.length <= MAX_TILES_PER_VIEW, `${t0.length} tiles on open`);

    // Clusters: buttons named by their counts, which add up to the view's items.
    const cs = await clusterCounts(page);
    assert.ok(cs.length > 3, `${cs.length} clusters`);
    assert.ok(cs.some((c) => num(c.text) > 1), 'clusters of more than one');
    let sum = 0;
    for (const c of cs) {
      assert.ok(num(c.text) >= 1, c.text);
      assert.equal(c.role, 'button');
      assert.ok(c.label.includes(c.text), `${c.label} names ${c.text}`);
      sum += num(c.text);
    }
    assert.equal(cs.filter((c) => c.tab === '0').length, 1, 'the clusters are one Tab stop');
    assert.equal(cs.filter((c) => c.tab === '-1').length, cs.length - 1);
    const matched = open.json.numberMatched;
    assert.ok(sum > matched * 0.8 && sum < matched * 1.25, `clusters ${sum} ≈ items in view ${matched}`);
    const list = await page.textContent('#list-count');
    assert.match(list, /zoom in to list them/);
    assert.equal(await page.locator('#feedback-list > li').count(), Math.min(25, open.json.features.length));

    // Three pans: each asks for one view's items and a view's tiles at most.
    for (const [dx, dy] of [[300, 0], [0, 250], [-500, -100]]) {
      const from = log.length;
      await drag(page, dx, dy);
      await settle(page, log, from);
      const step = log.slice(from);
      assertOneView(step, `pan ${dx},${dy}`);
      assert.ok(items(step).length >= 1 && items(step).length <= 2, `${items(step).length} items requests`);
      assert.ok(tiles(step).length <= MAX_TILES_PER_VIEW, `${tiles(step).length} tiles`);
      const feats = items(step).reduce((n, e) => n + (e.json ? e.json.features.length : 0), 0);
      assert.ok(feats <= 2 * CLUSTERED_LIMIT, `${feats} items received`);
    }
    assert.deepEqual(await axeViolations(page), [], 'clusters pass axe');
    assert.ok(!log.some((e) => /limit=10000/.test(e.url.search)), 'never the one-shot load');
    const total = log.reduce((n, e) => n + e.bytes, 0);
    assert.ok(total < 3e6, `${total} bytes for the open and three pans`);
  } finally {
    await page.context().close();
  }
});

test('a cluster by keyboard: Enter zooms in and the view loads; street zoom draws the view\'s items', async () => {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  const log = recorder(page);
  try {
    await gotoReady(page, `${server.url}/?lang=en`);
    await settle(page, log, 0);
    const z0 = tileZoom(tiles(log)[0]);
    // Tab reaches the clusters; the arrow keys move among them.
    await tabTo(page, '.fb-cluster[tabindex="0"]');
    const first = await page.evaluate(() => document.activeElement.getAttribute('aria-label'));
    await page.keyboard.press('ArrowRight');
    const second = await page.evaluate(() => ({
      cls: document.activeElement.className, tab: document.activeElement.getAttribute('tabindex'),
      label: document.activeElement.getAttribute('aria-label')
    }));
    assert.match(second.cls, /fb-cluster/);
    assert.equal(second.tab, '0', 'the focused cluster is the Tab stop');
    assert.equal(await page.locator('.fb-cluster[tabindex="0"]').count(), 1);
    assert.ok(first && second.label, 'both named');
    let from = log.length;
    await page.keyboard.press('Enter');
    await settle(page, log, from);
    assert.match(await page.textContent('#announcer'), /Zoomed in on [\d\s,\u00a0]+ pieces of feedback/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'map', 'focus on the map after the zoom');
    const z1 = Math.max(...tiles(log.slice(from)).map(tileZoom));
    assert.equal(z1, z0 + 2, 'two zooms in');

    // To street zoom with the zoom button: items drawn one by one, no tiles.
    let z = z1 + 2;
    while (z < 17) {
      from = log.length;
      await page.click('.leaflet-control-zoom-in');
      await settle(page, log, from);
      z += 1;
      if (tiles(log.slice(from)).length === 0 && items(log.slice(from)).some((e) => e.url.searchParams.get('limit') === String(VIEW_LIMIT))) break;
    }
    const last = items(log).at(-1);
    assert.equal(last.url.searchParams.get('limit'), String(VIEW_LIMIT));
    assert.equal(await page.locator('.fb-cluster').count(), 0, 'no clusters at street zoom');
    const drawn = await page.locator('.leaflet-overlay-pane path.leaflet-interactive').count();
    assert.ok(drawn >= 1 && drawn <= VIEW_LIMIT, `${drawn} items drawn`);
    assertOneView(log, 'zooming');
    // A drawn item opens its popup with "me too".
    await page.locator('.leaflet-overlay-pane path.leaflet-interactive').first().click({ force: true });
    await page.waitForSelector('.leaflet-popup .metoo-button, .leaflet-popup h3');
  } finally {
    await page.context().close();
  }
});

test('the filters reach the clusters: a category counts only its items', async () => {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  const log = recorder(page);
  try {
    await gotoReady(page, `${server.url}/?lang=en`);
    await settle(page, log, 0);
    const all = (await clusterCounts(page)).reduce((n, c) => n + num(c.text), 0);
    const cat = await page.$eval('#filter-category option:nth-child(2)', (o) => o.value);
    const from = log.length;
    await page.selectOption('#filter-category', cat);
    await settle(page, log, from);
    const step = log.slice(from);
    assert.ok(tiles(step).length >= 1 && tiles(step).every((e) => e.url.searchParams.get('category') === cat),
      'the tiles asked for with the category');
    const it = items(step).at(-1);
    assert.equal(it.url.searchParams.get('category'), cat);
    const some = (await clusterCounts(page)).reduce((n, c) => n + num(c.text), 0);
    assert.ok(some > 0 && some < all / 3, `a category's clusters ${some} of ${all}`);
    const m = it.json.numberMatched;
    assert.ok(some > m * 0.8 && some < m * 1.25, `clusters ${some} ≈ the category's items in view ${m}`);
    assert.ok(it.json.features.every((f) => f.properties.category === cat), 'the list holds the category only');
  } finally {
    await page.context().close();
  }
});
