// OGC API - Tiles (issue 15, docs/ogcapi.md "Tiles"): Mapbox Vector Tiles
// of the feature collections, decoded here and compared with the items the
// same server answers as GeoJSON: clusters with exact counts at low zooms,
// every public point at street zoom where it is, hidden items and
// district-only places never drawn as pins, ETags that follow the data, bad
// tile indexes refused as JSON, and GDAL's MVT driver reading a tile.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import { call, startServer, tempDir } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const TMS = 'WebMercatorQuad';
const EXTENT = 4096;
let srv;

before(async () => {
  srv = await startServer({ demoResponses: 5, tokens: [{ name: 'mod-bot', role: 'moderator' }] });
});
after(async () => { await srv?.close(); });

// Tile column/row of a lon/lat at zoom z, and its position in tile units.
function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const x = (lon + 180) / 360 * n;
  const r = lat * Math.PI / 180;
  const y = (1 - Math.asinh(Math.tan(r)) / Math.PI) / 2 * n;
  const tx = Math.floor(x); const ty = Math.floor(y);
  return { z, x: tx, y: ty, px: (x - tx) * EXTENT, py: (y - ty) * EXTENT };
}

async function getTile(collection, z, y, x, headers = {}) {
  const res = await fetch(`${srv.url}/ogcapi/collections/${collection}/tiles/${TMS}/${z}/${y}/${x}`, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  const layers = res.status === 200 ? new VectorTile(new Pbf(bytes)).layers : {};
  const features = [];
  const layer = layers[collection];
  for (let i = 0; layer && i < layer.length; i++) {
    const f = layer.feature(i);
    features.push({ id: f.id, type: f.type, properties: f.properties, geometry: f.loadGeometry() });
  }
  return { res, bytes, layers, layer, features };
}

async function publicItems(collection) {
  const r = await call(srv, 'GET', `/ogcapi/collections/${collection}/items?limit=10000`);
  assert.equal(r.status, 200);
  return r.json.features;
}

describe('OGC API - Tiles', () => {
  test('landing, conformance and collections point to the tiles', async () => {
    const land = await call(srv, 'GET', '/ogcapi');
    assert.ok(land.json.links.some((l) => l.rel === 'http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes'
      && l.href.endsWith('/ogcapi/tileMatrixSets')));
    const conf = (await call(srv, 'GET', '/ogcapi/conformance')).json.conformsTo;
    for (const c of ['ogcapi-tiles-1/1.0/conf/core', 'ogcapi-tiles-1/1.0/conf/mvt',
      'ogcapi-tiles-1/1.0/conf/geodata-tilesets', 'tms/2.0/conf/tilematrixset']) {
      assert.ok(conf.includes(`http://www.opengis.net/spec/${c}`), c);
    }
    const cols = (await call(srv, 'GET', '/ogcapi/collections')).json.collections;
    for (const id of ['feedback', 'walk-findings', 'districts']) {
      const c = cols.find((x) => x.id === id);
      assert.ok(c.links.some((l) => l.rel === 'http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector'
        && l.href.endsWith(`/ogcapi/collections/${id}/tiles`)), id);
    }
    const agg = cols.find((x) => x.id === 'feedback-by-district');
    assert.ok(!agg.links.some((l) => l.rel.endsWith('tilesets-vector')), 'aggregates have no tiles');
    assert.equal((await call(srv, 'GET', '/ogcapi/collections/feedback-by-district/tiles')).status, 404);
  });

  test('the tile matrix set is WebMercatorQuad, zoom 0 to 22', async () => {
    const list = (await call(srv, 'GET', '/ogcapi/tileMatrixSets')).json;
    assert.deepEqual(list.tileMatrixSets.map((t) => t.id), [TMS]);
    const tms = (await call(srv, 'GET', `/ogcapi/tileMatrixSets/${TMS}`)).json;
    assert.equal(tms.crs, 'http://www.opengis.net/def/crs/EPSG/0/3857');
    assert.equal(tms.tileMatrices.length, 23);
    const z10 = tms.tileMatrices[10];
    assert.equal(z10.id, '10');
    assert.equal(z10.matrixWidth, 1024);
    assert.ok(Math.abs(z10.scaleDenominator - 545978.773465544) < 1e-3, String(z10.scaleDenominator));
    assert.ok(Math.abs(z10.cellSize - 152.874056570353) < 1e-6);
    assert.equal((await call(srv, 'GET', '/ogcapi/tileMatrixSets/WorldCRS84Quad')).status, 404);
  });

  test('a collection lists its tileset, whose item link is a tile template', async () => {
    const sets = (await call(srv, 'GET', '/ogcapi/collections/feedback/tiles')).json;
    assert.equal(sets.tilesets.length, 1);
    assert.equal(sets.tilesets[0].dataType, 'vector');
    assert.equal(sets.tilesets[0].tileMatrixSetURI, 'http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad');
    const set = (await call(srv, 'GET', `/ogcapi/collections/feedback/tiles/${TMS}`)).json;
    const item = set.links.find((l) => l.rel === 'item');
    assert.equal(item.type, 'application/vnd.mapbox-vector-tile');
    assert.match(item.href, /\/ogcapi\/collections\/feedback\/tiles\/WebMercatorQuad\/\{tileMatrix\}\/\{tileRow\}\/\{tileCol\}$/);
    assert.ok(set.links.some((l) => l.rel === 'http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme'));
    assert.match(set.tiles[0], /\/\{z\}\/\{y\}\/\{x\}$/, 'TileJSON template');
    assert.equal((await call(srv, 'GET', '/ogcapi/collections/feedback/tiles/Other')).status, 404);
  });

  test('low zooms: clusters whose counts add up to the public points of the tile', async () => {
    const items = await publicItems('feedback');
    const points = items.filter((f) => f.geometry?.type === 'Point');
    assert.ok(points.length > 10);
    const [lon, lat] = points[0].geometry.coordinates;
    for (const z of [0, 8, 11, 14]) {
      const t = tileOf(lon, lat, z);
      const inTile = points.filter((f) => {
        const u = tileOf(...f.geometry.coordinates, z);
        return u.x === t.x && u.y === t.y;
      });
      const { res, features } = await getTile('feedback', z, t.y, t.x);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/vnd.mapbox-vector-tile');
      const clusters = features.filter((f) => f.type === 1);
      assert.ok(clusters.every((f) => Number.isInteger(f.properties.count) && f.properties.count >= 1));
      const total = clusters.reduce((n, f) => n + f.properties.count, 0);
      assert.equal(total, inTile.length, `zoom ${z}: every public point counted once`);
      if (z === 14) assert.ok(clusters.length > 1, 'cells of 64 units split a zoom-14 tile');
      for (const c of clusters) {
        const [[p]] = c.geometry;
        assert.ok(p.x >= 0 && p.x < EXTENT && p.y >= 0 && p.y < EXTENT, 'a cluster lies in its own tile');
      }
    }
  });

  test('filtered feedback tiles: clusters count only the category and statuses asked for', async () => {
    const items = await publicItems('feedback');
    const points = items.filter((f) => f.geometry?.type === 'Point');
    const cat = points[0].properties.category;
    const closed = ['resolved', 'not_resolvable', 'duplicate', 'forwarded'];
    const [lon, lat] = points[0].geometry.coordinates;
    for (const z of [6, 12, 14]) {
      const t = tileOf(lon, lat, z);
      const inTile = points.filter((f) => {
        const u = tileOf(...f.geometry.coordinates, z);
        return u.x === t.x && u.y === t.y;
      });
      const sum = async (q) => {
        const url = `${srv.url}/ogcapi/collections/feedback/tiles/${TMS}/${z}/${t.y}/${t.x}?${q}`;
        const res = await fetch(url);
        assert.equal(res.status, 200, url);
        const layer = new VectorTile(new Pbf(Buffer.from(await res.arrayBuffer()))).layers.feedback;
        let n = 0;
        for (let i = 0; layer && i < layer.length; i++) {
          const f = layer.feature(i);
          if (f.type === 1) n += f.properties.count;
        }
        return n;
      };
      const byCat = inTile.filter((f) => f.properties.category === cat).length;
      assert.ok(byCat > 0 && byCat < inTile.length, `zoom ${z}: the filter must leave some out`);
      assert.equal(await sum(`category=${cat}`), byCat, `zoom ${z}: category`);
      assert.equal(await sum(`status=${closed.join(',')}`),
        inTile.filter((f) => closed.includes(f.properties.status)).length, `zoom ${z}: closed statuses`);
      assert.equal(await sum(`category=${cat}&status=received`),
        inTile.filter((f) => f.properties.category === cat && f.properties.status === 'received').length,
        `zoom ${z}: both`);
      assert.equal(await sum(''), inTile.length, `zoom ${z}: unfiltered after filtered (no cache mix-up)`);
    }
    for (const q of ['category=a%20b', 'status=', `category=${'x,'.repeat(16)}x`]) {
      const r = await call(srv, 'GET', `/ogcapi/collections/feedback/tiles/${TMS}/0/0/0?${q}`);
      assert.equal(r.status, 400, q);
    }
    const other = await call(srv, 'GET', `/ogcapi/collections/walk-findings/tiles/${TMS}/0/0/0?category=x`);
    assert.equal(other.status, 400, 'only feedback tiles take the filters');
  });

  test('street zoom: each public point where it is, with its properties', async () => {
    const items = await publicItems('feedback');
    const pt = items.find((f) => f.geometry?.type === 'Point' && f.properties.location_precision === 'exact');
    const [lon, lat] = pt.geometry.coordinates;
    const t = tileOf(lon, lat, 17);
    const { features } = await getTile('feedback', 17, t.y, t.x);
    const f = features.find((x) => x.id === pt.id);
    assert.ok(f, `item ${pt.id} drawn at zoom 17`);
    assert.equal(f.type, 1);
    assert.equal(f.properties.category, pt.properties.category);
    assert.equal(f.properties.status, pt.properties.status);
    assert.equal(f.properties.created, pt.properties.created);
    assert.equal(f.properties.count, undefined, 'no clusters above zoom 14');
    const [[p]] = f.geometry;
    // GeoJSON has 7 decimals (~1 cm); a zoom-17 unit is ~0.6 m at 61°N.
    assert.ok(Math.abs(p.x - t.px) <= 1 && Math.abs(p.y - t.py) <= 1, `${p.x},${p.y} vs ${t.px},${t.py}`);
  });

  test('lines and areas are drawn clipped to the tile and its buffer', async () => {
    const items = await publicItems('walk-findings');
    const line = items.find((f) => f.geometry?.type === 'LineString');
    assert.ok(line, 'the demo walks have a line finding');
    const [lon, lat] = line.geometry.coordinates[0];
    for (const z of [12, 18]) {
      const t = tileOf(lon, lat, z);
      const { features } = await getTile('walk-findings', z, t.y, t.x);
      const lines = features.filter((f) => f.type === 2);
      assert.ok(lines.length >= 1, `zoom ${z}: a line`);
      for (const f of lines) {
        for (const ring of f.geometry) {
          for (const p of ring) assert.ok(p.x >= -65 && p.x <= EXTENT + 65 && p.y >= -65 && p.y <= EXTENT + 65);
        }
      }
    }
    const districts = await publicItems('districts');
    const ring = districts[0].geometry.coordinates[0][0];
    const t = tileOf(ring[0][0], ring[0][1], 13);
    const { features } = await getTile('districts', 13, t.y, t.x);
    const areas = features.filter((f) => f.type === 3);
    assert.ok(areas.length >= 1);
    assert.ok(areas.every((f) => typeof f.properties.id === 'string' && f.properties.name_fi), 'text ids as a property');
  });

  test('hidden and district-only items never appear; the ETag follows the data; 304', async () => {
    const post = async (coords, extra = {}) => {
      const r = await call(srv, 'POST', '/api/v1/feedback', {
        body: { type: 'Feature', geometry: { type: 'Point', coordinates: coords },
          properties: { category: 'lighting', description: 'Laattatesti', ...extra } } });
      assert.equal(r.status, 201, r.text);
      return r.json.id ?? Number(String(r.headers.get('location')).split('/').pop());
    };
    const at = [28.7712, 61.1931];
    const id = await post(at);
    const t = tileOf(...at, 17);
    const low = tileOf(...at, 10);
    let a = await getTile('feedback', 17, t.y, t.x);
    assert.ok(a.features.some((f) => f.id === id), 'the new item is drawn');
    const tag = a.res.headers.get('etag');
    assert.match(tag, /^"h[0-9a-f]{24}"$/, 'the hash of the bytes');
    const lowBefore = (await getTile('feedback', 10, low.y, low.x)).features
      .reduce((n, f) => n + (f.properties.count ?? 0), 0);
    const same = await getTile('feedback', 17, t.y, t.x, { 'If-None-Match': tag });
    assert.equal(same.res.status, 304);
    assert.equal(same.bytes.length, 0);

    const hide = await call(srv, 'PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot', body: { hidden: true } });
    assert.equal(hide.status, 200, hide.text);
    a = await getTile('feedback', 17, t.y, t.x, { 'If-None-Match': tag });
    assert.equal(a.res.status, 200, 'the tag is stale after a hide');
    assert.notEqual(a.res.headers.get('etag'), tag);
    assert.ok(!a.features.some((f) => f.id === id), 'a hidden item is not drawn');
    const lowAfter = (await getTile('feedback', 10, low.y, low.x)).features
      .reduce((n, f) => n + (f.properties.count ?? 0), 0);
    assert.equal(lowAfter, lowBefore - 1, 'nor counted in a cluster');

    // Placed by its district only: its point is the district's label
    // point, counted in clusters but never a pin.
    const did = await post(at, { location_precision: 'district' });
    const stored = (await call(srv, 'GET', `/ogcapi/collections/feedback/items/${did}`)).json;
    assert.equal(stored.properties.location_precision, 'district');
    const dt = tileOf(...stored.geometry.coordinates, 17);
    const d = await getTile('feedback', 17, dt.y, dt.x);
    assert.ok(!d.features.some((f) => f.id === did), 'no pin for a district-only item');
    const dl = tileOf(...stored.geometry.coordinates, 10);
    const dlow = (await getTile('feedback', 10, dl.y, dl.x)).features.reduce((n, f) => n + (f.properties.count ?? 0), 0);
    const items = (await publicItems('feedback')).filter((f) => f.geometry?.type === 'Point'
      && (({ x, y }) => x === dl.x && y === dl.y)(tileOf(...f.geometry.coordinates, 10)));
    assert.equal(dlow, items.length, 'a district-only item counts in its cluster');
  });

  test('a write redraws only the tiles over it: elsewhere the ETag stays and 304s, at every zoom and filter', async () => {
    const post = async (coords) => {
      const r = await call(srv, 'POST', '/api/v1/feedback', {
        body: { type: 'Feature', geometry: { type: 'Point', coordinates: coords },
          properties: { category: 'lighting', description: 'Laattatesti, toinen' } } });
      assert.equal(r.status, 201, r.text);
      return r.json.id ?? Number(String(r.headers.get('location')).split('/').pop());
    };
    // Two places a few kilometres apart: apart at z13 and up, in one tile at z10.
    const here = [28.7712, 61.1931];
    const there = [28.81, 61.1931];
    const id = await post(here);
    const get = (t, q, headers) => fetch(`${srv.url}/ogcapi/collections/feedback/tiles/${TMS}/${t.z}/${t.y}/${t.x}${q}`, { headers })
      .then(async (res) => ({ res, bytes: Buffer.from(await res.arrayBuffer()) }));
    const views = [];
    for (const z of [10, 13, 16]) {
      for (const q of ['', '?category=lighting', '?status=received', '?category=streets']) {
        const h = tileOf(...here, z); const o = tileOf(...there, z);
        const v = { z, q, at: h, other: o, apart: h.x !== o.x || h.y !== o.y };
        const a = await get(h, q);
        v.tagAt = a.res.headers.get('etag');
        v.bytesAt = a.bytes;
        v.tagOther = (await get(o, q)).res.headers.get('etag');
        assert.equal((await get(o, q, { 'If-None-Match': v.tagOther })).res.status, 304, 'cached');
        views.push(v);
      }
    }
    assert.ok(views.some((v) => v.apart) && views.some((v) => !v.apart));

    // Hidden "here": the tiles over it change, in the views that drew it.
    const hide = await call(srv, 'PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot', body: { hidden: true } });
    assert.equal(hide.status, 200, hide.text);
    for (const v of views) {
      const name = `z${v.z}${v.q}`;
      const drawn = v.q !== '?category=streets';
      const at = await get(v.at, v.q, { 'If-None-Match': v.tagAt });
      if (drawn) {
        assert.equal(at.res.status, 200, `${name}: the tile over the change is drawn anew`);
        assert.notEqual(at.res.headers.get('etag'), v.tagAt, name);
        assert.notDeepEqual(at.bytes, v.bytesAt, name);
      } else {
        // Drawn anew too (its box holds the change), but the same bytes: the same ETag.
        assert.equal(at.res.status, 304, `${name}: the item was never in this view`);
      }
      if (v.apart) {
        const other = await get(v.other, v.q, { 'If-None-Match': v.tagOther });
        assert.equal(other.res.status, 304, `${name}: a tile away from the change keeps its ETag`);
      }
    }
    // Bytes and ETag agree: the tag is the bytes' and stays with them.
    const c = await get(tileOf(...here, 16), '');
    const d = await get(tileOf(...here, 16), '', { 'If-None-Match': c.res.headers.get('etag') });
    assert.equal(d.res.status, 304);
  });

  test('a change of location_precision alone redraws the tiles over the item, and only those', async () => {
    const post = async (geometry) => {
      const r = await call(srv, 'POST', '/api/v1/feedback', {
        body: { type: 'Feature', geometry, properties: { category: 'lighting', description: 'Tarkkuustesti' } } });
      assert.equal(r.status, 201, r.text);
      return r.json.id ?? Number(String(r.headers.get('location')).split('/').pop());
    };
    const here = [28.7741, 61.1922];
    const there = [28.79, 61.1922]; // another z17 tile
    const id = await post({ type: 'Point', coordinates: here });
    const h17 = tileOf(...here, 17); const o17 = tileOf(...there, 17); const h10 = tileOf(...here, 10);
    assert.ok(h17.x !== o17.x || h17.y !== o17.y);
    const get = (t, headers) => getTile('feedback', t.z, t.y, t.x, headers);
    let at = await get(h17);
    assert.ok(at.features.some((f) => f.id === id), 'an exact point is a pin');
    const other = await get(o17);
    const low = await get(h10);
    const patch = (body) => call(srv, 'PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot', body });

    // Only the district known: no pin any more, at the same place.
    let r = await patch({ location_precision: 'district' });
    assert.equal(r.status, 200, r.text);
    const item = (await call(srv, 'GET', `/ogcapi/collections/feedback/items/${id}`)).json;
    assert.equal(item.properties.location_precision, 'district');
    assert.deepEqual(item.geometry.coordinates, here, 'the place stays');
    const gone = await get(h17, { 'If-None-Match': at.res.headers.get('etag') });
    assert.equal(gone.res.status, 200, 'the cached tile over the item is stale');
    assert.notEqual(gone.res.headers.get('etag'), at.res.headers.get('etag'));
    assert.notDeepEqual(gone.bytes, at.bytes);
    assert.ok(!gone.features.some((f) => f.id === id), 'a district-only item is no pin');
    assert.equal((await get(o17, { 'If-None-Match': other.res.headers.get('etag') })).res.status, 304,
      'a tile elsewhere keeps its tag');
    assert.equal((await get(h10, { 'If-None-Match': low.res.headers.get('etag') })).res.status, 304,
      'the clusters count it either way: the same bytes');

    // Back to exact: the pin again.
    r = await patch({ location_precision: 'exact' });
    assert.equal(r.status, 200, r.text);
    at = await get(h17, { 'If-None-Match': gone.res.headers.get('etag') });
    assert.equal(at.res.status, 200);
    assert.ok(at.features.some((f) => f.id === id), 'a pin again');

    // Any writer, not only the API: the change log's trigger (schema 0026).
    const q = spawnSync('sqlite3', [srv.db, '.timeout 5000',
      `UPDATE feedback SET location_precision = 'district' WHERE id = ${id}`], { encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
    const sql = await get(h17, { 'If-None-Match': at.res.headers.get('etag') });
    assert.equal(sql.res.status, 200, 'a change written by SQL is in the log too');
    assert.ok(!sql.features.some((f) => f.id === id));

    // A correction of the place is drawn by the moderator: exact again.
    const moved = [here[0] + 0.0002, here[1]];
    r = await patch({ geometry: { type: 'Point', coordinates: moved } });
    assert.equal(r.status, 200, r.text);
    const staff = (await call(srv, 'GET', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot' })).json;
    assert.equal(staff.feedback.properties.location_precision, 'exact');
    const ev = staff.events.at(-1);
    assert.equal(ev.kind, 'correct');
    assert.equal(ev.after.location_precision, 'exact');
    assert.equal(ev.before.location_precision, 'district');
    const mt = tileOf(...moved, 17);
    assert.ok((await get(mt)).features.some((f) => f.id === id), 'the corrected place is a pin');

    // Bad values name the field; address and district only for a Point.
    r = await patch({ location_precision: 'street' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'location_precision');
    const line = await post({ type: 'LineString', coordinates: [here, there] });
    r = await call(srv, 'PATCH', `/api/v1/staff/feedback/${line}`, { token: 'mod-bot', body: { location_precision: 'address' } });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, 'location_precision');
    assert.match(r.json.error.message, /only for a Point/);
  });

  test('a collection without a version to follow is tagged by its bytes', async () => {
    const items = await publicItems('walk-findings');
    const t = tileOf(...items.find((f) => f.geometry.type === 'Point').geometry.coordinates, 15);
    const a = await getTile('walk-findings', 15, t.y, t.x);
    assert.match(a.res.headers.get('etag'), /^"h[0-9a-f]{24}"$/);
    const b = await getTile('walk-findings', 15, t.y, t.x, { 'If-None-Match': a.res.headers.get('etag') });
    assert.equal(b.res.status, 304);
  });

  test('bad tile indexes, collections and formats are JSON errors naming the field', async () => {
    const cases = [
      ['/ogcapi/collections/feedback/tiles/WebMercatorQuad/23/0/0', 404, 'tileMatrix'],
      ['/ogcapi/collections/feedback/tiles/WebMercatorQuad/x/0/0', 400, 'tileMatrix'],
      ['/ogcapi/collections/feedback/tiles/WebMercatorQuad/-1/0/0', 400, 'tileMatrix'],
      ['/ogcapi/collections/feedback/tiles/WebMercatorQuad/2/4/0', 404, 'tileRow'],
      ['/ogcapi/collections/feedback/tiles/WebMercatorQuad/2/0/4', 404, 'tileCol'],
      ['/ogcapi/collections/feedback/tiles/WebMercatorQuad/2/01/0', 400, 'tileRow'],
      ['/ogcapi/collections/feedback/tiles/WebMercatorQuad/2/0/1.5', 400, 'tileCol'],
      ['/ogcapi/collections/feedback/tiles/WebMercatorQuad/2/0/99999999999999999999', 400, 'tileCol'],
      ['/ogcapi/collections/nothing/tiles/WebMercatorQuad/0/0/0', 404, 'collectionId'],
      ['/ogcapi/collections/feedback/tiles/Other/0/0/0', 404, 'tileMatrixSetId'],
      ['/ogcapi/collections/feedback/tiles/WebMercatorQuad/0/0/0?f=json', 400, 'f'],
      ['/ogcapi/collections/feedback/tiles/WebMercatorQuad/0/0/0?bbox=1,2,3,4', 400, 'bbox'],
    ];
    for (const [url, status, field] of cases) {
      const r = await call(srv, 'GET', url);
      assert.equal(r.status, status, `${url}: ${r.text}`);
      assert.equal(r.json?.error?.field, field, url);
    }
    const ok = await call(srv, 'GET', '/ogcapi/collections/feedback/tiles/WebMercatorQuad/0/0/0?f=mvt');
    assert.equal(ok.status, 200);
  });

  test('GDAL reads a tile with its MVT driver', { skip: missingTool('ogrinfo') }, async () => {
    const items = await publicItems('feedback');
    const pt = items.find((f) => f.geometry?.type === 'Point' && f.properties.location_precision === 'exact');
    const t = tileOf(...pt.geometry.coordinates, 16);
    const { bytes, features } = await getTile('feedback', 16, t.y, t.x);
    const file = path.join(tempDir('tiles-'), 'tile.mvt');
    writeFileSync(file, bytes);
    const out = execFileSync('ogrinfo', ['-ro', '-al', '-oo', `Z=${t.z}`, '-oo', `X=${t.x}`, '-oo', `Y=${t.y}`,
      `MVT:${file}`], { encoding: 'utf8', timeout: 60000 });
    assert.match(out, /Layer name: feedback/);
    assert.equal((out.match(/^OGRFeature\(feedback\)/gm) || []).length, features.length);
    assert.match(out, new RegExp(`mvt_id \\(Integer64\\) = ${pt.id}\\b`));
    assert.match(out, new RegExp(`category \\(String\\) = ${pt.properties.category}`));
    // EPSG:3857 metres of the item, within a zoom-16 unit (~2.4 m at the equator).
    const m = out.match(new RegExp(`mvt_id \\(Integer64\\) = ${pt.id}[\\s\\S]*?POINT \\(([-\\d.]+) ([-\\d.]+)\\)`));
    const R = 6378137;
    const ex = R * pt.geometry.coordinates[0] * Math.PI / 180;
    const ey = R * Math.asinh(Math.tan(pt.geometry.coordinates[1] * Math.PI / 180));
    assert.ok(Math.abs(Number(m[1]) - ex) < 3 && Math.abs(Number(m[2]) - ey) < 3, `${m[1]} ${m[2]} vs ${ex} ${ey}`);
  });

  // GDAL 3.6's OGCAPI driver (Debian's) walks collection → tileset list →
  // tileset → tile matrix set, then opens vector tiles as no layer whatever
  // the documents say: its InitWithTilesAPI has a raster branch only (the
  // OGCAPITiledLayer constructor has no caller in libgdal 3.6.2). What we
  // can hold it to: it finds every link it looks for (no ERROR on the way)
  // and parses our tile matrix set as its own GoogleMapsCompatible.
  for (const collection of ['feedback', 'walk-findings']) {
    test(`GDAL's OGCAPI driver follows ${collection}'s tile links to the tile matrix set`,
      { skip: missingTool('ogrinfo') }, () => {
        const base = `${srv.url}/ogcapi`;
        const r = spawnSync('ogrinfo', ['-ro', '-so', '-oo', 'API=TILES', `OGCAPI:${base}/collections/${collection}`],
          { encoding: 'utf8', timeout: 60000, env: { ...process.env, CPL_DEBUG: 'ON' } });
        const log = `${r.stdout}\n${r.stderr}`;
        const fetched = [...log.matchAll(/HTTP: Fetch\(([^)]*)\)/g)].map((m) => m[1]);
        assert.deepEqual(fetched, [`${base}/collections/${collection}`, `${base}/collections/${collection}/tiles`,
          `${base}/collections/${collection}/tiles/${TMS}`, `${base}/tileMatrixSets/${TMS}`], log);
        assert.doesNotMatch(log, /^ERROR/m);
        // A GDAL with vector tiles in its OGCAPI driver lists a layer per zoom.
        if (r.status === 0) assert.match(r.stdout, /Zoom level 15/);
      });
  }

  test('GDAL parses our tile matrix set as GoogleMapsCompatible', { skip: missingTool('gdal_translate') }, async () => {
    const dir = tempDir('tms-');
    const tms = await call(srv, 'GET', `/ogcapi/tileMatrixSets/${TMS}`);
    writeFileSync(path.join(dir, 'tms.json'), tms.text);
    // A small raster over Imatra, tiled once by GDAL's built-in scheme and
    // once by ours: the same zoom and the same grid.
    const src = path.join(dir, 'src.tif');
    execFileSync('gdal_create', ['-q', '-of', 'GTiff', '-outsize', '16', '16', '-a_srs', 'EPSG:3857',
      '-a_ullr', '3180000', '8680000', '3220000', '8640000', src]);
    const tiled = (scheme, name) => {
      const out = path.join(dir, name);
      execFileSync('gdal_translate', ['-q', '-of', 'COG', '-co', `TILING_SCHEME=${scheme}`, src, out],
        { encoding: 'utf8', timeout: 60000 });
      return JSON.parse(execFileSync('gdalinfo', ['-json', out], { encoding: 'utf8', timeout: 60000 }));
    };
    const ours = tiled(path.join(dir, 'tms.json'), 'ours.tif');
    const gdal = tiled('GoogleMapsCompatible', 'gdal.tif');
    assert.equal(ours.metadata.TILING_SCHEME?.ZOOM_LEVEL, gdal.metadata.TILING_SCHEME.ZOOM_LEVEL);
    // Our origin is π·R to 0.1 mm, GDAL's exact: a millimetre apart at most.
    for (let i = 0; i < 6; i++) {
      assert.ok(Math.abs(ours.geoTransform[i] - gdal.geoTransform[i]) < 1e-3, `${ours.geoTransform} vs ${gdal.geoTransform}`);
    }
    assert.deepEqual(ours.size, gdal.size);
  });
});
