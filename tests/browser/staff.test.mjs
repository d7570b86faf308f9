// The staff pages (issue 5): a moderator and an admin sign in with the
// keyboard; the inbox lists and filters; the moderator changes a status
// with a public answer and an internal note; the admin adds a user; a page
// without a session says "sign in first"; axe finds no WCAG 2.1 AA
// violations on any page in Finnish, Swedish or English.
import assert from 'node:assert/strict';
import {
  after, assertCleanInAllLanguages, axeViolations, before, formatViolations, gotoReady, newPage,
  signInWithKeyboard, startBoth, stopBoth, tabTo, test
} from './helpers.mjs';

const PW = 'correct horse battery staple';
const USERS = [
  { name: 'admin1', role: 'admin', password: PW },
  { name: 'moderator1', role: 'moderator', password: PW },
];

let srv;
let browser;

before(async () => {
  ({ server: srv, browser } = await startBoth({ users: USERS }));
});
after(() => stopBoth(srv, browser));

const open = (page, pathAndQuery) => gotoReady(page, `${srv.url}${pathAndQuery}`);

async function assertClean(page, what) {
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `axe violations (${what}):\n${formatViolations(v)}`);
}

async function signInByKeyboard(page, name) {
  await signInWithKeyboard(page, srv.url, name, PW);
  assert.match(await page.textContent('#whoami'), new RegExp(name));
}

test('the sign-in page and a page without a session are clean and say "sign in first"', async () => {
  const page = await newPage(browser);
  try {
    await open(page, '/staff.html');
    await page.waitForSelector('#signin-section:not([hidden])');
    assert.ok(await page.isHidden('#inbox-section'));
    await assertCleanInAllLanguages(page, 'sign-in');
    // A wrong password is told beside the password field.
    await page.fill('#signin-name', 'moderator1');
    await page.fill('#signin-password', 'not the password at all');
    await page.click('#signin-submit');
    await page.waitForSelector('#signin-password-error:not([hidden])');
    assert.equal(await page.getAttribute('#signin-password', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-password');
    await assertClean(page, 'sign-in with an error');

    for (const p of ['/staff-item.html?id=1', '/staff-users.html']) {
      await open(page, p);
      await page.waitForSelector('#signed-out:not([hidden])');
      assert.match(await page.getAttribute('#signin-link', 'href'), /^\/staff\.html\?next=/);
      await assertCleanInAllLanguages(page, `${p} signed out`);
    }
    // The link signs in and comes back to the page it was on.
    await open(page, '/staff-item.html?id=2');
    await page.waitForSelector('#signed-out:not([hidden])');
    await page.click('#signin-link');
    await page.waitForSelector('#signin-section:not([hidden])');
    await page.fill('#signin-name', 'moderator1');
    await page.fill('#signin-password', PW);
    await page.press('#signin-password', 'Enter');
    await page.waitForURL('**/staff-item.html?id=2');
    await page.waitForSelector('#details dt');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a moderator signs in by keyboard, filters the inbox and answers an item', async () => {
  const page = await newPage(browser);
  try {
    await signInByKeyboard(page, 'moderator1');
    // By default the queue is the open items, unanswered first, oldest first.
    const open = await page.evaluate(() => VK.getJSON('/api/v1/staff/feedback?status=received,in_progress,planned&limit=25'));
    assert.ok(open.features.length >= 10, 'the demo has open items');
    assert.deepEqual(await page.$$eval('#inbox-body th a', (as) => as.map((a) => Number(a.dataset.id))),
      open.features.map((f) => f.id));
    assert.match(await page.textContent('#list-count'), new RegExp(`1–${open.features.length}`));
    // No --smtp here: the inbox says that residents are not mailed.
    await page.waitForSelector('#mail-mode:not([hidden])');
    assert.match(await page.textContent('#mail-mode'), /välityspalvelinta/);
    await assertCleanInAllLanguages(page, 'inbox');

    // Filter: received only, by keyboard on the form.
    await tabTo(page, '#f-status');
    await page.selectOption('#f-status', 'received');
    await tabTo(page, '#filter-apply');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.search.includes('status=received'));
    await page.waitForFunction(() => [...document.querySelectorAll('#inbox-body tr td:nth-child(8)')]
      .every((td) => td.textContent === 'Vastaanotettu'));
    const ids = await page.$$eval('#inbox-body th a', (as) => as.map((a) => Number(a.dataset.id)));
    assert.ok(ids.length > 0);
    // The API agrees on the order: unanswered, oldest first.
    const api = await page.evaluate(() => VK.getJSON('/api/v1/staff/feedback?status=received&limit=25'));
    assert.deepEqual(ids, api.features.map((f) => f.id));

    // Open the first by keyboard and change its status with an answer and a note.
    const id = ids[0];
    // The item page's address carries the inbox's filters.
    await tabTo(page, `#inbox-body a[href="/staff-item.html?id=${id}&status=received"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/staff-item.html?id=${id}&status=received`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#change-form:not([hidden])');
    await assertCleanInAllLanguages(page, 'item page');
    await tabTo(page, '#c-status');
    await page.selectOption('#c-status', 'in_progress');
    await tabTo(page, '#c-answer');
    await page.keyboard.type('Korjaus on tilattu urakoitsijalta.');
    // Past the answer's optional Swedish and English fields to the note.
    await tabTo(page, '#c-note', { max: 4 });
    await page.keyboard.type('Urakoitsija ilmoittaa aikataulun ensi viikolla.');
    await tabTo(page, '#c-submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('live').textContent.includes('tallennettiin'));
    const pub = await (await fetch(`${srv.url}/api/v1/feedback/${id}`)).json();
    assert.equal(pub.properties.status, 'in_progress');
    assert.equal(pub.properties.answer, 'Korjaus on tilattu urakoitsijalta.');
    assert.doesNotMatch(JSON.stringify(pub), /Urakoitsija ilmoittaa/, 'the note is not public');
    const history = await page.textContent('#history');
    assert.match(history, /Urakoitsija ilmoittaa aikataulun/);
    assert.match(history, /moderator1/);
    assert.match(await page.textContent('#audit-body'), /Käsittelyssä/);

    // A refused change is told beside its field.
    await page.selectOption('#c-status', 'not_resolvable');
    await page.click('#c-submit');
    await page.waitForSelector('#c-reason-error:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'c-reason');
    await assertClean(page, 'item page with an error');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a moderator sees contact details, hides, redacts and merges', async () => {
  const post = async (description) => {
    const r = await fetch(`${srv.url}/api/v1/feedback`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
        properties: { category: 'lighting', description, contact: { name: 'Maija Meikäläinen', email: 'maija@example.fi' } } }),
    });
    assert.equal(r.status, 201);
    return (await r.json()).id;
  };
  const target = await post('Valo ei pala, soita Maijalle 040 123 4567');
  const dup = await post('Sama valo on rikki');
  const page = await newPage(browser);
  try {
    await signInByKeyboard(page, 'moderator1');
    await open(page, `/staff-item.html?id=${target}`);
    await page.waitForSelector('#moderate-form:not([hidden])');
    assert.match(await page.textContent('#details'), /maija@example\.fi/);
    await tabTo(page, '#m-hidden');
    await page.keyboard.press('Space');
    // Hiding asks why, from a list.
    await tabTo(page, '#m-reason');
    await page.selectOption('#m-reason', 'personal_data');
    await tabTo(page, '#m-description');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Valo ei pala.');
    await tabTo(page, '#m-submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('live').textContent.includes('Moderointi'));
    assert.match(await page.textContent('#details'), /Piilotettu/);
    assert.match(await page.textContent('#audit-body'), /Piilotettiin/);
    assert.equal((await fetch(`${srv.url}/api/v1/feedback/${target}`)).status, 404, 'hidden from the public');
    await page.uncheck('#m-hidden');
    await page.click('#m-submit');
    await page.waitForFunction(() => /Julkinen/.test(document.getElementById('details').textContent));
    await assertCleanInAllLanguages(page, 'item page after moderation');

    await open(page, `/staff-item.html?id=${dup}`);
    await page.waitForSelector('#merge-form:not([hidden])');
    await tabTo(page, '#g-into');
    await page.keyboard.type(String(dup));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#g-into-error:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'g-into');
    await page.fill('#g-into', String(target));
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('live').textContent.length > 0);
    assert.match(await page.textContent('#details'), /Sama asia on jo ilmoitettu/);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('an admin adds a user and changes another one', async () => {
  const page = await newPage(browser);
  try {
    await signInByKeyboard(page, 'admin1');
    // Back up from the inbox to the header (the rows' links and checkboxes come after it).
    await tabTo(page, '#nav-users', { shift: true, max: 200 });
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-users.html');
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#users-body tr');
    await assertCleanInAllLanguages(page, 'users page');

    await tabTo(page, '#a-name');
    await page.keyboard.type('new.planner');
    await tabTo(page, '#a-role');
    await page.selectOption('#a-role', 'planner');
    await tabTo(page, '#a-password');
    await page.keyboard.type('short');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#a-password-error:not([hidden])');
    await assertClean(page, 'users page with an error');
    await page.fill('#a-password', 'a long enough password');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('live').textContent.includes('new.planner'));
    assert.match(await page.textContent('#users-body'), /new\.planner/);
    const login = await fetch(`${srv.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'new.planner', password: 'a long enough password' }),
    });
    assert.equal((await login.json()).role, 'planner');

    // The admin cannot disable themselves: told beside the checkbox.
    await page.selectOption('#e-name', 'admin1');
    await page.check('#e-disabled');
    await page.click('#e-submit');
    await page.waitForSelector('#e-disabled-error:not([hidden])');
    await assertClean(page, 'users page, own account refused');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
