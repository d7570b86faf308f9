// The audit log page (issue 5): an admin changes a user, then opens the
// audit log from the navigation by keyboard alone and finds the change in
// words with a link to the account; filters by actor, pages to older
// events and back; axe finds no WCAG 2.1 AA violations in Finnish,
// Swedish or English. Moderators are told it is for admins; without a
// session the page says "sign in first".
import assert from 'node:assert/strict';
import {
  after, assertCleanInAllLanguages, axeViolations, before, formatViolations, gotoReady, newPage,
  signInWithKeyboard, startBoth, stopBoth, tabTo, test
} from './helpers.mjs';

const PW = 'correct horse battery staple';
const USERS = [
  { name: 'admin1', role: 'admin', password: PW },
  { name: 'moderator1', role: 'moderator', password: PW },
  { name: 'spare', role: 'council', password: PW },
];

let srv;
let browser;

before(async () => {
  ({ server: srv, browser } = await startBoth({ users: USERS, tokens: [{ name: 'admin-bot', role: 'admin' }] }));
});
after(() => stopBoth(srv, browser));

const open = (page, pathAndQuery) => gotoReady(page, `${srv.url}${pathAndQuery}`);

const signInByKeyboard = (page, name) => signInWithKeyboard(page, srv.url, name, PW);

const rowTexts = (page) => page.$$eval('#events-body tr', (trs) => trs.map((tr) => tr.textContent));

test('without a session the audit page says "sign in first", and is clean', async () => {
  const page = await newPage(browser);
  try {
    await open(page, '/staff-audit.html');
    await page.waitForSelector('#signed-out:not([hidden])');
    assert.match(await page.getAttribute('#signin-link', 'href'), /^\/staff\.html\?next=/);
    await assertCleanInAllLanguages(page, 'audit signed out');
  } finally {
    await page.closeAll();
  }
});

test('a moderator has no link to it and is told it is for admins', async () => {
  const page = await newPage(browser);
  try {
    await signInByKeyboard(page, 'moderator1');
    assert.ok(await page.isHidden('#nav-audit'));
    await open(page, '/staff-audit.html');
    await page.waitForSelector('#admins-only:not([hidden])');
    assert.ok(await page.isHidden('#audit'));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('an admin changes a user, then reads it in the audit log by keyboard', async () => {
  const page = await newPage(browser);
  try {
    await signInByKeyboard(page, 'admin1');
    // The change: moderator1 becomes a planner, on the users page (the
    // header is behind: back up past the inbox's rows).
    await tabTo(page, '#nav-users', { shift: true, max: 200 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('#users-body tr');
    await page.selectOption('#e-name', 'moderator1');
    await page.selectOption('#e-role', 'planner');
    await tabTo(page, '#e-submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /moderator1/.test(document.getElementById('live').textContent));

    // To the audit log from the navigation, by keyboard.
    await tabTo(page, '#nav-audit');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-audit.html');
    await page.waitForSelector('#events-body tr');
    assert.equal(await page.getAttribute('#nav-audit', 'aria-current'), 'page');
    const first = (await rowTexts(page))[0];
    assert.match(first, /admin1/);
    assert.match(first, /Rooli vaihdettiin/);
    assert.match(first, /käyttäjä moderator1/);
    assert.match(first, /rooli: moderaattori/i);
    assert.match(first, /rooli: suunnittelija/i);
    const link = await page.getAttribute('#events-body tr:first-child a', 'href');
    assert.equal(link, '/staff-users.html?name=moderator1');
    // Sign-ins and the command line are there in words too.
    const all = (await rowTexts(page)).join('\n');
    assert.match(all, /Kirjautui sisään/);
    assert.match(all, /Käyttäjä lisättiin/);
    assert.match(all, /komentorivi \(/);
    await assertCleanInAllLanguages(page, 'audit log');
    assert.match((await rowTexts(page))[0], /Rooli vaihdettiin/, 'back in Finnish');

    // Filter by who did it, by keyboard.
    await tabTo(page, '#f-actor');
    await page.keyboard.type('admin1');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('#events-body tr')]
      .every((tr) => tr.children[1].textContent === 'admin1'));
    assert.ok((await rowTexts(page)).length >= 2, 'the sign-in and the role change');

    // The account link opens that account in the change form.
    await tabTo(page, '#events-body a[href="/staff-users.html?name=moderator1"]');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-users.html?name=moderator1');
    await page.waitForFunction(() => document.getElementById('e-name').value === 'moderator1');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('older events page by page, by keyboard', async () => {
  // Sixty more events: "spare" disabled and enabled thirty times.
  const headers = { Authorization: `Bearer ${srv.tokens['admin-bot']}`, 'Content-Type': 'application/json' };
  for (let i = 0; i < 60; i++) {
    const r = await fetch(`${srv.url}/api/v1/staff/users/spare`, {
      method: 'PATCH', headers, body: JSON.stringify({ disabled: i % 2 === 0 }),
    });
    assert.equal(r.status, 200);
  }
  const page = await newPage(browser);
  try {
    await signInByKeyboard(page, 'admin1');
    await open(page, '/staff-audit.html');
    await page.waitForSelector('#events-body tr');
    assert.equal((await rowTexts(page)).length, 50);
    const firstPage = await rowTexts(page);
    await tabTo(page, '#older');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'events-heading');
    const secondPage = await rowTexts(page);
    assert.ok(secondPage.length > 0);
    assert.notDeepEqual(secondPage[0], firstPage[0]);
    assert.match(secondPage.join('\n'), /Käyttäjä lisättiin/, 'the oldest events are on a later page');
    await tabTo(page, '#newest');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('newest').hidden);
    assert.deepEqual((await rowTexts(page))[0], firstPage[0]);
    const v = await axeViolations(page);
    assert.equal(v.length, 0, formatViolations(v));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
