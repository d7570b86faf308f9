// HTTP tests against the real server on a loopback port with a temporary
// database: happy paths, every kind of bad input, and data surviving a
// restart.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';

let srv;
const created = []; // ids acknowledged with 201
const CONTACT_EMAIL = 'maija.meikalainen.secret@example.fi';
const CONTACT_PHONE = '+358 40 765 4321';

const point = (lon = 28.7705, lat = 61.1935) => ({ type: 'Point', coordinates: [lon, lat] });
const feature = (geometry, properties) => ({ type: 'Feature', geometry, properties });

async function post(body, { type = 'application/geo+json', raw = false } = {}) {
  const res = await fetch(`${srv.url}/api/v1/feedback`, {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: raw ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* checked by the caller */ }
  return { res, json, text };
}

async function getJson(path) {
  const res = await fetch(`${srv.url}${path}`);
  return { res, json: await res.json() };
}

// A request with an exact, unnormalised path (fetch would clean up "..").
function rawGet(path) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1', () => {
      sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    sock.on('data', (d) => { data += d; });
    sock.on('end', () => resolve(data));
    sock.on('error', reject);
  });
}

function assertError(r, status, code, field) {
  assert.equal(r.res.status, status, `status for ${code}: ${r.text}`);
  assert.match(r.res.headers.get('content-type'), /application\/json/);
  assert.ok(r.json && r.json.error, `JSON error body: ${r.text}`);
  assert.equal(r.json.error.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
  assert.ok(r.json.error.message.length > 5, 'a sentence for a person');
}

before(async () => { srv = await startServer(); });
after(async () => { if (srv) await srv.close(); });

describe('service basics', () => {
  test('healthz answers ok with the database', async () => {
    const { res, json } = await getJson('/healthz');
    assert.equal(res.status, 200);
    assert.equal(json.status, 'ok');
    assert.ok(json.feedback >= 30, 'demo content loaded');
  });

  test('HEAD and OPTIONS', async () => {
    const head = await fetch(`${srv.url}/healthz`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal((await head.text()).length, 0);
    const opt = await fetch(`${srv.url}/api/v1/feedback`, { method: 'OPTIONS' });
    assert.equal(opt.status, 204);
    assert.equal(opt.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
  });

  test('connections are kept alive (libmicrohttpd first-call pitfall)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve, reject) => {
        http.get(`${srv.url}/healthz`, { agent }, (res) => {
          assert.notEqual(res.headers.connection, 'close');
          ports.push(res.socket.localPort);
          res.resume();
          res.on('end', resolve);
        }).on('error', reject);
      });
    }
    agent.destroy();
    assert.equal(new Set(ports).size, 1, 'one socket served all three requests');
  });

  test('categories in Finnish, Swedish and English', async () => {
    const { res, json } = await getJson('/api/v1/categories');
    assert.equal(res.status, 200);
    assert.ok(json.categories.length >= 8);
    for (const c of json.categories) {
      assert.match(c.id, /^[a-z_]+$/);
      for (const l of ['fi', 'sv', 'en']) assert.ok(c.name[l], `${c.id} has a ${l} name`);
    }
    assert.ok(json.categories.some((c) => c.id === 'accessibility'));
  });

  test('districts as GeoJSON with a label point inside', async () => {
    const { res, json } = await getJson('/api/v1/districts');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /application\/geo\+json/);
    assert.equal(json.type, 'FeatureCollection');
    const codes = json.features.map((f) => f.properties.code);
    for (const c of ['imatrankoski', 'vuoksenniska', 'mansikkala']) assert.ok(codes.includes(c), c);
    for (const f of json.features) {
      assert.match(f.geometry.type, /Polygon/);
      assert.equal(f.properties.label_point.length, 2);
    }
  });

  test('client configuration', async () => {
    const { json } = await getJson('/api/v1/config');
    assert.equal(json.tiles, null, 'no basemap unless --tiles is given');
    assert.equal(json.bounds.length, 4);
    assert.ok(json.center[0] > 28.5 && json.center[0] < 29.1 && json.center[1] > 61 && json.center[1] < 61.4);
  });

  test('the web client is served, and static files never escape web/', async () => {
    const res = await fetch(`${srv.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/html/);
    for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd',
      '/.git/config', '/node_modules/../../README.md', '//etc/passwd']) {
      const raw = await rawGet(p);
      assert.match(raw, /^HTTP\/1\.1 404/, `${p} → 404`);
      assert.doesNotMatch(raw, /root:|\[core\]|Vaikuta/, `${p} leaks nothing`);
    }
  });
});

describe('reporting feedback', () => {
  test('a point, with contact details', async () => {
    const r = await post(feature(point(), {
      category: 'lighting', description: 'Katuvalo ei pala Vuoksenniskantiellä.',
      place: 'Bussipysäkin kohdalla', contact: { name: 'Maija', email: CONTACT_EMAIL, phone: CONTACT_PHONE },
    }));
    assert.equal(r.res.status, 201, r.text);
    const loc = r.res.headers.get('location');
    assert.match(loc, /^\/api\/v1\/feedback\/\d+$/);
    assert.equal(r.json.type, 'Feature');
    assert.equal(r.json.properties.status, 'received');
    assert.equal(r.json.properties.category, 'lighting');
    assert.equal(r.json.properties.place, 'Bussipysäkin kohdalla');
    assert.ok(r.json.properties.district, 'district assigned by the server');
    assert.match(r.json.properties.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(r.json.properties.contact, undefined);
    assert.ok(!r.text.includes(CONTACT_EMAIL) && !r.text.includes(CONTACT_PHONE), 'no contact echoed');
    created.push(r.json.id);
    const one = await getJson(loc);
    assert.equal(one.res.status, 200);
    assert.deepEqual(one.json.geometry, point());
  });

  test('a line and an area, assigned to districts', async () => {
    const line = await post(feature({ type: 'LineString', coordinates: [[28.77, 61.19], [28.78, 61.195], [28.79, 61.2]] },
      { category: 'streets', description: 'Kevyen liikenteen väylä tulvii sateella.' }));
    assert.equal(line.res.status, 201, line.text);
    created.push(line.json.id);
    // Clockwise on purpose: accepted, and stored with the RFC 7946 winding.
    const ring = [[28.76, 61.17], [28.76, 61.175], [28.77, 61.175], [28.77, 61.17], [28.76, 61.17]];
    const area = await post(feature({ type: 'Polygon', coordinates: [ring] },
      { category: 'parks', description: 'Puistoon tarvitaan penkkejä.' }));
    assert.equal(area.res.status, 201, area.text);
    created.push(area.json.id);
    assert.deepEqual(area.json.geometry.coordinates[0], [...ring].reverse(), 'exterior ring counter-clockwise');
    assert.ok(area.json.properties.district);
    const multi = await post(feature({ type: 'MultiPoint', coordinates: [[28.77, 61.19], [28.771, 61.191]] },
      { category: 'safety', description: 'Kaksi rikkinäistä kaidetta.' }));
    assert.equal(multi.res.status, 201, multi.text);
    created.push(multi.json.id);
  });

  test('Content-Type application/json with charset is accepted', async () => {
    const r = await post(feature(point(28.775, 61.195), { category: 'other', description: 'Muuta.' }),
      { type: 'application/json; charset=utf-8' });
    assert.equal(r.res.status, 201, r.text);
    created.push(r.json.id);
  });
});

describe("a category's own questions (properties.attributes)", () => {
  test('GET /api/v1/categories lists each category\'s attribute definitions', async () => {
    const { json } = await getJson('/api/v1/categories');
    const by = Object.fromEntries(json.categories.map((c) => [c.id, c.attributes]));
    assert.deepEqual(by.parks, [], 'a category without questions has an empty list');
    const [post, dark] = by.lighting;
    assert.deepEqual(post, {
      code: 'pole_number', datatype: 'string', required: false, order: 1,
      description: post.description,
    });
    for (const l of ['fi', 'sv', 'en']) assert.ok(post.description[l].length > 3, l);
    assert.equal(dark.datatype, 'singlevaluelist');
    assert.deepEqual(dark.values.map((v) => v.key), ['yes', 'no']);
    assert.deepEqual(Object.keys(dark.values[0].name), ['fi', 'sv', 'en']);
    assert.equal(by.winter[0].required, true);
    assert.deepEqual(by.streets[0].values.map((v) => v.key), ['pothole', 'sign', 'road_marking', 'other']);
  });

  test('answers are stored and public: in the item, the list and the OGC collection', async () => {
    const r = await post(feature(point(28.771, 61.194), {
      category: 'lighting', description: 'Koko katu pimeänä illalla.',
      attributes: { pole_number: ' 12-A ', whole_street_dark: 'yes' },
      contact: { email: CONTACT_EMAIL },
    }));
    assert.equal(r.res.status, 201, r.text);
    created.push(r.json.id);
    assert.deepEqual(r.json.properties.attributes, { pole_number: ' 12-A ', whole_street_dark: 'yes' });
    const one = (await getJson(`/api/v1/feedback/${r.json.id}`)).json;
    assert.deepEqual(one.properties.attributes, r.json.properties.attributes);
    const ogc = (await getJson(`/ogcapi/collections/feedback/items/${r.json.id}`)).json;
    assert.deepEqual(ogc.properties.attributes, r.json.properties.attributes);
    const list = (await getJson('/api/v1/feedback?category=lighting&limit=10000')).json;
    assert.ok(list.features.some((f) => f.id === r.json.id && f.properties.attributes.whole_street_dark === 'yes'));
    const none = list.features.find((f) => f.id !== r.json.id);
    assert.equal(none.properties.attributes, null, 'no answers: null');
    const emptyAnswers = await post(feature(point(28.771, 61.194), {
      category: 'streets', description: 'Kuoppa.', attributes: { problem: '' },
    }));
    assert.equal(emptyAnswers.res.status, 201, emptyAnswers.text);
    created.push(emptyAnswers.json.id);
    assert.equal(emptyAnswers.json.properties.attributes, null, 'an empty optional answer is no answer');
    const winter = await post(feature(point(28.771, 61.194), {
      category: 'winter', description: 'Jäätä.', attributes: { condition: 'ice' },
    }));
    assert.equal(winter.res.status, 201, winter.text);
    created.push(winter.json.id);
  });
});

describe('listing and filters', () => {
  test('the list includes what was created and never contact details', async () => {
    const { res, json } = await getJson('/api/v1/feedback?limit=10000');
    assert.equal(res.status, 200);
    assert.equal(json.type, 'FeatureCollection');
    assert.equal(json.numberReturned, json.features.length);
    assert.equal(json.numberMatched, json.features.length);
    const ids = new Set(json.features.map((f) => f.id));
    for (const id of created) assert.ok(ids.has(id), `item ${id} listed`);
    const text = JSON.stringify(json);
    assert.ok(!text.includes(CONTACT_EMAIL) && !text.includes(CONTACT_PHONE));
    assert.ok(!text.includes('"contact"'));
  });

  test('limit, offset and numberMatched page through everything', async () => {
    const all = (await getJson('/api/v1/feedback?limit=10000')).json;
    const seen = [];
    for (let off = 0; off < all.numberMatched; off += 7) {
      const page = (await getJson(`/api/v1/feedback?limit=7&offset=${off}`)).json;
      assert.equal(page.numberMatched, all.numberMatched);
      seen.push(...page.features.map((f) => f.id));
    }
    assert.deepEqual(seen, all.features.map((f) => f.id));
    const big = await getJson('/api/v1/feedback?limit=20000');
    assert.equal(big.res.status, 200, 'a limit over the maximum is clamped');
  });

  test('status, category, district and bbox filters agree with the data', async () => {
    const all = (await getJson('/api/v1/feedback?limit=10000')).json.features;
    for (const st of ['received', 'in_progress', 'resolved', 'not_resolvable', 'duplicate', 'forwarded']) {
      const { json } = await getJson(`/api/v1/feedback?status=${st}&limit=10000`);
      assert.equal(json.numberMatched, all.filter((f) => f.properties.status === st).length, st);
      assert.ok(json.numberMatched > 0, `demo data has ${st}`);
    }
    const two = (await getJson('/api/v1/feedback?category=lighting,parks&limit=10000')).json;
    assert.equal(two.numberMatched, all.filter((f) => ['lighting', 'parks'].includes(f.properties.category)).length);
    const d = all[0].properties.district;
    const inD = (await getJson(`/api/v1/feedback?district=${d}&limit=10000`)).json;
    assert.equal(inD.numberMatched, all.filter((f) => f.properties.district === d).length);
    const box = [28.765, 61.185, 28.776, 61.2];
    const inBox = (await getJson(`/api/v1/feedback?bbox=${box.join(',')}&limit=10000`)).json;
    const pts = all.filter((f) => f.geometry.type === 'Point');
    const expectPts = pts.filter(({ geometry: { coordinates: [x, y] } }) => x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]);
    const gotPts = inBox.features.filter((f) => f.geometry.type === 'Point');
    assert.deepEqual(gotPts.map((f) => f.id).sort(), expectPts.map((f) => f.id).sort());
    assert.ok(inBox.features.some((f) => f.id === created[0]));
  });

  test('one item by id, and 404 for missing ones', async () => {
    const r = await getJson(`/api/v1/feedback/${created[0]}`);
    assert.equal(r.res.status, 200);
    assert.equal(r.json.id, created[0]);
    for (const p of ['/api/v1/feedback/99999999', '/api/v1/feedback/abc', '/api/v1/feedback/-1', '/api/v1/feedback/0']) {
      const res = await fetch(`${srv.url}${p}`);
      assert.equal(res.status, 404, p);
      assert.equal((await res.json()).error.code, 'not_found');
    }
  });
});

describe('bad input gets a clear 4xx JSON error and changes nothing', () => {
  test('an error that repeats request text cut to fit is still valid UTF-8', async () => {
    // Found by fuzz_feature: a long unknown key, cut inside a two-byte character.
    const key = `cat${'%'.repeat(52)}p,${'\u071e'.repeat(3)}s`;
    const res = await fetch(`${srv.url}/api/v1/feedback`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [28.77, 61.19] },
        properties: { [key]: 'x' } }) });
    assert.equal(res.status, 400);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // throws on bad UTF-8
    const err = JSON.parse(text).error;
    assert.equal(err.code, 'unknown_field');
    assert.ok(err.field.startsWith('properties.cat%%%'), err.field);
  });

  let countBefore;
  before(async () => { countBefore = (await getJson('/healthz')).json.feedback; });

  const ok = { category: 'lighting', description: 'Valo ei pala.' };
  const cases = [
    ['malformed JSON', () => post('{"type":"Feature",', { raw: true }), 400, 'invalid_json', ''],
    ['empty body', () => post('', { raw: true }), 400, 'invalid_json', ''],
    ['invalid UTF-8', () => post(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), { raw: true }), 400, 'invalid_utf8', ''],
    ['a JSON array', () => post([1, 2]), 400, 'wrong_type', ''],
    ['a FeatureCollection', () => post({ type: 'FeatureCollection', features: [] }), 400, 'invalid_value', 'type'],
    ['missing geometry', () => post({ type: 'Feature', properties: ok }), 400, 'missing_field', 'geometry'],
    ['missing properties', () => post({ type: 'Feature', geometry: point() }), 400, 'missing_field', 'properties'],
    ['missing category', () => post(feature(point(), { description: 'x' })), 400, 'missing_field', 'properties.category'],
    ['category of the wrong type', () => post(feature(point(), { ...ok, category: 3 })), 400, 'wrong_type', 'properties.category'],
    ['unknown category', () => post(feature(point(), { ...ok, category: 'ufo' })), 400, 'invalid_value', 'properties.category'],
    ['missing description', () => post(feature(point(), { category: 'lighting' })), 400, 'missing_field', 'properties.description'],
    ['blank description', () => post(feature(point(), { ...ok, description: '   ' })), 400, 'invalid_value', 'properties.description'],
    ['description over 4000 characters', () => post(feature(point(), { ...ok, description: 'ä'.repeat(4001) })), 400, 'too_long', 'properties.description'],
    ['description as a number', () => post(feature(point(), { ...ok, description: 12 })), 400, 'wrong_type', 'properties.description'],
    ['attributes not an object', () => post(feature(point(), { ...ok, attributes: ['yes'] })), 400, 'wrong_type', 'properties.attributes'],
    ['an attribute the category does not ask', () => post(feature(point(), { ...ok, attributes: { colour: 'red' } })), 400, 'unknown_field', 'properties.attributes.colour'],
    ['an attribute of another category', () => post(feature(point(), { category: 'parks', description: 'x', attributes: { pole_number: '1' } })), 400, 'unknown_field', 'properties.attributes.pole_number'],
    ['a value not in the list', () => post(feature(point(), { ...ok, attributes: { whole_street_dark: 'maybe' } })), 400, 'invalid_value', 'properties.attributes.whole_street_dark'],
    ['a list value as a number', () => post(feature(point(), { ...ok, attributes: { whole_street_dark: 1 } })), 400, 'invalid_value', 'properties.attributes.whole_street_dark'],
    ['a string answer as a number', () => post(feature(point(), { ...ok, attributes: { pole_number: 12 } })), 400, 'wrong_type', 'properties.attributes.pole_number'],
    ['a string answer over 200 characters', () => post(feature(point(), { ...ok, attributes: { pole_number: 'x'.repeat(201) } })), 400, 'too_long', 'properties.attributes.pole_number'],
    ['a required answer missing', () => post(feature(point(), { category: 'winter', description: 'Liukasta.' })), 400, 'missing_field', 'properties.attributes.condition'],
    ['a required answer empty', () => post(feature(point(), { category: 'winter', description: 'Liukasta.', attributes: { condition: '' } })), 400, 'missing_field', 'properties.attributes.condition'],
    ['unknown property', () => post(feature(point(), { ...ok, colour: 'red' })), 400, 'unknown_field', 'properties.colour'],
    ['resident sets a status', () => post(feature(point(), { ...ok, status: 'closed' })), 400, 'unknown_field', 'properties.status'],
    ['bad email', () => post(feature(point(), { ...ok, contact: { email: 'not an email' } })), 400, 'invalid_value', 'properties.contact.email'],
    ['geometry type unsupported', () => post(feature({ type: 'GeometryCollection', geometries: [] }, ok)), 400, 'unsupported_geometry', undefined],
    ['coordinates as strings', () => post(feature({ type: 'Point', coordinates: ['28.7', '61.1'] }, ok)), 400, undefined, undefined],
    ['longitude out of range', () => post(feature(point(181, 61.1), ok)), 400, 'invalid_coordinates', undefined],
    ['latitude out of range', () => post(feature(point(28.7, -91), ok)), 400, 'invalid_coordinates', undefined],
    ['outside the municipality', () => post(feature(point(24.94, 60.17), ok)), 422, 'outside_area', 'geometry'],
    ['area partly outside', () => post(feature({ type: 'Polygon', coordinates: [[[28.77, 61.19], [30, 61.19], [30, 61.2], [28.77, 61.2], [28.77, 61.19]]] }, ok)), 422, 'outside_area', 'geometry'],
    ['unclosed ring', () => post(feature({ type: 'Polygon', coordinates: [[[28.77, 61.19], [28.78, 61.19], [28.78, 61.2], [28.77, 61.2]]] }, ok)), 422, 'invalid_geometry', undefined],
    ['one-point line', () => post(feature({ type: 'LineString', coordinates: [[28.77, 61.19]] }, ok)), 422, 'invalid_geometry', undefined],
    ['over 10 000 vertices', () => {
      const coords = Array.from({ length: 10001 }, (_, i) => [28.7 + i * 1e-5, 61.19]);
      return post(feature({ type: 'LineString', coordinates: coords }, ok));
    }, 400, 'too_many_vertices', undefined],
    ['wrong Content-Type', () => post(feature(point(), ok), { type: 'text/plain' }), 415, 'unsupported_media_type', 'Content-Type'],
    ['unknown query parameter on POST', async () => {
      const res = await fetch(`${srv.url}/api/v1/feedback?x=1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(feature(point(), ok)) });
      return { res, text: '', json: await res.json() };
    }, 400, 'unknown_parameter', 'x'],
  ];
  for (const [name, send, status, code, field] of cases) {
    test(name, async () => {
      const r = await send();
      assert.equal(r.res.status, status, `${name}: ${r.text}`);
      assert.ok(r.json && r.json.error && r.json.error.code, `${name}: JSON error`);
      if (code) assert.equal(r.json.error.code, code, `${name}: ${JSON.stringify(r.json)}`);
      if (field !== undefined) assert.equal(r.json.error.field, field, `${name}: ${JSON.stringify(r.json)}`);
    });
  }

  test('a self-intersecting area names the reason and the place', async () => {
    const r = await post(feature({ type: 'Polygon', coordinates: [[[28.76, 61.17], [28.78, 61.19], [28.78, 61.17], [28.76, 61.19], [28.76, 61.17]]] }, ok));
    assertError(r, 422, 'invalid_geometry', 'geometry');
    assert.match(r.json.error.message, /Self-intersection at 28\.77 61\.18/);
  });

  test('a body over 1 MiB → 413', async () => {
    const big = JSON.stringify(feature(point(), { ...ok, description: 'x'.repeat(1100 * 1024) }));
    const r = await post(big, { raw: true });
    assertError(r, 413, 'body_too_large', 'body');
  });

  test('query parameters are checked', async () => {
    for (const [q, field] of [['bbox=1,2,3', 'bbox'], ['bbox=a,b,c,d', 'bbox'], ['bbox=29,61,28,62', 'bbox'],
      ['bbox=0,0,200,1', 'bbox'], ['limit=0', 'limit'], ['limit=abc', 'limit'], ['limit=1.5', 'limit'],
      ['offset=-1', 'offset'], ['status=open', 'status'], ['category=ufo', 'category'],
      ['district=atlantis', 'district'], ['colour=red', 'colour']]) {
      const r = await getJson(`/api/v1/feedback?${q}`);
      assert.equal(r.res.status, 400, q);
      assert.equal(r.json.error.field, field, `${q}: ${JSON.stringify(r.json)}`);
    }
  });

  test('unknown routes → 404, wrong methods → 405 with Allow', async () => {
    let res = await fetch(`${srv.url}/api/v1/nothing-here`);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, 'not_found');
    res = await fetch(`${srv.url}/api/v1/feedback`, { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
    assert.equal((await res.json()).error.code, 'method_not_allowed');
    res = await fetch(`${srv.url}/api/v1/categories`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD, OPTIONS');
    res = await fetch(`${srv.url}/index.html`, { method: 'PUT', body: 'x' });
    assert.equal(res.status, 404);
  });

  test('nothing was stored by any of it, and the server is alive', async () => {
    const { res, json } = await getJson('/healthz');
    assert.equal(res.status, 200);
    assert.equal(json.feedback, countBefore);
  });
});

describe('process', () => {
  test('one log line per request: time, method, path, status, microseconds', () => {
    assert.match(srv.stderr(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z GET \/healthz 200 \d+us$/m);
    assert.match(srv.stderr(), /POST \/api\/v1\/feedback 201 \d+us/);
  });

  test('SIGTERM exits 0; the data is there after a restart; --demo adds nothing twice', async () => {
    const before = (await getJson('/api/v1/feedback?limit=10000')).json;
    const { code } = await srv.stop();
    assert.equal(code, 0, `clean exit:\n${srv.stderr().slice(-2000)}`);
    srv = await startServer({ db: srv.db, dir: srv.dir });
    const again = (await getJson('/api/v1/feedback?limit=10000')).json;
    assert.deepEqual(again.features, before.features);
    assert.equal(again.numberMatched, before.numberMatched);
    assert.match(srv.stderr(), /demo content: 0 feedback items added/);
  });
});
