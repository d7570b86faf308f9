// Surveys over HTTP (issue 11, docs/surveys.md "HTTP API"): staff create,
// edit, publish, version, close, reopen, archive, duplicate and make map
// answers public; residents read the published version, answer it (the
// same body again answers as the first time, another body under the id is
// 409), save and resume drafts; personal answers never come back from a
// public route; council reads but cannot write; anonymous callers see no
// staff route.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call as callServer, repoRoot, startServer } from '../lib/server.mjs';

const FIX = path.join(repoRoot, 'tests/fixtures/surveys');
const fixture = (name) => JSON.parse(readFileSync(path.join(FIX, name), 'utf8'));
const TOKENS = [
  { name: 'planner', role: 'planner' },
  { name: 'council', role: 'council' },
  { name: 'admin', role: 'admin' },
];
const HOW = 'miten-haluat-osallistua';
const ROUTE = 'turvallinen-koulutie';
const BUDGET = 'lahiympariston-parannukset';
const EMAIL = 'asukas@example.org';

let srv;
const call = (method, url, opts) => callServer(srv, method, url, opts);
const staff = (method, url, body, token = 'planner') => call(method, `/api/v1/staff/surveys${url}`, { token, body });
const respond = (slug, body) => call('POST', `/api/v1/surveys/${slug}/responses`, { body });
let uuidN = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++uuidN).padStart(12, '0')}`;

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
}

// A survey created and published from a fixture (optionally changed).
async function publish(name, change = (d) => d) {
  const doc = change(fixture(name));
  const c = await staff('POST', '', doc);
  assert.equal(c.status, 201, c.text);
  const p = await staff('POST', `/${doc.slug}/publish`);
  assert.equal(p.status, 200, p.text);
  return p.json;
}

before(async () => {
  srv = await startServer({ demo: false, tokens: TOKENS, args: ['--rate-limit', '0'] });
});
after(async () => {
  if (srv) await srv.close();
});

describe('the definition schema', () => {
  test('GET /api/v1/schema/survey serves docs/survey.schema.json', async () => {
    const r = await call('GET', '/api/v1/schema/survey');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/schema\+json/);
    assert.deepEqual(r.json, JSON.parse(readFileSync(path.join(repoRoot, 'docs/survey.schema.json'), 'utf8')));
  });
});

describe('definitions and their states', () => {
  test('a draft is created, read, replaced, and not public', async () => {
    const doc = fixture('how-to-take-part.json');
    const c = await staff('POST', '', doc);
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.slug, HOW);
    assert.equal(c.json.state, 'draft');
    assert.equal(c.json.version, 0);
    assert.equal(c.json.definition, null);
    assert.deepEqual(c.json.draft, doc);
    assertError(await staff('POST', '', doc), 409, 'conflict', 'slug');

    doc.title.en = 'How would you like to take part?';
    const p = await staff('PUT', `/${HOW}`, doc);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.draft.title.en, 'How would you like to take part?');
    assert.equal(p.json.version, 0);
    assert.deepEqual(p.json.versions, []);

    assertError(await call('GET', `/api/v1/surveys/${HOW}`), 404, 'not_found', 'slug');
    const list = await call('GET', '/api/v1/surveys');
    assert.equal(list.status, 200);
    assert.ok(!list.json.surveys.some((s) => s.slug === HOW));
    const all = await staff('GET', '');
    assert.equal(all.status, 200);
    const mine = all.json.surveys.find((s) => s.slug === HOW);
    assert.equal(mine.state, 'draft');
    assert.equal(mine.title.fi, doc.title.fi);
    assert.equal(mine.responses, 0);
  });

  test('bad definitions and bodies are refused naming the field', async () => {
    const broken = await staff('POST', '', fixture('broken.json'));
    assert.ok(broken.status >= 400 && broken.status < 500, broken.text);
    assert.ok(broken.json.error.field, broken.text);
    assertError(await staff('POST', '', '{"slug": '), 400, 'invalid_json');
    const wrongType = await call('POST', '/api/v1/staff/surveys', {
      token: 'planner', body: undefined, headers: { 'Content-Type': 'text/plain' },
    });
    assertError(wrongType, 415, 'unsupported_media_type', 'Content-Type');
    const doc = fixture('how-to-take-part.json');
    doc.slug = 'another-slug';
    assertError(await staff('PUT', `/${HOW}`, doc), 400, 'invalid_value', 'slug');
    assertError(await staff('GET', '/no-such-survey'), 404, 'not_found', 'slug');
    assertError(await staff('POST', '/no-such-survey/publish'), 404, 'not_found', 'slug');
  });

  test('publishing freezes version 1; edits make versions unless they orphan answers', async () => {
    const p = await staff('POST', `/${HOW}/publish`);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.state, 'published');
    assert.equal(p.json.version, 1);
    assert.equal(p.json.versions.length, 1);
    assertError(await staff('POST', `/${HOW}/publish`), 409, 'invalid_transition', 'state');

    const doc = p.json.definition;
    const same = await staff('PUT', `/${HOW}`, doc);
    assert.equal(same.status, 200, same.text);
    assert.equal(same.json.version, 1, 'an unchanged definition makes no version');

    doc.intro.en = 'Tell us how you want to have your say.';
    const v2 = await staff('PUT', `/${HOW}`, doc);
    assert.equal(v2.status, 200, v2.text);
    assert.equal(v2.json.version, 2);
    assert.deepEqual(v2.json.versions.map((v) => v.version), [1, 2]);
    assert.equal(v2.json.definition.intro.en, 'Tell us how you want to have your say.');

    const orphan = structuredClone(doc);
    assert.equal(orphan.pages[1].elements[4].key, 'topics');
    orphan.pages[1].elements.splice(4, 1); // a question goes
    const r = await staff('PUT', `/${HOW}`, orphan);
    assertError(r, 409, 'survey_change_orphans', 'pages[1].elements[4]');
    assert.equal((await staff('GET', `/${HOW}`)).json.version, 2);
  });

  test('the published version is public, with an ETag', async () => {
    const r = await call('GET', `/api/v1/surveys/${HOW}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.slug, HOW);
    assert.equal(r.json.state, 'published');
    assert.equal(r.json.version, 2);
    assert.equal(r.json.open, true);
    assert.equal(r.json.definition.intro.en, 'Tell us how you want to have your say.');
    const etag = r.headers.get('etag');
    assert.ok(etag);
    const again = await call('GET', `/api/v1/surveys/${HOW}`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    const list = await call('GET', '/api/v1/surveys');
    const s = list.json.surveys.find((x) => x.slug === HOW);
    assert.equal(s.version, 2);
    assert.equal(s.open, true);
    assert.equal(s.title.fi, 'Miten haluat osallistua?');
    assert.equal(s.opens, '2026-10-31T22:00:00Z');
    assert.equal(s.closes, null);
  });
});

describe('answering', () => {
  const base = fixture('responses/how-to-take-part.json');

  test('a response is stored once; the same body again answers as the first time', async () => {
    const body = JSON.stringify(base);
    const first = await respond(HOW, body);
    assert.equal(first.status, 201, first.text);
    assert.deepEqual(Object.keys(first.json).sort(), ['id', 'submitted', 'version']);
    assert.equal(first.json.id, base.id);
    assert.equal(first.json.version, 1, 'checked against the version it names');
    const again = await respond(HOW, body);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json, first.json);
    const other = { ...base, answers: { ...base.answers, influence: 2 } };
    assertError(await respond(HOW, other), 409, 'response_conflict', 'id');
    const v = await staff('GET', `/${HOW}`);
    assert.equal(v.json.responses, 1);
  });

  test('the response is checked against its version; errors name the answer', async () => {
    const fresh = (answers, extra = {}) => ({ ...base, id: uuid(), version: 2, answers, ...extra });
    assert.equal((await respond(HOW, fresh(base.answers))).status, 201);
    assertError(await respond(HOW, fresh(base.answers, { version: 9 })), 422, 'invalid_answer', 'version');
    assertError(await respond(HOW, fresh({ ...base.answers, influence: 99 })), 422, 'invalid_answer', 'answers.influence');
    assertError(await respond(HOW, fresh({ ...base.answers, nope: 1 })), 422, 'invalid_answer', 'answers.nope');
    const { age_group: _, ...noAge } = base.answers;
    assertError(await respond(HOW, fresh(noAge)), 422, 'invalid_answer', 'answers.age_group');
    const { news_ok: __, ...noConsent } = base.answers;
    assertError(await respond(HOW, fresh(noConsent)), 422, 'invalid_answer', 'answers.news_email');
    const { id: ___, ...noId } = base;
    assertError(await respond(HOW, noId), 400, 'missing_field', 'id');
    assertError(await respond(HOW, { ...base, id: 'not-a-uuid' }), 400, 'invalid_value', 'id');
    assertError(await respond(HOW, '[1, 2'), 400, 'invalid_json');
    assertError(await respond(HOW, '"a string"'), 400, 'invalid_json');
    assertError(await respond(HOW, { ...fresh(base.answers), answers: [] }), 400, 'wrong_type', 'answers');
    assertError(await respond('no-such-survey', fresh(base.answers)), 404, 'not_found', 'slug');
  });

  test('map answers: features stored, geometry errors name the feature', async () => {
    await publish('safe-route-to-school.json', (d) => { delete d.opens; delete d.closes; return d; });
    const r = fixture('responses/safe-route-to-school.json');
    const ok = await respond(ROUTE, r);
    assert.equal(ok.status, 201, ok.text);
    const bad = structuredClone(r);
    bad.id = uuid();
    bad.answers.unsafe_spots[0].geometry = { type: 'Point', coordinates: [25.0, 60.2] };
    const e = await respond(ROUTE, bad);
    assertError(e, 422, 'outside_area', 'answers.unsafe_spots[0].geometry');
    bad.answers.unsafe_spots[0].geometry = { type: 'LineString', coordinates: [[28.8, 61.2], [28.81, 61.21]] };
    assertError(await respond(ROUTE, bad), 400, 'unsupported_geometry', 'answers.unsafe_spots[0].geometry');
    const budget = await publish('neighbourhood-geobudget.json');
    assert.equal(budget.version, 1);
    assert.equal((await respond(BUDGET, fixture('responses/neighbourhood-geobudget.json'))).status, 201);
  });

  test('outside the window or not published: 409 survey_closed; a resend is still answered', async () => {
    const win = await publish('safe-route-to-school.json', (d) => { d.slug = 'koulutie-2026'; return d; });
    assert.equal(win.version, 1);
    const g = await call('GET', '/api/v1/surveys/koulutie-2026');
    assert.equal(g.status, 200);
    assert.equal(g.json.open, false);
    assert.ok(!(await call('GET', '/api/v1/surveys')).json.surveys.some((s) => s.slug === 'koulutie-2026'),
      'a survey whose window has closed is not listed');
    const r = fixture('responses/safe-route-to-school.json');
    assertError(await respond('koulutie-2026', r), 409, 'survey_closed');

    const sent = fixture('responses/how-to-take-part.json');
    const c = await staff('POST', `/${HOW}/close`);
    assert.equal(c.json.state, 'closed');
    assert.equal((await call('GET', `/api/v1/surveys/${HOW}`)).json.open, false);
    assertError(await respond(HOW, { ...sent, id: uuid() }), 409, 'survey_closed');
    const resend = await respond(HOW, JSON.stringify(sent));
    assert.equal(resend.status, 200, resend.text);
    assertError(await staff('POST', `/${HOW}/close`), 409, 'invalid_transition');
    assert.equal((await staff('POST', `/${HOW}/reopen`)).json.state, 'published');
    assert.equal((await respond(HOW, { ...sent, id: uuid() })).status, 201);
    assertError(await staff('POST', `/${HOW}/archive`), 409, 'invalid_transition');
  });
});

describe('resume drafts', () => {
  test('saved, read, replaced, and gone once the response is sent', async () => {
    const id = uuid();
    const s = await call('POST', `/api/v1/surveys/${HOW}/drafts`, {
      body: { id, version: 2, language: 'sv', page: 1, answers: { age_group: 'a30_64' } },
    });
    assert.equal(s.status, 201, s.text);
    assert.match(s.json.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(s.json.resume, `/s/${HOW}?resume=${s.json.token}`);
    const url = `/api/v1/surveys/${HOW}/drafts/${s.json.token}`;
    const g = await call('GET', url);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.id, id);
    assert.equal(g.json.language, 'sv');
    assert.equal(g.json.page, 1);
    assert.deepEqual(g.json.answers, { age_group: 'a30_64' });
    const p = await call('PUT', url, { body: { id, version: 2, language: 'sv', page: 2, answers: { age_group: 'a65' } } });
    assert.equal(p.status, 200, p.text);
    assert.equal((await call('GET', url)).json.page, 2);

    const bad = (body) => call('POST', `/api/v1/surveys/${HOW}/drafts`, { body });
    assertError(await bad({ id, version: 2, language: 'de', answers: {} }), 400, 'invalid_value', 'language');
    assertError(await bad({ id, version: 2, answers: [] }), 400, 'wrong_type', 'answers');
    assertError(await bad({ id, version: 7, answers: {} }), 400, 'invalid_value', 'version');
    assertError(await bad({ id: 'x', version: 2, answers: {} }), 400, 'invalid_value', 'id');
    assertError(await bad({ id, version: 2, page: -1, answers: {} }), 400, 'invalid_value', 'page');
    assertError(await bad({ id, version: 2, answers: {}, extra: 1 }), 400, 'unknown_field', 'extra');
    assertError(await call('GET', `/api/v1/surveys/${HOW}/drafts/${'A'.repeat(43)}`), 404, 'not_found', 'token');
    assertError(await call('GET', `/api/v1/surveys/${HOW}/drafts/short`), 404, 'not_found', 'token');
    assertError(await call('PUT', `/api/v1/surveys/${HOW}/drafts/${'A'.repeat(43)}`, { body: { id, version: 2, answers: {} } }),
      404, 'not_found', 'token');

    const answers = fixture('responses/how-to-take-part.json').answers;
    assert.equal((await respond(HOW, { id, version: 2, answers })).status, 201);
    assertError(await call('GET', url), 404, 'not_found', 'token');
  });
});

describe('staff', () => {
  test('duplicate, public questions, close and archive', async () => {
    const d = await staff('POST', `/${ROUTE}/duplicate`);
    assert.equal(d.status, 201, d.text);
    assert.equal(d.json.slug, `${ROUTE}-copy`);
    const copy = await staff('GET', `/${ROUTE}-copy`);
    assert.equal(copy.json.state, 'draft');
    assert.equal(copy.json.draft.slug, `${ROUTE}-copy`);
    assert.equal(copy.json.responses, 0);
    const named = await staff('POST', `/${ROUTE}/duplicate`, { slug: 'koulutie-kopio' });
    assert.equal(named.status, 201, named.text);
    assert.equal(named.json.slug, 'koulutie-kopio');
    assertError(await staff('POST', `/${ROUTE}/duplicate`, { slug: 'koulutie-kopio' }), 409, 'conflict', 'slug');
    assertError(await staff('POST', `/${ROUTE}/duplicate`, { slug: 'Not A Slug' }), 400, 'invalid_value', 'slug');

    const pub = await staff('PUT', `/${ROUTE}/public`, { questions: ['unsafe_spots'] });
    assert.equal(pub.status, 200, pub.text);
    assert.deepEqual(pub.json.public_questions, ['unsafe_spots']);
    assertError(await staff('PUT', `/${ROUTE}/public`, { questions: ['mode'] }), 400, 'invalid_value', 'questions[0]');
    assertError(await staff('PUT', `/${ROUTE}/public`, { questions: 'route' }), 400, 'wrong_type', 'questions');

    assert.equal((await staff('POST', `/${ROUTE}/close`)).json.state, 'closed');
    const a = await staff('POST', `/${ROUTE}/archive`);
    assert.equal(a.json.state, 'archived');
    assert.ok(a.json.closed);
    assertError(await staff('PUT', `/${ROUTE}`, a.json.draft), 409, 'invalid_transition');
    assertError(await staff('POST', `/${ROUTE}/reopen`), 409, 'invalid_transition');
  });

  test('council reads but cannot write; anonymous callers see no staff route', async () => {
    const list = await staff('GET', '', undefined, 'council');
    assert.equal(list.status, 200, list.text);
    assert.ok(list.json.surveys.length >= 3);
    assert.equal((await staff('GET', `/${HOW}`, undefined, 'council')).status, 200);
    assertError(await staff('POST', '', fixture('how-to-take-part.json'), 'council'), 403, 'forbidden');
    assertError(await staff('POST', `/${HOW}/close`, undefined, 'council'), 403, 'forbidden');
    assertError(await staff('PUT', `/${HOW}/public`, { questions: [] }, 'council'), 403, 'forbidden');
    for (const [m, u] of [['GET', ''], ['GET', `/${HOW}`], ['POST', ''], ['POST', `/${HOW}/publish`],
      ['PUT', `/${HOW}`], ['POST', `/${HOW}/duplicate`]]) {
      const r = await call(m, `/api/v1/staff/surveys${u}`, m === 'GET' ? {} : { body: {} });
      assertError(r, 401, 'unauthorized');
    }
    const admin = await staff('POST', `/${HOW}/duplicate`, { slug: 'admin-copy' }, 'admin');
    assert.equal(admin.status, 201, admin.text);
  });

  test('personal answers never come back from a public route', async () => {
    const sent = fixture('responses/how-to-take-part.json');
    assert.ok(JSON.stringify(sent).includes(EMAIL));
    const urls = ['/api/v1/surveys', `/api/v1/surveys/${HOW}`, `/api/v1/surveys/${BUDGET}`,
      '/ogcapi/collections', '/api/v1/feedback'];
    for (const u of urls) {
      const r = await call('GET', u);
      assert.ok(!r.text.includes(EMAIL), `${u} shows a personal answer`);
    }
    const replay = await respond(HOW, JSON.stringify(sent));
    assert.equal(replay.status, 200);
    assert.ok(!replay.text.includes(EMAIL));
    const view = await staff('GET', `/${HOW}`);
    assert.ok(!view.text.includes(EMAIL), 'not in the staff view either');
  });
});
