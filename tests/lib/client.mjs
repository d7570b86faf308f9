// client.mjs — one HTTP request from a chosen loopback source address
// (127.0.0.x), for tests of per-address rules; fetch() cannot choose it.
import http from 'node:http';

// method, url, { headers, body (string), from: '127.0.0.N', timeoutMs }
// → { status, headers, text, json, ms }. A fresh connection each time.
export function request(method, url, { headers = {}, body, from = '127.0.0.1', timeoutMs = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const h = { ...headers, Connection: 'close' };
    if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
    const req = http.request(url, { method, headers: h, localAddress: from, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json, ms: performance.now() - t0 });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
