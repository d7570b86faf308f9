// Staff accounts: sign-in, sessions, CSRF, throttling, API tokens, and the
// role matrix — every route of the table (as /ogcapi/api lists it) ×
// anonymous, each role and an API token → the expected status.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { call as callServer, login as signIn, startServer, vaikutaBin, vaikutaCli } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const PW = 'correct horse battery staple';
const USERS = [
  { name: 'admin1', role: 'admin', password: PW },
  { name: 'moderator1', role: 'moderator', password: PW },
  { name: 'planner1', role: 'planner', password: PW },
  { name: 'council1', role: 'council', password: PW },
  { name: 'leaver', role: 'moderator', password: PW },
  { name: 'passwd1', role: 'planner', password: PW },
  { name: 'throttled', role: 'council', password: PW },
];
const TOKENS = [{ name: 'gis-export', role: 'planner' }, { name: 'mod-bot', role: 'moderator' }];

// The route table, by hand: [method, pattern, who may call it]. It must
// equal the operations /ogcapi/api documents (test_route.c checks that
// the table is documented), so a new route cannot be left out of here.
// Open311 paths are public and are taken from the document as they are.
const MATRIX = [
  ['GET', '/healthz', 'public'],
  ['GET', '/api/v1/config', 'public'],
  ['GET', '/api/v1/categories', 'public'],
  ['GET', '/api/v1/districts', 'public'],
  ['GET', '/api/v1/feedback', 'public'],
  ['POST', '/api/v1/feedback', 'public'],
  ['GET', '/api/v1/feedback/{id}', 'public'],
  ['GET', '/api/v1/feedback/nearby', 'public'],
  ['POST', '/api/v1/feedback/{id}/me-too', 'public'],
  ['GET', '/api/v1/followup/{token}', 'public'],
  ['POST', '/api/v1/followup/{token}/withdraw', 'public'],
  ['POST', '/api/v1/staff/feedback/{id}/merge', 'moderator'],
  ['POST', '/api/v1/staff/feedback/{id}/photos/{photo}', 'moderator'],
  ['GET', '/api/v1/export/{file}', 'public'],
  ['GET', '/ogcapi', 'public'],
  ['GET', '/ogcapi/conformance', 'public'],
  ['GET', '/ogcapi/api', 'public'],
  ['GET', '/ogcapi/collections', 'public'],
  ['GET', '/ogcapi/collections/{collectionId}', 'public'],
  ['GET', '/ogcapi/collections/{collectionId}/queryables', 'public'],
  ['GET', '/ogcapi/collections/{collectionId}/schema', 'public'],
  ['GET', '/ogcapi/collections/{collectionId}/items', 'public'],
  ['POST', '/ogcapi/collections/{collectionId}/items', 'public'],
  ['GET', '/ogcapi/collections/{collectionId}/items/{featureId}', 'public'],
  ['GET', '/ogcapi/tileMatrixSets', 'public'],
  ['GET', '/ogcapi/tileMatrixSets/{tileMatrixSetId}', 'public'],
  ['GET', '/ogcapi/collections/{collectionId}/tiles', 'public'],
  ['GET', '/ogcapi/collections/{collectionId}/tiles/{tileMatrixSetId}', 'public'],
  ['GET', '/ogcapi/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}', 'public'],
  ['PUT', '/ogcapi/collections/{collectionId}/items/{featureId}', 'moderator'],
  ['PATCH', '/ogcapi/collections/{collectionId}/items/{featureId}', 'moderator'],
  ['DELETE', '/ogcapi/collections/{collectionId}/items/{featureId}', 'moderator'],
  ['POST', '/api/v1/auth/login', 'public'],
  ['GET', '/api/v1/auth/me', 'staff'],
  ['GET', '/api/v1/staff/users', 'admin'],
  ['POST', '/api/v1/staff/users', 'admin'],
  ['PATCH', '/api/v1/staff/users/{name}', 'admin'],
  ['GET', '/api/v1/staff/feedback', 'staff'],
  ['GET', '/api/v1/staff/assignees', 'staff'],
  ['GET', '/api/v1/units', 'public'],
  ['GET', '/api/v1/staff/feedback/{id}', 'staff'],
  ['GET', '/api/v1/staff/feedback/{id}/nearby', 'staff'],
  ['POST', '/api/v1/staff/feedback/bulk', 'moderator'],
  ['GET', '/api/v1/staff/replies', 'staff'],
  ['POST', '/api/v1/staff/replies', 'admin'],
  ['PUT', '/api/v1/staff/replies/{id}', 'admin'],
  ['DELETE', '/api/v1/staff/replies/{id}', 'admin'],
  ['PATCH', '/api/v1/staff/feedback/{id}', 'moderator'],
  ['GET', '/api/v1/staff/audit', 'admin'],
  ['GET', '/api/v1/staff/tokens', 'admin'],
  ['DELETE', '/api/v1/staff/tokens/{tokenId}', 'admin'],
  ['GET', '/api/v1/stats/feedback', 'public'],
  ['GET', '/api/v1/stats/response-times', 'public'],
  ['GET', '/api/v1/stats/choropleth', 'public'],
  ['GET', '/api/v1/stats/density', 'public'],
  ['GET', '/api/v1/schema/survey', 'public'],
  ['GET', '/api/v1/surveys', 'public'],
  ['GET', '/api/v1/surveys/{slug}', 'public'],
  ['POST', '/api/v1/surveys/{slug}/responses', 'public'],
  ['POST', '/api/v1/surveys/{slug}/drafts', 'public'],
  ['POST', '/api/v1/surveys/{slug}/subscriptions', 'public'],
  ['GET', '/api/v1/surveys/{slug}/drafts/{token}', 'public'],
  ['PUT', '/api/v1/surveys/{slug}/drafts/{token}', 'public'],
  ['GET', '/api/v1/surveys/{slug}/results', 'public'],
  ['GET', '/api/v1/surveys/{slug}/mine/{token}', 'public'],
  ['GET', '/api/v1/surveys/{slug}/results/{question}.geojson', 'public'],
  ['GET', '/api/v1/staff/surveys', 'staff'],
  ['POST', '/api/v1/staff/surveys', 'planner'],
  ['GET', '/api/v1/staff/surveys/{slug}', 'staff'],
  ['PUT', '/api/v1/staff/surveys/{slug}', 'planner'],
  ['PUT', '/api/v1/staff/surveys/{slug}/public', 'planner'],
  ['POST', '/api/v1/staff/surveys/{slug}/duplicate', 'planner'],
  ['POST', '/api/v1/staff/surveys/{slug}/publish', 'planner'],
  ['POST', '/api/v1/staff/surveys/{slug}/close', 'planner'],
  ['POST', '/api/v1/staff/surveys/{slug}/reopen', 'planner'],
  ['POST', '/api/v1/staff/surveys/{slug}/archive', 'planner'],
  ['GET', '/api/v1/staff/surveys/{slug}/publication', 'staff'],
  ['PUT', '/api/v1/staff/surveys/{slug}/publication', 'planner'],
  ['GET', '/api/v1/staff/surveys/{slug}/texts', 'staff'],
  ['PUT', '/api/v1/staff/surveys/{slug}/texts/{id}', 'planner'],
  ['GET', '/api/v1/staff/surveys/{slug}/export.gpkg', 'survey-reader'],
  ['GET', '/api/v1/staff/surveys/{slug}/responses.csv', 'survey-reader'],
  ['GET', '/api/v1/staff/surveys/{slug}/features.csv', 'survey-reader'],
  ['GET', '/api/v1/staff/surveys/{slug}/results', 'survey-reader'],
  ['GET', '/api/v1/staff/surveys/{slug}/results/hex.geojson', 'survey-reader'],
  ['GET', '/api/v1/staff/surveys/{slug}/results.csv', 'survey-reader'],
  ['GET', '/api/v1/staff/surveys/{slug}/results.gpkg', 'survey-reader'],
  ['GET', '/api/v1/staff/surveys/{slug}/{question}.geojson', 'survey-reader'],
  ['GET', '/api/v1/staff/budget/rounds/{slug}/projects.gpkg', 'planner'],
  ['GET', '/api/v1/staff/budget/rounds/{slug}/projects.csv', 'planner'],
  ['GET', '/api/v1/budget/rounds', 'public'],
  ['GET', '/api/v1/budget/rounds/{slug}', 'public'],
  ['GET', '/api/v1/budget/rounds/{slug}/proposals', 'public'],
  ['POST', '/api/v1/budget/rounds/{slug}/proposals', 'public'],
  ['GET', '/api/v1/budget/rounds/{slug}/projects', 'public'],
  ['POST', '/api/v1/budget/rounds/{slug}/ballots', 'public'],
  ['POST', '/api/v1/budget/rounds/{slug}/subscriptions', 'public'],
  ['GET', '/api/v1/budget/rounds/{slug}/results', 'public'],
  ['GET', '/api/v1/budget/rounds/{slug}/export.pb', 'public'],
  ['GET', '/api/v1/budget/proposals/{id}', 'public'],
  ['POST', '/api/v1/budget/proposals/{id}/support', 'public'],
  ['GET', '/api/v1/budget/projects/{id}', 'public'],
  ['GET', '/api/v1/budget/ballots/{token}', 'public'],
  ['PUT', '/api/v1/budget/ballots/{token}', 'public'],
  ['GET', '/api/v1/staff/budget/rounds', 'staff'],
  ['POST', '/api/v1/staff/budget/rounds', 'planner'],
  ['GET', '/api/v1/staff/budget/rounds/{slug}', 'staff'],
  ['PUT', '/api/v1/staff/budget/rounds/{slug}', 'planner'],
  ['POST', '/api/v1/staff/budget/rounds/{slug}/publish', 'planner'],
  ['POST', '/api/v1/staff/budget/rounds/{slug}/phase', 'planner'],
  ['GET', '/api/v1/staff/budget/rounds/{slug}/proposals', 'staff'],
  ['POST', '/api/v1/staff/budget/rounds/{slug}/projects', 'planner'],
  ['POST', '/api/v1/staff/budget/rounds/{slug}/codes', 'planner'],
  ['GET', '/api/v1/staff/budget/rounds/{slug}/codes', 'staff'],
  ['POST', '/api/v1/staff/budget/rounds/{slug}/paper-ballots', 'staff'],
  ['GET', '/api/v1/staff/budget/rounds/{slug}/paper-ballots', 'staff'],
  ['GET', '/api/v1/staff/budget/rounds/{slug}/results', 'staff'],
  ['PATCH', '/api/v1/staff/budget/proposals/{id}', 'moderator'],
  ['PUT', '/api/v1/staff/budget/proposals/{id}/review', 'planner'],
  ['PATCH', '/api/v1/staff/budget/projects/{id}', 'planner'],
  ['POST', '/api/v1/staff/budget/projects/{id}/updates', 'planner'],
  ['POST', '/api/v1/staff/budget/paper-ballots/{id}/confirm', 'staff'],
  ['GET', '/api/v1/schema/walk-checklist', 'public'],
  ['GET', '/api/v1/walks/checklist', 'public'],
  ['POST', '/api/v1/walks/join', 'public'],
  ['GET', '/api/v1/walks/areas', 'public'],
  ['GET', '/api/v1/walks/areas/{code}/timeline', 'public'],
  ['GET', '/api/v1/walks', 'public'],
  ['GET', '/api/v1/walks/{id}', 'public'],
  ['GET', '/api/v1/walks/{id}/findings', 'public'],
  ['POST', '/api/v1/walks/{id}/findings', 'public'],
  ['GET', '/api/v1/walks/{id}/report', 'public'],
  ['GET', '/api/v1/walks/{id}/report.html', 'public'],
  ['GET', '/api/v1/walk-findings.osm.geojson', 'public'],
  ['GET', '/api/v1/walk-findings/{id}', 'public'],
  ['POST', '/api/v1/walk-findings/{id}/photos', 'public'],
  ['POST', '/api/v1/staff/walks', 'staff'],
  ['PATCH', '/api/v1/staff/walks/{id}', 'staff'],
  ['POST', '/api/v1/staff/walks/{id}/close', 'staff'],
  ['POST', '/api/v1/staff/walks/{id}/reopen', 'staff'],
  ['POST', '/api/v1/staff/walks/{id}/code', 'staff'],
  ['GET', '/api/v1/staff/walk-review', 'staff'],
  ['POST', '/api/v1/staff/walk-findings/from-feedback/{fid}', 'staff'],
  ['GET', '/api/v1/staff/walk-findings/{id}', 'staff'],
  ['POST', '/api/v1/staff/walk-findings/{id}/status', 'staff'],
  ['PUT', '/api/v1/staff/walk-findings/{id}/review', 'council'],
  ['DELETE', '/api/v1/staff/walk-findings/{id}/review', 'council'],
  ['GET', '/api/v1/staff/walk-subscription', 'council'],
  ['PUT', '/api/v1/staff/walk-subscription', 'council'],
  ['POST', '/api/v1/photos', 'public'],
  ['GET', '/api/v1/photos/{id}', 'public'],
  ['GET', '/api/v1/photos/{id}/{size}', 'public'],
  ['GET', '/api/v1/feeds/feedback.atom', 'public'],
  ['GET', '/api/v1/feeds/surveys/{slug}', 'public'],
  ['GET', '/api/v1/feeds/budget/{slug}', 'public'],
  ['GET', '/api/v1/feeds/events.ics', 'public'],
  ['GET', '/api/v1/geocode', 'public'],
  ['GET', '/api/v1/reverse', 'public'],
  ['GET', '/api/v1/mail/unsubscribe', 'public'],
  ['POST', '/api/v1/mail/unsubscribe', 'public'],
  ['GET', '/api/v1/staff/mail/outbox', 'admin'],
  ['POST', '/api/v1/staff/mail/outbox/{id}/retry', 'admin'],
  ['GET', '/api/v1/staff/units', 'admin'],
  ['PATCH', '/api/v1/staff/units/{code}', 'admin'],
  ['POST', '/api/v1/auth/logout', 'staff'], // last: it ends each caller's session
];

// Which roles each access level admits (admin everything).
const ADMITS = {
  staff: ['admin', 'moderator', 'planner', 'council'],
  moderator: ['admin', 'moderator'],
  planner: ['admin', 'planner'],
  council: ['admin', 'council'],
  admin: ['admin'],
  // Survey exports: a staff route whose handler turns moderators away.
  'survey-reader': ['admin', 'planner', 'council'],
};
// What an admitted caller gets on a staff route (the handler's answer).
const ADMITTED_STATUS = {
  'GET /api/v1/auth/me': 200,
  'POST /api/v1/auth/logout': 204,
  'GET /api/v1/staff/users': 200,
  'POST /api/v1/staff/users': 400, // {} names nobody
  'PATCH /api/v1/staff/users/{name}': 400, // {} changes nothing
  'GET /api/v1/staff/feedback': 200,
  'GET /api/v1/staff/assignees': 200,
  'GET /api/v1/staff/feedback/{id}': 200,
  'GET /api/v1/staff/feedback/{id}/nearby': 200,
  'POST /api/v1/staff/feedback/bulk': 400, // {} has no ids
  'GET /api/v1/staff/replies': 200,
  'POST /api/v1/staff/replies': 400, // {} has no title
  'PUT /api/v1/staff/replies/{id}': 400, // {} has no title
  'DELETE /api/v1/staff/replies/{id}': 404, // no reply 1
  'PATCH /api/v1/staff/feedback/{id}': 400, // {} changes nothing
  'GET /api/v1/staff/audit': 200,
  'GET /api/v1/staff/tokens': 200,
  'DELETE /api/v1/staff/tokens/{tokenId}': 404, // no token 999999
  'POST /api/v1/staff/feedback/{id}/merge': 400, // {} has no into
  'POST /api/v1/staff/feedback/{id}/photos/{photo}': 404, // x is no photo of item 1
  'GET /api/v1/staff/surveys': 200,
  'POST /api/v1/staff/surveys': 400, // {} is no definition
  'GET /api/v1/staff/surveys/{slug}': 404, // no survey x
  'PUT /api/v1/staff/surveys/{slug}': 400, // {} is no definition
  'PUT /api/v1/staff/surveys/{slug}/public': 404,
  'POST /api/v1/staff/surveys/{slug}/duplicate': 404,
  'POST /api/v1/staff/surveys/{slug}/publish': 404,
  'POST /api/v1/staff/surveys/{slug}/close': 404,
  'POST /api/v1/staff/surveys/{slug}/reopen': 404,
  'POST /api/v1/staff/surveys/{slug}/archive': 404,
  'GET /api/v1/staff/surveys/{slug}/export.gpkg': 404, // no survey x
  'GET /api/v1/staff/surveys/{slug}/publication': 404, // no survey x
  'PUT /api/v1/staff/surveys/{slug}/publication': 404,
  'GET /api/v1/staff/surveys/{slug}/texts': 404,
  'PUT /api/v1/staff/surveys/{slug}/texts/{id}': 404,
  'GET /api/v1/staff/surveys/{slug}/responses.csv': 404,
  'GET /api/v1/staff/surveys/{slug}/features.csv': 404,
  'GET /api/v1/staff/surveys/{slug}/results': 404,
  'GET /api/v1/staff/surveys/{slug}/results/hex.geojson': 404,
  'GET /api/v1/staff/surveys/{slug}/results.csv': 404,
  'GET /api/v1/staff/surveys/{slug}/results.gpkg': 404,
  'GET /api/v1/staff/surveys/{slug}/{question}.geojson': 404,
  'GET /api/v1/staff/budget/rounds': 200,
  'POST /api/v1/staff/budget/rounds': 400, // {} has no slug
  'GET /api/v1/staff/budget/rounds/{slug}': 404, // no round x
  'PUT /api/v1/staff/budget/rounds/{slug}': 404,
  'POST /api/v1/staff/budget/rounds/{slug}/publish': 404,
  'POST /api/v1/staff/budget/rounds/{slug}/phase': 404,
  'GET /api/v1/staff/budget/rounds/{slug}/proposals': 404,
  'POST /api/v1/staff/budget/rounds/{slug}/projects': 404,
  'POST /api/v1/staff/budget/rounds/{slug}/codes': 404,
  'GET /api/v1/staff/budget/rounds/{slug}/codes': 404,
  'POST /api/v1/staff/budget/rounds/{slug}/paper-ballots': 404,
  'GET /api/v1/staff/budget/rounds/{slug}/paper-ballots': 404,
  'GET /api/v1/staff/budget/rounds/{slug}/results': 404,
  'GET /api/v1/staff/budget/rounds/{slug}/projects.gpkg': 404,
  'GET /api/v1/staff/budget/rounds/{slug}/projects.csv': 404,
  'PATCH /api/v1/staff/budget/proposals/{id}': 400, // {} has no moderation
  'PUT /api/v1/staff/budget/proposals/{id}/review': 400, // {} has no feasible
  'PATCH /api/v1/staff/budget/projects/{id}': 400, // {} changes nothing
  'POST /api/v1/staff/budget/projects/{id}/updates': 400, // {} has no text
  'POST /api/v1/staff/budget/paper-ballots/{id}/confirm': 404, // no paper ballot 1
  'POST /api/v1/staff/walks': 400, // {} is no walk
  'PATCH /api/v1/staff/walks/{id}': 200, // demo walk 1, {} changes nothing
  'POST /api/v1/staff/walks/{id}/close': 200,
  'POST /api/v1/staff/walks/{id}/reopen': 200,
  'POST /api/v1/staff/walks/{id}/code': 200,
  'GET /api/v1/staff/walk-review': 200,
  'POST /api/v1/staff/walk-findings/from-feedback/{fid}': 404, // no feedback x
  'GET /api/v1/staff/walk-findings/{id}': 404, // 1 is no finding's UUID
  'POST /api/v1/staff/walk-findings/{id}/status': 404,
  'PUT /api/v1/staff/walk-findings/{id}/review': 404,
  'DELETE /api/v1/staff/walk-findings/{id}/review': 404,
  'GET /api/v1/staff/walk-subscription': 200,
  'PUT /api/v1/staff/walk-subscription': 400, // {} has no areas
  'GET /api/v1/staff/mail/outbox': 200,
  'POST /api/v1/staff/mail/outbox/{id}/retry': 404, // no message 1
  'GET /api/v1/staff/units': 200,
  'PATCH /api/v1/staff/units/{code}': 400, // {} sets neither address nor language
  'PUT /ogcapi/collections/{collectionId}/items/{featureId}': 428, // no If-Match
  'PATCH /ogcapi/collections/{collectionId}/items/{featureId}': 428,
  'DELETE /ogcapi/collections/{collectionId}/items/{featureId}': 428,
};

const SAMPLE = { id: '1', file: 'feedback.geojson', collectionId: 'feedback', featureId: '1',
  format: 'json', service_code: 'x', service_request_id: '1', token: 'x', tokenId: '999999' };
const concrete = (pattern) => pattern.replace(/\{(\w+)\}/g, (_, k) => SAMPLE[k] ?? 'x');

let srv;

const login = (name, password = PW) => signIn(srv, name, password);

// Here `token` is the bearer value itself, not a name from srv.tokens.
const call = (method, p, { token, ...opts } = {}) => callServer(srv, method, p, { ...opts, bearer: token });

before(async () => {
  srv = await startServer({ users: USERS, tokens: TOKENS });
});
after(async () => {
  if (srv) await srv.close();
});

describe('sign-in', () => {
  test('login answers name, role, csrf, expiry and a strict session cookie', async () => {
    const { res, json, setCookie } = await login('moderator1');
    assert.equal(res.status, 200);
    assert.equal(json.name, 'moderator1');
    assert.equal(json.role, 'moderator');
    assert.match(json.csrf, /^[0-9a-f]{64}$/);
    assert.ok(Date.parse(json.expires) > Date.now());
    assert.match(setCookie, /^vaikuta_session=[0-9a-f]{64};/);
    assert.match(setCookie, /; Path=\//);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Strict/);
    assert.match(setCookie, /; Max-Age=\d+/);
    assert.doesNotMatch(setCookie, /Secure/, 'not Secure without --secure-cookies');
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('me tells who is signed in; without credentials 401 with WWW-Authenticate', async () => {
    const { cookie, json: s } = await login('planner1');
    const me = await call('GET', '/api/v1/auth/me', { cookie });
    assert.equal(me.status, 200);
    assert.deepEqual({ name: me.json.name, role: me.json.role, via: me.json.via, csrf: me.json.csrf },
      { name: 'planner1', role: 'planner', via: 'session', csrf: s.csrf });
    const anon = await call('GET', '/api/v1/auth/me');
    assert.equal(anon.status, 401);
    assert.equal(anon.json.error.code, 'unauthorized');
    assert.match(anon.res.headers.get('www-authenticate'), /^Bearer/);
    const forged = await call('GET', '/api/v1/auth/me', { cookie: `vaikuta_session=${'0'.repeat(64)}` });
    assert.equal(forged.status, 401, 'an unknown session id');
    const tok = await call('GET', '/api/v1/auth/me', { token: srv.tokens['gis-export'] });
    assert.equal(tok.status, 200);
    assert.equal(tok.json.role, 'planner');
    assert.equal(tok.json.via, 'token');
    const bad = await call('GET', '/api/v1/auth/me', { token: 'f'.repeat(64) });
    assert.equal(bad.status, 401, 'an unknown token');
  });

  test('a wrong password and an unknown name get the same 401', async () => {
    const wrong = await login('admin1', 'not the password at all');
    const nobody = await login('nobody-at-all', 'not the password at all');
    assert.equal(wrong.res.status, 401);
    assert.equal(nobody.res.status, 401);
    assert.deepEqual(wrong.json, nobody.json);
    assert.equal(wrong.setCookie, '');
  });

  test('malformed sign-ins are 4xx and not counted as failures', async () => {
    const r1 = await call('POST', '/api/v1/auth/login', { body: '{"name":"admin1"}' });
    assert.equal(r1.status, 400);
    assert.equal(r1.json.error.code, 'missing_field');
    const r2 = await call('POST', '/api/v1/auth/login', { body: '{"name":"admin1","password":1}' });
    assert.equal(r2.status, 400);
    const r3 = await fetch(`${srv.url}/api/v1/auth/login`, { method: 'POST', body: 'name=admin1' });
    assert.equal(r3.status, 415);
  });

  test('logout ends the session and clears the cookie; it needs the CSRF token', async () => {
    const { cookie, json } = await login('council1');
    const noCsrf = await call('POST', '/api/v1/auth/logout', { cookie });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.json.error.code, 'csrf');
    const out = await call('POST', '/api/v1/auth/logout', { cookie, csrf: json.csrf });
    assert.equal(out.status, 204);
    assert.match(out.res.headers.get('set-cookie'), /^vaikuta_session=; .*Max-Age=0/);
    const me = await call('GET', '/api/v1/auth/me', { cookie });
    assert.equal(me.status, 401, 'the old cookie no longer works');
  });

  test('cookie writes need X-CSRF-Token; Bearer tokens do not', async () => {
    const { cookie, json } = await login('moderator1');
    const item = '/ogcapi/collections/feedback/items/1';
    const none = await call('DELETE', item, { cookie });
    assert.equal(none.status, 403);
    assert.equal(none.json.error.code, 'csrf');
    const wrong = await call('DELETE', item, { cookie, csrf: 'a'.repeat(64) });
    assert.equal(wrong.json.error.code, 'csrf');
    const right = await call('DELETE', item, { cookie, csrf: json.csrf });
    assert.equal(right.status, 428, 'past the CSRF check: If-Match is what is missing');
    assert.equal(right.json.error.code, 'precondition_required');
    const reads = await call('GET', '/api/v1/auth/me', { cookie });
    assert.equal(reads.status, 200, 'reads need no CSRF token');
    const bot = await call('DELETE', item, { token: srv.tokens['mod-bot'] });
    assert.equal(bot.status, 428, 'a token needs no CSRF token');
  });

  test('a disabled user cannot sign in, and its sessions end', async () => {
    const { cookie } = await login('leaver');
    assert.equal((await call('GET', '/api/v1/auth/me', { cookie })).status, 200);
    vaikutaCli(['user', 'disable', 'leaver', '--db', srv.db]);
    assert.equal((await call('GET', '/api/v1/auth/me', { cookie })).status, 401);
    const again = await login('leaver');
    assert.equal(again.res.status, 401);
    assert.equal(again.json.error.message, (await login('nobody-2', 'x'.repeat(12))).json.error.message);
  });

  test('user passwd changes the password', async () => {
    vaikutaCli(['user', 'passwd', 'passwd1', '--db', srv.db], 'a brand new password\n');
    assert.equal((await login('passwd1')).res.status, 401);
    assert.equal((await login('passwd1', 'a brand new password')).res.status, 200);
  });

  test('the CLI lists users without hashes and refuses short passwords', async () => {
    const list = vaikutaCli(['user', 'list', '--db', srv.db]);
    assert.match(list, /admin1\s+admin\s+active/);
    assert.match(list, /leaver\s+moderator\s+disabled/);
    assert.doesNotMatch(list, /argon2/);
    assert.throws(() => vaikutaCli(['user', 'add', 'shorty', '--role', 'admin', '--db', srv.db], 'short\n'));
    assert.throws(() => vaikutaCli(['user', 'add', 'x1', '--role', 'root', '--db', srv.db], `${PW}\n`));
  });

  test('after 5 failed sign-ins for a name from one address: 429 with Retry-After there, even with the right password', async () => {
    for (let i = 0; i < 5; i++) {
      assert.equal((await login('throttled', `wrong password ${i}`)).res.status, 401, `attempt ${i + 1}`);
    }
    const locked = await login('throttled');
    assert.equal(locked.res.status, 429);
    assert.equal(locked.json.error.code, 'too_many_logins');
    const wait = Number(locked.res.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 30, `Retry-After ${wait}`);
    assert.equal((await login('admin1')).res.status, 200, 'other names are not locked');
  });
});

describe('API tokens: expiry, listing, revocation (issue 19, 8c)', () => {
  const cli = (...args) => spawnSync(vaikutaBin, ['token', ...args, '--db', srv.db], { encoding: 'utf8' });
  const me = (token) => call('GET', '/api/v1/auth/me', { token });
  const list = () => {
    const r = cli('list');
    assert.equal(r.status, 0, r.stderr);
    const [head, ...rows] = r.stdout.trim().split('\n');
    assert.equal(head, 'ID\tNAME\tROLE\tCREATED\tEXPIRES\tLAST USED\tSTATE');
    return rows.map((l) => l.split('\t'));
  };

  test('create expires in 365 days by default, --expires-days 0 never; list never shows a value', async () => {
    const yearly = vaikutaCli(['token', 'create', '--role', 'moderator', '--name', 'yearly', '--db', srv.db]).trim();
    const forever = vaikutaCli(['token', 'create', '--role', 'council', '--name', 'forever', '--expires-days', '0', '--db', srv.db]).trim();
    assert.equal((await me(yearly)).status, 200);
    const rows = list();
    const y = rows.find((r) => r[1] === 'yearly');
    const f = rows.find((r) => r[1] === 'forever');
    assert.equal(y[2], 'moderator');
    const days = (Date.parse(y[4]) - Date.parse(y[3])) / 86400000;
    assert.ok(Math.abs(days - 365) < 0.01, `expires ${y[4]} after ${y[3]}`);
    assert.match(y[5], /^\d{4}-\d\d-\d\dT/, 'last use noted');
    assert.equal(y[6], 'active');
    assert.equal(f[4], 'never');
    assert.equal(f[5], '-', 'never used');
    const out = cli('list').stdout;
    for (const secret of [yearly, forever, ...Object.values(srv.tokens)]) assert.ok(!out.includes(secret));
    for (const bad of [['create', '--role', 'admin', '--name', 'x', '--expires-days', '-1'],
      ['create', '--role', 'admin', '--name', 'x', '--expires-days', 'soon'], ['revoke'], ['list', 'extra']]) {
      assert.equal(cli(...bad).status, 2, bad.join(' '));
    }
  });

  test('revoke by name or id: refused at once, in the audit log; ambiguous names need the id', async () => {
    const t1 = vaikutaCli(['token', 'create', '--role', 'planner', '--name', 'fms', '--db', srv.db]).trim();
    const t2 = vaikutaCli(['token', 'create', '--role', 'planner', '--name', 'twin', '--db', srv.db]).trim();
    vaikutaCli(['token', 'create', '--role', 'planner', '--name', 'twin', '--db', srv.db]);
    assert.equal((await me(t1)).status, 200);
    let r = cli('revoke', 'fms');
    assert.equal(r.status, 0, r.stderr);
    const gone = await me(t1);
    assert.equal(gone.status, 401);
    assert.match(gone.json.error.message, /revoked/);
    assert.equal(cli('revoke', 'fms').status, 1, 'no unrevoked token of that name is left');
    r = cli('revoke', 'twin');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /2 tokens are named 'twin'; give the ID/);
    const twinId = list().find((row) => row[1] === 'twin')[0];
    assert.equal(cli('revoke', twinId).status, 0);
    assert.equal((await me(t2)).status, 401, 'the first twin (lower id) is revoked');
    assert.equal(cli('revoke', twinId).stdout.includes('already revoked'), true);
    assert.equal(cli('revoke', '999999').status, 1);
    const states = list().filter((row) => row[1] === 'fms' || row[1] === 'twin').map((row) => row[6].split(' ')[0]);
    assert.deepEqual(states.sort(), ['active', 'revoked', 'revoked']);
    // Open311 refuses it too (the same check).
    const admin = await login('admin1');
    const audit = await call('GET', '/api/v1/staff/audit?type=account&limit=100', { cookie: admin.cookie });
    const ev = audit.json.events.filter((e) => e.kind === 'token_revoke');
    assert.deepEqual(ev.map((e) => e.target).sort(), ['fms', 'twin']);
    assert.ok(ev.every((e) => e.actor.startsWith('cli')));
    assert.ok(!JSON.stringify(audit.json).includes(t1));
  });

  test('admins list and revoke tokens over HTTP too, never seeing a value', async () => {
    const t = vaikutaCli(['token', 'create', '--role', 'council', '--name', 'web-revoked', '--db', srv.db]).trim();
    assert.equal((await me(t)).status, 200);
    const admin = await login('admin1');
    const l = await call('GET', '/api/v1/staff/tokens', { cookie: admin.cookie });
    assert.equal(l.status, 200);
    const row = l.json.tokens.find((x) => x.name === 'web-revoked');
    assert.deepEqual(Object.keys(row), ['id', 'name', 'role', 'created_at', 'expires_at', 'last_used_at', 'revoked_at', 'state']);
    assert.equal(row.state, 'active');
    assert.ok(row.last_used_at, 'last use noted');
    const text = JSON.stringify(l.json);
    for (const secret of [t, ...Object.values(srv.tokens)]) assert.ok(!text.includes(secret));
    assert.equal((await call('DELETE', `/api/v1/staff/tokens/${row.id}`, { cookie: admin.cookie })).status, 403,
      'a cookie needs the CSRF token');
    const d = await call('DELETE', `/api/v1/staff/tokens/${row.id}`, { cookie: admin.cookie, csrf: admin.json.csrf });
    assert.equal(d.status, 200);
    assert.equal(d.json.state, 'revoked');
    assert.equal((await me(t)).status, 401);
    assert.equal((await call('DELETE', `/api/v1/staff/tokens/${row.id}`, { cookie: admin.cookie, csrf: admin.json.csrf })).status, 200,
      'revoking again is harmless');
    assert.equal((await call('DELETE', '/api/v1/staff/tokens/x', { cookie: admin.cookie, csrf: admin.json.csrf })).status, 404);
    const audit = await call('GET', '/api/v1/staff/audit?type=account&actor=admin1&limit=100', { cookie: admin.cookie });
    const ev = audit.json.events.filter((e) => e.kind === 'token_revoke' && e.target === 'web-revoked');
    assert.equal(ev.length, 1, 'one event, by the admin');
  });

  test('an expired token is refused with a clear message', { skip: missingTool('sqlite3') }, async () => {
    const t = vaikutaCli(['token', 'create', '--role', 'moderator', '--name', 'old', '--expires-days', '1', '--db', srv.db]).trim();
    assert.equal((await me(t)).status, 200);
    execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db,
      "UPDATE api_token SET expires_at = strftime('%s','now') - 1 WHERE name = 'old'"]);
    const r = await me(t);
    assert.equal(r.status, 401);
    assert.match(r.json.error.message, /expired/);
    assert.equal(list().find((row) => row[1] === 'old')[6], 'expired');
  });
});

describe('role matrix', () => {
  test('every route × anonymous, each role and a planner token → the expected status', async (t) => {
    // The matrix must list exactly what the service documents.
    const doc = (await call('GET', '/ogcapi/api')).json;
    const documented = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const m of ['get', 'post', 'put', 'patch', 'delete']) {
        if (item[m]) documented.push([m.toUpperCase(), p]);
      }
    }
    const key = ([m, p]) => `${m} ${p}`;
    const mine = MATRIX.map(key).sort();
    assert.deepEqual(documented.filter(([, p]) => !p.startsWith('/open311/')).map(key).sort(), mine,
      'the matrix lists every documented route');
    const rows = [...documented.filter(([, p]) => p.startsWith('/open311/')).map(([m, p]) => [m, p, 'public']),
      ...MATRIX];

    const callers = [{ who: 'anonymous' }];
    for (const u of USERS.slice(0, 4)) {
      const s = await login(u.name);
      assert.equal(s.res.status, 200, `sign in ${u.name}`);
      callers.push({ who: u.role, role: u.role, cookie: s.cookie, csrf: s.json.csrf });
    }
    callers.push({ who: 'token(planner)', role: 'planner', token: srv.tokens['gis-export'] });

    const table = [];
    const problems = [];
    for (const [method, pattern, access] of rows) {
      for (const c of callers) {
        const body = ['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : undefined;
        const r = await call(method, concrete(pattern), { cookie: c.cookie, csrf: c.csrf, token: c.token, body });
        let want;
        if (access === 'public') want = 'not 401/403, < 500';
        else if (!c.role) want = 401;
        else if (ADMITS[access].includes(c.role)) want = ADMITTED_STATUS[`${method} ${pattern}`];
        else want = 403;
        const ok = access === 'public' ? r.status < 500 && r.status !== 401 && r.status !== 403
          : r.status === want;
        table.push(`${method} ${pattern} ${c.who} → ${r.status}`);
        if (!ok) problems.push(`${method} ${pattern} as ${c.who}: got ${r.status}, want ${want}`);
        if (access !== 'public' && r.status === 403 && c.role) {
          assert.equal(r.json.error.code, 'forbidden', `${method} ${pattern} as ${c.who}`);
        }
      }
    }
    for (const line of table) t.diagnostic(line);
    assert.deepEqual(problems, [], table.join('\n'));
  });
});

describe('--secure-cookies', () => {
  test('the session cookie is Secure', async () => {
    const s2 = await startServer({ demo: false, args: ['--secure-cookies'],
      users: [{ name: 'tls', role: 'admin', password: PW }] });
    try {
      const res = await fetch(`${s2.url}/api/v1/auth/login`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'tls', password: PW }),
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('set-cookie'), /; Secure/);
    } finally {
      await s2.close();
    }
  });
});
