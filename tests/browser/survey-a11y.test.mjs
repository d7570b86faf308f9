// "How do you want to take part?" on a 360 px wide phone: every page, its
// errors and the thank-you pass axe-core in fi, sv and en and scroll only
// up and down; branching shows and hides questions and pages as the
// server decides (why_not's nested all/any, the page "hours"); a budget
// total cannot go over. A closed survey and an unknown address say so,
// as accessibly.
import assert from 'node:assert/strict';
import { after, before, gotoReady, newPage, startBoth, stopBoth, test } from './helpers.mjs';
import { PLANNER, assertNoOverflow, checkState, fixture, nextPage, publish } from './survey-helpers.mjs';

let server;
let browser;
let slug;
let closedSlug;

before(async () => {
  ({ server, browser } = await startBoth({ users: [PLANNER] }));
  slug = await publish(server, fixture('how-to-take-part', 'osallistu-a11y'));
  const closed = fixture('safe-route-to-school', 'koulutie-suljettu');
  closed.opens = '2025-08-01T08:00:00+03:00';
  closed.closes = '2025-10-31T23:59:00+02:00';
  closedSlug = await publish(server, closed);
});

after(() => stopBoth(server, browser));

const phone = { viewport: { width: 360, height: 740 } };

async function state(page, what) {
  await assertNoOverflow(page, what);
  await checkState(page, what);
}

test('every page, its errors and the thank-you: axe in fi, sv, en at 360 px; branching', async () => {
  const page = await newPage(browser, phone);
  try {
    await gotoReady(page, `${server.url}/s/${slug}`);
    assert.equal(await page.textContent('#sv-progress-text'), 'Sivu 1/4');
    await page.click('#sv-next');
    await page.waitForSelector('#sv-summary:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'sv-summary');
    await state(page, 'page 1, errors');
    // The errors stay through the language switches, in the language shown.
    assert.equal(await page.textContent('#q-age_group-error'), 'Vastaa tähän kysymykseen.');
    assert.equal(await page.isVisible('#sv-summary'), true);

    // Under 18: the page "hours" is not asked.
    await page.click('label[for="q-age_group-c0"]');
    assert.equal(await page.textContent('#sv-progress-text'), 'Sivu 1/3');
    assert.equal(await page.isVisible('#q-age_group-error'), false, 'the error goes with the answer');
    await page.click('label[for="q-age_group-c2"]');
    assert.equal(await page.textContent('#sv-progress-text'), 'Sivu 1/4');
    await page.fill('#q-years_lived', '12');
    await state(page, 'page 1');
    await nextPage(page);

    assert.equal(await page.isVisible('#q-evening_date'), false);
    await page.click('label[for="q-ways_now-c1"]');
    await page.waitForSelector('#q-evening_date', { state: 'visible' });
    await page.fill('#q-evening_date', '2027-02-10');
    await page.click('label[for="q-ways_now-other"]');
    await page.fill('#q-ways_now-other-text', 'Kirjastossa');
    await page.click('label[for="q-influence-8"]');
    assert.equal(await page.isVisible('#q-why_not'), false, 'influence 8 > 4');
    await page.click('label[for="q-influence-3"]');
    await page.waitForSelector('#q-why_not', { state: 'visible' });
    await page.fill('#q-why_not', 'En tiedä, mihin vastaukset menevät.');
    await page.click('label[for="q-topics-inc-culture"]');
    await page.click('button[aria-label="Siirrä ylemmäs: Kulttuuri ja vapaa-aika"]');
    // A fourth pick is one too many: said at the question.
    await page.click('label[for="q-ways_now-c0"]');
    await page.click('label[for="q-ways_now-c2"]');
    await page.click('#sv-next');
    await page.waitForSelector('#q-ways_now-error:not([hidden])');
    assert.equal(await page.textContent('#q-ways_now-error'), 'Valitse enintään 3.');
    await state(page, 'page 2, errors');
    await page.click('label[for="q-ways_now-c2"]');
    await state(page, 'page 2');
    await nextPage(page);

    // The budget: four evenings use it all; nothing more fits.
    for (let i = 0; i < 4; i++) await page.click('#q-time_budget-q .sv-budget-item:nth-child(2) button:last-child');
    assert.equal(await page.getAttribute('#q-time_budget-q .sv-budget-item:nth-child(1) button:last-child', 'aria-disabled'), 'true');
    await page.click('#q-time_budget-q .sv-budget-item:nth-child(1) button:last-child', { force: true });
    assert.match(await page.textContent('#q-time_budget-total'), /jäljellä 0.*Rahat eivät riitä/);
    assert.equal(await page.getAttribute('#q-time_budget-total', 'aria-live'), 'polite');
    await state(page, 'page 3');
    await nextPage(page);

    await page.click('label[for="q-news_ok-yes"]');
    await page.fill('#q-news_email', 'asukas@example.fi');
    await state(page, 'page 4');
    await page.click('#sv-submit');
    await page.waitForSelector('#sv-thanks:not([hidden])', { timeout: 15000 });
    await state(page, 'thank-you');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a closed survey and an unknown one say so, accessibly', async () => {
  const page = await newPage(browser, phone);
  try {
    await gotoReady(page, `${server.url}/s/${closedSlug}`);
    assert.equal(await page.isVisible('#sv-closed'), true);
    assert.equal(await page.isVisible('#sv-form'), false);
    await state(page, 'closed survey');
    await gotoReady(page, `${server.url}/s/ei-tallaista`);
    assert.equal(await page.isVisible('#load-error'), true);
    await state(page, 'unknown survey');
    await gotoReady(page, `${server.url}/s/`);
    assert.equal(await page.locator(`a[href="/s/${slug}"]`).count(), 1);
    assert.equal(await page.locator(`a[href="/s/${closedSlug}"]`).count(), 0, 'a closed survey is not listed');
    await state(page, 'survey list');
  } finally {
    await page.closeAll();
  }
});
