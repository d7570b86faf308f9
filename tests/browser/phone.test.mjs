// Residents first (issue 16): the resident page on a 360×740 touch phone,
// the whole flow (place with a tap, answer the category's questions, send,
// follow up), the pin that must not move, errors that clear when put right,
// a Swedish phone, 200 % text at 320 px without sideways scrolling, the
// follow-up page of a merged report, and axe on every state. Screenshots
// for a person to look at go to build/screenshots/ (desktop, phone,
// enlarged text, forced colours).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  after, axeViolations, before, findByDescription, formatViolations, getJSON, gotoReady, newPage,
  openApp, startBoth, stopBoth, test, uniqueText, waitForSuccess
} from './helpers.mjs';
import { repoRoot } from '../lib/server.mjs';

const PHONE = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const SHOTS = path.join(repoRoot, 'build', 'screenshots');

let server;
let base;
let browser;

before(async () => {
  ({ server, browser } = await startBoth({ tokens: [{ name: 'phone-moderator', role: 'moderator' }] }));
  base = server.url;
  mkdirSync(SHOTS, { recursive: true });
});

after(() => stopBoth(server, browser));

async function staff(method, p, body) {
  const r = await fetch(`${base}${p}`, {
    method,
    headers: { Authorization: `Bearer ${server.tokens['phone-moderator']}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.equal(r.status, 200, `${method} ${p}: ${text}`);
  return JSON.parse(text);
}

async function report(props, geometry) {
  const r = await fetch(`${base}/api/v1/feedback`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/geo+json' },
    body: JSON.stringify({ type: 'Feature', geometry, properties: props }),
  });
  const text = await r.text();
  assert.equal(r.status, 201, text);
  return JSON.parse(text);
}

async function assertNoViolations(page, what) {
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `axe violations (${what}):\n${formatViolations(v)}`);
}

// Nothing wider than the window: no sideways scrolling.
async function assertNoSideways(page, what) {
  const w = await page.evaluate(() => {
    const wide = [...document.querySelectorAll('body *')].filter((n) => {
      const r = n.getBoundingClientRect();
      return r.width > 0 && r.right > document.documentElement.clientWidth + 1 && !n.closest('.leaflet-container');
    }).slice(0, 5).map((n) => `${n.tagName.toLowerCase()}#${n.id}.${String(n.className).split(' ')[0]}`);
    return { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, wide };
  });
  assert.ok(w.scroll <= w.client, `${what}: page ${w.scroll} px wide in a ${w.client} px window (${w.wide.join(', ')})`);
}

const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });

// The draft pin's centre on the screen.
const pinAt = (page) => page.evaluate(() => {
  const p = document.querySelector('.leaflet-draft-pane path');
  if (!p) return null;
  const r = p.getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2, size: r.width };
});

test('phone: the search box over the map moves the map to the address; nothing is placed', async () => {
  const page = await openApp(browser, base, PHONE);
  try {
    // It moves the map to the place and rings it; nothing is placed.
    await page.tap('#map-search-input');
    await page.keyboard.type('Koskenparras 3');
    await page.waitForSelector('#map-search-list:not([hidden]) [role="option"]');
    await assertNoViolations(page, 'phone, search list open over the map');
    await page.locator('#map-search-list [role="option"]').first().tap();
    assert.match(await page.inputValue('#map-search-input'), /^Koskenparras 3\b/);
    const ring = await page.locator('path.search-ring').boundingBox();
    const map = await page.locator('#map').boundingBox();
    assert.ok(Math.abs(ring.x + ring.width / 2 - (map.x + map.width / 2)) < 3 &&
      Math.abs(ring.y + ring.height / 2 - (map.y + map.height / 2)) < 3, 'the chosen place is at the map\'s centre');
    assert.equal(await page.locator('.leaflet-draft-pane path').count(), 0, 'no pin placed by the search');
    await shot(page, 'phone-search');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('phone (360×740, touch): map first, tap a pin that stays, answer, send, follow up', async () => {
  const page = await openApp(browser, base, PHONE);
  try {
    // The map and "new report" over it are on the first screen.
    const wrap = await page.locator('.map-wrap').boundingBox();
    assert.ok(wrap.y < 740 * 0.6, `the map starts at ${wrap.y} px`);
    assert.ok(wrap.width >= 355, `the map is full width (${wrap.width} px)`);
    const nr = await page.locator('#map-new-report').boundingBox();
    assert.ok(nr.y + nr.height <= 740, `"new report" is on the first screen (${nr.y} px)`);
    // The address search over the map's top edge, "new report" under it,
    // neither over the other; in the page's order: search, map, new report.
    const ps = await page.locator('#map-search').boundingBox();
    assert.ok(ps.y >= wrap.y && ps.y + ps.height < wrap.y + wrap.height / 2, `the search box is over the map's top (${ps.y} px)`);
    assert.ok(nr.y >= ps.y + ps.height, `"new report" is under the search box (${nr.y} < ${ps.y + ps.height})`);
    assert.equal(await page.evaluate(() => {
      const [s, m, n] = ['map-search-input', 'map', 'map-new-report'].map((id) => document.getElementById(id));
      return !!(s.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING) &&
        !!(m.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING);
    }), true);
    const zoomIn = await page.locator('.leaflet-control-zoom-in').boundingBox();
    assert.ok(zoomIn.y >= ps.y + ps.height, 'the zoom buttons are not under the search box');
    assert.match(await page.textContent('#map-help'), /^Napauta/);
    assert.ok(!(await page.isVisible('#map-keys')), 'the keyboard help waits behind "more"');
    await page.tap('.more-help summary');
    assert.ok(await page.isVisible('#map-keys'));
    await assertNoSideways(page, 'phone, first screen');
    await assertNoViolations(page, 'phone, first screen');
    await shot(page, 'phone-fi');

    await page.tap('#map-new-report');
    await page.waitForSelector('#draw-toolbar:not([hidden])');
    assert.equal(await page.evaluate(() => document.querySelector('input[name="mode"]:checked').value), 'point');
    assert.match(await page.textContent('#draw-help'), /^Napauta karttaa/);
    // Zoom in with the map's own button, then tap off the centre.
    await page.tap('.leaflet-control-zoom-in');
    await page.waitForTimeout(400);
    const box = await page.locator('#map').boundingBox();
    const tapX = box.x + box.width / 2 + 60;
    const tapY = box.y + box.height / 2 + 40;
    await page.touchscreen.tap(tapX, tapY);
    await page.waitForFunction(() => !!document.querySelector('.leaflet-draft-pane path'));
    // "Finish" is on the screen without scrolling further.
    const fin = await page.locator('#draw-finish').boundingBox();
    assert.ok(fin.y >= 0 && fin.y + fin.height <= 740, `"Finish" is in view (${fin.y} px)`);
    const pin = await pinAt(page);
    assert.ok(Math.abs(pin.x - tapX) < 3 && Math.abs(pin.y - tapY) < 3, `the pin is where tapped (${JSON.stringify(pin)})`);
    assert.ok(pin.size >= 30, `the pin is large (${pin.size} px)`);
    await shot(page, 'phone-pin');

    // The crosshair button does not move a pin already placed, and says so.
    // aria-disabled, yet it answers a tap with the reason.
    await page.tap('#draw-add', { force: true });
    assert.match(await page.textContent('#draw-status'), /Piste on jo merkitty, eikä sitä siirretty/);
    const still = await pinAt(page);
    assert.ok(Math.abs(still.x - pin.x) < 1 && Math.abs(still.y - pin.y) < 1, 'the pin did not move');
    await assertNoViolations(page, 'phone, pin placed');

    await page.tap('#draw-finish');
    // An error clears as soon as its field is put right.
    await page.tap('#submit');
    await page.waitForSelector('#category-error:not([hidden])');
    await page.selectOption('#category', 'lighting');
    await page.waitForSelector('#category-error', { state: 'hidden' });
    assert.ok(!(await page.textContent('#error-summary-list')).includes('aihe'), 'the summary lost it too');
    await page.fill('#attr-pole_number', 'IM-4417');
    const description = uniqueText('Katuvalo pimeänä puhelimella ilmoitettuna');
    await page.fill('#description', description);
    await page.waitForSelector('#description-error', { state: 'hidden' });
    await assertNoSideways(page, 'phone, form');
    await assertNoViolations(page, 'phone, form filled');
    await page.tap('#submit');
    await waitForSuccess(page);
    const f = await findByDescription(base, description);
    assert.equal(f.properties.attributes.pole_number, 'IM-4417');
    const url = await page.inputValue('#followup-url');
    assert.match(url, /\/follow\.html\?lang=fi#/);

    // The answers with their labels in the list entry and the popup.
    const entry = await page.textContent(`#fb-${f.id}`);
    assert.ok(entry.includes('Valaisinpylvään numero') && entry.includes('IM-4417'), entry);
    await page.tap(`#show-${f.id}`);
    await page.waitForSelector('.fb-popup-wrap');
    const popup = await page.locator('.leaflet-popup-content-wrapper').boundingBox();
    const map = await page.locator('#map').boundingBox();
    assert.ok(popup.height <= map.height && popup.width <= map.width, `the popup fits the map (${popup.width}×${popup.height} in ${map.width}×${map.height})`);
    assert.ok((await page.textContent('.fb-popup-wrap')).includes('IM-4417'));

    // The follow-up page, on the phone, shows the answers too.
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    const fields = await page.textContent('#fb-fields');
    assert.ok(fields.includes('Valaisinpylvään numero') && fields.includes('IM-4417'), fields);
    await assertNoSideways(page, 'phone, follow-up');
    await assertNoViolations(page, 'phone, follow-up');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a Swedish phone (sv-FI): Swedish with "tap" wording, use my location, near me', async () => {
  const page = await openApp(browser, base, { ...PHONE, locale: 'sv-FI' });
  try {
    const cfg = await getJSON(base, '/api/v1/config');
    await page.context().grantPermissions(['geolocation']);
    await page.context().setGeolocation({ longitude: cfg.center[0], latitude: cfg.center[1], accuracy: 35 });
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'sv');
    assert.match(await page.textContent('#map-help'), /^Tryck på en markering/);
    await page.tap('#map-new-report');
    await page.tap('#draw-locate');
    await page.waitForFunction(() => /35 meter/.test(document.getElementById('draw-status').textContent));
    assert.match(await page.textContent('#location-summary'), /markerad/);
    await assertNoViolations(page, 'sv phone, location used');
    await shot(page, 'phone-sv-located');
    await page.tap('#draw-cancel');
    await page.tap('#cancel-form');

    // Near me: the list is sorted by distance and says how far.
    await page.tap('#near-me');
    await page.waitForFunction(() => document.getElementById('near-me').getAttribute('aria-pressed') === 'true');
    // The items within reach come from the server (the map loads per view).
    await page.waitForFunction(() => /km från dig/.test(document.getElementById('filter-status-text').textContent));
    await page.waitForSelector('#feedback-list:not([aria-busy="true"])');
    assert.match(await page.textContent('#feedback-list'), /Avstånd från dig/);
    // A status filter narrows map and list alike.
    await page.selectOption('#filter-status', 'closed');
    await page.waitForSelector('#feedback-list:not([aria-busy="true"])');
    const statuses = await page.$$eval('#feedback-list .fb-status', (ns) => ns.map((n) => n.textContent));
    assert.ok(statuses.every((s) => !/Mottagen/.test(s)), statuses.join(' | '));
    await assertNoViolations(page, 'sv phone, filters');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('200 % text at 320 px: no sideways scrolling, axe clean (resident page, form, follow-up)', async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 700 }, hasTouch: true, isMobile: true });
  try {
    const enlarge = () => page.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
    await gotoReady(page, `${base}/`);
    await enlarge();
    await assertNoSideways(page, 'enlarged, first screen');
    await assertNoViolations(page, 'enlarged, first screen');
    await shot(page, 'enlarged-320');
    await page.tap('#open-form');
    await page.check('#mode-district');
    await page.tap('#submit');
    await page.waitForSelector('#error-summary:not([hidden])');
    await assertNoSideways(page, 'enlarged, form with errors');
    await assertNoViolations(page, 'enlarged, form with errors');
    await gotoReady(page, `${base}/stats.html`);
    await enlarge();
    await assertNoSideways(page, 'enlarged, statistics');
    await shot(page, 'enlarged-320-stats');
  } finally {
    await page.closeAll();
  }
});

test('the follow-up page of a merged report shows the surviving item\'s answer and status, linked (sv)', async () => {
  const cfg = await getJSON(base, '/api/v1/config');
  const a = await report({ category: 'lighting', description: uniqueText('Lyktan är släckt') },
    { type: 'Point', coordinates: cfg.center });
  const b = await report({ category: 'lighting', description: uniqueText('Gatlyktan vid biblioteket') },
    { type: 'Point', coordinates: cfg.center });
  await staff('POST', `/api/v1/staff/feedback/${a.id}/merge`, { into: b.id });
  await staff('PATCH', `/api/v1/staff/feedback/${b.id}`, { status: 'planned', public_answer: 'Lyktan byts i nästa vecka.' });
  const page = await newPage(browser, PHONE);
  try {
    await gotoReady(page, `${base}/follow.html?lang=sv#${a.followup.token}`);
    await page.waitForSelector('#merged-section:not([hidden])');
    assert.equal(await page.textContent('#merged-heading'), `Din respons behandlas tillsammans med respons #${b.id}`);
    assert.match(await page.textContent('#merged-status'), /Planerad|planer/i);
    assert.ok((await page.textContent('#merged-fields')).includes('Lyktan byts i nästa vecka.'));
    const href = await page.getAttribute('#merged-link', 'href');
    assert.equal(href, `/?item=${b.id}&lang=sv`);
    await assertNoViolations(page, 'merged follow-up, sv');
    await shot(page, 'phone-follow-merged-sv');
    await page.tap('#merged-link');
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('.fb-popup-wrap');
    assert.ok((await page.textContent('.fb-popup-wrap')).includes('Lyktan byts i nästa vecka.'));
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'sv');
  } finally {
    await page.closeAll();
  }
});

test('screenshots: desktop and forced colours (high contrast), axe clean', async () => {
  const page = await openApp(browser, base);
  try {
    await shot(page, 'desktop-fi');
    await page.emulateMedia({ forcedColors: 'active' });
    await assertNoViolations(page, 'forced colours');
    await shot(page, 'desktop-forced-colors');
  } finally {
    await page.closeAll();
  }
  const phone = await openApp(browser, base, PHONE);
  try {
    await phone.emulateMedia({ forcedColors: 'active', reducedMotion: 'reduce' });
    await shot(phone, 'phone-forced-colors');
  } finally {
    await phone.closeAll();
  }
});

// "Slow 3G": DevTools' preset (2 s latency per request, 400 kbit/s =
// 50 000 B/s each way), which throttles whole requests rather than packets
// and so multiplies the 400 ms round trip of Chromium's network quality
// estimator by 5; that too, as the page must be light on both. "Usable":
// the strings and the form's lists are in (body[data-usable]), so "new
// report" opens the form and the search box over the map asks the
// gazetteer; Leaflet, the map and the items come after. What is asserted is
// the emulated network's share of that time — the span from the page's
// request to the last answer the page needed, less the gaps when none was
// on its way (the renderer busy on a loaded machine) — so that the test
// measures the page, not the machine; the wall-clock figure is printed
// beside it (docs/phone.md). On the 2 s preset two rounds of requests are
// 4 s: the page (with its styles and script inside it) and the four
// answers it preloads.
for (const latency of [2000, 400]) {
  const SLOW_3G = { offline: false, latency, downloadThroughput: 50000, uploadThroughput: 50000 };
  test(`light page: under 300 KB without tiles; usable within 5 s on "Slow 3G" (${latency} ms latency)`, async () => {
    const page = await newPage(browser, PHONE);
    try {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      // No tiles in the test server; any that came would not count anyway.
      const reqs = new Map();
      cdp.on('Network.requestWillBeSent', (e) => reqs.set(e.requestId, { url: e.request.url, start: e.timestamp }));
      cdp.on('Network.loadingFinished', (e) => {
        const r = reqs.get(e.requestId);
        if (r) Object.assign(r, { end: e.timestamp, bytes: e.encodedDataLength });
      });
      await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
      const t0 = Date.now();
      await page.goto(`${base}/`, { waitUntil: 'commit', timeout: 120000 });
      await page.waitForFunction(() => !!document.querySelector('h1') && document.querySelector('h1').getBoundingClientRect().height > 0,
        null, { timeout: 120000 });
      const firstText = Date.now() - t0;
      await page.waitForSelector('body[data-usable="true"]', { timeout: 120000 });
      const usable = Date.now() - t0;
      // Leaflet must not be what the form waited for.
      assert.equal(await page.evaluate(() => typeof window.L), 'undefined', 'usable before Leaflet has run');
      const needed = [...reqs.values()].filter((r) => r.end !== undefined && !/tile|\/api\/v1\/feedback\?/.test(r.url));
      // The union of the needed requests' spans: the network's share.
      const spans = needed.map((r) => [r.start, r.end]).sort((a, b) => a[0] - b[0]);
      let net = 0;
      let upTo = -Infinity;
      for (const [a, b] of spans) {
        if (b <= upTo) continue;
        net += b - Math.max(a, upTo);
        upTo = b;
      }
      net = Math.round(net * 1000);
      // Two rounds: the page, then the answers it preloads (no script or style of its own).
      assert.deepEqual(needed.map((r) => new URL(r.url).pathname).sort(),
        ['/', '/api/v1/categories', '/api/v1/config', '/api/v1/districts', '/i18n/auto.json']);
      // It responds: "new report" over the map opens the form; the search
      // box over the map takes what is typed and asks the gazetteer.
      const asked = page.waitForRequest((r) => r.url().includes('/api/v1/geocode?q=Kosk'));
      await page.fill('#map-search-input', 'Kosk');
      await asked;
      await page.tap('#map-new-report');
      await page.waitForSelector('#report-form:not([hidden])');
      await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
      const ready = Date.now() - t0;
      assert.equal(await page.evaluate(() => typeof window.L), 'object', 'Leaflet came after');
      const all = [...reqs.values()].filter((r) => r.end !== undefined && !/tile|geocode/.test(r.url));
      const bytes = all.reduce((s, r) => s + r.bytes, 0);
      console.log(`# Slow 3G (${latency} ms, 400 kbit/s): usable after ${net} ms of network (${needed.length} requests, ` +
        `${Math.round(needed.reduce((s, r) => s + r.bytes, 0) / 1024)} KB), ${usable} ms by the clock; first text ${firstText} ms; ` +
        `map and items drawn ${ready} ms; ${all.length} requests, ${Math.round(bytes / 1024)} KB in all`);
      assert.ok(bytes < 300 * 1024, `first load ${Math.round(bytes / 1024)} KB`);
      assert.ok(net <= 5000, `usable after ${net} ms of emulated network on Slow 3G (${latency} ms)`);
      // Loose: the clock includes a shared machine's CPU; the figure above is what counts.
      assert.ok(usable < 60000, `usable after ${usable} ms by the clock`);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      // Scripts, styles and the API's lists came compressed.
      const enc = await page.evaluate(async () => [(await fetch('/app.js')).headers.get('content-encoding'),
        (await fetch('/api/v1/districts')).headers.get('content-encoding')]);
      assert.deepEqual(enc, ['gzip', 'gzip']);
    } finally {
      await page.closeAll();
    }
  });
}

test('plain language (selkokieli): switched in the header, remembered, Finnish only, axe clean', async () => {
  const page = await openApp(browser, base, PHONE);
  try {
    const h1 = () => page.textContent('h1');
    assert.equal(await h1(), 'Kerro kaupungille, mitä olet huomannut');
    assert.equal(await page.getAttribute('.plain-button', 'aria-pressed'), 'false');
    await page.tap('.plain-button');
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Kerro kaupungille, mitä näit');
    assert.equal(await page.getAttribute('.plain-button', 'aria-pressed'), 'true');
    assert.match(await page.textContent('#map-help'), /^Napauta merkkiä\. Silloin näet viestin\./);
    await assertNoViolations(page, 'plain language');
    await shot(page, 'phone-plain-fi');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await h1(), 'Kerro kaupungille, mitä näit', 'remembered');
    // Swedish has no plain version: the standard strings, and no toggle.
    await page.tap('.lang-button[data-lang="sv"]');
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    assert.equal(await h1(), 'Berätta för staden vad du har lagt märke till');
    assert.ok(!(await page.isVisible('.plain-button')));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('statistics: every table fits its box on a desktop and a phone; districts are named on the map', async () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 360, height: 740 }]) {
    const page = await newPage(browser, { viewport });
    try {
      await gotoReady(page, `${base}/stats.html`);
      await page.waitForSelector('.area-label');
      const wide = await page.evaluate(() => [...document.querySelectorAll('.table-wrap')]
        .filter((w) => !w.hidden && w.scrollWidth > w.clientWidth + 1)
        .map((w) => `${w.querySelector('table').id}: ${w.scrollWidth} > ${w.clientWidth}`));
      assert.deepEqual(wide, [], `${viewport.width} px`);
      const labels = await page.$$eval('.area-label', (ns) => ns.map((n) => n.textContent));
      assert.ok(labels.some((l) => /^Imatrankoski\n\d/.test(l)), labels.join(' | '));
      await assertNoViolations(page, `statistics at ${viewport.width} px`);
      if (viewport.width === 360) await shot(page, 'phone-stats');
    } finally {
      await page.closeAll();
    }
  }
});
