// The admins' outbox page (issue 17, docs/mail.md): the counts by state,
// the failed messages with the relay's reason, and "try again" by
// keyboard alone; axe finds no WCAG 2.1 AA violations in Finnish, Swedish
// or English. A moderator has no link and is told it is for admins;
// without --smtp the page says "outbox only", and every staff page says
// under its navigation that mail is not sent. A real SMTP server
// (tests/lib/smtp.mjs) refuses the "reject…" address with 550. An admin
// sets a unit's address and language in the table of units, by keyboard,
// and the unit's next new item is mailed there in that language.
import assert from 'node:assert/strict';
import {
  after, assertCleanInAllLanguages, assertNoCspViolations, before, gotoReady, newPage, signInWithKeyboard,
  startBoth, stopBoth, tabTo, test,
} from './helpers.mjs';
import { freePort, startServer } from '../lib/server.mjs';
import { sinks, startSink } from '../lib/smtp.mjs';

const PW = 'correct horse battery staple';
const USERS = [
  { name: 'admin1', role: 'admin', password: PW },
  { name: 'moderator1', role: 'moderator', password: PW },
];

let srv;
let browser;

async function report(server, email) {
  const r = await fetch(`${server.url}/api/v1/feedback`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
      properties: { category: 'lighting', description: 'Valo', contact: { email } } }),
  });
  assert.equal(r.status, 201);
  return (await r.json()).id;
}

before(async () => {
  const port = await freePort();
  await startSink(port);
  ({ server: srv, browser } = await startBoth({ demo: false, users: USERS, args: [
    '--rate-limit', '0', '--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', 'palaute@kunta.fi'] }));
});
after(async () => {
  await stopBoth(srv, browser);
  for (const s of [...sinks]) await s.stop();
});

test('an admin sees the failed message with its reason and tries it again by keyboard', async () => {
  const id = await report(srv, 'reject-browser@example.org');
  await report(srv, 'fine@example.org');
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'admin1', PW);
    await tabTo(page, '#nav-mail');
    await Promise.all([page.waitForURL('**/staff-mail.html'), page.keyboard.press('Enter')]);
    await page.waitForSelector('body[data-ready="true"]');
    // The sender may still be at work: the page is read again until the failure shows.
    for (let i = 0; i < 50 && !(await page.$('#failed-body tr')); i++) {
      await new Promise((r) => setTimeout(r, 200));
      await gotoReady(page, `${srv.url}/staff-mail.html`);
    }
    const row = await page.textContent('#failed-body tr');
    assert.match(row, /reject-browser@example\.org/);
    assert.match(row, /550/);
    assert.ok(row.includes(`${id}`), 'the item the message is about');
    assert.ok(await page.isHidden('#mode-outbox'));
    assert.ok(!(await page.isVisible('#mail-mode-note')), 'with a relay the header says nothing of it');
    assert.match(await page.textContent('#counts'), /\d/);
    await assertCleanInAllLanguages(page, 'outbox');
    await gotoReady(page, `${srv.url}/staff-mail.html?lang=en`);
    await page.waitForSelector('#failed-body tr');
    await tabTo(page, '#failed-body button');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /is queued again/.test(document.getElementById('live').textContent));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'failed-heading');
    await assertCleanInAllLanguages(page, 'after a retry');
    assertNoCspViolations(page);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('an admin sets a unit\'s address and language by keyboard, and the unit\'s new items reach it', async () => {
  const page = await newPage(browser);
  const addr = 'puistot@kunta.fi';
  try {
    await signInWithKeyboard(page, srv.url, 'admin1', PW);
    await gotoReady(page, `${srv.url}/staff-mail.html?lang=en`);
    await page.waitForSelector('#units-body tr[data-unit="parks_green"]');
    assert.equal(await page.inputValue('#unit-email-parks_green'), '');
    // A refused address: the reason beside the field, focus back on it.
    await tabTo(page, '#unit-email-parks_green', { max: 200 });
    await page.keyboard.type('puistot<x>@kunta.fi');
    await tabTo(page, '#unit-save-parks_green');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#unit-error-parks_green:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'unit-email-parks_green');
    assert.equal(await page.getAttribute('#unit-email-parks_green', 'aria-invalid'), 'true');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(addr);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown'); // fi → sv
    await tabTo(page, '#unit-save-parks_green');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Saved: Parks and green areas/.test(document.getElementById('live').textContent));
    assert.ok(await page.isHidden('#unit-error-parks_green'));
    await assertCleanInAllLanguages(page, 'the units\' addresses');
    // Read again: saved.
    await gotoReady(page, `${srv.url}/staff-mail.html`);
    await page.waitForSelector('#units-body tr[data-unit="parks_green"]');
    assert.equal(await page.inputValue('#unit-email-parks_green'), addr);
    assert.equal(await page.inputValue('#unit-lang-parks_green'), 'sv');
    assert.ok(!(await page.isChecked('#unit-digest-parks_green')));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
  const r = await fetch(`${srv.url}/api/v1/feedback`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
      properties: { category: 'parks', description: 'Penkki' } }),
  });
  assert.equal(r.status, 201);
  const id = (await r.json()).id;
  const sink = [...sinks][0];
  const end = Date.now() + 15000;
  let m;
  while (!(m = sink.messages.find((x) => x.rcpt_tos.includes(addr))) && Date.now() < end) {
    await new Promise((res) => setTimeout(res, 200));
  }
  assert.ok(m, 'the unit\'s message arrived');
  assert.equal(m.headers.subject, `Ny respons #${id} till enheten`);
});

test('a moderator has no link to it and is told it is for admins', async () => {
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'moderator1', PW);
    assert.ok(await page.isHidden('#nav-mail'));
    await gotoReady(page, `${srv.url}/staff-mail.html`);
    await page.waitForSelector('#admins-only:not([hidden])');
    assert.ok(await page.isHidden('#mail'));
  } finally {
    await page.closeAll();
  }
});

test('without --smtp the page says "outbox only"', async () => {
  const quiet = await startServer({ demo: false, users: USERS });
  const page = await newPage(browser);
  try {
    await report(quiet, 'queued@example.org'); // the inbox the sign-in lands on has a row
    await signInWithKeyboard(page, quiet.url, 'admin1', PW);
    await gotoReady(page, `${quiet.url}/staff-mail.html?lang=en`);
    await page.waitForSelector('#mode-outbox:not([hidden])');
    assert.match(await page.textContent('#mode-outbox'), /Outbox only/);
    assert.ok(await page.isVisible('#no-failed'));
    // Every staff page says so under the navigation, for every role.
    assert.match(await page.textContent('#mail-mode-note'), /E-mail is not sent/);
    await gotoReady(page, `${quiet.url}/staff-walk-review.html?lang=sv`);
    await page.waitForSelector('#mail-mode-note:not([hidden])');
    assert.match(await page.textContent('#mail-mode-note'), /E-post skickas inte/);
    await gotoReady(page, `${quiet.url}/staff-mail.html?lang=en`);
    await page.waitForSelector('#mode-outbox:not([hidden])');
    await assertCleanInAllLanguages(page, 'outbox only');
  } finally {
    await page.closeAll();
    await quiet.close();
  }
});
