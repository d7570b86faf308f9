// Participatory budgeting over HTTP (issue 13, docs/budgeting.md): the
// round's checks, phases by date and by hand, proposals placed in areas,
// support once per browser, moderation and review, projects merging
// proposals, voting codes, open and paper ballots under each rule's
// limits, reuse / second ballot / after close refused, changed ballots
// counted once, results by both methods, and the Pabulib export read back
// by a parser written here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { call as callServer, startServer } from '../lib/server.mjs';

const TOKENS = [
  { name: 'planner', role: 'planner' },
  { name: 'planner2', role: 'planner' },
  { name: 'moderator', role: 'moderator' },
  { name: 'council', role: 'council' },
];

let srv;
let district; // { code, point: [lon, lat] } of one district
let otherDistrict;
const call = (method, url, opts) => callServer(srv, method, url, opts);
const staff = (method, url, body, token = 'planner') => call(method, `/api/v1/staff/budget${url}`, { token, body });
const pub = (method, url, body, opts = {}) => call(method, `/api/v1/budget${url}`, { body, ...opts });

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
}

const day = 24 * 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
// Phases starting `offsets` days from now (proposals, review, voting, results, implementation).
const phases = (offsets = [10, 20, 30, 40, 50]) => {
  const names = ['proposals', 'review', 'voting', 'results', 'implementation'];
  return Object.fromEntries(names.map((n, i) => [n, { starts: iso(Date.now() + offsets[i] * day) }]));
};

const round = (slug, extra = {}) => ({
  slug,
  title: { fi: 'Osallistuva budjetti', sv: 'Deltagande budget', en: 'Participatory budget' },
  description: { fi: 'Ehdota ja äänestä.', en: 'Propose and vote.' },
  budget: 100,
  areas: [
    { key: 'north', name: { fi: 'Pohjoinen', sv: 'Norr', en: 'North' }, budget: 60, districts: [district.code] },
    { key: 'rest', name: { fi: 'Muu kaupunki', sv: 'Övriga staden', en: 'The rest' }, budget: 40 },
  ],
  categories: [{ key: 'play', name: { fi: 'Leikki', sv: 'Lek', en: 'Play' } },
    { key: 'green', name: { fi: 'Viher', sv: 'Grönt', en: 'Green' } }],
  phases: phases(),
  voting: { rule: 'knapsack', min_share: 50 },
  voters: ['codes', 'open', 'paper'],
  min_age: 12,
  method: 'mes',
  ...extra,
});

async function create(doc) {
  const c = await staff('POST', '/rounds', doc);
  assert.equal(c.status, 201, c.text);
  const p = await staff('POST', `/rounds/${doc.slug}/publish`);
  assert.equal(p.status, 200, p.text);
  return p.json;
}
const setPhase = async (slug, phase) => {
  const r = await staff('POST', `/rounds/${slug}/phase`, { phase });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.phase, phase ?? r.json.phase);
  return r.json;
};
const project = async (slug, body) => {
  const r = await staff('POST', `/rounds/${slug}/projects`, body);
  assert.equal(r.status, 201, r.text);
  return r.json.id;
};
const texts = (fi) => ({ fi, sv: `${fi} (sv)`, en: `${fi} (en)` });
const codes = async (slug, count) => {
  const r = await staff('POST', `/rounds/${slug}/codes`, { count, batch: 'library' });
  assert.equal(r.status, 201, r.text);
  return r.json.codes;
};
let browserN = 0;
const browser = () => `vaikuta_browser=${(++browserN).toString(16).padStart(64, 'a')}`;
const openVote = (slug, body, cookie = browser(), headers = {}) =>
  pub('POST', `/rounds/${slug}/ballots`, { age_group: '30-44', postal_code: '55100', ...body }, { headers: { Cookie: cookie, ...headers } });

before(async () => {
  srv = await startServer({ tokens: TOKENS, demoResponses: 0, args: ['--rate-limit', '0'] });
  const d = await call('GET', '/api/v1/districts');
  assert.equal(d.status, 200);
  const fs = d.json.features;
  assert.ok(fs.length >= 2, 'the demo has districts');
  district = { code: fs[0].properties.code, point: fs[0].properties.label_point };
  otherDistrict = { code: fs[1].properties.code, point: fs[1].properties.label_point };
});
after(async () => {
  if (srv) await srv.close();
});

describe('a round', () => {
  test('the document is checked, each refusal naming its member', async () => {
    const bad = [
      [(d) => { delete d.title; }, 'missing_field', 'title'],
      [(d) => { d.slug = 'Not A Slug'; }, 'invalid_value', 'slug'],
      [(d) => { d.budget = 0; }, 'invalid_value', 'budget'],
      [(d) => { d.areas[0].budget = 90; }, 'invalid_value', 'areas'],
      [(d) => { d.areas[0].districts = ['no-such-district']; }, 'invalid_value', 'areas'],
      [(d) => { d.areas[1].key = 'north'; }, 'invalid_value', 'areas'],
      [(d) => { d.phases.review.starts = d.phases.proposals.starts; }, 'invalid_value', 'phases.review.starts'],
      [(d) => { delete d.phases.results; }, 'missing_field', 'phases.results'],
      [(d) => { d.voting = { rule: 'approval', min: 3, max: 2 }; }, 'invalid_value', 'voting.min'],
      [(d) => { d.voting = { rule: 'points', points: 0 }; }, 'invalid_value', 'voting.points'],
      [(d) => { d.voting = { rule: 'knapsack', min_share: 101 }; }, 'invalid_value', 'voting.min_share'],
      [(d) => { d.voting = { rule: 'ranked' }; }, 'invalid_value', 'voting.rule'],
      [(d) => { d.voters = ['codes', 'codes']; }, 'invalid_value', 'voters'],
      [(d) => { d.method = 'random'; }, 'invalid_value', 'method'],
      [(d) => { d.min_age = 19; }, 'invalid_value', 'min_age'],
      [(d) => { d.extra = 1; }, 'unknown_field', 'extra'],
    ];
    for (const [change, code, field] of bad) {
      const doc = round('bad-round');
      change(doc);
      assertError(await staff('POST', '/rounds', doc), 400, code, field);
    }
  });

  test('unpublished rounds are not public; phases follow the dates; by hand overrides them', async () => {
    const doc = round('dates');
    const c = await staff('POST', '/rounds', doc);
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.published, false);
    assert.equal(c.json.phase, 'upcoming');
    assertError(await staff('POST', '/rounds', doc), 409, 'conflict', 'slug');
    assertError(await pub('GET', '/rounds/dates'), 404, 'not_found');
    assert.ok(!(await pub('GET', '/rounds')).json.rounds.some((r) => r.slug === 'dates'));
    await staff('POST', '/rounds/dates/publish');
    const g = await pub('GET', '/rounds/dates');
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.phase, 'upcoming');
    assert.equal(g.json.phase_by_hand, false);
    assert.equal(g.json.counts.ballots, null, 'ballots are not counted in public before results');
    assert.ok((await pub('GET', '/rounds')).json.rounds.some((r) => r.slug === 'dates'));

    // The same round with dates around now: the phase whose start has passed.
    doc.phases = phases([-3, -2, -1, 1, 2]);
    const p = await staff('PUT', '/rounds/dates', doc);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.phase, 'voting');
    // From voting on the dates may still move (closing early or late),
    // but not what decides the result.
    doc.phases = phases([-5, -4, -3, -2, 2]);
    const moved = await staff('PUT', '/rounds/dates', doc);
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.json.phase, 'results');
    doc.budget = 200;
    assertError(await staff('PUT', '/rounds/dates', doc), 409, 'round_locked', 'budget');
  });

  test('by hand: set, and null returns to the dates', async () => {
    await create(round('hand'));
    assert.equal((await setPhase('hand', 'review')).phase_by_hand, true);
    const back = await staff('POST', '/rounds/hand/phase', { phase: null });
    assert.equal(back.json.phase, 'upcoming');
    assert.equal(back.json.phase_by_hand, false);
    assertError(await staff('POST', '/rounds/hand/phase', { phase: 'counting' }), 400, 'invalid_value', 'phase');
    assertError(await staff('POST', '/rounds/hand/phase', { phase: 'voting' }, 'council'), 403, 'forbidden');
    assertError(await call('POST', '/api/v1/staff/budget/rounds/hand/phase', { body: { phase: 'voting' } }), 401, 'unauthorized');
  });
});

describe('proposals, support, moderation, review and projects', () => {
  const slug = 'props';
  let inNorth, byDistrict, nowhere;

  before(async () => {
    await create(round(slug));
  });

  test('proposals only in the proposals phase; placed in their area', async () => {
    const f = (props, geometry = null) => ({ type: 'Feature', geometry, properties: { title: 'Leikkipuisto', description: 'Uusi leikkipuisto.', category: 'play', ...props } });
    assertError(await pub('POST', `/rounds/${slug}/proposals`, f({})), 409, 'phase_closed', 'phase');
    await setPhase(slug, 'proposals');
    const a = await pub('POST', `/rounds/${slug}/proposals`, f({ contact: { name: 'Maija', email: 'maija@example.org' } },
      { type: 'Point', coordinates: district.point }));
    assert.equal(a.status, 201, a.text);
    assert.match(a.headers.get('location'), /^\/api\/v1\/budget\/proposals\/\d+$/);
    assert.equal(a.json.properties.area, 'north');
    assert.equal(a.json.properties.district, district.code);
    assert.equal(a.json.properties.located, 'geometry');
    assert.equal(a.json.properties.contact, undefined, 'contact details are never public');
    assert.doesNotMatch(a.text, /maija/);
    inNorth = a.json.id;
    const b = await pub('POST', `/rounds/${slug}/proposals`, f({ district: otherDistrict.code, language: 'sv', category: 'green' }));
    assert.equal(b.status, 201, b.text);
    assert.equal(b.json.properties.located, 'district');
    assert.equal(b.json.properties.area, 'rest', 'a district outside north falls in the whole-city area');
    byDistrict = b.json.id;
    const c = await pub('POST', `/rounds/${slug}/proposals`, f({}));
    assert.equal(c.json.properties.located, 'none');
    nowhere = c.json.id;

    assertError(await pub('POST', `/rounds/${slug}/proposals`, f({ category: 'roads' })), 400, 'invalid_value', 'properties.category');
    assertError(await pub('POST', `/rounds/${slug}/proposals`, f({ title: '' })), 400, 'invalid_value', 'properties.title');
    assertError(await pub('POST', `/rounds/${slug}/proposals`, f({}, { type: 'LineString', coordinates: [district.point, otherDistrict.point] })), 400, 'unsupported_geometry', 'geometry');
    assertError(await pub('POST', `/rounds/${slug}/proposals`, f({}, { type: 'Point', coordinates: [0, 0] })), 422, 'outside_area', 'geometry');
    assertError(await pub('POST', `/rounds/${slug}/proposals`, f({ district: 'nope' })), 400, 'invalid_value', 'district');

    const list = await pub('GET', `/rounds/${slug}/proposals`);
    assert.equal(list.json.features.length, 3);
    assert.equal((await pub('GET', `/rounds/${slug}/proposals?area=north`)).json.features.length, 1);
    const st = await staff('GET', `/rounds/${slug}/proposals`);
    assert.equal(st.json.features.find((x) => x.id === inNorth).properties.contact.email, 'maija@example.org');
  });

  test('support: once per browser', async () => {
    const c1 = browser();
    const s1 = await pub('POST', `/proposals/${inNorth}/support`, undefined, { headers: { Cookie: c1 } });
    assert.deepEqual(s1.json, { id: inNorth, supports: 1, counted: true });
    const s2 = await pub('POST', `/proposals/${inNorth}/support`, undefined, { headers: { Cookie: c1 } });
    assert.deepEqual(s2.json, { id: inNorth, supports: 1, counted: false });
    const s3 = await pub('POST', `/proposals/${inNorth}/support`);
    assert.equal(s3.json.counted, true);
    assert.match(s3.headers.get('set-cookie'), /^vaikuta_browser=[0-9a-f]{64}; Path=\/api\/v1\/; HttpOnly; SameSite=Strict/);
    const c2 = s3.headers.get('set-cookie').split(';')[0];
    assert.equal((await pub('POST', `/proposals/${inNorth}/support`, undefined, { headers: { Cookie: c2 } })).json.counted, false);
    await pub('POST', `/proposals/${byDistrict}/support`, undefined, { headers: { Cookie: c1 } });
    assertError(await pub('POST', '/proposals/999999/support'), 404, 'not_found');
    // Unknown items are 404 on every write, and the server stays up.
    assertError(await staff('PATCH', '/proposals/999999', { moderation: 'hidden' }, 'moderator'), 404, 'not_found');
    assertError(await staff('PUT', '/proposals/999999/review', { feasible: true }), 404, 'not_found');
    assertError(await staff('PATCH', '/projects/999999', { cost: 5 }), 404, 'not_found');
    assertError(await staff('POST', '/projects/999999/updates', { text: { fi: 'x' } }), 404, 'not_found');
    assertError(await staff('POST', '/paper-ballots/999999/confirm'), 404, 'not_found');
    assert.equal((await call('GET', '/healthz')).status, 200);
  });

  test('moderation hides a proposal from the public; planners cannot moderate', async () => {
    assertError(await staff('PATCH', `/proposals/${nowhere}`, { moderation: 'hidden' }), 403, 'forbidden');
    const h = await staff('PATCH', `/proposals/${nowhere}`, { moderation: 'hidden', note: 'advertising' }, 'moderator');
    assert.equal(h.status, 200, h.text);
    assert.equal(h.json.properties.moderation, 'hidden');
    assert.equal(h.json.properties.note, 'advertising');
    assertError(await pub('GET', `/proposals/${nowhere}`), 404, 'not_found');
    assert.equal((await pub('GET', `/rounds/${slug}/proposals`)).json.features.length, 2);
    assertError(await pub('POST', `/proposals/${nowhere}/support`), 404, 'not_found');
  });

  test('review is public; a project merges proposals and carries their supporters', async () => {
    await setPhase(slug, 'review');
    assertError(await staff('PUT', `/proposals/${inNorth}/review`, { feasible: false }), 400, 'missing_field', 'reason');
    const r = await staff('PUT', `/proposals/${inNorth}/review`, { feasible: true, cost: 30, unit: 'parks' });
    assert.equal(r.status, 200, r.text);
    const g = await pub('GET', `/proposals/${inNorth}`);
    assert.deepEqual(g.json.properties.review, { feasible: true, reason: null, cost: 30, unit: 'parks' });
    const r2 = await staff('PUT', `/proposals/${byDistrict}/review`, { feasible: false, reason: 'Ei kaupungin maata.' });
    assert.equal(r2.json.properties.review.feasible, false);

    const id = await project(slug, { title: texts('Leikkipuisto'), cost: 30, area: 'north', category: 'play',
      proposals: [inNorth, byDistrict], geometry: { type: 'Point', coordinates: district.point } });
    const p = await pub('GET', `/projects/${id}`);
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.json.properties.proposals.sort(), [inNorth, byDistrict].sort());
    assert.equal(p.json.properties.supporters, 2, 'two distinct browsers supported the two proposals');
    assert.equal(p.json.properties.votes, null);
    assert.equal((await pub('GET', `/proposals/${inNorth}`)).json.properties.project, id);
    assertError(await staff('POST', `/rounds/${slug}/projects`, { title: texts('Toinen'), cost: 5, area: 'north', proposals: [inNorth] }), 409, 'conflict', 'proposals');
    assertError(await staff('POST', `/rounds/${slug}/projects`, { title: texts('Liian kallis'), cost: 61, area: 'north' }), 400, 'invalid_value', 'cost');
    assertError(await staff('POST', `/rounds/${slug}/projects`, { title: texts('Ei aluetta'), cost: 5 }), 400, 'missing_field', 'area');
  });
});

describe('voting: knapsack with codes, open and paper ballots', () => {
  const slug = 'vote';
  let A, B, C, D; // north: A 30, B 30, C 20; rest: D 40
  let list;

  before(async () => {
    await create(round(slug));
    await setPhase(slug, 'review');
    A = await project(slug, { title: texts('A'), cost: 30, area: 'north' });
    B = await project(slug, { title: texts('B'), cost: 30, area: 'north' });
    C = await project(slug, { title: texts('C'), cost: 20, area: 'north' });
    D = await project(slug, { title: texts('D'), cost: 40, area: 'rest' });
    list = await codes(slug, 6);
  });

  test('codes: 12 characters in groups of four, shown once, counted per batch', async () => {
    assert.equal(list.length, 6);
    for (const c of list) assert.match(c, /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    const b = await staff('GET', `/rounds/${slug}/codes`, undefined, 'council');
    assert.deepEqual(b.json.batches.map((x) => [x.batch, x.issued, x.used]), [['library', 6, 0]]);
  });

  test('no ballot before voting opens', async () => {
    assertError(await pub('POST', `/rounds/${slug}/ballots`, { area: 'north', projects: [A, B], code: list[0] }), 409, 'phase_closed');
  });

  test('the knapsack rule: within the budget and at least its minimum share, one area', async () => {
    await setPhase(slug, 'voting');
    const v = (projects, area = 'north') => openVote(slug, { area, projects });
    assertError(await v([A, B, C]), 422, 'ballot_invalid', 'projects'); // 80 > 60
    assertError(await v([C]), 422, 'ballot_invalid', 'projects'); // 20 < 50 % of 60
    assertError(await v([A, D]), 422, 'ballot_invalid', 'projects[1]'); // D is in rest
    assertError(await v([A, A]), 422, 'ballot_invalid', 'projects[1]');
    assertError(await v([999999]), 422, 'ballot_invalid', 'projects[0]');
    assertError(await v([A], 'east'), 422, 'ballot_invalid', 'area');
    assertError(await openVote(slug, { area: 'north', points: { [A]: 1 } }), 422, 'ballot_invalid', 'points');
  });

  test('a code votes once; typed in lower case without dashes it still works', async () => {
    const r = await pub('POST', `/rounds/${slug}/ballots`, { area: 'north', projects: [A, B], code: list[0] });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(r.json.change, `/b/${slug}?ballot=${r.json.token}`);
    assert.equal(r.json.total, 60);
    assert.deepEqual(r.json.projects, [A, B]);
    assertError(await pub('POST', `/rounds/${slug}/ballots`, { area: 'north', projects: [A, B], code: list[0] }), 409, 'code_used', 'code');
    const typed = list[1].replaceAll('-', '').toLowerCase();
    assert.equal((await pub('POST', `/rounds/${slug}/ballots`, { area: 'north', projects: [A, C], code: typed })).status, 201);
    assertError(await pub('POST', `/rounds/${slug}/ballots`, { area: 'north', projects: [A, C], code: 'AAAA-AAAA-AAAA' }), 422, 'code_invalid', 'code');
    assertError(await pub('POST', `/rounds/${slug}/ballots`, { area: 'north', projects: [A, C], code: 'short' }), 422, 'code_invalid', 'code');
    assertError(await pub('POST', `/rounds/${slug}/ballots`, { area: 'north', projects: [A, C], code: list[2], age_group: '18-29' }), 400, 'unknown_field', 'age_group');
    const b = await staff('GET', `/rounds/${slug}/codes`);
    assert.equal(b.json.batches[0].used, 2);
  });

  test('Idempotency-Key: the same ballot again replays the first answer and uses no second code', async () => {
    const body = { area: 'north', projects: [B, C], code: list[3] };
    const h = { 'Idempotency-Key': 'ballot-key-1' };
    const r1 = await pub('POST', `/rounds/${slug}/ballots`, body, { headers: h });
    assert.equal(r1.status, 201, r1.text);
    const r2 = await pub('POST', `/rounds/${slug}/ballots`, body, { headers: h });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.headers.get('idempotent-replayed'), 'true');
    assert.equal(r2.json.token, r1.json.token);
    assert.equal((await staff('GET', `/rounds/${slug}/codes`)).json.batches[0].used, 3);
  });

  test('open voting: one ballot per browser, an age group and a postal code', async () => {
    const cookie = browser();
    const r = await openVote(slug, { area: 'north', projects: [A, C] }, cookie);
    assert.equal(r.status, 201, r.text);
    assertError(await openVote(slug, { area: 'rest', projects: [D] }, cookie), 409, 'ballot_exists');
    const fresh = await openVote(slug, { area: 'rest', projects: [D] }, '');
    assert.equal(fresh.status, 201, fresh.text);
    assert.match(fresh.headers.get('set-cookie'), /^vaikuta_browser=[0-9a-f]{64};/);
    assertError(await openVote(slug, { area: 'rest', projects: [D], age_group: 'under-12' }), 422, 'too_young', 'age_group');
    assertError(await openVote(slug, { area: 'rest', projects: [D], age_group: 'old' }), 400, 'invalid_value', 'age_group');
    assertError(await openVote(slug, { area: 'rest', projects: [D], postal_code: '551' }), 400, 'invalid_value', 'postal_code');
    assertError(await pub('POST', `/rounds/${slug}/ballots`, { area: 'rest', projects: [D], postal_code: '55100' }, { headers: { Cookie: browser() } }), 400, 'missing_field', 'age_group');
  });

  test('a ballot changes through its link and is counted once, with its latest choices', async () => {
    const r = await openVote(slug, { area: 'north', projects: [B, C] });
    const link = `/ballots/${r.json.token}`;
    const g = await pub('GET', link);
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.json.projects, [B, C]);
    assert.equal(g.json.open, true);
    const p = await pub('PUT', link, { area: 'north', projects: [A, B] });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.json.projects, [A, B]);
    assert.ok(p.json.changed);
    assertError(await pub('PUT', link, { area: 'north', projects: [A, B, C] }), 422, 'ballot_invalid', 'projects');
    assertError(await pub('PUT', link, { area: 'north', projects: [A, B], code: list[4] }), 400, 'unknown_field', 'code');
    assertError(await pub('GET', `/ballots/${'x'.repeat(43)}`), 404, 'not_found');
  });

  test('paper ballots count once a second staff account confirms them', async () => {
    const e = await staff('POST', `/rounds/${slug}/paper-ballots`, { area: 'north', projects: [A, C], sheet: 'A-0001' });
    assert.equal(e.status, 201, e.text);
    assert.equal(e.json.state, 'pending');
    assertError(await staff('POST', `/rounds/${slug}/paper-ballots`, { area: 'north', projects: [A, C], sheet: 'A-0001' }), 409, 'conflict', 'sheet');
    assertError(await staff('POST', `/paper-ballots/${e.json.id}/confirm`), 409, 'same_person');
    const before = (await staff('GET', `/rounds/${slug}`)).json.counts;
    assert.equal(before.pending_paper, 1);
    const c = await staff('POST', `/paper-ballots/${e.json.id}/confirm`, undefined, 'planner2');
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.confirmed_by, 'planner2');
    const list2 = await staff('GET', `/rounds/${slug}/paper-ballots`);
    assert.equal(list2.json.paper_ballots[0].state, 'confirmed');
  });

  test('while voting, projects and the rule are fixed', async () => {
    assertError(await staff('PATCH', `/projects/${A}`, { cost: 10 }), 409, 'phase_closed');
    const doc = round(slug);
    doc.method = 'greedy';
    assertError(await staff('PUT', `/rounds/${slug}`, doc), 409, 'round_locked', 'method');
    assertError(await pub('GET', `/rounds/${slug}/results`), 409, 'phase_closed');
  });

  test('after close: no ballot, no change; results by both methods; Pabulib read back', async () => {
    const r = await openVote(slug, { area: 'north', projects: [A, B] });
    await setPhase(slug, 'results');
    assertError(await openVote(slug, { area: 'north', projects: [A, B] }), 409, 'phase_closed');
    assertError(await pub('POST', `/rounds/${slug}/ballots`, { area: 'north', projects: [A, B], code: list[5] }), 409, 'phase_closed');
    assertError(await pub('PUT', `/ballots/${r.json.token}`, { area: 'north', projects: [A, C] }), 409, 'phase_closed');
    assert.equal((await pub('GET', `/ballots/${r.json.token}`)).json.open, false);

    // North's counted ballots: code [A,B], code [A,C], code [B,C] (once,
    // replayed), open [A,C], changed [A,B] (was [B,C]), paper [A,C],
    // open [A,B]: A 6, B 4, C 4. Rest: open [D].
    const res = await pub('GET', `/rounds/${slug}/results`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.method, 'mes');
    assert.equal(res.json.ballots, 8);
    assert.ok(res.json.explanation.fi && res.json.explanation.sv && res.json.explanation.en);
    const north = res.json.areas.find((a) => a.key === 'north');
    assert.equal(north.ballots, 7);
    const votes = Object.fromEntries(north.projects.map((p) => [p.id, p.votes]));
    assert.deepEqual(votes, { [A]: 6, [B]: 4, [C]: 4 });
    // Greedy: A (6) 30, then B and C tie at 4 votes: C is cheaper (20): 50; B no longer fits.
    const sel = (k) => north.projects.filter((p) => p[k]).map((p) => p.id).sort();
    assert.deepEqual(sel('selected_greedy'), [A, C].sort());
    assert.ok(north.spent <= 60);
    const rest = res.json.areas.find((a) => a.key === 'rest');
    assert.deepEqual(rest.projects.map((p) => [p.id, p.votes, p.selected]), [[D, 1, true]]);
    const pj = await pub('GET', `/rounds/${slug}/projects?area=north`);
    assert.equal(pj.json.features.find((f) => f.id === A).properties.votes, 6);

    const pb = await pub('GET', `/rounds/${slug}/export.pb?area=north`);
    assert.equal(pb.status, 200, pb.text);
    assert.match(pb.headers.get('content-type'), /^text\/plain/);
    const parsed = parsePabulib(pb.text);
    assert.equal(parsed.meta.num_votes, '7');
    assert.equal(parsed.meta.budget, '60');
    assert.equal(parsed.meta.vote_type, 'approval');
    assert.equal(parsed.meta.rule, 'equalshares');
    assert.equal(parsed.votes.length, 7);
    assert.equal(new Set(parsed.votes.map((v) => v.voter_id)).size, 7, 'anonymous ids, one per ballot');
    for (const v of parsed.votes) assert.match(v.voter_id, /^v\d+$/);
    // The votes column of PROJECTS is what the VOTES section adds up to.
    const counted = {};
    for (const v of parsed.votes) for (const id of v.vote.split(',')) counted[id] = (counted[id] || 0) + 1;
    for (const p of parsed.projects) assert.equal(Number(p.votes), counted[p.project_id] || 0, `project ${p.project_id}`);
    assert.deepEqual(parsed.projects.map((p) => Number(p.project_id)).sort(), [A, B, C].sort());
    assertError(await pub('GET', `/rounds/${slug}/export.pb?area=east`), 400, 'invalid_parameter', 'area');
  });

  test('implementation: status with dated updates; cancelled needs its reason', async () => {
    assertError(await staff('PATCH', `/projects/${A}`, { status: 'cancelled' }), 400, 'missing_field', 'status_reason');
    const s = await staff('PATCH', `/projects/${A}`, { status: 'in_progress' });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.properties.status, 'in_progress');
    const u = await staff('POST', `/projects/${A}/updates`, { text: texts('Rakennus alkoi'), status: 'done', photos: ['https://example.org/a.jpg'] });
    assert.equal(u.status, 201, u.text);
    assert.equal(u.json.properties.status, 'done');
    assert.equal(u.json.properties.updates.length, 1);
    assert.deepEqual(u.json.properties.updates[0].photos, ['https://example.org/a.jpg']);
    assertError(await staff('POST', `/projects/${A}/updates`, { text: texts('x'), photos: ['http://example.org/a.jpg'] }), 400, 'invalid_value', 'photos');
  });
});

describe('OGC API collections', () => {
  test('budget-proposals and budget-projects: public rows only, and GDAL opens them', async () => {
    const pr = await call('GET', '/ogcapi/collections/budget-projects/items?limit=1000');
    assert.equal(pr.status, 200, pr.text);
    const a = pr.json.features.find((f) => f.properties.round === 'vote' && f.properties.title === 'A');
    assert.ok(a, 'project A of the round vote');
    assert.equal(a.properties.cost, 30);
    assert.equal(a.properties.area, 'north');
    assert.equal(a.properties.status, 'done');
    const pp = await call('GET', '/ogcapi/collections/budget-proposals/items?limit=1000');
    assert.equal(pp.status, 200, pp.text);
    assert.ok(pp.json.features.length >= 2);
    assert.ok(pp.json.features.every((f) => f.properties.moderation === 'public'), 'hidden proposals are left out');
    assert.ok(!pp.text.includes('maija@example.org'), 'no contact details');
    const cql = await call('GET', `/ogcapi/collections/budget-projects/items?filter=${encodeURIComponent("round = 'vote'")}`);
    assert.equal(cql.status, 200, cql.text);
    assert.equal(cql.json.features.length, 4);

    const ogr = (args) => execFileSync('ogrinfo', args, { encoding: 'utf8', timeout: 120000 });
    const list = ogr([`OAPIF:${srv.url}/ogcapi`]);
    assert.match(list, /budget-proposals/);
    assert.match(list, /budget-projects/);
    const info = ogr(['-so', `OAPIF:${srv.url}/ogcapi`, 'budget-projects']);
    assert.match(info, new RegExp(`Feature Count: ${pr.json.features.length}\\b`));
    assert.match(info, /cost: Integer/);
  });
});

describe('the other rules', () => {
  test('a ballot is checked against the round and projects as they are now (the per-process cache follows every change)', async () => {
    const slug = 'fresh';
    const doc = round(slug, { areas: undefined, voting: { rule: 'approval', min: 1, max: 1 }, voters: ['open'] });
    await create(doc);
    await setPhase(slug, 'review');
    const a = await project(slug, { title: texts('A'), cost: 10 });
    await setPhase(slug, 'voting');
    assert.equal((await openVote(slug, { projects: [a] })).status, 201, 'the round read and kept');
    await setPhase(slug, 'review');
    const b = await project(slug, { title: texts('B'), cost: 10 });
    const put = await staff('PUT', `/rounds/${slug}`, { ...doc, voting: { rule: 'approval', min: 2, max: 2 } });
    assert.equal(put.status, 200, put.text);
    await setPhase(slug, 'voting');
    assertError(await openVote(slug, { projects: [b] }), 422, 'ballot_invalid', 'projects');
    assert.equal((await openVote(slug, { projects: [a, b] })).status, 201, 'the new project and rule');
    const cost = await staff('GET', `/rounds/${slug}`);
    assert.equal(cost.json.counts.ballots, 2);
    assert.equal((await pub('GET', `/rounds/${slug}`)).json.counts.ballots, null, 'not counted for the public before results');
    await setPhase(slug, 'upcoming');
    assertError(await openVote(slug, { projects: [a, b] }), 409, 'phase_closed', 'phase');
  });

  test('approval: between min and max projects', async () => {
    const slug = 'approve';
    await create(round(slug, { areas: undefined, voting: { rule: 'approval', min: 2, max: 3 }, voters: ['open'] }));
    await setPhase(slug, 'review');
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await project(slug, { title: texts(`P${i}`), cost: 10 + i }));
    await setPhase(slug, 'voting');
    assertError(await openVote(slug, { projects: [ids[0]] }), 422, 'ballot_invalid', 'projects');
    assertError(await openVote(slug, { projects: ids.slice(0, 4) }), 422, 'ballot_invalid', 'projects');
    assert.equal((await openVote(slug, { projects: ids.slice(0, 2) })).status, 201);
    assert.equal((await openVote(slug, { projects: ids.slice(0, 3) })).status, 201, 'over the budget is fine for approval');
    assertError(await pub('POST', `/rounds/${slug}/ballots`, { projects: ids.slice(0, 2), code: 'AAAA-AAAA-AAAA' }), 422, 'voter_kind', 'code');
  });

  test('points: whole points from 1, at most N in all', async () => {
    const slug = 'points';
    await create(round(slug, { areas: undefined, voting: { rule: 'points', points: 10 }, voters: ['codes'], min_age: undefined }));
    await setPhase(slug, 'review');
    const a = await project(slug, { title: texts('A'), cost: 50 });
    const b = await project(slug, { title: texts('B'), cost: 60 });
    const cs = await codes(slug, 3);
    await setPhase(slug, 'voting');
    const v = (points, code) => pub('POST', `/rounds/${slug}/ballots`, { points, code });
    assertError(await v({ [a]: 6, [b]: 5 }, cs[0]), 422, 'ballot_invalid', 'points');
    assertError(await v({ [a]: 0 }, cs[0]), 422, 'ballot_invalid', `points.${a}`);
    assertError(await v({ [a]: 2.5 }, cs[0]), 422, 'ballot_invalid', `points.${a}`);
    assertError(await v({}, cs[0]), 422, 'ballot_invalid', 'points');
    assertError(await v([a], cs[0]), 400, 'wrong_type', 'points');
    assertError(await pub('POST', `/rounds/${slug}/ballots`, { projects: [a], code: cs[0] }), 422, 'ballot_invalid', 'projects');
    assertError(await openVote(slug, { points: { [a]: 1 } }), 422, 'voter_kind', 'code');
    const ok = await v({ [a]: 7, [b]: 3 }, cs[0]);
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual(ok.json.points, { [a]: 7, [b]: 3 });
    assert.equal((await v({ [b]: 10 }, cs[1])).status, 201);
    await setPhase(slug, 'results');
    const res = await staff('GET', `/rounds/${slug}/results`);
    const all = res.json.areas[0];
    assert.equal(all.key, 'all');
    assert.deepEqual(Object.fromEntries(all.projects.map((p) => [p.id, p.votes])), { [a]: 7, [b]: 13 });
    const pb = parsePabulib((await pub('GET', `/rounds/${slug}/export.pb`)).text);
    assert.equal(pb.meta.vote_type, 'cumulative');
    assert.equal(pb.meta.max_sum_points, '10');
    const sums = {};
    for (const x of pb.votes) {
      const ids = x.vote.split(','), pts = x.points.split(',').map(Number);
      ids.forEach((id, i) => { sums[id] = (sums[id] || 0) + pts[i]; });
    }
    assert.deepEqual(sums, { [a]: 7, [b]: 13 });
  });
});

// An independent reader of Pabulib (.pb): sections META, PROJECTS and
// VOTES, each a header line of ;-separated names and then rows.
function parsePabulib(text) {
  const out = { meta: {}, projects: [], votes: [] };
  let section = null;
  let header = null;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (['META', 'PROJECTS', 'VOTES'].includes(line.trim())) {
      section = line.trim();
      header = null;
      continue;
    }
    const cells = line.split(';');
    if (!header) {
      header = cells;
      continue;
    }
    assert.equal(cells.length, header.length, `a ${section} row has as many cells as its header: ${line}`);
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i]]));
    if (section === 'META') out.meta[row.key] = row.value;
    else if (section === 'PROJECTS') out.projects.push(row);
    else if (section === 'VOTES') out.votes.push(row);
    else assert.fail(`a line before any section: ${line}`);
  }
  return out;
}
