// An answer shown in another language than the reader's carries its own
// lang attribute (issue 18, schema 0023): the city answers in Finnish and
// English but not in Swedish; a Swedish reader sees the Finnish answer
// marked lang="fi" (on the follow-up page, in its history, in the public
// map's popup and on the staff item page), an English reader the English
// answer marked lang="en". Without the attribute a screen reader reads
// Finnish with Swedish rules.
import assert from 'node:assert/strict';
import {
  after, before, getJSON, gotoReady, newPage, openApp, signIn, startBoth, stopBoth, test, uniqueText
} from './helpers.mjs';

const PW = 'correct horse battery staple';
let srv;
let browser;
let item;
let token;
const FI = uniqueText('Lamppu vaihdettiin tiistaina.');
const EN = uniqueText('The lamp was replaced on Tuesday.');

before(async () => {
  ({ server: srv, browser } = await startBoth({
    users: [{ name: 'al-moderator', role: 'moderator', password: PW }],
    tokens: [{ name: 'al-moderator-token', role: 'moderator' }],
  }));
  const categories = (await getJSON(srv.url, '/api/v1/categories')).categories;
  const districts = (await getJSON(srv.url, '/api/v1/districts')).features;
  const r = await fetch(`${srv.url}/api/v1/feedback`, {
    method: 'POST', headers: { 'Content-Type': 'application/geo+json' },
    body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: districts[0].properties.label_point },
      properties: { category: categories[0].id, description: uniqueText('Valo rikki'), place: 'Torin laita',
        contact: { email: 'al@example.org' } } }),
  });
  assert.equal(r.status, 201);
  item = await r.json();
  token = item.followup.token;
  const p = await fetch(`${srv.url}/api/v1/staff/feedback/${item.id}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${srv.tokens['al-moderator-token']}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'resolved', public_answer: { fi: FI, en: EN } }),
  });
  assert.equal(p.status, 200, await p.text());
});
after(() => stopBoth(srv, browser));

// [text, lang attribute] of every element matching selector whose text
// holds one of the answers.
function answersIn(page, selector) {
  return page.$$eval(selector, (els, texts) => els
    .filter((e) => texts.some((x) => e.textContent.includes(x)))
    .map((e) => [e.textContent, e.closest('[lang]') === document.documentElement ? null : e.closest('[lang]').lang]),
  [FI, EN]);
}

for (const [lang, text, want] of [['sv', FI, 'fi'], ['en', EN, 'en'], ['fi', FI, 'fi']]) {
  test(`a reader of ${lang} sees the answer in ${want}, marked lang="${want}"`, async () => {
    const page = await newPage(browser);
    try {
      await gotoReady(page, `${srv.url}/follow.html?lang=${lang}#${token}`);
      await page.waitForSelector('#fb-fields dd');
      const fields = await answersIn(page, '#fb-fields dd');
      assert.deepEqual(fields, [[text, want]], 'the item\'s answer');
      const history = await answersIn(page, '#history .history-answer-text');
      assert.deepEqual(history, [[text, want]], 'the answer in the history');
      assert.deepEqual(page.errors, []);
    } finally {
      await page.closeAll();
    }

    const map = await openApp(browser, srv.url, { lang, query: `item=${item.id}` });
    try {
      await map.waitForSelector('.leaflet-popup .fb-fields dd');
      const popup = await answersIn(map, '.leaflet-popup .fb-fields dd');
      assert.deepEqual(popup, [[text, want]], 'the answer in the map\'s popup');
      assert.deepEqual(map.errors, []);
    } finally {
      await map.closeAll();
    }
  });
}

test('the staff item page marks the answer as written, and each translation, with its language', async () => {
  const page = await newPage(browser, { locale: 'sv-FI' });
  try {
    await signIn(page, srv.url, 'al-moderator', PW);
    await page.click('.lang-button[data-lang="sv"]');
    await gotoReady(page, `${srv.url}/staff-item.html?id=${item.id}`);
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    await page.waitForSelector('#details dd');
    assert.deepEqual(await answersIn(page, '#details dd'), [[FI, 'fi']]);
    const history = await answersIn(page, '#history span');
    assert.deepEqual(history.map((h) => h[1]).sort(), ['en', 'fi']);
  } finally {
    await page.closeAll();
  }
});
