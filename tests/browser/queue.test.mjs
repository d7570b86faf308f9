// The moderator's queue (issue 18), by keyboard: a queue of ten items
// filtered in the inbox; the item page keeps the filters (back, position,
// save and next); the map's nearby list merges one item into its twin with
// a public answer in one click; the shortcuts j, s and b; a refusal told at
// its field in Finnish and Swedish (never the API's English); hiding asks
// for a reason; axe finds nothing in fi, sv and en; the inbox table fits at
// 1 024 px.
import assert from 'node:assert/strict';
import {
  after, assertCleanInAllLanguages, before, gotoReady, newPage, signInWithKeyboard, startBoth, stopBoth,
  tabTo, test
} from './helpers.mjs';

const PW = 'correct horse battery staple';
const BASE = [28.7705, 61.1935];
// Metres north and east of BASE as lon/lat.
const at = (north, east) => [BASE[0] + east / (111320 * Math.cos(BASE[1] * Math.PI / 180)), BASE[1] + north / 110574];

let srv;
let browser;
const ids = [];

before(async () => {
  ({ server: srv, browser } = await startBoth({ demo: false, tokens: [{ name: 'admin-bot', role: 'admin' }],
    users: [{ name: 'moderator1', role: 'moderator', password: PW }, { name: 'admin1', role: 'admin', password: PW }] }));
  // A canned reply for lighting items in progress, in three languages.
  const cr = await fetch(`${srv.url}/api/v1/staff/replies`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${srv.tokens['admin-bot']}` },
    body: JSON.stringify({ category: 'lighting', status: 'in_progress', title: 'Korjaus tilattu',
      body: { fi: 'Korjaustyö on tilattu urakoitsijalta.', sv: 'Reparationen är beställd.', en: 'The repair is ordered.' } }),
  });
  assert.equal(cr.status, 201, await cr.text());
  // Ten lighting reports 100 m apart, but the second and third are 10 m
  // apart: the same lamp reported twice. Created in order, so the queue
  // (unanswered, oldest first) is this order.
  for (let i = 0; i < 10; i++) {
    const where = i === 2 ? at(10, 100) : at(0, i * 100);
    const r = await fetch(`${srv.url}/api/v1/feedback`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: where },
        properties: { category: 'lighting', description: `Katuvalo ${i + 1} ei pala` } }),
    });
    const text = await r.text();
    assert.equal(r.status, 201, text);
    ids.push(JSON.parse(text).id);
  }
});
after(() => stopBoth(srv, browser));

const api = async (p) => (await fetch(`${srv.url}${p}`)).json();
const focused = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);

test('a moderator works a queue of ten by keyboard', async () => {
  const page = await newPage(browser, { viewport: { width: 1024, height: 800 } });
  try {
    await signInWithKeyboard(page, srv.url, 'moderator1', PW);
    // The default queue: open items, unanswered first, oldest first.
    assert.deepEqual(await page.$$eval('#inbox-body th a', (as) => as.map((a) => Number(a.dataset.id))), ids);
    // At 1 024 px the table needs no sideways scrolling.
    assert.ok(await page.$eval('.table-wrap', (w) => w.scrollWidth <= w.clientWidth + 1), 'the table fits 1 024 px');
    assert.match(await page.textContent('#keys-heading'), /Pikanäppäimet/);
    await assertCleanInAllLanguages(page, 'inbox');

    // Filter by keyboard: lighting, not answered.
    await tabTo(page, '#f-category');
    await page.selectOption('#f-category', 'lighting');
    await tabTo(page, '#f-answered');
    await page.selectOption('#f-answered', 'false');
    await tabTo(page, '#filter-apply');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.search.includes('category=lighting') && location.search.includes('answered=false'));
    await page.waitForFunction(() => document.getElementById('list-count').textContent.includes('10'));
    // j walks the rows (focus is on the button, not in a field), Enter opens.
    await page.keyboard.press('j');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), String(ids[0]));
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/staff-item.html?id=${ids[0]}&category=lighting&answered=false`);
    await page.waitForSelector('#change-form:not([hidden])');
    await page.waitForFunction(() => /1\/10|1 of 10/.test(document.getElementById('queue-position').textContent));
    assert.equal(await page.getAttribute('#back-link', 'href'), '/staff.html?category=lighting&answered=false');
    assert.ok(await page.isHidden('#queue-prev'));
    assert.match(await page.getAttribute('#queue-next', 'href'), new RegExp(`id=${ids[1]}&category=lighting`));

    // In progress, with the canned reply inserted and edited, then "save and next".
    await tabTo(page, '#c-status');
    await page.selectOption('#c-status', 'in_progress');
    await tabTo(page, '#c-canned');
    await page.selectOption('#c-canned', { label: 'Korjaus tilattu' });
    await tabTo(page, '#c-canned-insert');
    await page.keyboard.press('Enter');
    assert.equal(await focused(page), 'c-answer');
    assert.equal(await page.inputValue('#c-answer'), 'Korjaustyö on tilattu urakoitsijalta.');
    await page.keyboard.press('End');
    await page.keyboard.type(' Arvio: viikko 50.');
    await tabTo(page, '#c-save-next');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/staff-item.html?id=${ids[1]}&category=lighting&answered=false`);
    await page.waitForSelector('#change-form:not([hidden])');
    const first = (await api(`/api/v1/feedback/${ids[0]}`)).properties;
    assert.equal(first.answer, 'Korjaustyö on tilattu urakoitsijalta. Arvio: viikko 50.');
    // The canned reply went in per language: each version has its own field.
    assert.equal(first.answer_sv, 'Reparationen är beställd.');
    assert.equal(first.answer_en, 'The repair is ordered.');
    assert.equal(first.status, 'in_progress');
    // a focuses the answer box.
    await page.keyboard.press('a');
    assert.equal(await focused(page), 'c-answer');
    await page.keyboard.press('Tab');
    await page.waitForFunction(() => /tallennettiin/.test(document.getElementById('live').textContent));

    // The map's list: the twin 10 m away, merged into with a public answer.
    await page.waitForSelector(`.nearby-merge[data-into="${ids[2]}"]`);
    assert.match(await page.textContent('#nearby-list'), /10/);
    assert.ok(await page.$('#item-map .leaflet-interactive'), 'the item is drawn on the map');
    await assertCleanInAllLanguages(page, 'item page with its map');
    const ANSWER = `Sama valo on jo ilmoitettu (palaute ${ids[2]}).`;
    await tabTo(page, '#g-answer');
    await page.keyboard.type(ANSWER);
    await tabTo(page, `.nearby-merge[data-into="${ids[2]}"]`, { shift: true });
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.getElementById('live').textContent
      .includes(`yhdistettiin palautteeseen ${n}`), ids[2]);
    const merged = (await api(`/api/v1/feedback/${ids[1]}`)).properties;
    assert.equal(merged.status, 'duplicate');
    assert.equal(merged.duplicate_of, ids[2]);
    assert.equal(merged.answer, ANSWER);

    // s with nothing to save moves on to the next of the queue.
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('s');
    await page.waitForURL(`**/staff-item.html?id=${ids[2]}&category=lighting&answered=false`);
    await page.waitForSelector('#change-form:not([hidden])');

    // A refusal in the interface's language at its field.
    await tabTo(page, '#c-status');
    await page.selectOption('#c-status', 'not_resolvable');
    await tabTo(page, '#c-save-next');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#c-reason-error:not([hidden])');
    assert.equal(await focused(page), 'c-reason');
    assert.equal(await page.textContent('#c-reason-error'), 'Kerro, miksi asiaa ei voida ratkaista.');
    assert.equal(page.url().includes(`id=${ids[2]}`), true, 'a refusal stays on the item');
    // A refusal by the API (a merge into a closed item) likewise.
    await tabTo(page, '#g-into');
    await page.keyboard.type(String(ids[1]));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#g-into-error:not([hidden])');
    assert.equal(await page.textContent('#g-into-error'),
      'Kohdepalaute on suljettu tai piilotettu; yhdistä avoimeen julkiseen palautteeseen.');
    await page.click('.lang-button[data-lang="sv"]');
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    await page.click('#g-submit');
    await page.waitForFunction(() => /slå ihop med en öppen/.test(document.getElementById('g-into-error').textContent));
    assert.doesNotMatch(await page.textContent('#g-into-error'), /merge into/);
    await page.click('.lang-button[data-lang="fi"]');
    await page.waitForFunction(() => document.documentElement.lang === 'fi');

    // Hiding asks why; the reason is audited.
    await tabTo(page, '#m-hidden');
    await page.keyboard.press('Space');
    await page.waitForSelector('#m-reason-field:not([hidden])');
    await tabTo(page, '#m-submit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#m-reason-error:not([hidden])');
    assert.equal(await focused(page), 'm-reason');
    await page.selectOption('#m-reason', 'offensive');
    await tabTo(page, '#m-submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Loukkaava/.test(document.getElementById('audit-body').textContent));
    await assertCleanInAllLanguages(page, 'item page after hiding');

    // b: back to the inbox, filters kept; the answered and merged ones left the queue.
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('b');
    await page.waitForURL('**/staff.html?category=lighting&answered=false');
    await page.waitForSelector('#inbox-body th a');
    const left = await page.$$eval('#inbox-body th a', (as) => as.map((a) => Number(a.dataset.id)));
    assert.ok(!left.includes(ids[0]) && !left.includes(ids[1]), `${left}`);
    assert.equal(await page.inputValue('#f-category'), 'lighting');

    // A bulk action by keyboard: the first two rows to another unit, with an answer.
    const visible = left.filter((x) => x !== ids[2]); // ids[2] was hidden
    const two = visible.slice(0, 2);
    for (const id of two) {
      await tabTo(page, `.row-select[value="${id}"]`);
      await page.keyboard.press('Space');
    }
    await page.waitForFunction(() => /2/.test(document.getElementById('bulk-count').textContent));
    await tabTo(page, '#b-action');
    await page.selectOption('#b-action', 'unit');
    await tabTo(page, '#b-unit');
    await page.selectOption('#b-unit', 'parks_green');
    await tabTo(page, '#b-answer');
    await page.keyboard.type('Siirretty puistoyksikölle.');
    await tabTo(page, '#b-submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /2 palautetta muutettiin/.test(document.getElementById('live').textContent));
    for (const id of two) {
      const p = (await api(`/api/v1/feedback/${id}`)).properties;
      assert.equal(p.unit, 'parks_green');
      assert.equal(p.answer, 'Siirretty puistoyksikölle.');
    }
    // A refused bulk merge is told at its field in Finnish.
    await tabTo(page, `.row-select[value="${visible[2]}"]`);
    await page.keyboard.press('Space');
    await tabTo(page, '#b-action');
    await page.selectOption('#b-action', 'merge');
    await tabTo(page, '#b-into');
    await page.keyboard.type(String(ids[1]));
    await tabTo(page, '#b-submit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#b-into-error:not([hidden])');
    assert.equal(await page.textContent('#b-into-error'),
      'Kohdepalaute on suljettu tai piilotettu; yhdistä avoimeen julkiseen palautteeseen.');
    await assertCleanInAllLanguages(page, 'inbox with a bulk refusal');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('an admin keeps the canned replies by keyboard, in the page\'s language', async () => {
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'admin1', PW);
    await tabTo(page, '#nav-replies');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-replies.html');
    await page.waitForSelector('#reply-form:not([hidden])');
    await page.waitForSelector('#replies-body th');
    assert.match(await page.textContent('#replies-body'), /Korjaus tilattu/);
    await assertCleanInAllLanguages(page, 'canned replies');
    // Without a name: told at the field, in Finnish.
    await tabTo(page, '#r-fi');
    await page.keyboard.type('Kiitos palautteesta.');
    await tabTo(page, '#r-submit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#r-title-error:not([hidden])');
    assert.equal(await page.textContent('#r-title-error'), 'Anna vastaukselle nimi.');
    assert.equal(await focused(page), 'r-title');
    await page.keyboard.type('Kiitos');
    await tabTo(page, '#r-sv');
    await page.keyboard.type('Tack för responsen.');
    await tabTo(page, '#r-submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Kiitos/.test(document.getElementById('replies-body').textContent));
    const list = await (await fetch(`${srv.url}/api/v1/staff/replies`, { headers: { Authorization: `Bearer ${srv.tokens['admin-bot']}` } })).json();
    const made = list.replies.find((r) => r.title === 'Kiitos');
    assert.deepEqual(made.body, { fi: 'Kiitos palautteesta.', sv: 'Tack för responsen.', en: null });
    assert.equal(made.category, null);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a moderator corrects the category and the place without the map', async () => {
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'moderator1', PW);
    const id = ids[9];
    await gotoReady(page, `${srv.url}/staff-item.html?id=${id}`);
    await page.waitForSelector('#change-form:not([hidden])');
    await tabTo(page, '#c-category');
    await page.selectOption('#c-category', 'parks');
    await tabTo(page, '#c-lat');
    await page.keyboard.type('61,1936');
    await tabTo(page, '#c-submit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#c-lon-error:not([hidden])');
    assert.equal(await focused(page), 'c-lon');
    const [lon, lat] = at(20, 850);
    await page.keyboard.type(lon.toFixed(6));
    await page.fill('#c-lat', lat.toFixed(6));
    await tabTo(page, '#c-submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Aihetta tai sijaintia korjattiin/.test(document.getElementById('audit-body').textContent));
    const p = await api(`/api/v1/feedback/${id}`);
    assert.equal(p.properties.category, 'parks');
    assert.ok(Math.abs(p.geometry.coordinates[1] - lat) < 1e-5);
    await assertCleanInAllLanguages(page, 'item page after a correction');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a moderator filters the inbox to the items assigned to them, and the item page keeps it', async () => {
  const auth = { 'Content-Type': 'application/json', Authorization: `Bearer ${srv.tokens['admin-bot']}` };
  const mine = [];
  for (const [i, who] of [[0, 'moderator1'], [1, 'admin1'], [2, 'moderator1']]) {
    const r = await fetch(`${srv.url}/api/v1/feedback`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: at(500, i * 100) },
        properties: { category: 'parks', description: `Penkki ${i + 1} rikki` } }),
    });
    const id = JSON.parse(await r.text()).id;
    const p = await fetch(`${srv.url}/api/v1/staff/feedback/${id}`, { method: 'PATCH', headers: auth, body: JSON.stringify({ assignee: who }) });
    assert.equal(p.status, 200, await p.text());
    if (who === 'moderator1') mine.push(id);
  }
  const page = await newPage(browser, { viewport: { width: 1024, height: 800 } });
  try {
    await signInWithKeyboard(page, srv.url, 'moderator1', PW);
    // The choices: anyone, me, nobody, then the accounts by name.
    const options = await page.$$eval('#f-assignee option', (os) => os.map((o) => o.value));
    assert.deepEqual(options.slice(0, 3), ['', 'me', 'none']);
    assert.ok(options.includes('admin1') && options.includes('moderator1'), options.join());
    await tabTo(page, '#f-assignee');
    await page.selectOption('#f-assignee', 'me');
    await tabTo(page, '#filter-apply');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.search.includes('assignee=me'));
    await page.waitForFunction((n) => document.querySelectorAll('#inbox-body th a').length === n, mine.length);
    assert.deepEqual(await page.$$eval('#inbox-body th a', (as) => as.map((a) => Number(a.dataset.id))), mine);
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/staff-item.html?id=${mine[0]}&assignee=me`);
    await page.waitForSelector('#change-form:not([hidden])');
    await page.waitForFunction(() => /1\/2|1 of 2/.test(document.getElementById('queue-position').textContent));
    assert.equal(await page.getAttribute('#back-link', 'href'), '/staff.html?assignee=me');
    assert.match(await page.getAttribute('#queue-next', 'href'), new RegExp(`id=${mine[1]}&assignee=me`));
    // Back in the inbox the filter is still chosen; "nobody" leaves these out.
    await gotoReady(page, `${srv.url}/staff.html?assignee=me`);
    await page.waitForFunction(() => document.getElementById('f-assignee').value === 'me');
    await gotoReady(page, `${srv.url}/staff.html?assignee=none&status=all`);
    await page.waitForFunction(() => /\d/.test(document.getElementById('list-count').textContent));
    const unassigned = await page.$$eval('#inbox-body th a', (as) => as.map((a) => Number(a.dataset.id)));
    for (const id of mine) assert.ok(!unassigned.includes(id), `${id} is assigned`);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the answer written in Finnish and Swedish: the resident reads their language, else the Finnish', async () => {
  const r = await fetch(`${srv.url}/api/v1/feedback`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: at(700, 0) },
      properties: { category: 'lighting', description: 'Valo vilkkuu' } }),
  });
  const item = JSON.parse(await r.text());
  const FI = 'Lamppu vaihdetaan ensi viikolla.', SV = 'Lampan byts nästa vecka.';
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'moderator1', PW);
    await gotoReady(page, `${srv.url}/staff-item.html?id=${item.id}`);
    await page.waitForSelector('#change-form:not([hidden])');
    await tabTo(page, '#c-answer');
    await page.keyboard.type(FI);
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'c-answer-sv', 'the Swedish version is the next field');
    await page.keyboard.type(SV);
    await tabTo(page, '#c-submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /tallennettiin/.test(document.getElementById('live').textContent));
    const p = (await api(`/api/v1/feedback/${item.id}`)).properties;
    assert.deepEqual([p.answer, p.answer_sv, p.answer_en], [FI, SV, null]);
    await page.waitForFunction((sv) => document.getElementById('audit-body').textContent.includes(sv), SV);
    await assertCleanInAllLanguages(page, 'item page with an answer in two languages');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
  const resident = await newPage(browser);
  try {
    for (const [lang, text] of [['sv', SV], ['fi', FI], ['en', FI]]) {
      await gotoReady(resident, `${srv.url}/follow.html?lang=${lang}#${item.followup.token}`);
      await resident.waitForSelector('body[data-ready="true"]');
      const fields = await resident.textContent('#fb-fields');
      assert.ok(fields.includes(text), `${lang}: ${fields}`);
      const history = await resident.textContent('#history');
      assert.ok(history.includes(text), `${lang}: ${history}`);
      if (lang !== 'sv') assert.ok(!fields.includes(SV), `${lang}: no Swedish`);
    }
    assert.deepEqual(resident.errors, []);
  } finally {
    await resident.closeAll();
  }
});
