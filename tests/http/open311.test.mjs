// Open311 GeoReport v2 at /open311/v2, driven the way a FixMyStreet-style
// client does it: form-encoded POSTs, XML or JSON answers, errors as an
// array of {code, description}. Every GET answer is kept and searched for
// the contact details sent, which must never come back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';

let srv;
const BASE = '/open311/v2';
const EMAIL = 'open311.secret.person@example.fi';
const PHONE = '+358 40 111 2233';
const FIRST = 'Salaperäinen';
const LAST = 'Ilmoittaja-Xyzzy';
const HERE = { lat: 61.1725, long: 28.7648 };
const gets = []; // every GET answer's text

// ---- a small XML reader: well-formedness and a tree, enough to check structure
function parseXml(text) {
  const entities = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  const decode = (s) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e) => entities[e]);
  assert.match(text, /^<\?xml version="1\.0" encoding="utf-8"\?>/, 'XML declaration');
  const body = text.replace(/^<\?xml[^?]*\?>/, '');
  const root = { name: '#doc', children: [], text: '' };
  const stack = [root];
  const re = /<(\/?)([A-Za-z_][\w.-]*)(\/?)>|([^<]+)/g;
  let m;
  let pos = 0;
  while ((m = re.exec(body))) {
    assert.equal(m.index, pos, `unexpected markup at ${pos}: ${body.slice(pos, pos + 40)}`);
    pos = re.lastIndex;
    const top = stack[stack.length - 1];
    if (m[4] !== undefined) {
      assert.ok(!/[<>]|&(?!(amp|lt|gt|quot|apos);)/.test(m[4]), 'text is escaped');
      top.text += decode(m[4]);
    } else if (m[1]) {
      assert.equal(top.name, m[2], `</${m[2]}> closes <${top.name}>`);
      stack.pop();
    } else {
      const el = { name: m[2], children: [], text: '', empty: !!m[3] };
      top.children.push(el);
      if (!m[3]) stack.push(el);
    }
  }
  assert.equal(pos, body.length, 'the whole document is read');
  assert.equal(stack.length, 1, 'every element is closed');
  assert.equal(root.children.length, 1, 'one root element');
  return root.children[0];
}
const child = (el, name) => el.children.find((c) => c.name === name);
const childText = (el, name) => child(el, name)?.text;

// ---- requests
async function get(path) {
  const res = await fetch(`${srv.url}${BASE}${path}`);
  const text = await res.text();
  gets.push(text);
  return { res, text };
}
async function getJson(path) {
  const r = await get(path);
  assert.match(r.res.headers.get('content-type'), /^application\/json/);
  return { ...r, json: JSON.parse(r.text) };
}
async function getXml(path) {
  const r = await get(path);
  assert.match(r.res.headers.get('content-type'), /^text\/xml/);
  return { ...r, xml: parseXml(r.text) };
}

// curl --data-urlencode style: %20 for spaces; forms use '+': both must work.
const curlEncode = (fields) => Object.entries(fields)
  .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
const formEncode = (fields) => new URLSearchParams(fields).toString();

async function postForm(path, body, headers = {}) {
  const res = await fetch(`${srv.url}${BASE}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { res, text: await res.text() };
}

// What FixMyStreet's Open311 client sends for a new report.
const fmsReport = (extra = {}) => ({
  jurisdiction_id: 'vaikuta',
  api_key: 'not-needed',
  service_code: 'streets',
  lat: String(HERE.lat),
  long: String(HERE.long),
  address_string: 'Kauppakatu 5 & <kulma>',
  email: EMAIL,
  first_name: FIRST,
  last_name: LAST,
  phone: PHONE,
  description: 'Syvä kuoppa + halkeama: "vaarallinen" pyöräilijöille & jalankulkijoille',
  'attribute[report_url]': 'https://fms.example/report/1',
  media_url: '',
  ...extra,
});

function assertErrorsJson(text, status) {
  const errs = JSON.parse(text);
  assert.ok(Array.isArray(errs) && errs.length >= 1, 'an array of errors');
  assert.equal(errs[0].code, status);
  assert.equal(typeof errs[0].description, 'string');
  assert.ok(errs[0].description.length > 5);
  return errs[0];
}
function assertErrorsXml(text, status) {
  const xml = parseXml(text);
  assert.equal(xml.name, 'errors');
  const e = child(xml, 'error');
  assert.equal(childText(e, 'code'), String(status));
  assert.ok(childText(e, 'description').length > 5);
  return e;
}

let idXml; // created through requests.xml with a '+'-encoded form
let idJson; // created through requests.json with curl-style %20 encoding

before(async () => { srv = await startServer({ args: ['--rate-limit', '0'] }); });
after(async () => {
  await srv.close();
});

describe('discovery and services', () => {
  test('discovery in JSON and XML', async () => {
    const { json } = await getJson('/discovery.json');
    assert.equal(json.endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
    assert.match(json.endpoints[0].url, /\/open311\/v2$/);
    assert.deepEqual(json.endpoints[0].formats, ['text/xml', 'application/json']);
    const { xml } = await getXml('/discovery.xml');
    assert.equal(xml.name, 'discovery');
    const ep = child(child(xml, 'endpoints'), 'endpoint');
    assert.equal(child(ep, 'formats').children.length, 2);
    const plain = await getJson('/discovery');
    assert.deepEqual(plain.json, json, 'no suffix means JSON');
  });

  test('services: one per category, names by locale', async () => {
    const cats = (await (await fetch(`${srv.url}/api/v1/categories`)).json()).categories;
    const fi = (await getJson('/services.json')).json;
    assert.equal(fi.length, cats.length);
    for (const s of fi) {
      const c = cats.find((x) => x.id === s.service_code);
      assert.ok(c, s.service_code);
      assert.equal(s.service_name, c.name.fi);
      assert.equal(s.metadata, c.attributes.length > 0, `${s.service_code}: metadata when it asks questions`);
      assert.equal(s.type, 'realtime');
      assert.equal(typeof s.keywords, 'string');
      assert.equal(typeof s.group, 'string');
    }
    const en = (await getJson('/services.json?locale=en')).json;
    assert.equal(en[0].service_name, cats[0].name.en);
    const sv = (await getXml('/services.xml?locale=sv')).xml;
    assert.equal(sv.name, 'services');
    assert.equal(sv.children.length, cats.length);
    assert.equal(childText(sv.children[0], 'service_name'), cats[0].name.sv);
    assert.equal(childText(sv.children[0], 'metadata'), String(cats[0].attributes.length > 0));
    assert.ok(fi.some((s) => s.metadata) && fi.some((s) => !s.metadata), 'some services ask questions');
    const bad = await get('/services.json?locale=de');
    assert.equal(bad.res.status, 400);
    assertErrorsJson(bad.text, 400);
  });

  test('a service without questions has an empty attribute list', async () => {
    const { json } = await getJson('/services/parks.json');
    assert.deepEqual(json, { service_code: 'parks', attributes: [] });
    const { xml } = await getXml('/services/parks.xml');
    assert.equal(xml.name, 'service_definition');
    assert.equal(childText(xml, 'service_code'), 'parks');
    assert.equal(child(xml, 'attributes').children.length, 0);
    const missing = await get('/services/nothing.xml');
    assert.equal(missing.res.status, 404);
    assertErrorsXml(missing.text, 404);
  });
});

describe('service definitions with attributes', () => {
  test('lighting in JSON: Open311 shape, texts by locale, the same as /api/v1/categories', async () => {
    const cats = (await (await fetch(`${srv.url}/api/v1/categories`)).json()).categories;
    const defs = cats.find((c) => c.id === 'lighting').attributes;
    const { json } = await getJson('/services/lighting.json?locale=sv');
    assert.equal(json.service_code, 'lighting');
    assert.deepEqual(json.attributes.map((a) => a.code), defs.map((d) => d.code));
    for (const [i, a] of json.attributes.entries()) {
      const d = defs[i];
      assert.equal(a.variable, true);
      assert.equal(a.datatype, d.datatype);
      assert.equal(a.required, d.required);
      assert.equal(a.order, d.order);
      assert.equal(a.description, d.description.sv);
      assert.equal(typeof a.datatype_description, 'string');
      assert.deepEqual(a.values, (d.values || []).map((v) => ({ key: v.key, name: v.name.sv })));
    }
    const post = json.attributes.find((a) => a.code === 'pole_number');
    assert.equal(post.datatype, 'string');
    assert.equal(post.required, false);
    const dark = json.attributes.find((a) => a.code === 'whole_street_dark');
    assert.equal(dark.datatype, 'singlevaluelist');
    assert.deepEqual(dark.values.map((v) => v.key), ['yes', 'no']);
  });

  test('winter in XML: a required single-value list with its values', async () => {
    const { xml } = await getXml('/services/winter.xml?locale=en');
    assert.equal(xml.name, 'service_definition');
    const attrs = child(xml, 'attributes').children;
    assert.equal(attrs.length, 1);
    const a = attrs[0];
    assert.equal(a.name, 'attribute');
    assert.equal(childText(a, 'variable'), 'true');
    assert.equal(childText(a, 'code'), 'condition');
    assert.equal(childText(a, 'required'), 'true');
    assert.equal(childText(a, 'description'), 'Snow or ice?');
    const values = child(a, 'values').children;
    assert.ok(values.every((v) => v.name === 'value'));
    assert.deepEqual(values.map((v) => childText(v, 'key')), ['snow', 'ice', 'snowbank']);
    assert.equal(childText(values[1], 'name'), 'Ice');
    const bad = await get('/services/winter.json?locale=xx');
    assert.equal(bad.res.status, 400);
  });

  test('attribute[...] fields are checked and stored; extensions=true shows them', async () => {
    const ok = await postForm('/requests.json', formEncode(fmsReport({
      service_code: 'lighting', description: 'Koko katu pimeänä',
      'attribute[pole_number]': 'KV-1234', 'attribute[whole_street_dark]': 'yes',
    })));
    assert.equal(ok.res.status, 201, ok.text);
    const id = JSON.parse(ok.text)[0].service_request_id;
    const { json } = await getJson(`/requests/${id}.json?extensions=true`);
    assert.deepEqual(json[0].extended_attributes.attributes,
      [{ code: 'pole_number', value: 'KV-1234' }, { code: 'whole_street_dark', value: 'yes' }]);
    const { xml } = await getXml(`/requests/${id}.xml?extensions=true`);
    const ext = child(child(xml, 'request'), 'extended_attributes');
    const answers = child(ext, 'attributes').children;
    assert.deepEqual(answers.map((a) => [a.name, childText(a, 'code'), childText(a, 'value')]),
      [['attribute', 'pole_number', 'KV-1234'], ['attribute', 'whole_street_dark', 'yes']]);
    const plain = (await getJson(`/requests/${id}.json`)).json[0];
    assert.equal(plain.extended_attributes, undefined, 'only with extensions=true');
    const feature = await (await fetch(`${srv.url}/api/v1/feedback/${id}`)).json();
    assert.deepEqual(feature.properties.attributes, { pole_number: 'KV-1234', whole_street_dark: 'yes' });

    const winter = await postForm('/requests.xml', formEncode(fmsReport({
      service_code: 'winter', description: 'Jäinen jalkakäytävä', 'attribute[condition]': 'ice',
    })));
    assert.equal(winter.res.status, 201, winter.text);
  });

  test('attribute refusals name the attribute in an Open311 error array', async () => {
    const cases = [
      [{ service_code: 'winter' }, /^attribute\[condition\] is required/],
      [{ service_code: 'winter', 'attribute[condition]': 'mud' },
        /^attribute\[condition\] must be one of: snow, ice, snowbank/],
      [{ service_code: 'winter', 'attribute[condition]': 'ice', 'attribute[colour]': 'red' },
        /^attribute\[colour\]: category winter asks no such question/],
      [{ service_code: 'lighting', 'attribute[whole_street_dark]': 'perhaps' },
        /^attribute\[whole_street_dark\] must be one of: yes, no/],
      [{ service_code: 'lighting', 'attribute[whole_street_dark][]': 'yes' }, /whole_street_dark/],
      [{ service_code: 'lighting', 'attribute[pole_number': 'x' }, /attribute\[CODE\]/],
      [{ service_code: 'parks', 'attribute[pole_number]': '12' }, /^attribute\[pole_number\]: category parks/],
    ];
    for (const [extra, message] of cases) {
      const { res, text } = await postForm('/requests.json', formEncode(fmsReport(extra)));
      assert.equal(res.status, 400, text);
      assert.match(assertErrorsJson(text, 400).description, message);
    }
    const xml = await postForm('/requests.xml', formEncode(fmsReport({ service_code: 'winter' })));
    assert.equal(xml.res.status, 400);
    assert.match(childText(assertErrorsXml(xml.text, 400), 'description'), /attribute\[condition\]/);
  });

  test("FixMyStreet's own attribute[report_url] and attribute[title] are dropped, not stored", async () => {
    const r = await postForm('/requests.json', formEncode(fmsReport({
      service_code: 'parks', 'attribute[title]': 'Rikkinäinen penkki',
    })));
    assert.equal(r.res.status, 201, r.text);
    const id = JSON.parse(r.text)[0].service_request_id;
    const feature = await (await fetch(`${srv.url}/api/v1/feedback/${id}`)).json();
    assert.equal(feature.properties.attributes, null);
  });
});

describe('creating requests', () => {
  test('FixMyStreet-style form to requests.xml', async () => {
    const { res, text } = await postForm('/requests.xml', formEncode(fmsReport()));
    assert.equal(res.status, 201, text);
    assert.match(res.headers.get('content-type'), /^text\/xml/);
    const xml = parseXml(text);
    assert.equal(xml.name, 'service_requests');
    const r = child(xml, 'request');
    idXml = childText(r, 'service_request_id');
    assert.match(idXml, /^\d+$/);
    assert.ok(childText(r, 'service_notice').length > 0);
    assert.equal(res.headers.get('location'), `${BASE}/requests/${idXml}`);
    assert.ok(!text.includes(EMAIL) && !text.includes('111 2233'));
  });

  test('curl-style %20 encoding to requests.json', async () => {
    const { res, text } = await postForm('/requests.json', curlEncode(fmsReport({
      service_code: 'lighting', description: 'Katuvalo ei pala 100% varmasti', address_string: '',
    })));
    assert.equal(res.status, 201, text);
    const json = JSON.parse(text);
    assert.equal(json.length, 1);
    idJson = json[0].service_request_id;
    assert.match(idJson, /^\d+$/);
    assert.equal(typeof json[0].service_notice, 'string');
  });

  test('Idempotency-Key: the same form again gets the same id', async () => {
    const body = formEncode(fmsReport({ description: 'Kerran vain, vaikka lähetetään kahdesti' }));
    const a = await postForm('/requests.json', body, { 'Idempotency-Key': 'o311-once' });
    const b = await postForm('/requests.json', body, { 'Idempotency-Key': 'o311-once' });
    assert.equal(a.res.status, 201);
    assert.equal(b.res.status, 201);
    assert.equal(b.res.headers.get('idempotent-replayed'), 'true');
    assert.equal(JSON.parse(a.text)[0].service_request_id, JSON.parse(b.text)[0].service_request_id);
    const other = await postForm('/requests.json', formEncode(fmsReport({ description: 'toinen' })),
      { 'Idempotency-Key': 'o311-once' });
    assert.equal(other.res.status, 400);
    assertErrorsJson(other.text, 400);
  });

  test('refusals come as Open311 error arrays', async () => {
    const cases = [
      // Without lat/long the address_string must be an address the gazetteer
      // knows (docs/places.md; places.test.mjs places one that it knows).
      [formEncode(fmsReport({ lat: '', long: '', address_string: 'Olematon katu 1' })),
        /address_string is not an address/],
      [formEncode(fmsReport({ lat: '', long: '', address_string: '' })), /lat and long are required/],
      [formEncode(fmsReport({ service_code: '' })), /service_code is required/],
      [formEncode(fmsReport({ service_code: 'nope' })), /unknown service_code 'nope'/],
      [formEncode(fmsReport({ description: '' })), /^description is required/],
      [formEncode(fmsReport({ email: 'not-an-address' })), /^email does not look like/],
      [formEncode(fmsReport({ lat: 'north' })), /lat must be a number/],
      [formEncode(fmsReport({ lat: '10' })), /outside/],
      ['service_code=streets&description=%ZZ', /escape/],
      ['service_code=streets&description=%C3', /UTF-8/],
      [Array.from({ length: 65 }, (_, i) => `f${i}=1`).join('&'), /more than 64 fields/],
    ];
    for (const [body, message] of cases) {
      const { res, text } = await postForm('/requests.json', body);
      assert.equal(res.status, 400, text);
      assert.match(assertErrorsJson(text, 400).description, message);
    }
    const xml = await postForm('/requests.xml', formEncode(fmsReport({ long: '' })));
    assert.equal(xml.res.status, 400);
    assertErrorsXml(xml.text, 400);
    const asJson = await fetch(`${srv.url}${BASE}/requests.json`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
    });
    assert.equal(asJson.status, 400);
    assert.match(assertErrorsJson(await asJson.text(), 400).description, /x-www-form-urlencoded/);
  });
});

describe('reading requests', () => {
  test('a created request is found through requests and requests/{id}', async () => {
    const { json } = await getJson('/requests.json');
    const mine = json.find((r) => r.service_request_id === idXml);
    assert.ok(mine, 'the new request is in the default 90-day window');
    assert.equal(mine.status, 'open');
    assert.equal(mine.service_code, 'streets');
    assert.equal(mine.description, fmsReport().description, "'+', %XX and & survive");
    assert.equal(mine.address, fmsReport().address_string);
    assert.equal(mine.agency_responsible, 'Katujen kunnossapito', "the category's default unit");
    assert.equal(mine.status_notes, null);
    assert.ok(Math.abs(mine.lat - HERE.lat) < 1e-6 && Math.abs(mine.long - HERE.long) < 1e-6);
    assert.match(mine.requested_datetime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(mine.updated_datetime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(mine.extended_attributes, undefined, 'no extensions unless asked');
    assert.ok(json.length <= 1000);

    const one = await getJson(`/requests/${idXml}.json`);
    assert.equal(one.json.length, 1);
    assert.deepEqual(one.json[0], mine);
    const plain = await getJson(`/requests/${idXml}`);
    assert.deepEqual(plain.json, one.json);

    const { xml } = await getXml(`/requests/${idXml}.xml`);
    assert.equal(xml.name, 'service_requests');
    const r = child(xml, 'request');
    assert.equal(childText(r, 'service_request_id'), idXml);
    assert.equal(childText(r, 'description'), mine.description);
    assert.equal(childText(r, 'address'), mine.address);
    assert.equal(childText(r, 'agency_responsible'), 'Katujen kunnossapito');
    assert.ok(child(r, 'expected_datetime').empty, 'null is an empty element');
    assert.equal(Number(childText(r, 'lat')), mine.lat);

    const missing = await get('/requests/999999.json');
    assert.equal(missing.res.status, 404);
    assertErrorsJson(missing.text, 404);
    const junk = await get('/requests/abc.xml');
    assert.equal(junk.res.status, 404);
    assertErrorsXml(junk.text, 404);
  });

  test('tokens: the token is the id', async () => {
    const { json } = await getJson(`/tokens/${idJson}.json`);
    assert.deepEqual(json, [{ service_request_id: idJson, token: idJson }]);
    const { xml } = await getXml(`/tokens/${idJson}.xml`);
    assert.equal(childText(child(xml, 'request'), 'token'), idJson);
    const none = await get('/tokens/nosuchtoken.json');
    assert.equal(none.res.status, 404);
    assertErrorsJson(none.text, 404);
  });

  test('filters: ids, service_code, status, dates, updated, radius', async () => {
    const ids = (await getJson(`/requests.json?service_request_id=${idXml},${idJson},999999`)).json
      .map((r) => r.service_request_id).sort();
    assert.deepEqual(ids, [idXml, idJson].sort());

    const lighting = (await getJson('/requests.json?service_code=lighting&start_date=2000-01-01T00:00:00Z')).json;
    assert.ok(lighting.length >= 1 && lighting.every((r) => r.service_code === 'lighting'));
    assert.ok(lighting.some((r) => r.service_request_id === idJson));
    const two = (await getJson('/requests.json?service_code=lighting,streets&start_date=2000-01-01')).json;
    assert.ok(two.every((r) => ['lighting', 'streets'].includes(r.service_code)));
    assert.ok(two.length > lighting.length);

    const closed = (await getJson('/requests.json?status=closed&start_date=2000-01-01')).json;
    assert.ok(closed.length > 0 && closed.every((r) => r.status === 'closed'));
    const open = (await getJson('/requests.json?status=open&start_date=2000-01-01')).json;
    assert.ok(open.length > 0 && open.every((r) => r.status === 'open'));
    const all = (await getJson('/requests.json?status=open,closed&start_date=2000-01-01')).json;
    assert.equal(all.length, open.length + closed.length);

    const old = (await getJson('/requests.json?start_date=2000-01-01&end_date=2001-01-01')).json;
    assert.deepEqual(old, []);
    const recent = (await getJson(`/requests.json?start_date=${new Date(Date.now() - 3600e3).toISOString()}`)).json;
    assert.ok(recent.some((r) => r.service_request_id === idXml));
    assert.ok(recent.every((r) => Date.parse(r.requested_datetime) >= Date.now() - 3600e3 - 1000));

    const cut = '2026-01-01T00:00:00Z';
    const upd = (await getJson(`/requests.json?start_date=2000-01-01&updated_after=${cut}`)).json;
    assert.ok(upd.every((r) => r.updated_datetime >= cut));
    const before = (await getJson(`/requests.json?start_date=2000-01-01&updated_before=${cut}`)).json;
    assert.ok(before.every((r) => r.updated_datetime <= cut));
    assert.equal(upd.length + before.length, all.length);

    const near = (await getJson(`/requests.json?lat=${HERE.lat}&long=${HERE.long}&radius=25`)).json;
    assert.ok(near.some((r) => r.service_request_id === idXml));
    // 0.001° of latitude is about 111 m: inside 150 m, outside 80 m.
    const lat2 = HERE.lat + 0.001;
    const in150 = (await getJson(`/requests.json?lat=${lat2}&long=${HERE.long}&radius=150`)).json;
    assert.ok(in150.some((r) => r.service_request_id === idXml));
    const in80 = (await getJson(`/requests.json?lat=${lat2}&long=${HERE.long}&radius=80`)).json;
    assert.ok(!in80.some((r) => r.service_request_id === idXml));

    const xml = (await getXml('/requests.xml?service_code=streets&status=open')).xml;
    assert.equal(xml.name, 'service_requests');
    assert.ok(xml.children.every((c) => c.name === 'request' && childText(c, 'service_code') === 'streets'));
  });

  test('extensions=true and locale', async () => {
    const { json } = await getJson(`/requests/${idXml}.json?extensions=true&locale=en`);
    const ext = json[0].extended_attributes;
    assert.equal(ext.detailed_status, 'received');
    assert.equal(ext.resolution_reason, null);
    assert.equal(ext.forwarded_to, null);
    assert.equal(json[0].agency_responsible, 'Street maintenance', 'the unit in the locale');
    assert.deepEqual(ext.media_urls, []);
    const cats = (await (await fetch(`${srv.url}/api/v1/categories`)).json()).categories;
    assert.equal(json[0].service_name, cats.find((c) => c.id === 'streets').name.en);
    const closed = (await getJson('/requests.json?status=closed&start_date=2000-01-01&extensions=true')).json;
    const outcomes = ['resolved', 'not_resolvable', 'duplicate', 'forwarded'];
    assert.ok(closed.length > 0 && closed.every((r) => outcomes.includes(r.extended_attributes.detailed_status)));
    assert.ok(closed.filter((r) => r.extended_attributes.detailed_status === 'forwarded')
      .every((r) => typeof r.extended_attributes.forwarded_to === 'string'));
    const open = (await getJson('/requests.json?status=open&start_date=2000-01-01&extensions=true')).json;
    assert.ok(open.every((r) => ['received', 'in_progress', 'planned'].includes(r.extended_attributes.detailed_status)));
    const { xml } = await getXml(`/requests/${idXml}.xml?extensions=true`);
    const ea = child(child(xml, 'request'), 'extended_attributes');
    assert.equal(childText(ea, 'detailed_status'), 'received');
    assert.equal(child(ea, 'media_urls').children.length, 0);
  });

  test('bad parameters are 400 error arrays', async () => {
    for (const q of ['status=pending', 'service_code=nope', 'start_date=yesterday',
      'service_request_id=1,x', 'lat=61&long=28', 'radius=-1&lat=61&long=28', 'extensions=yes',
      'unknown=1', 'updated_after=2026-13-01']) {
      const { res, text } = await get(`/requests.json?${q}`);
      assert.equal(res.status, 400, q);
      assertErrorsJson(text, 400);
    }
    const xml = await get('/requests.xml?status=pending');
    assert.equal(xml.res.status, 400);
    assertErrorsXml(xml.text, 400);
    const fmt = await get('/requests.csv');
    assert.equal(fmt.res.status, 404);
    assertErrorsJson(fmt.text, 404);
  });

  test('no personal data in any GET answer', async () => {
    await get('/requests.xml?start_date=2000-01-01&extensions=true');
    await get('/requests.json?start_date=2000-01-01&extensions=true');
    // The same contact details through the REST API; then the public
    // answers of the follow-up link, the nearby suggestions and "me too".
    const keep = async (p, init) => {
      const res = await fetch(`${srv.url}${p}`, init);
      const text = await res.text();
      gets.push(text);
      return { res, text };
    };
    const rep = await keep('/api/v1/feedback', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [HERE.long, HERE.lat] },
        properties: { category: 'lighting', description: 'Valo ei pala',
          contact: { name: `${FIRST} ${LAST}`, email: EMAIL, phone: PHONE } } }),
    });
    assert.equal(rep.res.status, 201, rep.text);
    const { id, followup } = JSON.parse(rep.text);
    assert.equal((await keep(`/api/v1/followup/${followup.token}`)).res.status, 200);
    assert.equal((await keep(`/api/v1/feedback/nearby?lon=${HERE.long}&lat=${HERE.lat}&radius=200`)).res.status, 200);
    assert.equal((await keep(`/api/v1/feedback/${id}/me-too`, { method: 'POST' })).res.status, 200);
    await get(`/requests/${id}.json?extensions=true`);
    assert.ok(gets.length > 20);
    for (const text of gets) {
      for (const secret of [EMAIL, PHONE, '111 2233', FIRST, LAST, encodeURIComponent(EMAIL)]) {
        assert.ok(!text.includes(secret), `a GET answer contains ${secret}`);
      }
    }
  });
});

// A second server: api_key required (--open311-require-key), and the test
// fixture's categories, whose lighting asks a question of every datatype.
describe('--open311-require-key, and every attribute datatype', () => {
  let keyed;
  const fixtures = (d) => new URL(`../fixtures/${d}`, import.meta.url).pathname;
  before(async () => {
    keyed = await startServer({
      args: ['--open311-require-key', '--rate-limit', '0', '--seeds', fixtures('seeds'), '--geo', fixtures('geo')],
      tokens: [{ name: 'fixmystreet', role: 'moderator' }],
    });
  });
  after(async () => {
    await keyed.close();
  });
  const post = async (fields) => {
    const res = await fetch(`${keyed.url}${BASE}/requests.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: typeof fields === 'string' ? fields : formEncode(fields),
    });
    return { res, text: await res.text() };
  };
  const report = (extra = {}) => ({
    service_code: 'lighting', lat: String(HERE.lat), long: String(HERE.long),
    description: 'Valot sammuneet', api_key: keyed.tokens.fixmystreet, ...extra,
  });

  test('discovery says a key is needed; the open server says none is', async () => {
    const d = await (await fetch(`${keyed.url}${BASE}/discovery.json`)).json();
    assert.match(d.key_service, /api_key/);
    assert.equal((await getJson('/discovery.json')).json.key_service, 'No API key is needed.');
  });

  test('a missing, malformed or unknown api_key is refused with 403', async () => {
    for (const [key, message] of [[undefined, /^api_key is required/], ['', /^api_key is required/],
      ['not-needed', /^api_key is not a valid API token/], ['f'.repeat(64), /^api_key is not a valid API token/]]) {
      const fields = report({ api_key: key });
      if (key === undefined) delete fields.api_key;
      const { res, text } = await post(fields);
      assert.equal(res.status, 403, text);
      assert.match(assertErrorsJson(text, 403).description, message);
    }
    const xml = await fetch(`${keyed.url}${BASE}/requests.xml`, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formEncode(report({ api_key: 'wrong' })),
    });
    assert.equal(xml.status, 403);
    assertErrorsXml(await xml.text(), 403);
    const list = await fetch(`${keyed.url}${BASE}/requests.json`);
    assert.equal(list.status, 200, 'reading needs no key');
  });

  test('with a valid key: every datatype, attribute[code][] lists', async () => {
    const body = `${formEncode(report({
      'attribute[pole_number]': 'A-7', 'attribute[whole_street_dark]': 'no', 'attribute[lamps_out]': '3',
      'attribute[noticed]': '2026-11-20T18:00:00+02:00', 'attribute[details]': 'Rivi 1\nRivi 2',
    }))}&attribute%5Bwhen%5D%5B%5D=evening&attribute%5Bwhen%5D%5B%5D=night&attribute%5Bwhen%5D%5B%5D=`;
    const { res, text } = await post(body);
    assert.equal(res.status, 201, text);
    const id = JSON.parse(text)[0].service_request_id;
    const feature = await (await fetch(`${keyed.url}/api/v1/feedback/${id}`)).json();
    assert.deepEqual(feature.properties.attributes, {
      pole_number: 'A-7', whole_street_dark: 'no', lamps_out: 3, noticed: '2026-11-20T16:00:00Z',
      details: 'Rivi 1\nRivi 2', when: ['evening', 'night'],
    });
    const req = (await (await fetch(`${keyed.url}${BASE}/requests/${id}.json?extensions=true`)).json())[0];
    assert.deepEqual(req.extended_attributes.attributes.filter((a) => a.code === 'when').map((a) => a.value),
      ['evening', 'night'], 'one entry per value of a multivaluelist');
    assert.ok(req.extended_attributes.attributes.some((a) => a.code === 'lamps_out' && a.value === '3'));
  });

  test('wrong datatypes are refused, naming the attribute', async () => {
    const cases = [
      [{ 'attribute[lamps_out]': 'three' }, /^attribute\[lamps_out\] must be a number/],
      [{ 'attribute[noticed]': 'yesterday' }, /^attribute\[noticed\] must be an RFC 3339 date-time/],
      [{ 'attribute[when][]': 'morning' }, /^attribute\[when\] must be a list of different keys from: evening, night/],
      [{ 'attribute[pole_number]': 'a\nb' }, /^attribute\[pole_number\] contains a control character/],
      [{ 'attribute[pole_number]': 'x'.repeat(201) }, /^attribute\[pole_number\] is 201 characters long/],
    ];
    for (const [extra, message] of cases) {
      const { res, text } = await post(report(extra));
      assert.equal(res.status, 400, text);
      assert.match(assertErrorsJson(text, 400).description, message);
    }
    const twice = await post(`${formEncode(report())}&attribute%5Bwhen%5D%5B%5D=night&attribute%5Bwhen%5D%5B%5D=night`);
    assert.equal(twice.res.status, 400, twice.text);
  });
});
