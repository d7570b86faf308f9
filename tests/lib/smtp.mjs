// A real SMTP server (Debian python3-aiosmtpd, tests/http/smtp_sink.py) on a
// loopback port for the mail tests: startSink(port) gives { messages, sending,
// stop() }, each message {mail_from, rcpt_tos, headers, text, html} as the
// sink parsed it; sending: the recipients of each message to a "slow…"
// address, when the sink began to hold it (2 s).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './server.mjs';

export const sinks = new Set();

// The SMTP server on port: { messages, stop() }.
export async function startSink(port) {
  const proc = spawn('/usr/bin/python3', [path.join(repoRoot, 'tests/http/smtp_sink.py'), String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const sink = { proc, port, messages: [], sending: [], stderr: '' };
  sinks.add(sink);
  proc.stderr.on('data', (d) => { sink.stderr += d; });
  let buf = '';
  await new Promise((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`smtp sink exited ${code}: ${sink.stderr}`)));
    proc.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready') resolve();
        else {
          const m = JSON.parse(line);
          if (m.sending) sink.sending.push(m.sending);
          else sink.messages.push(m);
        }
      }
    });
  });
  sink.stop = () => new Promise((resolve) => {
    sinks.delete(sink);
    if (proc.exitCode !== null) return resolve();
    proc.on('exit', () => resolve());
    proc.kill('SIGTERM');
  });
  return sink;
}


// Poll pred every 100 ms until it gives something truthy (returned), or
// throw after ms: messages arrive when the background sender gets to them.
export async function waitFor(what, pred, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
