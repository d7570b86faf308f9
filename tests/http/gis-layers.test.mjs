// GIS layers that open right (issue 18, planners): label columns beside
// codes, the same field names and types in every format as GDAL reads them
// (OAPIF, GeoJSON, GeoPackage, CSV with its CSVT, and the queryables), a
// GeoPackage layer per geometry type, a category's questions as typed
// columns, and exports taking the items' filters.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call as callServer, startServer } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const TOKENS = [{ name: 'mod-bot', role: 'moderator' }];
let srv;
let base;
const call = (method, p, opts) => callServer(srv, method, p, opts);
const noGdal = missingTool('ogrinfo');

// ogrinfo (GDAL 3.6 has no -json): { fields: {name: type}, count, geometry }.
function ogrLayer(args) {
  const out = execFileSync('ogrinfo', ['-so', '-noextent', ...args], { encoding: 'utf8', timeout: 120000 });
  const fields = {};
  for (const line of out.split('\n')) {
    const m = line.match(/^([A-Za-z_]\w*): (\w+(?:\(\w+\))?) \(/);
    if (m && !['Layer', 'Geometry', 'FID', 'Data'].includes(m[1])) fields[m[1]] = m[2];
  }
  const count = Number((out.match(/Feature Count: (\d+)/) || [])[1]);
  const geometry = (out.match(/^Geometry: (.*)$/m) || [])[1];
  return { fields, count, geometry, out };
}

async function download(p, file) {
  const res = await fetch(`${base}${p}`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (file) writeFileSync(path.join(srv.dir, file), buf);
  return { res, buf, text: buf.toString('utf8') };
}

async function newItem(category, geometry, attributes) {
  const r = await call('POST', '/api/v1/feedback', {
    body: { type: 'Feature', geometry, properties: { category, description: `GIS-tasot ${category}`, ...(attributes ? { attributes } : {}) } },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

const patch = (id, body) => call('PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot', body });

before(async () => {
  srv = await startServer({ tokens: TOKENS });
  base = srv.url;
  // Every column gets a value somewhere, so that GDAL's GeoJSON reader,
  // which types a column by its values, has something to read.
  const a = await newItem('lighting', { type: 'Point', coordinates: [28.7705, 61.1935] }, { pole_number: 'K-17' });
  const b = await newItem('lighting', { type: 'MultiPoint', coordinates: [[28.771, 61.194], [28.772, 61.194]] });
  let r = await patch(b, { status: 'duplicate', duplicate_of: a });
  assert.equal(r.status, 200, r.text);
  const c = await newItem('streets', { type: 'LineString', coordinates: [[28.76, 61.19], [28.77, 61.191]] }, { problem: 'pothole' });
  r = await patch(c, { status: 'not_resolvable', resolution_reason: 'Yksityistie.' });
  assert.equal(r.status, 200, r.text);
  const d = await newItem('parks', { type: 'Polygon', coordinates: [[[28.75, 61.18], [28.752, 61.18], [28.752, 61.182], [28.75, 61.18]]] });
  r = await patch(d, { status: 'forwarded', forwarded_to: 'ELY-keskus' });
  assert.equal(r.status, 200, r.text);
});
after(async () => { if (srv) await srv.close(); });

describe('label columns beside codes', () => {
  test('category, status, unit and district come with their names in fi, sv and en', async () => {
    const r = await call('GET', '/ogcapi/collections/feedback/items?limit=1000');
    const withAll = r.json.features.find((f) => f.properties.unit && f.properties.district);
    assert.ok(withAll, 'an item with a unit and a district');
    const p = withAll.properties;
    const cats = (await call('GET', '/api/v1/categories')).json;
    const list = Array.isArray(cats) ? cats : cats.categories;
    const cat = list.find((c) => (c.id || c.code) === p.category);
    assert.ok(cat, p.category);
    const name = (c, l) => (c.name && typeof c.name === 'object' ? c.name[l] : c[`name_${l}`]);
    for (const l of ['fi', 'sv', 'en']) {
      assert.equal(p[`category_${l}`], name(cat, l), `category_${l}`);
      assert.equal(typeof p[`status_${l}`], 'string', `status_${l}`);
    }
    for (const l of ['fi', 'sv']) {
      assert.equal(typeof p[`unit_name_${l}`], 'string', `unit_name_${l}`);
      assert.equal(typeof p[`district_name_${l}`], 'string', `district_name_${l}`);
    }
    const keys = Object.keys(p);
    assert.equal(keys.indexOf('category_fi'), keys.indexOf('category') + 1, 'the name sits beside the code');
    const dup = r.json.features.find((f) => f.properties.status === 'duplicate' && f.properties.duplicate_of !== null);
    assert.equal(dup.properties.status_fi, 'Sama asia on jo ilmoitettu');
    assert.equal(dup.properties.status_sv, 'Samma sak har redan anmälts');
    assert.equal(typeof dup.properties.duplicate_of, 'number', 'duplicate_of is an integer');
  });
});

// GDAL's names for the queryables' JSON types.
function queryableType(q) {
  if (q.contentMediaType === 'application/json') return 'String(JSON)';
  if (q.format === 'date-time') return 'DateTime';
  return { string: 'String', integer: 'Integer', number: 'Real', boolean: 'Integer(Boolean)' }[q.type];
}

// The feedback layer's columns holding JSON text: the category's answers
// and the approved photos.
const JSON_COLUMNS = ['attributes', 'photos'];

describe('the same field names and types in every format', () => {
  // One row per format: how to get its fields as GDAL reads them.
  const formats = [
    // GDAL's first page has no duplicate: the types come from …/schema.
    ['OAPIF', async () => {
      const f = ogrLayer([`OAPIF:${base}/ogcapi`, 'feedback']).fields;
      // A JSON Schema type has no JSON subtype for GDAL: the JSON is a String.
      assert.equal(f.attributes, 'String');
      f.attributes = 'String(JSON)';
      return f;
    }],
    ['GeoJSON', async () => {
      await download('/api/v1/export/feedback.geojson?crs=EPSG:3067', 'types.geojson');
      return ogrLayer([path.join(srv.dir, 'types.geojson'), 'feedback']).fields;
    }],
    ['CSV with its CSVT', async () => {
      await download('/api/v1/export/feedback.csv?crs=EPSG:3879', 'types.csv');
      await download('/api/v1/export/feedback.csvt', 'types.csvt');
      const f = ogrLayer(['-oo', 'KEEP_GEOM_COLUMNS=NO', path.join(srv.dir, 'types.csv'), 'types']).fields;
      // The CSV's own extras: the id (a feature id elsewhere) and a coordinate pair.
      assert.equal(f.id, 'Integer');
      assert.equal(f.easting, 'Real');
      assert.equal(f.northing, 'Real');
      delete f.id; delete f.easting; delete f.northing;
      // A CSVT has no JSON subtype in GDAL 3.6: the JSON text is a String.
      for (const k of JSON_COLUMNS) {
        assert.equal(f[k], 'String', k);
        f[k] = 'String(JSON)';
      }
      return f;
    }],
    ['schema (Part 5)', async () => {
      const q = (await call('GET', '/ogcapi/collections/feedback/schema')).json;
      const f = {};
      for (const [k, v] of Object.entries(q.properties.properties.properties)) f[k] = queryableType(v);
      // JSON columns are left to GDAL, which infers String(JSON) from the
      // items but cannot read that subtype from a schema.
      for (const k of JSON_COLUMNS) {
        assert.equal(f[k], undefined, k);
        f[k] = 'String(JSON)';
      }
      return f;
    }],
    ['queryables', async () => {
      const q = (await call('GET', '/ogcapi/collections/feedback/queryables')).json;
      const f = {};
      for (const [k, v] of Object.entries(q.properties)) if (k !== 'geometry') f[k] = queryableType(v);
      return f;
    }],
  ];
  let gpkg;
  before(async () => {
    if (noGdal) return;
    await download('/api/v1/export/feedback.gpkg?crs=EPSG:3067', 'types.gpkg');
    gpkg = {};
    for (const layer of ['feedback_point', 'feedback_line', 'feedback_polygon']) {
      gpkg[layer] = ogrLayer([path.join(srv.dir, 'types.gpkg'), layer]);
    }
  });

  test('the GeoPackage: a layer per geometry type, the same fields in each', { skip: noGdal }, async () => {
    assert.equal(gpkg.feedback_point.geometry, 'Multi Point');
    assert.equal(gpkg.feedback_line.geometry, 'Multi Line String');
    assert.equal(gpkg.feedback_polygon.geometry, 'Multi Polygon');
    assert.deepEqual(gpkg.feedback_line.fields, gpkg.feedback_point.fields);
    assert.deepEqual(gpkg.feedback_polygon.fields, gpkg.feedback_point.fields);
    const matched = (await call('GET', '/ogcapi/collections/feedback/items?limit=1')).json.numberMatched;
    assert.equal(gpkg.feedback_point.count + gpkg.feedback_line.count + gpkg.feedback_polygon.count, matched);
    const f = gpkg.feedback_point.fields;
    assert.equal(f.duplicate_of, 'Integer');
    assert.equal(f.me_too, 'Integer');
    assert.equal(f.created, 'DateTime');
    assert.equal(f.attributes, 'String(JSON)');
    assert.equal(f.category_sv, 'String');
  });

  for (const [name, fields] of formats) {
    test(`${name}: the GeoPackage's field names, order and types`, { skip: noGdal }, async () => {
      const got = await fields();
      assert.deepEqual(Object.keys(got), Object.keys(gpkg.feedback_point.fields), `${name}: names in order`);
      assert.deepEqual(got, gpkg.feedback_point.fields, `${name}: types`);
    });
  }
});

describe('a category layer: its questions as typed columns', () => {
  test('?category=lighting has pole_number as a column and no attributes JSON', { skip: noGdal }, async () => {
    const { res, text } = await download('/api/v1/export/feedback.geojson?category=lighting');
    assert.equal(res.status, 200, text);
    const fc = JSON.parse(text);
    assert.ok(fc.features.length >= 2);
    for (const f of fc.features) {
      assert.equal(f.properties.category, 'lighting');
      assert.ok(!('attributes' in f.properties));
      assert.ok('pole_number' in f.properties);
      assert.ok('whole_street_dark' in f.properties);
    }
    assert.ok(fc.features.some((f) => f.properties.pole_number === 'K-17'));
    await download('/api/v1/export/feedback.gpkg?category=lighting', 'lighting.gpkg');
    const l = ogrLayer([path.join(srv.dir, 'lighting.gpkg'), 'feedback_point']);
    assert.equal(l.fields.pole_number, 'String');
    assert.equal(l.fields.attributes, undefined);
  });
});

describe('exports take the items\' filters', () => {
  const count = async (fmt, q) => {
    const { res, text, buf } = await download(`/api/v1/export/feedback.${fmt}?${q}`, fmt === 'gpkg' ? `filtered-${Math.random().toString(36).slice(2)}.gpkg` : null);
    assert.equal(res.status, 200, `${fmt}?${q}: ${text.slice(0, 200)}`);
    if (fmt === 'geojson') return JSON.parse(text).features.length;
    if (fmt === 'csv') return text.split('\r\n').filter((l) => l).length - 1;
    const file = path.join(srv.dir, 'f.gpkg');
    writeFileSync(file, buf);
    return ['feedback_point', 'feedback_line', 'feedback_polygon']
      .reduce((n, layer) => n + ogrLayer([file, layer]).count, 0);
  };
  const filters = [
    ['category', 'category=lighting'],
    ['status', 'status=duplicate'],
    ['district', 'district=imatrankoski'],
    ['bbox', 'bbox=28.74,61.17,28.78,61.2'],
    ['datetime', 'datetime=../2026-01-01T00:00:00Z'],
    ['filter (CQL2)', `filter=${encodeURIComponent("status IN ('received','in_progress') AND me_too >= 0")}`],
    ['several at once', 'category=streets&status=not_resolvable'],
  ];
  for (const [name, q] of filters) {
    test(`${name}: the export has exactly the items that /items has`, async () => {
      const matched = (await call('GET', `/ogcapi/collections/feedback/items?limit=1&${q}`)).json.numberMatched;
      const all = (await call('GET', '/ogcapi/collections/feedback/items?limit=1')).json.numberMatched;
      assert.ok(matched > 0 && matched < all, `${q} selects some items (${matched} of ${all})`);
      assert.equal(await count('geojson', q), matched, 'GeoJSON');
      assert.equal(await count('csv', q), matched, 'CSV');
      if (!noGdal) assert.equal(await count('gpkg', q), matched, 'GeoPackage');
    });
  }

  test('a bad filter is a 400 naming the parameter', async () => {
    for (const [q, field] of [['bbox=1,2', 'bbox'], ['datetime=eilen', 'datetime'], ['filter=status%20%3D', 'filter'],
      ['me_too=paljon', 'me_too'], ['limit=10', 'limit'], ['kategoria=x', 'kategoria'], ['crs=EPSG:2393', 'crs'],
      ['filter=nope%20%3D%201', 'filter']]) {
      for (const fmt of ['geojson', 'csv', 'gpkg']) {
        const r = await call('GET', `/api/v1/export/feedback.${fmt}?${q}`);
        assert.equal(r.status, 400, `${fmt}?${q}: ${r.text}`);
        assert.equal(r.json.error.field, field, `${fmt}?${q}`);
      }
    }
  });

  test('the CSVT lists a type per CSV column', async () => {
    const csv = (await download('/api/v1/export/feedback.csv?crs=EPSG:3067')).text;
    const csvt = (await download('/api/v1/export/feedback.csvt')).text;
    const header = csv.slice(1).split('\r\n')[0].split(',');
    const types = csvt.trim().split(',');
    assert.equal(types.length, header.length);
    assert.equal(types[header.indexOf('duplicate_of')], 'Integer');
    assert.equal(types[header.indexOf('created')], 'DateTime');
    assert.equal(types.at(-1), 'WKT');
  });
});
