// Accessibility walks in GIS (issue 14, docs/walks.md "GIS"): GDAL reads the
// OGC API collections `walks` and `walk-findings` (the demo walks of
// seeds/walks/: every feature, typed fields, a filter, a bbox), and the
// OpenStreetMap export opens as GeoJSON.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, startServer } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

let srv;
const ogr = (args) => execFileSync('ogrinfo', args, { encoding: 'utf8', timeout: 120000 });
const count = (text) => (text.match(/^OGRFeature\(/gm) || []).length;

before(async () => {
  srv = await startServer({ demoResponses: 5 });
});
after(async () => { await srv?.close(); });

describe('walks in GIS', () => {
  test('the demo has two walks and their findings', async () => {
    const w = await call(srv, 'GET', '/api/v1/walks');
    assert.deepEqual(w.json.walks.map((x) => x.title).sort(),
      ['Imatrankosken esteettömyyskävely', 'Vuoksenniskan esteettömyyskävely']);
    assert.equal(w.json.walks.reduce((n, x) => n + x.findings, 0), 14);
  });

  test('ogrinfo reads both collections, typed, filtered and by bbox', { skip: missingTool('ogrinfo') }, () => {
    const src = `OAPIF:${srv.url}/ogcapi`;
    const list = ogr([src]);
    assert.match(list, /: walks \(title: Accessibility walks\)/);
    assert.match(list, /: walk-findings \(title: Accessibility walk findings\)/);
    const walks = ogr(['-so', src, 'walks']);
    assert.match(walks, /Feature Count: 2\b/);
    assert.match(walks, /walked_m: Real/);
    assert.match(walks, /participants: Integer/);
    const findings = ogr(['-so', src, 'walk-findings']);
    assert.match(findings, /Feature Count: 14\b/);
    assert.match(findings, /measurements: String\(JSON\)/);
    assert.match(findings, /verdicts: String\(JSON\)/);
    assert.match(findings, /created: DateTime/);
    const all = ogr(['-q', '-oo', 'PAGE_SIZE=5', src, 'walk-findings']);
    assert.equal(count(all), 14, 'every finding read, 5 at a time');
    assert.match(all, /grade \(String\) = vaara/);
    assert.match(all, /special_area \(String\) = vuoksenniska/);
    assert.match(all, /POINT \(28\.807 61\.2206\)/);
    assert.match(all, /LINESTRING \(28\.812 61\.2211,28\.8132 61\.2213\)/);
    const danger = ogr(['-q', '-where', "grade = 'vaara'", src, 'walk-findings']);
    assert.equal(count(danger), 3);
    const open = ogr(['-q', '-where', "status = 'open' AND level = 'erikoistaso'", src, 'walk-findings']);
    assert.equal(count(open), 7);
    const box = ogr(['-q', '-spat', '28.77', '61.19', '28.79', '61.20', src, 'walk-findings']);
    assert.equal(count(box), 6, 'Imatrankoski alone');
  });

  test('the OpenStreetMap export opens as GeoJSON', { skip: missingTool('ogrinfo') }, async () => {
    const r = await call(srv, 'GET', '/api/v1/walk-findings.osm.geojson');
    assert.equal(r.status, 200);
    const file = path.join(srv.dir, 'osm.geojson');
    writeFileSync(file, r.text);
    const info = ogr(['-q', '-al', file]);
    // Not yet fixed, not rejected: open and planned.
    const want = (await call(srv, 'GET', '/ogcapi/collections/walk-findings/items?limit=100')).json.features
      .filter((f) => ['open', 'planned'].includes(f.properties.status) && f.properties.consensus !== 'disagree').length;
    assert.equal(count(info), want);
    assert.match(info, /kerb \(String\) = (raised|flush)/);
    assert.match(info, /tactile_paving|smoothness \(String\) = (bad|intermediate)/);
    assert.match(info, /vaikuta:finding \(String\)/);
  });
});
