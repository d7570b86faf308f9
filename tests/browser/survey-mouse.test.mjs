// The resident's survey page answered with the mouse: the safe-route-to-
// school survey (published through the staff API) with its route drawn as
// a line and an unsafe spot as a point on the map, follow-ups answered,
// branching followed (the page "more" appears once a spot is drawn), the
// errors of an unanswered page shown, the answer sent once even when the
// first answer to the send is lost on the way, and the thank-you text;
// axe-core finds nothing on any page or state in fi, sv and en.
import assert from 'node:assert/strict';
import { after, before, gotoReady, newPage, startBoth, stopBoth, test } from './helpers.mjs';
import { PLANNER, checkState, clickMap, fixture, nextPage, publish } from './survey-helpers.mjs';
import { call, login } from '../lib/server.mjs';

let server;
let browser;
let slug;

before(async () => {
  ({ server, browser } = await startBoth({ users: [PLANNER] }));
  slug = await publish(server, fixture('safe-route-to-school', 'koulutie-hiiri'));
});

after(() => stopBoth(server, browser));

async function responseCount() {
  const s = await login(server, PLANNER.name, PLANNER.password);
  const r = await call(server, 'GET', `/api/v1/staff/surveys/${slug}`, { cookie: s.cookie });
  assert.equal(r.status, 200, r.text);
  return r.json.responses;
}

test('the list of open surveys links to the survey', async () => {
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${server.url}/s/`);
    await page.click(`a[href="/s/${slug}"]`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#sv-title'), 'Turvallinen koulumatka');
    await gotoReady(page, `${server.url}/s/`);
    await checkState(page, 'survey list');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('answer the safe-route-to-school survey with the mouse, map questions drawn', async () => {
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${server.url}/s/${slug}?lang=fi`);
    assert.equal(await page.textContent('#sv-progress-text'), 'Sivu 1/3');
    await checkState(page, 'page 1', true);

    // Next with nothing answered: each required question says so.
    await page.click('#sv-next');
    await page.waitForSelector('#sv-summary:not([hidden])');
    assert.equal(await page.textContent('#q-respondent-error'), 'Vastaa tähän kysymykseen.');
    assert.equal(await page.getAttribute('#q-respondent-c0', 'aria-invalid'), 'true');
    assert.equal(await page.locator('#sv-summary-list li').count(), 4);
    await checkState(page, 'page 1 with errors', true);

    await page.click('label[for="q-respondent-c1"]');
    await page.fill('#q-grade', '3');
    // The school picked on its map: a click on a place's marker.
    await page.click('#q-school-q-map path.leaflet-interactive >> nth=0');
    assert.equal(await page.locator('#q-school-q input:checked').count(), 1, 'the map picked a place');
    await page.click('label[for="q-mode-other"]');
    await page.fill('#q-mode-other-text', 'Potkulaudalla');
    await page.click('label[for="q-feel_safe-2"]');
    await nextPage(page);

    assert.equal(await page.textContent('#sv-page-title'), 'Koulumatka kartalla');
    assert.equal(await page.title(), 'Koulumatka kartalla – Turvallinen koulumatka – Vaikuta');
    assert.equal(await page.textContent('#sv-progress-text'), 'Sivu 2/3');
    // The route: three clicks and Finish; its follow-up under it.
    await page.click('#q-route-draw');
    await clickMap(page, 'route', -30, 15);
    await clickMap(page, 'route', 0, 0);
    await clickMap(page, 'route', 30, -15);
    await page.click('#q-route-finish');
    await page.waitForSelector('#q-route-f0');
    assert.match(await page.textContent('#q-route-f0'), /Merkitty kartalle \(3 pistettä\)/);
    await page.click('label[for="q-route-f0-route_season-c1"]');
    // Two unsafe spots, one click each; the second is deleted again.
    for (const dx of [10, -40]) {
      await page.click('#q-unsafe_spots-draw');
      await clickMap(page, 'unsafe_spots', dx, 10);
    }
    assert.equal(await page.locator('#q-unsafe_spots-list > li').count(), 2);
    await page.click('#q-unsafe_spots-f1-delete');
    assert.equal(await page.locator('#q-unsafe_spots-list > li').count(), 1);
    // "What to fix" is asked only when how unsafe ≥ 3.
    assert.equal(await page.isVisible('#q-unsafe_spots-f0-what_to_fix'), false);
    await page.click('label[for="q-unsafe_spots-f0-why_unsafe-c0"]');
    await page.click('label[for="q-unsafe_spots-f0-how_unsafe-4"]');
    await page.fill('#q-unsafe_spots-f0-what_to_fix', 'Suojatie ja valot.');
    await checkState(page, 'page 2, drawn', true);
    await nextPage(page);

    // A spot was drawn: the page "more" is shown, so there are four pages.
    assert.equal(await page.textContent('#sv-page-title'), 'Vielä vaarallisista paikoista');
    assert.equal(await page.textContent('#sv-progress-text'), 'Sivu 3/4');
    await page.click('label[for="q-told_adult-skip"]');
    await checkState(page, 'page 3', true);
    await nextPage(page);

    // Back and forward keep the answers.
    await page.click('#sv-back');
    await page.waitForSelector('#q-told_adult-skip');
    assert.equal(await page.isChecked('#q-told_adult-skip'), true);
    await nextPage(page);

    assert.equal(await page.isVisible('#sv-submit'), true);
    await page.click('label[for="q-contact_ok-yes"]');
    await page.fill('#q-email', 'huoltaja@example.fi');
    await checkState(page, 'page 4', true);

    // The first answer to the send is lost on the way: the page sends the
    // same response again and the server counts it once.
    let lost = 0;
    let sent = [];
    await page.route('**/api/v1/surveys/*/responses', async (route) => {
      sent.push(route.request().postData());
      if (lost++ === 0) {
        await route.fetch();
        await route.abort('connectionreset');
      } else {
        await route.continue();
      }
    });
    await page.click('#sv-submit');
    await page.waitForSelector('#sv-thanks:not([hidden])', { timeout: 20000 });
    assert.equal(sent.length, 2);
    assert.equal(sent[0], sent[1], 'the same body sent again');
    const body = JSON.parse(sent[0]);
    assert.equal(body.answers.route[0].geometry.type, 'LineString');
    assert.equal(body.answers.route[0].geometry.coordinates.length, 3);
    assert.deepEqual(body.answers.route[0].answers, { route_season: ['winter'] });
    assert.equal(body.answers.unsafe_spots.length, 1);
    assert.equal(body.answers.unsafe_spots[0].geometry.type, 'Point');
    assert.deepEqual(body.answers.mode, { other: 'Potkulaudalla' });
    assert.equal(body.answers.told_adult, 'skip');
    assert.match(body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(await responseCount(), 1);
    assert.match(await page.textContent('#sv-thanks'), /Kiitos! Vastaukset käydään läpi/);
    await checkState(page, 'thank-you', true);
    // Nothing is left behind in the browser.
    assert.equal(await page.evaluate((s) => localStorage.getItem(`vaikuta.survey.${s}`), slug), null);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
