// tools.mjs — the outside programs some tests drive (GDAL, PROJ, sqlite3,
// Chromium). A test whose tool is missing is skipped with the reason, never
// passed silently: test(name, { skip: missingTool('ogrinfo') }, fn).
import { spawnSync } from 'node:child_process';

// How to ask each tool that it runs; anything else is asked --version.
const PROBES = {
  chromium: [process.env.CHROMIUM_PATH || '/usr/bin/chromium', ['--version']],
  sqlite3: ['sqlite3', ['-version']],
  cs2cs: ['cs2cs', []],
  projinfo: ['projinfo', ['EPSG:4326']],
};

const known = new Map();

// false when the tool runs here, else why the test that needs it is skipped
// (a string). Not null: node:test skips a test whose skip is null.
export function missingTool(name) {
  if (known.has(name)) return known.get(name);
  const [cmd, args] = PROBES[name] || [name, ['--version']];
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20000, input: '' });
  const reason = r.error || r.status !== 0 ? `${name} is not installed (${cmd} ${args.join(' ')}: ` +
    `${r.error ? r.error.code || r.error.message : `exit ${r.status}`})` : false;
  known.set(name, reason);
  return reason;
}

