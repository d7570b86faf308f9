// Public survey results (docs/survey-publish.md): the first answer (the
// snapshot is made) and p50/p99 of answers from the cache, on a demo survey
// with 3000 responses. Run from the worktree: node bench/survey-publish.mjs
// (VAIKUTA_BIN picks the binary).
import { call, startServer } from '../tests/lib/server.mjs';
const srv = await startServer({ demo: true, demoResponses: 3000, tokens: [{ name: 'p', role: 'planner' }] });
const list = (await call(srv, 'GET', '/api/v1/surveys')).json.surveys;
const slug = list[0].slug;
const r0 = await call(srv, 'PUT', `/api/v1/staff/surveys/${slug}/publication`, { token: 'p', body: { results: true } });
let t = process.hrtime.bigint();
const first = await call(srv, 'GET', `/api/v1/surveys/${slug}/results`);
const cold = Number(process.hrtime.bigint() - t) / 1e6;
const ms = [];
for (let i = 0; i < 200; i++) {
  t = process.hrtime.bigint();
  const r = await call(srv, 'GET', `/api/v1/surveys/${slug}/results`);
  ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  if (r.status !== 200) throw new Error(r.text);
}
ms.sort((a, b) => a - b);
console.log(`${slug}: ${r0.status} ${first.status} respondents ${first.json.respondents}, ${first.text.length} bytes; cold ${cold.toFixed(1)} ms, cached p50 ${ms[100].toFixed(2)} ms p99 ${ms[197].toFixed(2)} ms`);
await srv.close();
