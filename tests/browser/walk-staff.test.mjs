// The staff pages of accessibility walks (issue 14, docs/walks.md "Staff
// and council pages"): a staff member creates a walk by keyboard alone
// and sees its code, which then joins the walk; closing the walk and a new
// code retire it; a route is drawn on the map with the mouse and an area
// chosen from the list; a moderator moves a demo finding open → planned →
// fixed and a council member verifies it; a refused transition shows its
// message at its field in the page's language; the per-area report's
// tables hold the API's figures. axe finds nothing on any page in fi, sv, en.
import assert from 'node:assert/strict';
import { after, before, gotoReady, newPage, signIn, signInWithKeyboard, startBoth, stopBoth, tabTo, test } from './helpers.mjs';
import { checkState } from './survey-helpers.mjs';
import { call, login } from '../lib/server.mjs';

const PW = 'walk staff password 5e8c';
const USERS = [
  { name: 'walk-moderator', role: 'moderator', password: PW },
  { name: 'walk-planner', role: 'planner', password: PW },
  { name: 'walk-council', role: 'council', password: PW },
];

let srv;
let browser;

before(async () => {
  ({ server: srv, browser } = await startBoth({ users: USERS }));
});
after(() => stopBoth(srv, browser));

const open = (page, p) => gotoReady(page, `${srv.url}${p}`);
const join = (code) => call(srv, 'POST', '/api/v1/walks/join', { body: { code } });
const finding = async (id) => (await call(srv, 'GET', `/api/v1/walk-findings/${id}`)).json.finding.properties;

// The demo findings in one status: [id…] oldest first.
async function demoFindings(status) {
  const out = [];
  for (const w of (await call(srv, 'GET', '/api/v1/walks')).json.walks) {
    const fc = (await call(srv, 'GET', `/api/v1/walks/${w.id}/findings`)).json;
    for (const f of fc.features) if (f.properties.status === status) out.push(f.id);
  }
  assert.ok(out.length, `the demo has a finding in status ${status}`);
  return out;
}

async function live(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('live').textContent), re.source);
}

test('a planner creates a walk by keyboard alone, sees its code, closes the walk and renews the code', async () => {
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'walk-planner', PW);
    // The navigation leads to the walks; "New walk" to the form.
    await tabTo(page, '#staff-nav a[href="/staff-walks.html"]', { shift: true, max: 200 }); // above the inbox
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-walks.html');
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#walks-body tr');
    const listed = await page.$$eval('#walks-body th a', (as) => as.map((a) => a.textContent));
    const api = (await call(srv, 'GET', '/api/v1/walks')).json.walks.map((w) => w.title);
    assert.deepEqual(listed, api, 'the list is the API\'s, newest first');
    await checkState(page, 'walk list');

    await tabTo(page, '#new-walk');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-walks.html?new=1');
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#w-group-0');
    await checkState(page, 'new walk form');

    await tabTo(page, '#w-title');
    await page.keyboard.type('Mansikkalan testikävely');
    await page.keyboard.press('Tab');
    // Chromium's date field takes the digits of its locale's order (en-US).
    await page.keyboard.type('09152027');
    assert.equal(await page.$eval('#w-date', (e) => e.value), '2027-09-15');
    await tabTo(page, '#w-organiser');
    await page.keyboard.type('vammaisneuvosto');
    await tabTo(page, '#w-group-0');
    await page.keyboard.press('Space');
    await tabTo(page, '#w-participants');
    await page.keyboard.type('7');
    await tabTo(page, '#w-route');
    await page.keyboard.type('61.1985, 28.7598');
    await page.keyboard.press('Enter');
    await page.keyboard.type('61.1990, 28.7650');
    await tabTo(page, '#w-submit');
    await page.keyboard.press('Enter');

    await page.waitForSelector('#code-panel:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code-heading', 'focus moves to the code');
    const shown = await page.textContent('#walk-code');
    assert.match(shown, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    const id = Number(new URL(page.url()).searchParams.get('id'));
    assert.ok(id > 0, 'the page became the walk\'s');
    const walk = (await call(srv, 'GET', `/api/v1/walks/${id}`)).json;
    assert.equal(walk.title, 'Mansikkalan testikävely');
    assert.equal(walk.date, '2027-09-15');
    assert.deepEqual(walk.groups, ['wheelchair']);
    assert.equal(walk.participants, 7);
    assert.deepEqual(walk.route.coordinates, [[28.7598, 61.1985], [28.765, 61.199]]);
    // The code as shown (with its hyphen) joins the walk.
    let r = await join(shown);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.walk.id, id);
    assert.equal(await page.getAttribute('#field-link', 'href'), `/w/${shown.replace('-', '')}`);
    assert.equal(await page.getAttribute('#report-link', 'href'), `/api/v1/walks/${id}/report.html?lang=fi`);
    await checkState(page, 'created walk with its code');

    // Close by keyboard: the code no longer records.
    await tabTo(page, '#close-walk');
    await page.keyboard.press('Enter');
    await live(page, /suljettiin/);
    r = await join(shown);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'walk_closed');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'reopen-walk');
    await page.keyboard.press('Enter');
    await live(page, /avattiin/);
    assert.equal((await join(shown)).status, 200);

    // A new code retires the old one.
    await tabTo(page, '#renew-code');
    await page.keyboard.press('Enter');
    await page.waitForFunction((old) => document.getElementById('walk-code').textContent !== old, shown);
    const renewed = await page.textContent('#walk-code');
    assert.equal((await join(shown)).status, 403, 'the old code stops working');
    assert.equal((await join(renewed.toLowerCase())).status, 200, 'the new one works, in lower case too');

    // Editing: the title changes, the rest stays.
    await tabTo(page, '#w-title');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Mansikkalan kävely, toinen kierros');
    await tabTo(page, '#w-submit');
    await page.keyboard.press('Enter');
    await live(page, /tallennettiin/);
    const edited = (await call(srv, 'GET', `/api/v1/walks/${id}`)).json;
    assert.equal(edited.title, 'Mansikkalan kävely, toinen kierros');
    assert.deepEqual(edited.route, walk.route);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the route is drawn on the map, the area chosen from the list; bad input is told at its field', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, srv.url, 'walk-moderator', PW);
    await open(page, '/staff-walks.html?new=1');
    await page.waitForSelector('#w-group-0');
    // Nothing filled: the title is missing, told beside it in Finnish.
    await page.click('#w-submit');
    await page.waitForSelector('#w-route-error:not([hidden])');
    assert.match(await page.textContent('#w-route-error'), /reitti, alue tai molemmat/);
    await page.fill('#w-route', '61.19');
    await page.click('#w-submit');
    await page.waitForFunction(() => /leveys, pituus/.test(document.getElementById('w-route-error').textContent));
    assert.equal(await page.getAttribute('#w-route', 'aria-invalid'), 'true');
    await page.fill('#w-route', '');

    // Draw: three clicks, Done; the text field holds the route.
    await page.click('#draw-route');
    assert.equal(await page.getAttribute('#draw-route', 'aria-pressed'), 'true');
    const b = await page.locator('#walk-map').boundingBox();
    for (const [dx, dy] of [[-60, 20], [0, 0], [60, -20]]) {
      await page.mouse.click(b.x + b.width / 2 + dx, b.y + b.height / 2 + dy);
    }
    assert.match(await page.textContent('#draw-status'), /3/);
    await page.click('#draw-finish');
    const lines = (await page.inputValue('#w-route')).split('\n');
    assert.equal(lines.length, 3);
    // An area by keyboard: the map pans under the crosshair, Enter adds a corner.
    await tabTo(page, '#draw-area');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('#draw-area', 'aria-pressed'), 'true');
    assert.ok(await page.isVisible('.ws-map-wrap .crosshair'));
    await tabTo(page, '#walk-map');
    await page.keyboard.press('Enter');
    for (const key of ['ArrowRight', 'ArrowDown']) {
      await page.keyboard.press(key);
      await page.waitForTimeout(300);
      await page.keyboard.press('Enter');
    }
    assert.match(await page.textContent('#draw-status'), /3/);
    await tabTo(page, '#draw-finish', { shift: true });
    await page.keyboard.press('Enter');
    const corners = (await page.inputValue('#w-area')).split('\n');
    assert.equal(corners.length, 3, 'three distinct corners');
    assert.equal(new Set(corners).size, 3);
    assert.ok(await page.isHidden('.ws-map-wrap .crosshair'));
    // And the area of Vuoksenniska's special level, from the list, instead.
    await page.selectOption('#w-area-choice', 'special:vuoksenniska');
    assert.ok((await page.inputValue('#w-area')).length > 20);

    await page.fill('#w-title', 'Piirretty kävely');
    await page.fill('#w-date', '2027-05-02');
    await page.fill('#w-organiser', 'vanhusneuvosto');
    await page.click('#w-submit');
    await page.waitForSelector('#code-panel:not([hidden])').catch(async (e) => {
      const errs = await page.$$eval('#walk-form .field-error:not([hidden])', (ps) => ps.map((p) => `${p.id}: ${p.textContent}`));
      throw new Error(`${e.message}\n${errs.join('\n')}`);
    });
    assert.equal(await page.$$eval('#walk-form .field-error:not([hidden])', (ps) => ps.length), 0, 'the earlier error is gone');
    const id = Number(new URL(page.url()).searchParams.get('id'));
    const walk = (await call(srv, 'GET', `/api/v1/walks/${id}`)).json;
    assert.equal(walk.route.type, 'LineString');
    assert.equal(walk.route.coordinates.length, 3);
    assert.ok(/Polygon$/.test(walk.area.type));
    assert.ok(walk.walked_m > 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a moderator plans and fixes a finding, a council member verifies it; a refused change is told at its field', async () => {
  const [id, other] = await demoFindings('open');
  const units = (await call(srv, 'GET', '/api/v1/units')).json.units;
  const mod = await newPage(browser);
  const council = await newPage(browser);
  try {
    await signIn(mod, srv.url, 'walk-moderator', PW);
    await open(mod, `/staff-walk-finding.html?id=${id}`);
    await mod.waitForSelector('#status-form:not([hidden])');
    await checkState(mod, 'finding page (moderator)');
    assert.deepEqual(await mod.$$eval('#s-status option', (os) => os.map((o) => o.value)), ['planned', 'fixed', 'rejected']);

    // Planned without a date: told at the date, in Finnish, then in English.
    await mod.selectOption('#s-status', 'planned');
    await mod.selectOption('#s-unit', units[0].code);
    await mod.fill('#s-explanation', 'Korjataan kesällä.');
    await mod.click('#s-submit');
    await mod.waitForSelector('#s-target-date-error:not([hidden])');
    assert.equal(await mod.textContent('#s-target-date-error'), 'Suunnitelmalle tarvitaan tavoitepäivä.');
    assert.equal(await mod.evaluate(() => document.activeElement.id), 's-target-date');
    await mod.click('.lang-button[data-lang="en"]');
    await mod.waitForFunction(() => document.documentElement.lang === 'en');
    await mod.click('#s-submit');
    await mod.waitForFunction(() => document.getElementById('s-target-date-error').textContent === 'A plan needs a target date.');
    await mod.click('.lang-button[data-lang="fi"]');
    await mod.waitForFunction(() => document.documentElement.lang === 'fi');

    await mod.fill('#s-target-date', '2027-06-30');
    await mod.click('#s-submit');
    await live(mod, /suunniteltu/);
    let p = await finding(id);
    assert.equal(p.status, 'planned');
    assert.equal(p.target_date, '2027-06-30');
    assert.equal(p.unit, units[0].code);
    assert.equal(p.explanation, 'Korjataan kesällä.');
    assert.match(await mod.textContent('#history'), /walk-moderator/);

    await mod.selectOption('#s-status', 'fixed');
    await mod.fill('#s-explanation', 'Reunakivi madallettu.');
    await mod.click('#s-submit');
    await live(mod, /korjattu/);
    assert.equal((await finding(id)).status, 'fixed');
    // A moderator may not verify: the choice is not offered.
    assert.deepEqual(await mod.$$eval('#s-status option', (os) => os.map((o) => o.value)), ['open']);

    // The council member verifies it on a site visit.
    await signIn(council, srv.url, 'walk-council', PW);
    await open(council, `/staff-walk-finding.html?id=${id}`);
    await council.waitForSelector('#status-form:not([hidden])');
    assert.deepEqual(await council.$$eval('#s-status option', (os) => os.map((o) => o.value)), ['verified', 'open']);
    await council.selectOption('#s-how', 'visit');
    await council.fill('#s-explanation', 'Todettu paikan päällä.');
    await council.click('#s-submit');
    await live(council, /todettu korjatuksi/);
    p = await finding(id);
    assert.equal(p.status, 'verified');
    assert.equal(p.verified_how, 'visit');
    assert.ok(await council.isVisible('#status-read-only'), 'nothing more for the council to do');
    await checkState(council, 'verified finding (council)');

    // A refused transition: the page still offers "fixed" for `other`,
    // but someone rejects it meanwhile; the refusal is told at the status,
    // in Swedish when the page is in Swedish.
    await open(mod, `/staff-walk-finding.html?id=${other}`);
    await mod.waitForSelector('#status-form:not([hidden])');
    await mod.click('.lang-button[data-lang="sv"]');
    await mod.waitForFunction(() => document.documentElement.lang === 'sv');
    const s = await login(srv, 'walk-planner', PW);
    const r = await call(srv, 'POST', `/api/v1/staff/walk-findings/${other}/status`, {
      cookie: s.cookie, csrf: s.csrf, body: { status: 'rejected', reason: 'Yksityinen tontti.', explanation: 'Ei kaupungin aluetta.' } });
    assert.equal(r.status, 200, r.text);
    await mod.selectOption('#s-status', 'fixed');
    await mod.fill('#s-explanation', 'Korjattu.');
    await mod.click('#s-submit');
    await mod.waitForSelector('#s-status-error:not([hidden])');
    assert.equal(await mod.textContent('#s-status-error'), 'Observationen kan inte flyttas från status ”avvisad” till ”åtgärdad”.');
    assert.equal(await mod.getAttribute('#s-status', 'aria-invalid'), 'true');
    assert.equal((await finding(other)).status, 'rejected', 'nothing changed');
    // The page now shows the finding as it is, and offers the reopening only.
    assert.deepEqual(await mod.$$eval('#s-status option', (os) => os.map((o) => o.value)), ['open']);
    await checkState(mod, 'refused transition');
    assert.deepEqual(mod.errors, []);
    assert.deepEqual(council.errors, []);
  } finally {
    await mod.closeAll();
    await council.closeAll();
  }
});

test('the per-area report shows the API\'s figures in its tables, and a walk\'s page its findings', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, srv.url, 'walk-council', PW);
    await open(page, '/staff-walk-areas.html');
    await page.waitForSelector('#chart-score tbody tr');
    const api = (await call(srv, 'GET', '/api/v1/walks/areas?areas=accessibility-areas')).json.areas;
    const rows = await page.$$eval('#chart-score tbody tr', (trs) => trs.map((tr) => ({
      code: tr.getAttribute('data-key'),
      vals: [...tr.querySelectorAll('td')].map((td) => td.getAttribute('data-value')),
    })));
    assert.equal(rows.length, api.length);
    for (const a of api) {
      const row = rows.find((x) => x.code === a.code);
      assert.ok(row, a.code);
      const open = a.by_status.open + a.by_status.planned;
      assert.deepEqual(row.vals, [a.score, a.findings, open, a.fixed, a.median_days_to_fixed, a.walked_m]
        .map((v) => (v === null ? '' : String(v))), a.code);
    }
    assert.ok(api.some((a) => a.score !== null) && api.some((a) => a.score === null), 'scored and unscored areas');
    const grades = await page.$$eval('#chart-grades tbody tr', (trs) => trs.map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value')))));
    assert.deepEqual(grades, api.map((a) => ['vaara', 'este', 'haitta'].map((g) => a.by_grade[g] || 0)));
    // Over time: the first scored area, by month.
    const first = api.find((a) => a.score !== null);
    await page.waitForSelector('#chart-timeline tbody tr');
    const tl = (await call(srv, 'GET', `/api/v1/walks/areas/${first.code}/timeline?interval=month`)).json;
    const periods = await page.$$eval('#chart-timeline tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-key')));
    assert.deepEqual(periods, tl.points.map((x) => x.period));
    await checkState(page, 'area report');
    // Districts, by year.
    await page.selectOption('#a-set', 'districts');
    await page.click('#a-apply');
    await page.waitForFunction(() => document.querySelectorAll('#chart-score tbody tr').length > 5);
    await page.selectOption('#t-interval', 'year');
    await page.click('#t-apply');
    await live(page, /Aikasarja/);

    // One walk's page lists its findings, each to the finding view.
    const w = (await call(srv, 'GET', '/api/v1/walks')).json.walks.find((x) => x.findings > 0);
    await open(page, `/staff-walks.html?id=${w.id}`);
    await page.waitForSelector('#findings-body a');
    assert.equal(await page.$$eval('#findings-body tr', (trs) => trs.length), w.findings);
    await checkState(page, 'walk page (council)');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
