// The place search box (web/lib/place-search.js) on the resident page, with
// the keyboard alone: type an address, hear how many were found, choose with
// the arrow keys and Enter, and the pin lands at the address with precision
// "address" and "near …" under it; Escape closes the list; axe finds nothing
// with the list open or closed. A district-only report is listed, not drawn.
import assert from 'node:assert/strict';
import {
  after, assertCleanInAllLanguages, axeViolations, before, findByDescription, formatViolations,
  getJSON, openApp, startBoth, stopBoth, tabTo, test, uniqueText, waitForSuccess
} from './helpers.mjs';

let server;
let browser;

before(async () => { ({ server, browser } = await startBoth()); });
after(() => stopBoth(server, browser));

const attr = (page, sel, name) => page.evaluate(([s, n]) => document.querySelector(s).getAttribute(n), [sel, name]);

test('search an address with the keyboard and report at it', async () => {
  const want = (await getJSON(server.url, '/api/v1/geocode?q=Koskenparras%203')).results[0];
  assert.equal(want.kind, 'address', 'the demo gazetteer has Koskenparras 3');
  const page = await openApp(browser, server.url, { lang: 'fi' });
  try {
    await tabTo(page, '#open-form');
    await page.keyboard.press('Enter');
    await tabTo(page, '#place-search-input');
    assert.equal(await attr(page, '#place-search-input', 'role'), 'combobox');
    await page.keyboard.type('Koskenparras 3');
    await page.waitForSelector('#place-search-list:not([hidden]) [role="option"]');
    assert.equal(await attr(page, '#place-search-input', 'aria-expanded'), 'true');
    await page.waitForFunction(() => /löytyi/.test(document.getElementById('place-search-live').textContent));
    const v = await axeViolations(page);
    assert.deepEqual(v, [], `axe with the list open:\n${formatViolations(v)}`);

    await page.keyboard.press('ArrowDown');
    const active = await attr(page, '#place-search-input', 'aria-activedescendant');
    assert.equal(active, 'place-search-opt-0', 'the first option is active');
    assert.equal(await attr(page, `#${active}`, 'aria-selected'), 'true');
    await page.keyboard.press('Enter');
    assert.equal(await attr(page, '#place-search-input', 'aria-expanded'), 'false');
    assert.equal(await page.inputValue('#place-search-input'), want.label);
    assert.equal(await page.evaluate(() => document.querySelector('input[name="mode"]:checked').value), 'point');
    assert.match(await page.textContent('#draw-status'), /Koskenparras 3/);
    await page.waitForFunction(() => /Koskenparras/.test(document.getElementById('pin-near').textContent));
    assert.match(await page.textContent('#pin-near'), /^lähellä osoitetta Koskenparras \d+/);
    assert.match(await page.textContent('#place-search-live'), /Valittu: Koskenparras 3/);

    // Enter in the box never sends the form.
    await page.keyboard.press('Enter');
    assert.equal(await page.textContent('#report-status'), '');

    await tabTo(page, '#category');
    await page.keyboard.press('ArrowDown');
    const description = uniqueText('Katuvalo ei pala osoitteessa');
    await tabTo(page, '#description');
    await page.keyboard.type(description);
    await tabTo(page, '#submit');
    await page.keyboard.press('Enter');
    await waitForSuccess(page);
    const f = await findByDescription(server.url, description);
    assert.equal(f.properties.location_precision, 'address');
    assert.deepEqual(f.geometry.coordinates, [want.lon, want.lat]);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('Escape closes the list, a second Escape empties the box; a moved pin is exact', async () => {
  const page = await openApp(browser, server.url, { lang: 'sv' });
  try {
    await tabTo(page, '#open-form');
    await page.keyboard.press('Enter');
    await tabTo(page, '#place-search-input');
    await page.keyboard.type('Tainionkosk');
    await page.waitForSelector('#place-search-list:not([hidden]) [role="option"]');
    await page.waitForFunction(() => /hittades/.test(document.getElementById('place-search-live').textContent));
    await page.keyboard.press('Escape');
    assert.equal(await attr(page, '#place-search-input', 'aria-expanded'), 'false');
    assert.equal(await page.inputValue('#place-search-input'), 'Tainionkosk');
    await page.keyboard.press('Escape');
    assert.equal(await page.inputValue('#place-search-input'), '');
    await page.keyboard.type('Zzyzx');
    await page.waitForFunction(() => /Ingen plats/.test(document.getElementById('place-search-live').textContent));
    await assertCleanInAllLanguages(page, 'place search');
  } finally {
    await page.closeAll();
  }
});

test('a district-only report is listed with its precision, never drawn as a pin', async () => {
  const d = (await getJSON(server.url, '/api/v1/districts')).features[0];
  const description = uniqueText('Jossain kaupunginosassa');
  const cat = (await getJSON(server.url, '/api/v1/categories')).categories[0].id;
  const r = await fetch(`${server.url}/api/v1/feedback`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: d.properties.label_point },
      properties: { category: cat, description, location_precision: 'district' } }) });
  assert.equal(r.status, 201);
  const id = (await findByDescription(server.url, description)).id;
  const page = await openApp(browser, server.url, { lang: 'fi' });
  try {
    await page.waitForSelector(`#fb-${id}`); // the newest, first in the list
    assert.match(await page.textContent(`#fb-${id} .fb-meta`), /vain kaupunginosan tarkkuudella/);
    assert.equal(await page.evaluate((i) => !!document.getElementById(`show-${i}`), id), false,
      'no "show on map" for a district-only item');
  } finally {
    await page.closeAll();
  }
});
