// The moderator's queue (issue 18): possible duplicates around an item
// (GET /api/v1/staff/feedback/{id}/nearby), hiding with a reason from a
// list and a note to the reporter (audited; the note reaches the reporter's
// follow-up view and nothing public), and merging with a public answer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call as callServer, login, startServer } from '../lib/server.mjs';

const TOKENS = [
  { name: 'mod-bot', role: 'moderator' },
  { name: 'planner-bot', role: 'planner' },
  { name: 'council-bot', role: 'council' },
  { name: 'admin-bot', role: 'admin' },
];
// A corner of the town with no demo items within 200 m of it.
const HERE = [28.7705, 61.1935];
// Metres north and east of HERE as lon/lat.
const at = (north, east) => [HERE[0] + east / (111320 * Math.cos(HERE[1] * Math.PI / 180)), HERE[1] + north / 110574];

let srv;
const call = (method, p, opts = {}) => callServer(srv, method, p, opts);
const patch = (id, body) => call('PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot', body });
const nearby = (id, q = '', token = 'mod-bot') => call('GET', `/api/v1/staff/feedback/${id}/nearby${q}`, { token });

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  if (code !== undefined) assert.equal(r.json?.error?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
}

async function report(where, category = 'lighting', description = `Jonon testi ${Math.random()}`) {
  const r = await call('POST', '/api/v1/feedback', {
    body: {
      type: 'Feature', geometry: { type: 'Point', coordinates: where },
      properties: { category, description, contact: { email: 'jono.testi@example.fi' } },
    },
  });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, token: r.json.followup?.token };
}

before(async () => {
  srv = await startServer({ tokens: TOKENS, users: [{ name: 'moderator2', role: 'moderator', password: 'correct horse battery staple' },
    { name: 'moderator3', role: 'moderator', password: 'correct horse battery staple' }] });
});
after(async () => {
  if (srv) await srv.close();
});

describe('nearby open items', () => {
  let a, sameNear, sameFar, other, far, hidden, closed;
  before(async () => {
    a = await report(at(0, 0));
    other = await report(at(8, 0), 'parks');       // nearer, but another category
    sameFar = await report(at(0, 30));            // same category, 30 m
    sameNear = await report(at(15, 0));           // same category, 15 m
    far = await report(at(0, 150));               // beyond 50 m
    hidden = await report(at(5, 5));
    closed = await report(at(-5, 0));
    assert.equal((await patch(hidden.id, { hidden: true, hide_reason: 'spam' })).status, 200);
    assert.equal((await patch(closed.id, { status: 'resolved', public_answer: 'Korjattu.' })).status, 200);
  });

  test('the public open items within 50 m, its category first, each nearest first', async () => {
    const r = await nearby(a.id);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.res.headers.get('cache-control'), 'no-store');
    assert.equal(r.json.type, 'FeatureCollection');
    assert.equal(r.json.radius_m, 50);
    const ids = r.json.features.map((f) => f.id);
    assert.deepEqual(ids.filter((x) => [sameNear.id, sameFar.id, other.id].includes(x)),
      [sameNear.id, sameFar.id, other.id]);
    for (const gone of [a.id, far.id, hidden.id, closed.id]) assert.ok(!ids.includes(gone), `no ${gone} in ${ids}`);
    const cats = r.json.features.map((f) => f.properties.category);
    const lastSame = cats.lastIndexOf('lighting'), firstOther = cats.findIndex((c) => c !== 'lighting');
    assert.ok(firstOther < 0 || lastSame < firstOther, `category first: ${cats}`);
    const d = Object.fromEntries(r.json.features.map((f) => [f.id, f.properties.distance_m]));
    assert.ok(Math.abs(d[sameNear.id] - 15) <= 1, `15 m: ${d[sameNear.id]}`);
    assert.ok(Math.abs(d[sameFar.id] - 30) <= 1, `30 m: ${d[sameFar.id]}`);
    assert.ok(Math.abs(d[other.id] - 8) <= 1, `8 m: ${d[other.id]}`);
    assert.equal(r.json.numberReturned, r.json.features.length);
  });

  test('a wider radius reaches further; every staff role may look', async () => {
    const r = await nearby(a.id, '?radius=200');
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.features.some((f) => f.id === far.id));
    for (const token of ['planner-bot', 'council-bot']) assert.equal((await nearby(a.id, '', token)).status, 200);
    assertError(await call('GET', `/api/v1/staff/feedback/${a.id}/nearby`), 401, 'unauthorized');
  });

  test('bad input is a 4xx naming what is wrong', async () => {
    assertError(await nearby(a.id, '?radius=0'), 400, 'invalid_parameter', 'radius');
    assertError(await nearby(a.id, '?radius=201'), 400, 'invalid_parameter', 'radius');
    assertError(await nearby(a.id, '?radius=abc'), 400, 'invalid_parameter', 'radius');
    assertError(await nearby(a.id, '?near=1'), 400, 'unknown_parameter', 'near');
    assertError(await nearby(999999999), 404, 'not_found', 'id');
    assertError(await nearby('x'), 404, 'not_found', 'id');
  });
});

describe('hiding with a reason', () => {
  test('the reason is audited and the note reaches the reporter only', async () => {
    const { id, token } = await report(at(0, -60));
    const NOTE = 'Palautteessa oli toisen henkilön puhelinnumero; piilotimme sen.';
    const r = await patch(id, { hidden: true, hide_reason: 'personal_data', reporter_note: NOTE });
    assert.equal(r.status, 200, r.text);
    const view = await call('GET', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot' });
    const ev = view.json.events.find((e) => e.kind === 'hide');
    assert.ok(ev, view.text);
    assert.deepEqual(ev.after, { visibility: 'hidden', hide_reason: 'personal_data' });
    assert.equal(ev.actor, 'mod-bot');
    assert.equal(ev.public_answer, NOTE);
    const audit = await call('GET', '/api/v1/staff/feedback?visibility=hidden&limit=500', { token: 'mod-bot' });
    assert.ok(audit.json.features.some((f) => f.id === id));
    // The reporter reads the note; the public sees nothing of the item.
    const f = await call('GET', `/api/v1/followup/${token}`);
    assert.equal(f.status, 200, f.text);
    const h = f.json.history.find((x) => x.kind === 'hide');
    assert.equal(h?.public_answer, NOTE, f.text);
    assert.equal((await call('GET', `/api/v1/feedback/${id}`)).status, 404);
    assert.equal(f.json.answer, null, 'the note is not the item\'s public answer');
    // Shown again: no reason, no note asked.
    assert.equal((await patch(id, { hidden: false })).status, 200);
  });

  test('a reason off the list, or a reason or note without hiding, is a 400 at its field', async () => {
    const { id } = await report(at(0, -70));
    assertError(await patch(id, { hidden: true, hide_reason: 'rude' }), 400, 'invalid_value', 'hide_reason');
    assertError(await patch(id, { hidden: true, hide_reason: 7 }), 400, 'wrong_type', 'hide_reason');
    assertError(await patch(id, { hide_reason: 'spam' }), 400, 'invalid_value', 'hide_reason');
    assertError(await patch(id, { hidden: false, reporter_note: 'x' }), 400, 'invalid_value', 'reporter_note');
    assertError(await patch(id, { hidden: true, hide_reason: 'spam', reporter_note: 'x'.repeat(2001) }), 400,
      'too_long', 'reporter_note');
    // Nothing was stored by the refusals.
    const view = await call('GET', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot' });
    assert.equal(view.json.staff.visibility, 'public');
    assert.equal(view.json.events.filter((e) => e.kind === 'hide').length, 0);
  });
});

describe('assignment to a person', () => {
  test('an item is assigned to a staff account and back to nobody, audited, never public', async () => {
    const { id, token } = await report(at(0, -80));
    let r = await patch(id, { assignee: 'moderator2', unit: 'parks_green' });
    assert.equal(r.status, 200, r.text);
    let view = await call('GET', `/api/v1/staff/feedback/${id}`, { token: 'council-bot' });
    assert.equal(view.json.staff.assignee, 'moderator2');
    const ev = view.json.events.at(-1);
    assert.deepEqual(ev.after, { assignee: 'moderator2', unit: 'parks_green' });
    assert.equal(ev.before.assignee, null);
    assert.equal(ev.actor, 'mod-bot');
    r = await patch(id, { assignee: null });
    assert.equal(r.status, 200, r.text);
    view = await call('GET', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot' });
    assert.equal(view.json.staff.assignee, null);
    assert.equal(view.json.events.at(-1).kind, 'assign');
    assert.deepEqual(view.json.events.at(-1).after, { assignee: null });
    const pub = await call('GET', `/api/v1/feedback/${id}`);
    const f = await call('GET', `/api/v1/followup/${token}`);
    for (const x of [pub, f]) assert.ok(!x.text.includes('moderator2'), x.text);
  });

  test('an unknown account or a wrong type is a 400 at assignee', async () => {
    const { id } = await report(at(0, -90));
    assertError(await patch(id, { assignee: 'nobody-such' }), 400, 'invalid_value', 'assignee');
    assertError(await patch(id, { assignee: 7 }), 400, 'wrong_type', 'assignee');
    assertError(await patch(id, { assignee: '' }), 400, undefined, 'assignee');
    const view = await call('GET', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot' });
    assert.equal(view.json.staff.assignee, null);
    assert.equal(view.json.events.length, 0);
  });
});

describe('the inbox by assignee', () => {
  let mine, theirs, nobodys;
  const PW = 'correct horse battery staple';
  const inbox = (q, opts = { token: 'mod-bot' }) =>
    call('GET', `/api/v1/staff/feedback?visibility=all&limit=500&${q}`, opts);
  const ids = (r) => r.json.features.map((f) => f.id);
  before(async () => {
    mine = await report(at(0, -100));
    theirs = await report(at(0, -110));
    nobodys = await report(at(0, -120));
    assert.equal((await patch(mine.id, { assignee: 'moderator2' })).status, 200);
    assert.equal((await patch(theirs.id, { assignee: 'moderator3' })).status, 200);
  });

  test('a person, several, unassigned, and the two together', async () => {
    let r = await inbox('assignee=moderator2');
    assert.equal(r.status, 200, r.text);
    assert.ok(ids(r).includes(mine.id));
    assert.ok(!ids(r).includes(theirs.id) && !ids(r).includes(nobodys.id), ids(r).join());
    assert.equal(r.json.numberMatched, r.json.features.length);
    r = await inbox('assignee=moderator2,moderator3');
    assert.ok(ids(r).includes(mine.id) && ids(r).includes(theirs.id) && !ids(r).includes(nobodys.id));
    r = await inbox('assignee=none');
    assert.ok(ids(r).includes(nobodys.id) && !ids(r).includes(mine.id) && !ids(r).includes(theirs.id));
    assert.ok(r.json.numberMatched > 2, r.text.slice(0, 200)); // the demo items are nobody's
    r = await inbox('assignee=none,moderator3');
    assert.ok(ids(r).includes(nobodys.id) && ids(r).includes(theirs.id) && !ids(r).includes(mine.id));
    // Other filters still apply beside it.
    r = await inbox('assignee=moderator2&category=parks');
    assert.ok(!ids(r).includes(mine.id));
  });

  test('me is the signed-in account', async () => {
    const s = await login(srv, 'moderator2', PW);
    assert.equal(s.status, 200, s.text);
    const r = await inbox('assignee=me', { cookie: s.cookie });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(ids(r), [mine.id]);
  });

  test('an unknown name, me for a token, and an empty item are 400 at assignee', async () => {
    assertError(await inbox('assignee=nobody-such'), 400, undefined, 'assignee');
    assertError(await inbox('assignee=me'), 400, undefined, 'assignee');
    assertError(await inbox('assignee=moderator2,,none'), 400, undefined, 'assignee');
  });

  test('the choices: the enabled staff accounts, for every staff role', async () => {
    const r = await call('GET', '/api/v1/staff/assignees', { token: 'council-bot' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.res.headers.get('cache-control'), 'no-store');
    const names = r.json.assignees.map((a) => a.name);
    assert.ok(names.includes('moderator2') && names.includes('moderator3'), names.join());
    assert.deepEqual(names, [...names].sort());
    assert.equal(r.json.assignees.find((a) => a.name === 'moderator3').role, 'moderator');
    assert.equal((await call('GET', '/api/v1/staff/assignees')).status, 401);
    assertError(await call('GET', '/api/v1/staff/assignees?x=1', { token: 'mod-bot' }), 400);
  });
});

describe('merging from the item page', () => {
  test('one click: into a nearby item with a public answer', async () => {
    const target = await report(at(40, 40));
    const dup = await report(at(45, 40));
    const near = await nearby(dup.id);
    assert.ok(near.json.features.some((f) => f.id === target.id));
    const ANSWER = `Sama asia on jo ilmoitettu: palaute ${target.id}.`;
    const r = await call('POST', `/api/v1/staff/feedback/${dup.id}/merge`,
      { token: 'mod-bot', body: { into: target.id, public_answer: ANSWER } });
    assert.equal(r.status, 200, r.text);
    const pub = await call('GET', `/api/v1/feedback/${dup.id}`);
    assert.equal(pub.json.properties.status, 'duplicate');
    assert.equal(pub.json.properties.answer, ANSWER);
    const f = await call('GET', `/api/v1/followup/${dup.token}`);
    assert.ok(f.json.history.some((h) => h.public_answer === ANSWER), f.text);
    // Merged, it is no longer a possible duplicate of its target.
    const again = await nearby(target.id);
    assert.ok(!again.json.features.some((x) => x.id === dup.id));
  });
});

describe('canned replies', () => {
  const admin = { token: 'admin-bot' };
  const replies = (q = '', token = 'mod-bot') => call('GET', `/api/v1/staff/replies${q}`, { token });
  const create = (body, token = 'admin-bot') => call('POST', '/api/v1/staff/replies', { token, body });

  test('admins keep them; every staff role reads those for a category and status', async () => {
    let r = await create({ category: 'lighting', status: 'resolved', title: 'Valo korjattu',
      body: { fi: 'Valo on korjattu. Kiitos ilmoituksesta!', sv: 'Lampan är lagad. Tack för anmälan!', en: 'The light is fixed. Thank you!' } });
    assert.equal(r.status, 201, r.text);
    const lit = r.json;
    assert.equal(lit.category, 'lighting');
    assert.equal(lit.body.sv, 'Lampan är lagad. Tack för anmälan!');
    assert.equal(lit.updated_by, 'admin-bot');
    r = await create({ title: 'Kiitos', body: { fi: 'Kiitos palautteesta.' } });
    assert.equal(r.status, 201, r.text);
    const any = r.json;
    assert.equal(any.category, null);
    assert.equal(any.body.en, null);
    r = await create({ category: 'parks', status: 'in_progress', title: 'Puisto', body: { en: 'We are on it.' } });
    const park = r.json;

    r = await replies('?category=lighting&status=resolved', 'council-bot');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.replies.map((x) => x.id), [lit.id, any.id], 'the category\'s first, then every category\'s');
    r = await replies('?category=lighting&status=in_progress');
    assert.deepEqual(r.json.replies.map((x) => x.id), [any.id]);
    r = await replies();
    for (const x of [lit, any, park]) assert.ok(r.json.replies.some((y) => y.id === x.id));

    r = await call('PUT', `/api/v1/staff/replies/${any.id}`, { ...admin, body: { title: 'Kiitos!', body: { fi: 'Kiitos.', sv: 'Tack.' } } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.body.sv, 'Tack.');
    r = await call('DELETE', `/api/v1/staff/replies/${park.id}`, admin);
    assert.equal(r.status, 204, r.text);
    assert.ok(!(await replies()).json.replies.some((y) => y.id === park.id));
    assertError(await call('DELETE', `/api/v1/staff/replies/${park.id}`, admin), 404, 'not_found', 'id');
  });

  test('moderators read but do not write; bad input is a 4xx at its field', async () => {
    assertError(await create({ title: 'x', body: { fi: 'x' } }, 'mod-bot'), 403, 'forbidden');
    assertError(await call('GET', '/api/v1/staff/replies'), 401, 'unauthorized');
    assertError(await create({ body: { fi: 'x' } }), 400, 'missing_field', 'title');
    assertError(await create({ title: 'x' }), 400, 'missing_field', 'body');
    assertError(await create({ title: 'x', body: {} }), 400, 'missing_field', 'body.fi');
    assertError(await create({ title: 'x', body: { de: 'Hallo' } }), 400, 'unknown_field');
    assertError(await create({ title: 'x', body: 'Kiitos' }), 400, 'wrong_type', 'body');
    assertError(await create({ title: 'x', body: { fi: 'x'.repeat(4001) } }), 400, 'too_long', 'body.fi');
    assertError(await create({ title: 'x', status: 'done', body: { fi: 'x' } }), 400, 'invalid_value', 'status');
    assertError(await create({ title: 'x', category: 'no_such', body: { fi: 'x' } }), 400, 'invalid_value', 'category');
    assertError(await create({ title: 'x', body: { fi: 'x' }, extra: 1 }), 400, 'unknown_field', 'extra');
    assertError(await replies('?category=no_such'), 400, 'invalid_parameter', 'category');
    assertError(await replies('?status=done'), 400, 'invalid_parameter', 'status');
    assertError(await call('PUT', '/api/v1/staff/replies/999999', { token: 'admin-bot', body: { title: 'x', body: { fi: 'x' } } }), 404, 'not_found');
  });
});

describe('bulk actions', () => {
  const bulk = (body, token = 'mod-bot') => call('POST', '/api/v1/staff/feedback/bulk', { token, body });
  const events = async (id) => (await call('GET', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot' })).json.events;

  test('status, unit and assignee on a selection, an event per item', async () => {
    const items = [];
    for (let i = 0; i < 3; i++) items.push((await report(at(-100, i * 20))).id);
    const r = await bulk({ ids: items, status: 'in_progress', unit: 'parks_green', assignee: 'moderator2',
      public_answer: 'Työ on aloitettu.' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { changed: items, count: 3 });
    for (const id of items) {
      const pub = (await call('GET', `/api/v1/feedback/${id}`)).json.properties;
      assert.equal(pub.status, 'in_progress');
      assert.equal(pub.unit, 'parks_green');
      assert.equal(pub.answer, 'Työ on aloitettu.');
      const ev = (await events(id)).at(-1);
      assert.equal(ev.actor, 'mod-bot');
      assert.deepEqual(ev.after, { status: 'in_progress', unit: 'parks_green', assignee: 'moderator2', answer: 'Työ on aloitettu.' });
    }
  });

  test('merge a selection into one', async () => {
    const target = (await report(at(-150, 0))).id;
    const dups = [(await report(at(-150, 5))).id, (await report(at(-150, 10))).id];
    const r = await bulk({ ids: dups, merge_into: target, public_answer: `Yhdistetty palautteeseen ${target}.` });
    assert.equal(r.status, 200, r.text);
    for (const id of dups) {
      const p = (await call('GET', `/api/v1/feedback/${id}`)).json.properties;
      assert.equal(p.status, 'duplicate');
      assert.equal(p.duplicate_of, target);
    }
    const merges = (await events(target)).filter((e) => e.kind === 'merge');
    assert.deepEqual(merges.map((e) => e.after.merged), dups);
    assert.equal((await call('GET', `/api/v1/feedback/${target}`)).json.properties.me_too, 2);
  });

  test('one refusal undoes the whole request and names the item', async () => {
    const a = (await report(at(-200, 0))).id;
    const closed = (await report(at(-200, 10))).id;
    assert.equal((await patch(closed, { status: 'resolved' })).status, 200);
    const before = (await events(a)).length;
    const r = await bulk({ ids: [a, closed], status: 'planned' });
    assertError(r, 409, 'invalid_transition', 'status');
    assert.match(r.json.error.message, new RegExp(`item ${closed}`));
    assert.equal((await call('GET', `/api/v1/feedback/${a}`)).json.properties.status, 'received', 'a is unchanged');
    assert.equal((await events(a)).length, before);
    assertError(await bulk({ ids: [a, 999999999], status: 'planned' }), 404, 'not_found');
  });

  test('bad input is a 400 at its field; only moderators and admins', async () => {
    const a = (await report(at(-250, 0))).id;
    assertError(await bulk({ status: 'planned' }), 400, 'missing_field', 'ids');
    assertError(await bulk({ ids: [], status: 'planned' }), 400, 'invalid_value', 'ids');
    assertError(await bulk({ ids: 'all', status: 'planned' }), 400, 'wrong_type', 'ids');
    assertError(await bulk({ ids: [a, 'x'], status: 'planned' }), 400, 'wrong_type', 'ids');
    assertError(await bulk({ ids: [a, a], status: 'planned' }), 400, 'invalid_value', 'ids');
    assertError(await bulk({ ids: Array.from({ length: 201 }, (_, i) => i + 1), status: 'planned' }), 400, 'invalid_value', 'ids');
    assertError(await bulk({ ids: [a] }), 400, 'missing_field');
    assertError(await bulk({ ids: [a], status: 'nope' }), 400, 'invalid_value', 'status');
    assertError(await bulk({ ids: [a], hidden: true }), 400, 'unknown_field', 'hidden');
    assertError(await bulk({ ids: [a], merge_into: a + 1, status: 'planned' }), 400, 'unknown_field', 'status');
    assertError(await bulk({ ids: [a], merge_into: 'x' }), 400, 'wrong_type', 'merge_into');
    assertError(await bulk({ ids: [a], merge_into: a }), 400, 'invalid_value', 'merge_into');
    assertError(await bulk({ ids: [a], status: 'planned' }, 'planner-bot'), 403, 'forbidden');
    assert.equal((await call('GET', `/api/v1/feedback/${a}`)).json.properties.status, 'received');
  });
});

describe('correcting category and location', () => {
  test('audited, placed again, and the reporter is told in their history', async () => {
    const { id, token } = await report(at(-300, 0));
    const where = at(-300, 40);
    const r = await patch(id, { category: 'parks', geometry: { type: 'Point', coordinates: where } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.properties.category, 'parks');
    assert.ok(Math.abs(r.json.geometry.coordinates[0] - where[0]) < 1e-7, r.text);
    const view = await call('GET', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot' });
    const ev = view.json.events.at(-1);
    assert.equal(ev.kind, 'correct');
    assert.equal(ev.actor, 'mod-bot');
    assert.deepEqual(ev.before, { category: 'lighting', location_changed: false });
    assert.deepEqual(ev.after, { category: 'parks', location_changed: true });
    const f = await call('GET', `/api/v1/followup/${token}`);
    assert.equal(f.json.category, 'parks');
    assert.deepEqual(f.json.history.map((h) => h.kind), ['correct']);
    assert.ok(!f.text.includes('mod-bot'));
    // The nearby list of a neighbour there finds it at its new place.
    const n = await report(at(-300, 45), 'parks');
    assert.ok((await nearby(n.id)).json.features.some((x) => x.id === id));
  });

  test('an unknown category or a place outside is refused at its field; nothing changes', async () => {
    const { id } = await report(at(-310, 0));
    assertError(await patch(id, { category: 'no_such' }), 400, 'invalid_value', 'category');
    assertError(await patch(id, { geometry: { type: 'Point', coordinates: [24.9, 60.2] } }), 422, 'outside_area', 'geometry');
    assertError(await patch(id, { geometry: 'here' }), 400, 'wrong_type', 'geometry');
    assertError(await patch(id, { geometry: { type: 'Point', coordinates: [999, 0] } }), 400, 'invalid_coordinates', 'geometry.coordinates');
    const view = await call('GET', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot' });
    assert.equal(view.json.feedback.properties.category, 'lighting');
    assert.equal(view.json.events.length, 0);
  });
});

describe('the public answer in more than one language', () => {
  const FI = 'Valo korjataan ensi viikolla.', SV = 'Lampan lagas nästa vecka.', EN = 'The lamp is fixed next week.';

  test('written in fi and sv: each reader gets their language, en falls back to the one written', async () => {
    const { id, token } = await report(at(0, -200));
    const r = await patch(id, { status: 'in_progress', public_answer: { fi: FI, sv: SV } });
    assert.equal(r.status, 200, r.text);
    const pub = (await call('GET', `/api/v1/feedback/${id}`)).json.properties;
    assert.equal(pub.answer, FI);
    assert.equal(pub.answer_sv, SV);
    assert.equal(pub.answer_en, null);
    // The reporter's follow-up view: the item and the history's event.
    const f = await call('GET', `/api/v1/followup/${token}`);
    assert.equal(f.status, 200, f.text);
    assert.ok(f.text.includes(SV), f.text);
    const ev = f.json.history.find((x) => x.public_answer === FI);
    assert.equal(ev?.public_answer_sv, SV, f.text);
    assert.ok(!('public_answer_en' in ev), 'no English written, none shown');
    // Open311: status_notes in the locale's language, else as written.
    const o = async (q) => (await call('GET', `/open311/v2/requests/${id}.json${q}`)).json[0].status_notes;
    assert.equal(await o(''), FI);
    assert.equal(await o('?locale=sv'), SV);
    assert.equal(await o('?locale=en'), FI);
    // The feed of answers, per language.
    const feed = async (lang) => (await call('GET', `/api/v1/feeds/feedback.atom?lang=${lang}`)).text;
    assert.ok((await feed('sv')).includes(SV));
    assert.ok((await feed('fi')).includes(FI) && !(await feed('fi')).includes(SV));
    assert.ok((await feed('en')).includes(FI));
    // The audit shows the versions written.
    const view = await call('GET', `/api/v1/staff/feedback/${id}`, { token: 'mod-bot' });
    assert.deepEqual(view.json.events.at(-1).after.answer_sv, SV);
  });

  test('a new answer in one language replaces the earlier versions; a plain string still works', async () => {
    const { id } = await report(at(0, -210));
    assert.equal((await patch(id, { public_answer: { fi: FI, sv: SV, en: EN } })).status, 200);
    let p = (await call('GET', `/api/v1/feedback/${id}`)).json.properties;
    assert.deepEqual([p.answer, p.answer_sv, p.answer_en], [FI, SV, EN]);
    assert.equal((await patch(id, { public_answer: 'Korjattu.' })).status, 200);
    p = (await call('GET', `/api/v1/feedback/${id}`)).json.properties;
    assert.deepEqual([p.answer, p.answer_sv, p.answer_en], ['Korjattu.', null, null]);
    // Only Swedish written: that is the answer as written, for every reader.
    assert.equal((await patch(id, { public_answer: { sv: SV } })).status, 200);
    p = (await call('GET', `/api/v1/feedback/${id}`)).json.properties;
    assert.deepEqual([p.answer, p.answer_sv, p.answer_en], [SV, SV, null]);
  });

  test('merge and bulk take the languages too', async () => {
    const a = await report(at(0, -220)), b = await report(at(0, -221)), c = await report(at(0, -222));
    let r = await call('POST', `/api/v1/staff/feedback/${a.id}/merge`, { token: 'mod-bot',
      body: { into: b.id, public_answer: { fi: FI, en: EN } } });
    assert.equal(r.status, 200, r.text);
    let p = (await call('GET', `/api/v1/feedback/${a.id}`)).json.properties;
    assert.deepEqual([p.answer, p.answer_sv, p.answer_en], [FI, null, EN]);
    r = await call('POST', '/api/v1/staff/feedback/bulk', { token: 'mod-bot',
      body: { ids: [c.id], public_answer: { fi: FI, sv: SV } } });
    assert.equal(r.status, 200, r.text);
    p = (await call('GET', `/api/v1/feedback/${c.id}`)).json.properties;
    assert.deepEqual([p.answer, p.answer_sv], [FI, SV]);
  });

  test('bad languages are 400 at their field, and nothing changes', async () => {
    const { id } = await report(at(0, -230));
    assertError(await patch(id, { public_answer: { de: 'Hallo' } }), 400, undefined, 'public_answer.de');
    assertError(await patch(id, { public_answer: {} }), 400, undefined, 'public_answer.fi');
    assertError(await patch(id, { public_answer: { fi: 7 } }), 400, undefined, 'public_answer.fi');
    assertError(await patch(id, { public_answer: { fi: FI, sv: 'x'.repeat(9000) } }), 400, undefined, 'public_answer.sv');
    const p = (await call('GET', `/api/v1/feedback/${id}`)).json.properties;
    assert.equal(p.answer, null);
  });
});
