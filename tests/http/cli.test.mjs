// The command line: help, version, refusing bad options and bad databases.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir, vaikutaBin } from '../lib/server.mjs';

const run = (...args) => spawnSync(vaikutaBin, args, { encoding: 'utf8', timeout: 20000 });

test('--help and --version', () => {
  let r = run('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /serve/);
  r = run('serve', '--help');
  assert.equal(r.status, 0);
  for (const opt of ['--db', '--listen', '--web', '--demo', '--tiles', '--public-url']) assert.match(r.stdout, new RegExp(opt));
  r = run('token', '--help');
  assert.equal(r.status, 0);
  for (const opt of ['token create', 'token list', 'token revoke ID\\|NAME', '--expires-days']) assert.match(r.stdout, new RegExp(opt));
  assert.match(run('--help').stdout, /token +create, list or revoke/);
  r = run('--version');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^vaikuta \d+\.\d+\.\d+ \(schema \d+\)/);
});

test('bad command lines are refused with a message', () => {
  let r = run('frobnicate');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command/);
  r = run('serve', '--listen', 'nonsense');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /HOST:PORT/);
});

test('a file that is not a Vaikuta database is refused and left alone', () => {
  const dir = tempDir();
  const file = path.join(dir, 'notes.sqlite');
  writeFileSync(file, 'this is not a database at all, just text that is long enough to matter');
  const r = run('serve', '--db', file, '--listen', '127.0.0.1:1');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /vaikuta serve: /);
  rmSync(dir, { recursive: true, force: true });
});
