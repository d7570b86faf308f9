// The demo budgeting round (seeds/budgeting/imatra.json, issue 13):
// `serve --demo` loads Imatra's round once, published and in the results
// phase by hand, with proposals in fi/sv/en, reviewed and merged into
// projects, ballots under the knapsack rule, and the winners'
// implementation followed; and the staff exports of a round's projects
// (GeoPackage read by GDAL, CSV read back against the API's figures).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call as callServer, startServer } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const SLUG = 'imatra-2026';
let srv;
const call = (method, url, opts) => callServer(srv, method, url, opts);

before(async () => {
  // template: false: this file tests what `serve --demo` loads into a new database.
  srv = await startServer({ demoResponses: 5, template: false, tokens: [{ name: 'planner', role: 'planner' }, { name: 'moderator', role: 'moderator' }] });
});
after(async () => { if (srv) await srv.close(); });

describe('the demo round', () => {
  test('the log says what --demo added', () => {
    assert.match(srv.stderr(), /demo content: 1 budgeting rounds with \d+ ballots added/);
  });

  test('Imatra, 40 000 € in three areas, published, in the results phase by hand', async () => {
    const list = await call('GET', '/api/v1/budget/rounds');
    assert.deepEqual(list.json.rounds.map((r) => r.slug), [SLUG]);
    const r = await call('GET', `/api/v1/budget/rounds/${SLUG}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.budget, 40000);
    assert.equal(r.json.phase, 'results');
    assert.equal(r.json.phase_by_hand, true);
    assert.equal(r.json.areas.length, 3);
    assert.equal(r.json.areas.reduce((s, a) => s + a.budget, 0), 40000);
    for (const l of ['fi', 'sv', 'en']) assert.ok(r.json.title[l] && r.json.description[l], l);
    assert.ok(r.json.counts.ballots > 100, 'ballots counted');
  });

  test('proposals from seed 000 in fi, sv and en, reviewed, each placed in an area', async () => {
    const p = (await call('GET', `/api/v1/budget/rounds/${SLUG}/proposals?limit=1000`)).json.features;
    const titles = p.map((f) => f.properties.title).join(' | ');
    for (const t of [/Huvikumpu/, /bussipysäk/i, /Kesäkukat/]) assert.match(titles, t);
    assert.deepEqual([...new Set(p.map((f) => f.properties.language))].sort(), ['en', 'fi', 'sv']);
    assert.ok(p.every((f) => f.properties.review), 'every proposal reviewed');
    assert.ok(p.every((f) => ['north', 'centre', 'south'].includes(f.properties.area)), 'each in an area');
    const notFeasible = p.filter((f) => !f.properties.review.feasible);
    assert.ok(notFeasible.length >= 1 && notFeasible.every((f) => f.properties.review.reason));
    assert.ok(p.some((f) => f.properties.located === 'district' && f.geometry === null), 'one placed by district');
    assert.ok(p.some((f) => f.properties.supports > 0));
  });

  test('projects made of the proposals; the winners are the projects being built', async () => {
    const projects = (await call('GET', `/api/v1/budget/rounds/${SLUG}/projects`)).json.features;
    assert.ok(projects.length >= 6);
    const play = projects.find((f) => f.properties.title.fi === 'Huvikummun leikkipuisto');
    assert.ok(play, 'the Huvikumpu playground');
    assert.equal(play.properties.proposals.length, 2, 'two proposals merged into it');
    assert.ok(play.properties.supporters > 0, 'their supporters carried over');
    for (const f of projects) for (const l of ['fi', 'sv', 'en']) assert.ok(f.properties.title[l], `${f.id} ${l}`);
    const followed = projects.filter((f) => f.properties.status);
    assert.ok(followed.length >= 3);
    for (const f of followed) {
      assert.equal(f.properties.selected, true, `${f.properties.title.fi} has a status, so it won`);
      assert.ok(f.properties.updates.length >= 1 && f.properties.updates[0].text.sv, 'a dated update in every language');
    }
    assert.ok(projects.some((f) => f.properties.selected === false), 'and some lost');
    const results = (await call('GET', `/api/v1/budget/rounds/${SLUG}/results`)).json;
    assert.equal(results.method, 'mes');
    for (const a of results.areas) assert.ok(a.spent <= a.budget && a.ballots > 0, a.key);
  });

  test('a second start with --demo adds nothing', async () => {
    await srv.stop();
    const again = await startServer({ db: srv.db, dir: srv.dir, demoResponses: 5, tokens: [] });
    try {
      assert.match(again.stderr(), /demo content: 0 budgeting rounds with 0 ballots added/);
      assert.equal((await callServer(again, 'GET', '/api/v1/budget/rounds')).json.rounds.length, 1);
    } finally {
      await again.stop();
    }
    srv = await startServer({ db: srv.db, dir: srv.dir, demoResponses: 5, tokens: [{ name: 'planner', role: 'planner' }, { name: 'moderator', role: 'moderator' }] });
  });

  test('a seeds directory without budgeting/ loads no round', async () => {
    const fixtures = path.join(import.meta.dirname, '..', 'fixtures');
    const other = await startServer({ demoResponses: 5,
      args: ['--seeds', path.join(fixtures, 'seeds'), '--geo', path.join(fixtures, 'geo')] });
    try {
      assert.match(other.stderr(), /demo content: 0 budgeting rounds/);
      assert.equal((await callServer(other, 'GET', '/api/v1/budget/rounds')).json.rounds.length, 0);
    } finally {
      await other.close();
    }
  });
});

// RFC 4180: quoted fields may hold commas, quotes ("") and line breaks.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r') { /* CRLF */ } else if (c === '\n') {
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

describe('the staff exports of a round', () => {
  const base = `/api/v1/staff/budget/rounds/${SLUG}`;

  test('projects.csv: every project with its votes and whether it won, as the results say; lon/lat and WKT', async () => {
    const r = await call('GET', `${base}/projects.csv`, { token: 'planner' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    assert.match(r.headers.get('content-disposition'), /imatra-2026-projects\.csv/);
    const rows = parseCsv(r.text);
    const projects = (await call('GET', `/api/v1/budget/rounds/${SLUG}/projects`)).json.features;
    assert.equal(rows.length, projects.length);
    const results = (await call('GET', `/api/v1/budget/rounds/${SLUG}/results`)).json;
    const byId = new Map(results.areas.flatMap((a) => a.projects).map((p) => [String(p.id), p]));
    for (const row of rows) {
      const want = byId.get(row.id);
      assert.ok(want, `project ${row.id} in the results`);
      assert.equal(Number(row.votes), want.votes, `${row.title_fi}: votes`);
      assert.equal(row.selected, want.selected ? '1' : '0', `${row.title_fi}: selected`);
      assert.equal(row.selected_greedy, want.selected_greedy ? '1' : '0');
      assert.equal(row.selected_mes, want.selected_mes ? '1' : '0');
      assert.equal(Number(row.cost), want.cost);
      assert.equal(row.title_fi, want.title.fi);
      const f = projects.find((x) => String(x.id) === row.id);
      assert.ok(Math.abs(Number(row.lon) - f.geometry.coordinates[0]) < 1e-6, 'lon');
      assert.ok(Math.abs(Number(row.lat) - f.geometry.coordinates[1]) < 1e-6, 'lat');
      assert.match(row.wkt, /^POINT \(28\.\d+ 61\.\d+\)$/);
      assert.equal(row.status, f.properties.status ?? '');
    }
    assert.ok(rows.some((x) => x.selected === '1') && rows.some((x) => x.selected === '0'));
    const metric = parseCsv((await call('GET', `${base}/projects.csv?crs=EPSG:3067`, { token: 'planner' })).text);
    assert.ok(metric.every((x) => Number(x.easting) > 500000 && Number(x.northing) > 6700000), 'EPSG:3067');
  });

  test('projects.gpkg: GDAL reads the layers projects and proposals with their fields and counts', { skip: missingTool('ogrinfo') }, async () => {
    const res = await fetch(`${srv.url}${base}/projects.gpkg?crs=EPSG:3067`, { headers: { Authorization: `Bearer ${srv.tokens.planner}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/geopackage+sqlite3');
    const file = path.join(srv.dir, 'projects.gpkg');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const ogr = (args) => execFileSync('ogrinfo', args, { encoding: 'utf8', timeout: 120000 });
    const layers = ogr(['-q', file]);
    assert.match(layers, /projects/);
    assert.match(layers, /proposals/);
    const projects = (await call('GET', `/api/v1/budget/rounds/${SLUG}/projects`)).json.features;
    const info = ogr(['-so', file, 'projects']);
    assert.match(info, new RegExp(`Feature Count: ${projects.length}\\b`));
    for (const f of ['title_fi: String', 'cost: Integer', 'area: String', 'votes: Integer', 'selected: Integer', 'status: String']) {
      assert.match(info, new RegExp(`^${f}`, 'm'), f);
    }
    assert.match(info, /ID\["EPSG",3067\]\]\s*$/m);
    const staffProposals = (await call('GET', `${base}/proposals`, { token: 'planner' })).json.features;
    const pinfo = ogr(['-so', file, 'proposals']);
    assert.match(pinfo, new RegExp(`Feature Count: ${staffProposals.length}\\b`));
    for (const f of ['title: String', 'review_cost: Integer', 'project: Integer', 'moderation: String']) {
      assert.match(pinfo, new RegExp(`^${f}`, 'm'), f);
    }
    assert.doesNotMatch(pinfo, /contact|email/i, 'no contact details');
    // The winners' votes as GDAL reads them.
    const play = projects.find((f) => f.properties.title.fi === 'Huvikummun leikkipuisto');
    const one = ogr(['-q', '-where', `title_fi = 'Huvikummun leikkipuisto'`, file, 'projects']);
    assert.match(one, new RegExp(`votes \\(Integer(64)?\\) = ${play.properties.votes}\\b`));
    assert.match(one, /selected \(Integer(64)?\) = 1\b/);
  });

  test('planners only; an unknown round is 404, an unknown CRS 400', async () => {
    assert.equal((await call('GET', `${base}/projects.csv`)).status, 401);
    assert.equal((await call('GET', `${base}/projects.gpkg`, { token: 'moderator' })).status, 403);
    const none = await call('GET', '/api/v1/staff/budget/rounds/nope/projects.csv', { token: 'planner' });
    assert.equal(none.status, 404);
    assert.equal(none.json.error.field, 'slug');
    const crs = await call('GET', `${base}/projects.csv?crs=EPSG:2393`, { token: 'planner' });
    assert.equal(crs.status, 400);
    assert.equal(crs.json.error.field, 'crs');
    assert.equal((await call('GET', `${base}/projects.csv?x=1`, { token: 'planner' })).status, 400);
  });
});
