// Each staff role lands where it works and is offered what it can use
// (issue 18): a planner signing in lands on the planner's page (surveys,
// budgeting rounds, results, the layers for QGIS and GDAL, statistics),
// not in the moderators' inbox; the navigation shows each role its pages
// and never one whose API would refuse it; ?next= still wins; axe finds no
// WCAG 2.1 AA violations on the planner's page in fi, sv and en.
import assert from 'node:assert/strict';
import {
  after, assertCleanInAllLanguages, before, gotoReady, newPage, signIn, signInWithKeyboard,
  startBoth, stopBoth, tabTo, test, waitSignedIn
} from './helpers.mjs';
import { call, login } from '../lib/server.mjs';

const PW = 'correct horse battery staple';
const USERS = [
  { name: 'pl-planner', role: 'planner', password: PW },
  { name: 'pl-moderator', role: 'moderator', password: PW },
  { name: 'pl-council', role: 'council', password: PW },
  { name: 'pl-admin', role: 'admin', password: PW },
];

let srv;
let browser;

before(async () => {
  ({ server: srv, browser } = await startBoth({ users: USERS }));
});
after(() => stopBoth(srv, browser));

// The links of the staff navigation a signed-in page shows.
const shownNav = (page) => page.$$eval('#staff-nav li:not([hidden]) > a', (as) => as.map((a) => a.getAttribute('href')));

// What each page of the navigation asks the API for first, by the route
// table's levels: the role must be let in (no 401/403) for the link to show.
const PAGE_API = {
  '/staff-planner.html': ['/api/v1/staff/surveys', '/api/v1/staff/budget/rounds'],
  '/staff.html': ['/api/v1/staff/feedback'],
  '/staff-surveys.html': ['/api/v1/staff/surveys'],
  '/staff-budget.html': ['/api/v1/staff/budget/rounds'],
  '/staff-walks.html': ['/api/v1/walks'],
  '/staff-walk-review.html': ['/api/v1/staff/walk-review'],
  '/staff-layers.html': ['/ogcapi/collections'],
  '/stats.html': ['/api/v1/stats/feedback'],
  '/staff-users.html': ['/api/v1/staff/users'],
  '/staff-audit.html': ['/api/v1/staff/audit'],
  '/staff-replies.html': ['/api/v1/staff/replies'],
  '/staff-mail.html': ['/api/v1/staff/mail/outbox'],
  '/': ['/api/v1/feedback'],
};

const EXPECTED = {
  planner: ['/staff-planner.html', '/staff-surveys.html', '/staff-budget.html', '/staff-walks.html',
    '/staff-walk-review.html', '/staff-layers.html', '/stats.html', '/'],
  moderator: ['/staff.html', '/staff-budget.html', '/staff-walks.html', '/staff-walk-review.html',
    '/staff-replies.html', '/'],
  council: ['/staff.html', '/staff-surveys.html', '/staff-budget.html', '/staff-walks.html',
    '/staff-walk-review.html', '/'],
  admin: Object.keys(PAGE_API).sort(),
};

test('without a session the planner\'s page says "sign in first" and leads back to itself', async () => {
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${srv.url}/staff-planner.html`);
    await page.waitForSelector('#signed-out:not([hidden])');
    assert.ok(await page.isHidden('#planner'));
    assert.equal(await page.getAttribute('#signin-link', 'href'), '/staff.html?next=%2Fstaff-planner.html');
    await assertCleanInAllLanguages(page, 'planner\'s page signed out');
    // Signing in from there (a moderator, whose landing is the inbox) comes back.
    await tabTo(page, '#signin-link');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#signin-section:not([hidden])');
    await page.fill('#signin-name', 'pl-moderator');
    await page.fill('#signin-password', PW);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-planner.html');
    await page.waitForSelector('#pl-surveys-body tr');
  } finally {
    await page.closeAll();
  }
});

test('a planner signs in by keyboard and lands on the planner\'s page, with the surveys, rounds and layers', async () => {
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'pl-planner', PW);
    assert.equal(new URL(page.url()).pathname, '/staff-planner.html', 'not the inbox');
    assert.ok(await page.isHidden('#nav-inbox'), 'the inbox is not the planner\'s');
    assert.equal(await page.getAttribute('#nav-planner', 'aria-current'), 'page');

    // The lists are the API's.
    const s = await login(srv, 'pl-planner', PW);
    const surveys = (await call(srv, 'GET', '/api/v1/staff/surveys', { cookie: s.cookie })).json.surveys;
    const rounds = (await call(srv, 'GET', '/api/v1/staff/budget/rounds', { cookie: s.cookie })).json.rounds;
    assert.ok(surveys.length && rounds.length, 'the demo has surveys and rounds');
    await page.waitForSelector('#pl-surveys-body tr');
    assert.deepEqual(await page.$$eval('#pl-surveys-body tr', (trs) => trs.map((tr) => tr.dataset.slug)),
      surveys.map((x) => x.slug));
    assert.deepEqual(await page.$$eval('#pl-rounds-body tr', (trs) => trs.map((tr) => tr.dataset.slug)),
      rounds.map((x) => x.slug));
    // Results for every survey past its draft.
    const published = surveys.filter((x) => x.state !== 'draft').map((x) => x.slug);
    assert.ok(published.length);
    const resultLinks = await page.$$eval('#pl-surveys-body a[data-action="results"]', (as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(resultLinks, published.map((slug) => `/staff-survey-results.html?slug=${encodeURIComponent(slug)}`));
    assert.equal(await page.inputValue('#pl-oapif'), `${srv.url}/ogcapi`);
    await assertCleanInAllLanguages(page, 'planner\'s page');

    // By keyboard to the layers page with its QGIS and GDAL URLs.
    await tabTo(page, '#pl-layers');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-layers.html');
    await page.waitForSelector('section[data-collection="feedback"] input');

    // The front door of the staff pages opens the planner's own page again;
    // an inbox address with a queue stays the inbox (read-only for planners).
    await gotoReady(page, `${srv.url}/staff.html`);
    await page.waitForURL('**/staff-planner.html');
    await page.waitForSelector('body[data-ready="true"]');
    await gotoReady(page, `${srv.url}/staff.html?status=all`);
    await page.waitForSelector('#inbox-body tr th a');
    assert.equal(new URL(page.url()).pathname, '/staff.html');
    assert.ok(await page.isHidden('#bulk-form'));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('?next= wins over the role\'s landing page', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, srv.url, 'pl-planner', PW, { next: '/staff-surveys.html' });
    assert.equal(new URL(page.url()).pathname, '/staff-surveys.html');
    // Signing in on an inbox address with a queue keeps that queue.
    const queue = await newPage(browser);
    try {
      await gotoReady(queue, `${srv.url}/staff.html?status=all`);
      await queue.fill('#signin-name', 'pl-planner');
      await queue.fill('#signin-password', PW);
      await queue.press('#signin-password', 'Enter');
      assert.equal(await waitSignedIn(queue), 'planner');
      assert.equal(new URL(queue.url()).pathname + new URL(queue.url()).search, '/staff.html?status=all');
    } finally {
      await queue.closeAll();
    }
    const mod = await newPage(browser);
    try {
      await signInWithKeyboard(mod, srv.url, 'pl-moderator', PW, { next: '/staff-replies.html' });
      assert.equal(new URL(mod.url()).pathname, '/staff-replies.html');
    } finally {
      await mod.closeAll();
    }
  } finally {
    await page.closeAll();
  }
});

for (const role of ['planner', 'moderator', 'council', 'admin']) {
  test(`the navigation offers a ${role} its pages, each of which the API lets it use`, async () => {
    const page = await newPage(browser);
    try {
      const landed = await signIn(page, srv.url, `pl-${role}`, PW);
      assert.equal(landed, role);
      assert.equal(new URL(page.url()).pathname, role === 'planner' ? '/staff-planner.html' : '/staff.html');
      const shown = await shownNav(page);
      assert.deepEqual([...shown].sort(), [...EXPECTED[role]].sort());
      // Never a page whose API refuses the role.
      const s = await login(srv, `pl-${role}`, PW);
      for (const href of shown) {
        assert.ok(PAGE_API[href], `${href} has its API listed here`);
        for (const api of PAGE_API[href]) {
          const r = await call(srv, 'GET', api, { cookie: s.cookie });
          assert.equal(r.status, 200, `${role}: ${href} needs ${api}, answered ${r.status}`);
        }
      }
      // And the admins' pages answer 403 to anyone else, so hiding them matters.
      if (role !== 'admin') {
        const r = await call(srv, 'GET', '/api/v1/staff/users', { cookie: s.cookie });
        assert.equal(r.status, 403);
      }
    } finally {
      await page.closeAll();
    }
  });
}
