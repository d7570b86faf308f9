// "Respondents who left the resume link can open their own answers beside
// the results" (issue 12): a respondent saves a draft (the resume link's
// token), sends the survey, and once the results are published opens
// /s/{slug}/results with the token — from the link (?mine=) or as this
// browser remembered it — and shows their answers at the questions with
// the keyboard alone; axe-core finds nothing in fi, sv and en; an unknown
// token is said in words. The map questions' GeoJSON downloads are there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { call, login, repoRoot } from '../lib/server.mjs';
import { after, before, gotoReady, newPage, startBoth, stopBoth, tabTo, test } from './helpers.mjs';
import { PLANNER, checkState } from './survey-helpers.mjs';

const SLUG = 'turvallinen-koulutie';
const ID = '6f1c2a10-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const MINE = {
  fi: { answer: 'Sinun vastauksesi:', marks: 'yksi merkintä kartalla', shown: /Omat vastauksesi näkyvät/ },
  sv: { answer: 'Ditt svar:', marks: 'en markering på kartan', shown: /Dina svar visas/ },
  en: { answer: 'Your answer:', marks: 'one mark on the map', shown: /Your answers are shown/ },
};

let server;
let browser;
let token;
let def;
const sent = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/surveys/responses/safe-route-to-school.json'), 'utf8'));

before(async () => {
  ({ server, browser } = await startBoth({ users: [PLANNER], demoResponses: 20 }));
  const s = await login(server, PLANNER.name, PLANNER.password);
  assert.equal(s.status, 200, s.text);
  let r = await call(server, 'PUT', `/api/v1/staff/surveys/${SLUG}/publication`, { cookie: s.cookie, csrf: s.csrf, body: { results: true } });
  assert.equal(r.status, 200, r.text);
  r = await call(server, 'GET', `/api/v1/surveys/${SLUG}`);
  assert.equal(r.status, 200, r.text);
  def = r.json;
  // The respondent saves a draft: its token is in the resume link they keep.
  r = await call(server, 'POST', `/api/v1/surveys/${SLUG}/drafts`, { body: { id: ID, version: def.version, answers: { mode: 'walk' } } });
  assert.equal(r.status, 201, r.text);
  token = r.json.token;
  r = await call(server, 'POST', `/api/v1/surveys/${SLUG}/responses`, { body: { ...sent, id: ID, version: def.version } });
  assert.equal(r.status, 201, r.text);
  r = await call(server, 'GET', `/api/v1/surveys/${SLUG}/mine/${token}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.answers.mode, 'walk');
});

after(() => stopBoth(server, browser));

const choiceText = (key, choice, lang) => def.definition.pages.flatMap((p) => p.elements)
  .find((e) => e.key === key).choices.find((c) => c.key === choice).text[lang];

async function assertMineShown(page, lang) {
  const mode = (await page.textContent('#rq-mode .rs-mine-answer')).replace(/\s+/g, ' ').trim();
  assert.equal(mode, `${MINE[lang].answer} ${choiceText('mode', sent.answers.mode, lang)}`, lang);
  const route = (await page.textContent('#rq-route .rs-mine-answer')).replace(/\s+/g, ' ').trim();
  assert.equal(route, `${MINE[lang].answer} ${MINE[lang].marks}`, lang);
}

test('own answers beside the published results, from the resume link, keyboard alone; axe in fi, sv and en', async () => {
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${server.url}/s/${SLUG}/results?lang=en&mine=${encodeURIComponent(token)}`);
    await page.waitForSelector('#rs-questions .chart-table');
    await page.waitForSelector('#rs-mine:not([hidden])');
    assert.equal(await page.locator('.rs-mine-answer').count(), 0, 'nothing shown before asked');
    assert.equal(await page.getAttribute('#rs-mine-show', 'aria-expanded'), 'false');
    await tabTo(page, '#rs-mine-show');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#rq-mode .rs-mine-answer');
    assert.equal(await page.getAttribute('#rs-mine-show', 'aria-expanded'), 'true');
    assert.match(await page.textContent('#rs-mine-status'), MINE.en.shown);
    await assertMineShown(page, 'en');
    // The public figures are still there beside them, and a map question's
    // as GeoJSON files (the same as the OGC API collections).
    assert.ok(await page.locator('#rq-mode .chart-table').count() >= 1);
    for (const file of ['route.geojson', 'route-districts.geojson']) {
      const href = await page.getAttribute(`#rq-route .rs-downloads a[href$="/results/${file}"]`, 'href');
      const d = await call(server, 'GET', href);
      assert.equal(d.status, 200, `${file}: ${d.text}`);
      assert.equal(d.json.type, 'FeatureCollection');
      assert.ok(d.json.features.length > 0, file);
    }
    await checkState(page, 'own answers beside the results');
    for (const lang of ['fi', 'sv', 'en']) {
      await page.click(`.lang-button[data-lang="${lang}"]`);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      await page.waitForFunction((s) => document.querySelector('#rq-mode .rs-mine-answer')?.textContent.includes(s), MINE[lang].answer);
      await assertMineShown(page, lang);
    }
    // Enter again hides them.
    await page.focus('#rs-mine-show');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('.rs-mine-answer'));
    assert.equal(await page.getAttribute('#rs-mine-show', 'aria-expanded'), 'false');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.closeAll();
  }
});

test('the token this browser remembered after sending opens them too; an unknown one is said in words', async () => {
  const page = await newPage(browser);
  try {
    await gotoReady(page, `${server.url}/s/${SLUG}/results?lang=fi`);
    assert.equal(await page.isHidden('#rs-mine'), true, 'no token: no section');
    // What survey.js stores when a respondent with a saved draft sends.
    await page.evaluate(([s, t]) => localStorage.setItem(`vaikuta.survey.mine.${s}`, t), [SLUG, token]);
    await gotoReady(page, `${server.url}/s/${SLUG}/results?lang=fi`);
    await page.waitForSelector('#rs-mine:not([hidden])');
    await tabTo(page, '#rs-mine-show');
    await page.keyboard.press('Space');
    await page.waitForSelector('#rq-mode .rs-mine-answer');
    await assertMineShown(page, 'fi');
    await gotoReady(page, `${server.url}/s/${SLUG}/results?lang=sv&mine=not-a-token`);
    await page.waitForSelector('#rs-mine:not([hidden])');
    await tabTo(page, '#rs-mine-show');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#rs-mine-status').textContent.length > 0 &&
      !/…|\.\.\./.test(document.querySelector('#rs-mine-status').textContent));
    assert.equal((await page.textContent('#rs-mine-status')).trim(), 'Dina svar hittades inte.');
    assert.equal(await page.locator('.rs-mine-answer').count(), 0);
    await checkState(page, 'own answers not found');
    assert.deepEqual(page.errors.filter((e) => !/404/.test(String(e))), []);
  } finally {
    await page.closeAll();
  }
});
