// The results pages with the demo surveys (100 responses each): the
// planner's analysis page and the public /s/{slug}/results pass axe-core in
// fi, sv and en, also at 360 px; the figures shown are the API's; the
// filters work from the keyboard alone and every figure follows them; a
// suppressed public count reads "fewer than k answers"; the survey's
// landing page shows "what we did" and the way to the results.
import assert from 'node:assert/strict';
import { call, login } from '../lib/server.mjs';
import { after, before, gotoReady, newPage, startBoth, stopBoth, tabTo, test } from './helpers.mjs';
import { PLANNER, assertNoOverflow, checkState } from './survey-helpers.mjs';

const SLUG = 'turvallinen-koulutie';
const FEWER = { fi: 'alle 5 vastausta', sv: 'färre än 5 svar', en: 'fewer than 5 answers' };

let server;
let browser;
let auth;

before(async () => {
  ({ server, browser } = await startBoth({ users: [PLANNER], demoResponses: 100 }));
  const s = await login(server, PLANNER.name, PLANNER.password);
  assert.equal(s.status, 200, s.text);
  auth = { cookie: s.cookie, csrf: s.csrf };
});

after(() => stopBoth(server, browser));

async function staffResults(query = '') {
  const r = await call(server, 'GET', `/api/v1/staff/surveys/${SLUG}/results${query}`, auth);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** A page signed in as the planner (the session cookie in its context). */
async function plannerPage(opts) {
  const page = await newPage(browser, opts);
  await gotoReady(page, `${server.url}/staff.html`);
  const status = await page.evaluate(async (pw) => {
    const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(pw) });
    return r.status;
  }, { name: PLANNER.name, password: PLANNER.password });
  assert.equal(status, 200);
  return page;
}

async function cellValue(page, section, key, col = 0) {
  return page.evaluate(([s, k, c]) => {
    const tr = document.querySelector(`${s} .chart-table tr[data-key="${k}"]`);
    return tr ? tr.querySelectorAll('td')[c].getAttribute('data-value') : null;
  }, [section, key, col]);
}

test('staff results: the figures are the API\'s; axe in fi, sv and en; 360 px', async () => {
  const api = await staffResults();
  const page = await plannerPage();
  try {
    await gotoReady(page, `${server.url}/staff-survey-results.html?slug=${SLUG}`);
    await page.waitForSelector('#rq-mode .chart-table');
    assert.equal(await page.getAttribute('#sum-n', 'data-value'), String(api.n));
    const mode = api.questions.find((q) => q.key === 'mode');
    for (const c of mode.choices) {
      assert.equal(await cellValue(page, '#rq-mode', c.key), String(c.n), `mode ${c.key}`);
    }
    const safe = api.questions.find((q) => q.key === 'feel_safe');
    for (const d of safe.distribution) {
      assert.equal(await cellValue(page, '#rq-feel_safe', String(d.value)), String(d.n), `feel_safe ${d.value}`);
    }
    // Per district of a map question, and the timeline's days.
    const route = api.questions.find((q) => q.key === 'route');
    const d0 = route.districts.find((d) => d.code);
    assert.equal(await cellValue(page, '#rq-route', d0.code), String(d0.n));
    assert.equal(await page.locator('#timeline .chart-table tbody tr').count(), api.timeline.length);
    // Every chart is a picture with a name and a table beside it.
    const bare = await page.evaluate(() => [...document.querySelectorAll('figure.chart')]
      .filter((f) => !f.querySelector('table caption') || !f.querySelector('figcaption')).length);
    assert.equal(bare, 0);
    await page.waitForSelector('figure.chart svg[role="img"][aria-label]');
    // The downloads carry the filters.
    assert.match(await page.getAttribute('#dl-csv', 'href'), new RegExp(`/api/v1/staff/surveys/${SLUG}/results\\.csv`));
    await checkState(page, 'staff results');
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    await assertNoOverflow(page, 'staff results at 360 px');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('staff results: a filter chosen with the keyboard alone narrows every figure to the API\'s', async () => {
  const api = await staffResults('?filter=mode:walk');
  const page = await plannerPage();
  try {
    await gotoReady(page, `${server.url}/staff-survey-results.html?slug=${SLUG}`);
    await page.waitForSelector('#rq-mode .chart-table');
    await tabTo(page, '#f-question');
    // Down the list of questions to "mode" (a closed select takes the arrows).
    for (let i = 0; i < 10 && (await page.inputValue('#f-question')) !== 'mode'; i++) {
      await page.keyboard.press('ArrowDown');
    }
    assert.equal(await page.inputValue('#f-question'), 'mode');
    await page.waitForSelector('#f-values:not([hidden]) input[value="walk"]');
    await tabTo(page, '#f-values input[value="walk"]');
    await page.keyboard.press('Space');
    await tabTo(page, '#apply');
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('#sum-n')?.getAttribute('data-value') === String(n), api.n);
    assert.ok(api.n < api.total, 'the filter narrows');
    const walk = api.questions.find((q) => q.key === 'mode').choices.find((c) => c.key === 'walk');
    assert.equal(await cellValue(page, '#rq-mode', 'walk'), String(walk.n));
    const bus = api.questions.find((q) => q.key === 'mode').choices.find((c) => c.key === 'bus');
    assert.equal(await cellValue(page, '#rq-mode', 'bus'), String(bus.n));
    const safe = api.questions.find((q) => q.key === 'feel_safe');
    for (const d of safe.distribution) {
      assert.equal(await cellValue(page, '#rq-feel_safe', String(d.value)), String(d.n), `feel_safe ${d.value} filtered`);
    }
    assert.match(page.url(), /filter=mode%3Awalk|filter=mode:walk/);
    assert.match(await page.getAttribute('#dl-csv', 'href'), /filter=mode%3Awalk/);
    // The active filter is listed with a button that removes it.
    await tabTo(page, '#active-list button', { shift: true });
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('#sum-n')?.getAttribute('data-value') === String(n), api.total);
    await checkState(page, 'staff results, filtered');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('public results: "fewer than k" as words, the API\'s figures, what we did; axe in fi, sv and en', async () => {
  let r = await call(server, 'PUT', `/api/v1/staff/surveys/${SLUG}/publication`, { ...auth, body: {
    results: true, k: 5, status: 'decided',
    what_we_did: { fi: 'Rakennamme suojatien koulun viereen.', sv: 'Vi bygger ett övergångsställe vid skolan.',
      en: 'We will build a crossing by the school.' },
    links: [{ url: 'https://example.org/paatos/1', title: { fi: 'Päätös', sv: 'Beslut', en: 'Decision' } }],
  } });
  assert.equal(r.status, 200, r.text);
  r = await call(server, 'GET', `/api/v1/surveys/${SLUG}/results`);
  assert.equal(r.status, 200, r.text);
  const pub = r.json;
  // A suppressed cell of a chart (the demo data has small ones).
  let hidden = null;
  for (const q of pub.questions) {
    for (const c of (q.choices || q.distribution || [])) {
      const n = c.count;
      if (n && n.suppressed && !n.secondary && !hidden) hidden = { q: q.key, key: String(c.key ?? c.value) };
    }
  }
  assert.ok(hidden, 'the demo results have a count below k');

  const page = await newPage(browser);
  try {
    await gotoReady(page, `${server.url}/s/${SLUG}/results?lang=fi`);
    await page.waitForSelector('#rs-questions .chart-table');
    assert.equal(await page.getAttribute('#rs-respondents', 'data-value'), String(pub.respondents));
    const mode = pub.questions.find((q) => q.key === 'mode');
    for (const c of mode.choices) {
      if (typeof c.count === 'number') assert.equal(await cellValue(page, '#rq-mode', c.key), String(c.count));
    }
    for (const lang of ['fi', 'sv', 'en']) {
      await page.click(`.lang-button[data-lang="${lang}"]`);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      const cell = page.locator(`#rq-${hidden.q} .chart-table tr[data-key="${hidden.key}"] td`).first();
      assert.equal(await cell.getAttribute('data-suppressed'), 'true');
      assert.equal((await cell.textContent()).trim(), FEWER[lang]);
    }
    assert.match(await page.textContent('#rs-what'), /We will build a crossing by the school\./);
    assert.equal(await page.getAttribute('#rs-what a[href="https://example.org/paatos/1"]', 'href'), 'https://example.org/paatos/1');
    await checkState(page, 'public results');
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
    await assertNoOverflow(page, 'public results at 360 px');
    await checkState(page, 'public results at 360 px');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('public results: a narrowed view from the keyboard, and a refused one said in words', async () => {
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${server.url}/s/${SLUG}/results?lang=en`);
    await page.waitForSelector('#rs-questions .chart-table');
    await tabTo(page, '#rs-f-answer');
    await page.selectOption('#rs-f-answer', 'mode:walk');
    await tabTo(page, '#rs-apply');
    await page.keyboard.press('Enter');
    const r = await call(server, 'GET', `/api/v1/surveys/${SLUG}/results?filter=mode:walk`);
    if (r.status === 200) {
      await page.waitForFunction((n) => document.querySelector('#rs-respondents')?.getAttribute('data-value') === String(n),
        typeof r.json.respondents === 'number' ? r.json.respondents : '');
    } else {
      assert.equal(r.status, 400, r.text);
      await page.waitForSelector('#rs-f-answer-error:not([hidden])');
      assert.equal(await page.getAttribute('#rs-f-answer', 'aria-invalid'), 'true');
    }
    await checkState(page, 'public results, narrowed');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the survey\'s landing page shows what we did and links to the results', async () => {
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${server.url}/s/${SLUG}?lang=sv`);
    await page.waitForSelector('#sv-what:not([hidden])');
    assert.match(await page.textContent('#sv-what'), /Vi bygger ett övergångsställe vid skolan\./);
    assert.match(await page.textContent('#sv-what'), /Beslutat/);
    assert.equal(await page.getAttribute('#sv-what a.button', 'href'), `/s/${SLUG}/results`);
    await checkState(page, 'landing with what we did');
  } finally {
    await page.closeAll();
  }
});

test('staff results: the publication form and text moderation, keyboard alone, reach the API', async () => {
  const page = await plannerPage();
  try {
    await gotoReady(page, `${server.url}/staff-survey-results.html?slug=${SLUG}`);
    await page.waitForSelector('#m-list li[data-id] button[data-state="approved"]');
    const id = await page.getAttribute('#m-list li[data-id]', 'data-id');
    await page.focus('#m-state');
    await tabTo(page, `#m-list li[data-id="${id}"] button[data-state="approved"]`);
    await page.keyboard.press('Enter');
    await page.waitForFunction((i) => !document.querySelector(`#m-list li[data-id="${i}"]`), id);
    let r = await call(server, 'GET', `/api/v1/staff/surveys/${SLUG}/texts?state=approved`, auth);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.texts.some((x) => x.id === id), 'the text is approved');

    // k below 3 is refused beside its field; 7 is saved.
    await page.focus('#p-k');
    await page.fill('#p-k', '2');
    await tabTo(page, '#p-save');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#p-k-error:not([hidden])');
    assert.equal(await page.getAttribute('#p-k', 'aria-invalid'), 'true');
    await checkState(page, 'publication error');
    await page.fill('#p-k', '7');
    await tabTo(page, '#p-save');
    // The save's own answer: #live may still hold the approval's words.
    const saved = page.waitForResponse((res) => res.request().method() === 'PUT' && res.url().endsWith('/publication'));
    await page.keyboard.press('Enter');
    assert.equal((await saved).status(), 200);
    await page.waitForFunction(() => !document.querySelector('#p-k[aria-invalid]') && document.querySelector('#live').textContent !== '');
    r = await call(server, 'GET', `/api/v1/staff/surveys/${SLUG}/publication`, auth);
    assert.equal(r.json.k, 7);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
