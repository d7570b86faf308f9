// Survey answers as GIS data (issue 11, "Storage and GIS"): every map
// question of a published survey is an OGC API - Features collection,
// staff-only until the author makes it public, read by GDAL as QGIS would;
// and the staff exports (GeoPackage, CSV, GeoJSON) open in ogrinfo.
//
// The responses are written straight into the database (the tables of
// schema/0012_surveys.sql) before the server starts, so the counts below
// are known exactly.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { check as checkGeoJSON } from '@placemarkio/check-geojson';
import { call, login, repoRoot, startServer, tempDir, vaikutaCli } from '../lib/server.mjs';

const OGC = '/ogcapi';
const fixture = (name) => JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/surveys', `${name}.json`), 'utf8'));
const school = fixture('safe-route-to-school');      // route (map-line), unsafe_spots (map-point)
const budget = fixture('neighbourhood-geobudget');   // improvements (geobudget)
const part = fixture('how-to-take-part');            // no map question: multi-choice with "other", a consent
// A question named as a column of every response is renamed in the table.
part.pages.forEach((p) => p.elements.forEach((e) => { if (e.key === 'evening_date') e.key = 'language'; }));
const PART = part.slug;
const PARTS = 5;                                     // its responses; the last one answers nothing
const SCHOOL = school.slug;
const BUDGET = budget.slug;
const N = 30;                  // responses to the school survey
const SPOTS = N + 10 + 6;      // a drawn point each, every 3rd one more by district, every 5th in words
const HIGH = 15;               // drawn spots with how_unsafe >= 4 (i % 2 === 0)
const ITEMS = 4;               // geobudget responses, one placed item each

let srv;
let base;
let token;

const q = (s) => (s === null || s === undefined ? 'NULL' : `'${String(s).replaceAll("'", "''")}'`);
const uuid = (i, k = 0) => `00000000-0000-4000-8000-${String(k * 1000 + i).padStart(12, '0')}`;
const time = (i) => `2026-09-${String(1 + (i % 28)).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00Z`;

function surveySql(id, def, publicQuestions) {
  const doc = JSON.stringify(def);
  return [
    `INSERT INTO survey (id, slug, state, draft, version, public_questions, created_at, updated_at, published_at) VALUES (${id}, ${q(def.slug)}, 'published', ${q(doc)}, 1, ${q(JSON.stringify(publicQuestions))}, '2026-08-01T00:00:00Z', '2026-08-01T00:00:00Z', '2026-08-01T00:00:00Z');`,
    `INSERT INTO survey_version (survey_id, version, definition, created_at) VALUES (${id}, 1, ${q(doc)}, '2026-08-01T00:00:00Z');`,
  ];
}

function responseSql(rid, sid, i, k) {
  return `INSERT INTO survey_response (id, survey_id, uuid, version, language, submitted_at, body_hash) VALUES (${rid}, ${sid}, '${uuid(i, k)}', 1, 'fi', '${time(i)}', 'h${rid}');`;
}

let fid = 0;
function featureSql(rid, sid, question, idx, where, answers) {
  fid++;
  const geom = where.wkt ? `GeomFromText('${where.wkt}', 4326)` : 'NULL';
  const district = where.district ? `(SELECT id FROM district WHERE code = '${where.district}')` : 'NULL';
  return `INSERT INTO survey_feature (id, response_id, survey_id, question, idx, located, district_id, place, description, item, answers, created_at, geom) VALUES (${fid}, ${rid}, ${sid}, '${question}', ${idx}, '${where.located}', ${district}, ${q(where.place)}, ${q(where.description)}, ${q(where.item)}, ${q(JSON.stringify(answers))}, '2026-09-01T00:00:00Z', ${geom});`;
}

function seed(db) {
  const sql = ['BEGIN;', ...surveySql(1, school, []), ...surveySql(2, budget, ['improvements']),
    // The public layer as drawn: the author turned snapping to hexagons off
    // (survey-results-ogc.test.mjs tests the snapped one).
    "INSERT INTO survey_publication (survey_id, snap, updated_at) VALUES (2, 0, '2026-08-01T00:00:00Z');"];
  for (let i = 0; i < N; i++) {
    const rid = i + 1;
    sql.push(responseSql(rid, 1, i, 0));
    const answers = { respondent: ['child', 'guardian', 'together'][i % 3], grade: 1 + (i % 9), mode: i % 4 === 3 ? { other: 'Potkulauta' } : 'walk', feel_safe: 1 + (i % 5) };
    for (const [k, v] of Object.entries(answers)) sql.push(`INSERT INTO survey_answer (response_id, question, value) VALUES (${rid}, '${k}', ${q(JSON.stringify(v))});`);
    sql.push(`INSERT INTO survey_answer (response_id, question, value, skipped) VALUES (${rid}, 'told_adult', '"skip"', 1);`);
    const x = (28.76 + i * 0.002).toFixed(4);
    sql.push(featureSql(rid, 1, 'route', 0, { located: 'geometry', wkt: `LINESTRING(${x} 61.2, ${x} 61.21, 28.815 61.225)` },
      { route_season: i % 2 ? ['summer'] : ['summer', 'winter'] }));
    sql.push(featureSql(rid, 1, 'unsafe_spots', 0, { located: 'geometry', wkt: `POINT(${x} 61.2)` },
      { why_unsafe: ['traffic', 'crossing'], how_unsafe: i % 2 === 0 ? 4 : 2, what_to_fix: `Korjaa kohta ${i}, "pian"` }));
    if (i % 3 === 0) sql.push(featureSql(rid, 1, 'unsafe_spots', 1, { located: 'district', district: 'imatrankoski' }, { why_unsafe: [{ other: 'Rekat' }], how_unsafe: 3 }));
    if (i % 5 === 0) sql.push(featureSql(rid, 1, 'unsafe_spots', 2, { located: 'words', description: 'Kaupan pihan kohdalla' }, { how_unsafe: 'skip' }));
  }
  for (let i = 0; i < ITEMS; i++) {
    const rid = 1000 + i;
    sql.push(responseSql(rid, 2, i, 1));
    sql.push(featureSql(rid, 2, 'improvements', 0, { located: 'geometry', wkt: `POINT(28.79${i} 61.19)`, item: 'bus_stop' }, {}));
  }
  sql.push(...surveySql(3, part, []));
  for (let i = 0; i < PARTS; i++) {
    const rid = 2000 + i;
    sql.push(responseSql(rid, 3, i, 2));
    if (i === PARTS - 1) continue;
    const answers = { age_group: 'a30_64', years_lived: i + 0.5, ways_now: i % 2 ? ['walk'] : ['resident_evening', 'walk', { other: 'Kirjaston tapahtumat, "pajat"' }],
      topics: ['planning', 'environment'], time_budget: { survey: 2 }, news_ok: true, why_not: '=SUM(A1)', language: '2027-02-10' };
    for (const [k, v] of Object.entries(answers)) sql.push(`INSERT INTO survey_answer (response_id, question, value) VALUES (${rid}, '${k}', ${q(JSON.stringify(v))});`);
    // Personal data lives apart and is never exported.
    sql.push(`INSERT INTO survey_personal (response_id, question, value) VALUES (${rid}, 'news_email', '"asukas@example.org"');`);
  }
  sql.push('COMMIT;');
  const file = path.join(path.dirname(db), 'seed.sql');
  writeFileSync(file, sql.join('\n'));
  execFileSync('sqlite3', ['-bail', '-cmd', '.load mod_spatialite', db, `.read ${file}`]);
}

// Paths or the absolute links the server wrote; the answer as call() gives it.
const get = (p, headers = {}) => call(srv, 'GET', p.replace(base, ''), { headers });
const staff = () => ({ Authorization: `Bearer ${token}` });
const items = (col, query = '', headers = {}) => get(`${OGC}/collections/${col}/items${query ? `?${query}` : ''}`, headers);
const ogr = (args, headers) => execFileSync('ogrinfo', [...(headers ? ['--config', 'GDAL_HTTP_HEADERS', `Authorization: Bearer ${token}`] : []), ...args],
  { encoding: 'utf8', timeout: 120000 });
const spots = `survey-${SCHOOL}-unsafe_spots`;
const route = `survey-${SCHOOL}-route`;
const improvements = `survey-${BUDGET}-improvements`;

before(async () => {
  const dir = tempDir();
  const db = path.join(dir, 'test.sqlite');
  vaikutaCli(['init', '--db', db]);
  seed(db);
  srv = await startServer({ dir, db, demo: false, users: [{ name: 'council1', role: 'council', password: 'correct horse battery staple' }],
    tokens: [{ name: 'planner', role: 'planner' },
    { name: 'council', role: 'council' }, { name: 'moderator', role: 'moderator' }] });
  base = srv.url;
  token = srv.tokens.planner;
});
after(async () => { if (srv) await srv.close(); });

describe('survey collections in OGC API - Features', () => {
  test('anonymous: only public questions are listed; the others are 404 as if absent', async () => {
    const { json } = await get(`${OGC}/collections`);
    const ids = json.collections.map((c) => c.id);
    assert.ok(ids.includes(improvements), 'the public geobudget question is listed');
    assert.ok(!ids.includes(spots) && !ids.includes(route), 'staff-only questions are not listed');
    for (const p of [`/collections/${spots}`, `/collections/${spots}/items`, `/collections/${spots}/queryables`,
      `/collections/${spots}/items/1`, `/collections/survey-nope-route`, `/collections/survey-${SCHOOL}-nope`]) {
      const r = await get(`${OGC}${p}`);
      assert.equal(r.res.status, 404, p);
      assert.equal(r.json.error.field, 'collectionId', p);
    }
  });

  test('staff with a token see every map question, with the right geometry type and properties', async () => {
    const { json } = await get(`${OGC}/collections`, staff());
    const ids = json.collections.map((c) => c.id);
    for (const id of [spots, route, improvements]) assert.ok(ids.includes(id), id);
    const col = json.collections.find((c) => c.id === spots);
    assert.match(col.title, /Turvallinen koulumatka/);
    // The extent is the layer's own drawn points, not every survey's.
    const [minx, miny, maxx, maxy] = col.extent.spatial.bbox[0];
    assert.ok(minx >= 28.759 && maxx <= 28.82 && miny >= 61.199 && maxy <= 61.201, JSON.stringify(col.extent));
    const page = await items(spots, 'limit=100', staff());
    assert.equal(page.res.status, 200);
    assert.equal(page.json.numberMatched, SPOTS);
    assert.equal(page.json.features.length, SPOTS);
    const drawn = page.json.features.find((f) => f.properties.located === 'geometry');
    assert.equal(drawn.geometry.type, 'Point');
    assert.match(drawn.properties.response, /^00000000-0000-4000-8000-/);
    assert.match(drawn.properties.submitted, /^2026-09-/);
    assert.equal(drawn.properties.version, 1);
    assert.deepEqual(drawn.properties.why_unsafe, ['traffic', 'crossing']);
    assert.ok([2, 4].includes(drawn.properties.how_unsafe));
    assert.match(drawn.properties.what_to_fix, /^Korjaa kohta/);
    const byDistrict = page.json.features.find((f) => f.properties.located === 'district');
    assert.equal(byDistrict.geometry, null);
    assert.equal(byDistrict.properties.district, 'imatrankoski');
    assert.deepEqual(byDistrict.properties.why_unsafe, [{ other: 'Rekat' }]);
    const inWords = page.json.features.find((f) => f.properties.located === 'words');
    assert.equal(inWords.properties.description, 'Kaupan pihan kohdalla');
    assert.equal(inWords.properties.how_unsafe, null, 'a skipped scale is null');
    const lines = await items(route, '', staff());
    assert.equal(lines.json.numberMatched, N);
    assert.equal(lines.json.features[0].geometry.type, 'LineString');
    const one = await get(`${OGC}/collections/${spots}/items/${drawn.id}`, staff());
    assert.equal(one.res.status, 200);
    assert.equal(one.json.properties.response, drawn.properties.response);
  });

  test('a staff session (cookie) sees the staff-only layers too', async () => {
    const { cookie } = await login(srv, 'council1', 'correct horse battery staple');
    const { json } = await get(`${OGC}/collections`, { Cookie: cookie });
    assert.ok(json.collections.some((c) => c.id === spots));
    assert.equal((await items(spots, 'limit=1', { Cookie: cookie })).json.numberMatched, SPOTS);
    assert.equal((await items(spots, 'limit=1', { Cookie: 'vaikuta_session=' + '0'.repeat(64) })).res.status, 404,
      'a stale session is anonymous');
  });

  test('queryables list the follow-ups with their types', async () => {
    const { res, json } = await get(`${OGC}/collections/${spots}/queryables`, staff());
    assert.equal(res.status, 200);
    assert.equal(json.properties.how_unsafe.type, 'number');
    assert.equal(json.properties.what_to_fix.type, 'string');
    assert.equal(json.properties.submitted.format, 'date-time');
    assert.deepEqual(json.properties.located.enum, ['geometry', 'district', 'place', 'words']);
  });

  test('CQL2, property filters, bbox, datetime, paging and crs=EPSG:3067', async () => {
    let r = await items(spots, `filter=${encodeURIComponent("how_unsafe >= 4 AND located = 'geometry'")}`, staff());
    assert.equal(r.res.status, 200, r.text);
    assert.equal(r.json.numberMatched, HIGH);
    r = await items(spots, 'located=district', staff());
    assert.equal(r.json.numberMatched, 10);
    r = await items(spots, `filter=${encodeURIComponent('S_INTERSECTS(geometry, POLYGON((28.75 61.19, 28.7705 61.19, 28.7705 61.21, 28.75 61.21, 28.75 61.19)))')}`, staff());
    assert.equal(r.json.numberMatched, 6, 'x = 28.760 … 28.770');
    // A bbox counts only this layer's points, though the R*Tree holds the routes' lines too.
    r = await items(spots, 'bbox=28.75,61.19,28.7705,61.205', staff());
    assert.equal(r.json.numberMatched, 6);
    assert.equal(r.json.features.length, 6);
    r = await items(route, 'bbox=28.75,61.19,28.7705,61.205', staff());
    assert.equal(r.json.numberMatched, 6);
    r = await items(spots, 'datetime=2026-09-01T00:00:00Z/2026-09-01T23:59:59Z', staff());
    assert.equal(r.json.numberMatched, 4, 'day 1: i = 0 (point, district, words) and i = 28 (point)');
    r = await items(spots, 'limit=10', staff());
    assert.equal(r.json.features.length, 10);
    const next = r.json.links.find((l) => l.rel === 'next');
    assert.ok(next);
    const r2 = await get(next.href, staff());
    assert.equal(r2.json.features.length, 10);
    assert.ok(r2.json.features[0].id > r.json.features[9].id);
    r = await items(spots, `crs=${encodeURIComponent('http://www.opengis.net/def/crs/EPSG/0/3067')}&located=geometry&limit=1`, staff());
    assert.equal(r.res.status, 200);
    assert.match(r.res.headers.get('content-crs'), /EPSG\/0\/3067/);
    const [e, n] = r.json.features[0].geometry.coordinates;
    assert.ok(e > 500000 && e < 700000 && n > 6700000 && n < 6850000, `${e} ${n}`);
    r = await items(spots, `filter=${encodeURIComponent('nosuch = 1')}`, staff());
    assert.equal(r.res.status, 400);
  });

  test('ogrinfo: anonymous GDAL sees the public layers only; with the token every layer, typed', () => {
    const anon = ogr([`OAPIF:${base}${OGC}`]);
    assert.match(anon, new RegExp(`: ${improvements} \\(title: .*\\) \\(Point\\)`));
    assert.doesNotMatch(anon, new RegExp(spots));
    const all = ogr([`OAPIF:${base}${OGC}`], true);
    assert.match(all, new RegExp(`: ${spots} `));
    assert.match(all, new RegExp(`: ${route} `));
    const info = ogr(['-so', `OAPIF:${base}${OGC}`, spots], true);
    assert.match(info, /Geometry: Point/);
    assert.match(info, new RegExp(`Feature Count: ${SPOTS}\\b`));
    assert.match(info, /how_unsafe: (Integer|Real) /);
    assert.match(info, /why_unsafe: String\(JSON\)/);
    assert.match(info, /submitted: DateTime/);
    const read = ogr(['-q', '-oo', 'PAGE_SIZE=7', `OAPIF:${base}${OGC}`, spots], true);
    assert.equal((read.match(/^OGRFeature\(/gm) || []).length, SPOTS, 'every feature read, 7 at a time');
    const lines = ogr(['-so', `OAPIF:${base}${OGC}`, route], true);
    assert.match(lines, /Geometry: Line String/);
    const filtered = ogr(['-q', '-where', 'how_unsafe >= 4', `OAPIF:${base}${OGC}`, spots], true);
    assert.equal((filtered.match(/^OGRFeature\(/gm) || []).length, HIGH);
  });
});

// CSV as the exports write it: BOM, CRLF, RFC 4180 quotes.
function parseCsv(text) {
  assert.ok(text.startsWith('\uFEFF'), 'UTF-8 byte order mark');
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += c;
  }
  assert.equal(field, '', 'the file ends with CRLF');
  return rows;
}

const exportPath = (slug, file) => `/api/v1/staff/surveys/${slug}/${file}`;
async function download(slug, file, tok = token) {
  const res = await fetch(`${base}${exportPath(slug, file)}`, { headers: { Authorization: `Bearer ${tok}` } });
  return { res, buf: Buffer.from(await res.arrayBuffer()) };
}

describe('survey exports (staff)', () => {
  test('planner, council and admin only; unknown surveys and questions are 404', async () => {
    assert.equal((await get(exportPath(SCHOOL, 'responses.csv'))).res.status, 401);
    assert.equal((await download(SCHOOL, 'responses.csv', srv.tokens.moderator)).res.status, 403);
    assert.equal((await download(SCHOOL, 'responses.csv', srv.tokens.council)).res.status, 200);
    assert.equal((await download('no-such-survey', 'export.gpkg')).res.status, 404);
    assert.equal((await download(SCHOOL, 'nope.geojson')).res.status, 404);
    assert.equal((await download(SCHOOL, 'features.csv?crs=EPSG:2393')).res.status, 400);
  });

  test('export.gpkg: a layer per map question with typed follow-ups, and the answers table', async () => {
    const { res, buf } = await download(SCHOOL, 'export.gpkg?crs=EPSG:3067');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/geopackage+sqlite3');
    assert.match(res.headers.get('content-disposition'), new RegExp(`${SCHOOL}-export.gpkg`));
    const file = path.join(srv.dir, 'school.gpkg');
    writeFileSync(file, buf);
    const list = execFileSync('ogrinfo', [file], { encoding: 'utf8' });
    assert.match(list, /: route \(Line String\)/);
    assert.match(list, /: unsafe_spots \(Point\)/);
    assert.match(list, /: answers \(None\)/);
    const info = (layer) => execFileSync('ogrinfo', ['-so', file, layer], { encoding: 'utf8' });
    const spotsInfo = info('unsafe_spots');
    assert.match(spotsInfo, new RegExp(`Feature Count: ${SPOTS}\\b`));
    assert.match(spotsInfo, /TM35FIN/);
    assert.match(spotsInfo, /how_unsafe: Real/);
    assert.match(spotsInfo, /what_to_fix: String/);
    assert.match(spotsInfo, /submitted: DateTime/);
    assert.match(info('route'), new RegExp(`Feature Count: ${N}\\b`));
    const answers = info('answers');
    assert.match(answers, new RegExp(`Feature Count: ${N}\\b`));
    assert.match(answers, /grade: Real/);
    assert.match(answers, /mode\.other: String/);
    assert.doesNotMatch(answers, /email/, 'personal answers are never exported');
    // Every row reads without a warning (GeoPackage date-time format included).
    const all = execFileSync('ogrinfo', ['-q', file, 'answers', 'unsafe_spots'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal((all.match(/^OGRFeature\(answers\)/gm) || []).length, N);
    const r = execFileSync('ogrinfo', ['-q', file, 'answers', '-where', '"mode.other" IS NOT NULL'], { encoding: 'utf8' });
    assert.equal((r.match(/^OGRFeature/gm) || []).length, [3, 7, 11, 15, 19, 23, 27].length);
  });

  test('export.gpkg of a geobudget: the placed items with their item key', async () => {
    const { res, buf } = await download(BUDGET, 'export.gpkg');
    assert.equal(res.status, 200);
    const file = path.join(srv.dir, 'budget.gpkg');
    writeFileSync(file, buf);
    const info = execFileSync('ogrinfo', ['-so', file, 'improvements'], { encoding: 'utf8' });
    assert.match(info, /Geometry: Point/);
    assert.match(info, new RegExp(`Feature Count: ${ITEMS}\\b`));
    const rows = execFileSync('ogrinfo', ['-q', file, 'improvements', '-where', "item = 'bus_stop'"], { encoding: 'utf8' });
    assert.equal((rows.match(/^OGRFeature/gm) || []).length, ITEMS);
    assert.match(execFileSync('ogrinfo', ['-so', file, 'answers'], { encoding: 'utf8' }), new RegExp(`Feature Count: ${ITEMS}\\b`));
  });

  test('export.gpkg of a survey without map questions: the answers table with a column per choice', async () => {
    const { res, buf } = await download(PART, 'export.gpkg');
    assert.equal(res.status, 200);
    const file = path.join(srv.dir, 'part.gpkg');
    writeFileSync(file, buf);
    const info = execFileSync('ogrinfo', ['-so', file, 'answers'], { encoding: 'utf8' });
    assert.match(info, new RegExp(`Feature Count: ${PARTS}\\b`));
    for (const c of ['online_survey', 'resident_evening', 'walk', 'workshop', 'social_media', 'feedback_service']) {
      assert.match(info, new RegExp(`ways_now\\.${c}: Integer`), c);
    }
    const walkers = execFileSync('ogrinfo', ['-q', file, 'answers', '-where', '"ways_now.walk" = 1'], { encoding: 'utf8' });
    assert.equal((walkers.match(/^OGRFeature/gm) || []).length, PARTS - 1);
  });

  test('responses.csv: one row per response, a column per question or choice', async () => {
    const { res, buf } = await download(PART, 'responses.csv');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    const rows = parseCsv(buf.toString('utf8'));
    assert.deepEqual(rows[0], ['response', 'submitted', 'version', 'language', 'age_group', 'years_lived',
      'ways_now.online_survey', 'ways_now.resident_evening', 'ways_now.walk', 'ways_now.workshop', 'ways_now.social_media',
      'ways_now.feedback_service', 'ways_now.other', 'answer_language', 'influence', 'why_not', 'topics', 'time_budget', 'news_ok']);
    assert.equal(rows.length, 1 + PARTS);
    const col = (name) => rows[0].indexOf(name);
    const first = rows[1];
    assert.equal(first[col('response')], uuid(0, 2));
    assert.equal(first[col('years_lived')], '0.5');
    assert.equal(first[col('ways_now.walk')], '1');
    assert.equal(first[col('ways_now.workshop')], '0');
    assert.equal(first[col('ways_now.other')], 'Kirjaston tapahtumat, "pajat"');
    assert.equal(first[col('topics')], '["planning","environment"]');
    assert.equal(first[col('news_ok')], '1');
    assert.equal(first[col('language')], 'fi');
    assert.equal(first[col('answer_language')], '2027-02-10');
    assert.equal(first[col('why_not')], "'=SUM(A1)", 'a formula is defused');
    assert.equal(rows[2][col('ways_now.other')], '');
    assert.ok(rows[PARTS].slice(4).every((v) => v === ''), 'a response without answers is a row of empty answers');
    const school = parseCsv((await download(SCHOOL, 'responses.csv')).buf.toString('utf8'));
    assert.equal(school.length, 1 + N);
    assert.ok(!school[0].includes('email'));
    assert.equal(school[1][school[0].indexOf('told_adult')], '', 'skipped');
  });

  test('features.csv: one row per drawn feature of every map question, WKT and lon/lat', async () => {
    const { res, buf } = await download(SCHOOL, 'features.csv');
    assert.equal(res.status, 200);
    const rows = parseCsv(buf.toString('utf8'));
    assert.deepEqual(rows[0], ['id', 'question', 'response', 'submitted', 'version', 'located', 'district', 'place',
      'description', 'item', 'answers', 'lon', 'lat', 'wkt']);
    assert.equal(rows.length, 1 + N + SPOTS);
    const h = (name) => rows[0].indexOf(name);
    const line = rows.find((r) => r[h('question')] === 'route');
    assert.match(line[h('wkt')], /^LINESTRING \(/);
    const point = rows.find((r) => r[h('question')] === 'unsafe_spots' && r[h('located')] === 'geometry');
    assert.match(point[h('wkt')], /^POINT \(28\.\d+ 61\.2\)$/);
    assert.equal(Number(point[h('lat')]), 61.2);
    assert.deepEqual(JSON.parse(point[h('answers')]).why_unsafe, ['traffic', 'crossing']);
    const district = rows.find((r) => r[h('located')] === 'district');
    assert.equal(district[h('district')], 'imatrankoski');
    assert.equal(district[h('wkt')], '');
    const metric = parseCsv((await download(SCHOOL, 'features.csv?crs=EPSG:3067')).buf.toString('utf8'));
    assert.deepEqual(metric[0].slice(-3), ['easting', 'northing', 'wkt']);
  });

  test('{question}.geojson: valid GeoJSON of one map question, null geometry where placed without one', async () => {
    const { res, buf } = await download(SCHOOL, 'unsafe_spots.geojson');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/geo+json');
    const text = buf.toString('utf8');
    checkGeoJSON(text);
    const fc = JSON.parse(text);
    assert.equal(fc.features.length, SPOTS);
    assert.equal(fc.features.filter((f) => f.geometry === null).length, SPOTS - N);
    assert.ok(fc.features.every((f) => f.geometry === null || f.geometry.type === 'Point'));
    // Properties as the collection's items give them: choices stay a JSON array.
    const drawn = fc.features.find((f) => f.properties.located === 'geometry');
    assert.deepEqual(drawn.properties.why_unsafe, ['traffic', 'crossing']);
    const ogc = await items(spots, `filter=${encodeURIComponent(`id = ${drawn.id}`)}`, staff());
    assert.deepEqual(ogc.json.features[0].properties, drawn.properties);
    const file = path.join(srv.dir, 'spots.geojson');
    writeFileSync(file, buf);
    assert.match(execFileSync('ogrinfo', ['-so', file, fc.name], { encoding: 'utf8' }), new RegExp(`Feature Count: ${SPOTS}\\b`));
    const routes = JSON.parse((await download(SCHOOL, 'route.geojson')).buf.toString('utf8'));
    assert.equal(routes.features.length, N);
  });
});

describe('answers sent through the survey API become features', () => {
  test('publish, answer, see it as staff, make the question public, see it as anyone', async () => {
    const slug = 'koulutie-gis';
    const doc = { ...fixture('safe-route-to-school'), slug };
    // A follow-up named as a fixed property keeps its answer as answer_place.
    const spotsQ = doc.pages.flatMap((p) => p.elements).find((e) => e.key === 'unsafe_spots');
    spotsQ.followups.find((f) => f.key === 'what_to_fix').key = 'place';
    delete doc.opens;
    delete doc.closes;
    let r = await call(srv, 'POST', '/api/v1/staff/surveys', { token: 'planner', body: doc });
    assert.equal(r.status, 201, r.text);
    r = await call(srv, 'POST', `/api/v1/staff/surveys/${slug}/publish`, { token: 'planner' });
    assert.equal(r.status, 200, r.text);
    const response = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/surveys/responses/safe-route-to-school.json'), 'utf8'));
    const fix = response.answers.unsafe_spots[0].answers;
    fix.place = fix.what_to_fix;
    delete fix.what_to_fix;
    r = await call(srv, 'POST', `/api/v1/surveys/${slug}/responses`, { body: { ...response, version: r.json.version ?? 1 } });
    assert.equal(r.status, 201, r.text);
    const col = `survey-${slug}-unsafe_spots`;
    assert.equal((await items(col)).res.status, 404, 'not public yet');
    const page = await items(col, '', staff());
    assert.equal(page.res.status, 200);
    const located = page.json.features.map((f) => f.properties.located).sort();
    assert.deepEqual(located, ['district', 'geometry', 'words']);
    const drawn = page.json.features.find((f) => f.properties.located === 'geometry');
    assert.deepEqual(drawn.geometry.coordinates, response.answers.unsafe_spots[0].geometry.coordinates);
    assert.equal(drawn.properties.response, response.id);
    assert.equal(drawn.properties.how_unsafe, 4);
    assert.equal(drawn.properties.answer_place, fix.place);
    assert.equal(drawn.properties.place, null);
    r = await call(srv, 'PUT', `/api/v1/staff/surveys/${slug}/public`, { token: 'planner', body: { questions: ['unsafe_spots'] } });
    assert.equal(r.status, 200, r.text);
    // Snapping is on by default (docs/survey-publish.md): one respondent's
    // point is in a hexagon of fewer than k, so nothing is listed …
    const snapped = await items(col);
    assert.equal(snapped.res.status, 200);
    assert.equal(snapped.json.numberMatched, 0);
    // … until the author turns it off: then the features as drawn.
    r = await call(srv, 'PUT', `/api/v1/staff/surveys/${slug}/publication`, { token: 'planner', body: { snap: false } });
    assert.equal(r.status, 200, r.text);
    const open = await items(col);
    assert.equal(open.res.status, 200);
    assert.equal(open.json.numberMatched, 3);
    assert.equal((await items(`survey-${slug}-route`)).res.status, 404, 'the other question stays staff-only');
    const csv = parseCsv((await download(slug, 'responses.csv')).buf.toString('utf8'));
    assert.equal(csv.length, 2);
    assert.equal(csv[1][csv[0].indexOf('respondent')], 'guardian');
    assert.ok(!csv[0].includes('email'));
  });
});
