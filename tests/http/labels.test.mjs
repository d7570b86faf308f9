// The names beside the feedback's codes (category_fi, unit_name_sv,
// district_name_fi…) come from each connection's copy of the category,
// unit and district tables (features/labels.c), not from joins. A change
// made by any writer — another process with sqlite3, `vaikuta load-geo`
// while the server runs — must show in the very next response of every
// worker and every format, as the joins would show it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { call as callServer, startServer, tempDir, vaikutaCli } from '../lib/server.mjs';

const TOKENS = [{ name: 'mod-bot', role: 'moderator' }];
let srv;
const call = (p, opts) => callServer(srv, 'GET', p, opts);
const sqlite = (sql) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, sql], { encoding: 'utf8' }).trim();

before(async () => { srv = await startServer({ tokens: TOKENS }); });
after(async () => { if (srv) await srv.close(); });

const ITEMS = '/ogcapi/collections/feedback/items?limit=1000';

// Many requests at once, so that every worker (each with its own
// connection and copy) answers some of them.
async function everyWorker(p, opts) {
  const rs = await Promise.all(Array.from({ length: 12 }, () => call(p, opts)));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  return rs;
}

// What the joins give, straight from the database.
function joined(id) {
  const row = sqlite(`SELECT json_object('category_fi', c.name_fi, 'category_sv', c.name_sv,
    'category_en', c.name_en, 'unit', u.code, 'unit_name_fi', u.name_fi, 'unit_name_sv', u.name_sv,
    'district', d.code, 'district_name_fi', d.name_fi, 'district_name_sv', d.name_sv)
    FROM feedback f LEFT JOIN category c ON c.id = f.category LEFT JOIN unit u ON u.id = f.unit_id
    LEFT JOIN district d ON d.id = f.district_id WHERE f.id = ${id}`);
  return JSON.parse(row);
}

const LABELS = ['category_fi', 'category_sv', 'category_en', 'unit', 'unit_name_fi', 'unit_name_sv',
  'district', 'district_name_fi', 'district_name_sv'];
const labelsOf = (props) => Object.fromEntries(LABELS.map((k) => [k, props[k]]));

// Every item of every response has the names the joins give now.
async function assertCurrent(what) {
  const rs = await everyWorker(ITEMS);
  const want = new Map(rs[0].json.features.map((f) => [f.id, joined(f.id)]));
  assert.ok(want.size > 10, 'the demo has items');
  for (const r of rs) {
    for (const f of r.json.features) assert.deepEqual(labelsOf(f.properties), want.get(f.id), `${what}: item ${f.id}`);
  }
  return rs[0].json.features;
}

test('the names are those of the joins, NULL where an item has no unit or district', async () => {
  sqlite(`UPDATE feedback SET unit_id = NULL, district_id = NULL WHERE id = (SELECT min(id) FROM feedback WHERE hidden = 0)`);
  const features = await assertCurrent('at start');
  assert.ok(features.some((f) => f.properties.unit === null && f.properties.district_name_fi === null));
  assert.ok(features.some((f) => f.properties.unit !== null && f.properties.district_name_sv !== null));
});

test('a category, unit and district renamed by another process show in the next response', async () => {
  const before = await assertCurrent('before');
  const item = before.find((f) => f.properties.unit && f.properties.district);
  const { category, unit, district } = item.properties;
  sqlite(`UPDATE category SET name_fi = 'Uusi nimi', name_en = 'New name' WHERE id = '${category}';
    UPDATE unit SET code = 'renamed_unit', name_sv = 'Ny enhet' WHERE code = '${unit}';
    UPDATE district SET code = 'renamed', name_fi = 'Uusi kaupunginosa' WHERE code = '${district}'`);
  const after = await assertCurrent('after the rename');
  const p = after.find((f) => f.id === item.id).properties;
  assert.equal(p.category_fi, 'Uusi nimi');
  assert.equal(p.category_en, 'New name');
  assert.equal(p.unit, 'renamed_unit');
  assert.equal(p.unit_name_sv, 'Ny enhet');
  assert.equal(p.district, 'renamed');
  assert.equal(p.district_name_fi, 'Uusi kaupunginosa');
  // The same in the other formats and routes that read the names.
  const one = await everyWorker(`/ogcapi/collections/feedback/items/${item.id}`);
  for (const r of one) assert.equal(r.json.properties.district_name_fi, 'Uusi kaupunginosa');
  // Exports take a few at a time: one after another.
  for (let i = 0; i < 4; i++) {
    const csv = await call(`/api/v1/export/feedback.csv?filter=${encodeURIComponent(`id = ${item.id}`)}`);
    assert.equal(csv.status, 200, csv.text);
    assert.match(csv.text, /Uusi nimi.*renamed_unit.*Uusi kaupunginosa/);
  }
  const props = await everyWorker(`${ITEMS}&properties=unit_name_sv,district`);
  for (const r of props) {
    assert.deepEqual(r.json.features.find((f) => f.id === item.id).properties, { unit_name_sv: 'Ny enhet', district: 'renamed' });
  }
  const inbox = await everyWorker(`/api/v1/staff/feedback?limit=500&visibility=all&category=${category}`, { token: 'mod-bot' });
  for (const r of inbox) assert.equal(r.json.features.find((f) => f.id === item.id).properties.category_fi, 'Uusi nimi');
  // A filter on a name (through the join) finds what the copy shows.
  const byName = await call(`${ITEMS}&filter=${encodeURIComponent("district_name_fi = 'Uusi kaupunginosa'")}`);
  assert.ok(byName.json.features.some((f) => f.id === item.id));
  for (const f of byName.json.features) assert.equal(f.properties.district_name_fi, 'Uusi kaupunginosa');
});

test('a unit deleted behind the server leaves its items without one', async () => {
  const before = await assertCurrent('before');
  const item = before.find((f) => f.properties.unit);
  // Without foreign keys (sqlite3's default) the items keep the id: the
  // join then finds no unit, and neither may the copy.
  sqlite(`DELETE FROM unit WHERE code = '${item.properties.unit}'`);
  const after = await assertCurrent('after the delete');
  const p = after.find((f) => f.id === item.id).properties;
  assert.equal(p.unit, null);
  assert.equal(p.unit_name_fi, null);
});

test('districts loaded again with `vaikuta load-geo` while serving show at once', async () => {
  const dir = tempDir();
  const geo = path.join(dir, 'geo');
  cpSync(path.join(import.meta.dirname, '../../geo'), geo, { recursive: true });
  const file = path.join(geo, 'districts.geojson');
  const fc = JSON.parse(readFileSync(file, 'utf8'));
  for (const f of fc.features) f.properties.name_sv = `${f.properties.name_sv} (ny)`;
  writeFileSync(file, JSON.stringify(fc));
  await assertCurrent('before');
  vaikutaCli(['load-geo', '--db', srv.db, '--dir', geo]);
  const after = await assertCurrent('after load-geo');
  assert.ok(after.some((f) => f.properties.district_name_sv?.endsWith(' (ny)')));
});
