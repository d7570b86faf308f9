// The address search on the maps besides the resident page (issue 16):
// a survey's map-point question (choose an address, "place it here", the
// point lands there and the map is centred on it; with the map hidden the
// address gives the point's coordinates), a budgeting round's
// proposals map and proposal form, and a walk's finding form (the address
// is the finding's place). Keyboard alone for the survey; axe clean with
// the search box on every page.
import assert from 'node:assert/strict';
import {
  after, axeViolations, before, formatViolations, getJSON, gotoReady, newPage, startBoth, stopBoth, tabTo, test
} from './helpers.mjs';
import { PLANNER, checkState, publish } from './survey-helpers.mjs';
import { STAFF, walkCode } from './walk-field-helpers.mjs';
import { call, login } from '../lib/server.mjs';

const BUDGETER = { name: 'search-planner', role: 'planner', password: 'search planner password 3f8a' };
const SURVEY = {
  slug: 'osoitehaku-kartalla',
  title: { fi: 'Osoitehaku', sv: 'Adressökning', en: 'Address search' },
  pages: [{
    key: 'p',
    title: { fi: 'Paikat', sv: 'Platser', en: 'Places' },
    elements: [
      { key: 'spot', type: 'map-point', max_features: 2,
        text: { fi: 'Merkitse paikka.', sv: 'Märk ut en plats.', en: 'Mark a place.' } },
      { key: 'zone', type: 'map-area',
        text: { fi: 'Rajaa alue.', sv: 'Avgränsa ett område.', en: 'Outline an area.' } },
    ],
  }],
};
const ROUND = {
  slug: 'osoitehaku-2030',
  title: { fi: 'Budjetti', sv: 'Budget', en: 'Budget' },
  description: { fi: 'Ehdota.', sv: 'Föreslå.', en: 'Propose.' },
  budget: 10000,
  categories: [{ key: 'play', name: { fi: 'Leikki', sv: 'Lek', en: 'Play' } }],
  phases: {
    proposals: { starts: '2030-01-10T00:00:00Z' },
    review: { starts: '2030-02-15T00:00:00Z' },
    voting: { starts: '2030-03-15T00:00:00Z' },
    results: { starts: '2030-04-01T00:00:00Z' },
    implementation: { starts: '2030-05-01T00:00:00Z' },
  },
  voting: { rule: 'knapsack', min_share: 0 },
  voters: ['open'],
  method: 'greedy',
};

let server;
let browser;
let place; // Koskenparras 3 of the demo gazetteer

before(async () => {
  ({ server, browser } = await startBoth({ users: [PLANNER, STAFF, BUDGETER] }));
  place = (await getJSON(server.url, '/api/v1/geocode?q=Koskenparras%203')).results[0];
  assert.equal(place.kind, 'address');
});
after(() => stopBoth(server, browser));

// Type q in the search box `id` (focused), wait for the list, choose the first.
async function searchAndChoose(page, id, q) {
  await page.keyboard.type(q);
  await page.waitForSelector(`#${id}-list:not([hidden]) [role="option"]`);
  const v = await axeViolations(page);
  assert.deepEqual(v, [], `axe with the list open (${id}):\n${formatViolations(v)}`);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue(`#${id}-input`), place.label);
}

// The distance in px between the centre of the map in `mapSel` and the
// centre of the first of its interactive vector shapes (a circle marker).
async function offCentre(page, mapSel) {
  return page.evaluate((s) => {
    const m = document.querySelector(s).getBoundingClientRect();
    const c = document.querySelector(`${s} path.leaflet-interactive`).getBoundingClientRect();
    return Math.hypot(m.x + m.width / 2 - (c.x + c.width / 2), m.y + m.height / 2 - (c.y + c.height / 2));
  }, mapSel);
}

test('survey: search an address by keyboard, place the point there', async () => {
  const slug = await publish(server, SURVEY);
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${server.url}/s/${slug}?lang=en`);
    await tabTo(page, '#q-spot-search-input');
    assert.equal(await page.isVisible('#q-spot-here'), false, 'no "place it here" before a place is chosen');
    await searchAndChoose(page, 'q-spot-search', 'Koskenparras 3');
    assert.equal(await page.textContent('#q-spot-here'), `Place the point here: ${place.label}`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q-spot-here');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#q-spot-f0');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q-spot-f0-h', 'focus on the new point');
    assert.ok(await offCentre(page, '#q-spot-map-leaflet') < 3, 'the map is centred on the placed point');
    // Its coordinates are the address's.
    await page.check('#q-spot-f0-way-coords');
    assert.equal(await page.inputValue('#q-spot-f0-coords'), `${place.lat}, ${place.lon}`);
    // An area question pans only: no "place it here".
    await tabTo(page, '#q-zone-search-input');
    await searchAndChoose(page, 'q-zone-search', 'Koskenparras 3');
    assert.equal(await page.isVisible('#q-zone-here'), false);
    // The drawing buttons still work: a corner at the crosshair (the address).
    await page.click('#q-zone-draw');
    await page.click('#q-zone-vertex');
    assert.match(await page.textContent('#q-zone-q .draw-status'), /1/);
    await page.click('#q-zone-q button:has-text("Cancel")');
    await checkState(page, 'survey with address search');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('survey with the map hidden: the address gives the point, as coordinates', async () => {
  const slug = await publish(server, { ...SURVEY, slug: 'osoitehaku-ilman-karttaa' });
  const page = await newPage(browser, { viewport: { width: 360, height: 740 } });
  try {
    await gotoReady(page, `${server.url}/s/${slug}?lang=sv`);
    await tabTo(page, '#sv-nomap');
    await page.keyboard.press('Space');
    await page.waitForSelector('#q-spot-q .sv-map-question');
    assert.equal(await page.locator('.leaflet-container').count(), 0, 'no map once hidden');
    assert.equal(await page.locator('#q-zone-search-input').count(), 0, 'no search for an area without the map');
    await tabTo(page, '#q-spot-search-input');
    await searchAndChoose(page, 'q-spot-search', 'Koskenparras 3');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q-spot-here');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#q-spot-f0');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q-spot-f0-h');
    assert.equal(await page.isChecked('#q-spot-f0-way-coords'), true);
    assert.equal(await page.inputValue('#q-spot-f0-coords'), `${place.lat}, ${place.lon}`);
    await checkState(page, 'survey without the map, address search');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('budgeting: propose at an address, find it on the proposals map', async () => {
  const s = await login(server, BUDGETER.name, BUDGETER.password);
  const auth = { cookie: s.cookie, csrf: s.csrf };
  for (const [m, u, b] of [['POST', '/api/v1/staff/budget/rounds', ROUND],
    ['POST', `/api/v1/staff/budget/rounds/${ROUND.slug}/publish`],
    ['POST', `/api/v1/staff/budget/rounds/${ROUND.slug}/phase`, { phase: 'proposals' }]]) {
    const r = await call(server, m, u, { ...auth, body: b });
    assert.ok(r.status < 300, `${u}: ${r.status} ${r.text}`);
  }
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${server.url}/b/${ROUND.slug}?lang=fi`);
    await page.fill('#p-title', 'Penkki osoitteeseen');
    await page.fill('#p-description', 'Penkki koskelle.');
    await page.selectOption('#p-category', 'play');
    await page.focus('#p-place-q-search-input');
    await searchAndChoose(page, 'p-place-q-search', 'Koskenparras 3');
    await page.click('#p-place-q-here');
    await page.waitForSelector('#p-place-q-f0');
    await page.fill('#p-email', 'haku@example.fi');
    await page.click('#p-submit');
    await page.waitForFunction(() => /Kiitos/.test(document.getElementById('p-status').textContent));
    // The proposals map pans to the address: the new proposal at its centre.
    await page.focus('#b-proposals-map-search-input');
    await searchAndChoose(page, 'b-proposals-map-search', 'Koskenparras 3');
    assert.ok(await offCentre(page, '#b-proposals-map-leaflet') < 3, 'the proposals map is centred on the address');
    await checkState(page, 'budget with address search');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('walk: the address chosen is the finding\'s place', async () => {
  const code = await walkCode(server, 1);
  const page = await newPage(browser, { viewport: { width: 360, height: 740 } });
  try {
    await gotoReady(page, `${server.url}/w/${code}?lang=sv`);
    await page.waitForSelector('#walk-view:not([hidden])');
    await page.click('#w-record');
    await page.waitForSelector('#w-finding:not([hidden])');
    await page.focus('#f-place-search-input');
    await searchAndChoose(page, 'f-place-search', 'Koskenparras 3');
    assert.equal(await page.inputValue('#f-place-coords'), `${place.lat.toFixed(6)}, ${place.lon.toFixed(6)}`);
    assert.match(await page.textContent('#f-place-summary'), new RegExp(place.lat.toFixed(5)));
    const v = await axeViolations(page);
    assert.deepEqual(v, [], `axe on the walk form:\n${formatViolations(v)}`);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
