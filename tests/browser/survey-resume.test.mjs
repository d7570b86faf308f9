// Stop and go on elsewhere: answers kept over a reload (localStorage),
// "save and continue later" gives a private link, and that link opened in
// another browser context (no shared storage) restores the answers, the
// page and the language. The map questions are answered without the map
// (typed coordinates, words, a district); a place the server refuses
// (outside the survey area) is shown next to the drawn feature it names;
// personal data without its consent is stopped before sending.
import assert from 'node:assert/strict';
import { after, before, gotoReady, newPage, startBoth, stopBoth, test } from './helpers.mjs';
import { PLANNER, assertNoOverflow, checkState, fixture, nextPage, publish } from './survey-helpers.mjs';
import { call, login } from '../lib/server.mjs';

let server;
let browser;
let slug;

before(async () => {
  ({ server, browser } = await startBoth({ users: [PLANNER] }));
  slug = await publish(server, fixture('safe-route-to-school', 'koulutie-jatka'));
});

after(() => stopBoth(server, browser));

test('save, resume on another browser context, fix a refused place, send', async () => {
  const a = await newPage(browser);
  let link;
  try {
    await gotoReady(a, `${server.url}/s/${slug}?lang=sv`);
    await a.click('label[for="q-respondent-c0"]');
    await a.check('#q-grade-skip');
    await a.click('label[for="q-school-p2"]');
    await a.click('label[for="q-mode-c1"]');
    await a.click('label[for="q-feel_safe-3"]');
    await nextPage(a);
    await a.check('#sv-nomap');
    await a.waitForSelector('#q-route-add');
    assert.equal(await a.locator('.leaflet-container').count(), 0);
    // The route as typed coordinates, far outside the survey area.
    await a.click('#q-route-add');
    await a.fill('#q-route-f0-coords', '60.17, 24.93\n60.18, 24.95');
    await a.press('#q-route-f0-coords', 'Tab');
    // An unsafe spot in words, with its follow-ups.
    await a.click('#q-unsafe_spots-add');
    await a.check('#q-unsafe_spots-f0-way-description');
    await a.fill('#q-unsafe_spots-f0-words', 'Vid affärens parkering');
    await a.click('label[for="q-unsafe_spots-f0-why_unsafe-c3"]');
    await a.click('label[for="q-unsafe_spots-f0-how_unsafe-2"]');

    // A reload loses nothing.
    await a.reload();
    await a.waitForSelector('body[data-ready="true"]');
    assert.equal(await a.inputValue('#q-unsafe_spots-f0-words'), 'Vid affärens parkering');
    assert.equal(await a.isChecked('#q-unsafe_spots-f0-why_unsafe-c3'), true);

    await a.click('#sv-save');
    await a.waitForSelector('#sv-resume-box:not([hidden])');
    link = await a.inputValue('#sv-resume-url');
    assert.match(link, new RegExp(`^${server.url}/s/${slug}\\?resume=[^&]+$`));
    assert.equal(await a.evaluate(() => document.activeElement.id), 'sv-resume-url');
    await checkState(a, 'saved, link shown');
  } finally {
    await a.closeAll();
  }

  // The other browser is a phone.
  const b = await newPage(browser, { viewport: { width: 360, height: 740 } });
  try {
    await b.goto(link);
    await b.waitForSelector('body[data-ready="true"]');
    await b.waitForSelector('#q-unsafe_spots-f0-words');
    assert.equal(await b.evaluate(() => document.documentElement.lang), 'sv');
    assert.equal(await b.textContent('#sv-page-title'), 'Skolvägen på kartan');
    assert.equal(await b.inputValue('#q-unsafe_spots-f0-words'), 'Vid affärens parkering');
    assert.equal(await b.isChecked('#q-unsafe_spots-f0-how_unsafe-2'), true);
    assert.equal(await b.isChecked('#sv-nomap'), false, 'the map choice stays with the browser');
    assert.equal(await b.locator('.leaflet-container').count(), 2);
    await assertNoOverflow(b, 'map page at 360 px');
    await b.check('#sv-nomap');
    await b.waitForSelector('#q-route-f0-coords');
    assert.match(await b.inputValue('#q-route-f0-coords'), /^60\.17, 24\.93\n60\.18, 24\.95$/);
    await nextPage(b);
    await b.click('label[for="q-told_adult-c0"]');
    await nextPage(b);
    // The saved draft follows from page to page.
    const token = new URL(link).searchParams.get('resume');
    let draft;
    for (let i = 0; i < 50; i++) {
      draft = (await call(server, 'GET', `/api/v1/surveys/${slug}/drafts/${encodeURIComponent(token)}`)).json;
      if (draft && draft.page === 3) break;
      await b.waitForTimeout(100);
    }
    assert.equal(draft.page, 3);
    assert.equal(draft.answers.told_adult, 'yes');
    // A pupil answers: no consent is asked, so no e-mail is given.
    assert.equal(await b.isVisible('#q-contact_ok-yes'), false);
    await b.fill('#q-email', 'elev@example.fi');
    await b.click('#sv-submit');
    await b.waitForSelector('#q-email-error:not([hidden])');
    assert.match(await b.textContent('#q-email-error'), /^Det här är en personuppgift/);
    await b.fill('#q-email', '');
    assert.equal(await b.isVisible('#q-email-error'), false);
    await b.click('#sv-submit');

    // The server refuses the route's place: shown at that feature, on its page.
    await b.waitForSelector('#q-route-f0-loc-error:not([hidden])');
    assert.equal(await b.textContent('#sv-page-title'), 'Skolvägen på kartan');
    assert.match(await b.textContent('#q-route-f0-loc-error'), /^Platsen ligger utanför enkätens område/);
    assert.equal(await b.isVisible('#sv-summary'), true);
    await b.click('#sv-summary-list a');
    assert.match(await b.evaluate(() => document.activeElement.id), /^q-route-f0-/, 'the summary leads to the feature');
    await checkState(b, 'server error shown');
    await assertNoOverflow(b, 'server error at 360 px');

    await b.check('#q-route-f0-way-district');
    await b.selectOption('#q-route-f0-district', 'vuoksenniska');
    await nextPage(b);
    await nextPage(b);
    await b.click('#sv-submit');
    await b.waitForSelector('#sv-thanks:not([hidden])', { timeout: 15000 });
    assert.match(await b.textContent('#sv-thanks'), /Tack!/);

    const s = await login(server, PLANNER.name, PLANNER.password);
    const r = await call(server, 'GET', `/api/v1/staff/surveys/${slug}`, { cookie: s.cookie });
    assert.equal(r.json.responses, 1);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.closeAll();
  }
});
