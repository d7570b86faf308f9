// Accessibility walks over HTTP (issue 14, docs/walks.md): the checklist and
// its schema; staff and council create walks, participants join with the
// walk code and record findings without an account (a resend under the same
// id answers as the first time, another body is 409, an Idempotency-Key
// replays); findings inside an erikoistaso area are judged at that level;
// the status workflow and who may do what (with the audit log); council
// reviews and the consensus; per-walk and per-area figures against
// hand-computed values; the review list with residents' accessibility
// feedback and turning feedback into a finding; the OSM export and the
// printable report.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readFileSync as readBytes } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { call as callServer, repoRoot, startServer } from '../lib/server.mjs';

const TOKENS = [
  { name: 'planner', role: 'planner' },
  { name: 'moderator', role: 'moderator' },
  { name: 'council', role: 'council' },
  { name: 'council2', role: 'council' },
  { name: 'council3', role: 'council' },
  { name: 'admin', role: 'admin' },
];

let srv;
const call = (method, url, opts) => callServer(srv, method, url, opts);
let uuidN = 0;
const uuid = () => `6f1c2f4e-8a3b-4f59-9d2e-${String(++uuidN).padStart(12, '0')}`;
const DAY = 86400000;
const daysAgo = (n) => new Date(Date.now() - n * DAY).toISOString().replace(/\.\d+Z$/, 'Z');
const dateAgo = (n) => daysAgo(n).slice(0, 10);

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
}

// A route inside the Vuoksenniska erikoistaso area (geo/accessibility-areas.geojson).
const ROUTE = { type: 'LineString', coordinates: [[28.808, 61.2195], [28.815, 61.2198], [28.822, 61.2200]] };
const inVuoksenniska = (i) => ({ type: 'Point', coordinates: [28.809 + i * 0.001, 61.2196] });

async function createWalk(token = 'planner', extra = {}) {
  const r = await call('POST', '/api/v1/staff/walks', {
    token,
    body: { title: 'Vuoksenniskan kävely', date: dateAgo(20), organiser: 'vammaisneuvosto',
      groups: ['wheelchair', 'visual'], participants: 7, route: ROUTE, ...extra },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const record = (walk, code, body, headers = {}) => call('POST', `/api/v1/walks/${walk}/findings`, {
  body, headers: code ? { 'X-Walk-Code': code, ...headers } : headers,
});
const finding = (over = {}) => ({ id: uuid(), geometry: inVuoksenniska(0), type: 'kerb', grade: 'este',
  groups: ['wheelchair'], measurements: { kerb_height_mm: 60 }, description: 'Korkea reunakivi.', ...over });
const status = (id, body, token = 'planner') =>
  call('POST', `/api/v1/staff/walk-findings/${id}/status`, { token, body });
const review = (id, body, token = 'council') =>
  call('PUT', `/api/v1/staff/walk-findings/${id}/review`, { token, body });

before(async () => {
  srv = await startServer({ demo: false, tokens: TOKENS, args: ['--rate-limit', '0'] });
});
after(async () => { await srv?.close(); });

describe('the checklist', () => {
  test('is served with its schema, and the schema accepts it (JSON Schema 2020-12, strict)', async () => {
    const c = await call('GET', '/api/v1/walks/checklist');
    assert.equal(c.status, 200);
    const s = await call('GET', '/api/v1/schema/walk-checklist');
    assert.equal(s.status, 200);
    assert.match(s.headers.get('content-type'), /schema\+json/);
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    const validate = ajv.compile(s.json);
    assert.ok(validate(c.json), JSON.stringify(validate.errors));
    const file = JSON.parse(readFileSync(path.join(repoRoot, 'seeds/walks/checklist.json'), 'utf8'));
    assert.deepEqual(c.json, file, 'the file in seeds/ is what is served');
    // Every threshold names a source of the file, and the clause in it.
    for (const t of c.json.types) {
      for (const th of t.thresholds) {
        assert.ok(c.json.sources[th.source], `${t.key}: ${th.source}`);
        assert.ok(th.clause.length > 3);
      }
    }
    // A broken checklist is refused by the schema too.
    const broken = structuredClone(c.json);
    broken.types[0].thresholds[0].grade = 'severe';
    assert.equal(validate(broken), false);
  });
});

describe('walks and codes', () => {
  test('staff and council create walks; a resident cannot', async () => {
    const a = await createWalk('planner');
    assert.match(a.code, /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    assert.equal(a.walk.state, 'open');
    assert.ok(a.walk.walked_m > 700 && a.walk.walked_m < 800, String(a.walk.walked_m));
    const b = await createWalk('council');
    assert.ok(b.walk.id > a.walk.id);
    const anon = await call('POST', '/api/v1/staff/walks', { body: { title: 'x' } });
    assertError(anon, 401, 'unauthorized');
    const noPlace = await call('POST', '/api/v1/staff/walks', {
      token: 'planner', body: { title: 'x', date: '2026-09-15', organiser: 'x' } });
    assertError(noPlace, 400, 'missing_field', 'route');
    const badDate = await call('POST', '/api/v1/staff/walks', {
      token: 'planner', body: { title: 'x', date: '2026-02-30', organiser: 'x', route: ROUTE } });
    assertError(badDate, 400, 'invalid_value', 'date');
    const area = await call('POST', '/api/v1/staff/walks', {
      token: 'planner', body: { title: 'x', date: '2026-09-15', organiser: 'x', route: { type: 'Polygon', coordinates: [] } } });
    assertError(area, 400, 'unsupported_geometry', 'route');
    const g = await call('POST', '/api/v1/staff/walks', {
      token: 'planner', body: { title: 'x', date: '2026-09-15', organiser: 'x', route: ROUTE, groups: ['cyclists'] } });
    assertError(g, 400, 'invalid_value', 'groups[0]');
  });

  test('participants join with the code as typed on a phone; wrong codes are refused, then limited', async () => {
    const { walk, code } = await createWalk();
    const typed = `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`;
    const j = await call('POST', '/api/v1/walks/join', { body: { code: typed } });
    assert.equal(j.status, 200, j.text);
    assert.equal(j.json.walk.id, walk.id);
    assert.equal(j.json.walk.route.type, 'LineString');
    assert.equal(JSON.stringify(j.json).includes(code), false, 'the code is not echoed');
    const wrong = await call('POST', '/api/v1/walks/join', { body: { code: 'ZZZZ2222' } });
    assertError(wrong, 403, 'invalid_walk_code', 'code');
    const shapeless = await call('POST', '/api/v1/walks/join', { body: { code: 'O0O0' } });
    assertError(shapeless, 403, 'invalid_walk_code', 'code');
    // A new code retires the old one.
    const n = await call('POST', `/api/v1/staff/walks/${walk.id}/code`, { token: 'planner' });
    assert.equal(n.status, 200);
    assert.notEqual(n.json.code, code);
    assertError(await call('POST', '/api/v1/walks/join', { body: { code } }), 403, 'invalid_walk_code');
    assert.equal((await call('POST', '/api/v1/walks/join', { body: { code: n.json.code } })).status, 200);
    // Closed: the code no longer records.
    const c = await call('POST', `/api/v1/staff/walks/${walk.id}/close`, { token: 'council' });
    assert.equal(c.json.state, 'closed');
    assertError(await call('POST', '/api/v1/walks/join', { body: { code: n.json.code } }), 409, 'walk_closed');
    assertError(await record(walk.id, n.json.code, finding()), 409, 'walk_closed');
    const staffRecords = await call('POST', `/api/v1/walks/${walk.id}/findings`, { token: 'council', body: finding() });
    assert.equal(staffRecords.status, 201, 'staff still record on a closed walk');
  });

  test('staff edit a walk: the change is laid over it and checked whole', async () => {
    const { walk } = await createWalk();
    const p = await call('PATCH', `/api/v1/staff/walks/${walk.id}`, { token: 'planner', body: { participants: 12, notes: 'Sateinen päivä.' } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.participants, 12);
    assert.equal(p.json.title, walk.title);
    assert.equal(p.json.walked_m, walk.walked_m);
    const clear = await call('PATCH', `/api/v1/staff/walks/${walk.id}`, { token: 'planner', body: { route: null } });
    assertError(clear, 400, 'missing_field', 'route');
    assertError(await call('PATCH', '/api/v1/staff/walks/999999', { token: 'planner', body: { notes: 'x' } }), 404, 'not_found');
  });
});

describe('recording findings', () => {
  let walk; let code;
  before(async () => { ({ walk, code } = await createWalk()); });

  test('a finding in an erikoistaso area is judged at that level', async () => {
    const body = finding({ type: 'width', measurements: { clear_width_mm: 1000 }, description: 'Kapea kohta.' });
    const r = await record(walk.id, code, body);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('location'), `/api/v1/walk-findings/${body.id}`);
    const p = r.json.properties;
    assert.equal(r.json.id, body.id);
    assert.equal(p.level, 'erikoistaso');
    assert.equal(p.special_area, 'vuoksenniska');
    assert.equal(p.verdicts.clear_width_mm.verdict, 'este', '1 000 mm is under erikoistaso 1 200 mm');
    assert.equal(p.verdicts.clear_width_mm.limits[0].source, 'vna-241-2017');
    assert.equal(p.status, 'open');
    assert.deepEqual(p.consensus, { reviews: 0, agree: 0, disagree: 0, unsure: 0, result: 'none', grade: 'este' });
  });

  test('an offline resend answers as the first time; another body under the id is 409', async () => {
    const body = finding({ recorded: daysAgo(1) });
    const first = await record(walk.id, code, body);
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.properties.created, body.recorded, 'the device time is kept');
    // From another address or with another code spelling: the id decides.
    const again = await record(walk.id, null, { ...body, code: code.toLowerCase() });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json, first.json);
    const other = await record(walk.id, code, { ...body, grade: 'vaara' });
    assertError(other, 409, 'finding_conflict', 'id');
    const list = await call('GET', `/api/v1/walks/${walk.id}/findings`);
    assert.equal(list.json.features.filter((f) => f.id === body.id).length, 1);
  });

  test('an Idempotency-Key replays the first answer', async () => {
    const body = finding();
    const h = { 'Idempotency-Key': `walk-${body.id}` };
    const a = await record(walk.id, code, body, h);
    assert.equal(a.status, 201);
    const b = await record(walk.id, code, body, h);
    assert.equal(b.status, 201);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assert.equal(b.text, a.text);
  });

  test('bad findings get 4xx naming the field', async () => {
    assertError(await record(walk.id, null, finding()), 400, 'missing_field', 'code');
    assertError(await record(walk.id, 'ZZZZ2222', finding()), 403, 'invalid_walk_code', 'code');
    assertError(await record(walk.id, code, finding({ id: 'abc' })), 400, 'invalid_value', 'id');
    assertError(await record(walk.id, code, finding({ type: 'teleporter' })), 400, 'invalid_value', 'type');
    assertError(await record(walk.id, code, finding({ grade: 'severe' })), 400, 'invalid_value', 'grade');
    assertError(await record(walk.id, code, finding({ measurements: { door_force_n: 20 } })), 400, 'invalid_value', 'measurements.door_force_n');
    assertError(await record(walk.id, code, finding({ measurements: { kerb_height_mm: -3 } })), 400, 'invalid_value', 'measurements.kerb_height_mm');
    assertError(await record(walk.id, code, finding({ surface: 'sett' })), 400, 'invalid_value', 'surface');
    assertError(await record(walk.id, code, finding({ geometry: { type: 'Polygon', coordinates: [[[28.81, 61.22], [28.82, 61.22], [28.82, 61.23], [28.81, 61.22]]] } })), 400, 'unsupported_geometry', 'geometry');
    assertError(await record(walk.id, code, finding({ geometry: { type: 'LineString', coordinates: [[28.80, 61.22], [28.82, 61.22]] } })), 400, 'invalid_value', 'geometry');
    assertError(await record(walk.id, code, finding({ geometry: { type: 'Point', coordinates: [24.94, 60.17] } })), 422, 'outside_area', 'geometry');
    assertError(await record(walk.id, code, finding({ recorded: daysAgo(-2) })), 400, 'invalid_value', 'recorded');
    assertError(await record(walk.id, code, finding({ recorded: daysAgo(40) })), 400, 'invalid_value', 'recorded');
    assertError(await record(walk.id, code, finding({ colour: 'red' })), 400, 'unknown_field', 'colour');
    assertError(await record(walk.id, code, '{"id":'), 400, 'invalid_json');
    assertError(await record(999999, code, finding()), 404, 'not_found');
    const line = await record(walk.id, code, finding({ type: 'surface', surface: 'sett', measurements: { unevenness_mm: 25 },
      geometry: { type: 'LineString', coordinates: [[28.809, 61.2196], [28.811, 61.2197]] } }));
    assert.equal(line.status, 201, line.text);
    assert.equal(line.json.properties.verdicts.unevenness_mm.verdict, 'este');
  });
});

describe('the status workflow', () => {
  let walk; let code;
  before(async () => { ({ walk, code } = await createWalk()); });

  test('open → planned → fixed → verified, each change by whom it belongs to, public and audited', async () => {
    const f = finding();
    assert.equal((await record(walk.id, code, f)).status, 201);
    // The council does not plan the city's work; a plan needs a date and a unit.
    assertError(await status(f.id, { status: 'planned', target_date: '2027-06-30', unit: 'street_maintenance', explanation: 'x' }, 'council'), 403, 'forbidden', 'status');
    assertError(await status(f.id, { status: 'planned', unit: 'street_maintenance', explanation: 'x' }), 400, 'missing_field', 'target_date');
    assertError(await status(f.id, { status: 'planned', target_date: '2027-06-30', unit: 'nowhere', explanation: 'x' }), 400, 'invalid_value', 'unit');
    assertError(await status(f.id, { status: 'planned', target_date: '2027-06-30', unit: 'street_maintenance' }), 400, 'missing_field', 'explanation');
    assertError(await status(f.id, { status: 'verified', how: 'visit', explanation: 'x' }, 'council'), 409, 'invalid_transition', 'status');
    assertError(await status(f.id, { status: 'fixed', reason: 'x', explanation: 'x' }), 400, 'invalid_value', 'reason');
    const planned = await status(f.id, { status: 'planned', target_date: '2027-06-30', unit: 'street_maintenance', explanation: 'Madalletaan kesällä.' });
    assert.equal(planned.status, 200, planned.text);
    assert.equal(planned.json.finding.properties.status, 'planned');
    assert.equal(planned.json.finding.properties.unit, 'street_maintenance');
    const replan = await status(f.id, { status: 'planned', target_date: '2027-09-30', explanation: 'Siirtyy syksyyn.' }, 'moderator');
    assert.equal(replan.json.finding.properties.target_date, '2027-09-30');
    assert.equal(replan.json.finding.properties.unit, 'street_maintenance', 'a re-plan keeps the unit');
    const fixed = await status(f.id, { status: 'fixed', explanation: 'Reunakivi madallettu.' });
    assert.equal(fixed.json.finding.properties.status, 'fixed');
    // Only the council (or an admin) verifies.
    assertError(await status(f.id, { status: 'verified', how: 'visit', explanation: 'x' }), 403, 'forbidden', 'status');
    assertError(await status(f.id, { status: 'verified', explanation: 'x' }, 'council'), 400, 'missing_field', 'how');
    const later = await createWalk('council');
    const verified = await status(f.id, { status: 'verified', how: 'walk', walk: later.walk.id, explanation: 'Tarkistettu kävelyllä.' }, 'council');
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.json.finding.properties.status, 'verified');
    // The public history: every change with its explanation, no names.
    const pub = await call('GET', `/api/v1/walk-findings/${f.id}`);
    assert.deepEqual(pub.json.history.map((e) => e.status), ['open', 'planned', 'planned', 'fixed', 'verified']);
    assert.equal(pub.json.history[4].how_walk, later.walk.id);
    assert.equal(pub.json.history[3].explanation, 'Reunakivi madallettu.');
    assert.ok(pub.json.history.every((e) => !('actor' in e)), 'no actor in public');
    assert.equal(pub.json.reviews, undefined, 'no reviews in public');
    const st = await call('GET', `/api/v1/staff/walk-findings/${f.id}`, { token: 'moderator' });
    assert.equal(st.json.history[1].actor, 'planner');
    // The audit log has each change.
    const audit = await call('GET', '/api/v1/staff/audit?type=account&limit=1000', { token: 'admin' });
    const mine = audit.json.events.filter((e) => e.target === `walk-finding:${f.id}`);
    assert.equal(mine.length, 4, audit.text.slice(0, 400));
    assert.ok(mine.every((e) => e.kind === 'walk_finding_status'));
  });

  test('rejected needs a reason; a rejected finding reopens; a fixed one that was not goes back to open', async () => {
    const f = finding();
    await record(walk.id, code, f);
    assertError(await status(f.id, { status: 'rejected', explanation: 'x' }), 400, 'missing_field', 'reason');
    const r = await status(f.id, { status: 'rejected', reason: 'Yksityinen piha.', explanation: 'Ei kaupungin aluetta.' });
    assert.equal(r.json.finding.properties.reason, 'Yksityinen piha.');
    assertError(await status(f.id, { status: 'fixed', explanation: 'x' }), 409, 'invalid_transition');
    assert.equal((await status(f.id, { status: 'open', explanation: 'Avattu uudelleen.' })).status, 200);
    await status(f.id, { status: 'fixed', explanation: 'Korjattu.' });
    const back = await status(f.id, { status: 'open', explanation: 'Ei korjattu.' }, 'council');
    assert.equal(back.json.finding.properties.status, 'open');
    assertError(await status('6f1c2f4e-8a3b-4f59-9d2e-999999999999', { status: 'fixed', explanation: 'x' }), 404, 'not_found');
  });
});

describe('council review and consensus', () => {
  test('council members agree, disagree or are unsure; the finding shows the consensus', async () => {
    const { walk, code } = await createWalk();
    const f = finding({ grade: 'este' });
    await record(walk.id, code, f);
    assertError(await review(f.id, { vote: 'agree' }, 'planner'), 403, 'forbidden');
    assertError(await review(f.id, { vote: 'maybe' }), 400, 'invalid_value', 'vote');
    let r = await review(f.id, { vote: 'agree', grade: 'vaara', comment: 'Vaarallinen talvella.' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.consensus, { reviews: 1, agree: 1, disagree: 0, unsure: 0, result: 'agree', grade: 'vaara' });
    r = await review(f.id, { vote: 'disagree' }, 'council2');
    assert.equal(r.json.consensus.result, 'split');
    r = await review(f.id, { vote: 'agree' }, 'council3');
    // 2 agree of 3 decisive: agree; grades vaara 1, este 1: the tie goes to vaara.
    assert.deepEqual(r.json.consensus, { reviews: 3, agree: 2, disagree: 1, unsure: 0, result: 'agree', grade: 'vaara' });
    // A new review replaces the reviewer's own.
    r = await review(f.id, { vote: 'unsure' });
    assert.deepEqual(r.json.consensus, { reviews: 3, agree: 1, disagree: 1, unsure: 1, result: 'split', grade: 'este' });
    assert.equal(r.json.reviews.length, 3);
    r = await call('DELETE', `/api/v1/staff/walk-findings/${f.id}/review`, { token: 'council2' });
    assert.deepEqual(r.json.consensus, { reviews: 2, agree: 1, disagree: 0, unsure: 1, result: 'agree', grade: 'este' });
    const pub = await call('GET', `/api/v1/walk-findings/${f.id}`);
    assert.equal(pub.json.finding.properties.consensus.result, 'agree');
    assert.equal(pub.text.includes('Vaarallinen talvella'), false, 'comments are staff-only');
  });
});

describe('figures', () => {
  test('per walk and per area against hand-computed values', async () => {
    const { walk, code } = await createWalk('planner', { date: dateAgo(20) });
    const L = walk.walked_m;
    const f1 = finding({ grade: 'vaara', groups: ['visual'], type: 'crossing', measurements: { kerb_height_mm: 10 } });
    const f2 = finding({ grade: 'este', geometry: inVuoksenniska(2) });
    const f3 = finding({ grade: 'haitta', type: 'surface', measurements: {}, recorded: daysAgo(10), geometry: inVuoksenniska(4) });
    const f4 = finding({ grade: 'este', geometry: inVuoksenniska(6) });
    const f5 = finding({ grade: 'haitta', groups: ['pram'], type: 'rest', measurements: {}, geometry: inVuoksenniska(8) });
    for (const f of [f1, f2, f3, f4, f5]) assert.equal((await record(walk.id, code, f)).status, 201);
    await status(f2.id, { status: 'planned', target_date: '2027-06-30', unit: 'street_maintenance', explanation: 'x' });
    await status(f3.id, { status: 'fixed', explanation: 'x' });
    await status(f4.id, { status: 'rejected', reason: 'x', explanation: 'x' });
    await review(f5.id, { vote: 'disagree' });
    const r = await call('GET', `/api/v1/walks/${walk.id}/report`);
    assert.equal(r.status, 200, r.text);
    const s = r.json.summary;
    // Counted: f1 vaara open (5), f2 este planned (3), f3 haitta fixed (0.25).
    assert.equal(s.findings, 3);
    assert.deepEqual(s.by_grade, { vaara: 1, este: 1, haitta: 1 });
    assert.deepEqual(s.by_status, { open: 1, planned: 1, fixed: 1, verified: 0, rejected: 1 });
    assert.equal(s.disputed, 1);
    assert.deepEqual(s.by_type, { crossing: 1, kerb: 1, surface: 1 });
    assert.deepEqual(s.by_group, { visual: 1, wheelchair: 2 });
    assert.equal(s.fixed, 1);
    assert.ok(Math.abs(s.median_days_to_fixed - 10) <= 0.1, String(s.median_days_to_fixed));
    const P = 5 + 3 + 0.25;
    const score = Math.round(300 / (3 + P / (L / 100)));
    assert.equal(s.score, score);
    assert.equal(s.walked_m, Math.round(L * 10) / 10);
    assert.equal(r.json.findings.length, 5);
    // Stretches of 100 m along the route; findings in the nearest.
    assert.equal(r.json.stretches.length, Math.ceil(L / 100));
    assert.equal(r.json.stretches[0].from_m, 0);
    assert.equal(r.json.stretches.at(-1).to_m, Math.round(L * 10) / 10);
    assert.equal(r.json.stretches.reduce((n, x) => n + x.findings, 0), 3);

    // Per area: this walk alone in a fresh server would be simple; here
    // other suites' walks are in Vuoksenniska too, so the area's figures
    // are the sum of every walk's, computed from the walks' own reports.
    const areas = await call('GET', '/api/v1/walks/areas?areas=accessibility-areas');
    assert.equal(areas.status, 200, areas.text);
    const v = areas.json.areas.find((a) => a.code === 'vuoksenniska');
    const m = areas.json.areas.find((a) => a.code === 'mansikkala');
    assert.equal(m.findings, 0);
    assert.equal(m.score, null);
    const all = (await call('GET', '/api/v1/walks')).json.walks;
    let n = 0; let pen = 0; let walked = 0;
    for (const w of all) {
      const rep = (await call('GET', `/api/v1/walks/${w.id}/report`)).json;
      n += rep.summary.findings;
      walked += w.walked_m;
      for (const f of rep.findings) {
        const p = f.properties;
        if (p.status === 'rejected' || p.consensus.result === 'disagree') continue;
        pen += { vaara: 5, este: 3, haitta: 1 }[p.consensus.grade] * { open: 1, planned: 1, fixed: 0.25, verified: 0 }[p.status];
      }
    }
    assert.equal(v.findings, n);
    assert.ok(Math.abs(v.walked_m - walked) < 1, `${v.walked_m} vs ${walked}`);
    assert.equal(v.score, Math.round(300 / (3 + pen / (Math.max(v.walked_m, 100) / 100))));
    // Dates: nothing before the first walk.
    const early = await call('GET', '/api/v1/walks/areas?areas=accessibility-areas&to=2000-01-01');
    assert.equal(early.json.areas.find((a) => a.code === 'vuoksenniska').findings, 0);
    assertError(await call('GET', '/api/v1/walks/areas?areas=streets'), 400, 'invalid_parameter', 'areas');
    // Over time: the month of the walk to now.
    const t = await call('GET', '/api/v1/walks/areas/vuoksenniska/timeline');
    assert.equal(t.status, 200, t.text);
    assert.ok(t.json.points.length >= 1);
    const last = t.json.points.at(-1);
    assert.equal(last.findings, v.findings);
    assert.equal(last.score, v.score);
    assertError(await call('GET', '/api/v1/walks/areas/atlantis/timeline'), 404, 'not_found');
  });

  test('the printable report is HTML with a print stylesheet, in fi, sv and en', async () => {
    const { walk, code } = await createWalk();
    await record(walk.id, code, finding({ description: '<script>alert(1)</script>' }));
    for (const [lang, word] of [['fi', 'Havainnot'], ['sv', 'Observationer'], ['en', 'Findings']]) {
      const r = await call('GET', `/api/v1/walks/${walk.id}/report.html?lang=${lang}`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /text\/html/);
      assert.ok(r.text.includes(`<html lang="${lang}">`));
      assert.ok(r.text.includes(word));
      assert.ok(r.text.includes('@media print'));
      assert.ok(r.text.includes('<svg role="img"'));
      assert.equal(r.text.includes('<script>'), false, 'text is escaped');
    }
    assertError(await call('GET', `/api/v1/walks/${walk.id}/report.html?lang=de`), 400, 'invalid_parameter', 'lang');
  });
});

describe('residents\' accessibility feedback', () => {
  test('is in the council\'s review list and staff turn it into a finding', async () => {
    const fb = await call('POST', '/api/v1/feedback', { body: { type: 'Feature',
      geometry: { type: 'Point', coordinates: [28.8125, 61.2199] },
      properties: { category: 'accessibility', description: 'Bussipysäkillä ei ole penkkiä.' } } });
    assert.equal(fb.status, 201, fb.text);
    const list = await call('GET', '/api/v1/staff/walk-review?kind=feedback', { token: 'council' });
    assert.equal(list.status, 200, list.text);
    const item = list.json.items.find((i) => i.id === fb.json.id);
    assert.ok(item, list.text.slice(0, 300));
    assert.equal(item.kind, 'feedback');
    assert.equal(item.finding, null);
    const id = uuid();
    const made = await call('POST', `/api/v1/staff/walk-findings/from-feedback/${fb.json.id}`, {
      token: 'moderator', body: { id, type: 'rest', grade: 'haitta', groups: ['elderly'] } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.properties.source, 'feedback');
    assert.equal(made.json.properties.feedback, fb.json.id);
    assert.equal(made.json.properties.description, 'Bussipysäkillä ei ole penkkiä.');
    assert.deepEqual(made.json.geometry.coordinates, [28.8125, 61.2199]);
    assert.equal(made.json.properties.level, 'erikoistaso');
    const twice = await call('POST', `/api/v1/staff/walk-findings/from-feedback/${fb.json.id}`, {
      token: 'moderator', body: { id: uuid(), type: 'rest', grade: 'haitta' } });
    assertError(twice, 409, 'conflict');
    const after2 = await call('GET', '/api/v1/staff/walk-review?kind=feedback', { token: 'council' });
    assert.equal(after2.json.items.find((i) => i.id === fb.json.id).finding, id);
    const both = await call('GET', '/api/v1/staff/walk-review?limit=500', { token: 'council' });
    assert.ok(both.json.items.some((i) => i.kind === 'finding'));
    assert.ok(both.json.items.some((i) => i.kind === 'feedback'));
    assertError(await call('GET', '/api/v1/staff/walk-review'), 401, 'unauthorized');
    assertError(await call('POST', '/api/v1/staff/walk-findings/from-feedback/999999', { token: 'moderator', body: { id: uuid(), type: 'rest', grade: 'haitta' } }), 404, 'not_found');
  });
});

describe('OpenStreetMap export', () => {
  test('findings with OSM accessibility tags', async () => {
    const { walk, code } = await createWalk();
    const k = finding({ type: 'kerb', measurements: { kerb_height_mm: 60 }, groups: ['wheelchair'] });
    const s = finding({ type: 'surface', surface: 'sett', measurements: { unevenness_mm: 12, slope_along_pct: 7 }, grade: 'haitta', groups: ['wheelchair'], geometry: inVuoksenniska(3) });
    const t = finding({ type: 'tactile_paving', measurements: {}, grade: 'vaara', groups: ['visual'], geometry: inVuoksenniska(5) });
    const w = finding({ type: 'width', measurements: { clear_width_mm: 850 }, geometry: inVuoksenniska(7) });
    for (const f of [k, s, t, w]) assert.equal((await record(walk.id, code, f)).status, 201);
    const r = await call('GET', `/api/v1/walk-findings.osm.geojson?walk=${walk.id}`);
    assert.equal(r.status, 200, r.text);
    const tags = Object.fromEntries(r.json.features.map((f) => [f.id, f.properties]));
    assert.equal(tags[k.id].kerb, 'raised');
    assert.equal(tags[k.id]['kerb:height'], '0.06');
    assert.equal(tags[k.id].wheelchair, 'no');
    assert.equal(tags[s.id].surface, 'sett');
    assert.equal(tags[s.id].smoothness, 'intermediate');
    assert.equal(tags[s.id].incline, '7%');
    assert.equal(tags[s.id].wheelchair, 'limited');
    assert.equal(tags[t.id].tactile_paving, 'incorrect');
    assert.equal(tags[w.id].width, '0.85');
    assert.equal(tags[k.id]['vaikuta:grade'], 'este');
    await status(k.id, { status: 'fixed', explanation: 'x' });
    const open = await call('GET', `/api/v1/walk-findings.osm.geojson?walk=${walk.id}`);
    assert.equal(open.json.features.some((f) => f.id === k.id), false, 'fixed findings are not mapped as problems');
    const box = await call('GET', '/api/v1/walk-findings.osm.geojson?bbox=20,60,21,61');
    assert.equal(box.json.features.length, 0);
  });
});

describe('photos of findings', () => {
  const upload = async (name) => {
    const bytes = readBytes(path.join(repoRoot, 'tests/fixtures/photos', name));
    const res = await fetch(`${srv.url}/api/v1/photos`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    const json = await res.json();
    assert.equal(res.status, 201, JSON.stringify(json));
    return json.id;
  };

  test('uploaded photos attach to a finding (or later) and are served with it', async () => {
    const { walk, code } = await createWalk();
    const p1 = await upload('tiny.png');
    const p2 = await upload('gps-rotated.jpg');
    const f = finding({ photos: [p1] });
    const r = await record(walk.id, code, f);
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.properties.photos.map((p) => p.id), [p1]);
    assert.equal(r.json.properties.photos[0].thumb, `/api/v1/photos/${p1}/thumb`);
    const img = await fetch(`${srv.url}${r.json.properties.photos[0].thumb}`);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/jpeg');
    // A resend attaches nothing twice.
    assert.equal((await record(walk.id, code, f)).status, 200);
    // A photo taken later.
    const later = await call('POST', `/api/v1/walk-findings/${f.id}/photos`, { body: { photos: [p2] }, headers: { 'X-Walk-Code': code } });
    assert.equal(later.status, 200, later.text);
    assert.deepEqual(later.json.properties.photos.map((p) => p.id).sort(), [p1, p2].sort());
    assertError(await call('POST', `/api/v1/walk-findings/${f.id}/photos`, { body: { photos: [p2] } }), 400, 'missing_field', 'code');
    // Taken by another finding; never uploaded; not an id.
    assertError(await record(walk.id, code, finding({ photos: [p1] })), 409, 'photo_taken');
    assertError(await record(walk.id, code, finding({ photos: ['0'.repeat(32)] })), 422, 'invalid_photo');
    assertError(await record(walk.id, code, finding({ photos: ['x'] })), 400, 'invalid_value', 'photos[0]');
    const ogc = await call('GET', `/ogcapi/collections/walk-findings/items/${f.id}`);
    assert.equal(ogc.json.properties.photos.length, 2);
    const html = await call('GET', `/api/v1/walks/${walk.id}/report.html?lang=en`);
    assert.ok(html.text.includes(`/api/v1/photos/${p1}/thumb`), 'the report shows the thumbnails');
  });
});

// Last: it empties this address's bucket of wrong codes.
describe('guessing codes', () => {
  test('after the bucket of 20 wrong codes, 429 with Retry-After; a right code still works', async () => {
    const { walk, code } = await createWalk();
    let limited = null;
    let wrong = 0;
    for (let i = 0; i < 30 && !limited; i++) {
      const r = await call('POST', '/api/v1/walks/join', { body: { code: `WRNG${String(2000 + i).replace(/[01]/g, '9')}` } });
      if (r.status === 429) limited = r;
      else { assert.equal(r.status, 403, r.text); wrong++; }
    }
    assert.ok(limited, 'wrong codes are limited');
    assert.ok(wrong >= 10 && wrong <= 20, String(wrong)); // earlier suites used a few
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assertError(await record(walk.id, 'ZZZZ2222', finding()), 429, 'rate_limited', 'code');
    const right = await record(walk.id, code, finding());
    assert.equal(right.status, 201, 'a right code is not counted');
  });
});

// A phone's queue of photos syncs at once: an upload with the walk's code
// is not counted against the public write budget (the route's flag 2);
// without a code it is, and a wrong code is refused, not let through.
describe('photo uploads with a walk code and the public write budget', () => {
  let limited;
  const jpeg = readBytes(path.join(repoRoot, 'tests/fixtures/photos/gps-rotated.jpg'));
  const upload = (headers) => fetch(`${limited.url}/api/v1/photos`, {
    method: 'POST', headers: { 'Content-Type': 'image/jpeg', ...headers }, body: jpeg,
  });
  before(async () => {
    limited = await startServer({ demo: false, tokens: TOKENS, args: ['--rate-limit', '1', '--rate-burst', '2'] });
  });
  after(async () => { await limited?.close(); });

  test('with the right code: six uploads past a burst of two; without: 429; wrong code: 403; closed walk: 409', async () => {
    const made = await callServer(limited, 'POST', '/api/v1/staff/walks', {
      token: 'planner',
      body: { title: 'Kuvat', date: dateAgo(0), organiser: 'vammaisneuvosto', groups: ['wheelchair'],
        participants: 2, route: ROUTE },
    });
    assert.equal(made.status, 201, made.text);
    for (let i = 0; i < 6; i++) {
      const r = await upload({ 'X-Walk-Code': made.json.code });
      assert.equal(r.status, 201, `upload ${i + 1} with the code: ${await r.text()}`);
    }
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await upload({})).status);
    assert.deepEqual(statuses, [201, 201, 429], 'without a code the burst of two holds');
    const wrong = await upload({ 'X-Walk-Code': 'ZZZZ2222' });
    assert.equal(wrong.status, 403);
    assert.equal((await wrong.json()).error.code, 'invalid_walk_code');
    const closed = await callServer(limited, 'POST', `/api/v1/staff/walks/${made.json.walk.id}/close`, { token: 'planner' });
    assert.equal(closed.status, 200, closed.text);
    const late = await upload({ 'X-Walk-Code': made.json.code });
    assert.equal(late.status, 409);
    assert.equal((await late.json()).error.code, 'walk_closed');
  });
});
