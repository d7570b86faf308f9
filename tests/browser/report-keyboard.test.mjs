// Reporting with the keyboard only (Tab, arrow keys, Enter, Space, typing;
// no mouse calls at all): a point and an area through the crosshair at the
// map centre, and one feedback "without the map" (district + the place in
// words). Each is found afterwards through the API.
import assert from 'node:assert/strict';
import {
  after, before, findByDescription, getJSON, openApp, startBoth, stopBoth, tabTo, test, uniqueText,
  waitForSuccess
} from './helpers.mjs';

let server;
let browser;
let districts;

before(async () => {
  ({ server, browser } = await startBoth());
  districts = (await getJSON(server.url, '/api/v1/districts')).features;
});

after(() => stopBoth(server, browser));

const focusedId = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);
const press = async (page, key, times = 1) => {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
};
// Leaflet animates keyboard panning and zooming; let it settle before the
// crosshair position is read.
const settle = (page) => page.waitForTimeout(450);

async function openFormByKeyboard(page) {
  await tabTo(page, '#open-form');
  await page.keyboard.press('Enter');
  assert.equal(await focusedId(page), 'form-heading', 'focus moves to the form');
}

/** Tab to the category select, choose the first category with the arrow
 * keys, Tab to the description and type it. Returns the chosen category. */
async function writeFeedback(page, description) {
  await tabTo(page, '#category');
  await page.keyboard.press('ArrowDown');
  const category = await page.evaluate(() => document.getElementById('category').value);
  assert.ok(category, 'a category was chosen with the keyboard');
  await tabTo(page, '#description');
  await page.keyboard.type(description);
  return category;
}

async function send(page) {
  await tabTo(page, '#submit');
  await page.keyboard.press('Enter');
  const status = await waitForSuccess(page);
  assert.equal(await focusedId(page), 'show-new', 'focus lands next to the success message');
  return status;
}

test('report a point with the keyboard: crosshair, arrow keys, Enter, Finish', async () => {
  const page = await openApp(browser, server.url, { lang: 'fi' });
  try {
    await openFormByKeyboard(page);
    await tabTo(page, 'input[name="mode"]');
    await page.keyboard.press('Space'); // first radio: point on the map
    assert.equal(await page.evaluate(() => document.querySelector('input[name="mode"]:checked').value), 'point');
    await tabTo(page, '#go-to-map');
    await page.keyboard.press('Enter');
    assert.equal(await focusedId(page), 'map', 'the map has focus');
    assert.ok(await page.isVisible('#crosshair'), 'crosshair visible');
    await press(page, '+', 2);
    await settle(page);
    await press(page, 'ArrowRight', 2);
    await press(page, 'ArrowUp', 1);
    await settle(page);
    await page.keyboard.press('Enter'); // adds the point at the crosshair
    assert.match(await page.textContent('#draw-status'), /Piste merkitty/);
    await tabTo(page, '#draw-finish');
    await page.keyboard.press('Enter');
    assert.equal(await focusedId(page), 'step2-heading');
    const description = uniqueText('Näppäimistöllä merkitty piste: reunakivi on liian korkea.');
    const category = await writeFeedback(page, description);
    await send(page);
    const f = await findByDescription(server.url, description);
    assert.equal(f.properties.category, category);
    assert.equal(f.geometry.type, 'Point');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('report an area with the keyboard, using both Enter on the map and the "Add point at the crosshair" button', async () => {
  const page = await openApp(browser, server.url, { lang: 'en' });
  try {
    await openFormByKeyboard(page);
    await tabTo(page, 'input[name="mode"]');
    await press(page, 'ArrowDown', 2); // point → line → area
    assert.equal(await page.evaluate(() => document.querySelector('input[name="mode"]:checked').value), 'area');
    await tabTo(page, '#go-to-map');
    await page.keyboard.press('Enter');
    assert.equal(await focusedId(page), 'map');
    await press(page, '+', 2);
    await settle(page);
    await page.keyboard.press('Enter'); // corner 1
    await press(page, 'ArrowRight', 2);
    await settle(page);
    await page.keyboard.press('Enter'); // corner 2
    await press(page, 'ArrowDown', 2);
    await settle(page);
    // corner 3 with the button after the map, then back to the map
    await tabTo(page, '#draw-add');
    await page.keyboard.press('Enter');
    assert.match(await page.textContent('#draw-status'), /Points marked: 3/);
    await tabTo(page, '#map', { shift: true });
    await press(page, 'ArrowLeft', 2);
    await settle(page);
    await page.keyboard.press('Enter'); // corner 4
    await tabTo(page, '#draw-finish');
    await page.keyboard.press('Enter');
    assert.equal(await focusedId(page), 'step2-heading');
    const description = uniqueText('Area marked with the keyboard: the square needs benches.');
    const category = await writeFeedback(page, description);
    await send(page);
    const f = await findByDescription(server.url, description);
    assert.equal(f.properties.category, category);
    assert.equal(f.geometry.type, 'Polygon');
    assert.equal(f.geometry.coordinates[0].length, 5);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('report without the map: district and the place in words, keyboard only', async () => {
  const page = await openApp(browser, server.url, { lang: 'sv' });
  try {
    await openFormByKeyboard(page);
    await tabTo(page, 'input[name="mode"]');
    await press(page, 'ArrowDown', 3); // … → without the map
    assert.equal(await page.evaluate(() => document.querySelector('input[name="mode"]:checked').value), 'district');
    await tabTo(page, '#district');
    await page.keyboard.press('ArrowDown');
    const code = await page.evaluate(() => document.getElementById('district').value);
    assert.ok(code, 'a district was chosen');
    await tabTo(page, '#place');
    await page.keyboard.type('Vid biblioteket, huvudingången');
    const description = uniqueText('Utan karta: rampen vid ingången är för brant.');
    const category = await writeFeedback(page, description);
    await send(page);
    const f = await findByDescription(server.url, description);
    assert.equal(f.properties.category, category);
    assert.equal(f.properties.place, 'Vid biblioteket, huvudingången');
    const d = districts.find((x) => x.properties.code === code);
    assert.equal(f.geometry.type, 'Point');
    assert.ok(Math.abs(f.geometry.coordinates[0] - d.properties.label_point[0]) < 1e-6 &&
      Math.abs(f.geometry.coordinates[1] - d.properties.label_point[1]) < 1e-6,
    'the geometry is the district label point');
    assert.equal(f.properties.location_precision, 'district', 'and it says it is only the district');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
