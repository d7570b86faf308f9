// --mmap (README "Configuration"): the server reads the database file
// through a memory map by default, and --mmap 0 turns it off; either way
// the answers are the same bytes, and a bad value is refused by name.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { call, startServer, tempDir, vaikutaBin } from '../lib/server.mjs';

// How many of the process's mappings are of the database file itself.
const dbMaps = (pid, db) =>
  readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter((l) => l.endsWith(` ${db}`)).length;

const PAGE = '/ogcapi/collections/feedback/items?bbox=28.6,61.1,28.9,61.3&limit=50';

test('the database file is mapped by default and not with --mmap 0; the answers are the same', async () => {
  const dir = tempDir();
  const answers = [];
  try {
    for (const args of [[], ['--mmap', '0']]) {
      const srv = await startServer({ dir, db: `${dir}/m.sqlite`, args });
      try {
        const r = await call(srv, 'GET', PAGE);
        assert.equal(r.status, 200, r.text);
        assert.ok(r.json.features.length > 0, 'the demo has items in the box');
        // Links name each server's port, and timeStamp is the moment of the answer.
        answers.push(r.text.replaceAll(srv.url, 'ORIGIN').replace(/"timeStamp":"[^"]*"/, ''));
        const maps = dbMaps(srv.proc.pid, `${dir}/m.sqlite`);
        if (args.length) assert.equal(maps, 0, 'no map of the file with --mmap 0');
        else assert.ok(maps > 0, 'the file is mapped by default');
      } finally {
        await srv.stop();
      }
    }
    assert.ok(answers[0] === answers[1], 'the same answer with and without the map');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--mmap wants whole megabytes', () => {
  for (const bad of ['-1', 'lots', '70000']) {
    const r = spawnSync(vaikutaBin, ['serve', '--mmap', bad], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--mmap wants whole megabytes/);
  }
});
