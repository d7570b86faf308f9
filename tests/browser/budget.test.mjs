// Participatory budgeting in the browser (issue 13, docs/budgeting.md):
// a resident proposes with the mouse and says "me too"; a planner reviews
// the proposals and merges them into a project on staff-budget.html and
// makes voting codes there; a voter votes with a code by keyboard alone,
// and the budget cannot be exceeded; the results and the winners' status
// are shown. Every budget page and state passes axe-core in fi, sv and en
// and works 360 px wide.
import assert from 'node:assert/strict';
import { after, before, gotoReady, newPage, signIn, startBoth, stopBoth, tabTo, test } from './helpers.mjs';
import { assertNoOverflow, checkState } from './survey-helpers.mjs';
import { call, login } from '../lib/server.mjs';

const PLANNER = { name: 'budget-planner', role: 'planner', password: 'budget planner password 4d2a' };
const SECOND = { name: 'budget-moderator', role: 'moderator', password: 'budget moderator password 9e1b' };
const SLUG = 'huvikumpu-2027';
const phone = { viewport: { width: 360, height: 740 } };

let server;
let browser;
let auth;
let codes; // made on the staff page, used by the voters

// One area's budget of 15 000 €: a 12 000 € and a 10 000 € project do not
// fit together.
const ROUND = {
  slug: SLUG,
  title: { fi: 'Osallistuva budjetti 2027', sv: 'Medborgarbudget 2027', en: 'Participatory budget 2027' },
  description: { fi: 'Ehdota ja äänestä.', sv: 'Föreslå och rösta.', en: 'Propose and vote.' },
  budget: 15000,
  categories: [{ key: 'play', name: { fi: 'Leikki', sv: 'Lek', en: 'Play' } },
    { key: 'green', name: { fi: 'Viheralueet', sv: 'Grönområden', en: 'Green areas' } }],
  phases: {
    proposals: { starts: '2030-01-10T00:00:00Z' },
    review: { starts: '2030-02-15T00:00:00Z' },
    voting: { starts: '2030-03-15T00:00:00Z' },
    results: { starts: '2030-04-01T00:00:00Z' },
    implementation: { starts: '2030-05-01T00:00:00Z' },
  },
  voting: { rule: 'knapsack', min_share: 0 },
  voters: ['codes', 'open'],
  method: 'greedy',
};

async function staff(method, url, body) {
  const r = await call(server, method, url, { ...auth, body });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${url}: ${r.status} ${r.text}`);
  return r.json;
}
const setPhase = (phase) => staff('POST', `/api/v1/staff/budget/rounds/${SLUG}/phase`, { phase });

async function state(page, what) {
  await assertNoOverflow(page, what);
  await checkState(page, what);
}

before(async () => {
  ({ server, browser } = await startBoth({ users: [PLANNER, SECOND] }));
  const s = await login(server, PLANNER.name, PLANNER.password);
  assert.equal(s.status, 200, s.text);
  auth = { cookie: s.cookie, csrf: s.csrf };
  await staff('POST', '/api/v1/staff/budget/rounds', ROUND);
  await staff('POST', `/api/v1/staff/budget/rounds/${SLUG}/publish`);
  await setPhase('proposals');
});

after(() => stopBoth(server, browser));

test('a resident proposes with the mouse and says "me too"; the list of rounds', async () => {
  const page = await newPage(browser, phone);
  try {
    await gotoReady(page, `${server.url}/b/`);
    assert.equal(await page.locator(`a[href="/b/${SLUG}"]`).count(), 1);
    await state(page, 'rounds list');

    await gotoReady(page, `${server.url}/b/${SLUG}`);
    assert.equal(await page.isVisible('#b-propose'), true);
    assert.equal(await page.textContent('#b-phases li[aria-current="step"] .b-phase-name'), 'Ehdotukset');
    await state(page, 'proposals phase');

    // Sent empty: every problem is said beside its field and in the summary.
    await page.click('#p-submit');
    await page.waitForSelector('#b-propose-summary:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-propose-summary');
    assert.equal(await page.textContent('#p-title-error'), 'Kirjoita ehdotukselle otsikko.');
    assert.equal(await page.locator('#b-propose-summary-list li').count(), 4);
    await state(page, 'proposal errors');

    await page.fill('#p-title', 'Leikkipuisto Huvikummulle');
    await page.fill('#p-description', 'Keinut ja hiekkalaatikko.');
    await page.selectOption('#p-category', 'play');
    await page.click('#p-place-q-draw');
    const b = await page.locator('#p-place-q-map').boundingBox();
    await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
    await page.waitForSelector('#p-place-q-f0');
    await page.fill('#p-email', 'asukas@example.fi');
    await page.click('#p-submit');
    await page.waitForFunction(() => /Kiitos/.test(document.getElementById('p-status').textContent));
    const card = page.locator('#b-proposal-list li', { hasText: 'Leikkipuisto Huvikummulle' });
    assert.equal(await card.count(), 1);
    assert.match(await card.locator('.b-supports').textContent(), /^0 /);
    await state(page, 'proposal sent');

    await card.locator('.b-support').click();
    await page.waitForFunction(() => document.querySelector('.b-support[aria-pressed="true"]'));
    assert.match(await card.locator('.b-supports').textContent(), /^1 /);

    // The stored proposal: a point, the contact kept from the public.
    const fc = await (await fetch(`${server.url}/api/v1/budget/rounds/${SLUG}/proposals`)).json();
    const mine = fc.features.find((f) => f.properties.title === 'Leikkipuisto Huvikummulle');
    assert.equal(mine.geometry.type, 'Point');
    assert.equal(mine.properties.supports, 1);
    assert.equal(JSON.stringify(mine).includes('asukas@example.fi'), false);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a planner reviews and merges proposals into projects and makes voting codes', async () => {
  // Two more proposals, for the whole city.
  for (const title of ['Keinu puistoon', 'Penkit rantaan']) {
    const r = await call(server, 'POST', `/api/v1/budget/rounds/${SLUG}/proposals`, { body: {
      type: 'Feature', geometry: null,
      properties: { title, description: `${title}, kiitos.`, category: 'green', language: 'fi' } } });
    assert.equal(r.status, 201, r.text);
  }
  await setPhase('review');
  const page = await newPage(browser, {});
  try {
    await signIn(page, server.url, PLANNER.name, PLANNER.password);
    await page.click('#staff-nav a[href="/staff-budget.html"]');
    await page.waitForSelector('body[data-ready="true"]');
    await page.click(`#rounds-body a:has-text("${ROUND.title.fi}")`);
    await page.waitForSelector('#round-tools:not([hidden])');
    await page.waitForSelector('#proposal-list li');
    await state(page, 'staff round');

    const proposalsOf = async () => (await (await fetch(`${server.url}/api/v1/budget/rounds/${SLUG}/proposals`)).json()).features;
    const ids = Object.fromEntries((await proposalsOf()).map((f) => [f.properties.title, f.id]));

    // Not feasible without a reason: said at the reason.
    const bad = ids['Penkit rantaan'];
    await page.check(`#pr${bad}-feasible-no`);
    await page.click(`#pr${bad}-review`);
    await page.waitForSelector(`#pr${bad}-reason[aria-invalid="true"], #pr${bad} .form-error:not([hidden])`);
    await state(page, 'review error');

    // Reviews: each cost; the playground and the swing become one project.
    for (const [title, cost] of [['Leikkipuisto Huvikummulle', 9000], ['Keinu puistoon', 3000], ['Penkit rantaan', 10000]]) {
      const id = ids[title];
      await page.check(`#pr${id}-feasible-yes`);
      await page.fill(`#pr${id}-reason`, 'Toteutettavissa.');
      await page.fill(`#pr${id}-cost`, String(cost));
      await page.click(`#pr${id}-review`);
      await page.waitForFunction((t) => document.getElementById('live').textContent.includes(t), title);
    }
    await page.check(`#pr${ids['Leikkipuisto Huvikummulle']}-merge`);
    await page.check(`#pr${ids['Keinu puistoon']}-merge`);
    assert.equal(await page.inputValue('#j-cost'), '12000', 'the reviews\' costs summed');
    await page.fill('#j-title-fi', 'Huvikummun leikkipuisto');
    await page.fill('#j-title-sv', 'Lekparken i Huvikumpu');
    await page.fill('#j-title-en', 'Huvikumpu playground');
    await page.click('#j-submit');
    await page.waitForSelector('#project-list li:has-text("Huvikummun leikkipuisto")');
    await page.check(`#pr${ids['Penkit rantaan']}-merge`);
    await page.fill('#j-title-fi', 'Rannan penkit');
    await page.click('#j-submit');
    await page.waitForSelector('#project-list li:has-text("Rannan penkit")');
    const merged = (await proposalsOf()).filter((f) => f.properties.project !== null);
    assert.equal(merged.length, 3, 'every proposal is in a project');
    const projects = (await (await fetch(`${server.url}/api/v1/budget/rounds/${SLUG}/projects`)).json()).features;
    const play = projects.find((f) => f.properties.title.fi === 'Huvikummun leikkipuisto');
    assert.equal(play.properties.supporters, 1, 'the supporter carried over');
    assert.equal(play.properties.cost, 12000);
    await state(page, 'projects made');

    // Voting codes: shown once, on a sheet to print.
    await page.fill('#c-count', '3');
    await page.fill('#c-batch', 'kirjasto');
    await page.click('#c-submit');
    await page.waitForSelector('#code-sheet:not([hidden]) .bs-code');
    codes = await page.locator('#code-list .bs-code').allTextContents();
    assert.equal(codes.length, 3);
    codes.forEach((c) => assert.match(c, /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/));
    await page.waitForSelector('#batches-body tr:has-text("kirjasto")');
    await state(page, 'codes made');
    // Printed: the sheet alone.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('#code-list'), true);
    assert.equal(await page.isVisible('#round-form'), false);
    assert.equal(await page.isVisible('#proposals'), false);
    await page.emulateMedia({ media: 'screen' });
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a voter votes with a code by keyboard alone; the budget cannot be exceeded; a used code is refused', async () => {
  assert.ok(codes, 'the codes of the test before');
  await setPhase('voting');
  const page = await newPage(browser, phone);
  try {
    await gotoReady(page, `${server.url}/b/${SLUG}`);
    await page.waitForSelector('#b-vote:not([hidden])');
    assert.equal(await page.isVisible('#b-propose'), false);
    await state(page, 'ballot');
    const projects = (await (await fetch(`${server.url}/api/v1/budget/rounds/${SLUG}/projects`)).json()).features;
    const id = (fi) => projects.find((f) => f.properties.title.fi === fi).id;
    const play = id('Huvikummun leikkipuisto');
    const bench = id('Rannan penkit');

    await tabTo(page, `#bp-${play}-pick`);
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked(`#bp-${play}-pick`), true);
    assert.match(await page.textContent('#v-total'), /12[\s\u00a0]000.*15[\s\u00a0]000.*3[\s\u00a0]000/);
    // 12 000 + 10 000 > 15 000: the bench does not fit and is not picked.
    assert.equal(await page.getAttribute(`#bp-${bench}-pick`, 'aria-disabled'), 'true');
    await tabTo(page, `#bp-${bench}-pick`);
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked(`#bp-${bench}-pick`), false);
    assert.match(await page.textContent('#v-total'), /Raha ei riitä/);
    assert.equal(await page.getAttribute('#v-total', 'aria-live'), 'polite');
    await state(page, 'ballot over budget');

    await tabTo(page, '#v-code');
    await page.keyboard.type(codes[0].toLowerCase().replace(/-/g, ''));
    await tabTo(page, '#v-submit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#b-voted:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'b-voted');
    const link = await page.inputValue('#b-change-url');
    assert.match(link, new RegExp(`/b/${SLUG}\\?ballot=`));
    await state(page, 'voted');

    // The private link opens the ballot as it was, to be changed.
    await gotoReady(page, link);
    await page.waitForSelector('#b-vote:not([hidden])');
    assert.equal(await page.isChecked(`#bp-${play}-pick`), true);
    assert.equal(await page.isVisible('#v-code'), false);
    await tabTo(page, `#bp-${play}-pick`);
    await page.keyboard.press('Space');
    await tabTo(page, `#bp-${bench}-pick`);
    await page.keyboard.press('Space');
    await tabTo(page, '#v-submit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#b-voted:not([hidden])');
    const ballot = await (await fetch(`${server.url}/api/v1/budget/ballots/${new URL(link).searchParams.get('ballot')}`)).json();
    assert.deepEqual(ballot.projects, [bench]);
    await state(page, 'ballot changed');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }

  // The same code again, in another browser: refused, said at the code.
  const again = await newPage(browser, phone);
  try {
    await gotoReady(again, `${server.url}/b/${SLUG}`);
    await again.click(`#v-projects input[type="checkbox"] >> nth=0`);
    await again.fill('#v-code', codes[0]);
    await again.click('#v-submit');
    await again.waitForSelector('#b-vote-summary:not([hidden])');
    assert.match(await again.textContent('#b-vote-summary'), /jo äänestetty/);
    await state(again, 'code used');
  } finally {
    await again.closeAll();
  }

  // The change link the API answers is a page that changes the ballot.
  const projects = (await (await fetch(`${server.url}/api/v1/budget/rounds/${SLUG}/projects`)).json()).features;
  const id = (fi) => projects.find((f) => f.properties.title.fi === fi).id;
  const [play, bench] = [id('Huvikummun leikkipuisto'), id('Rannan penkit')];
  const cast = await call(server, 'POST', `/api/v1/budget/rounds/${SLUG}/ballots`,
    { body: { area: 'all', projects: [bench], age_group: '65-74', postal_code: '55100' } });
  assert.equal(cast.status, 201, cast.text);
  assert.match(cast.json.change, new RegExp(`^/b/${SLUG}\\?ballot=`));
  const follow = await newPage(browser, phone);
  try {
    await gotoReady(follow, `${server.url}${cast.json.change}`);
    await follow.waitForSelector('#b-vote:not([hidden])');
    assert.equal(await follow.isChecked(`#bp-${bench}-pick`), true, 'the ballot as it was');
    await follow.click(`#bp-${bench}-pick`);
    await follow.click(`#bp-${play}-pick`);
    await follow.click('#v-submit');
    await follow.waitForSelector('#b-voted:not([hidden])');
    const changed = await (await fetch(`${server.url}/api/v1/budget/ballots/${cast.json.token}`)).json();
    assert.deepEqual(changed.projects, [play]);
    assert.ok(changed.changed, 'marked changed');
    assert.deepEqual(follow.errors, []);
  } finally {
    await follow.closeAll();
  }
});

test('results with the method explained, and what happened to the winners', async () => {
  // One more ballot so that the playground wins too.
  const projects = (await (await fetch(`${server.url}/api/v1/budget/rounds/${SLUG}/projects`)).json()).features;
  const play = projects.find((f) => f.properties.title.fi === 'Huvikummun leikkipuisto').id;
  for (const code of codes.slice(1)) {
    const r = await call(server, 'POST', `/api/v1/budget/rounds/${SLUG}/ballots`, { body: { area: 'all', projects: [play], code } });
    assert.equal(r.status, 201, r.text);
  }
  await setPhase('results');
  const page = await newPage(browser, phone);
  try {
    await gotoReady(page, `${server.url}/b/${SLUG}`);
    await page.waitForSelector('#b-results:not([hidden])');
    // The method named, then the server's plain-language explanation.
    const method = await page.textContent('#b-results .b-method');
    assert.match(method, /^Voittajat valittiin menetelmällä: eniten ääniä saaneet budjetin puitteissa\./);
    assert.match(method, /ohitetaan/);
    const rows = page.locator('#b-result-areas tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).textContent(), /Huvikummun leikkipuisto/);
    await state(page, 'results');

    await staff('PATCH', `/api/v1/staff/budget/projects/${play}`, { status: 'in_progress' });
    await staff('POST', `/api/v1/staff/budget/projects/${play}/updates`, {
      text: { fi: 'Työt alkoivat.', sv: 'Arbetet började.', en: 'Work began.' }, status: 'in_progress' });
    await setPhase('implementation');
    await gotoReady(page, `${server.url}/b/${SLUG}`);
    await page.waitForSelector('#b-follow:not([hidden])');
    const winner = page.locator(`#winner-${play}`);
    assert.match(await winner.textContent(), /Työn alla/);
    assert.match(await winner.textContent(), /Työt alkoivat\./);
    await state(page, 'implementation');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the front page links to the rounds; the demo round is there with its results', async () => {
  const page = await newPage(browser, phone);
  try {
    await gotoReady(page, `${server.url}/`);
    // The link carries the page's language (?lang=), as every link between our pages.
    const link = page.locator('.site-footer a[href^="/b/"]');
    assert.equal(await link.count(), 1, 'the footer links to /b/ as to /s/');
    assert.equal(await link.textContent(), 'Osallistuva budjetointi');
    await link.click();
    await page.waitForSelector('a[href="/b/imatra-2026"]');
    await page.click('a[href="/b/imatra-2026"]');
    await page.waitForSelector('#b-results:not([hidden])');
    assert.match(await page.textContent('#b-result-areas'), /Huvikummun leikkipuisto/);
    await state(page, 'demo round results');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the staff page shows the proposals and projects on a map beside the lists, and the exports', async () => {
  const page = await newPage(browser, {});
  try {
    await signIn(page, server.url, PLANNER.name, PLANNER.password);
    await gotoReady(page, `${server.url}/staff-budget.html?round=imatra-2026`);
    await page.waitForSelector('#proposal-list li');
    await page.waitForSelector('#project-list li');
    await page.waitForSelector('#bs-map .leaflet-interactive');
    const proposals = (await staff('GET', '/api/v1/staff/budget/rounds/imatra-2026/proposals')).features;
    const projects = (await (await fetch(`${server.url}/api/v1/budget/rounds/imatra-2026/projects`)).json()).features;
    const placed = proposals.filter((f) => f.geometry).length + projects.filter((f) => f.geometry).length;
    assert.equal(await page.locator('#bs-map path.leaflet-interactive').count(), placed, 'a marker per placed item');
    assert.equal(await page.locator('#proposal-list > li').count(), proposals.length, 'the list has them all');
    assert.equal(await page.locator('#project-list > li').count(), projects.length);
    assert.match(await page.textContent('#bs-map-legend'), new RegExp(`${proposals.length} ehdotusta.*${projects.length} hanketta`));
    assert.equal(await page.getAttribute('#bs-map', 'aria-label'), 'Kartta: kierroksen ehdotukset ja hankkeet');
    // A marker leads to its item in the list.
    await page.locator('#bs-map path.leaflet-interactive').last().click();
    const focused = await page.evaluate(() => document.activeElement.id);
    assert.match(focused, /^pj\d+-h$/, 'the last marker is a project, its heading focused');
    assert.equal(await page.getAttribute('#export-gpkg', 'href'), '/api/v1/staff/budget/rounds/imatra-2026/projects.gpkg');
    assert.equal(await page.getAttribute('#export-csv', 'href'), '/api/v1/staff/budget/rounds/imatra-2026/projects.csv');
    const csv = await page.evaluate(async () => (await fetch(document.getElementById('export-csv').href)).text());
    assert.match(csv, /^\ufeff?id,title_fi,.*,votes,selected,/, 'the link downloads with the session');
    await state(page, 'staff map');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('an unknown round says so, accessibly', async () => {
  const page = await newPage(browser, phone);
  try {
    await gotoReady(page, `${server.url}/b/ei-tallaista`);
    assert.equal(await page.isVisible('#load-error'), true);
    assert.equal(await page.isVisible('#round-view'), false);
    await state(page, 'unknown round');
  } finally {
    await page.closeAll();
  }
});

test('a planner makes a round with the form; a paper ballot is confirmed by a second person only', async () => {
  const page = await newPage(browser, {});
  try {
    await signIn(page, server.url, PLANNER.name, PLANNER.password);
    await gotoReady(page, `${server.url}/staff-budget.html`);
    await page.click('#new-round');
    await page.fill('#r-slug', 'paperi-2027');
    await page.fill('#r-title-fi', 'Paperiäänestys');
    await page.fill('#r-budget', '20000');
    const phases = ['proposals', 'review', 'voting', 'results', 'implementation'];
    for (const [i, p] of phases.entries()) await page.fill(`#r-ph-${p}`, `2031-0${i + 1}-01T09:00`);
    await page.check('#r-rule-approval');
    await page.fill('#r-min', '1');
    await page.fill('#r-max', '1');
    await page.uncheck('#r-voters-codes');
    await page.check('#r-voters-paper');
    await state(page, 'new round form');
    await page.click('#r-save');
    await page.waitForSelector('#rounds-body a:has-text("Paperiäänestys")');
    const doc = await staff('GET', '/api/v1/staff/budget/rounds/paperi-2027');
    assert.deepEqual(doc.voting, { rule: 'approval', min: 1, max: 1 });
    assert.deepEqual(doc.voters, ['paper']);
    assert.equal(doc.phases.voting.starts.slice(0, 4), '2031');
    await page.click('#r-publish');
    await page.waitForFunction(() => document.getElementById('r-publish').hidden);
    await page.selectOption('#r-phase', 'review');
    await page.click('#r-phase-set');
    await page.waitForFunction(() => /Arviointi/.test(document.getElementById('round-state').textContent));

    const one = await staff('POST', '/api/v1/staff/budget/rounds/paperi-2027/projects',
      { title: { fi: 'Puistonpenkit' }, cost: 5000, area: 'all', proposals: [] });
    const two = await staff('POST', '/api/v1/staff/budget/rounds/paperi-2027/projects',
      { title: { fi: 'Kukkaistutukset' }, cost: 4000, area: 'all', proposals: [] });
    await page.selectOption('#r-phase', 'voting');
    await page.click('#r-phase-set');
    await page.waitForFunction(() => /Äänestys/.test(document.getElementById('round-state').textContent));
    await page.waitForSelector(`#pb-${one.id}`);

    // One project at most: the sheet with two says so before it is sent.
    await page.fill('#pb-sheet', 'A-0001');
    await page.check(`#pb-${one.id}`);
    await page.check(`#pb-${two.id}`);
    assert.match(await page.textContent('#pb-total'), /Valitse enintään 1 hanketta/);
    await page.uncheck(`#pb-${two.id}`);
    await page.click('#pb-submit');
    await page.waitForSelector('#paper-body tr:has-text("A-0001")');
    // The one who entered it cannot confirm it.
    await page.click('#paper-body tr:has-text("A-0001") button');
    await page.waitForSelector('#paper-form .form-error:not([hidden])');
    assert.match(await page.textContent('#paper-form .form-error'), /toista henkilöä/);
    await state(page, 'paper ballot entered');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
  const other = await newPage(browser, {});
  try {
    await signIn(other, server.url, SECOND.name, SECOND.password);
    await gotoReady(other, `${server.url}/staff-budget.html?round=paperi-2027`);
    await other.waitForSelector('#paper-body tr:has-text("A-0001") button');
    await other.click('#paper-body tr:has-text("A-0001") button');
    await other.waitForSelector('#paper-body tr:has-text("A-0001"):has-text("Vahvistettu")');
    const list = await staff('GET', '/api/v1/staff/budget/rounds/paperi-2027/paper-ballots');
    assert.equal(list.paper_ballots[0].state, 'confirmed');
    assert.equal(list.paper_ballots[0].confirmed_by, SECOND.name);
    assert.match(await other.textContent('#paper-body tr:has-text("A-0001")'), /Puistonpenkit/, "the sheet's choice named");
    await state(other, 'paper ballot confirmed (moderator)');
    assert.deepEqual(other.errors, []);
  } finally {
    await other.closeAll();
  }
});
