// Drawing on the survey map by keyboard: an area drawn with the crosshair
// (arrow keys pan, Enter adds a corner), its follow-up answered, its place
// drawn again from the list, a point deleted from the list, and the
// answer stored by the server; client-side branching agrees with the
// server's (qt_condition_holds) on the fixtures' responses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, gotoReady, newPage, startBoth, stopBoth, tabTo, test } from './helpers.mjs';
import { PLANNER, checkState, fixture, publish } from './survey-helpers.mjs';
import { call, repoRoot } from '../lib/server.mjs';

let server;
let browser;
let slug;
const fixtures = ['safe-route-to-school', 'neighbourhood-geobudget', 'how-to-take-part'];
const slugs = {};
let firstId; // the id of the first test's response

const drawing = {
  slug: 'piirra-nappaimin',
  title: { fi: 'Piirrä alue', sv: 'Rita ett område', en: 'Draw an area' },
  pages: [{
    key: 'zones',
    title: { fi: 'Alueet', sv: 'Områden', en: 'Areas' },
    elements: [
      {
        key: 'zone', type: 'map-area', required: true, max_features: 2,
        text: { fi: 'Rajaa alue, jota pitäisi kehittää.', sv: 'Avgränsa ett område som borde utvecklas.', en: 'Outline an area that should be developed.' },
        followups: [{ key: 'zone_why', type: 'text', text: { fi: 'Miksi?', sv: 'Varför?', en: 'Why?' }, max_length: 300 }],
      },
      {
        key: 'spot', type: 'map-point',
        text: { fi: 'Merkitse paikka.', sv: 'Märk ut en plats.', en: 'Mark a place.' },
      },
    ],
  }],
};

before(async () => {
  ({ server, browser } = await startBoth({ users: [PLANNER] }));
  slug = await publish(server, drawing);
  for (const f of fixtures) slugs[f] = await publish(server, fixture(f, `${f.slice(0, 20)}-logic`));
});

after(() => stopBoth(server, browser));

async function pressOnMap(page, keys) {
  for (const k of keys) {
    await page.keyboard.press(k);
    await page.waitForTimeout(400);
  }
}

test('draw an area by keyboard, draw it again, delete a point, send', async () => {
  const page = await newPage(browser);
  const bodies = [];
  page.on('request', (r) => { if (r.url().endsWith('/responses')) bodies.push(r.postDataJSON()); });
  try {
    await gotoReady(page, `${server.url}/s/${slug}?lang=en`);
    await tabTo(page, '#q-zone-draw');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('leaflet-container')), true,
      'the map has the focus');
    assert.equal(await page.isVisible('#q-zone-map .crosshair'), true);
    await pressOnMap(page, ['Enter', 'ArrowRight', 'Enter', 'ArrowDown', 'Enter']);
    assert.match(await page.textContent('#q-zone-q .draw-status'), /3/);
    // The languages switched in the middle: the drawing goes on.
    await checkState(page, 'drawing an area');
    assert.equal(await page.isVisible('#q-zone-map .crosshair'), true);
    await tabTo(page, '#q-zone-finish');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#q-zone-f0');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q-zone-f0-h', 'focus on the new area in the list');
    await checkState(page, 'an area drawn');
    await tabTo(page, '#q-zone-f0-zone_why');
    await page.keyboard.type('Too little shade');

    // Drawn again from the list, with four corners.
    await tabTo(page, '#q-zone-f0-redraw', { shift: true });
    await page.keyboard.press('Enter');
    await pressOnMap(page, ['Enter', 'ArrowLeft', 'Enter', 'ArrowUp', 'Enter', 'ArrowRight', 'Enter']);
    await tabTo(page, '#q-zone-finish');
    await page.keyboard.press('Enter');
    assert.match(await page.textContent('#q-zone-f0'), /4 points/);
    assert.equal(await page.inputValue('#q-zone-f0-zone_why'), 'Too little shade');

    // A point drawn and deleted again, by keyboard.
    await tabTo(page, '#q-spot-draw');
    await page.keyboard.press('Enter');
    await pressOnMap(page, ['ArrowLeft', 'Enter']);
    await page.waitForSelector('#q-spot-f0');
    await tabTo(page, '#q-spot-f0-delete');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#q-spot-list > li').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q-spot-add');
    await checkState(page, 'area drawn, point deleted');

    await tabTo(page, '#sv-submit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#sv-thanks:not([hidden])', { timeout: 15000 });
    assert.equal(bodies.length, 1);
    firstId = bodies[0].id;
    const zone = bodies[0].answers.zone;
    assert.equal(zone.length, 1);
    assert.equal(zone[0].geometry.type, 'Polygon');
    assert.equal(zone[0].geometry.coordinates[0].length, 5, 'four corners and the ring closed');
    assert.deepEqual(zone[0].geometry.coordinates[0][0], zone[0].geometry.coordinates[0][4]);
    assert.deepEqual(zone[0].answers, { zone_why: 'Too little shade' });
    assert.equal(bodies[0].answers.spot, undefined);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

// The page's branching (lib/survey-logic.js) against the server's: each
// fixture response keeps every answer in the page, and the server takes
// it; an answer the page drops as hidden, the server refuses as hidden.
test('client branching agrees with the server on the fixture responses', async () => {
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${server.url}/s/`);
    for (const f of fixtures) {
      const def = fixture(f, slugs[f]);
      const resp = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/surveys/responses', `${f}.json`), 'utf8'));
      const kept = await page.evaluate(([d, a]) => window.VK.survey.logic.evaluate(d, a).answers, [def, resp.answers]);
      assert.deepEqual(Object.keys(kept).sort(), Object.keys(resp.answers).sort(), `${f}: nothing hidden`);
      const ok = await call(server, 'POST', `/api/v1/surveys/${slugs[f]}/responses`, { body: resp });
      assert.equal(ok.status, 201, `${f}: ${ok.text}`);
    }
    // how-to-take-part: an answer under 18 hides the page "hours".
    const def = fixture('how-to-take-part', slugs['how-to-take-part']);
    const resp = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/surveys/responses/how-to-take-part.json'), 'utf8'));
    resp.id = '3d0c1f7e-8a5b-4c2d-9e6f-1a2b3c4d5e6f';
    resp.answers.age_group = 'under_18';
    resp.answers.time_budget = resp.answers.time_budget || { survey: 1 };
    const ev = await page.evaluate(([d, a]) => {
      const r = window.VK.survey.logic.evaluate(d, a);
      return { pages: r.pages, kept: Object.keys(r.answers) };
    }, [def, resp.answers]);
    assert.deepEqual(ev.pages, [true, true, false, true]);
    assert.equal(ev.kept.includes('time_budget'), false);
    const refused = await call(server, 'POST', `/api/v1/surveys/${slugs['how-to-take-part']}/responses`, { body: resp });
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.json.error.field, 'answers.time_budget');
  } finally {
    await page.closeAll();
  }
});

test('geobudget with the mouse: items chosen, each placed by a click on the map', async () => {
  const gslug = await publish(server, fixture('neighbourhood-geobudget', 'budjetti-hiiri'));
  const page = await newPage(browser);
  const bodies = [];
  page.on('request', (r) => { if (r.url().endsWith('/responses')) bodies.push(r.postDataJSON()); });
  try {
    await gotoReady(page, `${server.url}/s/${gslug}?lang=fi`);
    await page.click('button[aria-label="Lisää: Penkki"]');
    await page.click('button[aria-label="Lisää: Katos bussipysäkille"]');
    assert.match(await page.textContent('#q-improvements-total'), /Käytetty 9\s?500\s€ \/ 40\s?000\s€/);
    for (const [i, dx] of [[0, -20], [1, 25]]) {
      await page.click(`#q-improvements-f${i}-redraw`);
      const b = await page.locator('#q-improvements-map').boundingBox();
      await page.mouse.click(b.x + b.width / 2 + dx, b.y + b.height / 2);
      await page.waitForSelector(`#q-improvements-f${i}-redraw:has-text("uudelleen")`);
    }
    await page.click('label[for="q-improvements-f1-way-place"]');
    await page.selectOption('#q-improvements-f1-place', 'koskenpaa_stop');
    await checkState(page, 'geobudget placed on the map');
    await page.click('#sv-next');
    await page.waitForSelector('#q-priorities-q');
    await page.click('label[for="q-priorities-ok"]');
    await page.check('#q-satisfaction-0-0');
    await page.check('#q-satisfaction-1-1');
    await page.check('#q-satisfaction-2-2');
    await page.click('#sv-submit');
    await page.waitForSelector('#sv-thanks:not([hidden])', { timeout: 15000 });
    const placed = bodies[0].answers.improvements;
    assert.deepEqual(placed.map((x) => x.item), ['bench', 'bus_shelter']);
    assert.equal(placed[0].geometry.type, 'Point');
    assert.deepEqual(placed[1], { item: 'bus_shelter', place: 'koskenpaa_stop' });
    assert.deepEqual(bodies[0].answers.priorities, ['play', 'transport', 'greenery', 'safety']);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('an id already sent with other answers: these go under a new id', async () => {
  assert.ok(firstId, 'the first test sent a response');
  const page = await newPage(browser);
  const answers = [];
  page.on('response', async (r) => {
    if (r.url().endsWith('/responses')) answers.push([r.status(), r.request().postDataJSON().id]);
  });
  try {
    await gotoReady(page, `${server.url}/s/${slug}?lang=en`);
    await page.check('#sv-nomap');
    await page.click('#q-zone-add');
    await page.fill('#q-zone-f0-coords', '61.199, 28.7765\n61.2, 28.78\n61.201, 28.7765');
    // The browser holds the id of the response sent before (as after a
    // reset of the page's storage from another tab, say).
    await page.evaluate(([key, id]) => {
      const j = JSON.parse(localStorage.getItem(key));
      j.id = id;
      localStorage.setItem(key, JSON.stringify(j));
    }, [`vaikuta.survey.${slug}`, firstId]);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#sv-submit');
    await page.waitForSelector('#sv-thanks:not([hidden])', { timeout: 15000 });
    assert.equal(answers.length, 2);
    assert.deepEqual(answers[0], [409, firstId]);
    assert.equal(answers[1][0], 201);
    assert.notEqual(answers[1][1], firstId);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
