// The survey editor for staff (issue 11): a planner builds a survey in the
// form (several element types, a map question with a follow-up, a
// condition, the area typed and drawn on the map, a place), previews it in
// fi, sv and en, saves and publishes it, and the public API then serves
// it; a change that would orphan stored answers is refused with its path,
// in the page's language; the element list works by keyboard alone; the
// raw JSON view shows schema errors at their path; axe finds no WCAG 2.1
// AA violations on the list, the editor, the raw view with errors and the
// preview in fi, sv and en. Moderators are told the pages are not theirs;
// council reads without the buttons that write.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { call, repoRoot } from '../lib/server.mjs';
import {
  after, assertCleanInAllLanguages, axeViolations, before, formatViolations, gotoReady, newPage, signIn,
  signInWithKeyboard,
  startBoth, stopBoth, tabTo, test, WCAG_TAGS
} from './helpers.mjs';

const PW = 'correct horse battery staple';
const USERS = [
  { name: 'planner1', role: 'planner', password: PW },
  { name: 'moderator1', role: 'moderator', password: PW },
  { name: 'council1', role: 'council', password: PW },
];

let srv;
let browser;

before(async () => {
  ({ server: srv, browser } = await startBoth({ users: USERS, tokens: [{ name: 'planner-bot', role: 'planner' }] }));
});
after(() => stopBoth(srv, browser));

// The editor's ids are the JSON paths of what they edit.
const f = (p) => '#f-' + p.replace(/[^A-Za-z0-9_]+/g, '-');

const fixture = (name) => JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/surveys', name), 'utf8'));

async function asPlanner(page) {
  await signIn(page, srv.url, 'planner1', PW);
}

// A survey created straight through the API (by the planner token).
async function createSurvey(def) {
  const r = await call(srv, 'POST', '/api/v1/staff/surveys', { token: 'planner-bot', body: def });
  assert.equal(r.status, 201, r.text);
  return def.slug;
}

async function openEditor(page, slug) {
  await gotoReady(page, `${srv.url}/staff-survey-edit.html${slug ? '?slug=' + slug : ''}`);
  await page.waitForSelector('#editor:not([hidden])');
  await page.waitForSelector(f('pages[0].key'));
}

const statusText = (page) => page.textContent('#survey-status');
const errorPaths = (page) => page.$$eval('#errors-list li', (lis) => lis.map((li) => li.getAttribute('data-path')));

test('the survey list: a link in the staff navigation, surveys with state, version and responses; clean in fi, sv and en', async () => {
  const slug = await createSurvey({ ...fixture('how-to-take-part.json'), slug: 'lista-testi' });
  const page = await newPage(browser);
  try {
    await asPlanner(page);
    assert.ok(await page.isVisible('#nav-surveys'));
    await tabTo(page, '#nav-surveys', { shift: true, max: 200 }); // the nav is above the inbox's rows
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff-surveys.html');
    await page.waitForSelector(`#surveys-body tr[data-slug="${slug}"]`);
    const row = await page.textContent(`#surveys-body tr[data-slug="${slug}"]`);
    assert.match(row, /Miten haluat osallistua/);
    assert.match(row, /Luonnos/);
    assert.ok(await page.isVisible(`#surveys-body tr[data-slug="${slug}"] button[data-action="publish"]`));
    assert.ok(await page.isVisible('#new-survey'));
    await assertCleanInAllLanguages(page, 'survey list');

    // The state changes from the row's buttons, by keyboard; focus stays in the row.
    const state = () => page.textContent(`#surveys-body tr[data-slug="${slug}"] .survey-state`);
    for (const [action, want] of [['publish', 'Julkaistu'], ['close', 'Suljettu'], ['reopen', 'Julkaistu'],
      ['close', 'Suljettu'], ['archive', 'Arkistoitu']]) {
      await page.focus(`#surveys-body tr[data-slug="${slug}"] button[data-action="${action}"]`);
      await page.keyboard.press('Enter');
      await page.waitForFunction(([s, w]) => document.querySelector(`#surveys-body tr[data-slug="${s}"] .survey-state`).textContent === w, [slug, want]);
      assert.equal(await page.evaluate((s) => document.activeElement.closest('tr').getAttribute('data-slug'), slug), slug);
    }
    assert.equal(await state(), 'Arkistoitu');
    assert.deepEqual(await page.$$eval(`#surveys-body tr[data-slug="${slug}"] button`, (bs) => bs.map((b) => b.getAttribute('data-action'))), ['duplicate']);
    const pub = await call(srv, 'GET', `/api/v1/staff/surveys/${slug}`, { token: 'planner-bot' });
    assert.equal(pub.json.state, 'archived');

    // Duplicate from the list: a new draft, opened in the editor.
    await page.click(`#surveys-body tr[data-slug="${slug}"] button[data-action="duplicate"]`);
    assert.equal(await page.inputValue('#dup-slug'), 'lista-testi-2');
    await page.click('#dup-submit');
    await page.waitForURL('**/staff-survey-edit.html?slug=lista-testi-2**');
    await page.waitForSelector(f('pages[0].key'));
    assert.equal(await page.inputValue(f('title.fi')), fixture('how-to-take-part.json').title.fi);
    assert.match(await statusText(page), /Luonnos/);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a moderator has no survey link and is told the pages are not theirs; council reads without writing', async () => {
  const page = await newPage(browser);
  try {
    await signInWithKeyboard(page, srv.url, 'moderator1', PW);
    assert.ok(await page.isHidden('#nav-surveys'));
    await gotoReady(page, `${srv.url}/staff-surveys.html`);
    await page.waitForSelector('#planners-only:not([hidden])');
    assert.ok(await page.isHidden('#surveys'));
  } finally {
    await page.closeAll();
  }
  const council = await newPage(browser);
  try {
    await signIn(council, srv.url, 'council1', PW);
    await gotoReady(council, `${srv.url}/staff-surveys.html`);
    await council.waitForSelector('#surveys-read-only:not([hidden])');
    await council.waitForSelector('#surveys-body tr');
    assert.equal(await council.$$eval('#surveys-body button', (b) => b.length), 0);
    assert.ok(await council.isHidden('#new-survey'));
    // The editor shows council the survey, with nothing to change.
    await council.click('#surveys-body tr[data-slug="lista-testi"] th a');
    await council.waitForSelector('#editor-read-only:not([hidden])');
    await council.waitForSelector(f('pages[0].key'));
    assert.ok(await council.isDisabled(f('title.fi')));
    assert.ok(await council.isHidden('#save'));
    assert.deepEqual(council.errors, []);
  } finally {
    await council.closeAll();
  }
});

test('a planner builds a survey in the form, previews it in fi, sv and en, publishes it, and the public API serves it', async () => {
  const page = await newPage(browser);
  try {
    await asPlanner(page);
    await openEditor(page, null);
    assert.match(await page.textContent('#page-heading'), /Uusi kysely/);

    // The survey's texts.
    await page.fill(f('slug'), 'koulureitti-testi');
    await page.fill(f('title.fi'), 'Koulureitti');
    await page.fill(f('title.sv'), 'Skolvägen');
    await page.fill(f('title.en'), 'The way to school');
    await page.fill(f('intro.fi'), 'Kerro reitistäsi.');

    // Element 1: the starter single choice, in three languages.
    const q1 = 'pages[0].elements[0]';
    await page.fill(f(`${q1}.key`), 'mode');
    await page.fill(f(`${q1}.text.fi`), 'Miten kuljet?');
    await page.fill(f(`${q1}.text.sv`), 'Hur tar du dig?');
    await page.fill(f(`${q1}.text.en`), 'How do you travel?');
    for (const [i, fi, sv, en] of [[0, 'Kävellen', 'Till fots', 'On foot'], [1, 'Pyörällä', 'Med cykel', 'By bike']]) {
      await page.fill(f(`${q1}.choices[${i}].key`), ['walk', 'bike'][i]);
      await page.fill(f(`${q1}.choices[${i}].text.fi`), fi);
      await page.fill(f(`${q1}.choices[${i}].text.sv`), sv);
      await page.fill(f(`${q1}.choices[${i}].text.en`), en);
    }
    await page.check(f(`${q1}.required`));

    // Element 2: a map question with a follow-up asked of every point.
    await page.selectOption(f('pages[0].elements-new.type'), 'map-point');
    await page.click(f('pages[0].elements') + '-addtype');
    const q2 = 'pages[0].elements[1]';
    await page.waitForSelector(f(`${q2}.text.fi`));
    await page.fill(f(`${q2}.key`), 'spots');
    await page.fill(f(`${q2}.text.fi`), 'Merkitse vaaralliset kohdat');
    await page.fill(f(`${q2}.text.en`), 'Mark the unsafe spots');
    await page.fill(f(`${q2}.max_features`), '5');
    await page.selectOption(f(`${q2}.followups-new.type`), 'text');
    await page.click(f(`${q2}.followups`) + '-addtype');
    await page.waitForSelector(f(`${q2}.followups[0].text.fi`));
    await page.fill(f(`${q2}.followups[0].key`), 'why');
    await page.fill(f(`${q2}.followups[0].text.fi`), 'Miksi kohta on vaarallinen?');
    await page.fill(f(`${q2}.followups[0].text.sv`), 'Varför är platsen farlig?');

    // Element 3: a scale shown only to those who walk (a condition).
    await page.selectOption(f('pages[0].elements-new.type'), 'scale');
    await page.click(f('pages[0].elements') + '-addtype');
    const q3 = 'pages[0].elements[2]';
    await page.waitForSelector(f(`${q3}.text.fi`));
    await page.fill(f(`${q3}.key`), 'safety');
    await page.fill(f(`${q3}.text.fi`), 'Kuinka turvallinen matka on?');
    await page.selectOption(f(`${q3}.show_if-mode.mode`), 'all');
    await page.waitForSelector(f(`${q3}.show_if.all[0].question`));
    assert.equal(await page.inputValue(f(`${q3}.show_if.all[0].question`)), 'mode');
    assert.equal(await page.inputValue(f(`${q3}.show_if.all[0].value`)), 'walk');
    // A question's new key follows into the conditions that name it.
    await page.fill(f(`${q1}.key`), 'travel');
    await page.focus(f(`${q1}.text.fi`));
    await page.waitForFunction((id) => document.getElementById(id).value === 'travel', f(`${q3}.show_if.all[0].question`).slice(1));

    // Element 4: a section heading, then a second page with a number.
    await page.selectOption(f('pages[0].elements-new.type'), 'number');
    await page.click(f('pages[0].elements') + '-addtype');
    await page.fill(f('pages[0].elements[3].key'), 'minutes');
    await page.fill(f('pages[0].elements[3].text.fi'), 'Montako minuuttia matka kestää?');
    await page.fill(f('pages[0].elements[3].max'), '120');
    await page.check(f('pages[0].elements[3].integer'));

    // The survey area typed without the map, and a place at the map's centre.
    await page.fill(f('area'), '28.70 61.15\n28.90 61.15\n28.90 61.25\n28.70 61.25');
    await page.click(f('area') + '-apply');
    assert.equal(await page.inputValue(f('area')), '28.7 61.15\n28.9 61.15\n28.9 61.25\n28.7 61.25\n28.7 61.15');
    await page.fill(f('area'), '28.7 61.15\n28.9');
    await page.click(f('area') + '-apply');
    assert.match(await page.textContent(f('area') + '-error'), /pareittain/);
    await page.fill(f('area'), '28.70 61.15\n28.90 61.15\n28.90 61.25\n28.70 61.25');
    await page.click(f('area') + '-apply');
    await page.click('#place-centre');
    await page.waitForSelector(f('places[0].name.fi'));
    await page.fill(f('places[0].key'), 'koulu');
    await page.fill(f('places[0].name.fi'), 'Koulu');
    assert.match(await page.inputValue(f('places[0].geometry')), /^\d+(\.\d+)? \d+(\.\d+)?$/);

    await assertCleanInAllLanguages(page, 'editor form');

    // Save: a new draft.
    await page.click('#save');
    await page.waitForFunction(() => /Luonnos/.test(document.getElementById('survey-status').textContent));
    assert.match(page.url(), /staff-survey-edit\.html\?slug=koulureitti-testi$/);
    // Its map question's answers are for staff until marked public.
    await page.check('#public-spots');
    await page.click('#public-save');
    await page.waitForFunction(() => /Julkisia karttakysymyksiä: 1/.test(document.getElementById('live').textContent));
    assert.equal(await page.getAttribute(f('slug'), 'readonly'), '');

    // The preview in three languages, each clean.
    await page.click('#view-preview');
    await page.waitForSelector('#preview fieldset');
    let preview = await page.textContent('#preview');
    assert.match(preview, /Koulureitti/);
    assert.match(preview, /Miten kuljet\?/);
    assert.match(preview, /Kävellen/);
    assert.match(preview, /Miksi kohta on vaarallinen\?/);
    assert.match(preview, /Merkitse kartalle pisteitä \(0–5\)/);
    for (const lang of ['sv', 'en']) {
      await page.click(`.preview-lang[data-plang="${lang}"]`);
      await page.waitForFunction((l) => document.getElementById('preview').lang === l, lang);
    }
    preview = await page.textContent('#preview');
    assert.match(preview, /The way to school/);
    assert.match(preview, /How do you travel\?/);
    assert.match(preview, /Mark points on the map \(0–5\)/);
    // Not written in English: shown in Finnish, and marked so.
    assert.equal(await page.$eval('#preview .preview-followups label span[lang="fi"]', (s) => s.textContent), 'Miksi kohta on vaarallinen?');
    await assertCleanInAllLanguages(page, 'preview in English');
    await page.click('.preview-lang[data-plang="sv"]');
    await page.waitForFunction(() => document.getElementById('preview').lang === 'sv');
    assert.match(await page.textContent('#preview'), /Varför är platsen farlig\?/);
    await assertCleanInAllLanguages(page, 'preview in Swedish');
    await page.click('.preview-lang[data-plang="fi"]');
    await page.waitForFunction(() => document.getElementById('preview').lang === 'fi');
    await assertCleanInAllLanguages(page, 'preview in Finnish');

    // Publish; the public API serves what was built.
    await page.click('#act-publish');
    await page.waitForFunction(() => /Julkaistu/.test(document.getElementById('survey-status').textContent));
    await page.waitForFunction(() => /julkaistiin/.test(document.getElementById('live').textContent));
    const r = await call(srv, 'GET', '/api/v1/surveys/koulureitti-testi');
    assert.equal(r.status, 200, r.text);
    const def = r.json.definition;
    assert.equal(r.json.version, 1);
    assert.deepEqual(def.title, { fi: 'Koulureitti', sv: 'Skolvägen', en: 'The way to school' });
    assert.deepEqual(def.pages[0].elements.map((e) => [e.key, e.type]),
      [['travel', 'single-choice'], ['spots', 'map-point'], ['safety', 'scale'], ['minutes', 'number']]);
    assert.deepEqual(def.pages[0].elements[0].choices.map((c) => c.key), ['walk', 'bike']);
    assert.equal(def.pages[0].elements[0].required, true);
    assert.deepEqual(def.pages[0].elements[1].followups, [{ key: 'why', type: 'text',
      text: { fi: 'Miksi kohta on vaarallinen?', sv: 'Varför är platsen farlig?' } }]);
    assert.equal(def.pages[0].elements[1].max_features, 5);
    assert.deepEqual(def.pages[0].elements[2].show_if, { all: [{ question: 'travel', op: 'chosen', value: 'walk' }] });
    assert.deepEqual(def.pages[0].elements[3].max, 120);
    assert.equal(def.area.type, 'Polygon');
    assert.equal(def.area.coordinates[0].length, 5);
    assert.equal(def.places[0].key, 'koulu');
    assert.equal(def.places[0].geometry.type, 'Point');
    const staff = await call(srv, 'GET', '/api/v1/staff/surveys/koulureitti-testi', { token: 'planner-bot' });
    assert.deepEqual(staff.json.public_questions, ['spots']);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('a change that would orphan stored answers is refused with its path, in the page\'s language', async () => {
  const def = fixture('safe-route-to-school.json');
  def.slug = 'orpo-testi';
  def.opens = undefined;
  def.closes = undefined;
  await createSurvey(JSON.parse(JSON.stringify(def)));
  const pub = await call(srv, 'POST', '/api/v1/staff/surveys/orpo-testi/publish', { token: 'planner-bot' });
  assert.ok(pub.status < 300, pub.text);
  const page = await newPage(browser);
  try {
    await asPlanner(page);
    await openEditor(page, 'orpo-testi');
    assert.match(await statusText(page), /Julkaistu/);
    assert.doesNotMatch(await statusText(page), /tallentamattomia/, 'drawing the form changes nothing');
    // A text may change (a new version) …
    await page.fill(f('pages[0].elements[0].text.en'), 'Who is answering this?');
    await page.click('#save');
    await page.waitForFunction(() => /versio 2/.test(document.getElementById('survey-status').textContent));
    // … but removing a choice of a published question may not.
    const last = (await page.$$(`[id^="${f('pages[0].elements[0].choices[').slice(1)}"][id$="--remove"]`)).length - 1;
    assert.ok(last >= 1);
    await page.click(f(`pages[0].elements[0].choices[${last}]`) + '-remove');
    await page.click('#save');
    await page.waitForSelector('#errors:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'errors');
    const paths = await errorPaths(page);
    assert.equal(paths.length, 1);
    assert.match(paths[0], /^pages\[0\]\.elements\[0\]\.choices/);
    assert.match(await page.textContent('#errors-list'), /tallennetut vastaukset menettäisivät merkityksensä/);
    assert.match(await page.textContent('#errors-list'), new RegExp(paths[0].replace(/[[\].]/g, '\\$&')));
    assert.match(await statusText(page), /versio 2/);
    await assertCleanInAllLanguages(page, 'editor with a refused change');
    await page.click('.lang-button[data-lang="en"]');
    await page.waitForFunction(() => /stored answers would lose their meaning/.test(document.getElementById('errors-list').textContent));
    await page.click('.lang-button[data-lang="fi"]');
    // Still version 2 on the server.
    const r = await call(srv, 'GET', '/api/v1/staff/surveys/orpo-testi', { token: 'planner-bot' });
    assert.equal(r.json.version, 2);
    assert.equal(r.json.definition.pages[0].elements[0].choices.length, def.pages[0].elements[0].choices.length);
  } finally {
    await page.closeAll();
  }
});

test('the element list by keyboard alone: add, move with buttons and Alt+Arrow, remove', async () => {
  const page = await newPage(browser);
  try {
    await asPlanner(page);
    await openEditor(page, null);
    const keys = () => page.$$eval('#pages > li:first-child > .element-list > ol > li', (lis) =>
      lis.map((li) => li.querySelector('input[id$="-key"]').value));
    // Add a text question and a date by keyboard.
    for (const type of ['text', 'date']) {
      await tabTo(page, f('pages[0].elements-new.type'), { max: 300 });
      await page.selectOption(f('pages[0].elements-new.type'), type); // a select changes by keyboard
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'f-pages-0-elements-addtype');
      await page.keyboard.press('Enter');
      await page.waitForFunction((t) => document.activeElement.id.endsWith('-text-fi') &&
        document.activeElement.closest('.element-card').querySelector('select[id$="-type"]').value === t, type);
      await page.keyboard.type(type === 'text' ? 'Mitä muuta?' : 'Milloin?');
    }
    assert.deepEqual(await keys(), ['q1', 'q2', 'q3']);

    // "Up" on the third moves it to second; focus stays on its Up button.
    await page.focus(f('pages[0].elements[2].key'));
    await tabTo(page, f('pages[0].elements[2]') + '-up', { shift: true });
    await page.keyboard.press('Enter');
    assert.deepEqual(await keys(), ['q1', 'q3', 'q2']);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-pages-0-elements-1--up');
    await page.waitForFunction(() => /kohdassa 2 \/ 3/.test(document.getElementById('live').textContent));

    // Alt+ArrowUp from a field of the card moves it again, focus kept.
    await page.focus(f('pages[0].elements[1].text.fi'));
    await page.keyboard.press('Alt+ArrowUp');
    assert.deepEqual(await keys(), ['q3', 'q1', 'q2']);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-pages-0-elements-0-text-fi');
    assert.equal(await page.inputValue(f('pages[0].elements[0].text.fi')), 'Milloin?');
    await page.keyboard.press('Alt+ArrowDown');
    await page.keyboard.press('Alt+ArrowDown');
    assert.deepEqual(await keys(), ['q1', 'q2', 'q3']);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-pages-0-elements-2-text-fi');
    // The first has no Up and the last no Down to press.
    assert.equal(await page.getAttribute(f('pages[0].elements[0]') + '-up', 'aria-disabled'), 'true');
    assert.equal(await page.getAttribute(f('pages[0].elements[2]') + '-down', 'aria-disabled'), 'true');

    // Remove the middle one by keyboard.
    await page.focus(f('pages[0].elements[1]') + '-down');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-pages-0-elements-1--remove');
    await page.keyboard.press('Enter');
    assert.deepEqual(await keys(), ['q1', 'q3']);
    await page.waitForFunction(() => /poistettiin/.test(document.getElementById('live').textContent));
    await assertCleanInAllLanguages(page, 'editor after keyboard edits');

    // Saving what the schema refuses: nothing is sent, the errors are
    // listed, and each field says its own.
    await tabTo(page, '#save', { shift: true, max: 300 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('#errors:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'errors');
    assert.ok((await errorPaths(page)).includes('title.fi'));
    assert.equal(await page.getAttribute(f('title.fi'), 'aria-invalid'), 'true');
    assert.match(await page.textContent(f('title.fi') + '-error'), /liian lyhyt/);
    assert.match(await page.getAttribute(f('title.fi'), 'aria-describedby'), /f-title-fi-error/);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // the first error's link
    assert.match(await page.evaluate(() => document.activeElement.id), /^f-/);
    await assertCleanInAllLanguages(page, 'editor with schema errors');
    assert.match(await page.textContent(f('title.fi') + '-error'), /liian lyhyt/, 'back in Finnish');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the raw JSON view shows schema errors at their path, agrees with the fixtures, and is clean', async () => {
  const page = await newPage(browser);
  try {
    await asPlanner(page);
    await openEditor(page, null);
    await page.click('#view-json');
    // The good fixtures pass the browser's check of the published schema …
    for (const name of ['safe-route-to-school.json', 'how-to-take-part.json', 'neighbourhood-geobudget.json']) {
      await page.fill('#json-text', JSON.stringify(fixture(name)));
      await page.click('#json-apply');
      await page.waitForFunction(() => /kelvollinen/.test(document.getElementById('live').textContent));
      assert.ok(await page.isHidden('#errors'), name);
    }
    // … and broken.json fails at the paths of its faults.
    await page.fill('#json-text', JSON.stringify(fixture('broken.json')));
    await page.click('#json-apply');
    await page.waitForSelector('#errors:not([hidden])');
    const paths = await errorPaths(page);
    for (const p of ['slug', 'title.fi', 'pages[0].elements[0].key', 'pages[0].elements[0].choices',
      'pages[0].elements[1].followups[0].type', 'colour']) {
      assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
    }
    assert.match(await page.textContent('#errors-list'), /title\.fi: puuttuu/);
    // Each error's link selects the text at fault.
    await page.click('#errors-list li[data-path="colour"] a');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'json-text');
    assert.equal(await page.evaluate(() => {
      const ta = document.getElementById('json-text');
      return ta.value.slice(ta.selectionStart, ta.selectionEnd);
    }), '"red"');
    await assertCleanInAllLanguages(page, 'raw view with errors');
    // A syntax error stays in the raw view, said beside the text.
    await page.fill('#json-text', '{"slug": ');
    await page.click('#view-form');
    assert.ok(await page.isVisible('#json-view'));
    assert.match(await page.textContent('#json-text-error'), /JSON ei ole kelvollista/);
    assert.equal(await page.getAttribute('#json-text', 'aria-invalid'), 'true');

    // The server's errors land at their path too: a valid schema but a
    // condition on a later question (a rule only the server checks).
    const def = fixture('how-to-take-part.json');
    def.slug = 'ehto-testi';
    def.pages[0].elements[0].show_if = { question: def.pages[0].elements[1].key, op: 'chosen', value: 'x' };
    await page.fill('#json-text', JSON.stringify(def));
    await page.click('#view-form');
    await page.waitForSelector('#form-view:not([hidden])');
    await page.click('#save');
    await page.waitForSelector('#errors:not([hidden])');
    const [p] = await errorPaths(page);
    assert.match(p, /^pages\[0\]\.elements\[0\]\.show_if/);
    // The summary links to the field, which says it too.
    await page.click('#errors-list a');
    assert.match(await page.evaluate(() => document.activeElement.id), /^f-pages-0-elements-0-show_if/);
    assert.equal((await call(srv, 'GET', '/api/v1/staff/surveys/ehto-testi', { token: 'planner-bot' })).status, 404);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the survey area and a place drawn on the map with the mouse', async () => {
  const page = await newPage(browser);
  try {
    await asPlanner(page);
    await openEditor(page, null);
    await page.locator('#edit-map').scrollIntoViewIfNeeded();
    await page.click('#draw-area');
    assert.equal(await page.getAttribute('#draw-area', 'aria-pressed'), 'true');
    const box = await page.locator('#edit-map').boundingBox();
    for (const [x, y] of [[0.3, 0.3], [0.7, 0.3], [0.7, 0.7], [0.3, 0.7]]) {
      await page.mouse.click(box.x + box.width * x, box.y + box.height * y);
    }
    assert.match(await page.textContent('#map-status'), /4/);
    await page.click('#area-finish');
    const lines = (await page.inputValue(f('area'))).split('\n');
    assert.equal(lines.length, 5);
    assert.equal(lines[0], lines[4]);
    await page.click('#place-on-map');
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await page.waitForSelector(f('places[0].geometry'));
    const [lon, lat] = (await page.inputValue(f('places[0].geometry'))).split(' ').map(Number);
    const ring = lines.map((l) => l.split(' ').map(Number));
    assert.ok(lon > ring[0][0] && lon < ring[1][0], 'the place is inside the drawn area (longitude)');
    assert.ok(lat < ring[0][1] && lat > ring[2][1], 'the place is inside the drawn area (latitude)');
    await page.click('#view-json');
    const def = JSON.parse(await page.inputValue('#json-text'));
    assert.equal(def.area.type, 'Polygon');
    assert.equal(def.places[0].geometry.type, 'Point');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

// axe on one part of a page where axe is loaded already (the whole page
// was checked once before): the preview drawn again and again.
const axeIn = (page, selector) => page.evaluate(async ([sel, tags]) => {
  // eslint-disable-next-line no-undef
  const r = await axe.run(sel, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })) }));
}, [selector, WCAG_TAGS]);

test('every element type of the fixtures has its form and its preview, clean in fi, sv and en', async () => {
  const page = await newPage(browser);
  try {
    await asPlanner(page);
    await openEditor(page, null);
    for (const name of ['safe-route-to-school.json', 'how-to-take-part.json', 'neighbourhood-geobudget.json']) {
      const def = fixture(name);
      await page.click('#view-json');
      await page.fill('#json-text', JSON.stringify(def));
      await page.click('#view-form');
      await page.waitForSelector('#form-view:not([hidden])');
      // A card per element and follow-up, each with its type chosen.
      const types = await page.$$eval('.element-card > .field > select[id$="-type"]', (ss) => ss.map((s) => s.value));
      const want = def.pages.flatMap((p) => p.elements.flatMap((e) => [e.type, ...(e.followups || []).map((x) => x.type)]));
      assert.deepEqual(types.sort(), want.sort(), name);
      let v = await axeViolations(page);
      assert.deepEqual(v, [], `${name} form:\n${formatViolations(v)}`);
      await page.click('#view-preview');
      for (let n = 0; n < def.pages.length; n++) {
        await page.selectOption('#preview-page', String(n));
        for (const lang of ['fi', 'sv', 'en']) {
          await page.click(`.preview-lang[data-plang="${lang}"]`);
          await page.waitForFunction(([l, k]) => document.getElementById('preview').lang === l &&
            document.getElementById('preview-page').value === k, [lang, String(n)]);
          const title = def.pages[n].title;
          if (title) assert.match(await page.textContent('#preview'), new RegExp(title[lang].replace(/[?()[\]]/g, '.')));
          v = await axeIn(page, '#preview');
          assert.deepEqual(v, [], `${name} preview page ${n + 1} in ${lang}:\n${formatViolations(v)}`);
        }
      }
    }
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the survey area drawn by keyboard: the map pans with the arrows, corners go to its centre', async () => {
  const page = await newPage(browser);
  try {
    await asPlanner(page);
    await openEditor(page, null);
    // The page says where the map's centre is; an arrow key pans the map.
    const centre = () => page.textContent('#map-centre');
    await page.waitForFunction(() => /\d/.test(document.getElementById('map-centre').textContent));
    const pan = async (key) => {
      const was = await centre();
      await tabTo(page, '#edit-map', { shift: true });
      await page.keyboard.press(key);
      await page.waitForFunction((w) => document.getElementById('map-centre').textContent !== w, was);
    };
    await tabTo(page, '#corner-centre', { max: 200 });
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('#draw-area', 'aria-pressed'), 'true');
    await pan('ArrowRight');
    await tabTo(page, '#corner-centre');
    await page.keyboard.press('Enter');
    await pan('ArrowDown');
    await tabTo(page, '#corner-centre');
    await page.keyboard.press('Enter');
    assert.match(await page.textContent('#map-status'), /3/);
    await tabTo(page, '#area-finish');
    await page.keyboard.press('Enter');
    const ring = (await page.inputValue(f('area'))).split('\n').map((l) => l.split(' ').map(Number));
    assert.equal(ring.length, 4);
    assert.ok(ring[1][0] > ring[0][0], 'the second corner is east of the first');
    assert.ok(ring[2][1] < ring[1][1], 'the third corner is south of the second');
    assert.match(await centre(), new RegExp(`${ring[2][0].toFixed(5)} ${ring[2][1].toFixed(5)}`));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});
