// The moderator's queue (issue 18, docs/moderation.md): what the inbox and
// the item page ask of the API, on a make-db.sh database of N items
// (default 100000), each as a ratio to the public items list of the same
// size measured in the same run (the machine is shared: absolute times
// move with its load, ratios much less). Run from the worktree:
// N=100000 node bench/queue-pages.mjs (VAIKUTA_BIN picks the binary).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { call, repoRoot, startServer, tempDir, vaikutaBin } from '../tests/lib/server.mjs';

// Every filter combination of the inbox page (issue 15: p50 < 20 ms for
// each on 1M items) against a running server, one request at a time,
// interleaved rounds, p50/p99 per combination; binaries compared in the
// same sitting by giving several BASE URLs (space-separated, e.g. this
// build and main on the same file):
// BASE='http://127.0.0.1:18471 http://127.0.0.1:18472' TOKEN=<moderator token>
//   COMBOS=1 ROUNDS=15 node bench/queue-pages.mjs
// With COMPARE=1 instead of timing, every combination's JSON at offsets
// 0, 50, 450 and 4950 (OFFSETS) from each BASE must be byte-identical to
// the first BASE's (a new build against main on copies of one file);
// COMPARE=ids: only numberMatched and the ids (after the same writes to
// each file, whose times differ by the second they were made).
if (process.env.COMBOS || process.env.COMPARE) {
  const bases = (process.env.BASE || '').split(/\s+/).filter(Boolean);
  const rounds = Number(process.env.ROUNDS || 15);
  const get = async (base, q) => {
    const t = process.hrtime.bigint();
    const r = await fetch(`${base}/api/v1/staff/feedback?limit=50${q ? `&${q}` : ''}`,
      { headers: { authorization: `Bearer ${process.env.TOKEN}` } });
    await r.arrayBuffer();
    return [r.status, Number(process.hrtime.bigint() - t) / 1e6];
  };
  const districts = await (await fetch(`${bases[0]}/api/v1/districts`)).json();
  const dcode = (districts.features || districts)[0]?.properties?.code ?? (districts.features || districts)[0]?.code;
  const ucode = process.env.UNIT || 'customer_service'; // a unit of the seeds
  const combos = [];
  for (const st of ['', 'status=received', 'status=in_progress,planned'])
    for (const cat of ['', 'category=lighting'])
      for (const d of ['', `district=${dcode}`, 'district=none'])
        for (const an of ['', 'answered=true', 'answered=false'])
          combos.push([st, cat, d, an].filter(Boolean).join('&'));
  const more = [`unit=${ucode}`, 'unit=none', 'older_than_days=30', 'newer_than_days=30',
    'newer_than_days=30&status=received&answered=false', 'older_than_days=365&district=none',
    'visibility=all', 'visibility=hidden,withdrawn', 'visibility=public&answered=true',
    'bbox=28.75,61.18,28.80,61.20', 'bbox=28.75,61.18,28.80,61.20&status=received&answered=true',
    'offset=4950', 'offset=4950&answered=true', 'offset=450&district=none,' + dcode];
  combos.push(...more.filter((q) => !q.includes('undefined')));
  if (process.env.COMPARE) {
    const offsets = (process.env.OFFSETS || '0 50 450 4950').split(/\s+/).map(Number);
    let same = 0, differ = 0;
    for (const q of combos)
      for (const off of offsets) {
        const qo = q.includes('offset=') ? q : [q, off ? `offset=${off}` : ''].filter(Boolean).join('&');
        const bodies = [];
        for (const base of bases) {
          const r = await fetch(`${base}/api/v1/staff/feedback?limit=50${qo ? `&${qo}` : ''}`,
            { headers: { authorization: `Bearer ${process.env.TOKEN}` } });
          const text = await r.text();
          if (process.env.COMPARE !== 'ids' || r.status !== 200) bodies.push(`${r.status} ${text}`);
          else {
            const j = JSON.parse(text);
            bodies.push(`${j.numberMatched} ${j.features.map((f) => f.id)}`);
          }
        }
        if (bodies.every((b) => b === bodies[0])) same++;
        else {
          differ++;
          console.log(`differs: ${qo}: ${bodies.map((b) => b.slice(0, 200)).join(' | ')}`);
        }
        if (q.includes('offset=')) break;
      }
    console.log(`${same} pages identical (${process.env.COMPARE === "ids" ? "count and ids" : "byte for byte"}), ${differ} differ`);
    process.exit(differ ? 1 : 0);
  }
  const ms = new Map();
  for (let i = 0; i < rounds; i++)
    for (const q of combos)
      for (const base of bases) {
        const [status, t] = await get(base, q);
        const k = `${base} ${q}`;
        if (!ms.has(k)) ms.set(k, []);
        ms.get(k).push(status === 200 ? t : Infinity);
      }
  const pct = (v, p) => v.sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(v.length * p))];
  console.log(`${combos.length} combinations, ${rounds} rounds, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`| filters | ${bases.map((b) => `${b} p50 / p99 ms`).join(' | ')} |\n|---|${bases.map(() => '---:').join('|')}|`);
  const worst = bases.map(() => 0);
  for (const q of combos) {
    const cells = bases.map((b, j) => {
      const v = ms.get(`${b} ${q}`);
      const p50 = pct(v, 0.5), p99 = pct(v, 0.99);
      worst[j] = Math.max(worst[j], p50);
      return `${p50.toFixed(1)} / ${p99.toFixed(1)}`;
    });
    console.log(`| ${q || '(default)'} | ${cells.join(' | ')} |`);
  }
  console.log(`| **highest p50** | ${worst.map((w) => `**${w.toFixed(1)}**`).join(' | ')} |`);
  process.exit(0);
}

const N = Number(process.env.N || 100000);
const ROUNDS = Number(process.env.ROUNDS || 100);
const dir = tempDir('vaikuta-queue-bench-');
const db = path.join(dir, 'bench.sqlite');
const made = spawnSync('bash', [path.join(repoRoot, 'bench/make-db.sh'), String(N), db],
  { env: { ...process.env, VAIKUTA: vaikutaBin }, encoding: 'utf8' });
if (made.status !== 0) throw new Error(`make-db: ${made.stderr}`);
const srv = await startServer({ dir, db, demo: false, tokens: [{ name: 'mod', role: 'moderator' }] });
try {
  const OPEN = 'status=received,in_progress,planned';
  // The first query after start reads the file cold (it can pass the 2 s
  // query limit on a loaded machine): warm up, then measure.
  let first;
  for (let i = 0; i < 5; i++) {
    first = await call(srv, 'GET', `/api/v1/staff/feedback?${OPEN}&limit=25`, { token: 'mod' });
    if (first.status === 200) break;
  }
  if (first.status !== 200) throw new Error(`inbox: ${first.status} ${first.text}`);
  const inbox = first.json;
  const id = inbox.features[0].id;
  const cases = [
    ['reference: public list, 25 items', '/api/v1/feedback?limit=25'],
    ['inbox: every status (the default before issue 18)', '/api/v1/staff/feedback?limit=25'],
    ['inbox: open items, first page of 25', `/api/v1/staff/feedback?${OPEN}&limit=25`],
    ['inbox: open, lighting, unanswered', `/api/v1/staff/feedback?${OPEN}&category=lighting&answered=false&limit=25`],
    ['item page: the queue (200 ids)', `/api/v1/staff/feedback?${OPEN}&limit=200`],
    ['item page: the staff view', `/api/v1/staff/feedback/${id}`],
    ['item page: nearby (50 m)', `/api/v1/staff/feedback/${id}/nearby`],
    ['item page: canned replies', '/api/v1/staff/replies?category=lighting'],
  ];
  const p50 = {};
  // Interleaved rounds, so that a burst of load elsewhere hits every case alike.
  const ms = Object.fromEntries(cases.map(([name]) => [name, []]));
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, url] of cases) {
      const t = process.hrtime.bigint();
      const r = await call(srv, 'GET', url, { token: 'mod' });
      ms[name].push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 200) throw new Error(`${url}: ${r.status} ${r.text}`);
    }
  }
  for (const [name] of cases) {
    ms[name].sort((a, b) => a - b);
    p50[name] = ms[name][Math.floor(ROUNDS / 2)];
  }
  const ref = p50[cases[0][0]];
  console.log(`N=${N} items, ${ROUNDS} rounds, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| request | p50 ms | ratio to the public list |\n|---|---|---|');
  for (const [name] of cases) console.log(`| ${name} | ${p50[name].toFixed(2)} | ${(p50[name] / ref).toFixed(2)} |`);
} finally {
  await srv.close();
}
