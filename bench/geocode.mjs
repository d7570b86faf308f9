// geocode.mjs — issue 16's speed targets: geocode p50 < 2 ms and reverse
// p50 < 1 ms on a gazetteer of 100 000 addresses.
//
// 1. N (100 000) deterministic addresses: 2 000 generated street names
//    (every fifth with a Swedish name too) × 50 numbers, spread over the
//    Imatra extent (lon 28.60–29.00, lat 61.10–61.30), written as the CSV
//    of `vaikuta load-addresses` and loaded into a fresh database (the load
//    is timed);
// 2. `vaikuta serve` on 127.0.0.1; one client, one request at a time
//    (latency, not throughput), REQS requests per kind, kinds taking turns:
//      geocode-address  "Street 17"  (the exact address)
//      geocode-prefix   the first 6 letters of a street name
//      geocode-typo     a street name with two neighbouring letters swapped
//      reverse          a point 0–60 m from a random address
//      reference        GET /healthz (one small database read through the
//                       same server and client): the same-run reference
// 3. the server's own time per request from its request log (microseconds
//    from the request's arrival to the response queued), p50 and p99 per
//    kind, and each p50 as a ratio to the reference's; plus the client's
//    round trip. Writes bench/results/geocode-latest.md.
//
// Env: N (100000), REQS (2000), PORT (18795), VAIKUTA (build/vaikuta),
//      DATA (/tmp/vaikuta-bench). Loopback only; the server is stopped by PID.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const N = Number(process.env.N || 100000);
const REQS = Number(process.env.REQS || 2000);
const PORT = Number(process.env.PORT || 18795);
const VAIKUTA = process.env.VAIKUTA || path.join(REPO, 'build/vaikuta');
const DATA = process.env.DATA || '/tmp/vaikuta-bench';
const DIR = path.join(DATA, 'geocode');

// A Lehmer sequence: the same streets and points on every run.
let seed = 12345;
const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const pick = (a) => a[Math.floor(rnd() * a.length)];

const SYL = ['kos', 'ken', 'par', 'ras', 'tai', 'nio', 'vuo', 'ksen', 'nis', 'ka', 'lap', 'pe',
  'en', 'ran', 'na', 'ra', 'ja', 'pat', 'saa', 'kaup', 'pa', 'vir', 'as', 'to', 'hel', 'sin',
  'gin', 'kar', 'jal', 'an', 'pie', 'tar', 'in', 'man', 'sik', 'la', 'mä', 'ki', 'jär', 'vi',
  'lah', 'ti', 'nie', 'mi', 'ö', 'hö', 'lä', 'ke', 'pel', 'ko', 'sii', 'lo'];
const SUFFIX = ['tie', 'katu', 'kuja', 'polku', 'raitti', 'rinne', 'tanhua'];
const SV = { tie: 'vägen', katu: 'gatan', kuja: 'gränden', polku: 'stigen', raitti: 'stråket', rinne: 'branten', tanhua: 'gården' };

function makeStreets(n) {
  const seen = new Set();
  const out = [];
  while (out.length < n) {
    const k = 2 + Math.floor(rnd() * 3);
    let stem = '';
    for (let i = 0; i < k; i++) stem += pick(SYL);
    const suf = pick(SUFFIX);
    const fi = stem[0].toUpperCase() + stem.slice(1) + suf;
    if (seen.has(fi)) continue;
    seen.add(fi);
    const sv = out.length % 5 === 0 ? stem[0].toUpperCase() + stem.slice(1) + SV[suf] : '';
    out.push({ fi, sv, lon: 28.6 + rnd() * 0.4, lat: 61.1 + rnd() * 0.2, dir: rnd() * Math.PI });
  }
  return out;
}

function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]; }

async function main() {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const perStreet = 50;
  const streets = makeStreets(Math.ceil(N / perStreet));
  const rows = ['street_fi,street_sv,number,postcode,municipality_fi,municipality_sv,x,y'];
  const addresses = [];
  for (const s of streets) {
    for (let i = 1; i <= perStreet && addresses.length < N; i++) {
      // Numbers 12 m apart along the street, odd and even either side.
      const along = Math.floor((i - 1) / 2) * 24, side = i % 2 ? 8 : -8;
      const dx = along * Math.cos(s.dir) - side * Math.sin(s.dir);
      const dy = along * Math.sin(s.dir) + side * Math.cos(s.dir);
      const lon = s.lon + dx / (111320 * Math.cos(s.lat * Math.PI / 180));
      const lat = s.lat + dy / 111320;
      rows.push(`${s.fi},${s.sv},${i},55100,Imatra,Imatra,${lon.toFixed(7)},${lat.toFixed(7)}`);
      addresses.push({ street: s.fi, n: i, lon, lat });
    }
  }
  const csv = path.join(DIR, 'addresses.csv');
  writeFileSync(csv, rows.join('\n') + '\n');
  const db = path.join(DIR, 'geocode.sqlite');
  const run = (args) => {
    const r = spawnSync(VAIKUTA, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`vaikuta ${args[0]}: ${r.stderr}`);
    return r.stdout;
  };
  run(['init', '--db', db]);
  const t0 = process.hrtime.bigint();
  const loaded = run(['load-addresses', '--db', db, '--crs', 'EPSG:4326', csv]).trim();
  const loadS = Number(process.hrtime.bigint() - t0) / 1e9;

  const srv = spawn(VAIKUTA, ['serve', '--db', db, '--listen', `127.0.0.1:${PORT}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  srv.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${PORT}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
    if (i > 400) throw new Error(`server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const swap = (s) => { const i = 2 + Math.floor(rnd() * (s.length - 4)); return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2); };
  const kinds = {
    'geocode-address': () => { const a = pick(addresses); return `/api/v1/geocode?q=${encodeURIComponent(`${a.street} ${a.n}`)}`; },
    'geocode-prefix': () => `/api/v1/geocode?q=${encodeURIComponent(pick(streets).fi.slice(0, 6))}`,
    'geocode-typo': () => `/api/v1/geocode?q=${encodeURIComponent(swap(pick(streets).fi))}`,
    reverse: () => { const a = pick(addresses); const r = rnd() * 60, t = rnd() * 2 * Math.PI;
      return `/api/v1/reverse?lon=${(a.lon + r * Math.cos(t) / 53700).toFixed(7)}&lat=${(a.lat + r * Math.sin(t) / 111320).toFixed(7)}`; },
    reference: () => '/healthz',
  };
  const names = Object.keys(kinds);
  const client = Object.fromEntries(names.map((k) => [k, []]));
  const paths = Object.fromEntries(names.map((k) => [k, []]));
  const check = { 'geocode-address': 0, 'geocode-typo': 0, reverse: 0 };
  for (let w = 0; w < 200; w++) await (await fetch(base + kinds[names[w % names.length]]())).text(); // warm-up
  const mark = log.length;
  for (let i = 0; i < REQS; i++) {
    for (const k of names) {
      const url = kinds[k]();
      const t = process.hrtime.bigint();
      const res = await fetch(base + url);
      const body = await res.text();
      client[k].push(Number(process.hrtime.bigint() - t) / 1e6);
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body}`);
      if (k === 'geocode-address' && JSON.parse(body).results[0]?.kind === 'address') check[k]++;
      if (k === 'geocode-typo' && JSON.parse(body).results.length) check[k]++;
      if (k === 'reverse' && JSON.parse(body).results.length) check[k]++;
      paths[k].push(url.split('?')[0]);
    }
  }
  await new Promise((r) => setTimeout(r, 300));
  srv.kill('SIGTERM');
  await new Promise((r) => srv.on('exit', r));

  // Server times from the request log: "... GET /path 200 123us" (the last
  // number of a line naming the path), in order, per path.
  const server = Object.fromEntries(names.map((k) => [k, []]));
  const lines = log.slice(mark).split('\n');
  const byPath = {};
  for (const line of lines) {
    const m = line.match(/ GET (\S+) (\d{3}) (\d+)/);
    if (m) (byPath[m[1]] ||= []).push(Number(m[3]) / 1000);
  }
  for (const k of names) {
    const p = paths[k][0];
    const all = byPath[p] || [];
    // geocode kinds share a path: split them by their order of asking.
    if (p === '/api/v1/geocode') {
      const gk = names.filter((x) => paths[x][0] === p);
      server[k] = all.filter((_, i) => gk[i % gk.length] === k);
    } else {
      server[k] = all;
    }
  }
  const ms = (v) => (v === undefined ? '–' : v.toFixed(3));
  const ref = [...server.reference].sort((a, b) => a - b);
  const refClient = [...client.reference].sort((a, b) => a - b);
  const out = [];
  out.push(`# Geocode benchmark (bench/geocode.mjs)`);
  out.push('');
  out.push(`${new Date().toISOString()}; ${N} addresses on ${streets.length} streets; ${REQS} requests per kind, one at a time; ${loaded}; load ${loadS.toFixed(1)} s.`);
  out.push(`Found: ${check['geocode-address']}/${REQS} exact addresses as addresses, ${check['geocode-typo']}/${REQS} swapped-letter queries with a result, ${check.reverse}/${REQS} reverse lookups 0–60 m from an address with an address.`);
  out.push('');
  out.push('| kind | server p50 ms | server p99 ms | p50 / reference p50 | client round trip p50 ms |');
  out.push('|---|---|---|---|---|');
  for (const k of names) {
    const s = [...server[k]].sort((a, b) => a - b);
    const c = [...client[k]].sort((a, b) => a - b);
    out.push(`| ${k} | ${ms(pct(s, 0.5))} | ${ms(pct(s, 0.99))} | ${(pct(s, 0.5) / pct(ref, 0.5)).toFixed(2)} | ${ms(pct(c, 0.5))} |`);
  }
  out.push('');
  out.push(`Reference: GET /healthz, server p50 ${ms(pct(ref, 0.5))} ms, client p50 ${ms(pct(refClient, 0.5))} ms.`);
  const text = out.join('\n') + '\n';
  mkdirSync(path.join(HERE, 'results'), { recursive: true });
  writeFileSync(path.join(HERE, 'results/geocode-latest.md'), text);
  process.stdout.write(text);
  if (!existsSync(VAIKUTA)) process.exitCode = 1;
}

main().catch((e) => { console.error(e); process.exit(1); });
