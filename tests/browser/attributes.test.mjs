// A category's own questions in the report form: they appear as labelled
// fields when the category asks them (lighting: the lamp post's number,
// "is the whole street dark?"; winter: snow or ice, required), are sent as
// properties.attributes, refuse a missing required answer at the field,
// follow a language switch without losing what was typed, and axe finds
// nothing in fi, sv and en.
import assert from 'node:assert/strict';
import {
  after, axeViolations, before, findByDescription, formatViolations, getJSON, openApp, startBoth,
  stopBoth, tabTo, test, uniqueText, waitForSuccess
} from './helpers.mjs';

let server;
let browser;
let categories;

before(async () => {
  ({ server, browser } = await startBoth());
  categories = (await getJSON(server.url, '/api/v1/categories')).categories;
});

after(() => stopBoth(server, browser));

const defs = (id) => categories.find((c) => c.id === id).attributes;

async function placePoint(page) {
  await page.click('#open-form');
  await page.check('#mode-point');
  for (let i = 0; i < 2; i++) {
    await page.click('.leaflet-control-zoom-in');
    await page.waitForTimeout(350);
  }
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2 + 10, box.y + box.height / 2 - 6);
  await page.waitForTimeout(80);
}

// The label text a screen reader gets for a control.
const labelOf = (page, sel) => page.$eval(sel, (e) => [...e.labels].map((l) => l.textContent).join(' '));

for (const lang of ['fi', 'sv', 'en']) {
  test(`${lang}: lighting's questions appear as labelled fields; parks asks none; axe is clean`, async () => {
    const page = await openApp(browser, server.url, { lang });
    try {
      await page.click('#open-form');
      assert.equal(await page.isVisible('#attributes'), false, 'no questions before a category');
      await page.selectOption('#category', 'lighting');
      await page.waitForSelector('#attributes:not([hidden])');
      const [post, dark] = defs('lighting');
      assert.match(await labelOf(page, '#attr-pole_number'), new RegExp(post.description[lang].replace(/[()?]/g, '.')));
      assert.equal(await page.$eval('#attr-pole_number', (e) => e.type), 'text');
      assert.match(await labelOf(page, '#attr-whole_street_dark'), new RegExp(dark.description[lang].replace(/\?/g, '.')));
      const options = await page.$$eval('#attr-whole_street_dark option', (os) => os.map((o) => [o.value, o.textContent]));
      assert.deepEqual(options.slice(1), dark.values.map((v) => [v.key, v.name[lang]]));
      assert.equal(options[0][0], '', 'an empty first choice: the question is optional');
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, formatViolations(violations));

      await page.selectOption('#category', 'winter');
      assert.match(await labelOf(page, '#attr-condition'), /\(/, 'required or optional is said');
      assert.equal(await page.$eval('#attr-condition', (e) => e.getAttribute('aria-required')), 'true');
      await page.selectOption('#category', 'parks');
      assert.equal(await page.isVisible('#attributes'), false, 'parks asks nothing');
      assert.equal(await page.$('#attr-condition'), null);
      assert.deepEqual(page.errors, []);
    } finally {
      await page.closeAll();
    }
  });
}

test('answers are sent as properties.attributes and kept across a language switch', async () => {
  const page = await openApp(browser, server.url, { lang: 'fi' });
  try {
    await placePoint(page);
    await page.selectOption('#category', 'lighting');
    await page.fill('#attr-pole_number', 'IM-4711');
    await page.selectOption('#attr-whole_street_dark', 'yes');
    await page.click('.lang-button[data-lang="en"]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(await page.inputValue('#attr-pole_number'), 'IM-4711', 'typed text survives');
    assert.equal(await page.inputValue('#attr-whole_street_dark'), 'yes');
    assert.match(await labelOf(page, '#attr-pole_number'), /lamp post/);
    const description = uniqueText('Koko katu on pimeänä.');
    await page.fill('#description', description);
    await page.click('#submit');
    await waitForSuccess(page);
    const f = await findByDescription(server.url, description);
    assert.deepEqual(f.properties.attributes, { pole_number: 'IM-4711', whole_street_dark: 'yes' });
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a required question left unanswered: the error sits at the field, reached by keyboard', async () => {
  for (const lang of ['fi', 'sv', 'en']) {
    const page = await openApp(browser, server.url, { lang });
    try {
      await placePoint(page);
      await page.selectOption('#category', 'winter');
      const description = uniqueText('Jalkakäytävä on jäässä.');
      await page.fill('#description', description);
      await page.click('#submit');
      await page.waitForSelector('#error-summary:not([hidden])');
      assert.equal(await page.isVisible('#attr-condition-error'), true);
      assert.equal(await page.$eval('#attr-condition', (e) => e.getAttribute('aria-invalid')), 'true');
      assert.ok((await page.textContent('#attr-condition-error')).includes(defs('winter')[0].description[lang]));
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, formatViolations(violations));
      // The summary's link takes the keyboard to the question.
      await tabTo(page, '#error-summary a[href="#attr-condition"]');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'attr-condition');
      await page.selectOption('#attr-condition', 'ice');
      await page.click('#submit');
      await waitForSuccess(page);
      const f = await findByDescription(server.url, description);
      assert.deepEqual(f.properties.attributes, { condition: 'ice' });
      assert.deepEqual(page.errors, []);
    } finally {
      await page.closeAll();
    }
  }
});
