// OGC API - Features on every collection (issue 15, docs/ogcapi.md): one
// table of parameter cases, valid and invalid, walked over every collection
// a server with demo data serves — feedback, areas, the aggregates, a
// survey's answers and its published results, walks and their findings,
// the budgeting layers. Each collection answers the parameters of Parts 1-3
// the same way, and one that cannot honour a parameter says why in a 400.
// Then Part 4 as a client uses it (create, read, update with If-Match, a
// stale update refused with 412, delete) and GDAL's OAPIF driver reads every
// collection.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call as callServer, startServer } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const OGC = '/ogcapi';
const SLUG = 'conformance-map';
const T = (s) => ({ fi: s, sv: s, en: s });
const SURVEY = {
  slug: SLUG,
  title: T('Kartta'),
  pages: [{ key: 'p1', title: T('Sivu'), elements: [{ key: 'spots', type: 'map-point', text: T('Paikat') }] }],
};
// Collections whose items are computed by code of their own: they take
// neither CQL2 filters nor sortby nor datetime, and say so.
const COMPUTED = /^(feedback-by-|results-)/;
// Computed collections whose items can be tested against a bbox.
const COMPUTED_BBOX = /^results-/;

let srv;
const call = (method, url, opts = {}) => callServer(srv, method, url, { token: 'planner', ...opts });
const get = (url) => call('GET', url.startsWith('http') ? url.replace(srv.url, '') : url);

before(async () => {
  srv = await startServer({
    demo: true, demoResponses: 20, args: ['--rate-limit', '0'],
    tokens: [{ name: 'planner', role: 'planner' }, { name: 'mod', role: 'moderator' }],
  });
  // A survey with answers on the map and its results out: survey-… and results-… collections.
  let r = await call('POST', '/api/v1/staff/surveys', { body: SURVEY });
  assert.equal(r.status, 201, r.text);
  assert.equal((await call('POST', `/api/v1/staff/surveys/${SLUG}/publish`)).status, 200);
  for (let i = 0; i < 6; i++) {
    r = await call('POST', `/api/v1/surveys/${SLUG}/responses`, { token: undefined, body: {
      id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, version: 1,
      answers: { spots: [{ geometry: { type: 'Point', coordinates: [28.78 + i * 0.003, 61.19] } }] } } });
    assert.equal(r.status, 201, r.text);
  }
  r = await call('PUT', `/api/v1/staff/surveys/${SLUG}/publication`, { body: { results: true } });
  assert.equal(r.status, 200, r.text);
});
after(async () => { if (srv) await srv.close(); });

// Every collection the planner sees, and the survey's by id (a provider
// may leave a staff-only layer out of the list but still serve it).
async function collections() {
  const { json } = await get(`${OGC}/collections`);
  const ids = json.collections.map((c) => c.id);
  for (const id of [`survey-${SLUG}-spots`, `results-${SLUG}-spots-hex`, `results-${SLUG}-spots-districts`]) {
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

// What one collection is: its document, its first sortable and first
// listed property, and its whole item count.
async function profile(id) {
  const doc = (await get(`${OGC}/collections/${id}`)).json;
  const qs = (await get(`${OGC}/collections/${id}/queryables`)).json;
  const props = Object.entries(qs.properties).filter(([k]) => k !== 'geometry');
  const scalar = props.find(([, p]) => ['string', 'integer', 'number'].includes(p.type));
  const all = (await get(`${OGC}/collections/${id}/items?limit=10000`)).json;
  return {
    id, doc, all,
    temporal: Boolean(doc.extent?.temporal),
    computed: COMPUTED.test(id),
    bbox: !COMPUTED.test(id) || COMPUTED_BBOX.test(id),
    property: (props.find(([k]) => all.features.every((f) => k in f.properties)) || props[0])[0],
    sortable: scalar?.[0],
  };
}

const ok = (r, what) => assert.equal(r.status, 200, `${what}: ${r.text.slice(0, 300)}`);
// A refusal: 400, naming the parameter, with a reason (not just "invalid").
function refused(r, param, what) {
  assert.equal(r.status, 400, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  assert.equal(r.json.error.field, param, what);
  assert.ok(r.json.error.message.length > 15, `${what}: ${r.json.error.message}`);
}
const rel = (json, r) => json.links.find((l) => l.rel === r);
const ISO = /^\d{4}-\d{2}-\d{2}T/;

// The table: name, query (from the profile), and what must hold.
const CASES = [
  ['no parameters: a FeatureCollection, counts, self link, links on every feature', () => '', async (r, c) => {
    ok(r, c.id);
    assert.equal(r.json.type, 'FeatureCollection');
    assert.ok(r.json.numberMatched >= r.json.numberReturned);
    assert.match(r.json.timeStamp, ISO);
    assert.ok(rel(r.json, 'self').href.includes(`/collections/${c.id}/items`));
    for (const f of r.json.features) {
      assert.ok(f.links.some((l) => l.rel === 'collection' && l.href.endsWith(`${OGC}/collections/${c.id}`)), c.id);
      assert.ok(f.links.some((l) => l.rel === 'self'), c.id);
    }
    const first = r.json.features[0];
    if (first) {
      const one = await get(first.links.find((l) => l.rel === 'self').href);
      ok(one, `${c.id} self link of a feature`);
      assert.equal(String(one.json.id), String(first.id));
      assert.ok(one.json.links.some((l) => l.rel === 'collection'));
    }
  }],
  ['limit above the maximum is clamped, not refused', () => 'limit=1000000', (r, c) => {
    ok(r, c.id);
    assert.match(rel(r.json, 'self').href, /limit=10000\b/);
  }],
  ['limit=0 is refused', () => 'limit=0', (r) => refused(r, 'limit', 'limit=0')],
  ['limit=abc is refused', () => 'limit=abc', (r) => refused(r, 'limit', 'limit=abc')],
  ['paging: limit=1 links to the next page, which links back', () => 'limit=1', async (r, c) => {
    ok(r, c.id);
    assert.ok(r.json.numberReturned <= 1);
    if (c.all.numberMatched < 2) { assert.equal(rel(r.json, 'next'), undefined); return; }
    const next = await get(rel(r.json, 'next').href);
    ok(next, `${c.id} next`);
    assert.notEqual(String(next.json.features[0].id), String(r.json.features[0].id), `${c.id}: the next page moves on`);
    assert.ok(rel(next.json, 'prev'), `${c.id}: prev on page 2`);
  }],
  ['offset=1 has a prev link', () => 'offset=1', (r, c) => { ok(r, c.id); assert.ok(rel(r.json, 'prev'), c.id); }],
  ['bbox over the municipality', () => 'bbox=20,59,32,71', (r, c) => {
    if (!c.bbox) return refused(r, 'bbox', c.id);
    ok(r, c.id);
    assert.ok(r.json.numberMatched <= c.all.numberMatched);
  }],
  ['bbox across the antimeridian (west edge east of the east edge) is two boxes', () => 'bbox=28,59,-170,71', async (r, c) => {
    if (!c.bbox) return refused(r, 'bbox', c.id);
    ok(r, c.id);
    const east = await get(`${OGC}/collections/${c.id}/items?bbox=28,59,180,71&limit=10000`);
    const west = await get(`${OGC}/collections/${c.id}/items?bbox=-180,59,-170,71&limit=10000`);
    assert.equal(r.json.numberMatched, east.json.numberMatched + west.json.numberMatched, c.id);
  }],
  ['bbox across the antimeridian that leaves the municipality out', () => 'bbox=32,59,20,71', (r, c) => {
    if (!c.bbox) return refused(r, 'bbox', c.id);
    ok(r, c.id);
    assert.ok(r.json.features.every((f) => !f.geometry || f.geometry.type !== 'Point'
      || f.geometry.coordinates[0] >= 32 || f.geometry.coordinates[0] <= 20), c.id);
  }],
  ['bbox with 3 numbers is refused', () => 'bbox=1,2,3', (r) => refused(r, 'bbox', 'bbox=1,2,3')],
  ['bbox-crs EPSG:3067', () => `bbox=500000,6700000,700000,6900000&bbox-crs=${encodeURIComponent('http://www.opengis.net/def/crs/EPSG/0/3067')}`, (r, c) => {
    if (!c.bbox) return refused(r, 'bbox', c.id);
    ok(r, c.id);
  }],
  ['bbox-crs without bbox is refused', () => 'bbox-crs=EPSG:3067', (r) => refused(r, 'bbox-crs', 'bbox-crs alone')],
  ['datetime with an open start', () => 'datetime=../2100-01-01', (r, c) => {
    if (!c.temporal) return refused(r, 'datetime', c.id);
    ok(r, c.id);
  }],
  ['datetime with an open end', () => 'datetime=2000-01-01/..', (r, c) => {
    if (!c.temporal) return refused(r, 'datetime', c.id);
    ok(r, c.id);
  }],
  ['datetime before anything', () => 'datetime=1990-01-01/1990-12-31', (r, c) => {
    if (!c.temporal) return refused(r, 'datetime', c.id);
    ok(r, c.id);
    assert.equal(r.json.numberMatched, 0, c.id);
  }],
  ['datetime that is no date is refused', () => 'datetime=yesterday', (r) => refused(r, 'datetime', 'datetime=yesterday')],
  ['crs EPSG:3067', () => 'crs=http://www.opengis.net/def/crs/EPSG/0/3067', (r, c) => {
    ok(r, c.id);
    assert.match(r.headers.get('content-crs'), /EPSG\/0\/3067/);
  }],
  ['an unknown crs is refused', () => 'crs=EPSG:1', (r) => refused(r, 'crs', 'crs=EPSG:1')],
  ['filter in CQL2 text', () => `filter=${encodeURIComponent('S_INTERSECTS(geometry, BBOX(20, 59, 32, 71))')}`, (r, c) => {
    if (c.computed) return refused(r, 'filter', c.id);
    ok(r, c.id);
  }],
  ['filter with filter-crs EPSG:3067', () => `filter=${encodeURIComponent('S_INTERSECTS(geometry, BBOX(500000, 6700000, 700000, 6900000))')}&filter-crs=${encodeURIComponent('http://www.opengis.net/def/crs/EPSG/0/3067')}`, (r, c) => {
    if (c.computed) return refused(r, 'filter', c.id);
    ok(r, c.id);
  }],
  ['filter-lang cql2-json is refused', () => 'filter-lang=cql2-json&filter=%7B%7D', (r) => {
    assert.equal(r.status, 400);
    assert.match(r.json.error.field, /^filter/);
  }],
  ['a filter that does not parse is refused', () => 'filter=(', (r) => refused(r, 'filter', 'filter=(')],
  ['sortby ascending and descending', (c) => `sortby=-${c.sortable}`, async (r, c) => {
    if (c.computed) return refused(r, 'sortby', c.id);
    ok(r, c.id);
    const up = await get(`${OGC}/collections/${c.id}/items?limit=10000&sortby=${encodeURIComponent(`+${c.sortable}`)}`);
    ok(up, c.id);
    const vals = up.json.features.map((f) => f.properties[c.sortable]).filter((v) => v !== null && v !== undefined);
    for (let i = 1; i < vals.length; i++) assert.ok(vals[i - 1] <= vals[i], `${c.id} ${c.sortable}: ${vals[i - 1]} before ${vals[i]}`);
    const down = await get(`${OGC}/collections/${c.id}/items?limit=10000&sortby=-${c.sortable}`);
    const dvals = down.json.features.map((f) => f.properties[c.sortable]).filter((v) => v !== null && v !== undefined);
    assert.deepEqual(dvals, [...vals].reverse(), `${c.id}: descending is ascending reversed`);
  }],
  ['sortby on no property is refused', () => 'sortby=nosuchproperty', (r) => refused(r, 'sortby', 'sortby=nosuchproperty')],
  ['properties: only the chosen one', (c) => `properties=${c.property}`, (r, c) => {
    ok(r, c.id);
    for (const f of r.json.features) assert.deepEqual(Object.keys(f.properties), [c.property], c.id);
  }],
  ['properties naming no property is refused', () => 'properties=nosuchproperty', (r, c) => {
    if (c.all.numberMatched === 0 && c.computed) return;
    refused(r, 'properties', 'properties=nosuchproperty');
  }],
  ['an unknown parameter is refused', () => 'colour=red', (r) => {
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'unknown_parameter');
  }],
  ['f=json is GeoJSON; f=xml is refused', () => 'f=xml', (r) => refused(r, 'f', 'f=xml')],
];

describe('every collection × every parameter', () => {
  test('the collections of every kind are there', async () => {
    const ids = await collections();
    for (const id of ['feedback', 'feedback-points', 'feedback-lines', 'feedback-areas', 'districts',
      'accessibility-areas', 'feedback-by-district',
      'feedback-by-accessibility-area', 'walks', 'walk-findings', 'budget-proposals', 'budget-projects',
      `survey-${SLUG}-spots`, `results-${SLUG}-spots-hex`, `results-${SLUG}-spots-districts`]) {
      assert.ok(ids.includes(id), id);
      assert.equal((await get(`${OGC}/collections/${id}`)).status, 200, id);
    }
  });

  test('the table', async (t) => {
    for (const id of await collections()) {
      const c = await profile(id);
      assert.ok(c.all.numberMatched > 0 || c.computed, `${id} has demo items`);
      for (const [name, query, check] of CASES) {
        await t.test(`${id}: ${name}`, async () => {
          const q = query(c);
          const r = await get(`${OGC}/collections/${id}/items${q ? `?${q}` : ''}`);
          await check(r, c);
        });
      }
    }
  });

  test('a single item: ETag, conditional GET, links; its collection cannot be edited unless it is feedback', async () => {
    for (const id of await collections()) {
      const page = (await get(`${OGC}/collections/${id}/items?limit=1`)).json;
      if (!page.features.length) continue;
      const href = page.features[0].links.find((l) => l.rel === 'self').href.replace(srv.url, '');
      const r = await get(href);
      ok(r, href);
      if (!COMPUTED.test(id)) {
        assert.match(r.headers.get('etag'), /^"[0-9a-f]{32}"$/, href);
        const again = await call('GET', href, { headers: { 'If-None-Match': r.headers.get('etag') } });
        assert.equal(again.status, 304, href);
      }
      if (id !== 'feedback') {
        const put = await call('PATCH', href, { token: 'mod', headers: { 'If-Match': '*' }, body: { properties: {} } });
        assert.equal(put.status, 405, `${href}: ${put.text}`);
        assert.ok(put.json.error.message.length > 15);
      }
    }
  });
});

describe('Part 4: a client creates, reads, updates and deletes a feedback item', () => {
  const items = `${OGC}/collections/feedback/items`;
  const mod = (method, url, headers, body) => call(method, url, { token: 'mod', headers, body });

  test('conformance declares Part 4', async () => {
    const { json } = await get(`${OGC}/conformance`);
    for (const c of ['create-replace-delete', 'update', 'optimistic-locking-etags']) {
      assert.ok(json.conformsTo.includes(`http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/${c}`), c);
    }
  });

  test('create → read → update with If-Match → stale update 412 → delete', async () => {
    // create (a resident: no token)
    const created = await callServer(srv, 'POST', items, { body: { type: 'Feature',
      geometry: { type: 'Point', coordinates: [28.77, 61.18] },
      properties: { category: 'streets', description: 'Kuoppa pyörätiellä.' } } });
    assert.equal(created.status, 201, created.text);
    const loc = created.headers.get('location');
    assert.match(loc, /^\/ogcapi\/collections\/feedback\/items\/\d+$/);
    // read
    const read = await get(loc);
    ok(read, loc);
    const tag = read.headers.get('etag');
    assert.match(tag, /^"[0-9a-f]{32}"$/);
    // no If-Match: 428; wrong media type: 415
    const blind = await mod('PATCH', loc, {}, { properties: { status: 'in_progress' } });
    assert.equal(blind.status, 428, blind.text);
    assert.equal(blind.json.error.field, 'If-Match');
    // update (merge patch) with If-Match
    const upd = await mod('PATCH', loc, { 'If-Match': tag, 'Content-Type': 'application/merge-patch+json' },
      { properties: { status: 'in_progress', answer: 'Korjataan ensi viikolla.', internal_note: 'tilattu' } });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.json.properties.status, 'in_progress');
    assert.equal(upd.json.properties.answer, 'Korjataan ensi viikolla.');
    const tag2 = upd.headers.get('etag');
    assert.notEqual(tag2, tag);
    assert.equal((await get(loc)).headers.get('etag'), tag2, 'the answer\'s ETag is the item\'s');
    // a stale update: 412, and nothing changed
    const stale = await mod('PATCH', loc, { 'If-Match': tag }, { properties: { status: 'planned' } });
    assert.equal(stale.status, 412, stale.text);
    assert.equal((await get(loc)).json.properties.status, 'in_progress');
    // what is the resident's cannot be changed, by name
    const geom = await mod('PATCH', loc, { 'If-Match': tag2 }, { geometry: { type: 'Point', coordinates: [28.7, 61.1] } });
    assert.equal(geom.status, 400);
    assert.equal(geom.json.error.field, 'geometry');
    const cat = await mod('PATCH', loc, { 'If-Match': tag2 }, { properties: { category: 'lighting' } });
    assert.equal(cat.status, 400);
    assert.equal(cat.json.error.field, 'properties.category');
    const bad = await mod('PATCH', loc, { 'If-Match': tag2 }, { properties: { status: 'done' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'properties.status');
    // replace: PUT the Feature as read, changed
    const cur = (await get(loc)).json;
    delete cur.links;
    const missing = await mod('PUT', loc, { 'If-Match': tag2 }, { ...cur, properties: { status: 'planned' } });
    assert.equal(missing.status, 400, 'PUT must send the whole Feature');
    const put = await mod('PUT', loc, { 'If-Match': tag2 }, { ...cur, properties: { ...cur.properties, status: 'planned' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.properties.status, 'planned');
    const tag3 = put.headers.get('etag');
    // the changes are in the item's history (the audit log) under the moderator's name
    const id = loc.split('/').pop();
    const hist = await call('GET', `/api/v1/staff/feedback/${id}`, { token: 'mod' });
    const kinds = hist.json.events.map((e) => e.kind);
    assert.ok(kinds.includes('answer') || kinds.includes('status'), kinds.join());
    assert.ok(hist.json.events.some((e) => e.actor === 'mod' && e.internal_note === 'tilattu'));
    // the same Idempotency-Key replays the answer instead of writing twice
    const key = { 'If-Match': tag3, 'Idempotency-Key': `oapif-${id}` };
    const once = await mod('PATCH', loc, key, { properties: { answer: 'Korjattu.' } });
    assert.equal(once.status, 200, once.text);
    const twice = await mod('PATCH', loc, key, { properties: { answer: 'Korjattu.' } });
    assert.equal(twice.status, 200, twice.text);
    assert.equal(twice.text, once.text);
    const tag4 = (await get(loc)).headers.get('etag');
    // delete: stale first, then with the tag; the public no longer sees it, the moderator does
    assert.equal((await mod('DELETE', loc, { 'If-Match': tag })).status, 412);
    const del = await mod('DELETE', loc, { 'If-Match': tag4 });
    assert.equal(del.status, 204, del.text);
    assert.equal((await callServer(srv, 'GET', loc)).status, 404);
    assert.equal((await call('GET', loc, { token: 'mod' })).status, 200);
  });

  test('residents and planners cannot edit', async () => {
    const r = await callServer(srv, 'PATCH', `${items}/1`, { headers: { 'If-Match': '*' }, body: { properties: { status: 'planned' } } });
    assert.equal(r.status, 401);
    const p = await call('PATCH', `${items}/1`, { headers: { 'If-Match': '*' }, body: { properties: { status: 'planned' } } });
    assert.equal(p.status, 403);
  });
});

describe('GDAL reads every collection through its OAPIF driver', { skip: missingTool('ogr2ogr') }, () => {
  test('ogrinfo lists them and ogr2ogr copies each whole', async () => {
    const list = execFileSync('ogrinfo', ['-ro', '-q', `OAPIF:${srv.url}${OGC}`], { encoding: 'utf8', timeout: 120000 });
    const { json } = await callServer(srv, 'GET', `${OGC}/collections`);
    for (const c of json.collections) {
      assert.ok(list.includes(c.id), `ogrinfo lists ${c.id}`);
      const out = path.join(srv.dir, `${c.id}.geojson`);
      execFileSync('ogr2ogr', ['-f', 'GeoJSON', out, `OAPIF:${srv.url}${OGC}`, c.id], { timeout: 180000 });
      const copied = JSON.parse(execFileSync('cat', [out], { encoding: 'utf8' }));
      const matched = (await callServer(srv, 'GET', `${OGC}/collections/${c.id}/items?limit=1`)).json.numberMatched;
      assert.equal(copied.features.length, matched, `${c.id}: every item copied`);
    }
  });
});
