// axe-core (WCAG 2.1 A/AA) finds no violations on the page: in every
// language, with the report form open, with client and server errors shown,
// with a popup open, and on a 320 px wide screen.
import assert from 'node:assert/strict';
import {
  after, axeViolations, before, formatViolations, openApp, startBoth, stopBoth, test
} from './helpers.mjs';

let server;
let browser;

before(async () => {
  ({ server, browser } = await startBoth());
});

after(() => stopBoth(server, browser));

async function assertNoViolations(page, what) {
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `axe violations (${what}):\n${formatViolations(v)}`);
}

for (const lang of ['fi', 'sv', 'en']) {
  test(`main page has no WCAG 2.1 AA violations (${lang})`, async () => {
    const page = await openApp(browser, server.url, { lang });
    try {
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await assertNoViolations(page, `main page, ${lang}`);
      assert.deepEqual(page.errors, []);
    } finally {
      await page.closeAll();
    }
  });
}

test('report form open (map drawing and without-map modes) has no violations', async () => {
  const page = await openApp(browser, server.url, { lang: 'fi' });
  try {
    await page.click('#open-form');
    await page.waitForSelector('#report-form:not([hidden])');
    await assertNoViolations(page, 'form open');
    await page.check('#mode-line');
    await page.waitForSelector('#draw-toolbar:not([hidden])');
    assert.ok(await page.isVisible('#crosshair'), 'crosshair shown while drawing');
    await assertNoViolations(page, 'form open, drawing a line');
    await page.check('#mode-district');
    await page.waitForSelector('#location-district-part:not([hidden])');
    await assertNoViolations(page, 'form open, without the map');
  } finally {
    await page.closeAll();
  }
});

test('client-side errors and the error summary have no violations', async () => {
  const page = await openApp(browser, server.url, { lang: 'sv' });
  try {
    await page.click('#open-form');
    await page.click('#submit');
    await page.waitForSelector('#error-summary:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary');
    await assertNoViolations(page, 'client-side errors');
  } finally {
    await page.closeAll();
  }
});

test('a server error shown next to its field has no violations', async () => {
  const page = await openApp(browser, server.url, { lang: 'en' });
  try {
    await page.click('#open-form');
    await page.check('#mode-district');
    await page.selectOption('#district', { index: 1 });
    await page.fill('#place', 'By the library entrance');
    await page.selectOption('#category', { index: 1 });
    await page.fill('#description', 'Axe check with a server error');
    await page.fill('#email', 'not an email address');
    await page.click('#submit');
    await page.waitForSelector('#email-error:not([hidden])');
    assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
    await assertNoViolations(page, 'server error displayed');
  } finally {
    await page.closeAll();
  }
});

test('an open popup and a 320 px wide screen have no violations', async () => {
  const page = await openApp(browser, server.url, { lang: 'fi', viewport: { width: 320, height: 640 } });
  try {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page scrolls sideways at 320 px by ${overflow} px`);
    await assertNoViolations(page, '320 px');
    const first = page.locator('.fb-show').first();
    if (await first.count()) {
      await first.click();
      await page.waitForSelector('.leaflet-popup');
      // Leaflet fades popups in; measure contrast when fully shown.
      await page.waitForFunction(() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1');
      await assertNoViolations(page, 'popup open');
    }
  } finally {
    await page.closeAll();
  }
});
