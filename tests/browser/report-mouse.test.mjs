// Reporting with the mouse: a point (click the map), a line and an area
// (click the vertices, then "Finish"), each found afterwards through
// GET /api/v1/feedback with the description and category given.
import assert from 'node:assert/strict';
import {
  after, before, findByDescription, getJSON, openApp, startBoth, stopBoth, test, uniqueText,
  waitForSuccess
} from './helpers.mjs';

let server;
let browser;
let config;

before(async () => {
  ({ server, browser } = await startBoth());
  config = await getJSON(server.url, '/api/v1/config');
});

after(() => stopBoth(server, browser));

/** Zoom in twice with the map's own buttons, so that clicks a few dozen
 * pixels from the centre stay well inside the municipality. */
async function zoomIn(page) {
  for (let i = 0; i < 2; i++) {
    await page.click('.leaflet-control-zoom-in');
    await page.waitForTimeout(350);
  }
}

async function clickMap(page, dx, dy) {
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy);
  await page.waitForTimeout(80);
}

async function fillAndSend(page, description) {
  const category = await page.$eval('#category option:nth-child(2)', (o) => o.value);
  await page.selectOption('#category', category);
  await page.fill('#description', description);
  await page.click('#submit');
  const status = await waitForSuccess(page);
  return { category, status };
}

function near(a, b, tol) {
  return Math.abs(a[0] - b[0]) < tol && Math.abs(a[1] - b[1]) < tol;
}

test('report a point by clicking the map', async () => {
  const page = await openApp(browser, server.url, { lang: 'fi' });
  try {
    await page.click('#open-form');
    await page.check('#mode-point');
    await zoomIn(page);
    await clickMap(page, 12, -8);
    assert.match(await page.textContent('#location-summary'), /Piste on merkitty/);
    const description = uniqueText('Hiirellä merkitty piste: katuvalo ei pala.');
    await page.fill('#place', 'Koskenparras 3');
    const { category, status } = await fillAndSend(page, description);
    const f = await findByDescription(server.url, description);
    assert.equal(f.properties.category, category);
    assert.equal(f.properties.place, 'Koskenparras 3');
    assert.equal(f.properties.status, 'received');
    assert.equal(f.geometry.type, 'Point');
    assert.ok(near(f.geometry.coordinates, config.center, 0.05), `point ${f.geometry.coordinates} near the centre`);
    assert.ok(status.includes(String(f.id)), 'success message names the new id');
    // The new feedback is in the list and on the map without a reload.
    assert.ok((await page.textContent('#feedback-list')).includes(description));
    await page.click('#show-new');
    await page.waitForSelector('.leaflet-popup');
    assert.ok((await page.textContent('.leaflet-popup')).includes(description));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('report a line by clicking vertices and Finish', async () => {
  const page = await openApp(browser, server.url, { lang: 'en' });
  try {
    await page.click('#open-form');
    await page.check('#mode-line');
    await zoomIn(page);
    await clickMap(page, -60, 20);
    await clickMap(page, 0, -10);
    await clickMap(page, 50, 15);
    await page.click('#draw-finish');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'step2-heading');
    assert.ok(await page.isHidden('#draw-toolbar'), 'drawing mode ended');
    const description = uniqueText('Line drawn with the mouse: potholes along the cycle path.');
    const { category } = await fillAndSend(page, description);
    const f = await findByDescription(server.url, description);
    assert.equal(f.properties.category, category);
    assert.equal(f.geometry.type, 'LineString');
    assert.equal(f.geometry.coordinates.length, 3);
    const [a, b, c] = f.geometry.coordinates;
    assert.ok(a[0] < b[0] && b[0] < c[0], 'vertices west to east, in click order');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('report an area by clicking corners and Finish (undo works too)', async () => {
  const page = await openApp(browser, server.url, { lang: 'sv' });
  try {
    await page.click('#open-form');
    await page.check('#mode-area');
    await zoomIn(page);
    await clickMap(page, -50, -40);
    await clickMap(page, 50, -40);
    await clickMap(page, 120, 120); // a mistake, undone below
    await page.click('#draw-undo');
    await clickMap(page, 50, 40);
    await clickMap(page, -50, 40);
    assert.match(await page.textContent('#location-summary'), /4 hörn/);
    await page.click('#draw-finish');
    const description = uniqueText('Område ritat med musen: parken behöver fler bänkar.');
    const { category } = await fillAndSend(page, description);
    const f = await findByDescription(server.url, description);
    assert.equal(f.properties.category, category);
    assert.equal(f.geometry.type, 'Polygon');
    const ring = f.geometry.coordinates[0];
    assert.equal(ring.length, 5, 'four corners and the closing position');
    assert.deepEqual(ring[0], ring[4]);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
