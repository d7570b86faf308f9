// The planner's page of GIS layers (issue 18): a planner reaches it from the
// staff navigation by keyboard, finds every collection with its QGIS and
// GDAL URLs in the chosen CRS, the URLs work, a copy button announces what
// it copied; axe finds no WCAG 2.1 AA violations in fi, sv and en. Without
// a session the page says "sign in first".
import assert from 'node:assert/strict';
import {
  after, assertCleanInAllLanguages, before, getJSON, gotoReady, newPage, signInWithKeyboard,
  startBoth, stopBoth, tabTo, test
} from './helpers.mjs';

const PW = 'correct horse battery staple';
const USERS = [{ name: 'planner1', role: 'planner', password: PW }];

let srv;
let browser;

before(async () => {
  ({ server: srv, browser } = await startBoth({ users: USERS }));
});
after(() => stopBoth(srv, browser));

test('without a session the layers page says "sign in first", and is clean', async () => {
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${srv.url}/staff-layers.html`);
    await page.waitForSelector('#signed-out:not([hidden])');
    assert.ok(await page.isHidden('#layers'));
    await assertCleanInAllLanguages(page, 'layers signed out');
  } finally {
    await page.closeAll();
  }
});

test('a planner opens the layers by keyboard, switches the CRS and copies a URL', async () => {
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'planner1', PW);
    // The nav sits above the inbox (its rows' checkboxes and links): back up to it.
    await tabTo(page, 'a[href="/staff-layers.html"]', { shift: true, max: 200 });
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-layers.html');
    await page.waitForSelector('section[data-collection="feedback"] input');

    const ids = (await getJSON(srv.url, '/ogcapi/collections')).collections.map((c) => c.id);
    const shown = await page.$$eval('section[data-collection]', (ss) => ss.map((s) => s.dataset.collection));
    // Every public collection; a planner also sees the surveys' own.
    for (const id of ids) assert.ok(shown.includes(id), `${id} is listed`);
    assert.ok(shown.some((id) => id.startsWith('survey-')), 'the surveys\' map layers too');

    const values = (sel) => page.$$eval(`section[data-collection="feedback"] ${sel}`, (is) => is.map((i) => i.value));
    let urls = await values('input');
    assert.ok(urls.includes(`${srv.url}/ogcapi`));
    assert.ok(urls.includes(`${srv.url}/api/v1/export/feedback.gpkg?crs=EPSG:3067`), urls.join('\n'));
    assert.ok(urls.includes(`${srv.url}/api/v1/export/feedback.geojson?crs=EPSG:3067`));
    // A collection without exports has the service's URLs only.
    assert.equal(await page.$$eval('section[data-collection="walks"] input[data-kind="layersGpkg"]', (x) => x.length), 0);

    // The CRS by keyboard: every URL follows, and says so.
    await tabTo(page, '#crs');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => /3879/.test(document.getElementById('live').textContent));
    urls = await values('input');
    const gpkg = urls.find((u) => u.includes('feedback.gpkg'));
    assert.equal(gpkg, `${srv.url}/api/v1/export/feedback.gpkg?crs=EPSG:3879`);
    assert.ok(urls.some((u) => u.startsWith('ogr2ogr') && u.includes('EPSG:3879')));

    // The URLs on the page work.
    const res = await fetch(gpkg);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/geopackage+sqlite3');
    const gj = await (await fetch(urls.find((u) => u.includes('feedback.geojson')))).json();
    assert.equal(gj.crs.properties.name, 'urn:ogc:def:crs:EPSG::3879');

    // Copy by keyboard: announced in the live region.
    await tabTo(page, 'section[data-collection="feedback"] button[data-copy]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Kopio/.test(document.getElementById('live').textContent));
    await assertCleanInAllLanguages(page, 'layers');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
