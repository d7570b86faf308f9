// OGC API - Features `properties` on items (issue 15, Part 4's "return
// chosen properties only"): only the properties asked for, in the order
// asked, with the values the full feature has (the SQL reads only those
// columns, so a value in the wrong place would show here); an unknown name
// is a 400 naming it; it combines with bbox, filter and sortby, and the
// paging links keep it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from '../lib/server.mjs';

let srv;
const ITEMS = '/ogcapi/collections/feedback/items';
const CITY = 'bbox=28.5,61.0,29.1,61.4';

async function get(p) {
  const res = await fetch(p.startsWith('http') ? p : `${srv.url}${p}`);
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

before(async () => {
  srv = await startServer({ args: ['--rate-limit', '0'] });
});
after(async () => { if (srv) await srv.close(); });

// The features of q with and without properties=names: the same ids, the
// same numberMatched, and each feature's properties exactly names with the
// full feature's values.
async function sameAsFull(q, names) {
  const full = await get(`${ITEMS}?${q}`);
  const some = await get(`${ITEMS}?${q}&properties=${names.join(',')}`);
  assert.equal(full.status, 200, full.text);
  assert.equal(some.status, 200, some.text);
  assert.ok(full.json.features.length > 0, `${q} finds items`);
  assert.equal(some.json.numberMatched, full.json.numberMatched);
  assert.deepEqual(some.json.features.map((f) => f.id), full.json.features.map((f) => f.id));
  full.json.features.forEach((f, i) => {
    const g = some.json.features[i];
    assert.deepEqual(Object.keys(g.properties), names, `feature ${f.id}`);
    for (const n of names) assert.deepEqual(g.properties[n], f.properties[n], `${n} of ${f.id}`);
    assert.deepEqual(g.geometry, f.geometry);
    assert.deepEqual(g.links, f.links, 'every feature still links to itself and its collection');
  });
  return some.json;
}

test('only the chosen properties, in the order asked, with their values', async () => {
  await sameAsFull('limit=50', ['status', 'category']);
  // Label, JSON and integer columns from the middle and the end of the table.
  await sameAsFull('limit=50', ['photos', 'category_fi', 'me_too', 'attributes', 'district_name_sv']);
  await sameAsFull('limit=50', ['created']);
});

test('an unknown property is a 400 that names it', async () => {
  for (const q of ['properties=nosuchproperty', 'properties=status,nosuchproperty', `${CITY}&properties=nosuchproperty`]) {
    const r = await get(`${ITEMS}?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.json.error.field, 'properties', q);
    assert.match(r.json.error.message, /nosuchproperty/, q);
  }
});

test('with a bbox: the same items and numberMatched', async () => {
  const page = await sameAsFull(`${CITY}&limit=20`, ['status', 'description', 'created']);
  assert.ok(page.numberMatched > 20, 'the box holds more than a page');
  await sameAsFull('bbox=28.70,61.15,28.80,61.22&limit=100', ['category', 'status']);
});

test('with a filter, datetime and sortby', async () => {
  const filter = encodeURIComponent("status = 'received' OR category = 'lighting'");
  await sameAsFull(`${CITY}&filter=${filter}&limit=20`, ['status', 'category']);
  await sameAsFull(`${CITY}&datetime=2000-01-01T00:00:00Z/..&limit=20`, ['created']);
  await sameAsFull('sortby=-created&limit=20', ['created', 'status']);
});

test('paging links keep properties, and the next page is the full query\'s next page', async () => {
  const first = await get(`${ITEMS}?${CITY}&limit=5&properties=status`);
  assert.equal(first.status, 200);
  const self = first.json.links.find((l) => l.rel === 'self');
  const next = first.json.links.find((l) => l.rel === 'next');
  assert.match(self.href, /[?&]properties=status(&|$)/);
  assert.ok(next, 'a next link');
  assert.match(next.href, /[?&]properties=status(&|$)/);
  const second = await get(next.href);
  assert.equal(second.status, 200);
  for (const f of second.json.features) assert.deepEqual(Object.keys(f.properties), ['status']);
  const fullFirst = await get(`${ITEMS}?${CITY}&limit=5`);
  const fullNext = await get(fullFirst.json.links.find((l) => l.rel === 'next').href);
  assert.deepEqual(second.json.features.map((f) => f.id), fullNext.json.features.map((f) => f.id));
  assert.deepEqual(second.json.features.map((f) => f.properties.status),
    fullNext.json.features.map((f) => f.properties.status));
});
