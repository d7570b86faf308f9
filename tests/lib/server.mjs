// server.mjs — start the real vaikuta binary on a free loopback port with a
// temporary database, for the HTTP and browser tests. Stopped by its PID.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const vaikutaBin = path.resolve(repoRoot, process.env.VAIKUTA_BIN || 'build/vaikuta');

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix = 'vaikuta-') {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

// Run a vaikuta CLI command; stdin text optional. Throws unless it exits 0.
export function vaikutaCli(args, input = '') {
  const r = spawnSync(vaikutaBin, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vaikuta ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

// Run SQL on a database file with sqlite3 (waiting out the server's
// writer); its output, trimmed. Throws unless it exits 0.
export function sql(db, text) {
  const r = spawnSync('sqlite3', [db, '.timeout 10000', text], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${db}: ${r.stderr}`);
  return r.stdout.trim();
}

// One sqlite3 process for many queries: a spawn with SpatiaLite loaded
// costs about 80 ms, and a test that checks hundreds of answers against SQL
// spent most of its time starting sqlite3. Each query is its own read, so it
// sees what the server committed before it. query(text) resolves with the
// output, trimmed; a failing statement rejects (sqlite3 -bail then exits,
// and so do later queries). close() ends the process.
export function sqliteSession(db, { spatialite = false } = {}) {
  const args = ['-batch', '-bail', '-cmd', '.timeout 10000'];
  if (spatialite) args.push('-cmd', '.load mod_spatialite');
  const proc = spawn('sqlite3', [...args, db], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(proc);
  let out = '', err = '', exited = false, n = 0;
  let waiting = null; // { mark, resolve, reject, text }: the query in flight
  const settle = () => {
    if (!waiting) return;
    const w = waiting;
    const at = out.indexOf(w.mark);
    if (at >= 0) {
      waiting = null;
      const text = out.slice(0, at).trim();
      out = out.slice(at + w.mark.length);
      w.resolve(text);
    } else if (exited) {
      waiting = null;
      w.reject(new Error(`sqlite3 ${db}: ${err.trim() || 'exited'} (in ${w.text})`));
    }
  };
  proc.stdout.on('data', (d) => { out += d; settle(); });
  proc.stderr.on('data', (d) => { err += d; });
  proc.on('exit', () => { exited = true; running.delete(proc); settle(); });
  // One query at a time: each waits for the one before it.
  let last = Promise.resolve();
  const query = (text) => {
    const run = () => new Promise((resolve, reject) => {
      const mark = `__vk_end_${++n}__`;
      waiting = { mark: `${mark}\n`, resolve, reject, text };
      if (exited) settle();
      else proc.stdin.write(`${text.replace(/;\s*$/, '')};\nSELECT '${mark}';\n`);
    });
    last = last.then(run, run);
    return last;
  };
  const close = () => new Promise((resolve) => {
    if (exited) resolve();
    else { proc.on('exit', () => resolve()); proc.stdin.end(); }
  });
  return { query, close };
}

// Wait until the server proc answers /healthz on port: true; false when it
// could not listen and `retry` allows another port; throws otherwise.
async function answers(proc, port, stderr, retry) {
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) {
      if (retry && /cannot listen/.test(stderr())) return false;
      throw new Error(`vaikuta exited early (${proc.exitCode}):\n${stderr()}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 200) return true;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`vaikuta did not answer /healthz in time:\n${stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A fresh database costs a server start 0.4 s, 2 s under ASan (SpatiaLite's
// metadata, the reference areas, the demo), over a hundred times a run. So
// each start copies one made by `vaikuta init` with the same demo options,
// once per build of the binary, next to the binary. The migrations from
// nothing are still tested wherever a test passes its own db (cli, unit).
// The arguments that load the demo, as opts ask: the template's key too.
const demoArgs = (opts) => (opts.demo !== false ? ['--demo', '--demo-responses', String(opts.demoResponses ?? 100)] : []);

function templateDb(bin, opts) {
  const st = statSync(bin);
  const demo = demoArgs(opts).join('') || 'plain';
  const dir = path.join(path.dirname(bin), 'test-templates');
  const file = path.join(dir, `${st.size}-${Math.trunc(st.mtimeMs)}-${demo}.sqlite`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}`;
  const r = spawnSync(bin, ['init', '--db', tmp, ...demoArgs(opts)], { encoding: 'utf8', env: { ...process.env, ...(opts.env || {}) } });
  if (r.status !== 0) throw new Error(`vaikuta init for the template failed:\n${r.stderr}`);
  if (existsSync(`${tmp}-wal`)) throw new Error(`vaikuta init left ${tmp}-wal: not a whole template`);
  renameSync(tmp, file); // atomic: two files starting at once both get a whole one
  return file;
}

// Start `vaikuta serve`; resolves when /healthz answers 200.
// opts: { db, dir, bin (another build's vaikuta, for a bench's reference), demo (default true), demoResponses (generated responses per
//         demo survey with demo; default 100, which keeps starts quick under ASan), args (extra), env,
//         template (default true: a new db starts as a copy of templateDb's),
//         users: [{ name, role, password }] created with `vaikuta user add` first,
//         tokens: [{ name, role }] created with `vaikuta token create` (srv.tokens[name]) }
export async function startServer(opts = {}) {
  const dir = opts.dir || tempDir();
  const db = opts.db || path.join(dir, 'test.sqlite');
  const bin = opts.bin || vaikutaBin;
  const ownGeo = (opts.args || []).some((a) => a === '--geo' || a === '--seeds');
  if (!existsSync(db) && !ownGeo && opts.template !== false) copyFileSync(templateDb(bin, opts), db);
  for (const u of opts.users || []) {
    vaikutaCli(['user', 'add', u.name, '--role', u.role, '--db', db], `${u.password}\n`);
  }
  const tokens = {};
  for (const t of opts.tokens || []) {
    tokens[t.name] = vaikutaCli(['token', 'create', '--role', t.role, '--name', t.name, '--db', db]).trim();
  }
  // The suites run two files at a time (scripts/test): another file's
  // server may take the port freePort found before this one binds it; the
  // server then says "cannot listen" and another port is tried.
  let port, proc, stderr, exited;
  const args = ['--web', path.join(repoRoot, 'web'), ...demoArgs(opts), ...(opts.args || [])];
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    proc = spawn(bin, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...(opts.env || {}) } });
    running.add(proc);
    stderr = '';
    const p = proc;
    p.stderr.on('data', (d) => { stderr += d; });
    exited = new Promise((resolve) => p.on('exit', (code, signal) => {
      running.delete(p);
      resolve({ code, signal });
    }));
    if (await answers(p, port, () => stderr, attempt < 3)) break;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url, port, db, dir, proc, tokens,
    stderr: () => stderr,
    // SIGTERM and wait; resolves with { code, signal }.
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
      const res = await exited;
      clearTimeout(timer);
      return res;
    },
    cleanup() { if (!opts.dir) rmSync(dir, { recursive: true, force: true }); },
    // stop() then cleanup(): the end of a suite.
    async close() {
      const res = await this.stop();
      this.cleanup();
      return res;
    },
  };
}

// One HTTP call to a started server (srv from startServer): JSON `body`
// (an object, or a string sent as it is) or form-encoded `form` (an object),
// a `token` name from opts.tokens or a raw `bearer` value, or a session
// `cookie` with its `csrf`. Resolves { status, json, text, headers, res }.
export async function call(srv, method, url, { token, bearer, body, form, cookie, csrf, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${srv.tokens[token]}`;
  if (bearer) h.Authorization = `Bearer ${bearer}`;
  if (cookie) h.Cookie = cookie;
  if (csrf) h['X-CSRF-Token'] = csrf;
  let payload;
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  } else if (form !== undefined) {
    h['Content-Type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  }
  const res = await fetch(`${srv.url}${url}`, { method, headers: h, body: payload });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers, res };
}

// Sign in with a name and password: the answer of call() plus the whole
// Set-Cookie value (setCookie), the session cookie (name=value) and the
// CSRF value to send with it.
export async function login(srv, name, password) {
  const r = await call(srv, 'POST', '/api/v1/auth/login', { body: { name, password } });
  const setCookie = r.headers.get('set-cookie') || '';
  return { ...r, setCookie, cookie: setCookie.split(';')[0], csrf: r.json?.csrf };
}

// Send raw bytes to a started server, collect the whole answer as latin1
// text (until the server or the timeout closes).
export function rawRequest(srv, bytes, { waitMs = 3000 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let data = '';
    const done = () => { sock.destroy(); resolve(data); };
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('end', done);
    sock.on('error', done);
    sock.setTimeout(waitMs, done);
    sock.write(bytes);
  });
}
export const statusOf = (answer) => Number((answer.match(/^HTTP\/1\.[01] (\d{3})/) || [])[1] || 0);
