// OGC API - Features (Parts 1-4), the exports and imports, proven with the
// tools planners use: GDAL's ogrinfo/ogr2ogr against the live server, an
// OpenAPI validator and an RFC 7946 checker.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { check as checkGeoJSON } from '@placemarkio/check-geojson';
import { startServer, vaikutaBin } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

let srv;
let base;
const OGC = '/ogcapi';
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const EPSG = (n) => `http://www.opengis.net/def/crs/EPSG/0/${n}`;

async function get(p, headers = {}) {
  const res = await fetch(p.startsWith('http') ? p : `${base}${p}`, { headers });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { res, json, text };
}

const items = (col, q = '') => get(`${OGC}/collections/${col}/items${q ? `?${q}` : ''}`);
const allFeedback = async () => (await items('feedback', 'limit=10000')).json.features;
const ogr = (args) => execFileSync('ogrinfo', args, { encoding: 'utf8', timeout: 120000 });

before(async () => {
  srv = await startServer();
  base = srv.url;
  // More items than a few GDAL pages: the demo plus 40 points in a row.
  for (let i = 0; i < 40; i++) {
    const res = await fetch(`${base}/api/v1/feedback`, {
      method: 'POST', headers: { 'Content-Type': 'application/geo+json' },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [28.70 + i * 0.002, 61.20] },
        properties: { category: i % 2 ? 'lighting' : 'streets', description: `Testi ${i}: ääkköset ja "lainaus", pilkku` } }),
    });
    assert.equal(res.status, 201);
  }
});
after(async () => { if (srv) await srv.close(); });

describe('Part 1: landing page, conformance, API definition, collections', () => {
  test('landing page links', async () => {
    const { res, json } = await get(OGC);
    assert.equal(res.status, 200);
    const rel = (r) => json.links.find((l) => l.rel === r);
    assert.equal(rel('self').type, 'application/json');
    assert.equal(rel('service-desc').type, 'application/vnd.oai.openapi+json;version=3.0');
    assert.ok(rel('conformance').href.endsWith('/ogcapi/conformance'));
    assert.ok(rel('data').href.endsWith('/ogcapi/collections'));
    for (const l of json.links) assert.match(l.href, /^http:\/\/127\.0\.0\.1:\d+\/ogcapi/);
  });

  test('conformance declares the classes served', async () => {
    const { json } = await get(`${OGC}/conformance`);
    for (const c of ['ogcapi-features-1/1.0/conf/core', 'ogcapi-features-1/1.0/conf/geojson',
      'ogcapi-features-1/1.0/conf/oas30', 'ogcapi-features-2/1.0/conf/crs',
      'ogcapi-features-3/1.0/conf/filter', 'ogcapi-features-3/1.0/conf/features-filter',
      'ogcapi-features-3/1.0/conf/queryables', 'cql2/1.0/conf/cql2-text', 'cql2/1.0/conf/basic-cql2',
      'cql2/1.0/conf/advanced-comparison-operators', 'cql2/1.0/conf/basic-spatial-functions']) {
      assert.ok(json.conformsTo.includes(`http://www.opengis.net/spec/${c}`), c);
    }
    assert.ok(!json.conformsTo.some((c) => c.includes('/html')), 'no HTML is served, none declared');
  });

  test('the OpenAPI document is valid OpenAPI 3.0', async () => {
    const { res, json } = await get(`${OGC}/api`);
    assert.equal(res.headers.get('content-type'), 'application/vnd.oai.openapi+json;version=3.0');
    assert.equal(json.openapi.slice(0, 3), '3.0');
    const api = await SwaggerParser.validate(structuredClone(json));
    assert.ok(api.paths['/ogcapi/collections/{collectionId}/items'].get.parameters.length >= 10);
    assert.ok(api.paths['/api/v1/feedback'].post, 'the REST API is described too');
  });

  test('collections with extents, CRS list and storage CRS', async () => {
    const { json } = await get(`${OGC}/collections`);
    const ids = json.collections.map((c) => c.id);
    // Then the aggregates of issue 6 (stats.test.mjs tests them) and the
    // accessibility walks of issue 14 (walk-gis.test.mjs) and the demo
    // budgeting round's proposals and projects of issue 13.
    // feedback-points/-lines/-areas: feedback by geometry type (issue 18).
    assert.deepEqual(ids, ['feedback', 'feedback-points', 'feedback-lines', 'feedback-areas',
      'districts', 'accessibility-areas', 'feedback-by-district',
      'feedback-by-accessibility-area', 'walks', 'walk-findings', 'budget-proposals', 'budget-projects']);
    for (const c of json.collections) {
      assert.equal(c.storageCrs, CRS84);
      for (const crs of [CRS84, EPSG(4326), EPSG(3067), EPSG(3879)]) assert.ok(c.crs.includes(crs));
      const [x0, y0, x1, y1] = c.extent.spatial.bbox[0];
      assert.ok(x0 > 28.4 && x1 < 29.2 && y0 > 61 && y1 < 61.4 && x0 < x1 && y0 < y1, c.id);
      assert.ok(c.links.some((l) => l.rel === 'items' && l.type === 'application/geo+json'));
    }
    const fb = json.collections[0];
    assert.match(fb.extent.temporal.interval[0][0], /^\d{4}-\d\d-\d\dT/);
    const one = await get(`${OGC}/collections/districts`);
    assert.equal(one.json.id, 'districts');
    assert.equal((await get(`${OGC}/collections/nope`)).res.status, 404);
  });

  test('queryables are a JSON Schema of the public properties', async () => {
    const { res, json } = await get(`${OGC}/collections/feedback/queryables`);
    assert.equal(res.headers.get('content-type'), 'application/schema+json');
    assert.equal(json.type, 'object');
    assert.deepEqual(json.properties.status.enum, ['received', 'in_progress', 'planned', 'resolved',
      'not_resolvable', 'duplicate', 'forwarded']);
    assert.ok(json.properties.unit && !('internal_note' in json.properties));
    assert.equal(json.properties.created.format, 'date-time');
    assert.ok(json.properties.geometry);
    assert.ok(!('email' in json.properties) && !('contact' in json.properties));
  });
});

describe('Part 1: items', () => {
  test('paging with next/prev covers every item exactly once', async () => {
    const first = await items('feedback', 'limit=9');
    assert.equal(first.res.status, 200);
    assert.equal(first.res.headers.get('content-crs'), `<${CRS84}>`);
    assert.match(first.json.timeStamp, /Z$/);
    const total = first.json.numberMatched;
    assert.ok(total >= 80);
    const ids = [];
    let page = first.json;
    let pages = 0;
    for (;;) {
      assert.equal(page.numberReturned, page.features.length);
      ids.push(...page.features.map((f) => f.id));
      pages++;
      const next = page.links.find((l) => l.rel === 'next');
      if (!next) break;
      page = (await get(next.href)).json;
      assert.ok(page.links.some((l) => l.rel === 'prev'));
    }
    assert.equal(ids.length, total);
    assert.equal(new Set(ids).size, total);
    assert.equal(pages, Math.ceil(total / 9));
  });

  test('paging through a bbox query (R*Tree order) also covers every item once', async () => {
    const q = 'bbox=28.6,61.1,28.95,61.3';
    const all = (await items('feedback', `${q}&limit=10000`)).json;
    const ids = [];
    let page = (await items('feedback', `${q}&limit=6`)).json;
    for (;;) {
      assert.equal(page.numberMatched, all.numberMatched);
      ids.push(...page.features.map((f) => f.id));
      const next = page.links.find((l) => l.rel === 'next');
      if (!next) break;
      assert.doesNotMatch(next.href, /after=/, 'bbox pages go by offset');
      page = (await get(next.href)).json;
    }
    assert.deepEqual([...ids].sort((a, b) => a - b), all.features.map((f) => f.id).sort((a, b) => a - b));
    assert.equal(new Set(ids).size, ids.length);
  });

  test('limit is clamped above 10 000 and refused below 1', async () => {
    const big = await items('feedback', 'limit=50000');
    assert.equal(big.res.status, 200);
    assert.equal(big.json.numberReturned, big.json.numberMatched);
    for (const q of ['limit=0', 'limit=-3', 'limit=x', 'offset=-1']) {
      const r = await items('feedback', q);
      assert.equal(r.res.status, 400, q);
      assert.equal(r.json.error.code, 'invalid_parameter');
    }
  });

  test('bbox with 4 or 6 numbers intersects; bad ones are 400', async () => {
    const all = await allFeedback();
    const box = [28.7, 61.18, 28.8, 61.21];
    const inBox = (await items('feedback', `bbox=${box}&limit=10000`)).json;
    const six = (await items('feedback', `bbox=${box[0]},${box[1]},0,${box[2]},${box[3]},100&limit=10000`)).json;
    assert.deepEqual(six.features.map((f) => f.id), inBox.features.map((f) => f.id));
    const expect = all.filter((f) => f.geometry.type === 'Point').filter(({ geometry: { coordinates: [x, y] } }) =>
      x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]).map((f) => f.id);
    const got = inBox.features.filter((f) => f.geometry.type === 'Point').map((f) => f.id);
    assert.deepEqual(got.sort(), expect.sort());
    assert.equal(inBox.numberMatched, inBox.features.length);
    for (const q of ['bbox=1,2,3', 'bbox=1,2,3,4,5', 'bbox=a,b,c,d', 'bbox=29,62,28,61', 'bbox=28,61,181,62']) {
      assert.equal((await items('feedback', q)).res.status, 400, q);
    }
  });

  test('datetime: instants, intervals and open ends on the creation time', async () => {
    const all = await allFeedback();
    const created = all.map((f) => f.properties.created).sort();
    const mid = created[Math.floor(created.length / 2)];
    const count = async (q) => (await items('feedback', `datetime=${encodeURIComponent(q)}&limit=1`)).json.numberMatched;
    assert.equal(await count(`${mid}/..`), created.filter((t) => t >= mid).length);
    assert.equal(await count(`../${mid}`), created.filter((t) => t <= mid).length);
    assert.equal(await count(`/${mid}`), created.filter((t) => t <= mid).length);
    assert.equal(await count(mid), created.filter((t) => t === mid).length);
    assert.equal(await count(`${created[0]}/${created[created.length - 1]}`), created.length);
    const day = mid.slice(0, 10);
    assert.equal(await count(day), created.filter((t) => t.startsWith(day)).length);
    for (const q of ['yesterday', '2026-13-01T00:00:00Z', '2026-02-01T00:00:00Z/2026-01-01T00:00:00Z', '../..', 'a/b/c']) {
      assert.equal((await items('feedback', `datetime=${encodeURIComponent(q)}`)).res.status, 400, q);
    }
  });

  test('property filters from the queryables; unknown parameters are 400', async () => {
    const all = await allFeedback();
    const r = (await items('feedback', 'category=lighting&status=received&limit=10000')).json;
    assert.equal(r.numberMatched, all.filter((f) => f.properties.category === 'lighting' && f.properties.status === 'received').length);
    const d = (await items('districts', 'code=mansikkala')).json;
    assert.equal(d.numberMatched, 1);
    const bad = await items('feedback', 'colour=red');
    assert.equal(bad.res.status, 400);
    assert.equal(bad.json.error.code, 'unknown_parameter');
  });

  test('one item, with links; 404 for unknown ones', async () => {
    const { res, json } = await get(`${OGC}/collections/feedback/items/1`);
    assert.equal(res.status, 200);
    assert.equal(json.id, 1);
    assert.ok(json.links.some((l) => l.rel === 'collection'));
    const district = await get(`${OGC}/collections/districts/items/imatrankoski`);
    assert.equal(district.json.properties.name_fi, 'Imatrankoski');
    for (const p of ['feedback/items/999999', 'feedback/items/abc', 'districts/items/atlantis', 'nope/items/1']) {
      assert.equal((await get(`${OGC}/collections/${p}`)).res.status, 404, p);
    }
  });

  test('every items response is valid RFC 7946 GeoJSON', async () => {
    for (const col of ['feedback', 'districts', 'accessibility-areas']) {
      const { text } = await items(col, 'limit=10000');
      assert.doesNotThrow(() => checkGeoJSON(text), col);
    }
  });
});

describe('Part 2: coordinate reference systems', () => {
  test('crs=EPSG:3067, EPSG:4326 (lat first) and EPSG:3879 (northing first)', { skip: missingTool('cs2cs') }, async () => {
    const ref = (await get(`${OGC}/collections/feedback/items/1`)).json.geometry.coordinates;
    const tm = await get(`${OGC}/collections/feedback/items/1?crs=${EPSG(3067)}`);
    assert.equal(tm.res.headers.get('content-crs'), `<${EPSG(3067)}>`);
    const [e, n] = tm.json.geometry.coordinates;
    assert.ok(e > 570000 && e < 620000 && n > 6770000 && n < 6810000, `${e} ${n}`);
    const ll = (await get(`${OGC}/collections/feedback/items/1?crs=${EPSG(4326)}`)).json.geometry.coordinates;
    assert.deepEqual(ll, [ref[1], ref[0]]);
    const gk = (await get(`${OGC}/collections/feedback/items/1?crs=${EPSG(3879)}`)).json.geometry.coordinates;
    assert.ok(gk[0] > 6770000 && gk[1] > 25600000, `GK25 is northing, easting: ${gk}`);
    // Checked against PROJ's own command line tool.
    const cs = execFileSync('cs2cs', ['-f', '%.3f', 'EPSG:4326', 'EPSG:3067'], { input: `${ref[1]} ${ref[0]}\n`, encoding: 'utf8' });
    const [ce, cn] = cs.trim().split(/\s+/).map(Number);
    assert.ok(Math.abs(ce - e) < 0.002 && Math.abs(cn - n) < 0.002, `cs2cs ${ce} ${cn} vs ${e} ${n}`);
  });

  test('bbox-crs: the same box in EPSG:3067 finds the same items', { skip: missingTool('cs2cs') }, async () => {
    const [x0, y0, x1, y1] = [28.7, 61.18, 28.8, 61.21];
    const cs = execFileSync('cs2cs', ['-f', '%.3f', 'EPSG:4326', 'EPSG:3067'],
      { input: `${y0} ${x0}\n${y1} ${x1}\n`, encoding: 'utf8' }).trim().split('\n').map((l) => l.split(/\s+/).map(Number));
    const ll = (await items('feedback', `bbox=${x0},${y0},${x1},${y1}&limit=10000`)).json;
    const tm = (await items('feedback', `bbox=${cs[0][0]},${cs[0][1]},${cs[1][0]},${cs[1][1]}&bbox-crs=${EPSG(3067)}&limit=10000`)).json;
    const inside = (f) => f.geometry.type !== 'Point' || (f.geometry.coordinates[0] >= x0 + 0.002 && f.geometry.coordinates[0] <= x1 - 0.002);
    // A projected box is not a lon/lat box: compare the points well inside both.
    const a = new Set(ll.features.filter(inside).map((f) => f.id));
    const b = new Set(tm.features.map((f) => f.id));
    for (const id of a) assert.ok(b.has(id), `item ${id} in both`);
  });

  test('an unsupported CRS is 400', async () => {
    for (const q of [`crs=${EPSG(2393)}`, 'crs=nonsense', `bbox-crs=${EPSG(3857)}&bbox=1,2,3,4`, 'bbox-crs=EPSG:3067']) {
      const r = await items('feedback', q);
      assert.equal(r.res.status, 400, q);
    }
  });
});

describe('Part 3: CQL2 filters', () => {
  let all;
  before(async () => { all = await allFeedback(); });
  const ids = (fs) => fs.map((f) => f.id).sort((a, b) => a - b);
  const filtered = async (f, extra = '') => {
    const r = await items('feedback', `filter=${encodeURIComponent(f)}&limit=10000${extra}`);
    assert.equal(r.res.status, 200, `${f}: ${r.text.slice(0, 300)}`);
    return ids(r.json.features);
  };

  test('comparisons, AND/OR/NOT, IN, BETWEEN, LIKE, IS NULL', async () => {
    const p = (f) => f.properties;
    const cases = [
      ["status = 'resolved'", (f) => p(f).status === 'resolved'],
      ["status <> 'resolved' AND category = 'lighting'", (f) => p(f).status !== 'resolved' && p(f).category === 'lighting'],
      ["category IN ('parks', 'winter') OR status = 'in_progress'", (f) => ['parks', 'winter'].includes(p(f).category) || p(f).status === 'in_progress'],
      ["NOT (status = 'received')", (f) => p(f).status !== 'received'],
      ["created BETWEEN TIMESTAMP('2026-01-01T00:00:00Z') AND TIMESTAMP('2026-06-30T23:59:59Z')", (f) => p(f).created >= '2026-01-01T00:00:00Z' && p(f).created <= '2026-06-30T23:59:59Z'],
      ["description LIKE 'Testi 1%'", (f) => p(f).description.startsWith('Testi 1')],
      ['answer IS NULL', (f) => p(f).answer === null],
      ['answer IS NOT NULL AND forwarded_to IS NULL', (f) => p(f).answer !== null && p(f).forwarded_to === null],
      ["unit = 'street_maintenance'", (f) => p(f).unit === 'street_maintenance'],
      ["created > DATE('2026-01-01')", (f) => p(f).created.slice(0, 10) > '2026-01-01'],
    ];
    for (const [f, pred] of cases) {
      assert.deepEqual(await filtered(f), ids(all.filter(pred)), f);
    }
  });

  test('S_INTERSECTS with WKT, also in another filter-crs', { skip: missingTool('cs2cs') }, async () => {
    const poly = 'POLYGON((28.7 61.18, 28.8 61.18, 28.8 61.21, 28.7 61.21, 28.7 61.18))';
    const byFilter = await filtered(`S_INTERSECTS(geometry, ${poly})`);
    const byBbox = ids((await items('feedback', 'bbox=28.7,61.18,28.8,61.21&limit=10000')).json.features);
    assert.deepEqual(byFilter, byBbox);
    assert.ok(byFilter.length > 0);
    const pt = all.find((f) => f.geometry.type === 'Point');
    const tm = execFileSync('cs2cs', ['-f', '%.3f', 'EPSG:4326', 'EPSG:3067'],
      { input: `${pt.geometry.coordinates[1]} ${pt.geometry.coordinates[0]}\n`, encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    const near = `POLYGON((${tm[0] - 5} ${tm[1] - 5}, ${tm[0] + 5} ${tm[1] - 5}, ${tm[0] + 5} ${tm[1] + 5}, ${tm[0] - 5} ${tm[1] + 5}, ${tm[0] - 5} ${tm[1] - 5}))`;
    const got = await filtered(`S_INTERSECTS(geometry, ${near})`, `&filter-crs=${EPSG(3067)}`);
    assert.ok(got.includes(pt.id), 'a 10 m square in EPSG:3067 around the point finds it');
  });

  test('unknown properties and broken filters are 400 with the field "filter"', async () => {
    for (const f of ["colour = 'red'", 'status =', "status = 'a' AND", '((((', "email = 'x@y.fi'", "S_INTERSECTS(geometry, POLYGON((1 2, 3)))",
      "created > 'yesterday'", 'status = 3', 'NOT'.repeat(1) + ' ' + '('.repeat(5000)]) {
      const r = await items('feedback', `filter=${encodeURIComponent(f)}`);
      assert.equal(r.res.status, 400, f);
      assert.equal(r.json.error.field, 'filter', f);
    }
    assert.equal((await items('feedback', 'filter-lang=cql2-json&filter=x')).res.status, 400);
  });
});

describe('Part 4: create, and what is reserved for staff', () => {
  test('POST creates feedback with the REST API checks', async () => {
    const body = { type: 'Feature', geometry: { type: 'Point', coordinates: [28.76, 61.17] },
      properties: { category: 'parks', description: 'Penkki puuttuu.' } };
    const res = await fetch(`${base}${OGC}/collections/feedback/items`, {
      method: 'POST', headers: { 'Content-Type': 'application/geo+json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 201);
    const loc = res.headers.get('location');
    assert.match(loc, /^\/ogcapi\/collections\/feedback\/items\/\d+$/);
    assert.equal((await get(loc)).json.properties.description, 'Penkki puuttuu.');
    const bad = await fetch(`${base}${OGC}/collections/feedback/items`, {
      method: 'POST', headers: { 'Content-Type': 'application/geo+json' },
      body: JSON.stringify({ ...body, geometry: { type: 'Point', coordinates: [24.9, 60.2] } }) });
    assert.equal(bad.status, 422);
    const ro = await fetch(`${base}${OGC}/collections/districts/items`, {
      method: 'POST', headers: { 'Content-Type': 'application/geo+json' }, body: JSON.stringify(body) });
    assert.equal(ro.status, 405);
  });

  test('PUT, PATCH and DELETE are 401 until staff accounts exist; OPTIONS says what is allowed', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await fetch(`${base}${OGC}/collections/feedback/items/1`, { method, headers: { 'Content-Type': 'application/geo+json' }, body: method === 'DELETE' ? undefined : '{}' });
      assert.equal(res.status, 401, method);
      assert.ok(res.headers.get('www-authenticate'));
    }
    const opt = await fetch(`${base}${OGC}/collections/feedback/items`, { method: 'OPTIONS' });
    assert.equal(opt.status, 204);
    assert.equal(opt.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
    assert.equal((await get(`${OGC}/collections/feedback/items/1`)).json.id, 1, 'nothing was changed');
  });
});

describe('exports', () => {
  test('GeoJSON export is RFC 7946 and complete', async () => {
    const { res, text } = await get('/api/v1/export/feedback.geojson');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition'), /feedback\.geojson/);
    const fc = checkGeoJSON(text);
    const matched = (await items('feedback', 'limit=1')).json.numberMatched;
    assert.equal(fc.features.length, matched);
  });

  test('CSV export: UTF-8 with BOM, header, WKT and coordinates; opens in GDAL', { skip: missingTool('ogrinfo') }, async () => {
    const res = await fetch(`${base}/api/v1/export/feedback.csv?crs=EPSG:3067`);
    const buf = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = buf.toString('utf8').slice(1);
    const header = text.split('\r\n')[0].split(',');
    assert.deepEqual(header.slice(0, 5), ['id', 'category', 'category_fi', 'category_sv', 'category_en']);
    assert.deepEqual(header.slice(-3), ['easting', 'northing', 'wkt']);
    assert.ok(text.includes('"Testi 3: ääkköset ja ""lainaus"", pilkku"'), 'quotes and Finnish letters survive');
    const file = path.join(srv.dir, 'f.csv');
    writeFileSync(file, buf);
    const info = ogr(['-so', '-oo', 'GEOM_POSSIBLE_NAMES=wkt', '-oo', 'KEEP_GEOM_COLUMNS=NO', file, 'f']);
    const matched = (await items('feedback', 'limit=1')).json.numberMatched;
    assert.match(info, new RegExp(`Feature Count: ${matched}\\b`));
  });

  test('GeoPackage export opens in ogrinfo with the asked CRS and every row', { skip: missingTool('ogrinfo') }, async () => {
    for (const [col, crs, epsg] of [['feedback', 'EPSG:3067', 3067], ['districts', null, 4326], ['accessibility-areas', 'EPSG:3879', 3879]]) {
      const res = await fetch(`${base}/api/v1/export/${col}.gpkg${crs ? `?crs=${crs}` : ''}`);
      assert.equal(res.status, 200, col);
      assert.equal(res.headers.get('content-type'), 'application/geopackage+sqlite3');
      const file = path.join(srv.dir, `${col}.gpkg`);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      // feedback mixes points, lines and areas: a layer for each.
      const layers = col === 'feedback' ? ['feedback_point', 'feedback_line', 'feedback_polygon'] : [col.replace('-', '_')];
      let count = 0;
      for (const layer of layers) {
        const info = ogr(['-so', file, layer]);
        count += Number(info.match(/Feature Count: (\d+)/)[1]);
        assert.match(info, new RegExp(`ID\\["EPSG",${epsg}\\]\\]\\s*$`, 'm'), `${layer} in EPSG:${epsg}`);
      }
      const matched = (await items(col, 'limit=1')).json.numberMatched;
      assert.equal(count, matched, col);
    }
    assert.equal((await get('/api/v1/export/feedback.shp')).res.status, 404);
    assert.equal((await get('/api/v1/export/nope.gpkg')).res.status, 404);
    assert.equal((await get('/api/v1/export/feedback.gpkg?crs=EPSG:2393')).res.status, 400);
  });
});

describe('GDAL reads the service as QGIS would', () => {
  test('ogrinfo lists every collection', { skip: missingTool('ogrinfo') }, () => {
    const out = ogr([`OAPIF:${base}${OGC}`]);
    for (const c of ['feedback', 'districts', 'accessibility-areas', 'budget-proposals', 'budget-projects']) {
      assert.match(out, new RegExp(`: ${c} `));
    }
  });

  test('the feature count GDAL reports equals numberMatched, also paging 7 at a time', { skip: missingTool('ogrinfo') }, async () => {
    for (const col of ['feedback', 'districts', 'accessibility-areas', 'budget-proposals', 'budget-projects']) {
      const matched = (await items(col, 'limit=1')).json.numberMatched;
      assert.ok(matched > 0, `${col}: the demo has items`);
      assert.match(ogr(['-so', `OAPIF:${base}${OGC}`, col]), new RegExp(`Feature Count: ${matched}\\b`), col);
      const all = ogr(['-q', '-oo', 'PAGE_SIZE=7', `OAPIF:${base}${OGC}`, col]);
      assert.equal((all.match(/^OGRFeature\(/gm) || []).length, matched, `${col}: features read page by page`);
    }
  });

  test('ogr2ogr -f GPKG -t_srs EPSG:3067 from the service', { skip: missingTool('ogr2ogr') }, async () => {
    const out = path.join(srv.dir, 'fromservice.gpkg');
    execFileSync('ogr2ogr', ['-f', 'GPKG', '-t_srs', 'EPSG:3067', out, `OAPIF:${base}${OGC}`, 'feedback'], { timeout: 120000 });
    const info = ogr(['-so', out, 'feedback']);
    const matched = (await items('feedback', 'limit=1')).json.numberMatched;
    assert.match(info, new RegExp(`Feature Count: ${matched}\\b`));
    assert.match(info, /TM35FIN/);
  });
});

describe('vaikuta export and import', () => {
  test('CLI export, then import into a new database gives the same items', async () => {
    const out = path.join(srv.dir, 'cli.gpkg');
    let r = spawnSync(vaikutaBin, ['export', '--db', srv.db, '--collection', 'feedback', '--format', 'gpkg', '--crs', 'EPSG:3067', '-o', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const fresh = path.join(srv.dir, 'fresh.sqlite');
    r = spawnSync(vaikutaBin, ['import', '--db', fresh, '--collection', 'feedback', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const matched = (await items('feedback', 'limit=1')).json.numberMatched;
    assert.match(r.stdout, new RegExp(`imported ${matched} feedback items, skipped 0`));
    const gj = path.join(srv.dir, 'back.geojson');
    r = spawnSync(vaikutaBin, ['export', '--db', fresh, '--collection', 'feedback', '--format', 'geojson', '-o', gj], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const back = JSON.parse(readFileSync(gj, 'utf8'));
    const orig = (await items('feedback', 'limit=10000')).json;
    assert.equal(back.features.length, orig.features.length);
    for (let i = 0; i < orig.features.length; i++) {
      assert.deepEqual(back.features[i].properties, orig.features[i].properties);
    }
  });

  test('import is all or nothing; --skip-invalid reports index and reason', () => {
    const file = path.join(srv.dir, 'mixed.geojson');
    const good = (d) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [28.77, 61.19] }, properties: { category: 'parks', description: d } });
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [good('yksi'),
      { ...good('kaksi'), geometry: { type: 'Point', coordinates: [10, 10] } }, good('kolme'),
      { ...good('neljä'), properties: { category: 'ufo', description: 'x' } }] }));
    const db = path.join(srv.dir, 'imp.sqlite');
    let r = spawnSync(vaikutaBin, ['import', '--db', db, '--collection', 'feedback', file], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /feature 1: .*outside/);
    assert.match(r.stderr, /nothing was imported/);
    r = spawnSync(vaikutaBin, ['import', '--db', db, '--collection', 'feedback', '--skip-invalid', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /imported 2 feedback items, skipped 2/);
    assert.match(r.stderr, /skipped feature 1: .*outside/);
    assert.match(r.stderr, /skipped feature 3: unknown category/);
  });
});

// Absolute links never follow the request's Host header (issue 19, 8e).
describe('links and a hostile Host header', () => {
  const EVIL = 'evil.example';
  // GET with our own Host header (fetch would set its own).
  const getWithHost = (url, host) => new Promise((resolve, reject) => {
    const u = new URL(url);
    http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { Host: host } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    }).on('error', reject);
  });
  const paths = ['/ogcapi', '/ogcapi/collections', '/ogcapi/collections/feedback',
    '/ogcapi/collections/feedback/items?limit=2', '/open311/v2/discovery.json',
    '/ogcapi/collections/feedback-by-district/items?limit=2'];

  test('with --public-url every link starts with it and the Host header appears nowhere', async () => {
    const pub = await startServer({ args: ['--public-url', 'https://palaute.example.fi/vaikuta/'] });
    try {
      for (const p of paths) {
        const r = await getWithHost(`${pub.url}${p}`, EVIL);
        assert.equal(r.status, 200, `${p}: ${r.text}`);
        assert.ok(!r.text.includes(EVIL), `${p} names the Host header`);
        const links = [...r.text.matchAll(/"(?:href|url|self)"\s*:\s*"(https?:[^"]*)"/g)].map((m) => m[1]);
        assert.ok(links.length > 0 || p.startsWith('/open311'), `${p} has links`);
        for (const l of links) assert.ok(l.startsWith('https://palaute.example.fi/vaikuta/'), `${p}: ${l}`);
      }
      const items = JSON.parse((await getWithHost(`${pub.url}/ogcapi/collections/feedback/items?limit=2`, EVIL)).text);
      assert.equal(items.links.find((l) => l.rel === 'next').href.split('?')[0],
        'https://palaute.example.fi/vaikuta/ogcapi/collections/feedback/items');
    } finally {
      await pub.close();
    }
  });

  test('without --public-url links use the listen address, not the Host header', async () => {
    for (const p of paths) {
      const r = await getWithHost(`${base}${p}`, EVIL);
      assert.equal(r.status, 200, p);
      assert.ok(!r.text.includes(EVIL), `${p} names the Host header`);
    }
    const r = JSON.parse((await getWithHost(`${base}/ogcapi`, EVIL)).text);
    assert.ok(r.links.every((l) => l.href.startsWith(`${base}/`)), JSON.stringify(r.links));
  });

  test('a --public-url that could inject text is refused', () => {
    for (const bad of ['palaute.example.fi', 'ftp://x', 'https://x/"><script>', 'https://x?y=1', 'https://']) {
      const r = spawnSync(vaikutaBin, ['serve', '--public-url', bad, '--listen', '127.0.0.1:1'], { encoding: 'utf8' });
      assert.equal(r.status, 2, bad);
      assert.match(r.stderr, /--public-url/);
    }
  });
});

describe('feedback split by geometry type', () => {
  const SPLIT = { 'feedback-points': 'Point', 'feedback-lines': 'LineString', 'feedback-areas': 'Polygon' };

  test('listed, each of one type, together exactly the public feedback', async () => {
    const cols = (await get(`${OGC}/collections`)).json.collections;
    const all = await allFeedback();
    const seen = [];
    for (const [id, type] of Object.entries(SPLIT)) {
      const c = cols.find((x) => x.id === id);
      assert.ok(c, `${id} is listed`);
      const r = await items(id, 'limit=10000');
      assert.equal(r.res.status, 200, r.text);
      assert.ok(r.json.features.length > 0, `${id} has items`);
      for (const f of r.json.features) assert.equal(f.geometry.type, type, `${id}: ${f.id}`);
      assert.equal(r.json.numberMatched, r.json.features.length);
      seen.push(...r.json.features.map((f) => f.id));
      // The same properties as feedback, filters too.
      const one = r.json.features[0];
      assert.deepEqual(Object.keys(one.properties), Object.keys(all.find((f) => f.id === one.id).properties));
      const cat = await items(id, `limit=10000&category=${one.properties.category}`);
      assert.ok(cat.json.features.every((f) => f.properties.category === one.properties.category));
      // Read-only: residents report through feedback.
      const post = await fetch(`${base}${OGC}/collections/${id}/items`, { method: 'POST',
        headers: { 'Content-Type': 'application/geo+json' }, body: '{}' });
      assert.equal(post.status, 405);
    }
    assert.deepEqual(seen.sort((a, b) => a - b), all.map((f) => f.id).sort((a, b) => a - b));
  });

  test('ogrinfo reads each as one layer of its type', () => {
    for (const [id, type] of Object.entries(SPLIT)) {
      const out = ogr(['-so', '-al', `OAPIF:${base}${OGC}`, id]);
      assert.match(out, new RegExp(`Geometry: ${type === 'LineString' ? 'Line String' : type}`), `${id}\n${out}`);
      assert.match(out, /Feature Count: [1-9]/, out);
    }
  });
});
