// What the resident survey page's browser tests share: a published survey
// made through the staff API from a fixture, and the steps that answer it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { call, login, repoRoot } from '../lib/server.mjs';
import { axeViolations, formatViolations, tabTo } from './helpers.mjs';

export const PLANNER = { name: 'survey-planner', role: 'planner', password: 'survey planner password 7c1e' };

/** A fixture's definition, open now (no window), under a slug of the test's own. */
export function fixture(name, slug) {
  const def = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/surveys', `${name}.json`), 'utf8'));
  delete def.opens;
  delete def.closes;
  if (slug) def.slug = slug;
  return def;
}

/** Create and publish def as the planner; resolves the slug. */
export async function publish(server, def) {
  const s = await login(server, PLANNER.name, PLANNER.password);
  assert.equal(s.status, 200, s.text);
  const auth = { cookie: s.cookie, csrf: s.csrf };
  let r = await call(server, 'POST', '/api/v1/staff/surveys', { ...auth, body: def });
  assert.equal(r.status, 201, r.text);
  r = await call(server, 'POST', `/api/v1/staff/surveys/${def.slug}/publish`, { ...auth });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  return def.slug;
}

/** Click the map of a question dx, dy pixels from its centre. */
export async function clickMap(page, question, dx, dy) {
  const b = await page.locator(`#q-${question}-map`).boundingBox();
  await page.mouse.click(b.x + b.width / 2 + dx, b.y + b.height / 2 + dy);
  await page.waitForTimeout(120);
}

/** No horizontal scrolling at the page's width. */
export async function assertNoOverflow(page, what) {
  const o = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: window.innerWidth }));
  assert.ok(o.sw <= o.w, `${what}: the page is ${o.sw} px wide in a ${o.w} px window`);
}

/** axe in fi, sv and en on the page as it is (switched with the page's
 * own buttons), then back to the language it was in; when `a11y` is set. */
export async function checkState(page, what, a11y = true) {
  if (!a11y) return;
  const was = await page.evaluate(() => document.documentElement.lang);
  const back = async (lang) => {
    await page.click(`.lang-button[data-lang="${lang}"]`);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  };
  for (const lang of ['fi', 'sv', 'en']) {
    await back(lang);
    const v = await axeViolations(page);
    if (v.length) throw new Error(`axe violations (${what}, ${lang}):\n${formatViolations(v)}`);
  }
  if (was !== 'en') await back(was);
}

export async function nextPage(page, titleId = '#sv-page-title') {
  const before = await page.textContent(titleId);
  await page.click('#sv-next');
  await page.waitForFunction(([id, t]) => document.querySelector(id).textContent !== t, [titleId, before]);
}

/** Press the focused control's key; Tab first to selector. */
export async function keyOn(page, selector, key = 'Space', opts) {
  await tabTo(page, selector, opts);
  await page.keyboard.press(key);
}
