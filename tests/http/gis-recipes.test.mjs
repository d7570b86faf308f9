// The GDAL recipes of docs/gis.md, run as written against a live server
// with the GDAL on this machine, for every collection they name and both
// planners' CRSs: the doc cannot rot. A recipe is a ```sh block whose first
// line is "# recipe: KIND (COLLECTIONS)"; its BASE=, COLLECTION= and EPSG=
// lines are replaced, and its output must name the CRS and count features.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, startServer } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const doc = readFileSync(path.join(repoRoot, 'docs/gis.md'), 'utf8');
const recipes = [...doc.matchAll(/```sh\n(# recipe: ([a-z]+) \(([^)]*)\)\n[\s\S]*?)```/g)]
  .map((m) => ({ script: m[1], kind: m[2], names: m[3] }));
const skip = missingTool('ogr2ogr') || missingTool('curl');

let srv;
let collections = [];
before(async () => {
  if (skip) return;
  srv = await startServer();
  collections = (await (await fetch(`${srv.url}/ogcapi/collections`)).json()).collections.map((c) => c.id);
});
after(async () => { if (srv) await srv.close(); });

function run(script, vars, dir) {
  let text = script;
  for (const [k, v] of Object.entries(vars)) {
    const re = new RegExp(`^${k}=.*$`, 'm');
    assert.match(text, re, `the recipe sets ${k}`);
    text = text.replace(re, `${k}=${v}`);
  }
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', text], { cwd: dir, encoding: 'utf8', timeout: 180000 });
  assert.equal(r.status, 0, `${text}\n${r.stderr}`);
  return r.stdout;
}

describe('docs/gis.md recipes', () => {
  test('the doc has recipes of both kinds', () => {
    assert.ok(recipes.some((r) => r.kind === 'oapif'));
    assert.ok(recipes.filter((r) => r.kind === 'export').length >= 3);
  });

  recipes.forEach((r, i) => {
    test(`recipe ${i + 1} (${r.kind}, ${r.names})`, { skip }, () => {
      const names = r.names === 'every collection' ? collections : r.names.split(',').map((s) => s.trim());
      assert.ok(names.length > 0);
      for (const c of names) assert.ok(collections.includes(c), `${c} is a collection`);
      for (const name of names) {
        for (const epsg of [3067, 3879]) {
          const dir = path.join(srv.dir, `recipe-${i}-${name}-${epsg}`);
          mkdirSync(dir, { recursive: true });
          const out = run(r.script, { BASE: srv.url, COLLECTION: name, EPSG: epsg }, dir);
          const layers = [...out.matchAll(/^Layer name: (.*)$/gm)].map((m) => m[1]);
          assert.ok(layers.length >= 1, `${name} EPSG:${epsg}: a layer\n${out}`);
          // Every layer in the asked CRS, with a count.
          const crs = out.match(/\n {4}ID\["EPSG",(\d+)\]\]\s*(?=\n|$)/g) || [];
          assert.equal(crs.length, layers.length, `${name} EPSG:${epsg}: each layer names its CRS\n${out}`);
          for (const c of crs) assert.match(c, new RegExp(`"EPSG",${epsg}\\]`), `${name}: EPSG:${epsg}`);
          assert.equal((out.match(/^Feature Count: \d+$/gm) || []).length, layers.length);
          // Easting and northing, not swapped: TM35FIN eastings lie within
          // 0…800 km, GK25FIN's begin with the zone number 25.
          for (const m of out.matchAll(/^Extent: \(([\d.-]+), ([\d.-]+)\) - \(([\d.-]+), ([\d.-]+)\)$/gm)) {
            const [x, y] = [Number(m[1]), Number(m[2])];
            if (epsg === 3067) assert.ok(x > 0 && x < 800000 && y > 6.6e6 && y < 7.8e6, `${name} TM35FIN extent ${m[0]}`);
            else assert.ok(x > 25e6 && x < 26e6 && y > 6.6e6 && y < 7.8e6, `${name} GK25FIN extent ${m[0]}`);
          }
        }
      }
    });
  });
});
