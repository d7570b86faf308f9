// server.mjs — start the real vaikuta binary on a free loopback port with a
// temporary database, for the HTTP and browser tests. Stopped by its PID.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

// Start `vaikuta serve`; resolves when /healthz answers 200.
// opts: { db, dir, bin (another build's vaikuta, for a bench's reference), demo (default true), demoResponses (generated responses per
//         demo survey with demo; default 100, which keeps starts quick under ASan), args (extra), env,
//         users: [{ name, role, password }] created with `vaikuta user add` first,
//         tokens: [{ name, role }] created with `vaikuta token create` (srv.tokens[name]) }
export async function startServer(opts = {}) {
  const dir = opts.dir || tempDir();
  const db = opts.db || path.join(dir, 'test.sqlite');
  for (const u of opts.users || []) {
    vaikutaCli(['user', 'add', u.name, '--role', u.role, '--db', db], `${u.password}\n`);
  }
  const tokens = {};
  for (const t of opts.tokens || []) {
    tokens[t.name] = vaikutaCli(['token', 'create', '--role', t.role, '--name', t.name, '--db', db]).trim();
  }
  const port = await freePort();
  const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`,
    '--web', path.join(repoRoot, 'web')];
  if (opts.demo !== false) args.push('--demo', '--demo-responses', String(opts.demoResponses ?? 100));
  args.push(...(opts.args || []));
  const proc = spawn(opts.bin || vaikutaBin, args, { stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...(opts.env || {}) } });
  running.add(proc);
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
    running.delete(proc);
    resolve({ code, signal });
  }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) {
      throw new Error(`vaikuta exited early (${proc.exitCode}):\n${stderr}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`vaikuta did not answer /healthz in time:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
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
