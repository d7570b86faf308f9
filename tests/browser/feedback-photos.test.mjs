// Photos on feedback in the browser (issue 16): a resident reports with a
// photo chosen by keyboard (the file input opened with Space), sees its
// preview and a remove button, and sends; the follow-up page says one photo
// waits for moderation; a moderator approves it on the item page by
// keyboard; the follow-up page, the public list and the API then show the
// thumbnail. axe-core finds no WCAG 2.1 AA violation in fi, sv and en on the
// form with a photo, the staff item page and the follow-up page.
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  after, assertCleanInAllLanguages, before, chooseFileByKeyboard, findByDescription, getJSON, gotoReady, newPage, openApp,
  signInWithKeyboard, startBoth, stopBoth, tabTo, test, waitForImage, waitForSuccess
} from './helpers.mjs';
import { repoRoot } from '../lib/server.mjs';

const PW = 'correct horse battery staple';
const FX = path.join(repoRoot, 'tests/fixtures/photos');
let server;
let browser;

before(async () => {
  ({ server, browser } = await startBoth({ users: [{ name: 'moderator1', role: 'moderator', password: PW }] }));
});
after(() => stopBoth(server, browser));

const focusedId = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);

// Space on a focused file input opens the chooser; the test picks the file.
const chooseByKeyboard = (page, selector, file) => chooseFileByKeyboard(page, selector, path.join(FX, file));

test('report with a photo by keyboard, a moderator approves it, the follow-up page shows it', async () => {
  const page = await openApp(browser, server.url, { lang: 'fi' });
  let followUrl, id;
  try {
    await tabTo(page, '#open-form');
    await page.keyboard.press('Enter');
    await tabTo(page, 'input[name="mode"]');
    await page.keyboard.press('Space');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown'); // without the map
    await tabTo(page, '#district');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, '#place');
    await page.keyboard.type('Kirjaston pääovi');
    await tabTo(page, '#category');
    await page.keyboard.press('ArrowDown');
    const description = `Valokuvan kanssa: ramppi on rikki ${Date.now()}`;
    await tabTo(page, '#description');
    await page.keyboard.type(description);

    // Two photos, then one removed with its own button.
    await chooseByKeyboard(page, '#photo-gallery', 'gps-rotated.jpg');
    await page.waitForFunction(() => document.querySelectorAll('#photo-list .photo-state').length === 1);
    await chooseByKeyboard(page, '#photo-gallery', 'tiny.png');
    await page.waitForFunction(() => document.querySelectorAll('#photo-list .photo-state').length === 2);
    assert.match(await page.textContent('#photos-status'), /tiny\.png/);
    await tabTo(page, '#photo-list li:nth-child(2) button');
    assert.match(await page.textContent('#photo-list li:nth-child(2) button'), /Poista kuva tiny\.png/);
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#photo-list li').count(), 1);
    assert.equal(await focusedId(page), 'photo-gallery', 'focus goes back to the photo input');
    await page.waitForSelector('#photo-list img.photo-preview:not([hidden])');
    await assertCleanInAllLanguages(page, 'report form with a photo');

    await tabTo(page, '#submit');
    await page.keyboard.press('Enter');
    await waitForSuccess(page);
    followUrl = await page.inputValue('#followup-url');
    const f = await findByDescription(server.url, description);
    id = f.id;
    assert.deepEqual(f.properties.photos, [], 'not public before moderation');
  } finally {
    await page.close();
  }

  // The reporter's page: one photo waits.
  const follow = await newPage(browser);
  try {
    await gotoReady(follow, followUrl);
    await follow.waitForSelector('#photos-section:not([hidden]) .photos-waiting');
    assert.match(await follow.textContent('#photos-box'), /odottaa.*: 1/);
  } finally {
    await follow.close();
  }

  // The moderator approves it by keyboard.
  const staff = await newPage(browser);
  try {
    await signInWithKeyboard(staff, server.url, 'moderator1', PW);
    await gotoReady(staff, `${server.url}/staff-item.html?id=${id}`);
    await waitForImage(staff, '#photo-review img.photo-thumb', 'the moderator sees the pending photo');
    assert.match(await staff.textContent('#photo-review'), /odottaa tarkistusta/);
    await assertCleanInAllLanguages(staff, 'staff item with a pending photo');
    await tabTo(staff, '#photo-approve-1');
    await staff.keyboard.press('Enter');
    await staff.waitForFunction(() => /hyväksytty/.test(document.getElementById('photo-review').textContent));
    assert.match(await staff.textContent('#history'), /Kuva hyväksyttiin/);
  } finally {
    await staff.close();
  }

  // Public now: the follow-up page, the API and the public list show it.
  const item = await getJSON(server.url, `/api/v1/feedback/${id}`);
  assert.equal(item.properties.photos.length, 1);
  const again = await newPage(browser);
  try {
    await gotoReady(again, followUrl);
    await waitForImage(again, '#photos-box img.photo-thumb', 'the thumbnail loads');
    assert.equal(await again.locator('.photos-waiting').count(), 0);
    await assertCleanInAllLanguages(again, 'follow-up with a photo');
    await gotoReady(again, `${server.url}/?lang=fi`);
    await again.waitForSelector(`#fb-${id} img.photo-thumb`);
    assert.equal(await again.getAttribute(`#fb-${id} img.photo-thumb`, 'alt'), `Kuva 1 palautteesta ${id}`);
  } finally {
    await again.close();
  }
});
