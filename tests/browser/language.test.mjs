// Language: Finnish by default; Swedish and English from the switcher (the
// choice is remembered) and from ?lang=; visible texts, names from the API
// and <html lang> follow.
import assert from 'node:assert/strict';
import { after, before, getJSON, openApp, startBoth, stopBoth, test } from './helpers.mjs';

let server;
let browser;
let categories;
let districts;

before(async () => {
  ({ server, browser } = await startBoth());
  categories = (await getJSON(server.url, '/api/v1/categories')).categories;
  districts = (await getJSON(server.url, '/api/v1/districts')).features;
});

after(() => stopBoth(server, browser));

const texts = (page) => page.evaluate(() => ({
  lang: document.documentElement.lang,
  title: document.title,
  h1: document.querySelector('h1').textContent,
  skip: document.querySelector('.skip-link').textContent,
  open: document.getElementById('open-form').textContent,
  categories: [...document.querySelectorAll('#category option')].slice(1).map((o) => o.textContent),
  districts: [...document.querySelectorAll('#district option')].slice(1).map((o) => o.textContent).sort(),
  labels: [...document.querySelectorAll('.district-label')].map((n) => n.textContent).sort(),
  pressed: [...document.querySelectorAll('.lang-button[aria-pressed="true"]')].map((b) => b.dataset.lang),
  legend: document.getElementById('legend-list').textContent,
}));

test('Finnish by default, Swedish and English from the switcher, remembered', async () => {
  const page = await openApp(browser, server.url);
  try {
    let t = await texts(page);
    assert.equal(t.lang, 'fi');
    assert.equal(t.h1, 'Kerro kaupungille, mitä olet huomannut');
    assert.equal(t.open, 'Aloita uusi palaute');
    assert.deepEqual(t.pressed, ['fi']);
    assert.deepEqual(t.categories, categories.map((c) => c.name.fi));
    assert.deepEqual(t.labels, districts.map((d) => d.properties.name.fi).sort());
    assert.ok(t.legend.includes('Vastaanotettu') && t.legend.includes('Käsittelyssä') && t.legend.includes('Käsitelty'));

    await page.click('.lang-button[data-lang="sv"]');
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    t = await texts(page);
    assert.equal(t.h1, 'Berätta för staden vad du har lagt märke till');
    assert.equal(t.skip, 'Gå till huvudinnehållet');
    assert.equal(t.open, 'Ge ny respons');
    assert.match(t.title, /responskarta/);
    assert.deepEqual(t.pressed, ['sv']);
    assert.deepEqual(t.categories, categories.map((c) => c.name.sv));
    assert.deepEqual(t.districts, districts.map((d) => d.properties.name.sv).sort());
    assert.deepEqual(t.labels, districts.map((d) => d.properties.name.sv).sort());
    assert.ok(t.legend.includes('Mottagen') && t.legend.includes('Under behandling'));
    assert.equal(await page.getAttribute('#map', 'aria-label'), 'Responskarta');

    // Remembered across a reload.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal((await texts(page)).lang, 'sv');

    await page.click('.lang-button[data-lang="en"]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    t = await texts(page);
    assert.equal(t.h1, 'Tell the city what you have noticed');
    assert.deepEqual(t.categories, categories.map((c) => c.name.en));
    assert.equal(await page.getAttribute('.leaflet-control-zoom-in', 'title'), 'Zoom in');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('?lang=sv opens the page in Swedish; an open form and its errors follow a switch', async () => {
  const page = await openApp(browser, server.url, { lang: 'sv' });
  try {
    assert.equal((await texts(page)).lang, 'sv');
    await page.click('#open-form');
    await page.click('#submit');
    await page.waitForSelector('#error-summary:not([hidden])');
    assert.equal(await page.textContent('#error-summary h4'), 'Kontrollera följande');
    assert.ok((await page.textContent('#category-error')).includes('Välj ämne'));
    await page.click('.lang-button[data-lang="fi"]');
    await page.waitForFunction(() => document.documentElement.lang === 'fi');
    assert.equal(await page.textContent('#error-summary h4'), 'Tarkista seuraavat kohdat');
    assert.ok((await page.textContent('#category-error')).includes('Valitse aihe'));
    assert.equal(await page.textContent('label[for="description"] span'), 'Kuvaus');
  } finally {
    await page.closeAll();
  }
});

test('a Swedish browser (sv-FI) opens in Swedish, the language is remembered and carried in the links', async () => {
  const page = await openApp(browser, server.url, { locale: 'sv-FI' });
  try {
    assert.deepEqual(await page.evaluate(() => navigator.languages[0]), 'sv-FI');
    let t = await texts(page);
    assert.equal(t.lang, 'sv');
    assert.equal(t.h1, 'Berätta för staden vad du har lagt märke till');
    // Our own pages' links carry the language; in-page links stay as they are.
    const links = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
    const stats = links.find((h) => h.startsWith('/stats.html'));
    assert.equal(stats, '/stats.html?lang=sv');
    assert.ok(links.includes('#main'));
    assert.ok(links.every((h) => !h.startsWith('/api/') || !h.includes('lang=')), 'API links are left alone');
    // A choice in the switcher wins over the browser's, and is kept.
    await page.click('.lang-button[data-lang="en"]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(await page.getAttribute('a[href^="/stats.html"]', 'href'), '/stats.html?lang=en');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    t = await texts(page);
    assert.equal(t.lang, 'en');
    // The statistics page opened from the link is in the same language.
    await page.click('a[href^="/stats.html"]');
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a browser in a language we do not have (de-DE, then en) takes the first one we have', async () => {
  const page = await openApp(browser, server.url, { locale: 'de-DE' });
  try {
    // Chromium's navigator.languages is the locale alone; with only German
    // the page falls back to Finnish, the municipality's first language.
    assert.equal((await texts(page)).lang, 'fi');
  } finally {
    await page.closeAll();
  }
});
