// The browser tests' view of the shared server starter (tests/lib/server.mjs):
// the real binary on a free loopback port with a temporary demo database.
import { startServer as startShared } from '../lib/server.mjs';

export { repoRoot } from '../lib/server.mjs';

export async function startServer() {
  const s = await startShared();
  return {
    baseURL: s.url,
    pid: s.proc.pid,
    async stop() {
      await s.stop();
      s.cleanup();
    },
  };
}
