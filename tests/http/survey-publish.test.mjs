// Public survey results (issue 12, docs/survey-publish.md): the author's
// publication settings and "what we did", free-text moderation, the public
// results with k-anonymity (every figure checked against counts computed
// here from the responses sent), refused filters, ETag/304, a respondent's
// own answers by the resume token, and an ATTACK: an adversary who reads
// every view the API will give tries to single one respondent out through
// filters, districts, hexagons, complements and differences, and fails.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call as callServer, startServer } from '../lib/server.mjs';

const K = 5;
const SLUG = 'julkiset-tulokset';
const N = 40;
const T = (s) => ({ fi: s, sv: s, en: s });
const DOC = {
  slug: SLUG,
  title: T('Julkiset tulokset'),
  pages: [{
    key: 'p1',
    title: T('Sivu'),
    elements: [
      { key: 'group', type: 'single-choice', text: T('Ryhmä'), other: true,
        choices: ['a', 'b', 'c', 'd'].map((key) => ({ key, text: T(key) })) },
      { key: 'needs', type: 'multi-choice', text: T('Tarpeet'),
        choices: ['x', 'y', 'z'].map((key) => ({ key, text: T(key) })) },
      { key: 'bike', type: 'single-choice', text: T('Pyörä'),
        choices: ['yes', 'no'].map((key) => ({ key, text: T(key) })) },
      { key: 'safety', type: 'scale', text: T('Turvallisuus'), min: 1, max: 5 },
      { key: 'age', type: 'number', text: T('Ikä'), min: 0, max: 120, integer: true },
      { key: 'comments', type: 'text', text: T('Kommentit'), multiline: true },
      { key: 'spots', type: 'map-point', text: T('Paikat'),
        followups: [{ key: 'why', type: 'text', text: T('Miksi') }] },
    ],
  }],
};
// Two places far apart, in two districts of the demo municipality.
const A = [28.7832, 61.1918];
const B = [28.8193, 61.2329];

// Respondent i's answers: a known table, with small groups on purpose.
function answersOf(i) {
  const a = {};
  if (i < 20) a.group = 'a';
  else if (i < 33) a.group = 'b';
  else if (i < 36) a.group = 'c';
  else if (i < 37) a.group = 'd';
  else if (i < 39) a.group = { other: `muu ${i}` };
  const needs = [];
  if (i % 2 === 0) needs.push('x');
  if (i % 5 === 0) needs.push('y');
  if (i === 7) needs.push('z');
  if (needs.length) a.needs = needs;
  // all of group a and two of b: without the difference rule, group a's
  // view would show 20 against everyone's 22
  a.bike = i < 22 ? 'yes' : 'no';
  if (i !== 39) a.safety = (i % 5) + 1;
  a.age = 10 + i;
  if (i < 6) a.comments = `kommentti ${i}`;
  if (i < 12) a.spots = [{ geometry: { type: 'Point', coordinates: A }, ...(i < 3 ? { answers: { why: `syy ${i}` } } : {}) }];
  else if (i < 14) a.spots = [{ geometry: { type: 'Point', coordinates: B } }];
  return a;
}
const uuidOf = (i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;

let srv;
const call = (method, url, opts) => callServer(srv, method, url, opts);
const staff = (method, url, body, token = 'planner') =>
  call(method, `/api/v1/staff/surveys/${SLUG}${url}`, { token, body });
const results = (query = '', headers = {}) =>
  call('GET', `/api/v1/surveys/${SLUG}/results${query}`, { headers });

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
}

// What a count of n respondents must look like in public.
const expectCell = (n) => (n > 0 && n < K ? { suppressed: true, below: K } : n);
const isHidden = (c) => typeof c === 'object' && c !== null && c.suppressed === true;

let draftToken;
before(async () => {
  srv = await startServer({ demo: false, tokens: [{ name: 'planner', role: 'planner' },
    { name: 'council', role: 'council' }], args: ['--rate-limit', '0'] });
  let r = await call('POST', '/api/v1/staff/surveys', { token: 'planner', body: DOC });
  assert.equal(r.status, 201, r.text);
  // results of a draft cannot be published
  assertError(await staff('PUT', '/publication', { results: true }), 409, 'invalid_transition', 'results');
  r = await staff('POST', '/publish');
  assert.equal(r.status, 200, r.text);
  // respondent 0 saves a draft first and keeps the resume token
  r = await call('POST', `/api/v1/surveys/${SLUG}/drafts`, {
    body: { id: uuidOf(0), version: 1, answers: { group: 'a' } } });
  assert.equal(r.status, 201, r.text);
  draftToken = r.json.token;
  for (let i = 0; i < N; i++) {
    r = await call('POST', `/api/v1/surveys/${SLUG}/responses`, {
      body: { id: uuidOf(i), version: 1, answers: answersOf(i) } });
    assert.equal(r.status, 201, `${i}: ${r.text}`);
  }
});
after(async () => {
  if (srv) await srv.close();
});

// The expected counts, computed from answersOf alone.
function tally(keep = () => true) {
  const rs = [...Array(N).keys()].filter(keep).map(answersOf);
  const count = (f) => rs.filter(f).length;
  return {
    respondents: rs.length,
    group: Object.fromEntries(['a', 'b', 'c', 'd'].map((c) => [c, count((r) => r.group === c)])),
    groupOther: count((r) => typeof r.group === 'object'),
    groupNone: count((r) => r.group === undefined),
    needs: Object.fromEntries(['x', 'y', 'z'].map((c) => [c, count((r) => r.needs?.includes(c))])),
    needsNone: count((r) => !r.needs),
    safety: [1, 2, 3, 4, 5].map((v) => count((r) => r.safety === v)),
    safetyNone: count((r) => r.safety === undefined),
    age: rs.map((r) => r.age),
    spots: count((r) => r.spots),
    spotsA: count((r) => r.spots?.[0].geometry.coordinates === A),
    spotsB: count((r) => r.spots?.[0].geometry.coordinates === B),
  };
}

describe('publication settings (staff)', () => {
  test('defaults, checks of every member, roles', async () => {
    let r = await staff('GET', '/publication');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual({ ...r.json, updated: null }, {
      slug: SLUG, results: false, results_from: null, k: 5, snap: true, hex_size: 500, status: null,
      what_we_did: {}, links: [], public_questions: [], updated: null, updated_by: null });
    assertError(await staff('PUT', '/publication', { k: 2 }), 400, 'invalid_value', 'k');
    assertError(await staff('PUT', '/publication', { k: '5' }), 400, 'invalid_value', 'k');
    assertError(await staff('PUT', '/publication', { results: 'yes' }), 400, 'wrong_type', 'results');
    assertError(await staff('PUT', '/publication', { status: 'done' }), 400, 'invalid_value', 'status');
    assertError(await staff('PUT', '/publication', { results_from: '2026-13-01' }), 400, 'invalid_value', 'results_from');
    assertError(await staff('PUT', '/publication', { what_we_did: { de: 'x' } }), 400, 'unknown_field', 'what_we_did.de');
    assertError(await staff('PUT', '/publication', { what_we_did: { fi: 'x'.repeat(5001) } }), 400, 'too_long', 'what_we_did.fi');
    assertError(await staff('PUT', '/publication', { links: [{ url: 'javascript:alert(1)', title: T('x') }] }),
      400, 'invalid_value', 'links[0].url');
    assertError(await staff('PUT', '/publication', { links: [{ url: 'https://example.org' }] }), 400, 'missing_field', 'links[0].title');
    assertError(await staff('PUT', '/publication', { colour: 'red' }), 400, 'unknown_field', 'colour');
    assertError(await staff('PUT', '/publication', { k: 6 }, 'council'), 403, 'forbidden');
    assert.equal((await staff('GET', '/publication', undefined, 'council')).status, 200, 'council reads');
    assert.equal((await call('GET', `/api/v1/staff/surveys/${SLUG}/publication`)).status, 401);
  });

  test('results stay private until published, and from their date', async () => {
    assertError(await results(), 403, 'forbidden', 'results');
    assertError(await call('GET', '/api/v1/surveys/no-such-survey/results'), 404, 'not_found');
    let r = await staff('PUT', '/publication', { results: true, results_from: '2999-01-01' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.results_from, '2999-01-01');
    assertError(await results(), 403, 'forbidden', 'results');
    r = await staff('PUT', '/publication', {
      results_from: null, status: 'decided',
      what_we_did: { fi: 'Rakennamme suojatien.', sv: 'Vi bygger ett övergångsställe.', en: 'We are building a crossing.' },
      links: [{ url: 'https://example.org/paatos', title: T('Päätös') }] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.results, true, 'absent members keep their value');
    assert.equal(r.json.updated_by, 'planner');
    r = await results();
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.what_we_did.status, 'decided');
  });

  test('"what we did" is on the public definition, and its ETag follows it', async () => {
    let r = await call('GET', `/api/v1/surveys/${SLUG}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.what_we_did, {
      status: 'decided',
      text: { fi: 'Rakennamme suojatien.', sv: 'Vi bygger ett övergångsställe.', en: 'We are building a crossing.' },
      links: [{ url: 'https://example.org/paatos', title: T('Päätös') }],
      results: true });
    const etag = r.headers.get('etag');
    assert.equal((await call('GET', `/api/v1/surveys/${SLUG}`, { headers: { 'If-None-Match': etag } })).status, 304);
    r = await staff('PUT', '/publication', { status: 'implemented' });
    assert.equal(r.status, 200, r.text);
    r = await call('GET', `/api/v1/surveys/${SLUG}`, { headers: { 'If-None-Match': etag } });
    assert.equal(r.status, 200, 'a new status is a new ETag');
    assert.equal(r.json.what_we_did.status, 'implemented');
  });
});

describe('public results: every figure against the responses sent', () => {
  test('choices, scales, numbers and maps with counts below k suppressed', async () => {
    const r = await results();
    assert.equal(r.status, 200, r.text);
    const t = tally();
    const q = Object.fromEntries(r.json.questions.map((x) => [x.key, x]));
    assert.equal(r.json.k, K);
    assert.equal(r.json.respondents, N);
    assert.deepEqual(Object.keys(q), ['group', 'needs', 'bike', 'safety', 'age', 'comments', 'spots']);
    // group: a 20, b 13, c 3, d 1, other 2, none 1: four cells below k
    for (const c of q.group.choices) {
      if (isHidden(c.count) && c.count.secondary) continue;
      assert.deepEqual(c.count, expectCell(t.group[c.key]), `group ${c.key}`);
    }
    assert.deepEqual(q.group.other, expectCell(t.groupOther));
    assert.deepEqual(q.group.no_answer, expectCell(t.groupNone));
    assert.deepEqual(q.group.choices.map((c) => c.count), [20, 13, expectCell(3), expectCell(1)]);
    // needs: x 20, y 8, z 1; no answer: respondents without any
    assert.deepEqual(q.needs.choices.map((c) => c.count), [t.needs.x, t.needs.y, expectCell(t.needs.z)]);
    assert.deepEqual(q.needs.no_answer, expectCell(t.needsNone));
    // safety: 8 each of 1..4, 7 of 5, one no answer → that one is hidden,
    // and so is one more (else 40 − the rest would show it), and no mean
    assert.deepEqual(q.safety.no_answer, expectCell(t.safetyNone));
    const hidden = q.safety.distribution.filter((d) => isHidden(d.count));
    assert.equal(hidden.length, 1, 'one secondary in the distribution');
    assert.deepEqual(hidden[0].count, { suppressed: true, secondary: true });
    for (const d of q.safety.distribution) if (!isHidden(d.count)) assert.equal(d.count, t.safety[d.value - 1]);
    assert.equal(q.safety.mean, null, 'no mean beside a hidden cell');
    // age: 40 answers; median and mean from the numbers sent
    const ages = [...t.age].sort((x, y) => x - y);
    assert.equal(q.age.respondents, N);
    assert.equal(q.age.median, (ages[19] + ages[20]) / 2);
    assert.equal(q.age.mean, ages.reduce((s, x) => s + x, 0) / N);
    // spots: 14 respondents, 12 at A, 2 at B: per hexagon and district
    assert.equal(q.spots.respondents, t.spots);
    const cells = q.spots.hexagons.cells;
    assert.equal(cells.length, 2);
    assert.deepEqual(cells.map((c) => c.count).sort((x, y) => (isHidden(x) ? 1 : isHidden(y) ? -1 : 0)),
      [t.spotsA, expectCell(t.spotsB)]);
    assert.equal(q.spots.hexagons.size, 500);
    const shownDistricts = q.spots.districts.filter((d) => d.count !== 0);
    assert.equal(shownDistricts.length, 2, 'two districts with drawings');
    assert.deepEqual(shownDistricts.map((d) => d.count).sort((x, y) => (isHidden(x) ? 1 : isHidden(y) ? -1 : 0)),
      [t.spotsA, expectCell(t.spotsB)]);
    assert.equal(q.spots.features, null, 'not a public question');
  });

  test('ETag and 304; a new response is a new ETag', async () => {
    const r = await results();
    const etag = r.headers.get('etag');
    assert.ok(etag);
    assert.equal((await results('', { 'If-None-Match': etag })).status, 304);
    const again = await results();
    assert.equal(again.text, r.text, 'the same answer from the cache');
    const x = await call('POST', `/api/v1/surveys/${SLUG}/responses`, {
      body: { id: uuidOf(1000), version: 1, answers: { group: 'b', safety: 5 } } });
    assert.equal(x.status, 201, x.text);
    const after1 = await results('', { 'If-None-Match': etag });
    assert.equal(after1.status, 200);
    assert.equal(after1.json.respondents, N + 1);
  });

  test('public map questions: points snapped to their hexagon, only where k respondents are', async () => {
    let r = await staff('PUT', '/public', { questions: ['spots'] });
    assert.equal(r.status, 200, r.text);
    r = await results();
    const spots = r.json.questions.find((x) => x.key === 'spots');
    assert.equal(spots.features.snapped, true);
    assert.equal(spots.features.features.length, 1, 'the hexagon of 2 is not drawn');
    assert.equal(spots.features.features[0].properties.count, 12);
    const [lon, lat] = spots.features.features[0].geometry.coordinates;
    assert.ok(Math.abs(lon - A[0]) < 0.01 && Math.abs(lat - A[1]) < 0.01, 'the centre of A\'s hexagon');
    assert.ok(lon !== A[0] || lat !== A[1], 'not the point drawn');
    r = await staff('PUT', '/publication', { snap: false });
    assert.equal(r.status, 200, r.text);
    r = await results();
    const raw = r.json.questions.find((x) => x.key === 'spots');
    assert.equal(raw.features.snapped, false);
    assert.equal(raw.features.features.length, 14);
    // features=false: the same document without the drawings (the web page
    // draws only the hexagons), its own ETag; anything but true/false is a 400.
    const lean = await results('?features=false');
    assert.equal(lean.status, 200, lean.text);
    const leanSpots = lean.json.questions.find((x) => x.key === 'spots');
    assert.ok(!('features' in leanSpots), 'no features member');
    assert.deepEqual(leanSpots.hexagons, raw.hexagons);
    assert.equal(lean.json.respondents, r.json.respondents);
    assert.notEqual(lean.headers.get('etag'), r.headers.get('etag'));
    assert.ok(lean.text.length < r.text.length);
    assert.deepEqual((await results('?features=true')).json.questions, r.json.questions);
    const bad = await results('?features=yes');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'features');
    r = await results('?filter=group:a');
    assert.equal(r.json.questions.find((x) => x.key === 'spots').features, null, 'raw features only unfiltered');
    assert.equal((await staff('PUT', '/publication', { snap: true })).status, 200);
  });
});

describe('free text', () => {
  test('only approved texts are public; moderation changes the ETag', async () => {
    let r = await staff('GET', '/texts');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 9, '6 comments and 3 follow-ups');
    assert.deepEqual(r.json.counts, { pending: 9, approved: 0, rejected: 0 });
    const comment = r.json.texts.find((x) => x.text === 'kommentti 2');
    const why = r.json.texts.find((x) => x.text === 'syy 1');
    assert.match(comment.id, /^\d+\.comments$/);
    assert.match(why.id, /^\d+\.spots\.0\.why$/);
    assert.equal(why.followup, 'why');
    let pub = await results();
    const etag = pub.headers.get('etag');
    assert.deepEqual(pub.json.questions.find((x) => x.key === 'comments').texts, []);
    r = await staff('PUT', `/texts/${comment.id}`, { state: 'approved' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'approved');
    r = await staff('PUT', `/texts/${why.id}`, { state: 'approved' });
    assert.equal(r.status, 200, r.text);
    const other = (await staff('GET', '/texts?state=pending&question=comments')).json;
    assert.equal(other.total, 5);
    r = await staff('PUT', `/texts/${other.texts[0].id}`, { state: 'rejected' });
    assert.equal(r.status, 200, r.text);
    pub = await results('', { 'If-None-Match': etag });
    assert.equal(pub.status, 200, 'moderation is a new ETag');
    assert.deepEqual(pub.json.questions.find((x) => x.key === 'comments').texts, ['kommentti 2']);
    assert.deepEqual(pub.json.questions.find((x) => x.key === 'spots').texts, [{ followup: 'why', text: 'syy 1' }]);
    assert.equal((await results('?filter=group:a')).json.questions.find((x) => x.key === 'comments').texts,
      undefined, 'texts only without filters');
    assertError(await staff('PUT', '/texts/99999.comments', { state: 'approved' }), 404, 'not_found', 'id');
    assertError(await staff('PUT', '/texts/bad', { state: 'approved' }), 404, 'not_found', 'id');
    assertError(await staff('PUT', `/texts/${comment.id}`, { state: 'maybe' }), 400, 'invalid_value', 'state');
    assertError(await staff('PUT', `/texts/${comment.id}`, { state: 'approved' }, 'council'), 403, 'forbidden');
    assertError(await staff('GET', '/texts?state=all'), 400, 'invalid_parameter', 'state');
  });
});

describe('own answers by the resume token', () => {
  test('the token of a sent draft shows that response; others are 404', async () => {
    const r = await call('GET', `/api/v1/surveys/${SLUG}/mine/${draftToken}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, uuidOf(0));
    assert.equal(r.json.answers.group, 'a');
    assert.deepEqual(r.json.answers.needs, ['x', 'y']);
    assert.equal(r.json.answers.spots[0].geometry.type, 'Point');
    assert.deepEqual(r.json.answers.spots[0].answers, { why: 'syy 0' });
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assertError(await call('GET', `/api/v1/surveys/${SLUG}/mine/${'A'.repeat(43)}`), 404, 'not_found', 'token');
    assertError(await call('GET', `/api/v1/surveys/${SLUG}/mine/short`), 404, 'not_found', 'token');
  });
});

describe('filters', () => {
  test('a filtered view equals counts computed here', async () => {
    const r = await results('?filter=group:a');
    assert.equal(r.status, 200, r.text);
    const t = tally((i) => answersOf(i).group === 'a');
    assert.deepEqual(r.json.filter, { group: 'a' });
    assert.equal(r.json.respondents, t.respondents);
    const needs = r.json.questions.find((x) => x.key === 'needs');
    for (const c of needs.choices) if (!isHidden(c.count)) assert.equal(c.count, t.needs[c.key], c.key);
  });

  test('small groups, their complements and hidden cells cannot be filtered by', async () => {
    assertError(await results('?filter=group:d'), 400, 'invalid_parameter', 'filter');
    assertError(await results('?filter=group:c'), 400, 'invalid_parameter', 'filter');
    assertError(await results('?filter=needs:z'), 400, 'invalid_parameter', 'filter');
    assertError(await results('?filter=group:e'), 400, 'invalid_parameter', 'filter');
    assertError(await results('?filter=nothing:a'), 400, 'invalid_parameter', 'filter');
    assertError(await results('?filter=age:30'), 400, 'invalid_parameter', 'filter');
    assertError(await results('?filter=group:a,needs:x,safety:1'), 400, 'invalid_parameter', 'filter');
    assertError(await results('?district=nowhere'), 400, 'invalid_parameter', 'district');
    assertError(await results('?colour=red'), 400, 'unknown_parameter');
  });
});

// ---- the attack ----

// Every number the API publishes in a view, by a path naming it, with the
// suppressed ones as null.
function figures(json) {
  const out = new Map();
  const put = (k, v) => out.set(k, isHidden(v) ? null : v);
  put('respondents', json.respondents);
  for (const q of json.questions) {
    if (q.respondents !== undefined) put(`${q.key}.respondents`, q.respondents);
    if (q.no_answer !== undefined) put(`${q.key}.no_answer`, q.no_answer);
    if (q.other !== undefined) put(`${q.key}.other`, q.other);
    for (const c of q.choices || []) put(`${q.key}.${c.key}`, c.count);
    for (const d of q.distribution || []) put(`${q.key}.${d.value}`, d.count);
    for (const d of q.districts || []) put(`${q.key}.district.${d.code}`, d.count);
    for (const c of q.hexagons?.cells || []) put(`${q.key}.hex.${c.q},${c.r}`, c.count);
  }
  return out;
}
// The tables whose cells add up to the view's respondents.
const PARTITIONS = [
  ['group.a', 'group.b', 'group.c', 'group.d', 'group.other', 'group.no_answer'],
  ['bike.yes', 'bike.no', 'bike.other', 'bike.no_answer'],
  ['safety.1', 'safety.2', 'safety.3', 'safety.4', 'safety.5', 'safety.no_answer'],
  ['age.respondents', '@age.none'], ['comments.respondents', '@comments.none'],
  ['spots.respondents', '@spots.none'],
];

describe('ATTACK: singling out one respondent', () => {
  test('no combination of published views gives a group of 1 to k − 1', async () => {
    // Every filter the adversary can think of, alone and in pairs, with
    // and without the districts.
    const single = [];
    for (const c of ['a', 'b', 'c', 'd', 'e']) single.push(`group:${c}`);
    for (const c of ['x', 'y', 'z']) single.push(`needs:${c}`);
    for (const c of ['yes', 'no']) single.push(`bike:${c}`);
    for (const v of [1, 2, 3, 4, 5]) single.push(`safety:${v}`);
    const base = await results();
    const districts = base.json.questions.find((x) => x.key === 'spots').districts.map((d) => d.code);
    const conds = [...single.map((f) => ({ filter: [f] })), ...districts.map((d) => ({ district: d }))];
    const views = [{ filter: [] }, ...conds];
    for (let i = 0; i < single.length; i++) {
      for (let j = i + 1; j < single.length; j++) views.push({ filter: [single[i], single[j]] });
      for (const d of districts) views.push({ filter: [single[i]], district: d });
    }
    const key = (v) => [...(v.filter || [])].sort().join(',') + (v.district ? `|${v.district}` : '');
    const got = new Map();
    let refused = 0;
    for (const v of views) {
      const qs = new URLSearchParams();
      if (v.filter?.length) qs.set('filter', v.filter.join(','));
      if (v.district) qs.set('district', v.district);
      const r = await results(qs.size ? `?${qs}` : '');
      if (r.status === 400) {
        refused++;
        continue;
      }
      assert.equal(r.status, 200, r.text);
      got.set(key(v), figures(r.json));
    }
    assert.ok(got.size > 20, `${got.size} views published`);
    assert.ok(refused > 20, `${refused} views refused`);
    const small = (n) => n !== null && n !== undefined && n > 0 && n < K;
    const leaks = [];
    // 1. no published figure is itself from 1 to k − 1
    for (const [v, f] of got) for (const [p, n] of f) if (small(n)) leaks.push(`${v} ${p} = ${n}`);
    // 2. a hidden cell is not the total minus the others
    for (const [v, f] of got) {
      for (const part of PARTITIONS) {
        const vals = part.map((p) => (p.startsWith('@') ? null : f.get(p)));
        const hidden = vals.filter((x) => x === null).length;
        if (hidden === 1 && f.get('respondents') !== null) {
          const rest = vals.reduce((s, x) => s + (x ?? 0), 0);
          const rec = f.get('respondents') - rest;
          if (part.some((p) => p.startsWith('@'))) {
            if (small(rec)) leaks.push(`${v} ${part[0]}: no answer ${rec} = total − answered`);
          } else if (small(rec)) leaks.push(`${v} ${part.join('+')}: recovered ${rec}`);
        }
      }
    }
    // 2b. the same with bounds: a hidden cell is at most what everyone's
    // view shows for it; an interval of one value gives it away
    const everyone = got.get('');
    for (const [v, f] of got) {
      if (!v) continue;
      for (const part of PARTITIONS) {
        if (part.some((p) => p.startsWith('@'))) continue;
        const total = f.get('respondents');
        const vals = part.map((p) => f.get(p));
        if (total === null || !vals.some((x) => x === null)) continue;
        const ub = part.map((p) => everyone.get(p) ?? total);
        const rem = total - vals.reduce((s2, x) => s2 + (x ?? 0), 0);
        vals.forEach((x, h) => {
          if (x !== null) return;
          const others = vals.reduce((s2, y, o) => s2 + (o !== h && y === null ? ub[o] : 0), 0);
          const lo = Math.max(0, rem - others), hi = Math.min(ub[h], rem);
          if (lo === hi && small(lo)) leaks.push(`${v} ${part[h]}: bounded to ${lo}`);
          if (lo === hi && lo > 0) {
            const all = everyone.get(part[h]);
            if (all !== null && small(all - lo)) leaks.push(`${v} ${part[h]}: ${all} − ${lo} outside the view`);
          }
        });
      }
    }
    // 3. differences: a view against every view with fewer conditions,
    // and a filter's group against the cells of the view without it
    const parse = (k) => {
      const [f, d] = k.split('|');
      return { filter: f ? f.split(',') : [], district: d };
    };
    for (const [v, f] of got) {
      const pv = parse(v);
      const parents = [];
      for (const [w, g] of got) {
        const pw = parse(w);
        if (w === v) continue;
        const sub = pw.filter.every((x) => pv.filter.includes(x)) && (!pw.district || pw.district === pv.district);
        if (sub) parents.push([w, g]);
      }
      for (const [w, g] of parents) {
        for (const [p, n] of f) {
          const m = g.get(p);
          if (n !== null && n !== undefined && m !== null && m !== undefined && small(m - n)) {
            leaks.push(`${w} − ${v} at ${p}: ${m} − ${n}`);
          }
        }
      }
      // inclusion–exclusion with two filters: neither a nor b
      if (pv.filter.length === 2 && !pv.district) {
        const [a, b] = pv.filter;
        const fa = got.get(a), fb = got.get(b), all = got.get('');
        if (fa && fb && all) {
          for (const [p, n] of f) {
            const x = [all.get(p), fa.get(p), fb.get(p)];
            if (n === null || x.some((y) => y === null || y === undefined)) continue;
            const neither = x[0] - x[1] - x[2] + n;
            if (small(neither)) leaks.push(`neither ${a} nor ${b} at ${p}: ${neither}`);
          }
        }
      }
    }
    // 4. the complement of every view
    const all = got.get('');
    for (const [v, f] of got) {
      const n = f.get('respondents'), m = all.get('respondents');
      if (v && small(m - n)) leaks.push(`complement of ${v}: ${m - n}`);
    }
    // 5. a filter's group equals a cell of the view without it: that cell
    // must have been shown there (else filtering would reveal it)
    for (const [v, f] of got) {
      const pv = parse(v);
      for (const cond of pv.filter) {
        const rest = key({ filter: pv.filter.filter((x) => x !== cond), district: pv.district });
        const g = got.get(rest);
        const [q, val] = cond.split(':');
        if (g && g.get(`${q}.${val}`) === null) leaks.push(`${v} reveals the hidden ${q}.${val} of view '${rest}'`);
      }
    }
    assert.deepEqual(leaks, [], 'the adversary learns no group of 1 to k − 1');
  });

  test('the lone respondent of group d is invisible in every published view', async () => {
    // Respondent 36 is the only "d". Every view the API gives must show
    // the d cell as hidden or 0, and differences must not isolate it.
    for (const q of ['', '?filter=needs:x', '?filter=safety:2', '?filter=group:b', '?filter=needs:x,safety:2']) {
      const r = await results(q);
      if (r.status === 400) continue;
      const d = r.json.questions.find((x) => x.key === 'group').choices.find((c) => c.key === 'd');
      assert.ok(isHidden(d.count) || d.count === 0, `${q}: ${JSON.stringify(d.count)}`);
    }
  });
});
