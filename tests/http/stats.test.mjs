// Aggregates (issue 6): grouped counts checked against counts computed here
// from the items API, response times against hand-made fixtures with known
// dates, hexagon areas in EPSG:3067, ETag/304 and the tag changing after
// writes, GDAL reading the aggregate OGC collections, hidden items not
// counting, and unit-level figures for staff only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call as callServer, startServer, tempDir, vaikutaCli } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const TOKENS = [{ name: 'mod-bot', role: 'moderator' }, { name: 'planner-bot', role: 'planner' }];
const DAY = 86400;
let srv;
let dir;

const call = (p, { method = 'GET', ...opts } = {}) => callServer(srv, method, p, opts);

// Hand-made items with known times. Lighting: answers after 3, 5 and 20
// days, closes after 10 and 31 days, one never answered (old: waiting
// 91- days); parks: one answered and closed after 1 day.
const iso = (s) => `${s}T00:00:00Z`;
const FIXTURE = [
  { category: 'lighting', status: 'resolved', created: iso('2026-01-01'), answered: iso('2026-01-04'), updated: iso('2026-01-11'), at: [28.78, 61.19] },
  { category: 'lighting', status: 'resolved', created: iso('2026-01-01'), answered: iso('2026-01-21'), updated: iso('2026-02-01'), at: [28.82, 61.23] },
  { category: 'lighting', status: 'in_progress', created: iso('2026-01-01'), answered: iso('2026-01-06'), updated: iso('2026-01-06'), at: [28.78, 61.17] },
  { category: 'lighting', status: 'received', created: iso('2026-01-01'), updated: iso('2026-01-01'), at: [28.70, 61.14] },
  { category: 'parks', status: 'resolved', created: iso('2026-02-01'), answered: iso('2026-02-02'), updated: iso('2026-02-02'), at: [28.6841, 61.1415] },
];

// A point inside each of a dozen districts.
const PLACES = [[28.7772, 61.1911], [28.8237, 61.2225], [28.7698, 61.173], [28.7708, 61.22],
  [28.8239, 61.1825], [28.8843, 61.2035], [28.8251, 61.1499], [28.8126, 61.1292],
  [28.7564, 61.1235], [28.6841, 61.1415], [28.7072, 61.214], [28.7526, 61.2493]];

function fixtureFile() {
  const features = FIXTURE.map((f, i) => {
    const props = { category: f.category, description: `Tilastotesti ${i}`, status: f.status, created: f.created, updated: f.updated };
    if (f.answered) { props.answered = f.answered; props.answer = 'Vastattu.'; }
    return { type: 'Feature', properties: props, geometry: { type: 'Point', coordinates: f.at } };
  });
  const file = path.join(dir, 'fixture.geojson');
  writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
  return file;
}

// Every public item, read through the items API.
async function allItems() {
  const r = await call('/api/v1/feedback?limit=10000');
  assert.equal(r.status, 200);
  return r.json.features;
}

function sql(statement) {
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, statement]);
}

before(async () => {
  dir = tempDir();
  const db = path.join(dir, 'stats.sqlite');
  vaikutaCli(['init', '--db', db]);
  vaikutaCli(['import', '--db', db, '--collection', 'feedback', fixtureFile()]);
  srv = await startServer({ db, dir, demo: false, tokens: TOKENS });
  // Twelve fresh reports (now: waiting 0-7 days) spread over the town.
  for (let i = 0; i < 12; i++) {
    const r = await call('/api/v1/feedback', {
      method: 'POST',
      body: { type: 'Feature', geometry: { type: 'Point', coordinates: PLACES[i % PLACES.length] },
        properties: { category: i % 2 ? 'parks' : 'streets', description: `Uusi ${i}` } },
    });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => {
  if (srv) await srv.close();
});

describe('grouped counts', () => {
  test('by district: the same counts as the items API, sum = total', async () => {
    const items = await allItems();
    const want = {};
    for (const f of items) want[f.properties.district ?? 'null'] = (want[f.properties.district ?? 'null'] || 0) + 1;
    const r = await call('/api/v1/stats/feedback?group_by=district');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.group_by, ['district']);
    assert.equal(r.json.total, items.length);
    const got = Object.fromEntries(r.json.groups.map((g) => [g.district ?? 'null', g.count]));
    assert.deepEqual(got, want);
    assert.equal(r.json.groups.reduce((s, g) => s + g.count, 0), r.json.total);
  });

  test('an item outside every district counts as district null, and in "outside"', { skip: missingTool('sqlite3') }, async () => {
    const items = await allItems();
    const id = items.find((f) => f.properties.category === 'parks').id;
    sql(`UPDATE feedback SET district_id = NULL WHERE id = ${id}`);
    const r = await call('/api/v1/stats/feedback?group_by=district');
    const none = r.json.groups.find((g) => g.district === null);
    assert.equal(none?.count, 1, r.text);
    assert.equal(r.json.groups.at(-1).district, null, 'none sorts last');
    const only = await call('/api/v1/stats/feedback?district=none');
    assert.equal(only.json.total, 1);
    const ch = await call('/api/v1/stats/choropleth');
    assert.equal(ch.status, 200);
    assert.equal(ch.json.outside, 1);
    const inAreas = ch.json.features.reduce((s, f) => s + f.properties.count, 0);
    assert.equal(inAreas + ch.json.outside, r.json.total);
    // The district code filter agrees with the items API.
    const d = ch.json.features.find((f) => f.properties.count > 0).properties.code;
    const viaItems = (await allItems()).filter((f) => f.properties.district === d).length;
    assert.equal((await call(`/api/v1/stats/feedback?district=${d}`)).json.total, viaItems);
  });

  test('filters: category, status, time range and bbox agree with the items API', async () => {
    const items = await allItems();
    const count = (pred) => items.filter(pred).length;
    let r = await call('/api/v1/stats/feedback?category=lighting,parks&group_by=category');
    assert.equal(r.json.total, count((f) => ['lighting', 'parks'].includes(f.properties.category)));
    assert.deepEqual(r.json.groups.map((g) => g.category), ['lighting', 'parks']);
    r = await call('/api/v1/stats/feedback?status=resolved');
    assert.equal(r.json.total, count((f) => f.properties.status === 'resolved'));
    r = await call('/api/v1/stats/feedback?start=2026-01-01&end=2026-01-31');
    assert.equal(r.json.total, 4);
    r = await call('/api/v1/stats/feedback?start=2026-01-01T00:00:01Z&end=2026-02-01');
    assert.equal(r.json.total, 1, 'date-times are exact; an end date covers its day');
    const bbox = '28.7,61.15,28.85,61.25';
    const inBox = await call(`/api/v1/feedback?bbox=${bbox}&limit=10000`);
    r = await call(`/api/v1/stats/feedback?bbox=${bbox}`);
    assert.equal(r.json.total, inBox.json.numberMatched);
  });

  test('time buckets: week, month and year keys', async () => {
    const r = await call('/api/v1/stats/feedback?group_by=year,month,week&start=2026-01-01&end=2026-02-28');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.groups, [
      { year: '2026', month: '2026-01', week: '2026-W01', count: 4 },
      { year: '2026', month: '2026-02', week: '2026-W05', count: 1 },
    ]);
  });

  test('unit-level figures are for staff: 401 anonymous, 200 with a token', async () => {
    let r = await call('/api/v1/stats/feedback?group_by=unit');
    assert.equal(r.status, 401);
    assert.equal(r.json.error.field, 'group_by');
    r = await call('/api/v1/stats/feedback?group_by=unit,category', { token: 'planner-bot' });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.groups.every((g) => 'unit' in g && 'category' in g));
    assert.equal((await call('/api/v1/stats/response-times?by=unit')).status, 401);
    assert.equal((await call('/api/v1/stats/response-times?by=unit', { token: 'mod-bot' })).status, 200);
    // Stale credentials on a public figure: answered as for anyone.
    r = await call('/api/v1/stats/feedback', { headers: { Authorization: `Bearer ${'0'.repeat(64)}` } });
    assert.equal(r.status, 200);
  });

  test('bad parameters are 400 naming the parameter', async () => {
    const cases = [
      ['/api/v1/stats/feedback?colour=red', 'unknown_parameter', 'colour'],
      ['/api/v1/stats/feedback?group_by=planet', 'invalid_parameter', 'group_by'],
      ['/api/v1/stats/feedback?group_by=district,district', 'invalid_parameter', 'group_by'],
      ['/api/v1/stats/feedback?group_by=district,category,status,month', 'invalid_parameter', 'group_by'],
      ['/api/v1/stats/feedback?category=nosuch', 'invalid_parameter', 'category'],
      ['/api/v1/stats/feedback?status=closed', 'invalid_parameter', 'status'],
      ['/api/v1/stats/feedback?district=atlantis', 'invalid_parameter', 'district'],
      ['/api/v1/stats/feedback?start=yesterday', 'invalid_parameter', 'start'],
      ['/api/v1/stats/feedback?start=2026-02-01&end=2026-01-01', 'invalid_parameter', 'end'],
      ['/api/v1/stats/feedback?bbox=1,2,3', 'invalid_parameter', 'bbox'],
      ['/api/v1/stats/response-times?by=planet', 'invalid_parameter', 'by'],
      ['/api/v1/stats/choropleth?areas=counties', 'invalid_parameter', 'areas'],
      ['/api/v1/stats/choropleth?crs=EPSG:9999', 'invalid_parameter', 'crs'],
      ['/api/v1/stats/density?cell=50', 'invalid_parameter', 'cell'],
      ['/api/v1/stats/density?cell=2001', 'invalid_parameter', 'cell'],
      ['/api/v1/stats/density?k=-1', 'invalid_parameter', 'k'],
    ];
    for (const [url, code, field] of cases) {
      const r = await call(url);
      assert.equal(r.status, 400, url);
      assert.equal(r.json.error.code, code, url);
      assert.equal(r.json.error.field, field, url);
    }
  });
});

describe('response times', () => {
  test('medians, 90th percentiles (nearest rank), 14-day share and waiting ages from the fixture', async () => {
    const r = await call('/api/v1/stats/response-times?by=category&start=2026-01-01&end=2026-02-28');
    assert.equal(r.status, 200, r.text);
    const lighting = r.json.groups.find((g) => g.category === 'lighting');
    assert.deepEqual(lighting, {
      category: 'lighting', count: 4, open: 2, answered: 3, closed: 2,
      median_days_to_answer: 5, p90_days_to_answer: 20, median_days_to_close: 10, p90_days_to_close: 31,
      answered_within_14_days: 0.5,
    });
    const parks = r.json.groups.find((g) => g.category === 'parks');
    assert.equal(parks.median_days_to_answer, 1);
    assert.equal(parks.median_days_to_close, 1);
    assert.equal(parks.answered_within_14_days, 1);
    assert.deepEqual(r.json.overall, {
      count: 5, open: 2, answered: 4, closed: 3,
      median_days_to_answer: 3, p90_days_to_answer: 20, median_days_to_close: 10, p90_days_to_close: 31,
      answered_within_14_days: 0.6,
    });
    assert.deepEqual(r.json.waiting, [
      { age: '0-7', count: 0 }, { age: '8-14', count: 0 }, { age: '15-30', count: 0 },
      { age: '31-90', count: 0 }, { age: '91-', count: 1 },
    ]);
  });

  test('new unanswered reports wait in 0-7; by district covers every item', async () => {
    const r = await call('/api/v1/stats/response-times?by=district');
    const total = (await call('/api/v1/stats/feedback')).json.total;
    assert.equal(r.json.waiting[0].count, 12);
    assert.equal(r.json.overall.count, total);
    assert.equal(r.json.groups.reduce((s, g) => s + g.count, 0), total);
    assert.ok(r.json.groups.every((g) => 'district' in g));
  });
});

describe('density', () => {
  test('hexagons in EPSG:3067 have area cell² (±0.1 %), counts sum to the total', async () => {
    const total = (await call('/api/v1/stats/feedback')).json.total;
    for (const cell of [100, 250, 2000]) {
      const r = await call(`/api/v1/stats/density?cell=${cell}&k=0&crs=http://www.opengis.net/def/crs/EPSG/0/3067`, { token: 'mod-bot' });
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-crs'), /EPSG\/0\/3067/);
      let sum = 0;
      for (const f of r.json.features) {
        const ring = f.geometry.coordinates[0];
        assert.equal(ring.length, 7);
        assert.deepEqual(ring[0], ring[6]);
        let a = 0;
        for (let i = 0; i < 6; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
        a /= 2;
        assert.ok(Math.abs(a - cell * cell) / (cell * cell) < 1e-3, `cell ${cell}: area ${a}`);
        assert.ok(f.properties.count > 0);
        sum += f.properties.count;
      }
      assert.equal(sum, total);
      assert.equal(r.json.omitted.cells, 0);
    }
  });

  test('k leaves small cells out and says how many; CRS84 polygons by default', async () => {
    const all = await call('/api/v1/stats/density?cell=2000&k=0', { token: 'mod-bot' });
    assert.match(all.headers.get('content-crs'), /CRS84/);
    const [lon, lat] = all.json.features[0].geometry.coordinates[0][0];
    assert.ok(lon > 28 && lon < 30 && lat > 60 && lat < 62);
    const k = 7;
    const r = await call(`/api/v1/stats/density?cell=2000&k=${k}`);
    const small = all.json.features.filter((f) => f.properties.count < k);
    assert.equal(r.json.omitted.cells, small.length);
    assert.equal(r.json.omitted.items, small.reduce((s, f) => s + f.properties.count, 0));
    assert.ok(r.json.features.every((f) => f.properties.count >= k));
  });

  test('the public cannot lower k below 5: single reports stay hidden (issue 19, 9a)', async () => {
    for (const k of [0, 1, 4]) {
      const r = await call(`/api/v1/stats/density?cell=100&k=${k}`);
      assert.equal(r.status, 200, `k=${k}: ${r.text}`);
      assert.equal(r.json.k, 5, `k=${k} is raised to 5, and the answer says so`);
      assert.ok(r.json.features.every((f) => f.properties.count >= 5), `k=${k}`);
      assert.ok(r.json.omitted.cells > 0, 'small cells are left out');
    }
    const d = await call('/api/v1/stats/density?cell=100');
    assert.equal(d.status, 200);
    assert.equal(d.json.k, 5, 'the default is the floor');
    assert.ok(d.json.features.every((f) => f.properties.count >= 5));
    const staff = await call('/api/v1/stats/density?cell=100&k=1', { token: 'mod-bot' });
    assert.equal(staff.status, 200, 'staff may look closer');
    assert.ok(staff.json.features.some((f) => f.properties.count < 5));
  });
});

describe('conditional requests', () => {
  const urls = ['/api/v1/stats/feedback?group_by=district', '/api/v1/stats/response-times',
    '/api/v1/stats/choropleth', '/api/v1/stats/density', '/ogcapi/collections/feedback-by-district/items'];

  test('ETag and Last-Modified; 304 to If-None-Match and If-Modified-Since', async () => {
    for (const u of urls) {
      const r = await call(u);
      const etag = r.headers.get('etag');
      const lm = r.headers.get('last-modified');
      assert.ok(etag && lm, u);
      let c = await call(u, { headers: { 'If-None-Match': etag } });
      assert.equal(c.status, 304, u);
      assert.equal(c.text, '');
      c = await call(u, { headers: { 'If-None-Match': `"other", W/${etag}` } });
      assert.equal(c.status, 304, `${u}: a list, weak form`);
      c = await call(u, { headers: { 'If-Modified-Since': lm } });
      assert.equal(c.status, 304, `${u}: If-Modified-Since`);
      c = await call(u, { headers: { 'If-None-Match': '"stale"' } });
      assert.equal(c.status, 200, u);
    }
  });

  test('a report, a staff change and moderation each change the tag', async () => {
    const u = '/api/v1/stats/feedback';
    const tag0 = (await call(u)).headers.get('etag');
    const total0 = (await call(u)).json.total;
    const created = await call('/api/v1/feedback', {
      method: 'POST',
      body: { type: 'Feature', geometry: { type: 'Point', coordinates: [28.77, 61.19] },
        properties: { category: 'lighting', description: 'ETag-testi' } },
    });
    assert.equal(created.status, 201);
    let r = await call(u, { headers: { 'If-None-Match': tag0 } });
    assert.equal(r.status, 200, 'a new report changes the tag');
    assert.equal(r.json.total, total0 + 1);
    const tag1 = r.headers.get('etag');
    const p = await call(`/api/v1/staff/feedback/${created.json.id}`, {
      method: 'PATCH', token: 'mod-bot', body: { status: 'in_progress', public_answer: 'Katsotaan.' },
    });
    assert.equal(p.status, 200, p.text);
    r = await call(u, { headers: { 'If-None-Match': tag1 } });
    assert.equal(r.status, 200, 'a staff change changes the tag');
    const tag2 = r.headers.get('etag');
    // Hidden by a moderator: out of every figure; shown again: back in.
    let m = await call(`/api/v1/staff/feedback/${created.json.id}`, { method: 'PATCH', token: 'mod-bot', body: { hidden: true } });
    assert.equal(m.status, 200, m.text);
    r = await call(u, { headers: { 'If-None-Match': tag2 } });
    assert.equal(r.status, 200, 'hiding changes the tag');
    assert.equal(r.json.total, total0, 'a hidden item does not count');
    const dens = (await call('/api/v1/stats/density?cell=2000&k=0', { token: 'mod-bot' })).json;
    assert.equal(dens.items, total0);
    const tag3 = r.headers.get('etag');
    // Editing personal data out of the text changes no figure, nor the tag.
    m = await call(`/api/v1/staff/feedback/${created.json.id}`, { method: 'PATCH', token: 'mod-bot', body: { description: 'ETag-testi (muokattu)' } });
    assert.equal(m.status, 200, m.text);
    assert.equal((await call(u, { headers: { 'If-None-Match': tag3 } })).status, 304);
    m = await call(`/api/v1/staff/feedback/${created.json.id}`, { method: 'PATCH', token: 'mod-bot', body: { hidden: false } });
    assert.equal(m.status, 200, m.text);
    r = await call(u);
    assert.equal(r.json.total, total0 + 1);
    // Withdrawn by its reporter through the follow-up link.
    const w = await call(`/api/v1/followup/${created.json.followup.token}/withdraw`, { method: 'POST' });
    assert.ok(w.status < 300, w.text);
    r = await call(u, { headers: { 'If-None-Match': r.headers.get('etag') } });
    assert.equal(r.status, 200, 'withdrawing changes the tag');
    assert.equal(r.json.total, total0, 'a withdrawn item does not count');
  });
});

describe('the public ETag follows public data only (issue 19, 9b)', () => {
  const urls = ['/api/v1/stats/feedback', '/api/v1/stats/response-times', '/api/v1/stats/density',
    '/ogcapi/collections/feedback-by-district/items'];
  const tags = async () => Promise.all(urls.map(async (u) => (await call(u)).headers.get('etag')));
  const report = async (description) => {
    const r = await call('/api/v1/feedback', { method: 'POST',
      body: { type: 'Feature', geometry: { type: 'Point', coordinates: [28.771, 61.191] },
        properties: { category: 'lighting', description } } });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  const patch = async (id, body) => {
    const r = await call(`/api/v1/staff/feedback/${id}`, { method: 'PATCH', token: 'mod-bot', body });
    assert.equal(r.status, 200, r.text);
  };

  test('internal notes (on hidden and visible items) and changes to hidden items leave it alone', async () => {
    const hidden = await report('Piilotettava ETag-testi');
    const visible = await report('Näkyvä ETag-testi');
    await patch(hidden, { hidden: true });
    const t0 = await tags();
    await patch(hidden, { internal_note: 'Sisäinen muistiinpano piilotetusta' });
    assert.deepEqual(await tags(), t0, 'a note on a hidden item');
    await patch(hidden, { status: 'in_progress', internal_note: 'käsittelyssä' });
    assert.deepEqual(await tags(), t0, 'a status change of a hidden item');
    await patch(visible, { internal_note: 'Sisäinen muistiinpano näkyvästä' });
    assert.deepEqual(await tags(), t0, 'a note on a visible item');
    // Public changes still move it.
    await patch(visible, { status: 'in_progress' });
    const t1 = await tags();
    t1.forEach((t, i) => assert.notEqual(t, t0[i], `status change: ${urls[i]}`));
    await report('Uusi julkinen ETag-testi');
    const t2 = await tags();
    t2.forEach((t, i) => assert.notEqual(t, t1[i], `new item: ${urls[i]}`));
    await patch(hidden, { hidden: false });
    const t3 = await tags();
    t3.forEach((t, i) => assert.notEqual(t, t2[i], `shown again: ${urls[i]}`));
  });
});

describe('OGC API collections of aggregates', () => {
  test('listed with the others; items with figures, paging and CRS', async () => {
    const cols = (await call('/ogcapi/collections')).json.collections.map((c) => c.id);
    assert.ok(cols.includes('feedback-by-district') && cols.includes('feedback-by-accessibility-area'));
    const c = await call('/ogcapi/collections/feedback-by-district');
    assert.equal(c.status, 200);
    assert.ok(c.json.crs.includes('http://www.opengis.net/def/crs/EPSG/0/3067'));
    const all = await call('/ogcapi/collections/feedback-by-district/items');
    const ch = await call('/api/v1/stats/choropleth');
    assert.equal(all.json.numberMatched, ch.json.features.length);
    assert.deepEqual(all.json.features.map((f) => f.properties.count), ch.json.features.map((f) => f.properties.count));
    const page = await call('/ogcapi/collections/feedback-by-district/items?limit=5&offset=5');
    assert.equal(page.json.numberReturned, 5);
    assert.deepEqual(page.json.features.map((f) => f.id), all.json.features.slice(5, 10).map((f) => f.id));
    const one = await call(`/ogcapi/collections/feedback-by-district/items/${all.json.features[0].id}?crs=EPSG:3067`);
    assert.equal(one.status, 200);
    assert.ok(one.json.geometry.coordinates[0][0][0][0] > 100000, 'metres');
    assert.equal((await call('/ogcapi/collections/feedback-by-district/items/atlantis')).status, 404);
    const acc = await call('/api/v1/stats/choropleth?areas=accessibility-areas&category=lighting');
    assert.ok(acc.json.features.length > 0);
    const lighting = (await call('/api/v1/stats/feedback?category=lighting')).json.total;
    assert.equal(acc.json.features.reduce((s, f) => s + f.properties.count, 0) + acc.json.outside, lighting);
  });

  test('GDAL (ogrinfo) opens both aggregate collections', { skip: missingTool('ogrinfo') }, async () => {
    const land = `OAPIF:${srv.url}/ogcapi`;
    const n = (await call('/ogcapi/collections/feedback-by-district/items')).json.numberMatched;
    let out = execFileSync('ogrinfo', ['-so', land, 'feedback-by-district'], { encoding: 'utf8', timeout: 120000 });
    assert.match(out, new RegExp(`Feature Count: ${n}\\b`));
    assert.match(out, /count: Integer/);
    out = execFileSync('ogrinfo', ['-q', land, 'feedback-by-accessibility-area'], { encoding: 'utf8', timeout: 120000 });
    assert.match(out, /median_days_to_answer \(Real\)/);
    assert.match(out, /MULTIPOLYGON/);
  });
});
