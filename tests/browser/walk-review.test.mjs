// The council's review of accessibility-walk findings (issue 14,
// docs/walks.md "Council review and consensus"): a council member finds
// the review list in the staff navigation and reviews a demo finding by
// keyboard alone (agree, another grade, a comment), and the consensus on
// the card changes; a second member disagrees on the finding's own page
// and the consensus becomes split, then withdraws; a moderator sees the
// reviews without a form and turns a resident's accessibility feedback
// into a finding. axe finds nothing on the pages in fi, sv and en.
import assert from 'node:assert/strict';
import { after, before, gotoReady, newPage, signIn, signInWithKeyboard, startBoth, stopBoth, tabTo, test, waitForImage } from './helpers.mjs';
import { checkState } from './survey-helpers.mjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { call, login, repoRoot } from '../lib/server.mjs';

const PW = 'walk review password 3b7d';
const USERS = [
  { name: 'review-council', role: 'council', password: PW },
  { name: 'review-council-2', role: 'council', password: PW },
  { name: 'review-moderator', role: 'moderator', password: PW },
];

let srv;
let browser;
// A finding recorded now by staff with a photo and a measurement: the
// newest in the review list.
const PHOTO_FINDING = '6f1c2f4e-8a3b-4f59-9d2e-0b1d4c7a9e10';

before(async () => {
  ({ server: srv, browser } = await startBoth({ users: USERS }));
  const bytes = readFileSync(path.join(repoRoot, 'tests/fixtures/photos/tiny.png'));
  const up = await fetch(`${srv.url}/api/v1/photos`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
  const photo = await up.json();
  assert.equal(up.status, 201, JSON.stringify(photo));
  const s = await login(srv, 'review-moderator', PW);
  const r = await call(srv, 'POST', '/api/v1/walks/1/findings', { cookie: s.cookie, csrf: s.csrf, body: {
    id: PHOTO_FINDING, geometry: { type: 'Point', coordinates: [28.8135, 61.2214] }, type: 'kerb', grade: 'este',
    groups: ['wheelchair'], measurements: { kerb_height_mm: 60 }, description: 'Reunakivi korkea suojatiellä.', photos: [photo.id] } });
  assert.equal(r.status, 201, r.text);
});
after(() => stopBoth(srv, browser));

const open = (page, p) => gotoReady(page, `${srv.url}${p}`);

async function staffGet(name, url) {
  const s = await login(srv, name, PW);
  const r = await call(srv, 'GET', url, { cookie: s.cookie });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function live(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('live').textContent), re.source);
}

test('a council member reviews a finding by keyboard alone and the consensus shows; a second one disagrees and withdraws', async () => {
  const page = await newPage(browser);
  const second = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'review-council', PW);
    // The council sees the review page in the navigation.
    await tabTo(page, '#staff-nav a[href="/staff-walk-review.html"]', { shift: true, max: 200 }); // above the inbox
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-walk-review.html');
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#review-list li.card');
    await checkState(page, 'review list (council)');

    // Only findings not yet reviewed by me: the kind and "reviewed" by keyboard.
    await tabTo(page, '#f-kind');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.inputValue('#f-kind'), 'finding');
    await tabTo(page, '#f-reviewed');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.inputValue('#f-reviewed'), 'no');
    await tabTo(page, '#filter-apply');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.search.includes('kind=finding'));
    await page.waitForFunction(() => [...document.querySelectorAll('#review-list li.card')].every((li) => li.dataset.kind === 'finding'));
    const list = await staffGet('review-council', '/api/v1/staff/walk-review?kind=finding&reviewed=no&limit=20');
    const ids = await page.$$eval('#review-list li.card', (lis) => lis.map((li) => li.dataset.id));
    assert.deepEqual(ids, list.items.map((i) => i.id), 'the list is the API\'s, newest first');
    const item = list.items[0];
    assert.equal(item.id, PHOTO_FINDING, 'the newest first');
    const before = item.consensus;
    // Its photo as a thumbnail with words, linking to the display size.
    const card = `#review-list li.card[data-id="${item.id}"]`;
    const img = await page.$eval(`${card} .ws-photos img`, (i) => ({ src: i.getAttribute('src'), alt: i.alt, href: i.parentNode.getAttribute('href') }));
    assert.match(img.src, /^\/api\/v1\/photos\/[0-9a-f]+\/thumb$/);
    assert.equal(img.href, img.src.replace(/thumb$/, 'display'));
    assert.equal(img.alt, 'Valokuva 1: Reunakivet ja tasoerot');
    await waitForImage(page, `${card} .ws-photos img`, 'the thumbnail loads');
    // Its place in words, for those without a map.
    assert.match(await page.textContent(card), /61\.22140, 28\.81350/);
    // Its measurement with the verdict at its level.
    assert.match(await page.textContent(`${card} [data-measure="kerb_height_mm"]`), /60\s*mm – Este/);

    // The card shows the finding's measurements with their verdicts.
    const full = (await call(srv, 'GET', `/api/v1/walk-findings/${item.id}`)).json.finding.properties;
    for (const k of Object.keys(full.measurements)) {
      assert.ok(await page.isVisible(`#review-list li.card[data-id="${item.id}"] [data-measure="${k}"]`), k);
    }

    // Agree, the grade "vaara", a comment: by keyboard.
    await tabTo(page, '#rv-0-vote-agree');
    await page.keyboard.press('Space');
    assert.ok(await page.isChecked('#rv-0-vote-agree'));
    await tabTo(page, '#rv-0-grade');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.inputValue('#rv-0-grade'), 'vaara');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Vaarallinen liukkaalla kelillä.');
    await tabTo(page, '#rv-0-submit');
    await page.keyboard.press('Enter');
    await live(page, /Arviosi tallennettiin/);

    const after1 = (await call(srv, 'GET', `/api/v1/walk-findings/${item.id}`)).json.finding.properties.consensus;
    assert.equal(after1.reviews, before.reviews + 1);
    assert.equal(after1.agree, before.agree + 1);
    const shown = await page.textContent('#rv-0-consensus');
    assert.ok(shown.includes(`${after1.reviews} arvio`), shown);
    assert.ok(shown.includes(`${after1.agree} samaa`), shown);
    const staffView = await staffGet('review-council', `/api/v1/staff/walk-findings/${item.id}`);
    const mine = staffView.reviews.find((r) => r.reviewer === 'review-council');
    assert.deepEqual({ vote: mine.vote, grade: mine.grade, comment: mine.comment },
      { vote: 'agree', grade: 'vaara', comment: 'Vaarallinen liukkaalla kelillä.' });
    await checkState(page, 'review list after a review');

    // The second member disagrees on the finding's own page.
    await signIn(second, srv.url, 'review-council-2', PW);
    await open(second, `/staff-walk-finding.html?id=${item.id}`);
    await second.waitForSelector('#review-form:not([hidden])');
    assert.match(await second.textContent('#reviews-body'), /Vaarallinen liukkaalla kelillä/);
    await checkState(second, 'finding page with the review form');
    // No vote chosen: told at the vote.
    await second.click('#r-submit');
    await second.waitForSelector('#r-vote-agree-error:not([hidden])');
    assert.match(await second.textContent('#r-vote-agree-error'), /samaa mieltä, eri mieltä/);
    await second.check('#r-vote-disagree');
    await second.fill('#r-comment', 'Ei estä kulkua.');
    await second.click('#r-submit');
    await live(second, /tallennettiin/);
    const after2 = (await call(srv, 'GET', `/api/v1/walk-findings/${item.id}`)).json.finding.properties.consensus;
    assert.equal(after2.disagree, before.disagree + 1);
    assert.ok((await second.textContent('#consensus')).includes(`${after2.disagree} eri`));
    assert.equal(await second.textContent('#consensus'),
      await second.evaluate((c) => VK.walkStaff.consensusText(c), after2), 'the page says what the API counts');
    // Withdrawn: the count goes back.
    assert.ok(await second.isVisible('#r-withdraw'));
    await second.click('#r-withdraw');
    await live(second, /peruttiin/);
    const after3 = (await call(srv, 'GET', `/api/v1/walk-findings/${item.id}`)).json.finding.properties.consensus;
    assert.deepEqual(after3, after1);
    assert.ok(await second.isHidden('#r-withdraw'));
    assert.deepEqual(page.errors, []);
    assert.deepEqual(second.errors, []);
  } finally {
    await page.closeAll();
    await second.closeAll();
  }
});

test('a moderator sees the reviews without a form and turns accessibility feedback into a finding', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, srv.url, 'review-moderator', PW);
    await open(page, '/staff-walk-review.html?kind=feedback');
    await page.waitForSelector('#review-list li.card');
    assert.ok(await page.isVisible('#review-read-only'));
    assert.equal(await page.$$eval('.ws-review-form', (fs) => fs.length), 0, 'no review forms for a moderator');
    const list = await staffGet('review-moderator', '/api/v1/staff/walk-review?kind=feedback&limit=20');
    const todo = list.items.findIndex((i) => i.finding === null);
    assert.ok(todo >= 0, 'the demo has accessibility feedback not yet a finding');
    const fb = list.items[todo];
    await page.click(`#fb-${todo} summary`);
    await checkState(page, 'review list (moderator, feedback form open)');
    await page.selectOption(`#ff-${todo}-type`, 'kerb');
    await page.selectOption(`#ff-${todo}-grade`, 'este');
    await page.check(`#ff-${todo}-group-0`);
    await page.click(`#ff-${todo}-submit`);
    await page.waitForSelector(`#fb-${todo}-finding`);
    assert.equal(await page.evaluate(() => document.activeElement.id), `fb-${todo}-finding`);
    const href = await page.getAttribute(`#fb-${todo}-finding`, 'href');
    const fid = decodeURIComponent(href.split('id=')[1]);
    const made = (await call(srv, 'GET', `/api/v1/walk-findings/${fid}`)).json.finding;
    assert.equal(made.properties.source, 'feedback');
    assert.equal(made.properties.feedback, fb.id);
    assert.equal(made.properties.type, 'kerb');
    assert.equal(made.properties.grade, 'este');
    assert.deepEqual(made.properties.groups, ['wheelchair']);
    assert.deepEqual(made.geometry, fb.geometry);
    assert.equal(made.properties.description, fb.description);
    const again = await staffGet('review-moderator', '/api/v1/staff/walk-review?kind=feedback&limit=20');
    assert.equal(again.items.find((i) => i.id === fb.id).finding, fid);

    // The link opens the finding's staff view, read-only for reviews.
    await page.click(`#fb-${todo}-finding`);
    await page.waitForURL(`**/staff-walk-finding.html?id=${encodeURIComponent(fid)}`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#details dt');
    assert.ok(await page.isHidden('#review-form'));
    assert.match(await page.textContent('#details'), new RegExp(`Asukkaan palaute ${fb.id}`));
    await checkState(page, 'finding made from feedback (moderator)');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('pages without a session say "sign in first" and are clean', async () => {
  const page = await newPage(browser);
  try {
    for (const p of ['/staff-walks.html', '/staff-walk-review.html', '/staff-walk-finding.html?id=x', '/staff-walk-areas.html']) {
      await open(page, p);
      await page.waitForSelector('#signed-out:not([hidden])');
      assert.match(await page.getAttribute('#signin-link', 'href'), /^\/staff\.html\?next=/);
      await checkState(page, `${p} signed out`);
    }
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
