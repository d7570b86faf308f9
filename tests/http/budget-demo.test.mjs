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
  srv = await startServer({ demoResponses: 5, tokens: [{ name: 'planner', role: 'planner' }, { name: 'moderator', role: 'moderator' }] });
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
