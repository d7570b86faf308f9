// Issue 5 end to end, in the browser only: a resident reports without an
// account and keeps the follow-up link; a moderator signs in on the staff
// pages, finds the report in the inbox and answers it; the resident opens
// the link and reads the answer.
import assert from 'node:assert/strict';
import {
  after, allFeedback, before, newPage, openApp, startBoth, stopBoth, test, uniqueText,
  waitForSuccess
} from './helpers.mjs';

const PW = 'correct horse battery staple';

let srv;
let browser;

before(async () => {
  ({ server: srv, browser } = await startBoth({ users: [{ name: 'kaisa', role: 'moderator', password: PW }] }));
});
after(() => stopBoth(srv, browser));

test('staff answer a report in the staff pages; the resident reads it through the follow-up link', async () => {
  // The resident, in Finnish, without the map.
  const resident = await openApp(browser, srv.url);
  const description = uniqueText('Katuvalo pimeänä kirjaston kulmalla');
  await resident.click('#open-form');
  await resident.check('#mode-district');
  await resident.selectOption('#district', { index: 1 });
  await resident.fill('#place', 'Kirjaston kulma');
  await resident.selectOption('#category', { index: 1 });
  await resident.fill('#description', description);
  await resident.fill('#email', 'asukas@example.org');
  await resident.click('#submit');
  await waitForSuccess(resident);
  const followUrl = await resident.inputValue('#followup-url');
  // The link carries the page's language, for wherever it is opened later.
  assert.ok(followUrl.startsWith(`${srv.url}/follow.html?lang=`), followUrl);
  const item = (await allFeedback(srv.url)).find((f) => f.properties.description === description);
  assert.ok(item, 'the report is public');

  // The moderator, in another browser context: sign in, find it in the inbox.
  const staff = await newPage(browser);
  await staff.goto(`${srv.url}/staff.html`);
  await staff.waitForSelector('#signin-section:not([hidden])');
  await staff.fill('#signin-name', 'kaisa');
  await staff.fill('#signin-password', PW);
  await staff.press('#signin-password', 'Enter');
  await staff.waitForSelector('#inbox-body tr th a');
  const link = `#inbox-body a[href="/staff-item.html?id=${item.id}"]`;
  // Unanswered first: the new report is on the first page of the inbox.
  await staff.waitForSelector(link);
  await staff.click(link);
  await staff.waitForURL(`**/staff-item.html?id=${item.id}`);
  await staff.waitForSelector('#change-form:not([hidden])');
  assert.match(await staff.textContent('#details'), /asukas@example\.org/, 'a moderator sees the contact');
  const answer = uniqueText('Lamppu vaihdettiin tiistaina. Kiitos ilmoituksesta!');
  await staff.selectOption('#c-status', 'resolved');
  await staff.fill('#c-answer', answer);
  await staff.click('#c-submit');
  await staff.waitForFunction(() => document.getElementById('live').textContent.includes('tallennettiin'));
  assert.deepEqual(staff.errors, []);
  await staff.closeAll();

  // The resident follows the link: the status and the answer are there.
  await resident.goto(followUrl);
  await resident.waitForSelector('body[data-ready="true"]');
  assert.equal(await resident.textContent('#fb-status'), 'Tila: Ratkaistu');
  const fields = await resident.textContent('#fb-fields');
  assert.ok(fields.includes(answer), 'the answer is shown');
  // The responsible unit, by its name in the page's language.
  const unitCode = (await (await fetch(`${srv.url}/api/v1/feedback/${item.id}`)).json()).properties.unit;
  assert.ok(unitCode, 'the category has a default unit');
  const units = (await (await fetch(`${srv.url}/api/v1/units`)).json()).units;
  const unit = units.find((u) => u.code === unitCode);
  assert.ok(fields.includes(`Vastuuyksikkö${unit.name.fi}`), fields);
  const history = await resident.$$eval('#history li', (lis) => lis.map((li) => li.textContent));
  assert.ok(history.some((h) => h.includes(answer)), history.join(' | '));
  assert.ok(!(await resident.textContent('body')).includes('kaisa'), 'no staff names on the page');
  await resident.context().close();
});
