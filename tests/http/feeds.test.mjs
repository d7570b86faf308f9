// Feeds (issue 17, docs/feeds.md): Atom feeds of public feedback and
// answers, of a survey and of a budgeting round, and the iCalendar feed of
// walks and budgeting phases. Atom is parsed by Python's xml.etree with
// the elements RFC 4287 requires checked; the calendar by hand (CRLF,
// folding at 75 octets, unfolded VEVENTs counted against the API).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { call as callServer, startServer } from '../lib/server.mjs';

const HERE = [28.7705, 61.1935];
const NOTE = 'INTERNAL-feeds-note-7f3a';
const EMAIL = 'feeds.secret@example.fi';
let srv;
const call = (method, url, opts) => callServer(srv, method, url, opts);

// The feed as JSON: {lang, id, title, updated, self, entries:[{id,title,updated,link,summary}]},
// failing when a required element is missing.
const PARSE = `
import sys, json, xml.etree.ElementTree as ET
A = '{http://www.w3.org/2005/Atom}'
root = ET.fromstring(sys.stdin.buffer.read())
assert root.tag == A + 'feed', root.tag
def one(e, name):
    found = e.findall(A + name)
    assert len(found) == 1, (name, len(found))
    return found[0]
def req(e, name):
    v = one(e, name).text
    assert v and v.strip(), name
    return v
self = [l.get('href') for l in root.findall(A + 'link') if l.get('rel') == 'self']
assert len(self) == 1
assert root.find(A + 'author/' + A + 'name') is not None
out = {'lang': root.get('{http://www.w3.org/XML/1998/namespace}lang'), 'id': req(root, 'id'),
       'title': req(root, 'title'), 'updated': req(root, 'updated'), 'self': self[0], 'entries': []}
for e in root.findall(A + 'entry'):
    links = [l.get('href') for l in e.findall(A + 'link') if l.get('rel', 'alternate') == 'alternate']
    assert links, 'entry link'
    s = e.find(A + 'summary')
    out['entries'].append({'id': req(e, 'id'), 'title': req(e, 'title'), 'updated': req(e, 'updated'),
                           'link': links[0], 'summary': s.text if s is not None else None})
print(json.dumps(out))
`;
const parseAtom = (text) => JSON.parse(execFileSync('python3', ['-c', PARSE], { input: text }).toString());
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

async function atom(url) {
  const r = await call('GET', url);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/atom\+xml/);
  const f = parseAtom(r.text);
  assert.match(f.id, /^tag:/);
  assert.match(f.updated, RFC3339);
  for (const e of f.entries) {
    assert.match(e.id, /^tag:[^,]+,\d{4}:/);
    assert.match(e.updated, RFC3339);
    assert.match(e.link, /^http/);
  }
  return { r, f };
}

async function report(category, description, at = HERE) {
  const r = await call('POST', '/api/v1/feedback', {
    body: { type: 'Feature', geometry: { type: 'Point', coordinates: at },
      properties: { category, description, contact: { email: EMAIL, name: 'Feeds Secret' } } },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
const patch = (id, body) => call('PATCH', `/api/v1/staff/feedback/${id}`, { token: 'mod', body });

let shown; let hidden; let answered; let district;
before(async () => {
  srv = await startServer({ demoResponses: 3, tokens: [{ name: 'mod', role: 'moderator' }] });
  shown = await report('lighting', 'Feeds: lamp <out> & "dark"');
  hidden = await report('lighting', 'Feeds: hidden item qqq');
  answered = await report('streets', 'Feeds: pothole answered');
  assert.equal((await patch(hidden, { hidden: true })).status, 200);
  const a = await patch(answered, { status: 'in_progress', public_answer: 'Feeds: we fix it soon', internal_note: NOTE });
  assert.equal(a.status, 200, a.text);
  district = (await call('GET', `/api/v1/feedback/${shown}`)).json.properties.district;
});
after(async () => { if (srv) await srv.close(); });

describe('feedback feed', () => {
  test('new public items and public answers; hidden items, contacts and notes absent', async () => {
    const { r, f } = await atom('/api/v1/feeds/feedback.atom');
    assert.equal(f.lang, 'fi');
    assert.match(f.self, /\/api\/v1\/feeds\/feedback\.atom/);
    const ids = f.entries.map((e) => e.id);
    assert.ok(ids.some((i) => i.endsWith(`:feedback/${shown}`)), 'the new item');
    assert.ok(ids.some((i) => i.includes(`:feedback/${answered}/answer/`)), 'the answer');
    assert.ok(!ids.some((i) => i.includes(`:feedback/${hidden}`)), 'no hidden item');
    assert.ok(f.entries.some((e) => e.summary === 'Feeds: lamp <out> & "dark"'), 'text escaped and read back');
    for (const secret of ['qqq', NOTE, EMAIL, 'Feeds Secret']) assert.ok(!r.text.includes(secret), secret);
    assert.equal(f.updated, f.entries.map((e) => e.updated).sort().at(-1), 'feed updated = newest entry');
    assert.equal(new Set(ids).size, ids.length, 'ids unique');
  });

  test('filters by category and district', async () => {
    const { f } = await atom('/api/v1/feeds/feedback.atom?category=streets');
    assert.ok(f.entries.length >= 2);
    assert.ok(f.entries.every((e) => e.link.endsWith(`/${answered}`) || !e.id.includes(`/${shown}`)));
    assert.ok(!f.entries.some((e) => e.id.endsWith(`:feedback/${shown}`)));
    assert.ok(district, 'the item lies in a district');
    {
      const d = await atom(`/api/v1/feeds/feedback.atom?district=${encodeURIComponent(district)}&category=lighting`);
      assert.ok(d.f.entries.some((e) => e.id.endsWith(`:feedback/${shown}`)));
      assert.ok(!d.f.entries.some((e) => e.id.includes(`:feedback/${answered}`)));
    }
  });

  test('unknown filters and parameters are 400 naming the parameter', async () => {
    for (const [q, field, code] of [['category=nosuch', 'category', 'invalid_parameter'],
      ['district=nosuch', 'district', 'invalid_parameter'], ['lang=de', 'lang', 'invalid_parameter'],
      ['colour=red', 'colour', 'unknown_parameter']]) {
      const r = await call('GET', `/api/v1/feeds/feedback.atom?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.code, code, r.text);
      assert.equal(r.json.error.field, field, r.text);
    }
  });

  test('languages', async () => {
    const sv = await atom('/api/v1/feeds/feedback.atom?lang=sv');
    const en = await atom('/api/v1/feeds/feedback.atom?lang=en');
    assert.equal(sv.f.lang, 'sv');
    assert.ok(en.f.entries.some((e) => e.title.startsWith('New feedback')));
    assert.ok(sv.f.entries.some((e) => e.title.startsWith('Ny respons')));
  });

  test('ETag and Last-Modified give 304', async () => {
    const r = await call('GET', '/api/v1/feeds/feedback.atom');
    const etag = r.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    assert.ok(r.headers.get('last-modified'));
    const again = await call('GET', '/api/v1/feeds/feedback.atom', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    const since = await call('GET', '/api/v1/feeds/feedback.atom', { headers: { 'If-Modified-Since': r.headers.get('last-modified') } });
    assert.equal(since.status, 304);
    await report('lighting', 'Feeds: one more');
    const changed = await call('GET', '/api/v1/feeds/feedback.atom', { headers: { 'If-None-Match': etag } });
    assert.equal(changed.status, 200, 'a new item changes the tag');
  });
});

describe('links from the pages', () => {
  test('the map page names the feedback feed; the survey and budget pages add theirs', async () => {
    const page = await call('GET', '/');
    assert.match(page.text, /<link rel="alternate" type="application\/atom\+xml"[^>]*href="\/api\/v1\/feeds\/feedback\.atom"/);
    for (const js of ['/survey.js', '/survey-results.js', '/budget.js']) {
      assert.match((await call('GET', js)).text, /VK\.feedLink\('\/api\/v1\/feeds\/(surveys|budget)\//, js);
    }
  });
});

describe('survey and budget feeds', () => {
  test('a published survey has its feed; an unknown one is 404', async () => {
    const list = (await call('GET', '/api/v1/surveys')).json;
    const slug = (list.surveys || list)[0].slug;
    const { f } = await atom(`/api/v1/feeds/surveys/${slug}.atom?lang=en`);
    assert.ok(f.entries.some((e) => e.id.endsWith(`survey/${slug}/published`)));
    assert.ok(f.entries.every((e) => e.link.includes(`/s/${slug}`)));
    assert.equal((await call('GET', '/api/v1/feeds/surveys/no-such-survey.atom')).status, 404);
    assert.equal((await call('GET', `/api/v1/feeds/surveys/${slug}`)).status, 404);
  });

  test('the demo round: begun phases, public proposals and implementation updates', async () => {
    const { f } = await atom('/api/v1/feeds/budget/imatra-2026.atom');
    const ids = f.entries.map((e) => e.id);
    for (const p of ['proposals', 'review', 'voting', 'results']) assert.ok(ids.some((i) => i.endsWith(`/phase/${p}`)), p);
    assert.ok(ids.some((i) => i.includes('/proposal/')));
    assert.ok(ids.some((i) => i.includes('/update/')));
    const props = (await call('GET', '/api/v1/budget/rounds/imatra-2026/proposals?limit=1000')).json.features;
    const inFeed = new Set(ids.filter((i) => i.includes('/proposal/')).map((i) => i.split('/proposal/')[1]));
    for (const id of inFeed) assert.ok(props.some((p) => String(p.id) === id || String(p.properties.id) === id), `proposal ${id} is public`);
    assert.equal((await call('GET', '/api/v1/feeds/budget/nope.atom')).status, 404);
  });
});

describe('calendar', () => {
  test('CRLF, folded lines, one VEVENT per walk and per phase of published rounds', async () => {
    const r = await call('GET', '/api/v1/feeds/events.ics?lang=en');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/calendar/);
    const raw = Buffer.from(r.text, 'utf8');
    const text = raw.toString('utf8');
    assert.ok(text.endsWith('\r\n'));
    assert.ok(!/[^\r]\n/.test(text), 'every line ends in CRLF');
    for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
    const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n').filter(Boolean);
    assert.equal(lines[0], 'BEGIN:VCALENDAR');
    assert.equal(lines.at(-1), 'END:VCALENDAR');
    assert.ok(lines.includes('VERSION:2.0') && lines.some((l) => l.startsWith('PRODID:')));
    const events = text.replace(/\r\n[ \t]/g, '').split('BEGIN:VEVENT\r\n').slice(1);
    const walks = (await call('GET', '/api/v1/walks')).json.walks;
    const rounds = (await call('GET', '/api/v1/budget/rounds')).json.rounds;
    let phases = 0;
    for (const rd of rounds) phases += Object.keys((await call('GET', `/api/v1/budget/rounds/${rd.slug}`)).json.phases || {}).length;
    assert.ok(walks.length > 0 && phases > 0);
    assert.equal(events.length, walks.length + phases);
    const uids = events.map((e) => /UID:(.*)\r\n/.exec(e)[1]);
    assert.equal(new Set(uids).size, uids.length, 'UIDs unique');
    for (const e of events) assert.match(e, /DTSTAMP:\d{8}T\d{6}Z\r\n/);
    assert.ok(events.some((e) => e.includes('DTSTART;VALUE=DATE:')), 'a walk day');
    assert.ok(events.some((e) => /DTEND:\d{8}T\d{6}Z/.test(e)), 'a phase with its end');
    const again = await call('GET', '/api/v1/feeds/events.ics?lang=en');
    assert.deepEqual(again.text.match(/UID:.*\r\n/g), r.text.match(/UID:.*\r\n/g), 'UIDs stable');
    const etag = r.headers.get('etag');
    assert.equal((await call('GET', '/api/v1/feeds/events.ics?lang=en', { headers: { 'If-None-Match': etag } })).status, 304);
  });
});
