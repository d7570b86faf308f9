// Validation errors: the server's {"error":{"code","field","message"}} is
// shown next to the field it concerns (aria-invalid + aria-describedby),
// listed in the error summary, and focus moves to the summary. Two errors
// come from the real server; the field mapping of the others is checked by
// answering the POST with page.route.
import assert from 'node:assert/strict';
import {
  after, allFeedback, before, getJSON, openApp, startBoth, stopBoth, test, uniqueText,
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

async function fillWithoutMap(page, description) {
  await page.click('#open-form');
  await page.check('#mode-district');
  await page.selectOption('#district', { index: 1 });
  await page.fill('#place', 'Kaupungintalon edessä');
  await page.selectOption('#category', { index: 1 });
  await page.fill('#description', description);
}

/** The field shows the error: visible message, aria-invalid, described by it. */
async function assertFieldError(page, inputId, errorId, text) {
  await page.waitForSelector(`#${errorId}:not([hidden])`);
  const shown = await page.textContent(`#${errorId}`);
  if (text) assert.ok(shown.includes(text), `#${errorId} says ${JSON.stringify(shown)}, expected to include ${JSON.stringify(text)}`);
  if (inputId) {
    assert.equal(await page.getAttribute(`#${inputId}`, 'aria-invalid'), 'true', `#${inputId} aria-invalid`);
    const describedBy = (await page.getAttribute(`#${inputId}`, 'aria-describedby')) || '';
    assert.ok(describedBy.split(/\s+/).includes(errorId), `#${inputId} aria-describedby includes ${errorId}`);
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary', 'focus on the error summary');
  assert.ok((await page.textContent('#error-summary')).includes(text || ''), 'summary repeats the message');
  return shown;
}

test('the real server rejects an e-mail address: its message is shown at the e-mail field', async () => {
  const page = await openApp(browser, server.url, { lang: 'fi' });
  try {
    const description = uniqueText('Sähköpostivirheen testi');
    await fillWithoutMap(page, description);
    await page.fill('#email', 'maija(at)example');
    // Ask the server directly what it says about such an address.
    const direct = await fetch(server.url + '/api/v1/feedback', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: config.center },
        properties: { category: await page.inputValue('#category'), description: 'x', contact: { email: 'maija(at)example' } } }),
    });
    assert.equal(Math.floor(direct.status / 100), 4);
    const err = (await direct.json()).error;
    assert.equal(err.field, 'properties.contact.email');
    await page.click('#submit');
    await assertFieldError(page, 'email', 'email-error', err.message);
    assert.equal(await page.getAttribute('#description', 'aria-invalid'), null, 'other fields are not marked');
    assert.equal((await allFeedback(server.url)).filter((f) => f.properties.description === description).length, 0);
    // Fix the address and send again: the error goes away and it is stored.
    await page.fill('#email', 'maija@example.fi');
    await page.click('#submit');
    await waitForSuccess(page);
    assert.equal((await allFeedback(server.url)).filter((f) => f.properties.description === description).length, 1);
    assert.ok(await page.isHidden('#error-summary'));
  } finally {
    await page.closeAll();
  }
});

test('the real server rejects a too long place: shown at the place field', async () => {
  const page = await openApp(browser, server.url, { lang: 'en' });
  try {
    await fillWithoutMap(page, uniqueText('Place too long'));
    await page.fill('#place', 'Long place description. '.repeat(30));
    await page.click('#submit');
    await assertFieldError(page, 'place', 'place-error');
  } finally {
    await page.closeAll();
  }
});

test('the real server rejects a point outside the municipality: shown in the location part', async () => {
  const page = await openApp(browser, server.url, { lang: 'fi' });
  try {
    await page.click('#open-form');
    await page.check('#mode-point');
    for (let i = 0; i < 3; i++) {
      await page.click('.leaflet-control-zoom-out');
      await page.waitForTimeout(350);
    }
    // Tens of kilometres south-west of the centre: outside Imatra.
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + 25, box.y + box.height - 30);
    await page.selectOption('#category', { index: 1 });
    await page.fill('#description', uniqueText('Kaukana rajan takana'));
    await page.click('#submit');
    await assertFieldError(page, null, 'location-error');
    assert.equal(await page.getAttribute('#mode-point', 'aria-invalid'), 'true');
    assert.ok((await page.textContent('#location-error')).includes('Paikka on kaupungin rajojen ulkopuolella'),
      'the localised sentence for outside_area');
    assert.ok(await page.$('#location-error .server-message'), "the server's own words are shown too");
  } finally {
    await page.closeAll();
  }
});

test('client-side checks: required fields and a whitespace-only description', async () => {
  const page = await openApp(browser, server.url, { lang: 'fi' });
  try {
    await page.click('#open-form');
    await page.fill('#description', '   \n  ');
    await page.click('#submit');
    await assertFieldError(page, 'description', 'description-error', 'Kirjoita kuvaus');
    await assertFieldError(page, 'category', 'category-error', 'Valitse aihe');
    await assertFieldError(page, null, 'location-error', 'Valitse, miten kerrot paikan');
    assert.equal(await page.getAttribute('#mode-point', 'aria-invalid'), 'true');
    // The summary links move focus to the field.
    await page.click('#error-summary a[href="#description"]');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'description');
  } finally {
    await page.closeAll();
  }
});

const ROUTED = [
  { field: 'properties.description', code: 'invalid_value', message: 'The description must not be only whitespace.',
    input: 'description', error: 'description-error' },
  { field: 'properties.category', code: 'invalid_value', message: "Unknown category 'x'.", input: 'category', error: 'category-error' },
  { field: 'geometry', code: 'outside_area', message: 'The place is outside the municipality.', input: 'district', error: 'district-error', status: 422 },
  { field: '', code: 'unknown_field', message: 'A field is not accepted here.', input: null, error: null },
];

for (const r of ROUTED) {
  test(`a server error for field "${r.field}" is shown at the right place (page.route)`, async () => {
    const page = await openApp(browser, server.url, { lang: 'sv' });
    try {
      await page.route('**/api/v1/feedback', (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        return route.fulfill({ status: r.status || 400, contentType: 'application/json',
          body: JSON.stringify({ error: { code: r.code, field: r.field, message: r.message } }) });
      });
      await fillWithoutMap(page, 'Routed error test');
      await page.click('#submit');
      if (r.error) {
        await assertFieldError(page, r.input, r.error, r.message);
        const own = await page.textContent(`#${r.error}`);
        assert.ok(/Fel:/.test(own), 'error text starts with a (hidden) "Error:" in the page language');
        assert.equal(await page.getAttribute(`#${r.error} .server-message`, 'lang'), 'en', 'server words marked as English');
      } else {
        await page.waitForSelector('#error-summary:not([hidden])');
        assert.ok((await page.textContent('#error-summary')).includes(r.message));
        assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary');
        assert.equal(await page.$$eval('[aria-invalid="true"]', (n) => n.length), 0, 'no field marked');
      }
    } finally {
      await page.closeAll();
    }
  });
}

test('a geometry error while drawing on the map is shown in the location part', async () => {
  const page = await openApp(browser, server.url, { lang: 'en' });
  try {
    await page.route('**/api/v1/feedback', (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      return route.fulfill({ status: 422, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'invalid_geometry', field: 'geometry', message: 'Self-intersection at 28.7512 61.1734' } }) });
    });
    await page.click('#open-form');
    await page.check('#mode-point');
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.selectOption('#category', { index: 1 });
    await page.fill('#description', 'Geometry error test');
    await page.click('#submit');
    await assertFieldError(page, null, 'location-error', 'Self-intersection at 28.7512 61.1734');
    assert.equal(await page.getAttribute('#mode-point', 'aria-invalid'), 'true');
    const fsDesc = await page.getAttribute('#location-fieldset', 'aria-describedby');
    assert.ok(fsDesc.includes('location-error'));
  } finally {
    await page.closeAll();
  }
});
