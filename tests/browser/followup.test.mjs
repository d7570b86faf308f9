// The reporter's side of issue 5: the private follow-up link shown after a
// report, the follow-up page (status, the city's answer, history, withdraw),
// open items suggested while reporting and "me too" counted once per
// browser. A moderator acts over HTTP with an API token.
import assert from 'node:assert/strict';
import {
  after, allFeedback, axeViolations, before, formatViolations, getJSON, gotoReady, newPage,
  openApp, startBoth, stopBoth, tabTo, test, uniqueText, waitForSuccess
} from './helpers.mjs';

let server;
let base;
let browser;
let categories;
let districts;

before(async () => {
  ({ server, browser } = await startBoth({ tokens: [{ name: 'followup-moderator', role: 'moderator' }] }));
  base = server.url;
  categories = (await getJSON(base, '/api/v1/categories')).categories;
  districts = (await getJSON(base, '/api/v1/districts')).features;
});

after(() => stopBoth(server, browser));

async function moderate(id, body) {
  const r = await fetch(`${base}/api/v1/staff/feedback/${id}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${server.tokens['followup-moderator']}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.equal(r.status, 200, `PATCH ${id}: ${text}`);
  return JSON.parse(text);
}

// A report made through the API, as another resident's; returns the Feature.
async function report(props, geometry) {
  const r = await fetch(`${base}/api/v1/feedback`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/geo+json' },
    body: JSON.stringify({ type: 'Feature', geometry, properties: props }),
  });
  const text = await r.text();
  assert.equal(r.status, 201, text);
  return JSON.parse(text);
}

// Report without the map through the form; resolves with the follow-up URL.
async function reportWithoutMap(page, description, { district = 1, category = 1 } = {}) {
  await page.click('#open-form');
  await page.check('#mode-district');
  await page.selectOption('#district', { index: district });
  await page.fill('#place', 'Kirjaston pääovi');
  await page.selectOption('#category', { index: category });
  await page.fill('#description', description);
  await page.fill('#email', 'reporter@example.org');
  await page.click('#submit');
  await waitForSuccess(page);
}

async function assertNoViolations(page, what) {
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `axe violations (${what}):\n${formatViolations(v)}`);
}

async function openFollow(token, lang) {
  const page = await newPage(browser);
  await gotoReady(page, `${base}/follow.html${lang ? `?lang=${lang}` : ''}#${token}`);
  return page;
}

test('report without the map, follow it, see the answer, withdraw it', async () => {
  const page = await openApp(browser, base);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  try {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    // English from the switcher, so that the follow-up page remembers it.
    await page.click('.lang-button[data-lang="en"]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    const description = uniqueText('Follow-up test: the lamp by the library door is out');
    await reportWithoutMap(page, description);
    const status = await page.textContent('#report-status');
    assert.match(status, /follow-up link is below/);
    assert.ok(await page.isVisible('#followup-box'));
    const url = await page.inputValue('#followup-url');
    assert.ok(url.startsWith(`${base}/follow.html?lang=en#`), `absolute follow-up URL in the page's language: ${url}`);
    const token = url.split('#')[1];
    assert.ok(token.length >= 16);
    const box = await page.textContent('#followup-box');
    assert.match(box, /only way to follow/);
    assert.match(box, /private/);

    await page.click('#followup-copy');
    await page.waitForFunction(() => document.getElementById('followup-copied').textContent.length > 0);
    assert.equal(await page.textContent('#followup-copied'), 'The link has been copied to the clipboard.');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);

    // The token went nowhere but the follow-up API (not even in the POST).
    await page.click('#followup-open');
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(page.url(), url);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    const fb = (await allFeedback(base)).find((f) => f.properties.description === description);
    assert.ok(fb, 'the report is public');
    assert.equal(await page.textContent('#fb-heading'), `Feedback ${fb.id}: ${categories[0].name.en}`);
    assert.equal(await page.textContent('#fb-status'), 'Status: Received');
    let fields = await page.textContent('#fb-fields');
    assert.ok(fields.includes(description));
    assert.match(fields, /You gave your contact details/);
    assert.match(fields, /Nobody else has said yet/);
    assert.ok(!fields.includes('reporter@example.org'), 'the page never shows the address itself');

    const answer = 'We replaced the lamp on Tuesday. Thank you for telling us.';
    await moderate(fb.id, { status: 'resolved', public_answer: answer });
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#fb-status'), 'Status: Resolved');
    assert.match(await page.textContent('#fb-status-explain'), /has been resolved/);
    fields = await page.textContent('#fb-fields');
    assert.ok(fields.includes(answer), 'the answer is among the details');
    const history = await page.$$eval('#history li', (lis) => lis.map((li) => li.textContent));
    assert.ok(history.some((h) => h.includes('Status changed: Resolved') && h.includes(answer)), history.join(' | '));

    // Withdraw: a confirmation step first, which can be backed out of.
    await page.click('#withdraw-start');
    assert.ok(await page.isVisible('#withdraw-confirm'));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'withdraw-confirm-heading');
    assert.match(await page.textContent('#withdraw-confirm'), /removed from public view.*contact details.*deleted at once/s);
    await page.click('#withdraw-no');
    assert.ok(!(await page.isVisible('#withdraw-confirm')));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'withdraw-start');
    assert.ok((await allFeedback(base)).some((f) => f.id === fb.id), 'still public before confirming');

    await page.click('#withdraw-start');
    await page.click('#withdraw-yes');
    await page.waitForFunction(() => document.getElementById('follow-message').textContent.includes('withdrawn'));
    assert.match(await page.textContent('#follow-message'), /has now been withdrawn/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'follow-message');
    assert.ok(await page.isHidden('#withdraw-section'));
    assert.ok(!(await page.textContent('#fb-fields')).includes('contact details'));
    assert.ok((await page.textContent('#history')).includes('The feedback was withdrawn.'));

    assert.ok(!(await allFeedback(base)).some((f) => f.id === fb.id), 'gone from the public API');
    const again = await openApp(browser, base, { lang: 'en' });
    try {
      assert.equal(await again.locator(`#fb-${fb.id}`).count(), 0, 'gone from the public list');
    } finally {
      await again.closeAll();
    }

    // Coming back later: the withdrawn report is said to be withdrawn.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.match(await page.textContent('#follow-message'), /You have withdrawn this feedback/);
    assert.ok(await page.isHidden('#withdraw-section'));

    for (const u of requests.filter((r) => r.includes(token))) {
      assert.ok(new URL(u).pathname.startsWith('/api/v1/followup/') || u.startsWith(`${base}/follow.html#`),
        `the token was sent to ${u}`);
    }
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('an unknown or missing follow-up link says so clearly', async () => {
  const page = await openFollow('A'.repeat(43), 'en');
  try {
    assert.match(await page.textContent('#follow-message'), /No feedback was found with this link/);
    assert.ok(await page.isHidden('#follow-content'));
    await page.goto(`${base}/follow.html?lang=fi`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.match(await page.textContent('#follow-message'), /Osoitteesta puuttuu seurantatunnus/);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the follow-up page has no WCAG 2.1 AA violations in fi, sv and en', async () => {
  const created = await report({ category: categories[0].id, description: uniqueText('Axe follow-up'),
    place: 'Torin laita', contact: { email: 'axe@example.org' } },
  { type: 'Point', coordinates: districts[0].properties.label_point });
  const token = created.followup.token;
  assert.equal(created.followup.url, `/follow.html#${token}`);
  await moderate(created.id, { status: 'in_progress', public_answer: 'Katsomme asiaa tällä viikolla.' });
  for (const lang of ['fi', 'sv', 'en']) {
    const page = await openFollow(token, lang);
    try {
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await assertNoViolations(page, `follow page, ${lang}`);
      // Keyboard only: Tab to the button, Enter, focus on the question.
      await tabTo(page, '#withdraw-start');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'withdraw-confirm-heading');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'withdraw-yes');
      await assertNoViolations(page, `follow page, confirmation open, ${lang}`);
      assert.deepEqual(page.errors, []);
    } finally {
      await page.closeAll();
    }
  }
  const missing = await openFollow('B'.repeat(43), 'sv');
  try {
    await assertNoViolations(missing, 'unknown link, sv');
  } finally {
    await missing.closeAll();
  }
  const r = await fetch(`${base}/api/v1/followup/${token}/withdraw`, { method: 'POST' });
  assert.equal(r.status, 200);
  const withdrawn = await openFollow(token, 'en');
  try {
    assert.match(await withdrawn.textContent('#follow-message'), /You have withdrawn/);
    await assertNoViolations(withdrawn, 'withdrawn, en');
  } finally {
    await withdrawn.closeAll();
  }
});

test('open items nearby are suggested while reporting, and "me too" counts once', async () => {
  const district = districts[2];
  const category = categories[1];
  const existing = await report({ category: category.id, description: uniqueText('Nearby: the kerb is broken'),
    place: 'Koulun risteys' }, { type: 'Point', coordinates: district.properties.label_point });

  // Opened at the item (?item=N): the list holds the map's view (issue 15),
  // and its "me too" button is checked below.
  const page = await openApp(browser, base, { lang: 'en', query: `item=${existing.id}` });
  await page.waitForSelector(`#list-metoo-${existing.id}`, { state: 'attached' });
  try {
    await page.click('#open-form');
    await page.check('#mode-district');
    await page.selectOption('#district', district.properties.code);
    await page.fill('#place', 'By the school crossing');
    assert.ok(await page.isHidden('#nearby'), 'nothing suggested before a topic is chosen');
    // Keyboard: the suggestion must not take the focus away from the topic.
    await page.focus('#category');
    await page.selectOption('#category', category.id);
    await page.waitForSelector('#nearby:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'category');
    await page.waitForFunction(() => document.getElementById('nearby-live').textContent.length > 0);
    assert.match(await page.textContent('#nearby-live'), /open pieces? of feedback on the same topic close by/);
    const item = page.locator('#nearby-list li', { has: page.locator(`#nearby-title-${existing.id}`) });
    assert.equal(await item.count(), 1);
    const text = await item.textContent();
    assert.ok(text.includes(existing.properties.description));
    assert.match(text, /Received · less than 10 metres away/);
    await assertNoViolations(page, 'nearby suggestions');

    const button = page.locator(`#nearby-metoo-${existing.id}`);
    assert.equal(await button.textContent(), 'Me too (0)');
    assert.equal(await button.getAttribute('aria-pressed'), 'false');
    await button.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.getElementById(`nearby-metoo-status-${id}`).textContent.length > 0, existing.id);
    assert.equal(await page.textContent(`#nearby-metoo-status-${existing.id}`), 'Thank you! Your support has been counted.');
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    assert.match(await button.textContent(), /Me too \(1\)$/);
    // The list's button for the same item follows.
    assert.match(await page.textContent(`#list-metoo-${existing.id}`), /Me too \(1\)$/);

    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.getElementById(`nearby-metoo-status-${id}`).textContent.includes('already'), existing.id);
    assert.match(await button.textContent(), /Me too \(1\)$/);
    assert.equal((await getJSON(base, `/api/v1/feedback/${existing.id}`)).properties.me_too, 1);

    // Only a suggestion: the resident can still send their own report.
    await page.fill('#description', uniqueText('Nearby: my own report of the kerb'));
    await page.click('#submit');
    await waitForSuccess(page);
    assert.ok(await page.isVisible('#followup-box'));
    await assertNoViolations(page, 'follow-up link shown');

    // After a reload the button in the list remembers this browser's support.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const listButton = page.locator(`#list-metoo-${existing.id}`);
    assert.equal(await listButton.getAttribute('aria-pressed'), 'true');
    await listButton.click();
    await page.waitForFunction((id) => document.getElementById(`list-metoo-status-${id}`).textContent.length > 0, existing.id);
    assert.match(await page.textContent(`#list-metoo-status-${existing.id}`), /already been counted/);
    assert.equal((await getJSON(base, `/api/v1/feedback/${existing.id}`)).properties.me_too, 1);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a point marked with the keyboard crosshair also gets suggestions (sv)', async () => {
  const cfg = await getJSON(base, '/api/v1/config');
  const category = categories[0];
  const existing = await report({ category: category.id, description: uniqueText('Nära: gatlyktan är sönder') },
    { type: 'Point', coordinates: cfg.center });
  const page = await openApp(browser, base, { lang: 'sv' });
  try {
    await page.click('#open-form');
    await page.check('#mode-point');
    await page.click('#draw-add');
    await page.click('#draw-finish');
    await page.selectOption('#category', category.id);
    await page.waitForSelector(`#nearby-title-${existing.id}`);
    assert.equal(await page.textContent('#nearby-heading'), 'Har detta redan rapporterats?');
    assert.match(await page.textContent(`#nearby-metoo-${existing.id}`), /Jag också \(0\)/);
    await assertNoViolations(page, 'nearby suggestions, sv');
    // A different topic: this suggestion goes away.
    await page.selectOption('#category', categories[categories.length - 1].id);
    await page.waitForSelector(`#nearby-title-${existing.id}`, { state: 'detached' });
  } finally {
    await page.closeAll();
  }
});
