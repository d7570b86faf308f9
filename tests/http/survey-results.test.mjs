// Survey results for staff (issue 12, part A; docs/survey-results.md):
// every figure of GET /api/v1/staff/surveys/{slug}/results checked against
// counts computed here, independently, from the raw rows of the database
// (survey_response, survey_answer, survey_feature read with sqlite3), with
// and without cross-filters; a response and a draft sent through the API
// move the figures; bad filters are 400 naming the parameter; the CSV
// repeats the JSON's figures and GDAL opens the GeoPackage.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, repoRoot, startServer, tempDir, vaikutaCli } from '../lib/server.mjs';

const PER_SURVEY = 150;
const SCHOOL = 'turvallinen-koulutie';
const BUDGET = 'lahiympariston-parannukset';
const PART = 'miten-haluat-osallistua';
const defs = Object.fromEntries([['safe-route-to-school', SCHOOL], ['neighbourhood-geobudget', BUDGET], ['how-to-take-part', PART]]
  .map(([file, slug]) => [slug, JSON.parse(readFileSync(path.join(repoRoot, 'seeds/surveys', `${file}.json`), 'utf8'))]));

let srv;
let db;

// ---- the raw rows ----

function sql(query) {
  const out = execFileSync('sqlite3', ['-json', '-cmd', '.load mod_spatialite', db, query], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.trim() ? JSON.parse(out) : [];
}

function raw(slug) {
  const [{ id }] = sql(`SELECT id FROM survey WHERE slug = '${slug}'`);
  const responses = sql(`SELECT id, uuid, language, submitted_at, seconds_taken FROM survey_response WHERE survey_id = ${id} ORDER BY id`);
  const answers = sql(`SELECT a.response_id, a.question, a.value, a.skipped FROM survey_answer a JOIN survey_response r ON r.id = a.response_id WHERE r.survey_id = ${id}`);
  const features = sql(`SELECT f.id, f.response_id, f.question, f.idx, f.located, d.code, f.place, f.item, f.answers,
      GeometryType(f.geom) AS gtype,
      CASE WHEN GeometryType(f.geom) = 'POINT' THEN X(ST_Transform(f.geom, 3067)) END AS x,
      CASE WHEN GeometryType(f.geom) = 'POINT' THEN Y(ST_Transform(f.geom, 3067)) END AS y
    FROM survey_feature f LEFT JOIN district d ON d.id = f.district_id WHERE f.survey_id = ${id} ORDER BY f.id`);
  const [{ drafts }] = sql(`SELECT count(*) AS drafts FROM survey_draft WHERE survey_id = ${id}`);
  const byResp = new Map(responses.map((r) => [r.id, { ...r, answers: {}, skipped: {}, features: [] }]));
  for (const a of answers) {
    const r = byResp.get(a.response_id);
    if (a.skipped) r.skipped[a.question] = true;
    else r.answers[a.question] = JSON.parse(a.value);
  }
  for (const f of features) {
    f.answers = JSON.parse(f.answers);
    byResp.get(f.response_id)?.features.push(f);
  }
  return { resps: [...byResp.values()], drafts };
}

// ---- the figures, computed here ----

const elements = (def) => def.pages.flatMap((p) => p.elements);
const isQuestion = (e) => !['info', 'section'].includes(e.type);
const isMap = (e) => e.type.startsWith('map-') || e.type === 'geobudget';
const lowerMedian = (v) => { const s = [...v].sort((a, b) => a - b); return s.length ? s[(s.length - 1) >> 1] : null; };
const mean = (v) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
const days = (d) => Math.round(Date.parse(`${d}T00:00:00Z`) / 86400000);
const personal = (def) => new Set(elements(def).flatMap((e) => e.personal || []));
const keysOf = (def, el) => {
  if (el.type === 'place-choice') return el.places || def.places.map((p) => p.key);
  if (el.type === 'matrix') return el.rows.map((r) => r.key);
  if (el.type === 'budget' || el.type === 'geobudget') return el.items.map((i) => i.key);
  return (el.choices || []).map((c) => c.key);
};

// A value's state: 'skip', 'none' or 'answered'.
function state(el, v, flagged) {
  if (flagged) return 'skip';
  if (v === undefined || v === null) return 'none';
  if (v === 'skip' && el.allow_skip) return 'skip';
  return 'answered';
}

// rows: [{resp (index), v (the value), flagged}] of one question, in respondent order.
function figures(def, el, rows) {
  const out = { n: 0, skipped: 0 };
  const answered = rows.filter((r) => state(el, r.v, r.flagged) === 'answered');
  const distinct = (list) => new Set(list.map((r) => r.resp)).size;
  out.n = distinct(answered);
  out.skipped = distinct(rows.filter((r) => state(el, r.v, r.flagged) === 'skip'));
  out.features = answered.length;
  const keys = keysOf(def, el);
  if (['single-choice', 'multi-choice', 'place-choice'].includes(el.type)) {
    const picks = (v) => (Array.isArray(v) ? v : [v]);
    out.choices = Object.fromEntries(keys.map((k) => [k, distinct(answered.filter((r) => picks(r.v).includes(k)))]));
    out.other = distinct(answered.filter((r) => picks(r.v).some((p) => typeof p === 'object')));
    out.picks = answered.reduce((s, r) => s + picks(r.v).length, 0);
  } else if (el.type === 'scale' || el.type === 'number') {
    const v = answered.map((r) => r.v);
    out.mean = mean(v);
    out.median = lowerMedian(v);
    out.values = v;
    out.dist = {};
    for (const r of answered) (out.dist[r.v] ||= new Set()).add(r.resp);
  } else if (el.type === 'ranking') {
    out.items = Object.fromEntries(keys.map((k, i) => {
      const places = answered.map((r) => r.v.indexOf(k)).filter((p) => p >= 0);
      const ranks = keys.map((_, p) => places.filter((x) => x === p).length);
      return [k, { n: distinct(answered.filter((r) => r.v.includes(k))), ranks,
        borda: places.reduce((s, p) => s + keys.length - 1 - p, 0), mean_rank: places.length ? mean(places.map((p) => p + 1)) : null }];
    }));
  } else if (el.type === 'matrix') {
    out.rows = Object.fromEntries(keys.map((row) => [row, Object.fromEntries(el.columns.map((c) => [c.key,
      distinct(answered.filter((r) => r.v[row] === c.key))]))]));
  } else if (el.type === 'date') {
    out.median = lowerMedian(answered.map((r) => days(r.v)));
    out.dist = {};
    for (const r of answered) (out.dist[r.v] ||= new Set()).add(r.resp);
  } else if (el.type === 'budget') {
    out.items = Object.fromEntries(el.items.map((it) => {
      const units = answered.reduce((s, r) => s + (r.v[it.key] || 0), 0);
      return [it.key, { n: distinct(answered.filter((r) => r.v[it.key] > 0)), count: units, amount: units * it.cost }];
    }));
  } else if (el.type === 'text') {
    out.texts = answered.length;
  }
  return out;
}

// The greedy basket: most chosen first, definition order on ties, each once if it fits.
function basket(el, items) {
  const order = el.items.map((it, i) => ({ ...it, i, n: items[it.key].n })).sort((a, b) => b.n - a.n || a.i - b.i);
  let left = el.total;
  const chosen = [];
  for (const it of order) if (it.n > 0 && it.cost <= left) { left -= it.cost; chosen.push(it.key); }
  return chosen;
}

// opts: keep(resp) → boolean; districts: Set of codes or null.
function expected(slug, { keep = () => true, districts = null } = {}) {
  const def = defs[slug];
  const { resps, drafts } = raw(slug);
  const pers = personal(def);
  const inDistricts = (f) => !districts || districts.has(f.code);
  let kept = resps.filter((r) => keep(r));
  if (districts) kept = kept.filter((r) => r.features.some(inDistricts));
  const index = new Map(kept.map((r, i) => [r.id, i]));
  const feats = kept.flatMap((r) => r.features.filter(inDistricts).map((f) => ({ ...f, resp: index.get(r.id) })));
  const timeline = {};
  for (const r of kept) timeline[r.submitted_at.slice(0, 10)] = (timeline[r.submitted_at.slice(0, 10)] || 0) + 1;
  const respOf = new Map();
  for (const f of feats) respOf.set(f.resp, (respOf.get(f.resp) || false) || f.located !== 'geometry');
  const summary = {
    n: kept.length, total: resps.length, drafts,
    seconds: { n: kept.filter((r) => r.seconds_taken !== null).length, median: lowerMedian(kept.filter((r) => r.seconds_taken !== null).map((r) => r.seconds_taken)) },
    languages: Object.fromEntries(['fi', 'sv', 'en'].map((l) => [l, kept.filter((r) => r.language === l).length])),
    without_map: { of: respOf.size, n: [...respOf.values()].filter(Boolean).length },
    timeline,
  };
  const questions = {};
  for (const el of elements(def).filter(isQuestion)) {
    if (pers.has(el.key)) { questions[el.key] = { personal: true }; continue; }
    if (!isMap(el)) {
      questions[el.key] = figures(def, el, kept.map((r, i) => ({ resp: i, v: r.answers[el.key], flagged: r.skipped[el.key] })));
      continue;
    }
    const mine = feats.filter((f) => f.question === el.key);
    const q = { n: new Set(mine.map((f) => f.resp)).size, features: mine.length,
      skipped: kept.filter((r) => r.skipped[el.key]).length,
      located: Object.fromEntries(['geometry', 'district', 'place', 'words'].map((w) => [w, mine.filter((f) => f.located === w).length])),
      without_map: new Set(mine.filter((f) => f.located !== 'geometry').map((f) => f.resp)).size,
      districts: {}, places: {}, followups: {}, mine };
    for (const f of mine) {
      const d = (q.districts[f.code ?? ''] ||= { features: 0, resps: new Set() });
      d.features++; d.resps.add(f.resp);
      if (f.located === 'place') { const p = (q.places[f.place] ||= { features: 0, resps: new Set() }); p.features++; p.resps.add(f.resp); }
    }
    for (const fu of el.followups || []) q.followups[fu.key] = figures(def, fu, mine.map((f) => ({ resp: f.resp, v: f.answers[fu.key] })));
    if (el.type === 'geobudget') {
      q.items = Object.fromEntries(el.items.map((it) => {
        const placed = mine.filter((f) => f.item === it.key);
        return [it.key, { n: new Set(placed.map((f) => f.resp)).size, count: placed.length, amount: placed.length * it.cost }];
      }));
    }
    questions[el.key] = q;
  }
  return { def, summary, questions };
}

// ---- comparing ----

const close = (a, b, what) => {
  if (a === null || b === null || a === undefined || b === undefined) return assert.equal(a ?? null, b ?? null, what);
  assert.ok(Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(b)), `${what}: ${a} ≠ ${b}`);
};

function checkQuestion(def, el, got, exp, where) {
  const w = `${where} ${el.key}`;
  assert.equal(got.n, exp.n, `${w} n`);
  if (exp.features !== undefined && got.features !== undefined) assert.equal(got.features, exp.features, `${w} features`);
  if (['single-choice', 'multi-choice', 'place-choice'].includes(el.type)) {
    assert.deepEqual(Object.fromEntries(got.choices.map((c) => [c.key, c.n])), exp.choices, `${w} choices`);
    for (const c of got.choices) close(c.share, exp.n ? exp.choices[c.key] / exp.n : null, `${w} share ${c.key}`);
    if (el.other) assert.equal(got.other.n, exp.other, `${w} other`);
    if (el.type !== 'single-choice') assert.equal(got.picks, exp.picks, `${w} picks`);
  } else if (el.type === 'scale') {
    close(got.mean, exp.mean, `${w} mean`);
    assert.equal(got.median, exp.median, `${w} median`);
    assert.equal(got.distribution.length, el.max - el.min + 1, `${w} every value`);
    for (const d of got.distribution) assert.equal(d.n, exp.dist[d.value]?.size ?? 0, `${w} value ${d.value}`);
  } else if (el.type === 'number') {
    close(got.mean, exp.mean, `${w} mean`);
    assert.equal(got.median, exp.median, `${w} median`);
    if (exp.values.length) {
      assert.equal(got.min_value, Math.min(...exp.values), `${w} min`);
      assert.equal(got.max_value, Math.max(...exp.values), `${w} max`);
      for (const b of got.distribution) {
        const last = b === got.distribution.at(-1);
        const inBin = new Set(exp.values.map((v, i) => [v, i]).filter(([v]) => v >= b.from && (v < b.to || (last && v <= b.to))).map(([, i]) => i));
        assert.ok(b.n <= inBin.size, `${w} bin ${b.from}`);
      }
      assert.ok(got.distribution.reduce((s, b) => s + b.n, 0) >= exp.n, `${w} every answer in a bin`);
    }
  } else if (el.type === 'ranking') {
    for (const it of got.items) {
      const e = exp.items[it.key];
      assert.equal(it.n, e.n, `${w} ${it.key} n`);
      assert.deepEqual(it.ranks, e.ranks, `${w} ${it.key} ranks`);
      assert.equal(it.borda, e.borda, `${w} ${it.key} borda`);
      close(it.mean_rank, e.mean_rank, `${w} ${it.key} mean rank`);
    }
  } else if (el.type === 'matrix') {
    for (const row of got.rows) for (const c of row.cells) assert.equal(c.n, exp.rows[row.key][c.column], `${w} ${row.key}/${c.column}`);
  } else if (el.type === 'date') {
    assert.equal(got.median ? days(got.median) : null, exp.median, `${w} median`);
    assert.deepEqual(Object.fromEntries(got.distribution.map((d) => [d.value, d.n])),
      Object.fromEntries(Object.entries(exp.dist).sort().map(([k, v]) => [k, v.size])), `${w} days`);
  } else if (el.type === 'budget') {
    for (const it of got.items) {
      const e = exp.items[it.key];
      assert.equal(it.n, e.n, `${w} ${it.key} n`);
      assert.equal(it.count, e.count, `${w} ${it.key} count`);
      assert.equal(it.amount, e.amount, `${w} ${it.key} amount`);
      close(it.mean_amount, exp.n ? e.amount / exp.n : null, `${w} ${it.key} mean amount`);
    }
    assert.deepEqual(got.basket.items, basket(el, exp.items), `${w} basket`);
    assert.equal(got.basket.method, 'greedy-by-frequency');
  } else if (el.type === 'text') {
    assert.equal(got.texts.length, Math.min(exp.texts, 100), `${w} texts listed`);
  }
}

function checkMap(def, el, got, exp, where) {
  const w = `${where} ${el.key}`;
  assert.equal(got.n, exp.n, `${w} n`);
  assert.equal(got.features, exp.features, `${w} features`);
  assert.equal(got.skipped, exp.skipped, `${w} skipped`);
  assert.deepEqual(got.located, exp.located, `${w} located`);
  assert.equal(got.without_map.n, exp.without_map, `${w} without map`);
  assert.deepEqual(Object.fromEntries(got.districts.map((d) => [d.code ?? '', [d.n, d.features]])),
    Object.fromEntries(Object.entries(exp.districts).map(([k, v]) => [k, [v.resps.size, v.features]])), `${w} districts`);
  assert.deepEqual(Object.fromEntries(got.places.map((p) => [p.key, [p.n, p.features]])),
    Object.fromEntries(Object.entries(exp.places).map(([k, v]) => [k, [v.resps.size, v.features]])), `${w} places`);
  // The grid holds every feature drawn; points in the cell computed here.
  const drawn = exp.mine.filter((f) => f.gtype);
  assert.equal(got.hex.cells.reduce((s, c) => s + c.features, 0), drawn.length, `${w} every drawn feature in a cell`);
  if (el.type === 'map-point' || el.type === 'geobudget') {
    const cells = {};
    for (const f of drawn) {
      const [q, r] = hexCell(f.x, f.y, got.hex.size);
      const c = (cells[`${q}/${r}`] ||= { features: 0, resps: new Set() });
      c.features++; c.resps.add(f.resp);
    }
    assert.deepEqual(Object.fromEntries(got.hex.cells.map((c) => [`${c.q}/${c.r}`, [c.n, c.features]])),
      Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, [v.resps.size, v.features]])), `${w} cells`);
  }
  for (const fu of el.followups || []) {
    const g = got.followups.find((x) => x.key === fu.key);
    checkQuestion(def, fu, g, exp.followups[fu.key], `${w} follow-up`);
    assert.equal(g.by_district.reduce((s, d) => s + d.features, 0), g.features, `${w} ${fu.key} per district adds up`);
  }
  if (el.type === 'geobudget') {
    for (const it of got.items) {
      assert.equal(it.n, exp.items[it.key].n, `${w} ${it.key} n`);
      assert.equal(it.count, exp.items[it.key].count, `${w} ${it.key} count`);
      assert.equal(it.amount, exp.items[it.key].amount, `${w} ${it.key} amount`);
    }
    assert.deepEqual(got.basket.items, basket(el, exp.items), `${w} basket`);
  }
}

// gis/hex.c's grid, written again: pointy-top axial cells of area size².
function hexCell(x, y, size) {
  const side = size * Math.sqrt(2 / (3 * Math.sqrt(3)));
  const fq = (Math.sqrt(3) / 3 * x - y / 3) / side;
  const fr = (2 / 3 * y) / side;
  const fs = -fq - fr;
  const rnd = (v) => Math.sign(v) * Math.round(Math.abs(v));
  let rq = rnd(fq); let rr = rnd(fr); const rs = rnd(fs);
  const dq = Math.abs(rq - fq); const dr = Math.abs(rr - fr); const ds = Math.abs(rs - fs);
  if (dq > dr && dq > ds) rq = -rr - rs;
  else if (dr > ds) rr = -rq - rs;
  return [rq, rr];
}

function checkAll(got, exp, where) {
  const s = exp.summary;
  assert.equal(got.n, s.n, `${where} n`);
  assert.equal(got.total, s.total, `${where} total`);
  assert.equal(got.summary.n, s.n);
  assert.equal(got.summary.completion.drafts, s.drafts, `${where} drafts`);
  close(got.summary.completion.rate, s.total / (s.total + s.drafts), `${where} completion`);
  assert.equal(got.summary.seconds.n, s.seconds.n, `${where} seconds n`);
  assert.equal(got.summary.seconds.median, s.seconds.median, `${where} median seconds`);
  assert.deepEqual(Object.fromEntries(got.summary.languages.map((l) => [l.key, l.n])), s.languages, `${where} languages`);
  assert.equal(got.summary.without_map.of, s.without_map.of, `${where} map answered`);
  assert.equal(got.summary.without_map.n, s.without_map.n, `${where} without map`);
  assert.deepEqual(Object.fromEntries(got.timeline.map((d) => [d.date, d.n])), Object.fromEntries(Object.entries(s.timeline).sort()), `${where} timeline`);
  const els = elements(exp.def).filter(isQuestion);
  assert.deepEqual(got.questions.map((q) => q.key), els.map((e) => e.key), `${where} every question in order`);
  for (const el of els) {
    const g = got.questions.find((q) => q.key === el.key);
    const e = exp.questions[el.key];
    if (e.personal) { assert.deepEqual(Object.keys(g).sort(), ['key', 'personal', 'text', 'type'], `${where} ${el.key} personal`); continue; }
    assert.equal(g.type, el.type);
    assert.equal(g.skipped, e.skipped, `${where} ${el.key} skipped`);
    if (isMap(el)) checkMap(exp.def, el, g, e, where);
    else checkQuestion(exp.def, el, g, e, where);
  }
}

const results = (slug, query = '', opts = {}) => call(srv, 'GET', `/api/v1/staff/surveys/${slug}/results${query ? `?${query}` : ''}`, { token: 'planner', ...opts });

before(async () => {
  const dir = tempDir();
  db = path.join(dir, 'test.sqlite');
  vaikutaCli(['init', '--db', db, '--demo', '--demo-responses', String(PER_SURVEY)]);
  srv = await startServer({ dir, db, demo: false,
    tokens: [{ name: 'planner', role: 'planner' }, { name: 'council', role: 'council' }, { name: 'moderator', role: 'moderator' }] });
});
after(async () => { await srv?.close(); });

describe('every figure against the raw rows', () => {
  for (const slug of [SCHOOL, BUDGET, PART]) {
    test(`${slug}: no filter`, async () => {
      const r = await results(slug);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.slug, slug);
      assert.equal(r.json.size, 250);
      checkAll(r.json, expected(slug), `${slug}`);
    });
  }

  test('choice and scale filters narrow every figure at once', async () => {
    const r = await results(SCHOOL, 'filter=mode:walk|_other,feel_safe:3..5');
    assert.equal(r.status, 200, r.text);
    const keep = (x) => (x.answers.mode === 'walk' || typeof x.answers.mode === 'object') && x.answers.feel_safe >= 3 && x.answers.feel_safe <= 5;
    const exp = expected(SCHOOL, { keep });
    assert.ok(exp.summary.n > 5 && exp.summary.n < exp.summary.total, 'the filter keeps some and drops some');
    checkAll(r.json, exp, 'mode+feel_safe');
    assert.deepEqual(r.json.filter.conditions, [{ question: 'mode', values: ['walk', '_other'] }, { question: 'feel_safe', from: 3, to: 5 }]);
  });

  test('a district narrows respondents and the features counted', async () => {
    const [{ code }] = sql(`SELECT d.code FROM survey_feature f JOIN district d ON d.id = f.district_id JOIN survey s ON s.id = f.survey_id
      WHERE s.slug = '${SCHOOL}' GROUP BY d.code ORDER BY count(*) DESC LIMIT 1`);
    const r = await results(SCHOOL, `district=${code}`);
    assert.equal(r.status, 200, r.text);
    const exp = expected(SCHOOL, { districts: new Set([code]) });
    assert.ok(exp.summary.n > 0 && exp.summary.n < exp.summary.total);
    checkAll(r.json, exp, `district ${code}`);
    for (const q of r.json.questions.filter((x) => x.districts)) assert.ok(q.districts.every((d) => d.code === code), 'only that district');
  });

  test('dates, a place choice and skips', async () => {
    const { resps } = raw(BUDGET);
    const mid = resps[resps.length >> 1].submitted_at.slice(0, 10);
    const r = await results(BUDGET, `from=${mid}&filter=favourite_spot:huvikumpu|_skip`);
    assert.equal(r.status, 200, r.text);
    const keep = (x) => x.submitted_at.slice(0, 10) >= mid && ((x.answers.favourite_spot || []).includes('huvikumpu') || !!x.skipped.favourite_spot);
    checkAll(r.json, expected(BUDGET, { keep }), 'from+place');
    const to = await results(PART, `to=${mid}&filter=news_ok:true,influence:..3`);
    assert.equal(to.status, 200, to.text);
    checkAll(to.json, expected(PART, { keep: (x) => x.submitted_at.slice(0, 10) <= mid && x.answers.news_ok === true && x.answers.influence <= 3 }), 'to+consent+range');
  });

  test('question= gives one question, its follow-ups per hexagon adding up', async () => {
    const r = await results(SCHOOL, 'question=unsafe_spots&size=500&texts=3');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.questions.map((q) => q.key), ['unsafe_spots']);
    const q = r.json.questions[0];
    assert.equal(q.hex.size, 500);
    for (const fu of q.followups) {
      const drawn = fu.by_hex.reduce((s, c) => s + c.features, 0);
      assert.ok(drawn <= fu.features && drawn > 0, `${fu.key} per hexagon`);
      for (const c of fu.by_hex) assert.ok(q.hex.cells.some((h) => h.q === c.q && h.r === c.r), 'the same cells');
      if (fu.type === 'text') assert.equal(fu.texts.length, 3, 'texts= caps the list');
      if (fu.type === 'multi-choice') for (const d of fu.by_district) assert.ok(Object.values(d.choices).every((n) => n <= d.n));
    }
    const none = await results(SCHOOL, 'size=0');
    assert.ok(none.json.questions.filter((x) => x.located).every((x) => !x.hex), 'size=0: no grids');
  });
});

describe('new answers move the figures', () => {
  test('a response sent through the API is counted at once; ETag and 304', async () => {
    const first = await results(PART);
    const etag = first.headers.get('etag');
    assert.ok(etag, 'an ETag');
    const again = await results(PART, '', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    const [{ version }] = sql(`SELECT version FROM survey WHERE slug = '${PART}'`);
    const body = { id: '7e1f0b36-5d5c-4d0f-9f7a-2c1f1e7e1f99', version, language: 'sv',
      answers: { age_group: 'under_18', ways_now: ['walk', { other: 'Skolans enkät' }], influence: 5, topics: ['culture', 'planning'] } };
    const post = await call(srv, 'POST', `/api/v1/surveys/${PART}/responses`, { body });
    assert.equal(post.status, 201, post.text);
    const draft = await call(srv, 'POST', `/api/v1/surveys/${PART}/drafts`, { body: { id: '7e1f0b36-5d5c-4d0f-9f7a-2c1f1e7e1f98', version, language: 'fi', page: 0, answers: {} } });
    assert.equal(draft.status, 201, draft.text);
    const after1 = await results(PART, '', { headers: { 'If-None-Match': etag } });
    assert.equal(after1.status, 200, 'the stamp moved');
    assert.equal(after1.json.total, first.json.total + 1);
    checkAll(after1.json, expected(PART), 'after a response');
    assert.equal(after1.json.summary.completion.drafts, first.json.summary.completion.drafts + 1);
    const mine = await results(PART, 'filter=age_group:under_18,ways_now:_other');
    const texts = mine.json.questions.find((q) => q.key === 'ways_now').other.texts;
    assert.ok(texts.some((t) => t.text === 'Skolans enkät' && t.response === body.id && t.language === 'sv' && t.moderation === null));
  });
});

describe('refusals', () => {
  const bad = [
    ['filter=mode:boat', 'filter'], ['filter=nope:1', 'filter'], ['filter=route:1', 'filter'], ['filter=mode', 'filter'],
    ['filter=feel_safe:5..1', 'filter'], ['filter=feel_safe:x', 'filter'], ['filter=mode:walk,mode:bike', 'filter'],
    ['filter=why_unsafe:traffic', 'filter'], ['district=nowhere', 'district'], ['from=2026-02-30', 'from'], ['to=tomorrow', 'to'],
    ['from=2026-12-02&to=2026-12-01', 'to'], ['size=10', 'size'], ['size=abc', 'size'], ['texts=-1', 'texts'], ['question=nope', 'question'],
  ];
  for (const [query, field] of bad) {
    test(`${query} → 400 naming ${field}`, async () => {
      const r = await results(SCHOOL, query);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.field, field);
    });
  }
  test('unknown parameters, unknown surveys, roles', async () => {
    assert.equal((await results(SCHOOL, 'colour=red')).json.error.code, 'unknown_parameter');
    assert.equal((await results('no-such-survey')).status, 404);
    assert.equal((await results(SCHOOL, '', { token: 'council' })).status, 200, 'council reads');
    assert.equal((await results(SCHOOL, '', { token: 'moderator' })).status, 403, 'moderators do not');
    assert.equal((await call(srv, 'GET', `/api/v1/staff/surveys/${SCHOOL}/results`)).status, 401);
    const hex = await call(srv, 'GET', `/api/v1/staff/surveys/${SCHOOL}/results/hex.geojson?question=mode`, { token: 'planner' });
    assert.equal(hex.status, 400);
    assert.equal(hex.json.error.field, 'question');
  });
});

describe('files', () => {
  test('hex.geojson: the grid of the JSON, as polygons in EPSG:4326', async () => {
    const j = await results(SCHOOL, 'question=unsafe_spots&size=300&filter=mode:bike');
    const r = await call(srv, 'GET', `/api/v1/staff/surveys/${SCHOOL}/results/hex.geojson?question=unsafe_spots&size=300&filter=mode:bike`, { token: 'planner' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /geo\+json/);
    const cells = j.json.questions[0].hex.cells;
    assert.equal(r.json.features.length, cells.length);
    for (const f of r.json.features) {
      const c = cells.find((x) => x.q === f.properties.q && x.r === f.properties.r);
      assert.ok(c, 'the same cell');
      assert.equal(f.properties.n, c.n);
      assert.equal(f.properties.features, c.features);
      const ring = f.geometry.coordinates[0];
      assert.equal(ring.length, 7);
      assert.deepEqual(ring[0], ring[6]);
      assert.ok(ring.every(([lon, lat]) => lon > 19 && lon < 32 && lat > 59 && lat < 71), 'lon/lat in Finland');
      // The JSON's centre in lon/lat (the staff map draws from it) is the
      // polygon's centre: the mean of its six corners, within a metre or so.
      const mean = [0, 1].map((k) => ring.slice(0, 6).reduce((s, p) => s + p[k], 0) / 6);
      assert.equal(c.center.length, 2);
      assert.ok(Math.abs(c.center[0] - mean[0]) < 2e-5 && Math.abs(c.center[1] - mean[1]) < 1e-5,
        `centre ${c.center} ≈ ${mean}`);
    }
  });

  test('results.csv holds the JSON figures', async () => {
    const j = await results(SCHOOL, 'filter=respondent:child');
    const r = await call(srv, 'GET', `/api/v1/staff/surveys/${SCHOOL}/results.csv?filter=respondent:child`, { token: 'planner' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-disposition'), /results\.csv/);
    const lines = r.text.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
    assert.deepEqual(lines[0], ['question', 'figure', 'key', 'column', 'n', 'features', 'value']);
    const row = (q, fig, key = '', col = '') => lines.find((l) => l[0] === q && l[1] === fig && l[2] === key && l[3] === col);
    assert.equal(Number(row('', 'respondents')[4]), j.json.n);
    const mode = j.json.questions.find((q) => q.key === 'mode');
    for (const c of mode.choices) assert.equal(Number(row('mode', 'choice', c.key)[4]), c.n, `mode ${c.key}`);
    const spots = j.json.questions.find((q) => q.key === 'unsafe_spots');
    for (const d of spots.districts) assert.deepEqual(row('unsafe_spots', 'district', d.code ?? '').slice(4, 6).map(Number), [d.n, d.features]);
    assert.equal(lines.filter((l) => l[0] === 'unsafe_spots' && l[1] === 'hex').length, spots.hex.cells.length);
  });

  test('results.gpkg opens in GDAL with a layer, a grid and districts per map question', async () => {
    const r = await fetch(`${srv.url}/api/v1/staff/surveys/${SCHOOL}/results.gpkg?filter=mode:walk`, { headers: { Authorization: `Bearer ${srv.tokens.planner}` } });
    assert.equal(r.status, 200);
    const file = path.join(tempDir(), 'results.gpkg');
    writeFileSync(file, Buffer.from(await r.arrayBuffer()));
    const info = execFileSync('ogrinfo', ['-so', '-q', file], { encoding: 'utf8' });
    for (const layer of ['route', 'route_hex', 'route_districts', 'unsafe_spots', 'unsafe_spots_hex', 'unsafe_spots_districts', 'figures']) {
      assert.match(info, new RegExp(`: ${layer} `), layer);
    }
    const j = await results(SCHOOL, 'filter=mode:walk');
    const spots = j.json.questions.find((q) => q.key === 'unsafe_spots');
    const count = (layer) => Number(execFileSync('ogrinfo', ['-so', file, layer], { encoding: 'utf8' }).match(/Feature Count: (\d+)/)[1]);
    assert.equal(count('unsafe_spots_hex'), spots.hex.cells.length);
    assert.equal(count('unsafe_spots_districts'), spots.districts.filter((d) => d.code).length);
    const sum = execFileSync('ogrinfo', ['-q', '-sql', 'SELECT sum(features) AS s FROM unsafe_spots_hex', file], { encoding: 'utf8' });
    assert.match(sum, new RegExp(`s \\(Integer(64)?\\) = ${spots.hex.cells.reduce((s, c) => s + c.features, 0)}`));
    assert.match(execFileSync('ogrinfo', ['-so', file, 'unsafe_spots_hex'], { encoding: 'utf8' }), /EPSG",3067/);
  });
});
