// A lint of the web client (security issue 19): no way from data to markup.
// Text that residents, staff or the reference files wrote must reach the
// DOM as text, so web/*.js may not use the browser's HTML parsers and may
// hand Leaflet's HTML-taking calls only a node from a named builder, and
// web/*.html may hold no inline script or event handler (the
// Content-Security-Policy would block them anyway). The rules are textual
// and simple on purpose; each is proved on a fixture below, the first of
// them the inbox line that let a resident's <img onerror> run as an admin.
//
// Rules for web/*.js and web/lib/*.js (comments left out):
//  - never innerHTML, outerHTML, insertAdjacentHTML, document.write(ln),
//    createContextualFragment, DOMParser, srcdoc, eval, new Function, a
//    string given to setTimeout/setInterval, setAttribute('on…'), nor a
//    javascript: URL;
//  - Leaflet parses strings as HTML in bindTooltip, bindPopup, setContent,
//    setTooltipContent, setPopupContent, addAttribution, setPrefix and the
//    options html, content, attribution, zoomInText, zoomOutText: their
//    value is a string literal or one call to a builder of BUILDERS, and
//    nothing after it (no "+ text").
// Rules for web/*.html (the resident page in its source,
// scripts/resident-page.html): every <script> has a src and no content; no
// on…= attribute; no style attribute or <style> block (the policy has no
// 'unsafe-inline'); no javascript: URL.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../lib/server.mjs';

// Functions that return DOM nodes whose text is set with textContent, or
// (VK.attributionHtml) the one escaper for Leaflet's attribution control.
const BUILDERS = ['VK.textNode', 'featureDetails', 'VK.attributionHtml'];

const FORBIDDEN = [
  [/\binnerHTML\b/, 'innerHTML parses HTML'],
  [/\bouterHTML\b/, 'outerHTML parses HTML'],
  [/\binsertAdjacentHTML\b/, 'insertAdjacentHTML parses HTML'],
  [/\bdocument\s*\.\s*write(ln)?\b/, 'document.write parses HTML'],
  [/\bcreateContextualFragment\b/, 'createContextualFragment parses HTML'],
  [/\bDOMParser\b/, 'DOMParser parses HTML'],
  [/\bsrcdoc\b/, 'srcdoc is a document in a string'],
  [/\beval\s*\(/, 'eval runs a string'],
  [/\bnew\s+Function\b/, 'new Function runs a string'],
  [/\bset(Timeout|Interval)\s*\(\s*['"`]/, 'a string for setTimeout/setInterval runs as code'],
  [/setAttribute\s*\(\s*['"`]on/i, 'an event-handler attribute is inline script'],
  [/javascript:/i, 'a javascript: URL runs as code'],
];

const LEAFLET_CALLS = ['bindTooltip', 'bindPopup', 'setContent', 'setTooltipContent', 'setPopupContent',
  'addAttribution', 'setPrefix'];
const LEAFLET_OPTIONS = ['html', 'content', 'attribution', 'zoomInText', 'zoomOutText'];

// Comments out, strings and regular expressions kept (a // after a quote
// or a colon is a URL or a string, not a comment).
function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

// The end of a string literal starting at i (the quote), or -1.
function literalEnd(src, i) {
  const q = src[i];
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (q === '`' && src[j] === '$' && src[j + 1] === '{') return -1; // a template with values
    else if (src[j] === q) return j + 1;
  }
  return -1;
}

// The end of the balanced (…) starting at i, strings skipped, or -1.
function parenEnd(src, i) {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '"' || c === "'" || c === '`') {
      const e = literalEnd(src, j);
      if (e < 0) return -1;
      j = e - 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j + 1;
  }
  return -1;
}

// Is the expression at i a lone string literal or a lone builder call
// (followed by , ) } and nothing else)?
function safeValue(src, i) {
  while (/\s/.test(src[i])) i++;
  let end = -1;
  if (src[i] === '"' || src[i] === "'" || src[i] === '`') {
    end = literalEnd(src, i);
  } else {
    const b = BUILDERS.find((name) => src.startsWith(name, i) && /^\s*\(/.test(src.slice(i + name.length)));
    if (b) end = parenEnd(src, src.indexOf('(', i + b.length));
  }
  if (end < 0) return false;
  while (/\s/.test(src[end])) end++;
  return [',', ')', '}'].includes(src[end]);
}

function lineOf(src, i) { return src.slice(0, i).split('\n').length; }

export function lintJs(name, text) {
  const src = stripComments(text);
  const problems = [];
  for (const [re, why] of FORBIDDEN) {
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
    for (const m of src.matchAll(g)) problems.push(`${name}:${lineOf(src, m.index)}: ${why}`);
  }
  for (const call of LEAFLET_CALLS) {
    for (const m of src.matchAll(new RegExp(`\\.${call}\\s*\\(`, 'g'))) {
      if (!safeValue(src, m.index + m[0].length)) {
        problems.push(`${name}:${lineOf(src, m.index)}: ${call}() takes HTML; give it a node from ` +
          `${BUILDERS.join(', ')} or a string literal`);
      }
    }
  }
  for (const opt of LEAFLET_OPTIONS) {
    for (const m of src.matchAll(new RegExp(`[{,]\\s*['"]?${opt}['"]?\\s*:`, 'g'))) {
      if (!safeValue(src, m.index + m[0].length)) {
        problems.push(`${name}:${lineOf(src, m.index)}: Leaflet's ${opt} option takes HTML; give it ` +
          `a node from ${BUILDERS.join(', ')} or a string literal`);
      }
    }
  }
  return problems;
}

export function lintHtml(name, text) {
  const problems = [];
  const at = (i) => `${name}:${lineOf(text, i)}`;
  for (const m of text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (!/\ssrc\s*=/i.test(m[1])) problems.push(`${at(m.index)}: a <script> without src (inline script)`);
    if (m[2].trim()) problems.push(`${at(m.index)}: a <script> with content (inline script)`);
  }
  for (const m of text.matchAll(/<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=/gi)) {
    problems.push(`${at(m.index)}: the ${m[1]} attribute is inline script`);
  }
  for (const m of text.matchAll(/<[a-zA-Z][^>]*?\sstyle\s*=/gi)) {
    problems.push(`${at(m.index)}: a style attribute (the policy allows no inline style)`);
  }
  for (const m of text.matchAll(/<style\b/gi)) problems.push(`${at(m.index)}: a <style> block (no inline style)`);
  for (const m of text.matchAll(/javascript:/gi)) problems.push(`${at(m.index)}: a javascript: URL`);
  return problems;
}

const webDir = path.join(repoRoot, 'web');
// The pages' own files in web/ and the shared ones in web/lib/.
const files = (ext) => ['', 'lib/'].flatMap((dir) => readdirSync(path.join(webDir, dir))
  .filter((f) => f.endsWith(ext)).map((f) => dir + f)).sort();

test('web/*.js: no HTML parsing, Leaflet gets nodes from builders', () => {
  assert.ok(files('.js').length >= 8, 'the client scripts are found');
  const problems = files('.js').flatMap((f) => lintJs(`web/${f}`, readFileSync(path.join(webDir, f), 'utf8')));
  assert.deepEqual(problems, []);
});

test('web/*.html: no inline script, event handlers, inline style or javascript: URLs', () => {
  assert.ok(files('.html').length >= 7, 'the pages are found');
  // web/index.html is made from scripts/resident-page.html with web/'s own
  // scripts and styles put inside it, which the policy allows by hash
  // (tests/http/static.test.mjs checks that it is current): the page's own
  // markup is linted in its source.
  const pages = files('.html').filter((f) => f !== 'index.html').map((f) => path.join(webDir, f))
    .concat(path.join(repoRoot, 'scripts/resident-page.html'));
  const problems = pages.flatMap((f) => lintHtml(path.relative(repoRoot, f), readFileSync(f, 'utf8')));
  assert.deepEqual(problems, []);
});

test('the rules catch what they are for (fixtures)', () => {
  // The line of web/staff-inbox.js that ran a resident's script as an admin.
  const inbox = `
      L.geoJSON(f, {
        pointToLayer: function (feat, ll) { return L.circleMarker(ll, style); },
        style: function () { return style; }
      }).bindTooltip(t('itemLink', { id: f.id }) + ': ' + shorten(f.properties.description, 60))
        .on('click', function () { location.href = '/staff-item.html?id=' + f.id; })`;
  assert.equal(lintJs('old-inbox', inbox).length, 1);
  assert.match(lintJs('old-inbox', inbox)[0], /old-inbox:5: bindTooltip\(\) takes HTML/);
  // Its fix passes; a builder with text added after it does not.
  assert.deepEqual(lintJs('x', "x.bindTooltip(VK.textNode('span', t('a') + ': ' + d))"), []);
  assert.equal(lintJs('x', "x.bindTooltip(VK.textNode('span', d) + '<br>')").length, 1);
  assert.equal(lintJs('x', "x.bindTooltip(`<b>${name}</b>`, { sticky: true })").length, 1);
  assert.deepEqual(lintJs('x', "x.bindTooltip('Fixed words', { sticky: true })"), []);
  assert.equal(lintJs('x', 'popup.setContent(html)').length, 1);
  assert.equal(lintJs('x', "L.popup({ content: '<p>' + d + '</p>' })").length, 1);
  assert.equal(lintJs('x', "L.divIcon({ className: 'a', html: '<span>' + name + '</span>' })").length, 1);
  assert.deepEqual(lintJs('x', "L.divIcon({ className: 'a', html: VK.textNode('span', name) })"), []);
  assert.equal(lintJs('x', 'L.tileLayer(u, { attribution: cfg.attribution })').length, 1);
  assert.equal(lintJs('x', 'map.attributionControl.addAttribution(cfg.attribution)').length, 1);
  assert.deepEqual(lintJs('x', 'L.tileLayer(u, { attribution: VK.attributionHtml(cfg.attribution) })'), []);
  for (const bad of ['el.innerHTML = s;', 'el.outerHTML = s;', "el.insertAdjacentHTML('beforeend', s);",
    'document.write(s);', 'document.writeln(s);', "a.href = 'javascript:void 0';", "b.setAttribute('onclick', s);",
    'eval(s);', "setTimeout('go()', 5);", "new Function('return 1')", 'new DOMParser().parseFromString(s, t)']) {
    assert.equal(lintJs('x', bad).length, 1, bad);
  }
  // Comments may name what they warn about.
  assert.deepEqual(lintJs('x', '// never innerHTML here\n/* nor outerHTML */\nvar u = "https://a.b/";'), []);

  assert.equal(lintHtml('p', '<script>alert(1)</script>').length, 2);
  assert.equal(lintHtml('p', '<script src="/a.js">x()</script>').length, 1);
  assert.deepEqual(lintHtml('p', '<script src="/a.js" defer></script>'), []);
  assert.equal(lintHtml('p', '<button type="button" onclick="go()">Go</button>').length, 1);
  assert.equal(lintHtml('p', '<body onload="init()">').length, 1);
  assert.equal(lintHtml('p', '<a href="javascript:go()">Go</a>').length, 1);
  assert.equal(lintHtml('p', '<p style="color:red">x</p>').length, 1);
  assert.deepEqual(lintHtml('p', '<p data-one="x" class="on">x</p>'), []);
});
