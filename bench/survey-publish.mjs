// Public survey results (docs/survey-publish.md): the first answer (the
// snapshot is made), p50/p99 of answers from the cache, and the answers
// right after a new response (a large survey's snapshot is kept for up to
// a minute while only responses come, so these stay cached), on a demo
// survey with N responses (default 3000). Run from the worktree:
// N=10000 node bench/survey-publish.mjs (VAIKUTA_BIN picks the binary).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { call, startServer } from '../tests/lib/server.mjs';

const N = Number(process.env.N || 3000);
const srv = await startServer({ demo: true, demoResponses: N, tokens: [{ name: 'p', role: 'planner' }] });
try {
  // The school-route survey (map questions), answered as its fixture is.
  const slug = 'turvallinen-koulutie';
  const sample = JSON.parse(readFileSync(new URL('../tests/fixtures/surveys/responses/safe-route-to-school.json', import.meta.url), 'utf8'));
  const r0 = await call(srv, 'PUT', `/api/v1/staff/surveys/${slug}/publication`, { token: 'p', body: { results: true } });
  const timed = async (path, headers = {}) => {
    const t = process.hrtime.bigint();
    const r = await call(srv, 'GET', path, { headers });
    return { r, ms: Number(process.hrtime.bigint() - t) / 1e6 };
  };
  const res = `/api/v1/surveys/${slug}/results`;
  const first = await timed(res);
  const ms = [];
  for (let i = 0; i < 200; i++) {
    const { r, ms: m } = await timed(res);
    ms.push(m);
    if (r.status !== 200) throw new Error(r.text);
  }
  ms.sort((a, b) => a - b);
  console.log(`${slug}: ${r0.status} ${first.r.status} respondents ${first.r.json.respondents}, ${first.r.text.length} bytes; `
    + `cold ${first.ms.toFixed(1)} ms, cached p50 ${ms[100].toFixed(2)} ms p99 ${ms[197].toFixed(2)} ms`);
  // Responses keep coming: the next answers after each.
  const version = (await call(srv, 'GET', `/api/v1/surveys/${slug}`)).json.version;
  const after = [];
  for (let i = 0; i < 5; i++) {
    const p = await call(srv, 'POST', `/api/v1/surveys/${slug}/responses`, { body: { ...sample, id: randomUUID(), version } });
    if (p.status !== 201) throw new Error(`response: ${p.status} ${p.text}`);
    const { r, ms: m } = await timed(res);
    if (r.status !== 200) throw new Error(r.text);
    after.push(`${m.toFixed(1)} ms (${r.json.respondents})`);
  }
  const q = first.r.json.questions.find((x) => x.hexagons);
  const hex = q ? await timed(`/api/v1/surveys/${slug}/results/${q.key}.geojson`) : null;
  console.log(`after each of 5 new responses: ${after.join(', ')}`);
  if (hex) console.log(`results/${q.key}.geojson: ${hex.r.status} ${hex.r.json.features.length} hexagons, ${hex.ms.toFixed(1)} ms`);
  // The OGC API side: the hexagon collection, and the public layer of
  // drawn points snapped to the hexagons (docs/survey-publish.md).
  const pub = await call(srv, 'PUT', `/api/v1/staff/surveys/${slug}/public`, { token: 'p', body: { questions: ['unsafe_spots'] } });
  if (pub.status !== 200) throw new Error(pub.text);
  for (const path of [`/ogcapi/collections/results-${slug}-unsafe_spots-hex/items?limit=1000`,
    `/ogcapi/collections/survey-${slug}-unsafe_spots/items?limit=100`]) {
    const runs = [];
    let last;
    for (let i = 0; i < 5; i++) {
      const x = await timed(path);
      if (x.r.status !== 200) throw new Error(x.r.text);
      runs.push(x.ms);
      last = x.r.json;
    }
    runs.sort((a, b) => a - b);
    console.log(`${path}: numberMatched ${last.numberMatched}, median of 5 ${runs[2].toFixed(1)} ms`);
  }
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  await srv.close();
}
