// The demo surveys (seeds/surveys/, issue 11): `serve --demo` publishes the
// three of them with their generated responses, they take answers now, and
// a second start adds nothing. The default of 3000 responses a survey is
// loaded and counted by tests/unit/test_survey_seed.c; here 400, which
// keeps the start quick under ASan.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { call, startServer } from '../lib/server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO = {
  'turvallinen-koulutie': 'safe-route-to-school.json',
  'lahiympariston-parannukset': 'neighbourhood-geobudget.json',
  'miten-haluat-osallistua': 'how-to-take-part.json',
};
const PER_SURVEY = 400;

let srv;
const staffCounts = async () => {
  const r = await call(srv, 'GET', '/api/v1/staff/surveys', { token: 'planner' });
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.json.surveys.map((s) => [s.slug, s]));
};

before(async () => {
  // template: false: this file tests what `serve --demo` loads into a new database.
  srv = await startServer({ demoResponses: PER_SURVEY, template: false, tokens: [{ name: 'planner', role: 'planner' }] });
});
after(async () => { await srv?.close(); });

describe('demo surveys', () => {
  test('the log says what --demo added', () => {
    assert.match(srv.stderr(), new RegExp(`demo content: 3 surveys with ${3 * PER_SURVEY} responses added`));
  });

  test('all three are listed as open, version 1', async () => {
    const r = await call(srv, 'GET', '/api/v1/surveys');
    assert.equal(r.status, 200, r.text);
    for (const slug of Object.keys(DEMO)) {
      const s = r.json.surveys.find((x) => x.slug === slug);
      assert.ok(s, `${slug} listed`);
      assert.equal(s.version, 1);
      assert.equal(s.open, true, `${slug} is open now`);
      assert.ok(s.title.fi && s.title.sv && s.title.en, `${slug} titled in fi, sv and en`);
    }
  });

  test('each is published with the definition of its seed file', async () => {
    for (const [slug, file] of Object.entries(DEMO)) {
      const seed = JSON.parse(readFileSync(path.join(repo, 'seeds/surveys', file), 'utf8'));
      const r = await call(srv, 'GET', `/api/v1/surveys/${slug}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.state, 'published');
      assert.equal(r.json.version, 1);
      assert.deepEqual(r.json.definition.pages, seed.pages, `${slug}: the seed's pages`);
    }
  });

  test(`each holds ${PER_SURVEY} generated responses`, async () => {
    const byslug = await staffCounts();
    for (const slug of Object.keys(DEMO)) {
      assert.equal(byslug[slug]?.state, 'published', `${slug} published`);
      assert.equal(byslug[slug]?.responses, PER_SURVEY, `${slug} responses`);
    }
  });

  test('a demo survey takes a new response now', async () => {
    const body = JSON.parse(readFileSync(path.join(repo, 'tests/fixtures/surveys/responses/how-to-take-part.json'), 'utf8'));
    body.id = '5d1e0c7a-9b2f-4c3e-8a6d-0f1e2d3c4b5a';
    const r = await call(srv, 'POST', '/api/v1/surveys/miten-haluat-osallistua/responses', { body });
    assert.equal(r.status, 201, r.text);
    assert.equal((await staffCounts())['miten-haluat-osallistua'].responses, PER_SURVEY + 1);
  });

  test('a second start with --demo adds nothing', async () => {
    const before = await staffCounts();
    const { tokens } = srv;
    const { code } = await srv.stop();
    assert.equal(code, 0);
    srv = await startServer({ db: srv.db, dir: srv.dir, demoResponses: PER_SURVEY });
    srv.tokens = tokens; // stored in the database: still valid
    assert.match(srv.stderr(), /demo content: 0 surveys with 0 responses added/);
    const again = await staffCounts();
    for (const slug of Object.keys(DEMO)) assert.equal(again[slug].responses, before[slug].responses, slug);
  });
});
