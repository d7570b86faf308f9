// Published survey results as OGC API - Features collections and GeoJSON
// downloads (issue 12, docs/survey-publish.md "OGC API collections and
// downloads"): per map question, the districts and the hexagon grid with
// the counts of respondents exactly as the public results JSON shows them
// (a test checks they agree, cell by cell), suppressed counts null; the
// public answers' layer snapped to the hexagons when the author asks for
// it; and GDAL (the OAPIF driver QGIS uses, and the GeoJSON driver) reads
// them all.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { check as checkGeoJSON } from '@placemarkio/check-geojson';
import { call as callServer, startServer } from '../lib/server.mjs';

const K = 5;
const SLUG = 'tulokset-kartalla';
const T = (s) => ({ fi: s, sv: s, en: s });
const DOC = {
  slug: SLUG,
  title: T('Tulokset kartalla'),
  pages: [{
    key: 'p1',
    title: T('Sivu'),
    elements: [
      { key: 'mode', type: 'single-choice', text: T('Kulkutapa'),
        choices: ['walk', 'bike'].map((key) => ({ key, text: T(key) })) },
      { key: 'spots', type: 'map-point', text: T('Paikat'),
        followups: [{ key: 'why', type: 'text', text: T('Miksi') }] },
      { key: 'route', type: 'map-line', text: T('Reitti') },
    ],
  }],
};
// Three places far apart (different hexagons of 500 m; A and B in two
// districts of the demo municipality).
const A = [28.7832, 61.1918];
const B = [28.8193, 61.2329];
const C = [28.8000, 61.2000];
const N = 19;
// Respondent i: 12 draw at A, 2 at B (fewer than k), 5 at C (exactly k);
// the first 7 also draw a route near A.
const placeOf = (i) => (i < 12 ? A : i < 14 ? B : C);
function answersOf(i) {
  const a = { mode: i % 2 ? 'bike' : 'walk', spots: [{ geometry: { type: 'Point', coordinates: placeOf(i) } }] };
  // three at A say why (free text: public only once approved)
  if (i < 3) a.spots[0].answers = { why: `syy ${i}` };
  if (i < 7) a.route = [{ geometry: { type: 'LineString', coordinates: [A, [A[0] + 0.001, A[1] + 0.0002]] } }];
  return a;
}
const uuidOf = (i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;

let srv;
const OGC = '/ogcapi';
const call = (method, url, opts) => callServer(srv, method, url, opts);
const get = (url, headers = {}) => call('GET', url.replace(srv.url, ''), { headers });
const staff = (method, url, body) => call(method, `/api/v1/staff/surveys/${SLUG}${url}`, { token: 'planner', body });
const colId = (question, kind) => `results-${SLUG}-${question}-${kind}`;
const items = (id, query = '') => get(`${OGC}/collections/${id}/items${query}`);
const download = (file, headers) => get(`/api/v1/surveys/${SLUG}/results/${file}`, headers);
const ogr = (args) => execFileSync('ogrinfo', args, { encoding: 'utf8', timeout: 120000 });

before(async () => {
  srv = await startServer({ demo: false, tokens: [{ name: 'planner', role: 'planner' }], args: ['--rate-limit', '0'] });
  let r = await call('POST', '/api/v1/staff/surveys', { token: 'planner', body: DOC });
  assert.equal(r.status, 201, r.text);
  r = await staff('POST', '/publish');
  assert.equal(r.status, 200, r.text);
  for (let i = 0; i < N; i++) {
    r = await call('POST', `/api/v1/surveys/${SLUG}/responses`, { body: { id: uuidOf(i), version: 1, answers: answersOf(i) } });
    assert.equal(r.status, 201, `${i}: ${r.text}`);
  }
});
after(async () => { if (srv) await srv.close(); });

// The public results JSON's cell as a feature's count properties.
function expected(count) {
  if (typeof count === 'number') return { count, suppressed: false, reason: null, k: K };
  return { count: null, suppressed: true, reason: count.below ? 'fewer_than_k' : 'secondary', k: K };
}
const countProps = (p) => ({ count: p.count, suppressed: p.suppressed, reason: p.reason, k: p.k });

describe('before the results are published', () => {
  test('no collections and no downloads: 404, as if absent', async () => {
    const { json } = await get(`${OGC}/collections`);
    assert.ok(!json.collections.some((c) => c.id.startsWith('results-')), 'nothing listed');
    for (const p of [`/collections/${colId('spots', 'hex')}`, `/collections/${colId('spots', 'hex')}/items`,
      `/collections/${colId('spots', 'districts')}/queryables`, `/collections/${colId('spots', 'hex')}/items/0_0`]) {
      const r = await get(`${OGC}${p}`);
      assert.equal(r.status, 404, p);
      assert.equal(r.json.error.field, 'collectionId', p);
    }
    const d = await download('spots.geojson');
    assert.equal(d.status, 404, d.text);
    assert.equal((await download('spots-districts.geojson')).status, 404);
    assert.equal((await get(`/api/v1/surveys/${SLUG}/results`)).status, 403, 'the JSON says why');
  });

  test('publishing them lists two collections per map question', async () => {
    const r = await staff('PUT', '/publication', { results: true });
    assert.equal(r.status, 200, r.text);
    const { json } = await get(`${OGC}/collections`);
    const ids = json.collections.map((c) => c.id).filter((id) => id.startsWith('results-'));
    assert.deepEqual(ids, [colId('spots', 'districts'), colId('spots', 'hex'), colId('route', 'districts'), colId('route', 'hex')]);
    const hex = json.collections.find((c) => c.id === colId('spots', 'hex'));
    assert.match(hex.title, /^Tulokset kartalla: Paikat \(respondents per hexagon\)$/);
    assert.ok(hex.links.some((l) => l.rel === 'items' && l.type === 'application/geo+json'));
    const one = await get(`${OGC}/collections/${colId('spots', 'hex')}`);
    assert.equal(one.status, 200);
    assert.equal(one.json.id, colId('spots', 'hex'));
    const qs = await get(`${OGC}/collections/${colId('spots', 'districts')}/queryables`);
    assert.equal(qs.status, 200);
    assert.deepEqual(Object.keys(qs.json.properties).sort(),
      ['code', 'count', 'geometry', 'k', 'name_en', 'name_fi', 'name_sv', 'question', 'reason', 'survey', 'suppressed'].sort());
  });
});

describe('the collections equal the public results JSON', () => {
  let pub;
  before(async () => {
    const r = await get(`/api/v1/surveys/${SLUG}/results`);
    assert.equal(r.status, 200, r.text);
    pub = Object.fromEntries(r.json.questions.map((q) => [q.key, q]));
  });

  test('hexagons: one feature per listed cell, same count, suppressed ones null', async () => {
    for (const question of ['spots', 'route']) {
      const r = await items(colId(question, 'hex'));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('content-type'), 'application/geo+json');
      assert.deepEqual(checkGeoJSON(r.text).type, 'FeatureCollection');
      const cells = pub[question].hexagons.cells;
      assert.equal(r.json.features.length, cells.length, question);
      assert.equal(r.json.numberMatched, cells.length);
      for (const c of cells) {
        const f = r.json.features.find((x) => x.id === `${c.q}_${c.r}`);
        assert.ok(f, `${question} ${c.q},${c.r}`);
        assert.deepEqual(Object.keys(f.properties).sort(), ['count', 'k', 'q', 'question', 'r', 'reason', 'size', 'survey', 'suppressed'].sort());
        assert.deepEqual(countProps(f.properties), expected(c.count));
        assert.equal(f.properties.size, 500);
        assert.equal(f.geometry.type, 'Polygon');
        const ring = f.geometry.coordinates[0];
        assert.equal(ring.length, 7);
        assert.deepEqual(ring[0], ring[6], 'closed');
        // the centre of the ring is the JSON's centre
        const lon = ring.slice(0, 6).reduce((s, p) => s + p[0], 0) / 6;
        const lat = ring.slice(0, 6).reduce((s, p) => s + p[1], 0) / 6;
        assert.ok(Math.abs(lon - c.center[0]) < 1e-5 && Math.abs(lat - c.center[1]) < 1e-5, 'same hexagon');
      }
    }
    // spots by hand: 12 at A, 2 at B, 5 at C
    const spots = (await items(colId('spots', 'hex'))).json.features.map((f) => f.properties.count);
    assert.deepEqual(spots.map((c) => c ?? 'hidden').sort(), [12, 5, 'hidden'].sort());
    const hidden = (await items(colId('spots', 'hex'))).json.features.find((f) => f.properties.suppressed);
    assert.equal(hidden.properties.count, null, 'the 2 are never shown');
    assert.equal(hidden.properties.reason, 'fewer_than_k');
    assert.ok(!JSON.stringify(hidden.properties).includes(':2,') && !JSON.stringify(hidden.properties).includes(':2}'));
  });

  test('districts: every district, same count as the JSON', async () => {
    for (const question of ['spots', 'route']) {
      const r = await items(colId(question, 'districts'), '?limit=1000');
      assert.equal(r.status, 200, r.text);
      const ds = pub[question].districts;
      assert.equal(r.json.features.length, ds.length);
      for (const d of ds) {
        const f = r.json.features.find((x) => x.id === d.code);
        assert.ok(f, d.code);
        assert.deepEqual(countProps(f.properties), expected(d.count), `${question} ${d.code}`);
        assert.equal(f.properties.name_fi, d.name.fi);
        assert.match(f.geometry.type, /Polygon/);
      }
    }
    const shown = (await items(colId('spots', 'districts'), '?limit=1000')).json.features.filter((f) => f.properties.count !== 0);
    assert.equal(shown.length, 2, 'the districts of A and B');
    assert.deepEqual(shown.map((f) => f.properties.count).sort(), [17, null].sort(), 'A and C in one, B alone');
  });

  test('paging, one item, bbox, crs', async () => {
    const id = colId('spots', 'hex');
    const p1 = await items(id, '?limit=2');
    assert.equal(p1.json.numberReturned, 2);
    assert.equal(p1.json.numberMatched, 3);
    const next = p1.json.links.find((l) => l.rel === 'next');
    const p2 = await get(next.href);
    assert.equal(p2.json.numberReturned, 1);
    const all = [...p1.json.features, ...p2.json.features].map((f) => f.id).sort();
    assert.deepEqual(all, (await items(id)).json.features.map((f) => f.id).sort());
    const one = await get(`${OGC}/collections/${id}/items/${all[0]}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.id, all[0]);
    const none = await get(`${OGC}/collections/${id}/items/999_999`);
    assert.equal(none.status, 404);
    assert.equal(none.json.error.field, 'featureId');
    const box = await items(id, `?bbox=${A[0] - 0.001},${A[1] - 0.001},${A[0] + 0.001},${A[1] + 0.001}`);
    assert.equal(box.json.features.length, 1, 'only the hexagon of A');
    assert.equal(box.json.features[0].properties.count, 12);
    const every = (await items(colId('spots', 'districts'), '?limit=1000')).json.features.length;
    const near = await items(colId('spots', 'districts'), `?limit=1000&bbox=${A[0] - 0.0005},${A[1] - 0.0005},${A[0] + 0.0005},${A[1] + 0.0005}`);
    assert.ok(near.json.features.length >= 1 && near.json.features.length < every, 'a bbox keeps the districts it meets');
    assert.ok(near.json.features.some((f) => f.properties.count === 17), 'A\'s district among them');
    const metres = await items(id, '?crs=http://www.opengis.net/def/crs/EPSG/0/3067');
    assert.equal(metres.status, 200, metres.text);
    assert.match(metres.headers.get('content-crs'), /3067/);
    assert.ok(metres.json.features[0].geometry.coordinates[0][0][0] > 100000, 'metres');
  });

  test('bad input: 400 naming the parameter, 404 for what is not there', async () => {
    const id = colId('spots', 'hex');
    for (const [q, field] of [['?limit=0', 'limit'], ['?crs=EPSG:9999', 'crs'], ['?bbox=1,2,3', 'bbox'],
      ['?f=xml', 'f'], ['?filter=count>1', 'filter'], ['?bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3067', 'bbox-crs']]) {
      const r = await items(id, q);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error.field, field, q);
    }
    for (const c of [`results-${SLUG}-mode-hex`, `results-${SLUG}-nope-hex`, `results-nope-spots-hex`, `results-${SLUG}-spots`, 'results--hex']) {
      const r = await items(c);
      assert.equal(r.status, 404, c);
      assert.equal(r.json.error.field, 'collectionId', c);
    }
    assert.equal((await download('mode.geojson')).status, 404, 'not a map question');
    assert.equal((await download('nope-districts.geojson')).status, 404);
    assert.equal((await download('spots.geojson?x=1')).status, 400);
  });

  test('downloads: the same features as the collections, ETag and 304', async () => {
    for (const [file, id] of [['spots.geojson', colId('spots', 'hex')], ['spots-hex.geojson', colId('spots', 'hex')],
      ['spots-districts.geojson', colId('spots', 'districts')], ['route.geojson', colId('route', 'hex')]]) {
      const d = await download(file);
      assert.equal(d.status, 200, `${file}: ${d.text}`);
      assert.equal(d.headers.get('content-type'), 'application/geo+json');
      assert.match(d.headers.get('content-disposition'), /attachment; filename=".*\.geojson"/);
      checkGeoJSON(d.text);
      const o = await items(id, '?limit=1000');
      // The collection's features also link to themselves and their collection.
      assert.ok(o.json.features.every((f) => f.links.some((l) => l.rel === 'self')), file);
      assert.deepEqual(d.json.features, o.json.features.map(({ links, ...f }) => f), file);
    }
    const d = await download('spots.geojson');
    const etag = d.headers.get('etag');
    assert.ok(etag);
    assert.equal((await download('spots.geojson', { 'If-None-Match': etag })).status, 304);
  });
});

describe('GDAL reads the published results as QGIS would', () => {
  test('ogrinfo: the OAPIF collections, typed, with a suppressed cell null', () => {
    const base = `OAPIF:${srv.url}${OGC}`;
    const list = ogr([base]);
    assert.match(list, new RegExp(`: ${colId('spots', 'hex')} \\(title: .*\\) \\(Polygon\\)`));
    assert.match(list, new RegExp(`: ${colId('spots', 'districts')} `));
    const info = ogr(['-so', base, colId('spots', 'hex')]);
    assert.match(info, /Feature Count: 3\b/);
    assert.match(info, /count: Integer/);
    assert.match(info, /suppressed: Integer\(Boolean\)/);
    assert.match(info, /reason: String/);
    const all = ogr(['-q', base, colId('spots', 'hex')]);
    assert.equal((all.match(/^OGRFeature\(/gm) || []).length, 3);
    assert.match(all, /count \(Integer\) = \(null\)/, 'the suppressed cell has a null count');
    assert.match(all, /count \(Integer\) = 12\b/);
    assert.doesNotMatch(all, /count \(Integer\) = 2\b/);
    const hidden = ogr(['-q', '-where', 'suppressed = 1', base, colId('spots', 'hex')]);
    assert.equal((hidden.match(/^OGRFeature\(/gm) || []).length, 1);
    const dist = ogr(['-so', base, colId('spots', 'districts')]);
    assert.match(dist, /Geometry: (Multi Polygon|Polygon|Unknown)/);
    assert.match(dist, /name_sv: String/);
  });

  test('ogrinfo: the GeoJSON downloads', async () => {
    for (const [file, n] of [['spots-hex.geojson', 3], ['route.geojson', 1]]) {
      const d = await download(file);
      const f = path.join(srv.dir, file);
      writeFileSync(f, d.text);
      const info = ogr(['-so', '-al', f]);
      assert.match(info, new RegExp(`Feature Count: ${n}\\b`), file);
      assert.match(info, /count: Integer/);
    }
    const d = await download('spots-districts.geojson');
    const f = path.join(srv.dir, 'd.geojson');
    writeFileSync(f, d.text);
    const rows = ogr(['-q', '-al', f, '-where', 'count IS NULL']);
    assert.equal((rows.match(/^OGRFeature\(/gm) || []).length, 1, 'B\'s district: suppressed, null');
  });
});

describe('the public layer of drawn features', () => {
  test('snapped to the hexagon centre when the author asks, only where k respondents drew', async () => {
    let r = await staff('PUT', '/public', { questions: ['spots', 'route'] });
    assert.equal(r.status, 200, r.text);
    const pub = await get(`/api/v1/surveys/${SLUG}/results`);
    const snapped = pub.json.questions.find((q) => q.key === 'spots').features;
    assert.equal(snapped.snapped, true);
    const centres = snapped.features.map((f) => f.geometry.coordinates);
    assert.equal(centres.length, 2, 'A and C');
    const layer = await items(`survey-${SLUG}-spots`, '?limit=100');
    assert.equal(layer.status, 200, layer.text);
    assert.equal(layer.json.numberMatched, 12 + 5, 'the 2 at B are not listed');
    for (const f of layer.json.features) {
      const [x, y] = f.geometry.coordinates;
      assert.ok(centres.some(([cx, cy]) => Math.abs(cx - x) < 1e-6 && Math.abs(cy - y) < 1e-6), `${x},${y} is a centre`);
      assert.ok(![A, B, C].some(([px, py]) => px === x && py === y), 'not where it was drawn');
    }
    // Nothing names a respondent or a time; a free-text follow-up only once approved.
    for (const f of layer.json.features) {
      for (const p of ['response', 'submitted', 'version']) assert.ok(!(p in f.properties), p);
    }
    assert.equal(layer.json.features.filter((f) => f.properties.why !== null).length, 0, 'none approved yet');
    const texts = await staff('GET', '/texts?question=spots');
    assert.equal(texts.status, 200, texts.text);
    assert.equal(texts.json.texts.length, 3);
    const approve = texts.json.texts.find((t) => t.text === 'syy 1');
    r = await staff('PUT', `/texts/${approve.id}`, { state: 'approved' });
    assert.equal(r.status, 200, r.text);
    const moderated = await items(`survey-${SLUG}-spots`, '?limit=100');
    assert.deepEqual(moderated.json.features.map((f) => f.properties.why).filter((w) => w !== null), ['syy 1']);
    const qs = await get(`${OGC}/collections/survey-${SLUG}-spots/queryables`);
    assert.ok(!('submitted' in qs.json.properties) && !('response' in qs.json.properties) && 'why' in qs.json.properties);
    const atA = centres.find(([x, y]) => Math.abs(x - A[0]) < 0.01 && Math.abs(y - A[1]) < 0.01);
    const box = await items(`survey-${SLUG}-spots`, `?bbox=${atA[0] - 1e-4},${atA[1] - 1e-4},${atA[0] + 1e-4},${atA[1] + 1e-4}`);
    assert.equal(box.json.numberMatched, 12, 'a bbox finds a point where it is shown');
    const lines = await items(`survey-${SLUG}-route`);
    assert.equal(lines.status, 200);
    assert.equal(lines.json.numberMatched, 0, 'lines are not listed when snapped');
    // staff see what was drawn
    const raw = await call('GET', `${OGC}/collections/survey-${SLUG}-spots/items?limit=100`, { token: 'planner' });
    assert.equal(raw.json.numberMatched, N);
    assert.ok(raw.json.features.some((f) => f.geometry.coordinates[0] === B[0] && f.geometry.coordinates[1] === B[1]));
    // GDAL reads the snapped layer too
    const info = ogr(['-so', `OAPIF:${srv.url}${OGC}`, `survey-${SLUG}-spots`]);
    assert.match(info, /Feature Count: 17\b/);
  });

  test('not snapped: the points as drawn', async () => {
    let r = await staff('PUT', '/publication', { snap: false });
    assert.equal(r.status, 200, r.text);
    const layer = await items(`survey-${SLUG}-spots`, '?limit=100');
    assert.equal(layer.json.numberMatched, N);
    assert.ok(layer.json.features.some((f) => f.geometry.coordinates[0] === B[0] && f.geometry.coordinates[1] === B[1]));
    // the author's choice: the features as sent, with their response and time
    assert.equal(layer.json.features.filter((f) => f.properties.why !== null).length, 3);
    assert.ok(layer.json.features.every((f) => f.properties.response && f.properties.submitted));
    assert.equal((await items(`survey-${SLUG}-route`)).json.numberMatched, 7);
    r = await staff('PUT', '/publication', { snap: true });
    assert.equal(r.status, 200, r.text);
    assert.equal((await items(`survey-${SLUG}-spots`, '?limit=100')).json.numberMatched, 17);
  });
});
