// The survey results maps at scale (issue 15): with 20 000 responses per
// demo survey (RESULTS_MAP_ROWS) the planner's results page and the public
// results page draw each map question's hexagon grid from the results
// document they already hold — no second copy of the grid (hex.geojson),
// no drawn features of the answers (the public document is asked for
// without them, features=false, though both map questions are public and
// unsnapped) — and panning asks for nothing. The grid is bounded by the
// area, not by the answers; the maps pass axe.
import assert from 'node:assert/strict';
import path from 'node:path';
import { call, login, startServer, tempDir, vaikutaCli } from '../lib/server.mjs';
import { after, axeViolations, before, gotoReady, launchBrowser, newPage, test } from './helpers.mjs';
import { PLANNER } from './survey-helpers.mjs';

const N = Number(process.env.RESULTS_MAP_ROWS || 20000);
const SLUG = 'turvallinen-koulutie'; // a point and a line question
const PANS = 4;

let server;
let browser;
let auth;

before(async () => {
  const dir = tempDir('vaikuta-rsmap-');
  const db = path.join(dir, 'many.sqlite');
  // Made before the server starts: generating the answers takes longer
  // than startServer waits for /healthz.
  vaikutaCli(['init', '--db', db, '--demo', '--demo-responses', String(N)]);
  server = await startServer({ dir, db, demo: false, users: [PLANNER] });
  const s = await login(server, PLANNER.name, PLANNER.password);
  assert.equal(s.status, 200, s.text);
  auth = { cookie: s.cookie, csrf: s.csrf };
  // Both map questions public, drawn features unsnapped: the public results
  // document with its features holds every drawing (tens of thousands).
  let r = await call(server, 'PUT', `/api/v1/staff/surveys/${SLUG}/public`, { ...auth, body: { questions: ['unsafe_spots', 'route'] } });
  assert.equal(r.status, 200, r.text);
  r = await call(server, 'PUT', `/api/v1/staff/surveys/${SLUG}/publication`, { ...auth, body: { results: true, k: 5, snap: false } });
  assert.equal(r.status, 200, r.text);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

// Every data request of the page (not its scripts, styles or strings),
// with its size.
function recorder(page) {
  const log = [];
  page.on('response', async (res) => {
    const u = new URL(res.url());
    if (!u.pathname.startsWith('/api/') && !u.pathname.startsWith('/ogcapi/')) return;
    const e = { path: u.pathname, search: u.search, bytes: 0 };
    log.push(e);
    try { e.bytes = (await res.body()).length; } catch { /* dropped by the page */ }
  });
  return log;
}

// The map's pane moves when the map pans.
const paneAt = (page, map) => page.$eval(`${map} .leaflet-map-pane`, (e) => e.style.transform);

// Pans every map by keyboard (Leaflet's arrow keys on the focused map) and
// returns the data requests made meanwhile.
async function panAll(page, log, maps) {
  const from = log.length;
  for (const m of maps) {
    for (let i = 0; i < PANS; i++) {
      const was = await paneAt(page, m);
      await page.focus(m);
      await page.keyboard.press(['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp'][i % 4]);
      await page.waitForFunction(([sel, w]) => document.querySelector(`${sel} .leaflet-map-pane`).style.transform !== w, [m, was]);
    }
  }
  await page.waitForTimeout(500);
  return log.slice(from);
}

async function drawnHexagons(page, map) {
  return page.locator(`${map} path.leaflet-interactive`).count();
}

function assertNoRawFeatures(log, what) {
  for (const e of log) {
    assert.ok(!/hex\.geojson$|\.geojson$|\/items$/.test(e.path), `${what}: ${e.path} fetched`);
  }
}

test(`staff results on ${N} responses: the maps are drawn from the results document, panning loads nothing`, async () => {
  const api = await call(server, 'GET', `/api/v1/staff/surveys/${SLUG}/results`, auth);
  assert.equal(api.status, 200, api.text);
  assert.ok(api.json.n >= N, `${api.json.n} respondents`);
  const mapQs = api.json.questions.filter((q) => q.hex && q.hex.cells.length);
  assert.ok(mapQs.length >= 2, 'a point and a line question with grids');
  const page = await newPage(browser);
  const [name, ...value] = auth.cookie.split('='); // the planner's session
  await page.context().addCookies([{ name, value: value.join('='), url: server.url }]);
  const log = recorder(page);
  try {
    await gotoReady(page, `${server.url}/staff-survey-results.html?slug=${SLUG}&lang=en`);
    for (const q of mapQs) {
      await page.waitForFunction((sel) => document.querySelectorAll(`${sel} path.leaflet-interactive`).length > 0, `#map-${q.key}`);
      // Every cell of the document is on its map, each with its lon/lat centre.
      assert.ok(q.hex.cells.every((c) => Array.isArray(c.center)), 'cells have centres');
      assert.equal(await drawnHexagons(page, `#map-${q.key}`), q.hex.cells.length, `${q.key}: every cell drawn`);
    }
    await page.waitForTimeout(500);
    const results = log.filter((e) => e.path.endsWith(`/surveys/${SLUG}/results`));
    const open = log.reduce((n, e) => n + e.bytes, 0);
    console.log(`# staff results, ${N} responses: opening ${log.length} data requests, ${open} bytes ` +
      `(results ${results.map((e) => e.bytes)}, grids ${log.filter((e) => /geojson$/.test(e.path)).map((e) => e.bytes)})`);
    assertNoRawFeatures(log, 'open');
    assert.equal(results.length, 1, 'one results document');

    const panned = await panAll(page, log, mapQs.map((q) => `#map-${q.key}`));
    assert.deepEqual(panned.map((e) => e.path), [], 'panning asks for nothing');
    assert.deepEqual(await axeViolations(page), [], 'axe');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test(`public results on ${N} responses: the maps are drawn from the results document, panning loads nothing`, async () => {
  const api = await call(server, 'GET', `/api/v1/surveys/${SLUG}/results`);
  assert.equal(api.status, 200, api.text);
  const mapQs = api.json.questions.filter((q) => q.hexagons && q.hexagons.cells.length);
  assert.ok(mapQs.length >= 2, 'public grids');
  const drawn = mapQs.reduce((n, q) => n + q.features.features.length, 0);
  assert.ok(drawn > N / 2, `${drawn} drawn features in the whole document`);
  const page = await newPage(browser);
  const log = recorder(page);
  try {
    await gotoReady(page, `${server.url}/s/${SLUG}/results?lang=en`);
    for (const q of mapQs) {
      await page.waitForFunction((sel) => document.querySelectorAll(`${sel} path.leaflet-interactive`).length > 0, `#map-${q.key}`);
      assert.equal(await drawnHexagons(page, `#map-${q.key}`), q.hexagons.cells.length, `${q.key}: every cell drawn`);
    }
    await page.waitForTimeout(500);
    assertNoRawFeatures(log, 'open');
    const open = log.reduce((n, e) => n + e.bytes, 0);
    console.log(`# public results, ${N} responses: opening ${log.length} data requests, ${open} bytes ` +
      `(the document with its ${drawn} drawn features: ${api.text.length})`);
    const docs = log.filter((e) => e.path === `/api/v1/surveys/${SLUG}/results`);
    assert.equal(docs.length, 1, 'one results document');
    assert.equal(new URLSearchParams(docs[0].search).get('features'), 'false', 'asked without the drawings');
    assert.ok(docs[0].bytes * 10 < api.text.length, `${docs[0].bytes} bytes, not ${api.text.length}`);
    const panned = await panAll(page, log, mapQs.map((q) => `#map-${q.key}`));
    assert.deepEqual(panned.map((e) => e.path), [], 'panning asks for nothing');
    assert.deepEqual(await axeViolations(page), [], 'axe');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
