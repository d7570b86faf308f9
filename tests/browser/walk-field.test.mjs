// The walk page on the street (issue 14, docs/walks.md "Field mode"):
// joining with the code (clear errors), the list of walks, recording a
// finding by keyboard alone with the GPS and the map's crosshair, the
// measurements checked live against the thresholds of the place's level
// (the same verdicts the server stores), the page without the map, and
// axe-core in fi, sv and en on every state, 360 px wide and with text at
// 200 %.
import assert from 'node:assert/strict';
import { after, before, gotoReady, newPage, startBoth, stopBoth, tabTo, test, uniqueText } from './helpers.mjs';
import { assertNoOverflow, checkState } from './survey-helpers.mjs';
import { PHOTO, STAFF, findingsOf, phone, recordFinding, waitForWaiting, waiting, walkCode } from './walk-field-helpers.mjs';

let server;
let browser;
const WALK = 1; // Vuoksenniska, inside the special-level area of the same name
const IN_SPECIAL = { latitude: 61.2209, longitude: 28.8101 };

before(async () => {
  ({ server, browser } = await startBoth({ users: [STAFF], demoResponses: 5 }));
});
after(() => stopBoth(server, browser));

async function state(page, what) {
  await assertNoOverflow(page, what);
  await checkState(page, what);
}

// Text enlarged to 200 % (the root font size: every rem and em grows).
async function assertNoOverflowAt200(page, what) {
  await page.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
  await assertNoOverflow(page, `${what} at 200 %`);
  await page.evaluate(() => { document.documentElement.style.fontSize = ''; });
}

test('joining: the list of walks, clear errors for a wrong code, and a reload stays joined', async () => {
  const code = await walkCode(server, WALK);
  const page = await newPage(browser, phone);
  try {
    await gotoReady(page, `${server.url}/w/`);
    assert.equal(await page.isVisible('#join-view'), true);
    assert.equal(await page.locator('#walk-list a[href="/w/1"]').count(), 1);
    assert.equal(await page.locator('#walk-list a[href="/w/2"]').count(), 1);
    await state(page, 'join view');
    await assertNoOverflowAt200(page, 'join view');

    // Not the shape of a code: said before asking the server.
    await page.fill('#join-code', 'abc');
    await page.click('#join-submit');
    assert.match(await page.textContent('#join-code-error'), /8 merkkiä/);
    assert.equal(await page.getAttribute('#join-code', 'aria-invalid'), 'true');
    // The right shape but no walk's code: the server's 403 in plain words.
    await page.fill('#join-code', 'zzzz-zzzz');
    await page.click('#join-submit');
    await page.waitForFunction(() => /Koodi ei kelpaa/.test(document.getElementById('join-code-error').textContent));
    await state(page, 'join view with an error');
    await page.click('.lang-button[data-lang="sv"]');
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    await page.fill('#join-code', 'zzzzzzzz');
    await page.click('#join-submit');
    await page.waitForFunction(() => /Koden gäller inte/.test(document.getElementById('join-code-error').textContent));
    await page.click('.lang-button[data-lang="fi"]');

    // Typed as a person would: lower case with a hyphen.
    await page.fill('#join-code', `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`);
    await page.click('#join-submit');
    await page.waitForSelector('#walk-view:not([hidden])');
    assert.equal(new URL(page.url()).pathname, '/w/1');
    assert.equal(await page.textContent('#w-title'), 'Vuoksenniskan esteettömyyskävely');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.isVisible('#walk-view'), true, 'a reload stays joined');
    assert.match(await page.textContent('#w-joined'), new RegExp(code));

    // Another walk, not joined: asks for its code.
    await gotoReady(page, `${server.url}/w/2`);
    assert.equal(await page.isVisible('#join-view'), true);
    assert.match(await page.textContent('#join-for'), /Imatrankosken/);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a finding recorded by keyboard alone; a measurement over the threshold warns, by the place\'s level', async () => {
  const code = await walkCode(server, WALK);
  const text = uniqueText('keyboard');
  const page = await newPage(browser);
  const context = page.context();
  await context.grantPermissions(['geolocation'], { origin: server.url });
  await context.setGeolocation({ ...IN_SPECIAL, accuracy: 8 });
  try {
    await gotoReady(page, `${server.url}/w/${code}`);
    await page.waitForSelector('#walk-view:not([hidden])');
    await state(page, 'walk page');

    await tabTo(page, '#w-record');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#w-finding:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'w-finding-heading');

    // Sent empty: every missing answer is named in the summary.
    await tabTo(page, '#f-submit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#f-summary:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-summary');
    assert.equal(await page.locator('#f-summary-list li').count(), 3);
    await state(page, 'the form with its errors');
    await tabTo(page, '#f-type-search');

    // The type: narrowed by a search word, then chosen in the grouped select.
    await page.keyboard.type('luisk');
    await page.waitForFunction(() => document.getElementById('f-type-search-status').textContent !== '');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 10 && (await page.inputValue('#f-type')) !== 'ramp'; i++) await page.keyboard.press('ArrowDown');
    assert.equal(await page.inputValue('#f-type'), 'ramp');
    assert.ok(await page.locator('#f-type optgroup').count() >= 1);

    await tabTo(page, '#f-grade-vaara');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.isChecked('#f-grade-este'), true);
    await tabTo(page, '#f-group-wheelchair');
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked('#f-group-wheelchair'), true);

    // 7 % without the rise is judged the strict way (5 %): a warning.
    await tabTo(page, '#f-m-slope_along_pct');
    await page.keyboard.type('7');
    await page.waitForSelector('#f-m-slope_along_pct-verdict.is-breached');
    assert.match(await page.textContent('#f-m-slope_along_pct-verdict'), /⚠ Mittaus ei täytä raja-arvoa/);
    assert.match(await page.textContent('#f-m-slope_along_pct-verdict'), /enintään 5 %/);
    assert.match(await page.textContent('#f-m-slope_along_pct-verdict'), /Lähde: /);
    // A rise of 800 mm allows 8 %: the warning goes.
    await tabTo(page, '#f-m-rise_mm');
    await page.keyboard.type('800');
    await page.waitForSelector('#f-m-slope_along_pct-verdict.is-ok');
    // 1 000 mm wide is enough at the basic level (no place yet) …
    await tabTo(page, '#f-m-clear_width_mm');
    await page.keyboard.type('1000');
    await page.waitForSelector('#f-m-clear_width_mm-verdict.is-ok');
    assert.match(await page.textContent('#f-m-clear_width_mm-verdict'), /perustaso/);
    // Not a number: said beside the field.
    await tabTo(page, '#f-m-slope_across_pct');
    await page.keyboard.type('abc');
    assert.equal(await page.isVisible('#f-m-slope_across_pct-error'), true);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    assert.equal(await page.isVisible('#f-m-slope_across_pct-error'), false);

    await tabTo(page, '#f-description');
    await page.keyboard.type(text);

    // The place from the GPS, inside Vuoksenniska's special-level area:
    // the same 1 000 mm now breaches the special level's 1 200 mm.
    await tabTo(page, '#f-place-gps');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Vuoksenniska/.test(document.getElementById('f-place-summary').textContent));
    await page.waitForSelector('#f-m-clear_width_mm-verdict.is-breached');
    assert.match(await page.textContent('#f-m-clear_width_mm-verdict'), /erikoistaso/);
    assert.match(await page.textContent('#f-place-gps-status'), /tarkkuus noin 8 m/);
    await state(page, 'the form with a warning');

    // Corrected on the map by keyboard: pan under the crosshair, Enter.
    const before = await page.inputValue('#f-place-coords');
    await tabTo(page, '#f-place-leaflet');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(150);
    await page.keyboard.press('Enter');
    const moved = await page.inputValue('#f-place-coords');
    assert.notEqual(moved, before);
    assert.ok(Number(moved.split(',')[1]) > IN_SPECIAL.longitude, 'the map panned east');

    await tabTo(page, '#f-submit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#w-status:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'w-status');
    await waitForWaiting(page, 0, 0, 1);

    // The server judged it as the page did.
    const [f] = await findingsOf(server, WALK, text);
    assert.ok(f, 'the finding reached the server');
    const p = f.properties;
    assert.equal(p.type, 'ramp');
    assert.equal(p.grade, 'este');
    assert.deepEqual(p.groups, ['wheelchair']);
    assert.deepEqual(p.measurements, { slope_along_pct: 7, rise_mm: 800, clear_width_mm: 1000 });
    assert.equal(p.level, 'erikoistaso');
    assert.equal(p.special_area, 'vuoksenniska');
    assert.equal(p.verdicts.clear_width_mm.verdict, 'este');
    assert.equal(p.verdicts.slope_along_pct.verdict, 'ok');
    const [lon, lat] = f.geometry.coordinates;
    assert.ok(Math.abs(lat - IN_SPECIAL.latitude) < 0.001 && lon > IN_SPECIAL.longitude);
    assert.match(await page.textContent('#w-sent-summary'), /Lähetetty: 1 havainto/);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('without the map: the place from a point along the route; phone width, 200 % text, axe', async () => {
  const code = await walkCode(server, WALK);
  const text = uniqueText('nomap');
  const page = await newPage(browser, phone);
  try {
    await gotoReady(page, `${server.url}/w/${code}`);
    await page.waitForSelector('#walk-view:not([hidden])');
    await page.check('#w-nomap');
    assert.equal(await page.isVisible('#w-map-section'), false);
    await page.click('#w-record');
    await page.waitForSelector('#w-finding:not([hidden])');
    assert.equal(await page.locator('#f-place-leaflet').count(), 0, 'no map in the form');
    await page.selectOption('#f-type', 'kerb');
    await page.fill('#f-m-kerb_height_mm', '60');
    await page.waitForSelector('#f-m-kerb_height_mm-verdict.is-breached');
    await page.check('#f-grade-haitta');
    await page.fill('#f-description', text);
    await page.selectOption('#f-place-along', { index: 3 }); // 100 m from the start
    assert.match(await page.textContent('#f-place-summary'), /Valittu paikka: 61\.2/);
    await assertNoOverflow(page, 'the form without the map');
    await assertNoOverflowAt200(page, 'the form without the map');
    await state(page, 'the form without the map');
    await page.click('#f-submit');
    await waitForWaiting(page, 0, 0, 1);
    const [f] = await findingsOf(server, WALK, text);
    assert.ok(f, 'the finding reached the server');
    assert.equal(f.properties.verdicts.kerb_height_mm.verdict, 'este');
    assert.equal(f.geometry.type, 'Point');
    await page.uncheck('#w-nomap');
    await assertNoOverflowAt200(page, 'the walk page');
    await state(page, 'the walk page after sending');

    // A photo that is not an image is refused in the form.
    await recordFinding(page, { description: uniqueText('plain'), coords: '61.2214, 28.8135' });
    await waitForWaiting(page, 0, 0, 2);
    assert.equal(await waiting(page), 0);
    await page.click('#w-record');
    await page.waitForSelector('#f-place-leaflet');
    await assertNoOverflowAt200(page, 'the form with the map');
    await page.setInputFiles('#f-photos', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    assert.match(await page.textContent('#f-photos-error'), /notes\.txt ei ole kuva/);
    assert.equal(await page.locator('#f-photo-list li').count(), 0);
    // A photo is listed with a small preview drawn in the page.
    await page.setInputFiles('#f-photos', PHOTO);
    await page.waitForSelector('#f-photo-list img.w-thumb:not([hidden])');
    assert.match(await page.getAttribute('#f-photo-list img', 'src'), /^data:image\/jpeg/);
    assert.match(await page.getAttribute('#f-photo-list img', 'alt'), /gps-rotated\.jpg/);
    await page.click('#f-photo-0-remove');
    assert.equal(await page.locator('#f-photo-list li').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-photos');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
