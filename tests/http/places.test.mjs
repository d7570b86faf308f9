// The gazetteer over HTTP (docs/places.md): `vaikuta load-addresses` of the
// fixture, GET /api/v1/geocode and /api/v1/reverse with their bad input,
// Open311's address_string alone, and location_precision in the API, the
// Open311 answers and the exports (GDAL reads the GeoPackage's field).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, repoRoot, startServer, tempDir, vaikutaCli } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const FIXTURE = path.join(repoRoot, 'tests/fixtures/places.csv');
// The test districts: Länsi (Väster) west of 28.5°, Itä (Öster) east of it.
const GEO = path.join(repoRoot, 'tests/fixtures/geo');
let srv;
let category;

describe('places', () => {
  before(async () => {
    const dir = tempDir();
    const db = path.join(dir, 'test.sqlite');
    vaikutaCli(['init', '--db', db, '--geo', GEO]);
    const out = vaikutaCli(['load-addresses', '--db', db, '--crs', 'EPSG:4326', FIXTURE]);
    assert.match(out, /9 addresses on 5 streets, 1 places/);
    // Idempotent: the same file again gives the same gazetteer.
    assert.match(vaikutaCli(['load-addresses', '--db', db, '--crs', 'EPSG:4326', FIXTURE]),
      /9 addresses on 5 streets, 1 places/);
    srv = await startServer({ dir, db, demo: false, args: ['--geo', GEO] });
    category = (await call(srv, 'GET', '/api/v1/categories')).json.categories[0].id;
  });
  after(async () => { await srv?.close(); });

  test('load-addresses refuses a file without the columns, naming them, and keeps the gazetteer', () => {
    const bad = path.join(srv.dir, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,2\n');
    assert.throws(() => vaikutaCli(['load-addresses', '--db', srv.db, bad]), /x, y and street_fi/);
  });

  test('geocode: an address, in the language asked for, with its district', async () => {
    const r = await call(srv, 'GET', '/api/v1/geocode?q=Koskenparras%203&lang=sv');
    assert.equal(r.status, 200);
    const [a] = r.json.results;
    assert.equal(a.kind, 'address');
    assert.equal(a.label, 'Koskenparras 3, 55100 Imatra');
    assert.equal(a.number, '3');
    assert.ok(Math.abs(a.lon - 28.601) < 1e-7 && Math.abs(a.lat - 61.2) < 1e-7, 'WGS 84 position');
    assert.deepEqual(a.district, { code: 'ita', name: 'Öster' });
  });

  test('geocode: prefix, typo, Swedish name, limit', async () => {
    const prefix = (await call(srv, 'GET', '/api/v1/geocode?q=Kaup')).json.results;
    assert.deepEqual(prefix.map((p) => p.name), ['Kauppakatu', 'Kaupunginkatu']);
    assert.ok(prefix.every((p) => p.kind === 'street'));
    const typo = (await call(srv, 'GET', '/api/v1/geocode?q=Kosknparras')).json.results;
    assert.equal(typo[0].name, 'Koskenparras');
    const sv = (await call(srv, 'GET', '/api/v1/geocode?q=Mannerheimv%C3%A4gen%204&lang=sv')).json.results;
    assert.equal(sv[0].label, 'Mannerheimvägen 4, 00100 Helsingfors');
    const fi = (await call(srv, 'GET', '/api/v1/geocode?q=Mannerheimv%C3%A4gen%204&lang=fi')).json.results;
    assert.equal(fi[0].label, 'Mannerheimintie 4, 00100 Helsinki');
    const one = (await call(srv, 'GET', '/api/v1/geocode?q=Kaup&limit=1')).json.results;
    assert.equal(one.length, 1);
    const none = await call(srv, 'GET', '/api/v1/geocode?q=Zzyzx');
    assert.deepEqual(none.json, { results: [] });
  });

  test('geocode and reverse: bad input is a 400 naming the parameter', async () => {
    const cases = [
      ['/api/v1/geocode', 'q'],
      ['/api/v1/geocode?q=', 'q'],
      [`/api/v1/geocode?q=${'a'.repeat(201)}`, 'q'],
      ['/api/v1/geocode?q=%FF%FE', 'q'],
      ['/api/v1/geocode?q=Kaup&limit=0', 'limit'],
      ['/api/v1/geocode?q=Kaup&limit=x', 'limit'],
      ['/api/v1/geocode?q=Kaup&lang=de', 'lang'],
      ['/api/v1/geocode?q=Kaup&bbox=1,2,3,4', 'bbox'],
      ['/api/v1/reverse?lat=61', 'lon'],
      ['/api/v1/reverse?lon=28.6', 'lat'],
      ['/api/v1/reverse?lon=200&lat=61', 'lon'],
      ['/api/v1/reverse?lon=28.6&lat=abc', 'lat'],
    ];
    for (const [url, field] of cases) {
      const r = await call(srv, 'GET', url);
      assert.equal(r.status, 400, url);
      assert.equal(r.json.error.field, field, url);
    }
  });

  test('reverse: the nearest address within 100 m, none beyond', async () => {
    const near = await call(srv, 'GET', '/api/v1/reverse?lon=28.6013&lat=61.2');
    assert.equal(near.status, 200);
    assert.equal(near.json.results.length, 1);
    assert.equal(near.json.results[0].label, 'Koskenparras 3, 55100 Imatra');
    assert.ok(near.json.results[0].distance_m > 10 && near.json.results[0].distance_m < 20);
    const far = await call(srv, 'GET', '/api/v1/reverse?lon=28.6&lat=61.2012');
    assert.equal(far.status, 200);
    assert.deepEqual(far.json.results, []);
  });

  test('Open311: address_string alone is placed at the address, with precision address', async () => {
    const r = await call(srv, 'POST', '/open311/v2/requests.json',
      { form: { service_code: category, description: 'Katuvalo ei pala', address_string: 'Koskenparras 5' } });
    assert.equal(r.status, 201, r.text);
    const id = r.json[0].service_request_id;
    const got = (await call(srv, 'GET', `/open311/v2/requests/${id}.json`)).json[0];
    assert.equal(got.location_precision, 'address');
    assert.equal(got.address, 'Koskenparras 5');
    assert.ok(Math.abs(got.long - 28.602) < 1e-6 && Math.abs(got.lat - 61.2) < 1e-6);
    const item = (await call(srv, 'GET', `/api/v1/feedback/${id}`)).json;
    assert.equal(item.properties.location_precision, 'address');

    const unknown = await call(srv, 'POST', '/open311/v2/requests.json',
      { form: { service_code: category, description: 'x', address_string: 'Olematon katu 1' } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json[0].description, /address_string/);
    const street = await call(srv, 'POST', '/open311/v2/requests.json',
      { form: { service_code: category, description: 'x', address_string: 'Koskenparras' } });
    assert.equal(street.status, 400, 'a street without a number is too vague');
    const neither = await call(srv, 'POST', '/open311/v2/requests.json',
      { form: { service_code: category, description: 'x' } });
    assert.equal(neither.status, 400);
  });

  let districtId;
  test('POST feedback: location_precision is checked, stored and served', async () => {
    const post = (geometry, precision, key) => call(srv, 'POST', '/api/v1/feedback', {
      headers: { 'Idempotency-Key': key },
      body: { type: 'Feature', geometry,
        properties: { category, description: 'Jossain tällä alueella', location_precision: precision } } });
    const pt = { type: 'Point', coordinates: [28.25, 61.25] };
    const line = { type: 'LineString', coordinates: [[28.6, 61.2], [28.61, 61.21]] };
    let r = await post(pt, 'somewhere', 'p-1');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'properties.location_precision');
    r = await post(line, 'district', 'p-2');
    assert.equal(r.status, 400, 'district precision is only for a point');
    r = await post(pt, 'district', 'p-3');
    assert.equal(r.status, 201, r.text);
    districtId = r.json.id ?? r.json.properties?.id ?? Number(String(r.headers.get('location')).split('/').pop());
    const item = (await call(srv, 'GET', `/api/v1/feedback/${districtId}`)).json;
    assert.equal(item.properties.location_precision, 'district');
    r = await post(line, undefined, 'p-4');
    assert.equal(r.status, 201);
    const id2 = Number(String(r.headers.get('location')).split('/').pop());
    const exact = (await call(srv, 'GET', `/api/v1/feedback/${id2}`)).json;
    assert.equal(exact.properties.location_precision, 'exact', 'exact when not given');
    const ogc = (await call(srv, 'GET', `/ogcapi/collections/feedback/items/${districtId}`)).json;
    assert.equal(ogc.properties.location_precision, 'district', 'OGC API item');
    const filtered = (await call(srv, 'GET', '/api/v1/feedback?limit=100')).json.features
      .filter((f) => f.properties.location_precision === 'district');
    assert.ok(filtered.some((f) => f.id === districtId), 'in the list');
  });

  test('exports carry location_precision (CSV, GeoJSON, GeoPackage read by GDAL)', { skip: missingTool('ogrinfo') }, async () => {
    const csv = (await call(srv, 'GET', '/api/v1/export/feedback.csv')).text;
    const head = csv.split('\n')[0].split(',');
    assert.ok(head.includes('location_precision'), head.join(','));
    assert.match(csv, /,district[,\r\n]/);
    const gj = (await call(srv, 'GET', '/api/v1/export/feedback.geojson')).json;
    const byId = new Map(gj.features.map((f) => [f.id, f.properties.location_precision]));
    assert.equal(byId.get(districtId), 'district');
    const res = await fetch(`${srv.url}/api/v1/export/feedback.gpkg`);
    const file = path.join(srv.dir, 'out.gpkg');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const info = execFileSync('ogrinfo', ['-ro', '-al', '-so', file], { encoding: 'utf8', timeout: 120000 });
    assert.match(info, /location_precision: String/);
    const rows = execFileSync('ogrinfo', ['-ro', '-al', '-q', '-where', "location_precision = 'district'", file],
      { encoding: 'utf8', timeout: 120000 });
    assert.match(rows, /location_precision \(String\) = district/);
  });
});
