// What the walk page's browser tests share (docs/walks.md, "Field mode"):
// a fresh code for a demo walk, recording one finding through the form,
// and the server's view of a walk's findings and photos.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { call, login, repoRoot } from '../lib/server.mjs';

export const STAFF = { name: 'walk-planner', role: 'planner', password: 'walk planner password 5b7d' };
export const PHOTO = path.join(repoRoot, 'tests/fixtures/photos/gps-rotated.jpg');
export const phone = { viewport: { width: 360, height: 740 } };

/** A new code for walk `id` (demo walks have none shown), made by staff. */
export async function walkCode(server, id) {
  const s = await login(server, STAFF.name, STAFF.password);
  assert.equal(s.status, 200, s.text);
  const r = await call(server, 'POST', `/api/v1/staff/walks/${id}/code`, { cookie: s.cookie, csrf: s.csrf });
  assert.equal(r.status, 200, r.text);
  return r.json.code;
}

/** The walk's findings whose description starts with prefix (API). */
export async function findingsOf(server, walk, prefix) {
  const r = await call(server, 'GET', `/api/v1/walks/${walk}/findings`);
  assert.equal(r.status, 200, r.text);
  return r.json.features.filter((f) => (f.properties.description || '').startsWith(prefix));
}

/** Rows of the photo table (every photo the server holds, attached or not). */
export function photoRows(server, where = '1') {
  const r = spawnSync('sqlite3', [server.db, `SELECT COUNT(*) FROM photo WHERE ${where}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

/** Record a finding with the form (mouse and fill): type, grade, the
 * place as typed coordinates, a description and photos. */
export async function recordFinding(page, { type = 'kerb', grade = 'este', coords, description, photos = [], measurements = {} }) {
  await page.click('#w-record');
  await page.waitForSelector('#w-finding:not([hidden])');
  await page.selectOption('#f-type', type);
  await page.check(`#f-grade-${grade}`);
  for (const [k, v] of Object.entries(measurements)) await page.fill(`#f-m-${k}`, String(v));
  await page.fill('#f-description', description);
  if (photos.length) await page.setInputFiles('#f-photos', photos);
  await page.fill('#f-place-coords', coords);
  await page.locator('#f-place-coords').blur();
  await page.click('#f-submit');
  await page.waitForSelector('#w-status:not([hidden])');
  await page.waitForSelector('#w-finding', { state: 'hidden' });
}

/** The number of findings the page says are waiting. */
export function waiting(page) {
  return page.getAttribute('#w-queue-count', 'data-waiting').then(Number);
}

/** Wait until the page says n are waiting (and errors and sent, when
 * given: the count before a save also says 0 waiting). */
export async function waitForWaiting(page, n, errors, sent, timeout = 30000) {
  await page.waitForFunction(([w, e, s]) => {
    const c = document.getElementById('w-queue-count');
    return c.getAttribute('data-waiting') === String(w) && (e === null || c.getAttribute('data-errors') === String(e)) &&
      (s === null || c.getAttribute('data-sent') === String(s));
  }, [n, errors ?? null, sent ?? null], { timeout });
}
