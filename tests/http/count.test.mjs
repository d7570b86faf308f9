// The exact numberMatched of items?bbox (issue 15): the server counts from
// memory (features/count_grid.c), following the change log. Reports are
// written, hidden, withdrawn, moved between statuses, and every count of
// random boxes × filters must equal a brute-force SQL count of the same
// database.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call as callServer, sqliteSession, startServer } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const TOKENS = [{ name: 'mod-bot', role: 'moderator' }];
const C = [28.7705, 61.1935];
let srv;
let db; // one sqlite3 for every brute-force count
const call = (method, p, opts) => callServer(srv, method, p, opts);

let seed = 15;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

before(async () => {
  // Eighty reports from one address in seconds: the per-address limit is off.
  srv = await startServer({ tokens: TOKENS, args: ['--rate-limit', '0'] });
  if (!missingTool('sqlite3')) db = sqliteSession(srv.db, { spatialite: true });
});
after(async () => {
  if (db) await db.close();
  if (srv) await srv.close();
});

const sqlite = (sql) => db.query(sql);

const inBox = ([x0, y0, x1, y1]) => `hidden = 0 AND Intersects(geom, BuildMbr(${x0}, ${y0}, ${x1}, ${y1}, 4326)) = 1`;

async function sqlCount(box, where) {
  return Number(await sqlite(`SELECT count(*) FROM feedback WHERE ${inBox(box)} AND (${where})`));
}

// The ids of a page as the SQL path gives them: a box with a filter or a
// datetime comes in id order (the count grid picks the same page).
async function sqlIds(box, where, limit, offset) {
  const out = await sqlite(`SELECT id FROM feedback WHERE ${inBox(box)} AND (${where}) ORDER BY id LIMIT ${limit} OFFSET ${offset}`);
  return out ? out.split('\n').map(Number) : [];
}

// [query string, the same condition in SQL]
const FILTERS = [
  ['', '1'],
  ['&filter=' + encodeURIComponent("status = 'received'"), "status = 'received'"],
  ['&filter=' + encodeURIComponent("category IN ('lighting', 'streets') AND status <> 'resolved'"),
    "category IN ('lighting', 'streets') AND status <> 'resolved'"],
  ['&datetime=2020-01-01T00:00:00Z/..', "created_at >= '2020-01-01T00:00:00Z'"],
  ['&status=in_progress&datetime=../2100-01-01', "status = 'in_progress' AND created_at <= '2100-01-01T23:59:59Z'"],
  // Not a fast filter: counted by SQL, and still the same.
  ['&filter=' + encodeURIComponent("status = 'received' OR category = 'lighting'"),
    "status = 'received' OR category = 'lighting'"],
];

async function checkBoxes(when, n) {
  let nonzero = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.0005 + rnd() * 0.01, h = 0.0005 + rnd() * 0.006;
    const x0 = C[0] - 0.008 + rnd() * 0.012, y0 = C[1] - 0.004 + rnd() * 0.006;
    const box = [x0, y0, x0 + w, y0 + h].map((v) => Number(v.toFixed(6)));
    for (const [qs, where] of FILTERS) {
      const r = await call('GET', `/ogcapi/collections/feedback/items?bbox=${box.join(',')}&limit=3${qs}`);
      assert.equal(r.status, 200, r.text);
      const want = await sqlCount(box, where);
      assert.equal(r.json.numberMatched, want, `${when}: box ${box} ${qs}`);
      nonzero += want > 0;
      if (!qs) continue; // a bare box pages in R*Tree order
      // The page and the next one (keyset, after=) are the SQL's, id for id.
      assert.deepEqual(r.json.features.map((f) => f.id), await sqlIds(box, where, 3, 0), `${when}: page of ${box} ${qs}`);
      const next = r.json.links.find((l) => l.rel === 'next');
      assert.equal(Boolean(next), want > 3, `${when}: next link of ${box} ${qs}`);
      if (next) {
        const url = new URL(next.href);
        const r2 = await call('GET', url.pathname + url.search);
        assert.equal(r2.status, 200, r2.text);
        assert.deepEqual(r2.json.features.map((f) => f.id), await sqlIds(box, where, 3, 3), `${when}: next page of ${box} ${qs}`);
      }
      const r3 = await call('GET', `/ogcapi/collections/feedback/items?bbox=${box.join(',')}&limit=2&offset=1${qs}`);
      assert.deepEqual(r3.json.features.map((f) => f.id), await sqlIds(box, where, 2, 1), `${when}: offset page of ${box} ${qs}`);
    }
  }
  assert.ok(nonzero > n, `${when}: ${nonzero} counts above zero`);
}

test('numberMatched equals a brute-force SQL count through writes, hides and withdrawals',
  { skip: missingTool('sqlite3') }, async () => {
    const made = [];
    const add = async () => {
      const at = [C[0] - 0.008 + rnd() * 0.016, C[1] - 0.004 + rnd() * 0.008];
      const r = await call('POST', '/api/v1/feedback', {
        body: { type: 'Feature', geometry: { type: 'Point', coordinates: at },
          properties: { category: rnd() < 0.5 ? 'lighting' : 'streets', description: `Laskenta ${made.length}` } },
      });
      assert.equal(r.status, 201, r.text);
      made.push({ id: r.json.id, token: r.json.followup?.token });
    };
    for (let i = 0; i < 40; i++) await add();
    await checkBoxes('after 40 reports', 8);
    for (let i = 0; i < 40; i += 5) {
      assert.equal((await call('PATCH', `/api/v1/staff/feedback/${made[i].id}`, { token: 'mod-bot', body: { hidden: true } })).status, 200);
    }
    for (let i = 1; i < 40; i += 7) {
      assert.equal((await call('POST', `/api/v1/followup/${made[i].token}/withdraw`)).status, 200);
    }
    for (let i = 2; i < 40; i += 3) {
      const r = await call('PATCH', `/api/v1/staff/feedback/${made[i].id}`, { token: 'mod-bot', body: { status: 'in_progress' } });
      assert.ok([200, 409].includes(r.status), r.text); // a withdrawn one may refuse
    }
    assert.equal((await call('PATCH', `/api/v1/staff/feedback/${made[0].id}`, { token: 'mod-bot', body: { hidden: false } })).status, 200);
    for (let i = 0; i < 10; i++) await add();
    await checkBoxes('after hides, withdrawals and status changes', 10);
  });

// The staff inbox (issue 15): numberMatched and the page, id for id in
// the inbox order at several offsets, against SQL. The public items' page
// comes from the count grid's inbox order, kept under writes, the hidden
// ones' from SQL.
function inboxSql(where) {
  return sqlite(`SELECT count(*) FROM feedback f LEFT JOIN district d ON d.id = f.district_id LEFT JOIN unit u ON u.id = f.unit_id WHERE ${where}`);
}
async function inboxSqlPage(where, limit, offset) {
  const out = await sqlite(
    `SELECT f.id FROM feedback f LEFT JOIN district d ON d.id = f.district_id LEFT JOIN unit u ON u.id = f.unit_id WHERE ${where} ` +
    `ORDER BY (f.answered_at IS NOT NULL), f.created_at, f.id LIMIT ${limit} OFFSET ${offset}`);
  return out.split('\n').filter(Boolean).map(Number);
}

async function inboxCases() {
  const cases = [
    ['', 'hidden IN (0, 1)'],
    ['visibility=all', '1'],
    ['visibility=hidden,withdrawn', 'hidden IN (1, 2)'],
    ['visibility=public', 'hidden = 0'],
    ['status=received,in_progress', "hidden IN (0, 1) AND status IN ('received', 'in_progress')"],
    ['category=lighting&answered=false', "hidden IN (0, 1) AND category = 'lighting' AND answered_at IS NULL"],
    ['answered=true', 'hidden IN (0, 1) AND answered_at IS NOT NULL'],
    ['district=none', 'hidden IN (0, 1) AND district_id IS NULL'],
    ['unit=parks_green', "hidden IN (0, 1) AND u.code = 'parks_green'"],
    ['unit=none&status=in_progress', "hidden IN (0, 1) AND f.unit_id IS NULL AND status = 'in_progress'"],
    ['newer_than_days=30&status=in_progress', "hidden IN (0, 1) AND status = 'in_progress' AND created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-30 days')"],
    ['older_than_days=1', "hidden IN (0, 1) AND created_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 days')"],
    ['older_than_days=0&category=streets', "hidden IN (0, 1) AND category = 'streets' AND created_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"],
  ];
  // A box: the public items' page from the grid's cells, the hidden ones'
  // by SQL testing each against the box.
  const box = [C[0] - 0.02, C[1] - 0.01, C[0] + 0.02, C[1] + 0.01];
  const inBoxSql = `Intersects(f.geom, BuildMbr(${box.join(', ')}, 4326)) = 1`;
  cases.push([`bbox=${box.join(',')}`, `hidden IN (0, 1) AND ${inBoxSql}`]);
  cases.push([`bbox=${box.join(',')}&visibility=hidden,withdrawn`, `hidden IN (1, 2) AND ${inBoxSql}`]);
  const districts = (await call('GET', '/api/v1/districts')).json;
  const list = districts.features || districts;
  const code = (i) => list[i]?.properties?.code ?? list[i]?.code;
  if (code(0)) cases.push([`district=${code(0)},none`, `hidden IN (0, 1) AND (d.code = '${code(0)}' OR f.district_id IS NULL)`]);
  for (const i of [1, 2])
    if (code(i)) {
      cases.push([`district=${code(i)}&answered=true`, `hidden IN (0, 1) AND d.code = '${code(i)}' AND answered_at IS NOT NULL`]);
      cases.push([`district=${code(i)}&category=lighting&visibility=public`, `hidden = 0 AND d.code = '${code(i)}' AND category = 'lighting'`]);
    }
  return cases;
}

async function checkInbox(when) {
  let shown = 0, hiddenInBox = 0;
  for (const [qs, where] of await inboxCases()) {
    const r = await call('GET', `/api/v1/staff/feedback?limit=1&${qs}`, { token: 'mod-bot' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.numberMatched, Number(await inboxSql(where)), `${when}: ${qs}`);
    if (qs.startsWith('bbox') && qs.includes('hidden')) hiddenInBox = r.json.numberMatched;
    for (const [limit, offset] of [[7, 0], [5, 3], [4, 30], [50, 10]]) {
      const p = await call('GET', `/api/v1/staff/feedback?limit=${limit}&offset=${offset}&${qs}`, { token: 'mod-bot' });
      assert.equal(p.status, 200, p.text);
      assert.deepEqual(p.json.features.map((f) => f.id), await inboxSqlPage(where, limit, offset), `${when}: ${qs} limit ${limit} offset ${offset}`);
      shown += p.json.features.length;
    }
  }
  assert.ok(shown > 50, `${when}: ${shown} items shown`);
  assert.ok(hiddenInBox > 0, `${when}: ${hiddenInBox} hidden items in the box`);
}

test('the staff inbox numberMatched equals a brute-force SQL count for its filters',
  { skip: missingTool('sqlite3') }, async () => {
    await checkInbox('as written');
  });

test('the staff inbox pages stay exact through changes of status, category, place, unit, answer and visibility',
  { skip: missingTool('sqlite3') }, async () => {
    // Points inside three districts, so that moving one changes its district.
    const places = (await sqlite('SELECT X(PointOnSurface(geom)), Y(PointOnSurface(geom)) FROM district ORDER BY id LIMIT 3'))
      .split('\n').map((l) => l.split('|').map(Number));
    assert.equal(places.length, 3);
    const ids = [];
    for (let i = 0; i < 30; i++) {
      const r = await call('POST', '/api/v1/feedback', {
        body: { type: 'Feature', geometry: { type: 'Point', coordinates: places[i % 3] },
          properties: { category: i % 2 ? 'lighting' : 'streets', description: `Jono ${i}` } },
      });
      assert.equal(r.status, 201, r.text);
      ids.push(r.json.id);
    }
    await checkInbox('after 30 reports');
    const patch = async (id, body) => {
      const r = await call('PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot', body });
      assert.ok([200, 409].includes(r.status), r.text);
    };
    const districtOf = (id) => sqlite(`SELECT district_id FROM feedback WHERE id = ${id}`);
    const before = await districtOf(ids[0]);
    for (let i = 0; i < 30; i++) {
      if (i % 3 === 0) await patch(ids[i], { status: 'in_progress', unit: 'parks_green' });
      if (i % 4 === 1) await patch(ids[i], { category: i % 8 === 1 ? 'streets' : 'lighting' });
      if (i % 5 === 2) await patch(ids[i], { geometry: { type: 'Point', coordinates: places[(i + 1) % 3] } });
      if (i % 6 === 0) await patch(ids[i], { geometry: { type: 'Point', coordinates: places[1] } });
      if (i % 4 === 3) await patch(ids[i], { status: 'in_progress', public_answer: 'Työ on aloitettu.' });
      if (i % 7 === 5) await patch(ids[i], { hidden: true });
    }
    assert.notEqual(await districtOf(ids[0]), before, 'a move changed the district');
    await checkInbox('after status, unit, category, place, answer and hiding');
    for (let i = 5; i < 30; i += 7) await patch(ids[i], { hidden: false });
    await patch(ids[1], { public_answer: 'Vastattu.' });
    await checkInbox('shown again');
  });
