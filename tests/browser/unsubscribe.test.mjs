// The unsubscribe page of an e-mail's link (docs/mail.md): in the
// message's language (fi, sv, en), axe finds no WCAG 2.1 AA violations on
// the question or the answer, and the button works by keyboard alone.
import assert from 'node:assert/strict';
import { freePort } from '../lib/server.mjs';
import { startSink, waitFor } from '../lib/smtp.mjs';
import {
  after, assertNoCspViolations, axeViolations, before, formatViolations, newPage, startBoth, stopBoth, tabTo, test,
} from './helpers.mjs';

let srv;
let browser;
let sink;

before(async () => {
  const port = await freePort();
  sink = await startSink(port);
  ({ server: srv, browser } = await startBoth({ demo: false, args: ['--rate-limit', '0',
    '--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', 'palaute@kunta.fi'] }));
});
after(async () => {
  await stopBoth(srv, browser);
  await sink.stop();
});

async function tokenFor(language) {
  const r = await fetch(`${srv.url}/api/v1/feedback`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [28.7705, 61.1935] },
      properties: { category: 'lighting', description: 'Valo', contact: { email: `${language}@example.org`, language } } }),
  });
  assert.equal(r.status, 201);
  const { id } = await r.json();
  // The secret is only in the message: the test reads the receipt's link.
  const m = await waitFor('the receipt', () => sink.messages.find((x) => x.rcpt_tos.includes(`${language}@example.org`)));
  const token = m.headers['list-unsubscribe'].replace(/^<.*\?t=|>$/g, '');
  assert.match(token, new RegExp(`^r${id}\\.0-[0-9a-f]{32}$`));
  return token;
}

async function clean(page, what) {
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `axe violations (${what}):\n${formatViolations(v)}`);
}

for (const [lang, asked, done] of [
  ['fi', /Haluatko lopettaa/, /Tästä asiasta ei lähetetä/],
  ['sv', /Vill du sluta/, /Inga fler meddelanden om det här ärendet skickas/],
  ['en', /Do you want to stop/, /No more messages about this item will be sent/],
]) {
  test(`the page in ${lang}: clean, and the button works by keyboard`, async () => {
    const token = await tokenFor(lang);
    const page = await newPage(browser);
    try {
      await page.goto(`${srv.url}/api/v1/mail/unsubscribe?t=${token}`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      assert.match(await page.textContent('main'), asked);
      await clean(page, `${lang} question`);
      await tabTo(page, 'form:first-of-type button');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.match(await page.textContent('[role="status"]'), done);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await clean(page, `${lang} answer`);
      assertNoCspViolations(page);
    } finally {
      await page.closeAll();
    }
  });
}
