// The neighbourhood geobudget survey answered by keyboard alone, with the
// map hidden, on a 360 px wide screen: the budget's items placed without
// the map (typed coordinates, a district, one of the survey's places, in
// words), a running total that cannot go over the budget, a ranking moved
// with its buttons, a matrix, a place choice that opens a later question,
// a skipped date. No page scrolls sideways; axe finds nothing on any page
// in fi, sv and en; the server stores the response.
import assert from 'node:assert/strict';
import { after, before, gotoReady, newPage, startBoth, stopBoth, tabTo, test } from './helpers.mjs';
import { PLANNER, assertNoOverflow, checkState, fixture, keyOn, publish } from './survey-helpers.mjs';

let server;
let browser;
let slug;

before(async () => {
  ({ server, browser } = await startBoth({ users: [PLANNER] }));
  slug = await publish(server, fixture('neighbourhood-geobudget', 'budjetti-nappaimisto'));
});

after(() => stopBoth(server, browser));

const focusedId = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);

test('answer the geobudget survey by keyboard with the map hidden, at 360 px', async () => {
  const page = await newPage(browser, { viewport: { width: 360, height: 740 } });
  try {
    await gotoReady(page, `${server.url}/s/${slug}?lang=en`);
    await assertNoOverflow(page, 'page 1 with the map');
    await keyOn(page, '#sv-nomap');
    await page.waitForSelector('#q-improvements-q .sv-map-question');
    assert.equal(await page.locator('.leaflet-container').count(), 0, 'no map once hidden');

    // The playground (25 000): placed by typed coordinates.
    await keyOn(page, 'button[aria-label="More: Renovating a playground"]', 'Enter');
    assert.match(await page.textContent('#q-improvements-total'), /Spent €25,000 of €40,000, €15,000 left\./);
    await tabTo(page, '#q-improvements-f0-coords');
    await page.keyboard.type('61.212, 28.792');
    await page.keyboard.press('Tab');
    // Two benches (1 500 each): a district and one of the survey's places.
    for (let i = 0; i < 2; i++) {
      await keyOn(page, 'button[aria-label="More: A bench"]', 'Enter', { shift: true });
    }
    await keyOn(page, '#q-improvements-f1-way-coords', 'ArrowDown'); // → district
    assert.equal(await page.isChecked('#q-improvements-f1-way-district'), true);
    await tabTo(page, '#q-improvements-f1-district');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await keyOn(page, '#q-improvements-f2-way-coords', 'ArrowDown');
    await page.keyboard.press('ArrowDown'); // → place
    assert.equal(await page.isChecked('#q-improvements-f2-way-place'), true);
    await tabTo(page, '#q-improvements-f2-place');
    await page.keyboard.press('ArrowDown');
    // A street light (6 000), described in words: 34 000 in all.
    await keyOn(page, 'button[aria-label="More: A street light"]', 'Enter', { shift: true });
    await keyOn(page, '#q-improvements-f3-way-coords', 'ArrowUp'); // wraps to "in words"
    assert.equal(await page.isChecked('#q-improvements-f3-way-description'), true);
    await tabTo(page, '#q-improvements-f3-words');
    await page.keyboard.type('By the path behind the school');
    assert.match(await page.textContent('#q-improvements-total'), /Spent €34,000 of €40,000, €6,000 left\./);
    // A bus shelter (8 000) would go over: refused, and said so.
    await keyOn(page, 'button[aria-label="More: A shelter at a bus stop"]', 'Enter', { shift: true });
    assert.equal(await page.getAttribute('button[aria-label="More: A shelter at a bus stop"]', 'aria-disabled'), 'true');
    assert.match(await page.textContent('#q-improvements-total'), /€34,000 of €40,000.*not enough money/);
    assert.equal(await page.locator('#q-improvements-list > li').count(), 4);
    // A bench taken away again with its minus button: 32 500.
    await keyOn(page, 'button[aria-label="Fewer: A bench"]', 'Enter');
    assert.equal(await page.locator('#q-improvements-list > li').count(), 3);
    assert.match(await page.textContent('#q-improvements-total'), /Spent €32,500/);
    await assertNoOverflow(page, 'page 1 without the map');
    await checkState(page, 'geobudget page', true);

    await keyOn(page, '#sv-next', 'Enter');
    await page.waitForSelector('#q-priorities-q');
    assert.equal(await focusedId(page), 'sv-page-title', 'the new page\'s title has the focus');

    // Ranking: "Play and exercise" one down, then "Safety" to the top.
    await keyOn(page, 'button[aria-label="Move down: Play and exercise"]', 'Enter');
    for (let i = 0; i < 3; i++) {
      await keyOn(page, 'button[aria-label="Move up: Safety"]', 'Enter');
    }
    assert.equal(await page.isChecked('#q-priorities-ok'), true);
    assert.deepEqual(await page.$$eval('#q-priorities-q .sv-rank-name', (n) => n.map((x) => x.textContent)),
      ['Safety', 'Public transport', 'Play and exercise', 'Green spaces']);
    // Matrix: each row is a radio group; Space picks, arrows move along.
    await keyOn(page, '#q-satisfaction-0-0');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.isChecked('#q-satisfaction-2-2'), true);
    // The comments are asked: at least two items were placed.
    assert.equal(await page.isVisible('#q-comments'), true);
    await keyOn(page, '#q-favourite_spot-p0');
    await keyOn(page, '#q-park_visit-skip');
    assert.equal(await page.isDisabled('#q-park_visit'), true);
    await tabTo(page, '#q-comments');
    await page.keyboard.type('More benches, please.');
    await assertNoOverflow(page, 'page 2');
    await checkState(page, 'opinions page', true);

    await keyOn(page, '#sv-submit', 'Enter');
    await page.waitForSelector('#sv-thanks:not([hidden])', { timeout: 15000 });
    assert.equal(await focusedId(page), 'sv-thanks');
    assert.match(await page.textContent('#sv-thanks'), /results will be published/);
    await assertNoOverflow(page, 'thank-you');
    await checkState(page, 'thank-you', true);

    // Asking for the outcome by e-mail, by keyboard alone: the consent is
    // needed (said next to the box, focus on it), then the address is saved.
    await tabTo(page, '.ask-mail input[name="email"]');
    await page.keyboard.type('kb.respondent@example.org');
    await keyOn(page, '.ask-mail button[type="submit"]', 'Enter');
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'consent');
    assert.match(await page.textContent('.ask-mail'), /Tick the consent/);
    await page.keyboard.press('Space');
    await keyOn(page, '.ask-mail button[type="submit"]', 'Enter');
    await page.waitForFunction(() => /You will get a message/.test(document.activeElement?.textContent || ''));
    await checkState(page, 'asked for the outcome', true);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
