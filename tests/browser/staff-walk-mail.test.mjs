// A council member chooses the areas whose walk findings they hear about
// (issue 17, docs/mail.md, /staff-walk-mail.html): found from the council's
// review list, the areas listed with checkboxes (and outlined on a map
// where a click toggles them), language and consent, all by keyboard
// alone; axe finds no WCAG 2.1 AA violations in fi, sv or en. Then a real
// SMTP server (tests/lib/smtp.mjs) receives the mail: a status change of a
// finding in the chosen area reaches the member, in the language chosen;
// one in an area not chosen does not. A planner is told the page is for
// council members.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  after, assertCleanInAllLanguages, assertNoCspViolations, before, gotoReady, newPage, signInWithKeyboard,
  startBoth, stopBoth, tabTo, test,
} from './helpers.mjs';
import { call, freePort } from '../lib/server.mjs';
import { sinks, startSink } from '../lib/smtp.mjs';

const PW = 'council mail password 9c2e';
const USERS = [
  { name: 'mail-council', role: 'council', password: PW },
  { name: 'mail-planner', role: 'planner', password: PW },
];
const ADDRESS = 'neuvosto.jasen@example.org';

let srv;
let browser;
let sink;

before(async () => {
  const port = await freePort();
  sink = await startSink(port);
  ({ server: srv, browser } = await startBoth({ demoResponses: 3, users: USERS,
    tokens: [{ name: 'planner', role: 'planner' }],
    args: ['--rate-limit', '0', '--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', 'palaute@kunta.fi',
      '--public-url', 'https://palaute.example.fi'] }));
});
after(async () => {
  await stopBoth(srv, browser);
  for (const s of [...sinks]) await s.stop();
});

async function live(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('live').textContent), re.source);
}

const checked = (page) => page.$$eval('#follow-form input[data-area]:checked', (xs) => xs.map((x) => x.value));

// A finding at point on a new walk, moved open → planned by the planner.
async function findingChanged(point, title) {
  const w = await call(srv, 'POST', '/api/v1/staff/walks', { token: 'planner', body: {
    title, date: '2026-05-01', organiser: 'vammaisneuvosto', groups: ['wheelchair'], participants: 3,
    route: { type: 'LineString', coordinates: [point, [point[0] + 0.002, point[1]]] } } });
  assert.equal(w.status, 201, w.text);
  const f = await call(srv, 'POST', `/api/v1/walks/${w.json.walk.id}/findings`, { headers: { 'X-Walk-Code': w.json.code },
    body: { id: randomUUID(), geometry: { type: 'Point', coordinates: point }, type: 'kerb', grade: 'este',
      groups: ['wheelchair'], measurements: { kerb_height_mm: 60 }, description: 'Korkea reunakivi.' } });
  assert.equal(f.status, 201, f.text);
  const id = f.json.id || f.json.properties?.id || f.json.finding?.id;
  const s = await call(srv, 'POST', `/api/v1/staff/walk-findings/${id}/status`, { token: 'planner', body: {
    status: 'planned', target_date: '2027-06-30', unit: 'street_maintenance', explanation: `${title}: madalletaan.` } });
  assert.equal(s.status, 200, s.text);
  return id;
}

test('a council member chooses areas by keyboard alone, and hears of the chosen area only', async () => {
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'mail-council', PW);
    await gotoReady(page, `${srv.url}/staff-walk-review.html`);
    await tabTo(page, '#to-walk-mail');
    await Promise.all([page.waitForURL('**/staff-walk-mail.html'), page.keyboard.press('Enter')]);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#follow:not([hidden])');

    // Every area is in the list and on the map; nothing is followed yet.
    const districts = await page.$$eval('#districts input', (xs) => xs.map((x) => x.value));
    const specials = await page.$$eval('#specials input', (xs) => xs.map((x) => x.value));
    assert.ok(districts.length > 3 && districts.every((v) => v.startsWith('district:')), districts.join());
    assert.deepEqual(specials.sort(), ['accessibility:imatrankoski', 'accessibility:mansikkala', 'accessibility:vuoksenniska']);
    assert.equal(await page.$$eval('#area-map path.leaflet-interactive', (xs) => xs.length), districts.length + specials.length);
    assert.ok(await page.isVisible('#now-none'));
    assert.match(await page.textContent('label[for="' + await page.getAttribute('#specials input[value="accessibility:vuoksenniska"]', 'id') + '"]'), /Vuoksenniska/);
    await assertCleanInAllLanguages(page, 'the areas page');

    // A click on the map is the list's checkbox (and back).
    await page.click('#area-map path.leaflet-interactive >> nth=-1');
    assert.equal((await checked(page)).length, 1, 'a click on an area chooses it');
    await live(page, /Valittu: /);
    await page.click('#area-map path.leaflet-interactive >> nth=-1');
    assert.equal((await checked(page)).length, 0, 'a second click removes it');

    // By keyboard: an area, no consent → the consent box says so.
    await tabTo(page, '#m-email');
    await page.keyboard.type(ADDRESS);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'm-language');
    await page.keyboard.press('ArrowDown'); // fi → sv
    assert.equal(await page.inputValue('#m-language'), 'sv');
    await tabTo(page, '#specials input[value="accessibility:vuoksenniska"]', { max: 200 });
    await page.keyboard.press('Space');
    await tabTo(page, '#m-save');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#m-consent-error:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'm-consent');
    await page.keyboard.press('Space');
    await tabTo(page, '#m-save');
    await page.keyboard.press('Enter');
    await live(page, /Tallennettu\. Seuraat 1 aluetta\./);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'now-heading');
    assert.match(await page.textContent('#now-some'), /Vuoksenniska/);
    assert.match(await page.textContent('#now-address'), new RegExp(`${ADDRESS.replace(/\./g, '\\.')}.*ruotsi`));
    await assertCleanInAllLanguages(page, 'after saving');

    // Read again: the page shows what is saved.
    await gotoReady(page, `${srv.url}/staff-walk-mail.html?lang=en`);
    await page.waitForSelector('#now-some:not([hidden])');
    assert.deepEqual(await checked(page), ['accessibility:vuoksenniska']);
    assert.equal(await page.inputValue('#m-email'), ADDRESS);
    assert.equal(await page.inputValue('#m-language'), 'sv');
    assert.ok(await page.isChecked('#m-consent'));
    assertNoCspViolations(page);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }

  // The mail: the chosen area's finding, in Swedish; not the other area's.
  const chosen = await findingChanged([28.809, 61.2196], 'Vuoksenniskan kävely');
  const other = await findingChanged([28.7834, 61.1936], 'Imatrankosken kävely');
  const end = Date.now() + 15000;
  let mine = [];
  while (Date.now() < end) {
    mine = sink.messages.filter((m) => m.rcpt_tos.includes(ADDRESS));
    if (mine.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(mine.length, 1, 'one message');
  assert.match(mine[0].headers.subject, /^Iakttagelse #\d+ från tillgänglighetsvandring: planerad$/);
  assert.ok(mine[0].text.includes(`staff-walk-finding.html?id=${chosen}`), mine[0].text);
  assert.ok(mine[0].text.includes('Vuoksenniskan kävely: madalletaan.'), mine[0].text);
  // Give the sender time for a second message that must not come.
  await new Promise((r) => setTimeout(r, 2000));
  const all = sink.messages.filter((m) => m.rcpt_tos.includes(ADDRESS));
  assert.equal(all.length, 1, all.map((m) => m.headers.subject).join(' / '));
  assert.ok(!JSON.stringify(all).includes(other), 'nothing about the finding in the area not chosen');
});

test('"stop all" by keyboard ends the messages', async () => {
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'mail-council', PW);
    await gotoReady(page, `${srv.url}/staff-walk-mail.html?lang=en`);
    await page.waitForSelector('#now-some:not([hidden])');
    await tabTo(page, '#m-stop', { max: 200 });
    await page.keyboard.press('Enter');
    await live(page, /Stopped\./);
    assert.ok(await page.isVisible('#now-none'));
    assert.deepEqual(await checked(page), []);
    await assertCleanInAllLanguages(page, 'after stopping');
  } finally {
    await page.closeAll();
  }
  await findingChanged([28.809, 61.2196], 'Toinen kävely');
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(sink.messages.filter((m) => m.rcpt_tos.includes(ADDRESS)).length, 1, 'nothing after stopping');
});

test('a planner is told the page is for council members', async () => {
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'mail-planner', PW);
    await gotoReady(page, `${srv.url}/staff-walk-mail.html`);
    await page.waitForSelector('#council-only:not([hidden])');
    assert.ok(await page.isHidden('#follow'));
    await assertCleanInAllLanguages(page, 'a planner');
  } finally {
    await page.closeAll();
  }
});
